"""Rendering one .docx template with docxtpl, safely.

A template is untrusted code: it is checked as a package first (a real .docx, no macros, bounded
size), rendered in Jinja's SandboxedEnvironment (no attribute escapes such as
``''.__class__.__mro__``), and with StrictUndefined, so a missing value is an error naming the
placeholder instead of a blank in an official document. Every failure is a TemplateProblem with a
Chinese message.

    data = Path("doc_templates/notice.docx").read_bytes()
    placeholders(data)                     → {"title", "body", …}
    render(data, {"title": …, "seal": Seal(png)})  → .docx bytes
"""

import io
import re
from collections.abc import Mapping
from datetime import date

from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm
from docxtpl import DocxTemplate, InlineImage
from jinja2 import StrictUndefined, TemplateSyntaxError, UndefinedError
from jinja2.exceptions import SecurityError, TemplateError
from jinja2.sandbox import SandboxedEnvironment
from lxml import etree

from webapp.common.packages import PackageError, check_package
from webapp.documents.filters import FILTERS
from webapp.documents.images import ImageError, Picture, QRCode, Seal, float_over_text
from webapp.documents.richtext import Rich, to_subdoc
from webapp.errors import UserError

MAX_TEMPLATE_BYTES = 20 * 1024 * 1024
MAX_TEMPLATE_UNPACKED = 100 * 1024 * 1024
_MACRO_MARKERS = ("vbaProject.bin", "macroEnabled", "vbaData.xml")


class TemplateProblem(UserError):
    """The template or its data cannot make a document; the message says which placeholder and why."""


def environment() -> SandboxedEnvironment:
    env = SandboxedEnvironment(undefined=StrictUndefined, autoescape=True)
    env.filters.update(FILTERS)
    return env


def check_docx(data: bytes) -> None:
    """Raise TemplateProblem unless data is a plain .docx (not .doc, not .docm, not a zip bomb)."""
    if len(data) > MAX_TEMPLATE_BYTES:
        raise TemplateProblem(f"模板文件超过 {MAX_TEMPLATE_BYTES // 1024 // 1024} MB 的上限")
    try:
        archive = check_package(data, what="Word 文档", suffix=".docx", main_part="word/document.xml",
                                max_unpacked=MAX_TEMPLATE_UNPACKED, legacy=".doc")
    except PackageError as exc:
        raise TemplateProblem(str(exc)) from None
    with archive:
        names = archive.namelist()
        content_types = archive.read("[Content_Types].xml").decode("utf-8", "replace") \
            if "[Content_Types].xml" in names else ""
    if any(marker in name for name in names for marker in _MACRO_MARKERS) or "macroEnabled" in content_types:
        raise TemplateProblem("模板含有宏（.docm），出于安全原因不能使用；请另存为不含宏的 .docx")


def load(data: bytes) -> DocxTemplate:
    check_docx(data)
    try:
        return DocxTemplate(io.BytesIO(data))
    except Exception:
        raise TemplateProblem("无法打开该 Word 文档，文件可能已损坏；请用 Word 或 WPS 另存为 .docx 后重试") from None


def placeholders(data: bytes) -> set[str]:
    """The names the template uses and does not define itself (docxtpl's undeclared variables)."""
    template = load(data)
    try:
        return set(template.get_undeclared_template_variables(environment()))
    except TemplateSyntaxError as exc:
        raise TemplateProblem(syntax_message(exc)) from None


def check_names(used: set[str], provided: set[str], required: set[str]) -> tuple[list[str], list[str]]:
    """(unknown, missing): names the template uses that the kind does not provide, and required
    fields the template never shows."""
    return sorted(used - provided), sorted(required - used)


def render(data: bytes, context: Mapping, *, bureau: str = "") -> bytes:
    """Render the template with context; image specs and rich text become Word objects."""
    template = load(data)
    values = {"bureau": bureau, "today": date.today()} | dict(context)
    try:
        resolved = {name: _resolve(template, value) for name, value in values.items()}
        template.render(resolved, environment(), autoescape=True)
    except ImageError:
        raise
    except UndefinedError as exc:
        raise TemplateProblem(undefined_message(exc)) from None
    except SecurityError:
        raise TemplateProblem("模板试图访问不允许的内容（例如对象的内部属性），出于安全原因已拒绝渲染；请检查模板中的占位符") from None
    except TemplateSyntaxError as exc:
        raise TemplateProblem(syntax_message(exc)) from None
    except TemplateError as exc:
        raise TemplateProblem(f"模板无法渲染：{exc}") from None
    except (ValueError, TypeError) as exc:
        raise TemplateProblem(f"数据不符合模板要求：{exc}") from None
    if _has_contents(template.docx):
        _update_fields_on_open(template.docx)
    out = io.BytesIO()
    template.save(out)
    return out.getvalue()


