"""Word in and out: import an existing plan from a .docx (headings become sections, tables stay
tables, whatever cannot be mapped is listed), and render a plan, its review opinion and its filing
form (备案登记表) through the document engine (documents.services.render_for).

Import reads the body in order with python-docx. A chapter (level 1) starts at a paragraph styled
“标题 1”/Heading 1 (or with outline level 0); a sub-chapter (level 2) at “标题 2”/Heading 2 (outline
level 1); finer headings stay inside the section's text. A document with no heading styles at all
is read by its numbering instead: “第一章 总则”, “一、总则”, “1 总则” start chapters, “1.1 适用范围”
and “（一）” sub-chapters. Sections are numbered afresh (1, 1.1 …) and the numbers typed in the
titles are dropped, so the rendered plan numbers its chapters consistently.
"""

import io
import re
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from docx import Document
from docx.oxml.ns import qn
from flask import current_app
from markupsafe import escape

from webapp.common.identifiers import mask_phone
from webapp.common.packages import PackageError, check_package
from webapp.common.time import local_today
from webapp.documents import services as documents
from webapp.documents.filters import cn_date
from webapp.documents.kinds import PLAN_FILING_MATERIALS
from webapp.documents.models import GeneratedDocument
from webapp.documents.richtext import Rich
from webapp.errors import UserError
from webapp.plans import services
from webapp.plans.models import ExpertReview, Plan, PlanStatus

NO_HEADINGS = ("没有识别到任何章节标题：请在 Word 中为章标题使用“标题 1”样式，或以“1 总则”“第一章”开头")
PREFACE = "前言"
_MAX_TITLE = 200

# ---------------------------------------------------------------------------------- checking


def check_upload(data: bytes) -> None:
    """Refuse what is not a usable .docx before python-docx opens it: empty, too large, not a zip,
    a zip bomb, a zip without word/document.xml (a renamed .xlsx), an old .doc, a macro document."""
    if not data:
        raise UserError("请选择要导入的 Word 文件（.docx）", field="file")
    limit = current_app.config["PLAN_IMPORT_MAX_BYTES"]
    if len(data) > limit:
        raise UserError(f"文件超过 {limit // 1024 // 1024} MB 的上限，请压缩图片或拆分后再导入", field="file")
    try:
        archive = check_package(data, what="Word 文档", suffix=".docx", main_part="word/document.xml",
                                max_unpacked=current_app.config["IMPORT_MAX_UNPACKED_BYTES"], legacy=".doc")
    except PackageError as exc:
        raise UserError(f"{exc}；请上传用 Word 或 WPS 保存的 .docx 预案文件", field="file") from None
    with archive:
        names = archive.namelist()
    if any(name.endswith("vbaProject.bin") for name in names):
        raise UserError("文件含有宏（.docm），出于安全原因不能导入；请另存为不含宏的 .docx", field="file")


def _open(data: bytes):
    try:
        return Document(io.BytesIO(data))
    except Exception:  # python-docx raises many kinds on a damaged package
        raise UserError("无法打开该 Word 文档，文件可能已损坏；请用 Word 或 WPS 另存为 .docx 后重试",
                        field="file") from None


# ----------------------------------------------------------------------------------- parsing

_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8,
              "九": 9}
_CN_NUM = "一二三四五六七八九十百零〇两"
# Numbering typed in a heading, dropped from the title (the sections are numbered afresh).
_NUMBER_PREFIX = re.compile(
    rf"^(?:第[{_CN_NUM}\d]+[章节部分篇]|[{_CN_NUM}]+[、.．]|[（(][{_CN_NUM}\d]+[）)]|\d{{1,2}}(?:[.．]\d{{1,2}})*(?!\d)[.．、]?)"
    r"[\s\u3000]*(?=\S)")
# Headings recognized by their numbering, for documents without heading styles: (pattern, level);
# level 3 stays in the section's text as a heading of its own.
_NUMBERED = (
    (re.compile(rf"^第[{_CN_NUM}\d]+章[\s\u3000]*\S"), 1),
    (re.compile(rf"^[{_CN_NUM}]+、[\s\u3000]*\S"), 1),
    (re.compile(r"^\d{1,2}[\s\u3000]+[^\s\d]"), 1),
    (re.compile(r"^\d{1,2}[.．]\d{1,2}(?![.．]?\d)[\s\u3000]*[^\s\d.．]"), 2),
    (re.compile(rf"^[（(][{_CN_NUM}]+[）)][\s\u3000]*\S"), 2),
    (re.compile(r"^\d{1,2}[.．]\d{1,2}[.．]\d{1,2}[\s\u3000]*[^\s\d.．]"), 3),
)
_HEADING_NAME = re.compile(r"^(?:heading|标题)\s*(\d)$", re.IGNORECASE)
_TOC_NAME = re.compile(r"^(?:toc|目录)\s*\d$", re.IGNORECASE)


