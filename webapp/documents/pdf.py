"""Word → PDF (and a PNG preview of page 1) through LibreOffice, one conversion at a time.

LibreOffice is a large desktop program run as a command, so every call is fenced in:

- a fresh user profile per call (``-env:UserInstallation``): two calls never share a profile, and a
  profile left locked by a killed run can never block the next one;
- its own session / process group, so a timeout kills soffice.bin and everything it started, not
  just the ``soffice`` shell wrapper;
- a deadline (PDF_TIMEOUT_SECONDS) that also covers the wait for the machine-wide lock, so a user
  never waits longer than the number the message names;
- an exclusive ``flock`` per machine: a conversion takes a CPU core and several hundred MB, and a
  county server has two cores, so queueing is kinder than running them side by side;
- temporary files always removed, whatever happened.

The preview renders page 1 of that PDF with poppler's ``pdftoppm`` (Debian package poppler-utils):
LibreOffice's own ``--convert-to png`` needs the Draw module's graphic filter, which Debian's
libreoffice-writer-nogui does not ship, and pdftoppm scales to an exact pixel width.

    to_pdf(docx_bytes)          → PDF bytes
    first_page_png(docx_bytes)  → PNG bytes, PREVIEW_WIDTH pixels wide
    convert_file(src, out_dir)  → path of the PDF, streamed to disk (batch printing of big files)

Settings are read from the app's config when there is an app context, else the defaults below, so
the CLI and background jobs can call these functions too.
"""

import contextlib
import errno
import fcntl
import logging
import os
import shutil
import signal
import subprocess
import tempfile
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

from flask import current_app, has_app_context

from webapp.errors import UserError

log = logging.getLogger(__name__)

DEFAULT_SOFFICE = "/usr/bin/soffice"
DEFAULT_TIMEOUT_SECONDS = 120
PREVIEW_WIDTH = 1000  # pixels: sharp enough to read body text of an A4 page, light enough for a page
_LOCK_NAME = "soffice.lock"
_LOCK_POLL_SECONDS = 0.1
_LOG_TAIL = 2000  # characters of the converter's output kept in the log on failure
_KEEP_DOCX = "可先下载 Word 版本"


class PdfUnavailable(UserError):
    """The converter is not installed on this machine; the Word file is still there to download."""


class PdfFailed(UserError):
    """The converter ran but gave no file (error, timeout or busy); the Word file is still there."""


# ---------------------------------------------------------------------------------------- settings


def _setting(name: str, default):
    if has_app_context():
        value = current_app.config.get(name)
        if value not in (None, ""):
            return value
    return default


def _executable(configured: str | None, name: str, fallback: str | None = None) -> str | None:
    """The configured program (an absolute path or a name on PATH), else `name` on PATH, else a
    well-known fallback; None when none of them is an executable file."""
    if configured:
        return shutil.which(str(configured))
    return shutil.which(name) or (shutil.which(fallback) if fallback else None)


def soffice_path() -> str | None:
    return _executable(_setting("SOFFICE_PATH", None), "soffice", DEFAULT_SOFFICE)


def pdftoppm_path() -> str | None:
    return _executable(_setting("PDFTOPPM_PATH", None), "pdftoppm")


def available() -> bool:
    """Whether LibreOffice can be used here (the PDF choice is offered only then)."""
    return soffice_path() is not None


def preview_available() -> bool:
    """Whether a PNG preview of page 1 can be made (LibreOffice and pdftoppm both present)."""
    return available() and pdftoppm_path() is not None


def timeout_seconds() -> float:
    return float(_setting("PDF_TIMEOUT_SECONDS", DEFAULT_TIMEOUT_SECONDS))


def lock_path() -> Path:
    """The machine-wide lock file: PDF_LOCK_FILE, else in the instance folder, or the temp folder without an app
    (the user id in the name, because another user's file there could not be opened)."""
    if has_app_context():
        configured = current_app.config.get("PDF_LOCK_FILE")
        return Path(configured) if configured else Path(current_app.instance_path) / _LOCK_NAME
    return Path(tempfile.gettempdir()) / f"webapp-{os.getuid()}-{_LOCK_NAME}"


def _seconds(value: float) -> str:
    return f"{value:g}"


def _timed_out(timeout: float) -> PdfFailed:
    return PdfFailed(f"转换 PDF 超时（超过 {_seconds(timeout)} 秒），已终止；{_KEEP_DOCX}")


# ------------------------------------------------------------------------------------------ public


def to_pdf(docx: bytes, timeout: float | None = None) -> bytes:
    """The PDF of a .docx given as bytes (one document: a notice, a certificate, a sample)."""
    with _workdir() as work:
        src = work / "document.docx"
        src.write_bytes(docx)
        return convert_file(src, work, "pdf", timeout=timeout).read_bytes()


