"""PDF conversion: real LibreOffice on a small Chinese document, and stand-in converters (tiny shell
scripts) for what LibreOffice cannot be made to do on demand: hang, fail, or show that the lock
keeps two conversions apart.

Tests that need LibreOffice or pdftoppm are skipped where they are missing, or fail when CI is set,
because CI must run them."""

import fcntl
import io
import os
import re
import shutil
import subprocess
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from docx import Document
from PIL import Image

from webapp.documents import pdf

TITLE = "关于开展防汛应急演练的通知"
BODY = "各乡镇人民政府、街道办事处：为提高突发事件应急处置能力，定于六月开展防汛应急演练。"


def _require(program: str | None, what: str, package: str) -> str:
    if program is None:
        reason = f"{what} not found: install Debian's {package} package to run the PDF tests"
        if os.environ.get("CI"):
            pytest.fail(reason + " (CI is set, so the PDF tests must run)", pytrace=False)
        pytest.skip(reason)
    return program


@pytest.fixture
def soffice() -> str:
    return _require(pdf.soffice_path(), "LibreOffice (soffice)", "libreoffice-writer-nogui")


@pytest.fixture
def pdftoppm() -> str:
    return _require(pdf.pdftoppm_path(), "pdftoppm", "poppler-utils")


@pytest.fixture
def make_app(make_app, tmp_path):
    """Apps whose conversions take a lock of their own: under pytest-xdist, real conversions in
    other test processes hold the instance folder's, and a stand-in's timings would include them."""
    def build(**overrides):
        return make_app(**({"PDF_LOCK_FILE": str(tmp_path / "soffice.lock")} | overrides))

    return build


@pytest.fixture(autouse=True)
def private_tempdir(tmp_path, monkeypatch) -> Path:
    """Work folders (and, without an app, the lock file) go under this test's own temp folder, so a
    test can see that nothing was left behind."""
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(("soffice-", ".soffice-")))


def docx_bytes(*paragraphs: str) -> bytes:
    document = Document()
    document.add_heading(TITLE, level=1)
    for text in paragraphs:
        document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def page_count(data: bytes) -> int:
    # LibreOffice writes page dictionaries uncompressed; "/Type /Pages" is the tree, not a page.
    return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", data))


def pdf_text(data: bytes) -> str | None:
    if shutil.which("pdftotext") is None:
        return None
    return subprocess.run(["pdftotext", "-layout", "-", "-"], input=data, capture_output=True, check=True,
                          timeout=30).stdout.decode()


def fake_converter(folder: Path, body: str) -> Path:
    """A stand-in `soffice`: a shell script whose body runs with LibreOffice's arguments."""
    script = folder / "soffice"
    script.write_text("#!/bin/sh\n" + body)
    script.chmod(0o755)
    return script


# Writes "<outdir>/<source stem>.pdf" as LibreOffice would: --outdir DIR ... SOURCE (source last).
WRITE_OUTPUT = """
while [ $# -gt 1 ]; do
  if [ "$1" = --outdir ]; then out=$2; fi
  shift
done
name=$(basename "$1")
printf '%%PDF-1.4 stand-in\\n' > "$out/${name%.*}.pdf"
"""


def gone(pid: int, within: float = 5.0) -> bool:
    """Whether the process has ended (a zombie waiting for init to reap it counts as ended)."""
    until = time.monotonic() + within
    while True:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            if fields[0] in ("Z", "X"):
                return True
        except FileNotFoundError:
            return True
        if time.monotonic() > until:
            return False
        time.sleep(0.05)


# ------------------------------------------------------------------------------ real LibreOffice


def test_chinese_docx_becomes_a_one_page_pdf(soffice, private_tempdir):
    started = time.monotonic()
    data = pdf.to_pdf(docx_bytes(BODY))
    print(f"to_pdf: {time.monotonic() - started:.2f} s")

    assert data.startswith(b"%PDF-")
    assert page_count(data) == 1
    text = pdf_text(data)
    if text is not None:
        flat = re.sub(r"\s+", "", text)
        assert TITLE in flat
        assert "防汛应急演练" in flat
    assert leftovers(private_tempdir) == []