@dataclass
class _Section:
    title: str
    level: int
    parts: list[str] = field(default_factory=list)


@dataclass
class _Import:
    doc: object
    styled: bool  # the document uses heading styles (or outline levels) somewhere
    sections: list[_Section] = field(default_factory=list)
    preface: list[str] = field(default_factory=list)
    report: list[str] = field(default_factory=list)
    title: str = ""
    paragraph_no: int = 0
    table_no: int = 0
    footnotes: int = 0
    toc_skipped: bool = False
    list_stack: list[tuple[str, int]] = field(default_factory=list)  # open <ul>/<ol> with their level

    @property
    def parts(self) -> list[str]:
        return self.sections[-1].parts if self.sections else self.preface

    def emit(self, html: str) -> None:
        self.close_lists()
        self.parts.append(html)

    def close_lists(self, down_to: int = -1) -> None:
        while self.list_stack and self.list_stack[-1][1] > down_to:
            tag, _level = self.list_stack.pop()
            self.parts.append(f"</li></{tag}>")


def parse_docx(data: bytes) -> tuple[list[dict], list[str], str]:
    """(sections for create_plan, the "not mapped" report, a title found in the document)."""
    check_upload(data)
    doc = _open(data)
    body = doc.element.body
    state = _Import(doc=doc, styled=any(_style_level(doc, p) for p in body.iter(qn("w:p"))))
    for child in _blocks(body, state):
        if child.tag == qn("w:p"):
            _paragraph(state, child)
        elif child.tag == qn("w:tbl"):
            _table(state, child)
    state.close_lists()
    if not state.sections:
        raise UserError(NO_HEADINGS, field="file")
    _whole_document_report(state)
    sections, chapter, sub = [], 0, 0
    preface = "".join(state.preface)
    if services.html_text(preface).strip():
        sections.append({"number": "", "title": PREFACE, "level": 1, "content": preface})
    for section in state.sections:
        if section.level == 1:
            chapter, sub = chapter + 1, 0
            number = str(chapter)
        else:
            sub += 1
            number = f"{chapter}.{sub}"
        sections.append({"number": number, "title": section.title[:_MAX_TITLE], "level": section.level,
                         "content": "".join(section.parts)})
    return sections, state.report, state.title


def import_docx(data: bytes, values: dict, user=None, filename: str = "") -> tuple[Plan, list[str]]:
    """A new draft plan from a Word file: the registry fields from the form, the sections from the
    document. Nothing is written when the file is refused. Returns the plan and what was not mapped."""
    sections, report, found_title = parse_docx(data)
    values = dict(values)
    if not (values.get("title") or "").strip():
        stem = PurePosixPath((filename or "").replace("\\", "/")).stem
        values["title"] = found_title or stem
    plan = services.create_plan(values, user, sections=sections)
    return plan, report


def _blocks(body, state: _Import):
    """The body's paragraphs and tables in order; content controls are opened, a table of contents
    (a content control of its own, or paragraphs styled 目录 1 …) is skipped."""
    for child in body.iterchildren():
        if child.tag == qn("w:sdt"):
            gallery = child.find(f"{qn('w:sdtPr')}/{qn('w:docPartObj')}/{qn('w:docPartGallery')}")
            if gallery is not None and "Table of Contents" in (gallery.get(qn("w:val")) or ""):
                state.toc_skipped = True
                continue
            content = child.find(qn("w:sdtContent"))
            if content is not None:
                yield from _blocks(content, state)
        elif child.tag in (qn("w:p"), qn("w:tbl")):
            yield child


def _style_of(doc, p):
    style_id = p.find(f"{qn('w:pPr')}/{qn('w:pStyle')}")
    style_id = style_id.get(qn("w:val")) if style_id is not None else None
    if not style_id:
        return None
    try:
        return doc.styles.get_by_id(style_id, 1)  # WD_STYLE_TYPE.PARAGRAPH
    except Exception:
        return None