def first_page_png(docx: bytes, timeout: float | None = None) -> bytes:
    """A PNG of page 1, PREVIEW_WIDTH pixels wide: the PDF first, then poppler renders its page 1.
    One deadline covers both steps."""
    pdftoppm = pdftoppm_path()
    if pdftoppm is None:
        # Checked before LibreOffice runs: no point spending seconds on a PDF nobody can render.
        raise PdfUnavailable(f"本机未安装 poppler-utils（pdftoppm），无法生成预览图；{_KEEP_DOCX}")
    timeout = timeout_seconds() if timeout is None else timeout
    deadline = time.monotonic() + timeout
    with _workdir() as work:
        src = work / "document.docx"
        src.write_bytes(docx)
        pdf = convert_file(src, work, "pdf", timeout=timeout)
        prefix = work / "page"
        argv = [pdftoppm, "-png", "-f", "1", "-l", "1", "-singlefile",
                "-scale-to-x", str(PREVIEW_WIDTH), "-scale-to-y", "-1", str(pdf), str(prefix)]
        _run(argv, work, deadline, timeout, what="pdftoppm")
        png = prefix.with_suffix(".png")
        if not png.is_file() or png.stat().st_size == 0:
            raise PdfFailed(f"生成预览图失败（未得到图片）；{_KEEP_DOCX}")
        return png.read_bytes()


def convert_file(src_path: str | os.PathLike, out_dir: str | os.PathLike, fmt: str = "pdf",
                 timeout: float | None = None) -> Path:
    """Convert one file on disk with LibreOffice into out_dir; return the new file's path
    (out_dir / <src stem>.<fmt>, replaced if it was there).

    For big merged files (batch printing: one .docx of thousands of pages, one process) nothing
    passes through memory. `fmt` is LibreOffice's --convert-to argument ("pdf", or
    "pdf:writer_pdf_Export"); `timeout` overrides PDF_TIMEOUT_SECONDS, since a batch may need
    minutes where a single notice needs seconds. A document with a table of contents (a plan) is
    converted by a macro that first refreshes the contents, so the PDF shows page numbers.
    """
    soffice = soffice_path()
    if soffice is None:
        raise PdfUnavailable(f"本机未安装 LibreOffice，无法生成 PDF；{_KEEP_DOCX}")
    timeout = timeout_seconds() if timeout is None else timeout
    deadline = time.monotonic() + timeout
    src = Path(src_path).resolve()  # absolute, so a name starting with "-" is never an option
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    suffix = "." + fmt.split(":", 1)[0]
    target = out_dir / (src.stem + suffix)
    refresh = suffix == ".pdf" and has_contents(src)

    with _workdir() as work:
        profile = work / "profile"
        # LibreOffice writes into a staging folder beside the target (same file system), so a
        # half-written file never appears under the final name and the rename is atomic.
        staging = Path(tempfile.mkdtemp(prefix=".soffice-", dir=out_dir))
        produced = staging / (src.stem + suffix)
        try:
            with _machine_lock(deadline, timeout):
                started = time.monotonic()
                if refresh:
                    _convert_refreshing_contents(soffice, profile, src, work, deadline, timeout)
                    if (work / "out.pdf").is_file():
                        shutil.move(work / "out.pdf", produced)
                else:
                    argv = [soffice, f"-env:UserInstallation={profile.as_uri()}", *_SOFFICE_OPTIONS,
                            "--convert-to", fmt, "--outdir", str(staging), str(src)]
                    _run(argv, work, deadline, timeout, what="LibreOffice")
                log.info("LibreOffice converted %s to %s in %.1f s", src.name, fmt, time.monotonic() - started)
            # LibreOffice exits 0 even when it could not load the file; the file is the real answer.
            if not produced.is_file() or produced.stat().st_size == 0:
                log.warning("LibreOffice produced no %s for %s", suffix, src.name)
                raise PdfFailed(f"转换 PDF 失败：LibreOffice 未生成文件（文档可能已损坏）；{_KEEP_DOCX}")
            os.replace(produced, target)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    return target


_SOFFICE_OPTIONS = ["--headless", "--norestore", "--nologo", "--nodefault", "--nolockcheck"]

# LibreOffice keeps the cached text of a Word TOC field and --convert-to has no option to rebuild
# it, so a plan's contents would print without page numbers. This Basic macro, installed in the
# call's fresh profile, opens the document, updates every index twice (the second pass sees the
# pages as the first left them), and exports the PDF. On any error it stops without a file, which
# convert_file reports; a headless LibreOffice shows no dialog to wait on.
_REFRESH_MACRO = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE script:module PUBLIC "-//OpenOffice.org//DTD OfficeDocument 1.0//EN" "module.dtd">
<script:module xmlns:script="http://openoffice.org/2000/script" script:name="Module1" script:language="StarBasic">
Sub RefreshContentsToPdf(folder As String)
  On Error GoTo Failed
  Dim load(1) As New com.sun.star.beans.PropertyValue
  load(0).Name = "Hidden" : load(0).Value = True
  load(1).Name = "ReadOnly" : load(1).Value = True
  doc = StarDesktop.loadComponentFromURL(folder &amp; "/document.docx", "_blank", 0, load())
  indexes = doc.getDocumentIndexes()
  For pass = 1 To 2
    For i = 0 To indexes.getCount() - 1
      indexes.getByIndex(i).update()
    Next i
  Next pass
  Dim export(0) As New com.sun.star.beans.PropertyValue
  export(0).Name = "FilterName" : export(0).Value = "writer_pdf_Export"
  doc.storeToURL(folder &amp; "/out.pdf", export())