def test_first_page_png_is_a_readable_preview(soffice, pdftoppm, private_tempdir):
    started = time.monotonic()
    data = pdf.first_page_png(docx_bytes(BODY * 3, "第二段", "第三段"))
    print(f"first_page_png: {time.monotonic() - started:.2f} s")

    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    with Image.open(io.BytesIO(data)) as image:
        assert image.width == pdf.PREVIEW_WIDTH
        assert image.height > image.width  # a portrait page
        darkest, _ = image.convert("L").getextrema()
        assert darkest < 100  # text was drawn, not a blank page
    assert leftovers(private_tempdir) == []


def test_a_plan_pdf_has_contents_with_the_page_of_every_chapter(soffice, pdftoppm, private_tempdir):
    """LibreOffice keeps a Word TOC field's cached text; the plan's PDF must still show where each
    chapter starts, as printed on that page's footer (— n —)."""
    from webapp.documents import engine
    from webapp.documents.kinds import KINDS
    from webapp.documents.richtext import Rich

    kind = KINDS["plan"]
    paragraph = "<p>" + "各部门应当按照职责分工，做好应急准备、监测预警、应急处置和恢复重建工作。" * 6 + "</p>"
    chapters = [{"number": str(n), "title": title, "content": Rich(f"<h1>{n}.1 要求</h1>" + paragraph * 12)}
                for n, title in enumerate(["总则", "组织机构及职责", "预警与响应", "保障措施"], 1)]
    template = (Path(__file__).resolve().parents[2] / "doc_templates" / kind.shipped).read_bytes()
    docx = engine.render(template, kind.complete(kind.sample | {"chapters": chapters}))

    text = pdf_text(pdf.to_pdf(docx))
    pages = text.split("\f")
    listed = dict(re.findall(r"^\s*(第 \d 章 \S+?)\s*\.{3,}\s*(\d+)\s*$", text, re.MULTILINE))
    assert len(listed) == 4, text[:2000]
    starts = {}
    for page in pages:
        footer = re.search(r"—\s*(\d+)\s*—", page)
        for heading in listed:
            if re.search(rf"^\s*{heading}\s*$", page, re.MULTILINE) and heading not in starts:
                starts[heading] = footer.group(1)
    assert listed == starts
    assert len(set(starts.values())) == 4  # the chapters really are on different pages
    assert leftovers(private_tempdir) == []


def test_convert_file_writes_beside_and_replaces(soffice, tmp_path):
    src = tmp_path / "批量打印 2026-06.docx"
    src.write_bytes(docx_bytes(BODY))
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    (out_dir / "批量打印 2026-06.pdf").write_bytes(b"old")

    target = pdf.convert_file(src, out_dir)

    assert target == out_dir / "批量打印 2026-06.pdf"
    assert target.read_bytes().startswith(b"%PDF-")
    assert sorted(p.name for p in out_dir.iterdir()) == ["批量打印 2026-06.pdf"]  # no staging folder left


def test_two_threads_convert_at_once_and_both_succeed(soffice, app):
    barrier = threading.Barrier(2)

    def convert(text: str) -> tuple[bytes, float]:
        with app.app_context():  # the lock then lives in the instance folder
            barrier.wait()
            started = time.monotonic()
            return pdf.to_pdf(docx_bytes(text)), time.monotonic() - started

    started = time.monotonic()
    with ThreadPoolExecutor(2) as pool:
        results = list(pool.map(convert, ["第一份：" + BODY, "第二份：" + BODY]))
    print(f"two threads: {time.monotonic() - started:.2f} s in all, each {[round(s, 2) for _, s in results]}")

    for data, _ in results:
        assert data.startswith(b"%PDF-")
        assert page_count(data) == 1
    texts = [pdf_text(data) for data, _ in results]
    if texts[0] is not None:
        assert "第一份" in texts[0] and "第二份" in texts[1]


# --------------------------------------------------------------------------- stand-in converters