def _style_level(doc, p) -> int:
    """1, 2, 3 … for a heading by its style (name or outline level, through its base styles) or
    the paragraph's own outline level; 0 for body text."""
    own = p.find(f"{qn('w:pPr')}/{qn('w:outlineLvl')}")
    if own is not None and (own.get(qn("w:val")) or "").isdigit() and int(own.get(qn("w:val"))) < 9:
        return int(own.get(qn("w:val"))) + 1
    style, seen = _style_of(doc, p), 0
    while style is not None and seen < 10:
        match = _HEADING_NAME.match((style.name or "").strip())
        if match:
            return int(match.group(1))
        outline = style.element.find(f"{qn('w:pPr')}/{qn('w:outlineLvl')}")
        if outline is not None and (outline.get(qn("w:val")) or "").isdigit() and int(outline.get(qn("w:val"))) < 9:
            return int(outline.get(qn("w:val"))) + 1
        style, seen = style.base_style, seen + 1
    return 0


def _style_name(doc, p) -> str:
    style = _style_of(doc, p)
    return (style.name or "").strip().lower() if style is not None else ""


def _heading_level(state: _Import, p, text: str) -> int:
    if state.styled:
        return _style_level(state.doc, p)
    if len(text) > 40 or text[-1:] in "。；;，,：:":
        return 0
    for pattern, level in _NUMBERED:
        if pattern.match(text):
            return level
    return 0


def _strip_number(text: str) -> str:
    stripped = _NUMBER_PREFIX.sub("", text, count=1).strip()
    return stripped or text


@dataclass
class _Runs:
    html: str = ""
    text: str = ""
    images: int = 0
    textboxes: int = 0
    objects: int = 0
    footnotes: int = 0
    fields: list[str] = field(default_factory=list)


def _runs(p) -> _Runs:
    """The paragraph's text as HTML (bold → <strong>, italic → <em>, underline → <u>, line breaks),
    and what it holds that is not text. Text inside text boxes is not taken as the paragraph's."""
    out, html, text = _Runs(), [], []

    def run(r) -> None:
        rpr = r.find(qn("w:rPr"))
        bold = rpr is not None and _on(rpr.find(qn("w:b")))
        italic = rpr is not None and _on(rpr.find(qn("w:i")))
        under = rpr is not None and rpr.find(qn("w:u")) is not None and rpr.find(qn("w:u")).get(qn("w:val")) != "none"
        pieces = []
        for child in r.iterchildren():
            tag = child.tag
            if tag == qn("w:t"):
                pieces.append(child.text or "")
            elif tag in (qn("w:tab"), qn("w:ptab")):
                pieces.append(" ")
            elif tag in (qn("w:br"), qn("w:cr")) and child.get(qn("w:type")) not in ("page", "column"):
                pieces.append("\n")
            elif tag == qn("w:instrText") and (child.text or "").strip():
                out.fields.append((child.text or "").split()[0])
            elif tag in (qn("w:footnoteReference"), qn("w:endnoteReference")):
                out.footnotes += 1
            else:
                _count_embedded(child, out)
        chunk = "".join(pieces)
        if not chunk:
            return
        text.append(chunk)
        piece = str(escape(chunk)).replace("\n", "<br>")
        for on, tag in ((under, "u"), (italic, "em"), (bold, "strong")):
            if on and chunk.strip():
                piece = f"<{tag}>{piece}</{tag}>"
        html.append(piece)

    def walk(parent) -> None:
        for child in parent.iterchildren():
            tag = child.tag
            if tag == qn("w:r"):
                run(child)
            elif tag in (qn("w:hyperlink"), qn("w:ins"), qn("w:smartTag"), qn("w:customXml"), qn("w:fldSimple")):
                if tag == qn("w:fldSimple") and child.get(qn("w:instr")):
                    out.fields.append(child.get(qn("w:instr")).split()[0])
                walk(child)
            elif tag == qn("w:sdt"):
                content = child.find(qn("w:sdtContent"))
                if content is not None:
                    walk(content)
            elif tag != qn("w:pPr"):
                _count_embedded(child, out)

    walk(p)
    out.html, out.text = "".join(html), "".join(text)
    return out


def _on(element) -> bool:
    return element is not None and element.get(qn("w:val")) not in ("0", "false", "off")