Failed:
  If Not IsNull(doc) And Not IsEmpty(doc) Then doc.close(True)
End Sub
</script:module>
"""


def _convert_refreshing_contents(soffice: str, profile: Path, src: Path, work: Path,
                                 deadline: float, timeout: float) -> None:
    """Write work/out.pdf from src with its table of contents rebuilt (see _REFRESH_MACRO)."""
    env = f"-env:UserInstallation={profile.as_uri()}"
    # a first start lays out the profile (it would overwrite a macro written before it)
    _run([soffice, env, "--headless", "--terminate_after_init"], work, deadline, timeout, what="LibreOffice")
    module = profile / "user" / "basic" / "Standard" / "Module1.xba"
    module.write_text(_REFRESH_MACRO, "utf-8")
    (work / "document.docx").symlink_to(src)
    macro = f'macro:///Standard.Module1.RefreshContentsToPdf("{work.as_uri()}")'
    _run([soffice, env, *_SOFFICE_OPTIONS, macro], work, deadline, timeout, what="LibreOffice")


def has_contents(path: Path) -> bool:
    """Whether a .docx holds a table-of-contents field (TOC \\o …), read as a stream so a merged
    file of thousands of pages is never loaded whole."""
    needle, tail = b"TOC \\", b""
    try:
        with zipfile.ZipFile(path) as archive, archive.open("word/document.xml") as part:
            while chunk := part.read(1 << 20):
                if needle in tail + chunk:
                    return True
                tail = chunk[-len(needle):]
    except (zipfile.BadZipFile, KeyError, OSError):
        return False  # not a readable .docx: the plain conversion reports it
    return False


# -------------------------------------------------------------------------------------- machinery


@contextlib.contextmanager
def _workdir() -> Iterator[Path]:
    # ignore_cleanup_errors: a killed LibreOffice may leave odd files; failing to delete them
    # must not hide the real error or turn a success into one.
    with tempfile.TemporaryDirectory(prefix="soffice-", ignore_cleanup_errors=True) as name:
        yield Path(name)


@contextlib.contextmanager
def _machine_lock(deadline: float, timeout: float) -> Iterator[None]:
    """Hold the machine-wide lock, polling until the deadline (flock has no timeout of its own).
    Each call opens the file itself, so threads of one process exclude each other as well."""
    path = lock_path()
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError as exc:
                if exc.errno not in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                    raise
            if time.monotonic() >= deadline:
                raise PdfFailed(f"系统正忙：其他 PDF 转换尚未完成，已等待 {_seconds(timeout)} 秒；"
                                f"请稍后再试，{_KEEP_DOCX}")
            time.sleep(_LOCK_POLL_SECONDS)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def _run(argv: list[str], work: Path, deadline: float, timeout: float, what: str) -> None:
    """Run argv in its own process group until it exits or the deadline passes; on timeout kill
    the whole group and reap it. Output goes to a file, not a pipe: a pipe nobody reads can stall
    the converter, and a grandchild holding it open could stall us."""
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise _timed_out(timeout)
    output = work / f"{what}.log"
    with open(output, "wb") as sink:
        try:
            proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=sink, stderr=subprocess.STDOUT,
                                    cwd=work, start_new_session=True)
        except OSError as exc:
            log.warning("could not start %s: %s", what, exc)
            raise PdfUnavailable(f"无法启动 {what}，无法生成 PDF；{_KEEP_DOCX}") from None
        try:
            code = proc.wait(timeout=remaining)
        except subprocess.TimeoutExpired:
            log.warning("%s timed out after %s s; killing process group %d", what, _seconds(timeout), proc.pid)
            _kill_group(proc.pid)
            proc.wait()
            raise _timed_out(timeout) from None
        except BaseException:
            # Interrupted (KeyboardInterrupt, a worker shutting down): never leave it running.
            _kill_group(proc.pid)
            proc.wait()
            raise
        # Whatever the group left behind after its leader exited (helpers, a stray soffice.bin).
        _kill_group(proc.pid)
    if code != 0:
        tail = output.read_text("utf-8", "replace")[-_LOG_TAIL:]
        log.warning("%s exited with %d: %s", what, code, tail)
        raise PdfFailed(f"转换失败：{what} 返回错误（代码 {code}）；{_KEEP_DOCX}")


def _kill_group(pgid: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signal.SIGKILL)
