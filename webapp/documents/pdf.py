"""Word → PDF through LibreOffice: the real module lands in the next commit; until then PDF is
reported as unavailable and the .docx is offered."""

from webapp.errors import UserError


class PdfUnavailable(UserError):
    pass


class PdfFailed(UserError):
    pass


def available() -> bool:
    return False


def to_pdf(docx: bytes) -> bytes:
    raise PdfUnavailable("本机未安装 LibreOffice，无法生成 PDF；可先下载 Word 版本")


def first_page_png(docx: bytes) -> bytes:
    raise PdfUnavailable("本机未安装 LibreOffice，无法生成预览")