def _count_embedded(element, out: _Runs) -> None:
    """Pictures, text boxes and embedded objects (charts, equations, OLE) inside a run."""
    local = element.tag.rsplit("}", 1)[-1]
    if local in ("drawing", "pict", "AlternateContent", "object"):
        boxes = [e for e in element.iter() if e.tag.rsplit("}", 1)[-1] in ("txbx", "textbox")]
        if boxes:
            out.textboxes += 1
        elif local == "object":
            out.objects += 1
        else:
            out.images += 1
    elif local in ("oMath", "oMathPara"):
        out.objects += 1


def _not_mapped(runs: _Runs, where: str) -> list[str]:
    notes = []
    if runs.images:
        notes.append(f"{where}：图片 {runs.images} 张未导入")
    if runs.textboxes:
        notes.append(f"{where}：文本框 {runs.textboxes} 个未导入（其中的文字请复制到正文）")
    if runs.objects:
        notes.append(f"{where}：嵌入对象（公式、图表等）{runs.objects} 个未导入")
    fields = [f for f in dict.fromkeys(runs.fields) if f.upper() not in ("PAGE", "NUMPAGES", "TOC", "PAGEREF",
                                                                            "HYPERLINK")]
    if fields:
        notes.append(f"{where}：域（{'、'.join(fields)}）只导入了显示的文字")
    return notes


def _paragraph(state: _Import, p) -> None:
    state.paragraph_no += 1
    runs = _runs(p)
    state.footnotes += runs.footnotes
    state.report.extend(_not_mapped(runs, f"第 {state.paragraph_no} 段"))
    text = " ".join(runs.text.split()) if "\n" not in runs.text else runs.text.strip()
    name = _style_name(state.doc, p)
    if _TOC_NAME.match(name):
        state.toc_skipped = True
        return
    if name in ("title", "标题") and text and not state.sections:
        state.title = state.title or text[:_MAX_TITLE]
        return
    if not text:
        return
    level = _heading_level(state, p, text.replace("\n", " "))
    title = _strip_number(text.replace("\n", " "))
    if level in (1, 2):
        state.close_lists()
        # a sub-chapter before any chapter is taken as a chapter
        state.sections.append(_Section(title=title, level=1 if not state.sections else level))
        return
    if level >= 3:
        state.emit(f"<h{min(level - 1, 4)}>{escape(title)}</h{min(level - 1, 4)}>")
        return
    kind, ilvl = _list_kind(state.doc, p, name)
    if kind:
        _list_item(state, kind, ilvl, runs.html)
        return
    state.emit(f"<p>{runs.html}</p>")


def _list_kind(doc, p, name: str) -> tuple[str | None, int]:
    """("ul" | "ol", level) for a list paragraph (list styles or numbering), else (None, 0)."""
    num_pr = p.find(f"{qn('w:pPr')}/{qn('w:numPr')}")
    num_id = ilvl = None
    if num_pr is not None:
        node = num_pr.find(qn("w:numId"))
        num_id = node.get(qn("w:val")) if node is not None else None
        node = num_pr.find(qn("w:ilvl"))
        ilvl = int(node.get(qn("w:val"))) if node is not None and (node.get(qn("w:val")) or "").isdigit() else 0
    if num_id and num_id != "0":
        return _numbering_format(doc, num_id, ilvl or 0), min(ilvl or 0, 4)
    if name.startswith(("list bullet", "列表项目符号")):
        return "ul", _style_depth(name)
    if name.startswith(("list number", "列表编号")):
        return "ol", _style_depth(name)
    return None, 0


def _style_depth(name: str) -> int:
    tail = name.rsplit(" ", 1)[-1]
    return min(int(tail) - 1, 4) if tail.isdigit() else 0


def _numbering_format(doc, num_id: str, ilvl: int) -> str:
    try:
        numbering = doc.part.numbering_part.element
    except Exception:
        return "ul"
    for num in numbering.findall(qn("w:num")):
        if num.get(qn("w:numId")) != num_id:
            continue
        abstract = num.find(qn("w:abstractNumId"))
        abstract_id = abstract.get(qn("w:val")) if abstract is not None else None
        for definition in numbering.findall(qn("w:abstractNum")):
            if definition.get(qn("w:abstractNumId")) != abstract_id:
                continue
            for lvl in definition.findall(qn("w:lvl")):
                if lvl.get(qn("w:ilvl")) == str(ilvl):
                    fmt = lvl.find(qn("w:numFmt"))
                    return "ul" if fmt is None or fmt.get(qn("w:val")) in ("bullet", "none") else "ol"
    return "ul"