# Elements of w:settings that come after w:updateFields (ECMA-376 CT_Settings sequence).
_AFTER_UPDATE_FIELDS = ("hdrShapeDefaults", "footnotePr", "endnotePr", "compat", "docVars", "rsids",
                        "mathPr", "attachedSchema", "themeFontLang", "clrSchemeMapping",
                        "doNotIncludeSubdocsInStats", "doNotAutoCompressPictures", "forceUpgrade",
                        "captions", "readModeInkLockDown", "smartTagType", "schemaLibrary",
                        "shapeDefaults", "doNotEmbedSmartTags", "decimalSymbol", "listSeparator")


def _has_contents(document) -> bool:
    """Whether the body holds a TOC field, complex (w:instrText) or simple (w:fldSimple)."""
    body = document.element.body
    instructions = body.xpath(".//w:instrText/text()") + body.xpath(".//w:fldSimple/@w:instr")
    return any("TOC" in text.split() for text in instructions)


def _update_fields_on_open(document) -> None:
    """<w:updateFields w:val="true"/>: Word rebuilds the table of contents, with its page numbers,
    when the file is opened. Set on every rendered document with a TOC, whatever its template
    carried (a template authored in Word rarely has it)."""
    settings = document.settings.element
    if settings.find(qn("w:updateFields")) is not None:
        settings.remove(settings.find(qn("w:updateFields")))
    field = OxmlElement("w:updateFields")
    field.set(qn("w:val"), "true")
    later = [child for child in settings if etree.QName(child).localname in _AFTER_UPDATE_FIELDS]
    if later:
        later[0].addprevious(field)
    else:
        settings.append(field)


class _FloatingSeal(InlineImage):
    """docxtpl's picture, floated over the signer and the date (images.float_over_text)."""

    def __init__(self, template: DocxTemplate, seal: Seal):
        width = Mm(seal.width_mm) if seal.width_mm else None
        height = Mm(seal.height_mm) if seal.height_mm else None
        super().__init__(template, io.BytesIO(seal.png()), width=width, height=height)
        self.raise_by = Mm(seal.raise_mm)

    def _insert_image(self) -> str:
        return float_over_text(super()._insert_image(), self.raise_by)

    __str__ = __html__ = __unicode__ = _insert_image


def _resolve(template: DocxTemplate, value):
    if isinstance(value, Seal):
        return _FloatingSeal(template, value)
    if isinstance(value, QRCode | Picture):
        width = Mm(value.width_mm) if value.width_mm else None
        height = Mm(value.height_mm) if value.height_mm else None
        return InlineImage(template, io.BytesIO(value.png()), width=width, height=height)
    if isinstance(value, Rich):
        return to_subdoc(template, value.html)
    if isinstance(value, Mapping):
        return {k: _resolve(template, v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_resolve(template, v) for v in value]
    return value


def undefined_message(exc: UndefinedError) -> str:
    text = str(exc)
    match = re.search(r"'([^']+)' is undefined", text)
    if match:
        return f"缺少数据：模板中的占位符“{match.group(1)}”没有提供数值"
    match = re.search(r"has no attribute '([^']+)'", text)
    if match:
        return f"缺少数据：模板中的“{match.group(1)}”没有提供数值"
    return f"缺少数据：{text}"


def syntax_message(exc: TemplateSyntaxError) -> str:
    # docxtpl keeps the text around the failing line, with XML tags stripped, in docx_context.
    around = " ".join(s.strip() for s in getattr(exc, "docx_context", []) if s.strip())
    where = f"（附近文字：{around[:120]}）" if around else ""
    return f"模板语法错误：{exc.message}{where}。请检查 {{{{ }}}} 和 {{% %}} 是否成对、拼写是否正确"
