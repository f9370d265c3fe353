"""Batch printing of training certificates (one page, a distinct QR code each, the seal).

Prints certificates/s for batch.write_zip and for engine.render (plain docxtpl) on the same
template in the same run, where the batch time goes (images incl. QR, render, write), the time to
merge 1,000 and 6,000 certificates into one .docx, and the peak RSS for 100 vs 6,000 (each size in
a fresh subprocess, VmHWM). Targets (issue): ≥ 150/s into a zip on one core; merged 1,000 ≤ 10 s
and 6,000 ≤ 60 s; peak RSS for 6,000 within 1.5× of that for 100.

Uses doc_templates/training_certificate.docx when it exists, else a comparable built one.
Run: .venv/bin/python benchmarks/bench_documents.py
     ROWS=60 …   (scales every size: rates over ROWS, merges over ROWS×10/3 and ROWS×20)
"""

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.documents.batch_fixtures import SHIPPED, record, records, template_bytes  # noqa: E402
from webapp.documents import batch, engine  # noqa: E402
from webapp.documents.images import qr_png  # noqa: E402

ROWS = int(os.environ.get("ROWS", 300))
MERGES = (ROWS * 10 // 3, ROWS * 20)
SMALL = 100 if ROWS >= 100 else max(ROWS // 3, 10)


def peak_rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def child(mode: str, n: int) -> None:
    """One measurement in this fresh process; prints a JSON line for the parent."""
    compiled = batch.compile_template(template_bytes())
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / ("print.docx" if mode == "merged" else "certificates.zip")
        marks = []  # (done, seconds): per-record cost must not grow with the batch
        started = time.perf_counter()
        writer = batch.write_merged if mode == "merged" else batch.write_zip
        writer(compiled, records(n), out, progress=lambda done: marks.append((done, time.perf_counter() - started)))
        seconds = time.perf_counter() - started
        size = out.stat().st_size
    tenth = max(n // 10, batch.PROGRESS_EVERY)
    first = next(m for m in marks if m[0] >= tenth)
    last = next(m for m in marks if m[0] >= n - tenth)
    rates = (first[0] / first[1], (n - last[0]) / (seconds - last[1]) if seconds > last[1] else float("nan"))
    print(json.dumps({"mode": mode, "n": n, "seconds": seconds, "peak_mb": peak_rss_mb(), "bytes": size,
                      "rates": rates}))


def run_child(mode: str, n: int) -> dict:
    command = [sys.executable, __file__, "child", mode, str(n)]
    result = subprocess.run(command, capture_output=True, text=True, check=True, cwd=ROOT)
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> None:
    data = template_bytes()
    print(f"template: {SHIPPED.name if SHIPPED.exists() else 'built in tests/documents/batch_fixtures.py'}"
          f" ({len(data) // 1024} KB), {ROWS} records per rate test")

    started = time.perf_counter()
    compiled = batch.compile_template(data)
    print(f"compile_template: {(time.perf_counter() - started) * 1000:.0f} ms (once per batch)")

    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        batch.write_zip(compiled, records(ROWS), Path(tmp) / "certificates.zip")
        zip_seconds = time.perf_counter() - started
    timings = compiled.timings

    started = time.perf_counter()
    for rec in records(ROWS):
        engine.render(data, rec)
    docxtpl_seconds = time.perf_counter() - started

    texts = [record(i)["qr"].text for i in range(1, ROWS + 1)]
    started = time.perf_counter()
    for text in texts:
        batch.qr_png_fast(text)
    fast_qr = (time.perf_counter() - started) / ROWS * 1000
    started = time.perf_counter()
    for text in texts:
        qr_png(text)
    pillow_qr = (time.perf_counter() - started) / ROWS * 1000

    print(f"\nwrite_zip:      {ROWS / zip_seconds:7.1f} certificates/s  ({zip_seconds:.2f} s)")
    print(f"engine.render:  {ROWS / docxtpl_seconds:7.1f} certificates/s  ({docxtpl_seconds:.2f} s, plain docxtpl)")
    print(f"speed-up:       {docxtpl_seconds / zip_seconds:7.1f}×")
    print("\nwrite_zip per certificate:")
    for step, label in (("images", "images (QR code, seal)"), ("render", "render (Jinja, tables, ids)"),
                        ("write", "write (zip entries, output)")):
        print(f"  {label:30s} {timings[step] / ROWS * 1000:6.2f} ms")
    other = zip_seconds - sum(timings.values())
    print(f"  {'other (records, loop)':30s} {other / ROWS * 1000:6.2f} ms")
    print(f"QR code alone: {fast_qr:.2f} ms (batch.qr_png_fast) vs {pillow_qr:.2f} ms (images.qr_png, Pillow)")

    print("\nfresh subprocess each (batch work is single-threaded: one core):")
    results = {}
    for mode, n in [("merged", SMALL), ("merged", MERGES[0]), ("merged", MERGES[1]), ("zip", SMALL), ("zip", MERGES[1])]:
        results[mode, n] = r = run_child(mode, n)
        print(f"  {mode:6s} {n:6d}: {r['seconds']:6.2f} s  {n / r['seconds']:6.1f}/s  "
              f"peak RSS {r['peak_mb']:6.1f} MB  output {r['bytes'] / 1024 / 1024:6.1f} MB  "
              f"first/last tenth {r['rates'][0]:.0f}/{r['rates'][1]:.0f} per s")
    for mode in ("merged", "zip"):
        small, large = results[mode, SMALL], results[mode, MERGES[1]]
        print(f"peak RSS {mode}: {large['peak_mb']:.1f} MB for {MERGES[1]} vs {small['peak_mb']:.1f} MB for {SMALL}"
              f" = {large['peak_mb'] / small['peak_mb']:.2f}× (target ≤ 1.5×)")
    print(f"merged {MERGES[0]}: {results['merged', MERGES[0]]['seconds']:.1f} s (target ≤ 10 s for 1,000); "
          f"merged {MERGES[1]}: {results['merged', MERGES[1]]['seconds']:.1f} s (target ≤ 60 s for 6,000)")


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "child":
        child(sys.argv[2], int(sys.argv[3]))
    else:
        main()