def _list_item(state: _Import, kind: str, level: int, html: str) -> None:
    stack = state.list_stack
    if stack and stack[-1][1] > level:
        state.close_lists(level)
    if stack and stack[-1][1] == level:
        if stack[-1][0] == kind:
            state.parts.append(f"</li><li>{html}")
            return
        state.close_lists(level - 1)
    state.parts.append(f"<{kind}><li>{html}")
    stack.append((kind, level))


def _table(state: _Import, tbl) -> None:
    """Rows and cells as text; horizontally merged cells as colspan, vertically merged as rowspan;
    header rows (repeated on every page) as <th>."""
    state.table_no += 1
    where = f"第 {state.table_no} 个表格"
    rows = []  # per row: list of [start column, colspan, vmerge, html, header]
    for tr in tbl.findall(qn("w:tr")):
        trpr = tr.find(qn("w:trPr"))
        header = trpr is not None and trpr.find(qn("w:tblHeader")) is not None
        cells, column = [], 0
        for tc in tr.iterchildren(qn("w:tc"), qn("w:sdt")):
            if tc.tag == qn("w:sdt"):
                continue
            tcpr = tc.find(qn("w:tcPr"))
            span, vmerge = 1, None
            if tcpr is not None:
                node = tcpr.find(qn("w:gridSpan"))
                if node is not None and (node.get(qn("w:val")) or "").isdigit():
                    span = max(1, min(int(node.get(qn("w:val"))), 63))
                node = tcpr.find(qn("w:vMerge"))
                if node is not None:
                    vmerge = node.get(qn("w:val")) or "continue"
            paragraphs = []
            for p in _cell_paragraphs(tc):
                runs = _runs(p)
                state.footnotes += runs.footnotes
                state.report.extend(_not_mapped(runs, where))
                if runs.text.strip():
                    paragraphs.append(runs.html)
            if tc.find(f".//{qn('w:tbl')}") is not None:
                state.report.append(f"{where}：单元格中的嵌套表格已按文字导入")
            cells.append([column, span, vmerge, "<br>".join(paragraphs), header])
            column += span
        rows.append(cells)
    html = ["<table>"]
    for r, cells in enumerate(rows):
        html.append("<tr>")
        for column, span, vmerge, content, header in cells:
            if vmerge == "continue":
                continue
            rowspan = 1
            if vmerge == "restart":
                for below in rows[r + 1:]:
                    if any(c[0] == column and c[2] == "continue" for c in below):
                        rowspan += 1
                    else:
                        break
            tag = "th" if header else "td"
            attrs = (f' colspan="{span}"' if span > 1 else "") + (f' rowspan="{rowspan}"' if rowspan > 1 else "")
            html.append(f"<{tag}{attrs}>{content}</{tag}>")
        html.append("</tr>")
    html.append("</table>")
    state.emit("".join(html))


def _cell_paragraphs(tc):
    """A cell's paragraphs, those of nested tables included, but not those inside text boxes."""
    for p in tc.iter(qn("w:p")):
        if not any(a.tag.rsplit("}", 1)[-1] in ("txbxContent", "textbox") for a in p.iterancestors()):
            yield p


def _whole_document_report(state: _Import) -> None:
    doc = state.doc
    if state.toc_skipped:
        state.report.append("原文档的目录未导入（输出 Word 时会重新生成目录）")
    if state.footnotes:
        state.report.append(f"脚注（尾注）{state.footnotes} 条未导入")
    stories = False
    for section in doc.sections:
        for story in (section.header, section.footer, section.first_page_header, section.first_page_footer,
                      section.even_page_header, section.even_page_footer):
            if story.is_linked_to_previous:
                continue
            element = story._element
            if "".join(element.itertext()).strip() or element.find(f".//{qn('w:drawing')}") is not None:
                stories = True
    if stories:
        state.report.append("页眉页脚未导入（输出时使用预案模板的页眉页脚）")
    if any(rel.reltype.endswith("/comments") for rel in doc.part.rels.values()):
        state.report.append("批注未导入")


# ------------------------------------------------------------------------------------ output


def _source(plan: Plan) -> str:
    return f"plan:{plan.id}"