def test_without_libreoffice_says_so_in_chinese(make_app):
    app = make_app(SOFFICE_PATH="/nonexistent/soffice")
    with app.app_context():
        assert pdf.available() is False
        assert pdf.preview_available() is False
        with pytest.raises(pdf.PdfUnavailable) as caught:
            pdf.to_pdf(docx_bytes(BODY))
    assert caught.value.message == "本机未安装 LibreOffice，无法生成 PDF；可先下载 Word 版本"


def test_defaults_apply_without_an_app():
    assert pdf.timeout_seconds() == pdf.DEFAULT_TIMEOUT_SECONDS
    assert pdf.lock_path().parent == Path(tempfile.gettempdir())


def test_a_hung_converter_is_killed_with_its_children(make_app, tmp_path, private_tempdir):
    child_pid, own_pid = tmp_path / "child.pid", tmp_path / "own.pid"
    script = fake_converter(tmp_path, f"""
sleep 600 &
echo $! > {child_pid}
echo $$ > {own_pid}
sleep 600
""")
    app = make_app(SOFFICE_PATH=str(script), PDF_TIMEOUT_SECONDS=2)
    started = time.monotonic()
    with app.app_context(), pytest.raises(pdf.PdfFailed) as caught:
        pdf.to_pdf(docx_bytes(BODY))
    elapsed = time.monotonic() - started

    assert caught.value.message == "转换 PDF 超时（超过 2 秒），已终止；可先下载 Word 版本"
    assert 2 <= elapsed < 6
    assert gone(int(child_pid.read_text())), "the converter's child outlived the timeout"
    assert gone(int(own_pid.read_text()))
    assert leftovers(private_tempdir) == []


@pytest.mark.parametrize("body", ["exit 3\n", "echo 'Error: source file could not be loaded'\n"],
                         ids=["non-zero exit", "no output file"])
def test_a_failing_converter_is_reported(make_app, tmp_path, private_tempdir, body):
    app = make_app(SOFFICE_PATH=str(fake_converter(tmp_path, body)))
    with app.app_context(), pytest.raises(pdf.PdfFailed) as caught:
        pdf.to_pdf(docx_bytes(BODY))
    assert caught.value.message.endswith("可先下载 Word 版本")
    assert leftovers(private_tempdir) == []


def test_the_lock_lets_one_conversion_run_at_a_time(make_app, tmp_path):
    log = tmp_path / "runs.log"
    script = fake_converter(tmp_path, f"""
echo "start $(date +%s.%N)" >> {log}
sleep 0.5
{WRITE_OUTPUT}
echo "end $(date +%s.%N)" >> {log}
""")
    app = make_app(SOFFICE_PATH=str(script))
    barrier = threading.Barrier(2)

    def convert(_):
        with app.app_context():
            barrier.wait()
            return pdf.to_pdf(docx_bytes(BODY))

    with ThreadPoolExecutor(2) as pool:
        results = list(pool.map(convert, range(2)))

    assert all(data.startswith(b"%PDF-1.4 stand-in") for data in results)
    events = [line.split() for line in log.read_text().splitlines()]
    assert [kind for kind, _ in events] == ["start", "end", "start", "end"]  # never interleaved


def test_waiting_for_the_lock_counts_toward_the_timeout(make_app, tmp_path):
    marker = tmp_path / "ran"
    app = make_app(SOFFICE_PATH=str(fake_converter(tmp_path, f"touch {marker}\n" + WRITE_OUTPUT)),
                   PDF_TIMEOUT_SECONDS=1)
    with app.app_context():
        with open(pdf.lock_path(), "a+b") as held:
            fcntl.flock(held, fcntl.LOCK_EX)  # another conversion is running
            started = time.monotonic()
            with pytest.raises(pdf.PdfFailed) as caught:
                pdf.to_pdf(docx_bytes(BODY))
            elapsed = time.monotonic() - started
        assert 1 <= elapsed < 3
        assert "系统正忙" in caught.value.message and caught.value.message.endswith("可先下载 Word 版本")
        assert not marker.exists()  # the converter never started

        # Once the lock is free, the same call goes through.
        assert pdf.to_pdf(docx_bytes(BODY)).startswith(b"%PDF-1.4 stand-in")