def plan_context(plan: Plan) -> dict:
    """The plan kind's fields. Each chapter (a level-1 section) carries its sub-chapters: their
    titles as editor <h1> (Word Heading 2 under the template's Heading 1 chapter) followed by
    their text, so the contents list chapters and sub-chapters."""
    chapters = []
    for section in plan.sections:
        if section.level == 1 or not chapters:
            chapters.append({"number": section.number, "title": section.title, "parts": [section.content or ""]})
        else:
            heading = f"{section.number} {section.title}".strip()
            chapters[-1]["parts"].append(f"<h1>{escape(heading)}</h1>{section.content or ''}")
    published = plan.status in (PlanStatus.PUBLISHED, PlanStatus.FILED)
    version = f"第{plan.version_number}版" + ("" if published else f"（{plan.status_label}）")
    return {
        "organization": plan.organization.name,
        "title": plan.title,
        "plan_type": plan.kind_label,
        "version": version,
        "publish_date": plan.issued_on or local_today(),
        "approver": plan.responsible_person or "",
        "chapters": [{"number": c["number"], "title": c["title"], "content": Rich("".join(c["parts"]))}
                     for c in chapters],
        "attachments": [a.title for a in plan.attachments],
    }


def render_plan(plan: Plan, user=None) -> GeneratedDocument:
    if not plan.sections:
        raise UserError("预案还没有任何章节，无法生成文档")
    return documents.render_for("plan", plan_context(plan), title=f"{plan.title}（第{plan.version_number}版）",
                                user=user, source=_source(plan))


FILING_TITLES = {True: "应急预案备案登记表", False: "生产经营单位生产安全事故应急预案备案登记表"}


def filing_context(plan: Plan) -> dict:
    hazard = plan.hazard_label + (f"（{plan.hazard_subtype}）" if plan.hazard_subtype else "")
    return {
        "form_title": FILING_TITLES[plan.government],
        "plan_title": plan.title,
        "organization": plan.organization.name,
        "credit_code": plan.organization.credit_code or "",
        "kind_label": plan.kind_label,
        "hazard": hazard,
        "responsible_person": plan.responsible_person or "",
        "phone": mask_phone(plan.responsible_phone or plan.organization.contact_phone),
        "issued_on": plan.issued_on,
        "filing_number": plan.filing_number,
        "filed_on": plan.filed_on,
        "materials": list(PLAN_FILING_MATERIALS),
        "signer": documents.bureau_name(),
        "seal": documents.bureau_seal(),
    }


def render_filing(plan: Plan, user=None) -> GeneratedDocument:
    """备案登记表: issued by the department once the filing is accepted (2019 办法 art. 26–27), so
    only for a filed plan, which has its filing number and date."""
    if plan.status != PlanStatus.FILED or not plan.filing_number or not plan.filed_on or not plan.issued_on:
        raise UserError(f"预案备案后才能生成备案登记表：本预案当前为“{plan.status_label}”，"
                        "请先在评审页办理备案（填写备案编号和备案日期）")
    return documents.render_for("plan_filing", filing_context(plan), title=f"{plan.title}-备案登记表",
                                user=user, source=_source(plan))


def review_context(plan: Plan, review: ExpertReview) -> dict:
    opinions = [line.strip() for line in (review.opinions or "").splitlines() if line.strip()]
    return {
        "plan_title": plan.title,
        "organization": plan.organization.name,
        "held_on": review.held_on,
        "form": review.form or "评审",
        "experts": [{"name": e.get("name", ""), "title": e.get("title", ""), "unit": e.get("unit", "")}
                    for e in review.experts or []],
        "opinions": opinions or ["（无）"],
        "conclusion": review.conclusion,
        "version": f"第{review.version_number}版" if review.version_number else "—",
        "seal": None,
    }


def render_review(plan: Plan, review: ExpertReview, user=None) -> GeneratedDocument:
    """应急预案评审（论证）意见 of one expert review."""
    return documents.render_for("plan_review", review_context(plan, review),
                                title=f"{plan.title}-{review.form or '评审'}意见（{cn_date(review.held_on)}）",
                                user=user, source=_source(plan))


def plan_documents(plan: Plan, limit: int = 10) -> list[GeneratedDocument]:
    from sqlalchemy import select

    from webapp.extensions import db

    return list(db.session.scalars(select(GeneratedDocument).where(GeneratedDocument.source == _source(plan))
                                   .order_by(GeneratedDocument.id.desc()).limit(limit)))
