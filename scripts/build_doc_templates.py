"""Build the shipped Word templates, doc_templates/*.docx, one per document kind.

    .venv/bin/python scripts/build_doc_templates.py            # writes doc_templates/
    .venv/bin/python scripts/build_doc_templates.py --out DIR  # writes elsewhere (the tests do)

The templates are authored here, in code, so that every change is reviewable and the output is
byte-for-byte reproducible (fixed document properties, fixed zip timestamps). Placeholders are
docxtpl/Jinja and use exactly the field names of webapp/documents/kinds.py:

    {{ title }}                        a value; dates through a filter: {{ date|cn_date }}
    {%p for a in attachments %} … {%p endfor %}      a paragraph per item (tag paragraphs vanish)
    {%tr for t in trainees %} … {%tr endfor %}       a table row per item
    {{ seal }} / {{ qr }} / {{ photo }}              pictures, each in a run of its own
    {{p c.content }}                   rich text, rendered by the engine as a subdocument

python-docx builds the documents; where it has no API (borders, frames, fields, page borders,
document grid, settings) the OOXML is written directly with lxml. Fonts are named as
GB/T 9704-2012 names them (方正小标宋简体, 仿宋_GB2312, 黑体, 楷体_GB2312); Word and WPS use them
when installed, LibreOffice substitutes the installed CJK fonts.
"""

import argparse
import io
import sys
import zipfile
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from docx import Document
from docx.enum.section import WD_SECTION
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from lxml import etree

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "doc_templates"
FIXED_TIME = datetime(2026, 1, 1, tzinfo=UTC)
AUTHOR = "应急管理局工作台"

# Fonts as GB/T 9704-2012 names them, and a Latin font for digits and letters.
XBS = "方正小标宋简体"
FANGSONG = "仿宋_GB2312"
HEITI = "黑体"
KAITI = "楷体_GB2312"
SONGTI = "宋体"
LATIN = "Times New Roman"

RED = "FF0000"  # GB/T 9704-2012: 发文机关标志 and 分隔线 in red
DARK_RED = "C00000"
GOLD = "B8860B"

# Chinese font sizes (号) in points.
CHUHAO, XIAOCHU, YIHAO, XIAOYI, ERHAO, XIAOER, SANHAO, XIAOSAN, SIHAO, XIAOSI, WUHAO = (
    42, 36, 26, 24, 22, 18, 16, 15, 14, 12, 10.5)

A4 = (210, 297)


def tw(mm: float) -> int:
    """Millimetres to twentieths of a point (twips)."""
    return round(mm * 1440 / 25.4)


# ---------------------------------------------------------------------------------------------
# Raw OOXML helpers: children of pPr, rPr, tcPr, tblPr and sectPr must appear in schema order.

ORDER = {
    "pPr": ("pStyle keepNext keepLines pageBreakBefore framePr widowControl numPr suppressLineNumbers pBdr "
            "shd tabs suppressAutoHyphens kinsoku wordWrap overflowPunct topLinePunct autoSpaceDE autoSpaceDN "
            "bidi adjustRightInd snapToGrid spacing ind contextualSpacing mirrorIndents suppressOverlap jc "
            "textDirection textAlignment textboxTightWrap outlineLvl divId cnfStyle rPr sectPr pPrChange"),
    "rPr": ("rStyle rFonts b bCs i iCs caps smallCaps strike dstrike outline shadow emboss imprint noProof "
            "snapToGrid vanish webHidden color spacing w kern position sz szCs highlight u effect bdr shd "
            "fitText vertAlign rtl cs em lang eastAsianLayout specVanish oMath"),
    "tcPr": "cnfStyle tcW gridSpan hMerge vMerge tcBorders shd noWrap tcMar textDirection tcFitText vAlign hideMark",
    "tblPr": ("tblStyle tblpPr tblOverlap bidiVisual tblStyleRowBandSize tblStyleColBandSize tblW jc "
              "tblCellSpacing tblInd tblBorders shd tblLayout tblCellMar tblLook"),
    "sectPr": ("headerReference footerReference footnotePr endnotePr type pgSz pgMar paperSrc pgBorders "
               "lnNumType pgNumType cols formProt vAlign noEndnote titlePg textDirection bidi rtlGutter "
               "docGrid printerSettings sectPrChange"),
}
ORDER = {parent: tuple(names.split()) for parent, names in ORDER.items()}


def el(tag: str, **attrs) -> etree._Element:
    """<w:tag w:key="value" …/>; attribute names may carry their own prefix (xml:space)."""
    element = parse_xml(f"<w:{tag} {nsdecls('w')}/>")
    for key, value in attrs.items():
        name = qn(key.replace("_", ":", 1)) if key.startswith("xml_") else qn(f"w:{key}")
        element.set(name, str(value))
    return element


def put(parent: etree._Element, child: etree._Element) -> etree._Element:
    """Replace parent's child of the same tag with child, keeping the schema order."""
    order = ORDER[etree.QName(parent).localname]
    name = etree.QName(child).localname
    for old in parent.findall(qn(f"w:{name}")):
        parent.remove(old)
    rank = order.index(name)
    for index, sibling in enumerate(parent):
        other = etree.QName(sibling).localname
        if other in order and order.index(other) > rank:
            parent.insert(index, child)
            return child
    parent.append(child)
    return child


def props(element: etree._Element, name: str) -> etree._Element:
    """The pPr/rPr/tcPr/tblPr of element, created first in element when absent."""
    found = element.find(qn(f"w:{name}"))
    if found is None:
        found = el(name)
        element.insert(0, found)
    return found


def fonts(font: str, latin: str | None = None) -> etree._Element:
    latin = latin or (font if font == HEITI else LATIN)
    return el("rFonts", ascii=latin, hAnsi=latin, eastAsia=font, cs=latin, hint="eastAsia")


def run_props(rpr: etree._Element, *, font: str | None = None, latin: str | None = None,
              size: float | None = None, bold: bool = False, color: str | None = None,
              spacing: int | None = None) -> None:
    if font:
        put(rpr, fonts(font, latin))
    if bold:
        put(rpr, el("b"))
        put(rpr, el("bCs"))
    if color:
        put(rpr, el("color", val=color))
    if spacing:
        put(rpr, el("spacing", val=spacing))
    if size:
        put(rpr, el("sz", val=round(size * 2)))
        put(rpr, el("szCs", val=round(size * 2)))


def border(side: str, *, color: str = "000000", size: int = 4, space: int = 0, val: str = "single"):
    return el(side, val=val, sz=size, space=space, color=color)


def borders(tag: str, sides: dict[str, etree._Element]) -> etree._Element:
    box = el(tag)
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        if side in sides:
            box.append(sides[side])
    return box


# ---------------------------------------------------------------------------------------------
# Paragraphs and runs.

class Style:
    """Default look of a document's paragraphs: font, size, exact line height (pt) or None."""

    def __init__(self, font: str, size: float, line: float | None = None):
        self.font, self.size, self.line = font, size, line


def para(container, text="", *, st: Style, font: str | None = None, size: float | None = None,
         bold=False, color: str | None = None, align: str | None = None, indent_chars: float = 0,
         left_chars: float = 0, right_chars: float = 0, before: float = 0, after: float = 0,
         line: float | None | str = "default", keep_next=False, style: str | None = None,
         pbdr: etree._Element | None = None, tabs: list[tuple[str, int]] | None = None,
         spacing: int | None = None, page_break_before=False):
    """Add a paragraph. text is a string or a list of strings and (text, {run options}) pairs;
    each piece is one run, so a placeholder never straddles runs. Indents count characters of
    this paragraph's size; before/after are points; line is an exact line height in points."""
    paragraph = container.add_paragraph()
    p = paragraph._p
    ppr = props(p, "pPr")
    if style:
        put(ppr, el("pStyle", val=style))
    size = size or st.size
    font = font or st.font
    if keep_next:
        put(ppr, el("keepNext"))
    if page_break_before:
        put(ppr, el("pageBreakBefore"))
    if pbdr is not None:
        put(ppr, pbdr)
    if tabs:
        box = el("tabs")
        for kind, pos in tabs:
            box.append(el("tab", val=kind, pos=pos))
        put(ppr, box)
    line = st.line if line == "default" else line
    spacing_el = el("spacing", before=round(before * 20), after=round(after * 20))
    if line:
        spacing_el.set(qn("w:line"), str(round(line * 20)))
        spacing_el.set(qn("w:lineRule"), "exact")
    else:
        spacing_el.set(qn("w:line"), "240")
        spacing_el.set(qn("w:lineRule"), "auto")
    put(ppr, spacing_el)
    char = size * 20  # one character of this size, in twips
    if indent_chars or left_chars or right_chars:
        ind = el("ind")
        if left_chars:
            ind.set(qn("w:leftChars"), str(round(left_chars * 100)))
            ind.set(qn("w:left"), str(round(left_chars * char)))
        if right_chars:
            ind.set(qn("w:rightChars"), str(round(right_chars * 100)))
            ind.set(qn("w:right"), str(round(right_chars * char)))
        if indent_chars:
            ind.set(qn("w:firstLineChars"), str(round(indent_chars * 100)))
            ind.set(qn("w:firstLine"), str(round(indent_chars * char)))
        put(ppr, ind)
    if align:
        put(ppr, el("jc", val=align))
    # the paragraph mark carries the size, so an empty paragraph is one line of this size
    mark = props(ppr, "rPr")
    ppr.remove(mark)
    put(ppr, mark)
    run_props(mark, font=font, size=size)
    pieces = [text] if isinstance(text, str) else text
    for piece in pieces:
        piece_text, options = (piece, {}) if isinstance(piece, str) else piece
        if not piece_text:
            continue
        run = paragraph.add_run(piece_text)
        run_props(props(run._r, "rPr"), font=options.get("font", font), latin=options.get("latin"),
                  size=options.get("size", size), bold=options.get("bold", bold),
                  color=options.get("color", color), spacing=options.get("spacing", spacing))
    return paragraph


def tag(container, text: str, st: Style):
    """A paragraph holding only a docxtpl paragraph tag ({%p …%}); it vanishes when rendered."""
    return para(container, text, st=st, line=None, size=min(st.size, 10.5))


def field_runs(paragraph, instruction: str, placeholder: str, rpr_options: dict) -> None:
    """A complex field (PAGE, NUMPAGES …) as begin / instrText / separate / result / end runs."""
    for kind in ("begin", None, "separate", "result", "end"):
        run = paragraph.add_run()
        run_props(props(run._r, "rPr"), **rpr_options)
        if kind == "result":
            run.text = placeholder
        elif kind is None:
            instr = el("instrText", xml_space="preserve")
            instr.text = f" {instruction} "
            run._r.append(instr)
        else:
            run._r.append(el("fldChar", fldCharType=kind))


# ---------------------------------------------------------------------------------------------
# Tables.

def table(container, widths_mm: list[float], rows: int, *, grid=True, outer: int = 12, inner: int = 4,
          align: str = "center"):
    """A fixed-layout table; grid=False makes a borderless layout table."""
    tbl = container.add_table(rows=rows, cols=len(widths_mm))
    tbl.autofit = False
    t = tbl._tbl
    tblpr = t.tblPr
    for old in tblpr.findall(qn("w:tblStyle")):
        tblpr.remove(old)
    put(tblpr, el("tblW", w=sum(tw(w) for w in widths_mm), type="dxa"))
    put(tblpr, el("jc", val=align))
    if grid:
        put(tblpr, borders("tblBorders", {
            "top": border("top", size=outer), "left": border("left", size=outer),
            "bottom": border("bottom", size=outer), "right": border("right", size=outer),
            "insideH": border("insideH", size=inner), "insideV": border("insideV", size=inner)}))
    else:
        put(tblpr, borders("tblBorders", {side: el(side, val="nil") for side in
                                          ("top", "left", "bottom", "right", "insideH", "insideV")}))
    put(tblpr, el("tblLayout", type="fixed"))
    margins = el("tblCellMar")
    for side, value in (("left", tw(1.5)), ("right", tw(1.5))):
        margins.append(el(side, w=value, type="dxa"))
    put(tblpr, margins)
    for column, width in zip(t.tblGrid.findall(qn("w:gridCol")), widths_mm, strict=True):
        column.set(qn("w:w"), str(tw(width)))
    for row in tbl.rows:
        for cell, width in zip(row.cells, widths_mm, strict=True):
            tcpr = props(cell._tc, "tcPr")
            put(tcpr, el("tcW", w=tw(width), type="dxa"))
    return tbl


def row_props(row, *, height_mm: float | None = None, exact=False, header=False, cant_split=True):
    trpr = row._tr.get_or_add_trPr()
    if cant_split:
        trpr.append(el("cantSplit"))
    if height_mm:
        trpr.append(el("trHeight", val=tw(height_mm), hRule="exact" if exact else "atLeast"))
    if header:
        trpr.append(el("tblHeader"))


def cell_props(cell, *, valign: str = "center", fill: str | None = None,
               sides: dict[str, etree._Element] | None = None):
    tcpr = props(cell._tc, "tcPr")
    if sides:
        put(tcpr, borders("tcBorders", sides))
    if fill:
        put(tcpr, el("shd", val="clear", color="auto", fill=fill))
    put(tcpr, el("vAlign", val=valign))


def fill_cell(cell, text="", *, st: Style, **options):
    """Put a paragraph into a cell (reusing the empty paragraph python-docx creates)."""
    first = cell.paragraphs[0]
    options.setdefault("line", None)
    paragraph = para(cell, text, st=st, **options)
    if not first.text and len(cell.paragraphs) > 1 and first._p is not paragraph._p:
        cell._tc.remove(first._p)
    return paragraph


def merge(table_, row: int, first: int, last: int):
    cell = table_.cell(row, first).merge(table_.cell(row, last))
    # python-docx keeps one empty paragraph per merged cell; keep just one
    for extra in cell.paragraphs[1:]:
        if not extra.text:
            cell._tc.remove(extra._p)
    return cell


# ---------------------------------------------------------------------------------------------
# Documents: page setup, styles, fonts, settings, headers and footers.

def new_document(title: str, *, st: Style, landscape=False, margins_mm=(25, 25, 28, 26),
                 header_mm: float = 15, footer_mm: float = 15, grid_pitch: int | None = None):
    """A blank document: A4, margins (top, bottom, left, right) in mm, Chinese defaults."""
    doc = Document()
    body = doc.element.body
    for child in list(body):
        if etree.QName(child).localname != "sectPr":
            body.remove(child)
    _page_setup(doc.sections[0]._sectPr, landscape, margins_mm, header_mm, footer_mm, grid_pitch)
    _styles(doc, st)
    _fonts_table(doc)
    _settings(doc)
    _package(doc, title)
    return doc


def _page_setup(sectpr, landscape, margins_mm, header_mm, footer_mm, grid_pitch):
    for attr in ("rsidR", "rsidRPr", "rsidSect"):
        sectpr.attrib.pop(qn(f"w:{attr}"), None)
    width, height = (A4[1], A4[0]) if landscape else A4
    size = el("pgSz", w=tw(width), h=tw(height))
    if landscape:
        size.set(qn("w:orient"), "landscape")
    put(sectpr, size)
    top, bottom, left, right = margins_mm
    put(sectpr, el("pgMar", top=tw(top), right=tw(right), bottom=tw(bottom), left=tw(left),
                   header=tw(header_mm), footer=tw(footer_mm), gutter=0))
    put(sectpr, el("cols", space=425))
    # a line grid only where asked (the notice): elsewhere lines are as tall as their text
    put(sectpr, el("docGrid", type="lines", linePitch=grid_pitch) if grid_pitch else el("docGrid", linePitch=312))


def _styles(doc, st: Style):
    styles = doc.styles.element
    defaults = styles.find(qn("w:docDefaults"))
    rpr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    run_props(rpr, font=st.font, size=st.size)
    put(rpr, el("kern", val=2))
    put(rpr, el("lang", val="en-US", eastAsia="zh-CN", bidi="ar-SA"))
    ppr = defaults.find(qn("w:pPrDefault")).find(qn("w:pPr"))
    put(ppr, el("spacing", after=0, line=240, lineRule="auto"))
    put(ppr, el("jc", val="both"))
    # built-in styles carry theme (Latin) fonts and blue colours: make them plain and Chinese
    for style in styles.findall(qn("w:style")):
        srpr = style.find(qn("w:rPr"))
        if srpr is None:
            continue
        old = srpr.find(qn("w:rFonts"))
        if old is not None and any("Theme" in key or "theme" in key for key in old.attrib):
            srpr.remove(old)
        color = srpr.find(qn("w:color"))
        if color is not None and color.get(qn("w:themeColor")):
            srpr.remove(color)
        for italic in ("i", "iCs"):
            for node in srpr.findall(qn(f"w:{italic}")):
                srpr.remove(node)
    # 一、黑体 · （一）楷体 · 1. 仿宋加粗 (GB/T 9704-2012 order of body headings); rich text starts at Heading 2
    headings = {1: (HEITI, SANHAO, False, 12), 2: (HEITI, SIHAO, False, 6), 3: (KAITI, SIHAO, True, 6),
                4: (FANGSONG, SIHAO, True, 3)}
    for level, (font, size, bold, space) in headings.items():
        for style_id in (f"Heading{level}", f"Heading{level}Char"):
            style = styles.find(f"{qn('w:style')}[@{qn('w:styleId')}='{style_id}']")
            if style is None:
                continue
            srpr = props(style, "rPr")
            style.remove(srpr)
            style.append(srpr)
            for node in srpr.findall(qn("w:b")) + srpr.findall(qn("w:bCs")):
                srpr.remove(node)
            run_props(srpr, font=font, size=size, bold=bold, color="000000")
            spacing = style.find(f"{qn('w:pPr')}/{qn('w:spacing')}")
            if spacing is not None:
                spacing.attrib.clear()
                spacing.set(qn("w:before"), str(space * 20))
                spacing.set(qn("w:after"), str(space * 20))
    # TOC entry styles, as Word names them, with a dotted right tab at the text block's edge
    for level in (1, 2, 3):
        styles.append(parse_xml(
            f'<w:style {nsdecls("w")} w:type="paragraph" w:styleId="TOC{level}">'
            f'<w:name w:val="toc {level}"/><w:basedOn w:val="Normal"/><w:next w:val="Normal"/>'
            f'<w:uiPriority w:val="39"/><w:unhideWhenUsed/>'
            f'<w:pPr><w:tabs><w:tab w:val="right" w:leader="dot" w:pos="{tw(156)}"/></w:tabs>'
            f'<w:spacing w:before="{120 if level == 1 else 0}" w:after="0"/>'
            f'<w:ind w:left="{(level - 1) * 420}"/></w:pPr></w:style>'))


_FONT_HINTS = {  # name: (alternative name, family) — helps LibreOffice and WPS pick a substitute
    XBS: ("宋体", "roman"), FANGSONG: ("仿宋", "modern"), KAITI: ("楷体", "modern"),
    HEITI: ("SimHei", "modern"), SONGTI: ("SimSun", "auto"),
}


def _fonts_table(doc):
    part = doc.part.rels.part_with_reltype(RT.FONT_TABLE)
    root = etree.fromstring(part.blob)
    for name, (alt, family) in _FONT_HINTS.items():
        font = el("font", name=name)
        font.append(el("altName", val=alt))
        font.append(el("charset", val="86"))
        font.append(el("family", val=family))
        font.append(el("pitch", val="variable"))
        root.append(font)
    part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _settings(doc):
    settings = doc.settings.element
    for name in ("savePreviewPicture", "rsids"):
        for node in settings.findall(qn(f"w:{name}")):
            settings.remove(node)
    lang = settings.find(qn("w:themeFontLang"))
    if lang is not None:
        lang.set(qn("w:eastAsia"), "zh-CN")


def _package(doc, title: str):
    # python-docx's default template brings an English thumbnail and a Word 2010 styles copy
    for rels, reltype in ((doc.part.package.rels, RT.THUMBNAIL),
                          (doc.part.rels, "http://schemas.microsoft.com/office/2007/relationships/stylesWithEffects")):
        for rid, rel in list(rels.items()):
            if rel.reltype == reltype:
                rels.pop(rid)
    doc.core_properties.title = title  # written out in full by save(), see core_xml()


def clear_story(story):
    """A header or footer without python-docx's initial empty paragraph."""
    story.is_linked_to_previous = False
    for p in story._element.findall(qn("w:p")):
        story._element.remove(p)
    return story


def page_number_footer(footer, st: Style, *, align: str, indent: str | None = None, dashes=True):
    """A footer with the page number: — 1 — (GB/T 9704-2012 7.5) or 第 1 页 共 3 页."""
    options = {"font": SONGTI, "latin": SONGTI, "size": SIHAO if dashes else WUHAO}
    paragraph = para(footer, "— " if dashes else "第 ", st=st, line=None, align=align,
                     left_chars=1 if indent == "left" else 0, right_chars=1 if indent == "right" else 0,
                     font=SONGTI, size=options["size"])
    for run in paragraph.runs:
        put(props(run._r, "rPr"), fonts(SONGTI, SONGTI))
    field_runs(paragraph, "PAGE", "1", options)
    if dashes:
        tail = paragraph.add_run(" —")
    else:
        middle = paragraph.add_run(" 页　共 ")
        run_props(props(middle._r, "rPr"), **options)
        field_runs(paragraph, "NUMPAGES", "1", options)
        tail = paragraph.add_run(" 页")
    run_props(props(tail._r, "rPr"), **options)


def core_xml(title: str) -> bytes:
    """docProps/core.xml, written here: python-docx's own output changes with what else is
    imported (docxcompose adds a namespace), and the files must not."""
    stamp = FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ")
    return (
        "<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n"
        '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        f"<dc:title>{title}</dc:title><dc:subject>模板</dc:subject><dc:creator>{AUTHOR}</dc:creator>"
        "<dc:description>由 scripts/build_doc_templates.py 生成</dc:description>"
        f"<cp:lastModifiedBy>{AUTHOR}</cp:lastModifiedBy><cp:revision>1</cp:revision>"
        f'<dcterms:created xsi:type="dcterms:W3CDTF">{stamp}</dcterms:created>'
        f'<dcterms:modified xsi:type="dcterms:W3CDTF">{stamp}</dcterms:modified>'
        "</cp:coreProperties>"
    ).encode()


def save(doc, path: Path) -> None:
    """Save with fixed properties, zip timestamps and order, so the same code always gives the
    same bytes."""
    buffer = io.BytesIO()
    doc.save(buffer)
    buffer.seek(0)
    out = io.BytesIO()
    with zipfile.ZipFile(buffer) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=(2026, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            data = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = core_xml(doc.core_properties.title)
            target.writestr(fixed, data)
    path.write_bytes(out.getvalue())


# ---------------------------------------------------------------------------------------------
# 通知（红头文件）: GB/T 9704-2012.

NOTICE_LINE = 28.95  # 22 lines in the 225 mm text block


def signature_block(doc, st: Style, *, signer: str, date: str, text_width_mm: float,
                    right_chars: float = 4, block_mm: float = 56):
    """Seal, signer and date centred on one another at the lower right (a borderless two-column
    table; the seal floats over the signer and the date, see seal_line)."""
    char_mm = st.size * 25.4 / 72
    right = block_mm + right_chars * char_mm
    layout = table(doc, [text_width_mm - right, right], 1, grid=False)
    row_props(layout.rows[0], cant_split=True)
    cell = layout.cell(0, 1)
    cell_props(cell, valign="bottom")
    options = {"st": st, "align": "center", "right_chars": right_chars, "line": None}
    fill_cell(cell, signer, **options)
    seal_line(cell, options)
    para(cell, date, **options)
    return layout


def seal_line(cell, options: dict):
    """A 1-pt centred paragraph between the signer and the date: the seal floats from it, centred
    on the pair and a little above (images.Seal), so it takes no room of its own."""
    para(cell, "{% if seal %}{{ seal }}{% endif %}", **(options | {"line": 1}), size=WUHAO)


def build_notice(path: Path) -> None:
    st = Style(FANGSONG, SANHAO, NOTICE_LINE)
    text_width = A4[0] - 28 - 26  # 156 mm
    # 22 lines of 28.95 pt a page (exact line height below, and a line grid for empty lines);
    # 28 characters a line by tightening 3号 characters by 0.25 pt (a character grid, Word's
    # other way to get 28, is laid out much wider by LibreOffice)
    doc = new_document("通知（红头文件）", st=st, margins_mm=(37, 35, 28, 26), footer_mm=22, grid_pitch=579)
    put(doc.styles.element.find(f"{qn('w:docDefaults')}/{qn('w:rPrDefault')}/{qn('w:rPr')}"),
        el("spacing", val=-5))
    # 发文机关标志: red, centred, 小标宋, its top 35 mm under the top of the text block
    para(doc, "{{ issuer }}文件", st=st, font=XBS, size=XIAOCHU, color=RED, align="center",
         line=None, before=35 * 72 / 25.4, spacing=0)
    para(doc, "", st=st)
    para(doc, "", st=st)
    # 发文字号, with the red separator 4 mm under it (paragraph bottom border)
    para(doc, "{{ doc_number }}", st=st, align="center",
         pbdr=borders("pBdr", {"bottom": border("bottom", color=RED, size=18, space=11)}))
    para(doc, "", st=st)
    para(doc, "", st=st)
    # 标题: 2号小标宋, centred
    para(doc, "{{ title }}", st=st, font=XBS, size=ERHAO, align="center", line=NOTICE_LINE * 1.25)
    para(doc, "", st=st)
    # 主送机关: flush left
    para(doc, "{{ recipients }}", st=st)
    # 正文: 3号仿宋, two characters indented
    tag(doc, "{%p for paragraph in body %}", st)
    para(doc, "{{ paragraph }}", st=st, indent_chars=2)
    tag(doc, "{%p endfor %}", st)
    # 附件说明: one line under the body, two characters in; several are numbered and aligned
    tag(doc, "{%p if attachments %}", st)
    para(doc, "", st=st)
    tag(doc, "{%p for a in attachments %}", st)
    tag(doc, "{%p if loop.first %}", st)
    para(doc, "附件：{% if attachments|length > 1 %}{{ loop.index }}. {% endif %}{{ a }}", st=st, indent_chars=2)
    tag(doc, "{%p else %}", st)
    para(doc, "{{ loop.index }}. {{ a }}", st=st, left_chars=5)
    tag(doc, "{%p endif %}", st)
    tag(doc, "{%p endfor %}", st)
    tag(doc, "{%p endif %}", st)
    # 落款: seal over signer and 成文日期 (Arabic numerals), 4 characters from the right
    para(doc, "", st=st)
    signature_block(doc, st, signer="{{ signer }}", date="{{ date|cn_date }}", text_width_mm=text_width)
    # 附注: contact, in parentheses, two characters in, under the date
    tag(doc, "{%p if contact %}", st)
    para(doc, "（{{ contact }}）", st=st, indent_chars=2)
    tag(doc, "{%p endif %}", st)
    # 版记: 4号仿宋 between lines the width of the text block (first and last thicker), at the foot
    # of the last page: a table floating at the bottom of the text block, its rows the 抄送 line
    # (when there is one) and the 印发 line
    thick, thin = 8, 6  # 0.35 mm and 0.25 mm, in eighths of a point
    plate = table(doc, [text_width], 4, grid=False)
    tblpr = plate._tbl.tblPr
    put(tblpr, el("tblpPr", vertAnchor="margin", horzAnchor="margin", tblpXSpec="center", tblpYSpec="bottom"))
    put(tblpr, borders("tblBorders", {
        "top": border("top", size=thick), "left": el("left", val="nil"), "bottom": border("bottom", size=thick),
        "right": el("right", val="nil"), "insideH": border("insideH", size=thin), "insideV": el("insideV", val="nil")}))
    put(tblpr, borders("tblCellMar", {"left": el("left", w=0, type="dxa"), "right": el("right", w=0, type="dxa")}))
    one = "\u3000"  # 左右各空一字
    options = {"st": st, "size": SIHAO, "line": None, "before": 4, "after": 4}
    fill_cell(plate.cell(0, 0), "{%tr if cc %}", st=st, size=WUHAO)
    fill_cell(plate.cell(1, 0), f"{one}抄送：{{{{ cc }}}}。", **options)
    fill_cell(plate.cell(2, 0), "{%tr endif %}", st=st, size=WUHAO)
    fill_cell(plate.cell(3, 0), [f"{one}{{{{ printer }}}}", "\t{{ print_date|cn_date }}印发"], **options,
              tabs=[("right", tw(text_width) - SIHAO * 20)])
    for row in plate.rows:
        row_props(row)
    # a floating table is anchored to the paragraph after it (and a body must not end with a table)
    end_paragraph(doc, st)
    # 页码: 4号半角宋体, — 1 —, odd pages right, even pages left, one character in
    doc.settings.odd_and_even_pages_header_footer = True
    section = doc.sections[0]
    page_number_footer(clear_story(section.footer), st, align="right", indent="right")
    page_number_footer(clear_story(section.even_page_footer), st, align="left", indent="left")
    save(doc, path)


# ---------------------------------------------------------------------------------------------
# Certificates: A4 landscape, one page, a decorative border.

def page_border(doc, color: str):
    sectpr = doc.sections[0]._sectPr
    box = el("pgBorders", offsetFrom="page")
    for side in ("top", "left", "bottom", "right"):
        box.append(el(side, val="thinThickThinMediumGap", sz=36, space=20, color=color))
    put(sectpr, box)


def end_paragraph(doc, st: Style):
    """A one-point paragraph after a closing table: Word wants the body to end with a paragraph,
    and a full-height one could spill onto a new page."""
    paragraph = para(doc, "", st=st, size=1, line=1)
    put(paragraph._p.pPr, el("snapToGrid", val=0))
    return paragraph


def build_training_certificate(path: Path) -> None:
    st = Style(FANGSONG, SANHAO)
    doc = new_document("培训合格证明", st=st, landscape=True, margins_mm=(18, 12, 30, 30))
    page_border(doc, DARK_RED)
    width = A4[1] - 60  # 237 mm
    para(doc, "培训合格证明", st=st, font=XBS, size=XIAOCHU, color=DARK_RED, align="center",
         spacing=240, before=6, after=12)
    label_w, photo_w = 30, 36
    value_w = width - label_w - photo_w
    facts = [
        ("姓　　名", "{{ holder_name }}"),
        ("身份证号", "{{ id_number|mask_id }}"),
        ("工作单位", "{{ organization }}"),
        ("岗位类别", "{{ post }}"),
        ("作业类别", "{{ operation_category }}"),  # special operations only: inside {%tr if %}
        ("培训项目", "{{ course }}"),
        ("培训学时", "{{ hours }}学时"),
        ("考核成绩", "{{ score }}分"),
        ("有效期至", "{{ expiry_date|cn_date }}"),
    ]
    grid = table(doc, [label_w, value_w, photo_w], len(facts) + 2, grid=False)
    index = 0
    for label, value in facts:
        if label == "作业类别":
            tag_row(grid, index, "{%tr if operation_category %}", st)
            index += 1
        row_props(grid.rows[index], height_mm=9.5)
        fill_cell(grid.cell(index, 0), label, st=st, font=HEITI, align="distribute")
        cell_props(grid.cell(index, 0))
        # the first rows leave the right column to the photo; the others use the whole width
        value_cell_ = grid.cell(index, 1) if index < 4 else merge(grid, index, 1, 2)
        fill_cell(value_cell_, value, st=st, font=KAITI, left_chars=0.5)
        cell_props(value_cell_)
        if label == "作业类别":
            tag_row(grid, index + 1, "{%tr endif %}", st)
            index += 1
        index += 1
    # the photo, when there is one, beside the first four rows (a vertically merged cell)
    photo = grid.cell(0, 2).merge(grid.cell(3, 2))
    for extra in photo.paragraphs[1:]:
        photo._tc.remove(extra._p)
    fill_cell(photo, "{% if photo %}{{ photo }}{% endif %}", st=st, align="center")
    cell_props(photo, valign="top")
    para(doc, "经培训考核合格，特发此证明。", st=st, font=KAITI, indent_chars=2, before=6, after=0)
    # bottom: QR code, caption and number on the left; seal, issuer and date on the right
    bottom = table(doc, [60, width - 60 - 95, 95], 1, grid=False)
    options = {"st": st, "align": "center", "line": None}
    qr_cell = bottom.cell(0, 0)
    cell_props(qr_cell, valign="bottom")
    fill_cell(qr_cell, "{{ qr }}", **options)
    para(qr_cell, "扫码核验", **options, size=WUHAO)
    para(qr_cell, "证明编号：{{ certificate_no }}", **options, size=WUHAO)
    middle = bottom.cell(0, 1)
    cell_props(middle, valign="bottom")
    fill_cell(middle, "{%p if verify_url %}", st=st, size=WUHAO)
    para(middle, "核验网址：{{ verify_url }}", st=st, size=8, line=None, color="595959")
    para(middle, "{%p endif %}", st=st, size=WUHAO, line=None)
    sign = bottom.cell(0, 2)
    cell_props(sign, valign="bottom")
    fill_cell(sign, "发证机关：{{ issuer }}", **options, font=KAITI)
    seal_line(sign, options)
    para(sign, "发证日期：{{ issue_date|cn_date }}", **options, font=KAITI)
    end_paragraph(doc, st)
    save(doc, path)


def build_award_certificate(path: Path) -> None:
    st = Style(KAITI, XIAOER)
    doc = new_document("竞赛获奖证书", st=st, landscape=True, margins_mm=(18, 12, 35, 35))
    page_border(doc, GOLD)
    width = A4[1] - 70  # 227 mm
    para(doc, "荣誉证书", st=st, font=XBS, size=48, color=DARK_RED, align="center", spacing=400,
         before=6, after=18)
    para(doc, ["{{ winner }}", "{% if organization %}（{{ organization }}）{% endif %}："], st=st,
         size=ERHAO, after=10)
    para(doc, "在{{ competition }}中成绩优异，荣获", st=st, size=ERHAO, indent_chars=2, after=10)
    para(doc, "{{ award }}", st=st, font=XBS, size=36, color=DARK_RED, align="center", spacing=200, after=4)
    para(doc, "{% if score %}成绩：{{ score }}分{% endif %}{% if score and rank %}　　{% endif %}"
              "{% if rank %}名次：第{{ rank }}名{% endif %}", st=st, size=SANHAO, align="center", after=4)
    para(doc, "特发此证，以资鼓励。", st=st, size=ERHAO, indent_chars=2)
    bottom = table(doc, [60, width - 60 - 90, 90], 1, grid=False)
    options = {"st": st, "align": "center", "line": None}
    qr_cell = bottom.cell(0, 0)
    cell_props(qr_cell, valign="bottom")
    fill_cell(qr_cell, "{%p if qr %}", **options, size=WUHAO)
    para(qr_cell, "{{ qr }}", **options)
    para(qr_cell, "扫码核验", **options, size=WUHAO)
    para(qr_cell, "{%p endif %}", **options, size=WUHAO)
    para(qr_cell, "证书编号：{{ certificate_no }}", **options, size=WUHAO)
    cell_props(bottom.cell(0, 1), valign="bottom")
    sign = bottom.cell(0, 2)
    cell_props(sign, valign="bottom")
    fill_cell(sign, "{{ issuer }}", **options, size=SANHAO)
    seal_line(sign, options)
    para(sign, "{{ date|cn_date }}", **options, size=SANHAO)
    end_paragraph(doc, st)
    save(doc, path)


# ---------------------------------------------------------------------------------------------
# 应急预案: cover, table of contents (a real TOC field), chapters as Heading 1 + rich text.

# 第1章 总则; a chapter without a number (前言 of an imported plan) shows its title only
CHAPTER_HEADING = "{% if c.number %}第{{ c.number }}章 {% endif %}{{ c.title }}"


def toc(doc, st: Style):
    """A TOC field whose cached result already lists the chapters (so the contents show even
    before a refresh); Word rebuilds it with page numbers on opening (dirty here; the engine adds updateFields to every rendered document with a TOC)."""
    begin = para(doc, "", st=st, line=None)
    for kind in ("begin", None, "separate"):
        run = begin.add_run()
        if kind is None:
            instr = el("instrText", xml_space="preserve")
            instr.text = ' TOC \\o "1-3" \\h \\z \\u '
            run._r.append(instr)
        else:
            node = el("fldChar", fldCharType=kind)
            if kind == "begin":
                node.set(qn("w:dirty"), "true")
            run._r.append(node)
    tag(doc, "{%p for c in chapters %}", st)
    para(doc, CHAPTER_HEADING, st=st, style="TOC1", line=None)
    tag(doc, "{%p endfor %}", st)
    tag(doc, "{%p if attachments %}", st)
    para(doc, "附件", st=st, style="TOC1", line=None)
    tag(doc, "{%p endif %}", st)
    end = para(doc, "", st=st, line=None)
    end.add_run()._r.append(el("fldChar", fldCharType="end"))


def build_plan(path: Path) -> None:
    st = Style(FANGSONG, SIHAO)
    doc = new_document("应急预案", st=st, margins_mm=(30, 28, 28, 26), header_mm=18, footer_mm=16)
    # cover
    for _ in range(3):
        para(doc, "", st=st)
    para(doc, "{{ organization }}", st=st, font=HEITI, size=SANHAO, align="center", after=48)
    para(doc, "{{ title }}", st=st, font=XBS, size=YIHAO, align="center", line=None, after=24)
    para(doc, "（{{ plan_type }}）", st=st, font=KAITI, size=SANHAO, align="center", after=120)
    cover = table(doc, [28, 72], 3, grid=False)
    facts = [("版本号", "：{{ version }}"), ("发布日期", "：{{ publish_date|cn_date }}"),
             ("批准人", "：{{ approver }}")]
    for index, (label, value) in enumerate(facts):
        row_props(cover.rows[index], height_mm=10)
        fill_cell(cover.cell(index, 0), label, st=st, font=HEITI, size=SANHAO, align="distribute")
        fill_cell(cover.cell(index, 1), value, st=st, size=SANHAO)
    # the 批准人 row only when there is one
    approver_row = cover.rows[2]._tr
    approver_row.addprevious(_tag_row(cover, "{%tr if approver %}", st))
    approver_row.addnext(_tag_row(cover, "{%tr endif %}", st))
    # contents, on its own page
    para(doc, "目　　录", st=st, font=HEITI, size=ERHAO, align="center", after=18, page_break_before=True)
    toc(doc, st)
    # the body in a section of its own: running header, page numbers from 1
    body = doc.add_section(WD_SECTION.NEW_PAGE)
    put(body._sectPr, el("pgNumType", start=1))
    header = clear_story(body.header)
    para(header, "{{ title }}", st=st, size=WUHAO, align="center", line=None,
         pbdr=borders("pBdr", {"bottom": border("bottom", size=4, space=1)}))
    page_number_footer(clear_story(body.footer), st, align="center")
    first = doc.sections[0]
    clear_story(first.header)
    clear_story(first.footer)
    para(first.header, "", st=st, line=None)
    para(first.footer, "", st=st, line=None)
    tag(doc, "{%p for c in chapters %}", st)
    para(doc, CHAPTER_HEADING, st=st, style="Heading1", font=HEITI, size=SANHAO, line=None, before=12, after=12,
         keep_next=True)
    para(doc, "{{p c.content }}", st=st, line=None)
    tag(doc, "{%p endfor %}", st)
    tag(doc, "{%p if attachments %}", st)
    para(doc, "附件", st=st, style="Heading1", font=HEITI, size=SANHAO, line=None, before=12, after=12,
         keep_next=True)
    tag(doc, "{%p for a in attachments %}", st)
    para(doc, "附件{{ loop.index }}　{{ a }}", st=st, line=None, indent_chars=2, after=6)
    tag(doc, "{%p endfor %}", st)
    tag(doc, "{%p endif %}", st)
    save(doc, path)


def _tag_row(tbl, text: str, st: Style):
    """A table row holding only a {%tr …%} tag, as a detached <w:tr> for insertion."""
    new = tbl.add_row()
    fill_cell(new.cells[0], text, st=st, size=WUHAO)
    tr = new._tr
    tr.getparent().remove(tr)
    return tr


# ---------------------------------------------------------------------------------------------
# Forms: 演练记录表, 演练评估报告, 培训签到表.

FORM_WIDTH = A4[0] - 28 - 26  # 156 mm


def form_document(title: str, st: Style):
    doc = new_document(title, st=st, margins_mm=(25, 22, 28, 26), footer_mm=12)
    page_number_footer(clear_story(doc.sections[0].footer), st, align="center", dashes=False)
    return doc


def label_cell(cell, text: str, st: Style):
    fill_cell(cell, text, st=st, font=HEITI, align="center")
    cell_props(cell, fill="F2F2F2")


def value_cell(cell, text, st: Style, **options):
    fill_cell(cell, text, st=st, **options)
    cell_props(cell)


def section_row(tbl, index: int, text: str, st: Style, cols: int):
    cell = merge(tbl, index, 0, cols - 1)
    fill_cell(cell, text, st=st, font=HEITI, align="center")
    cell_props(cell, fill="D9D9D9")
    row_props(tbl.rows[index], height_mm=8)


def build_drill_record(path: Path) -> None:
    st = Style(FANGSONG, XIAOSI)
    doc = form_document("应急演练记录表", st)
    para(doc, "应急演练记录表", st=st, font=XBS, size=ERHAO, align="center", after=12)
    widths = [26, 52, 26, 52]
    tbl = table(doc, widths, 30)
    r = 0

    def pair_row(label1, value1, label2=None, value2=None, height=10):
        nonlocal r
        row_props(tbl.rows[r], height_mm=height)
        label_cell(tbl.cell(r, 0), label1, st)
        if label2 is None:
            value_cell(merge(tbl, r, 1, 3), value1, st)
        else:
            value_cell(tbl.cell(r, 1), value1, st)
            label_cell(tbl.cell(r, 2), label2, st)
            value_cell(tbl.cell(r, 3), value2, st)
        r += 1

    pair_row("演练名称", "{{ title }}")
    pair_row("组织单位", "{{ organization }}", "演练日期", "{{ drill_date|cn_date }}")
    pair_row("依据预案", "{{ plan_title }}")
    pair_row("演练地点", "{{ location }}", "演练时间", "{{ duration or '' }}")
    pair_row("演练形式", "{{ form }}", "事件类别", "{{ hazard or '' }}")
    pair_row("总指挥", "{{ commander }}", "参演人数", "{{ participants }}人")
    pair_row("参演单位", ["{{ units|join('、') if units else '' }}",
                      "{% if participant_units %}（共{{ participant_units }}家）{% endif %}"], height=14)
    pair_row("观摩人员", "{{ observers or '' }}")
    pair_row("装备物资", "{{ resources or '' }}", height=14)
    pair_row("演练目的", "{{ purpose or '' }}", height=14)
    pair_row("演练情景", "{{ scenario }}", height=20)
    section_row(tbl, r, "演练过程", st, 4)
    r += 1
    row_props(tbl.rows[r], height_mm=8, header=False)
    label_cell(tbl.cell(r, 0), "时间", st)
    label_cell(tbl.cell(r, 1), "事件", st)
    label_cell(merge(tbl, r, 2, 3), "处置行动", st)
    r += 1
    loop_rows(tbl, r, "{%tr for s in steps %}",
              [("{{ s.time }}", "center"), ("{{ s.event }}", None), ("{{ s.action }}", None)],
              [(0, 0), (1, 1), (2, 3)], st)
    r += 3
    section_row(tbl, r, "发现的问题", st, 4)
    r += 1
    loop_rows(tbl, r, "{%tr for p in problems %}", [("{{ loop.index }}", "center"), ("{{ p }}", None)],
              [(0, 0), (1, 3)], st)
    r += 3
    # when nothing was found, one row saying so
    tag_row(tbl, r, "{%tr if not problems %}", st)
    value_cell(tbl.cell(r + 1, 0), "—", st, align="center")
    value_cell(merge(tbl, r + 1, 1, 3), "无", st)
    row_props(tbl.rows[r + 1], height_mm=8)
    tag_row(tbl, r + 2, "{%tr endif %}", st)
    r += 3
    # photos, one to a row with the caption under it, only when there are some
    tag_row(tbl, r, "{%tr if photos %}", st)
    section_row(tbl, r + 1, "现场照片", st, 4)
    put(tbl.cell(r + 1, 0).paragraphs[0]._p.pPr, el("keepNext"))  # the heading stays with the first photo
    tag_row(tbl, r + 2, "{%tr for ph in photos %}", st)
    cell = merge(tbl, r + 3, 0, 3)
    fill_cell(cell, "{{ ph.image }}", st=st, align="center", before=3)
    para(cell, "{{ ph.caption }}", st=st, line=None, align="center", size=WUHAO, after=3)
    cell_props(cell)
    tag_row(tbl, r + 4, "{%tr endfor %}", st)
    tag_row(tbl, r + 5, "{%tr endif %}", st)
    r += 6
    pair_row("记录人", "{{ recorder }}", "签名", "")
    assert r == len(tbl.rows), (r, len(tbl.rows))
    end_paragraph(doc, st)
    save(doc, path)


def tag_row(tbl, index: int, text: str, st: Style):
    cell = merge(tbl, index, 0, len(tbl.columns) - 1)
    fill_cell(cell, text, st=st, size=WUHAO)


def loop_rows(tbl, index: int, opening: str, cells: list[tuple[str, str | None]],
              spans: list[tuple[int, int]], st: Style, height: float = 8):
    """Three rows: {%tr for … %}, the repeated row, {%tr endfor %}."""
    tag_row(tbl, index, opening, st)
    row = index + 1
    row_props(tbl.rows[row], height_mm=height)
    for (text, align), (first, last) in zip(cells, spans, strict=True):
        cell = merge(tbl, row, first, last) if last > first else tbl.cell(row, first)
        value_cell(cell, text, st, align=align)
    tag_row(tbl, index + 2, "{%tr endfor %}", st)


def build_drill_evaluation(path: Path) -> None:
    st = Style(FANGSONG, XIAOSI)
    doc = form_document("应急演练评估报告", st)
    para(doc, "应急演练评估报告", st=st, font=XBS, size=ERHAO, align="center", after=12)
    heading = {"st": st, "font": HEITI, "size": SIHAO, "before": 12, "after": 6, "keep_next": True}
    body = {"st": st, "size": SIHAO, "indent_chars": 2, "line": 26}
    para(doc, "一、基本情况", **heading)
    basics = table(doc, [26, 52, 26, 52], 6)
    for index in range(6):
        row_props(basics.rows[index], height_mm=10)
    label_cell(basics.cell(0, 0), "演练名称", st)
    value_cell(merge(basics, 0, 1, 3), "{{ title }}", st)
    label_cell(basics.cell(1, 0), "组织单位", st)
    value_cell(basics.cell(1, 1), "{{ organization }}", st)
    label_cell(basics.cell(1, 2), "演练日期", st)
    value_cell(basics.cell(1, 3), "{{ drill_date|cn_date }}", st)
    label_cell(basics.cell(2, 0), "依据预案", st)
    value_cell(merge(basics, 2, 1, 3), "{{ plan_title or '' }}", st)
    label_cell(basics.cell(3, 0), "演练地点", st)
    value_cell(basics.cell(3, 1), "{{ location or '' }}", st)
    label_cell(basics.cell(3, 2), "参演人数", st)
    value_cell(basics.cell(3, 3), "{% if participants %}{{ participants }}人{% endif %}", st)
    label_cell(basics.cell(4, 0), "演练形式", st)
    value_cell(merge(basics, 4, 1, 3), "{{ form or '' }}", st)
    label_cell(basics.cell(5, 0), "评估人员", st)
    value_cell(merge(basics, 5, 1, 3), "{{ evaluators }}", st)

    para(doc, "二、演练实施情况", **heading)
    para(doc, "{{ summary }}", **body)

    para(doc, "三、评估结果", **heading)
    items = table(doc, [12, 26, 58, 14, 14, 32], 7)
    row_props(items.rows[0], height_mm=8, header=True)
    for column, text in enumerate(("序号", "评估要素", "评估内容", "分值", "得分", "评语")):
        label_cell(items.cell(0, column), text, st)
    loop_rows(items, 1, "{%tr for item in items %}",
              [("{{ loop.index }}", "center"), ("{{ item.category }}", None), ("{{ item.title }}", None),
               ("{{ item.max_score }}", "center"), ("{{ item.score }}", "center"), ("{{ item.remark }}", None)],
              [(i, i) for i in range(6)], st)
    # the total, when the caller gives one (a template filled by hand may leave it out)
    tag_row(items, 4, "{%tr if total is not none %}", st)
    row_props(items.rows[5], height_mm=8)
    label_cell(merge(items, 5, 0, 2), "合计", st)
    value_cell(items.cell(5, 3), "{{ max_total }}", st, align="center")
    value_cell(items.cell(5, 4), "{{ total }}", st, align="center")
    value_cell(items.cell(5, 5), "{{ grade or '' }}", st, align="center")
    tag_row(items, 6, "{%tr endif %}", st)
    tag(doc, "{%p if grade %}", st)
    para(doc, "评估总分 {{ total }} 分（满分 {{ max_total }} 分），评估等级：{{ grade }}。", **body, before=6)
    tag(doc, "{%p endif %}", st)

    para(doc, "四、预案的合理性与可操作性", **heading)
    para(doc, "{{ plan_assessment or '无。' }}", **body)

    para(doc, "五、存在问题及整改措施", **heading)
    problems = table(doc, [12, 30, 36, 22, 38, 18], 7)
    row_props(problems.rows[0], height_mm=8, header=True)
    for column, text in enumerate(("序号", "存在问题", "整改措施", "责任单位", "整改期限", "状态")):
        label_cell(problems.cell(0, column), text, st)
    loop_rows(problems, 1, "{%tr for p in problems %}",
              [("{{ loop.index }}", "center"), ("{{ p.description }}", None), ("{{ p.measure }}", None),
               ("{{ p.owner }}", "center"), ("{{ p.deadline|cn_date }}", "center"), ("{{ p.status }}", "center")],
              [(i, i) for i in range(6)], st)
    tag_row(problems, 4, "{%tr if not problems %}", st)
    row_props(problems.rows[5], height_mm=8)
    value_cell(problems.cell(5, 0), "—", st, align="center")
    value_cell(merge(problems, 5, 1, 5), "未发现需要整改的问题", st)
    tag_row(problems, 6, "{%tr endif %}", st)

    para(doc, "六、评估结论", **heading)
    para(doc, "{{ conclusion }}", **body)
    para(doc, "七、改进建议", **heading)
    para(doc, "{{ suggestions or '无。' }}", **body, after=12)
    para(doc, "", st=st, size=SIHAO, line=None, after=12)  # room for the seal above the signer
    signature_block(doc, Style(FANGSONG, SIHAO), signer="评估单位：{{ issuer }}", date="{{ date|cn_date }}",
                    text_width_mm=FORM_WIDTH, right_chars=2, block_mm=70)
    end_paragraph(doc, st)
    save(doc, path)


def build_signin_sheet(path: Path) -> None:
    st = Style(FANGSONG, XIAOSI)
    doc = new_document("培训签到表", st=st, margins_mm=(25, 22, 20, 20), footer_mm=12)
    page_number_footer(clear_story(doc.sections[0].footer), st, align="center", dashes=False)
    para(doc, "{{ session_title }}", st=st, font=XBS, size=XIAOER, align="center", after=2)
    para(doc, "签　到　表", st=st, font=XBS, size=ERHAO, align="center", after=10)
    facts = {"st": st, "size": SIHAO, "after": 3}
    para(doc, ["培训项目：", "{{ course }}"], **facts)
    para(doc, ["培训日期：", "{{ date|cn_date }}"], **facts)
    para(doc, ["培训地点：", "{{ location }}"], **facts)
    para(doc, ["主办单位：", "{{ organizer }}"], **(facts | {"after": 8}))
    widths = [10, 20, 56, 26, 28, 30]  # 170 mm
    sheet = table(doc, widths, 4)
    row_props(sheet.rows[0], height_mm=10, header=True)
    for column, text in enumerate(("序号", "姓名", "单位", "岗位", "联系电话", "签到（签名）")):
        label_cell(sheet.cell(0, column), text, st)
    loop_rows(sheet, 1, "{%tr for t in trainees %}",
              [("{{ t.no }}", "center"), ("{{ t.name }}", "center"), ("{{ t.organization }}", None),
               ("{{ t.post }}", "center"), ("{{ t.phone }}", "center"), ("", None)],
              [(i, i) for i in range(6)], st, height=12)
    end_paragraph(doc, st)
    save(doc, path)


# ---------------------------------------------------------------------------------------------
# 应急预案评审意见 and 备案登记表 (《生产安全事故应急预案管理办法》 art. 21–28).

def build_plan_review(path: Path) -> None:
    st = Style(FANGSONG, XIAOSI)
    doc = form_document("应急预案评审意见", st)
    para(doc, "应急预案{{ form }}意见", st=st, font=XBS, size=ERHAO, align="center", after=12)
    widths = [26, 52, 26, 52]
    basics = table(doc, widths, 3)
    for index in range(3):
        row_props(basics.rows[index], height_mm=10)
    label_cell(basics.cell(0, 0), "预案名称", st)
    value_cell(merge(basics, 0, 1, 3), "{{ plan_title }}", st)
    label_cell(basics.cell(1, 0), "编制单位", st)
    value_cell(basics.cell(1, 1), "{{ organization }}", st)
    label_cell(basics.cell(1, 2), "{{ form }}日期", st)
    value_cell(basics.cell(1, 3), "{{ held_on|cn_date }}", st)
    label_cell(basics.cell(2, 0), "{{ form }}形式", st)
    value_cell(basics.cell(2, 1), "{{ form }}", st)
    label_cell(basics.cell(2, 2), "{{ form }}版本", st)
    value_cell(basics.cell(2, 3), "{{ version }}", st)
    heading = {"st": st, "font": HEITI, "size": SIHAO, "before": 12, "after": 6, "keep_next": True}
    para(doc, "一、{{ form }}专家", **heading)
    experts = table(doc, [14, 26, 36, 52, 28], 4)
    row_props(experts.rows[0], height_mm=8, header=True)
    for column, text in enumerate(("序号", "姓名", "职称", "工作单位", "签名")):
        label_cell(experts.cell(0, column), text, st)
    loop_rows(experts, 1, "{%tr for e in experts %}",
              [("{{ loop.index }}", "center"), ("{{ e.name }}", "center"), ("{{ e.title }}", "center"),
               ("{{ e.unit }}", None), ("", None)], [(i, i) for i in range(5)], st, height=10)
    para(doc, "二、{{ form }}意见", **heading)
    tag(doc, "{%p for o in opinions %}", st)
    para(doc, "{{ loop.index }}. {{ o }}", st=st, size=SIHAO, indent_chars=2, line=26)
    tag(doc, "{%p endfor %}", st)
    para(doc, "三、{{ form }}结论", **heading)
    para(doc, "{{ form }}结论：{{ conclusion }}", st=st, size=SIHAO, indent_chars=2, line=26, after=12)
    signature_block(doc, Style(FANGSONG, SIHAO), signer="专家组组长（签字）：", date="{{ held_on|cn_date }}",
                    text_width_mm=FORM_WIDTH, right_chars=2, block_mm=70)
    end_paragraph(doc, st)
    save(doc, path)


def build_plan_filing(path: Path) -> None:
    st = Style(FANGSONG, XIAOSI)
    doc = form_document("应急预案备案登记表", st)
    para(doc, "{{ form_title }}", st=st, font=XBS, size=XIAOER, align="center", after=8)
    para(doc, "备案编号：{{ filing_number }}", st=st, size=SIHAO, align="right", after=6)
    widths = [30, 48, 30, 48]
    tbl = table(doc, widths, 10)
    r = 0

    def pair_row(label1, value1, label2=None, value2=None, height=10):
        nonlocal r
        row_props(tbl.rows[r], height_mm=height)
        label_cell(tbl.cell(r, 0), label1, st)
        if label2 is None:
            value_cell(merge(tbl, r, 1, 3), value1, st)
        else:
            value_cell(tbl.cell(r, 1), value1, st)
            label_cell(tbl.cell(r, 2), label2, st)
            value_cell(tbl.cell(r, 3), value2, st)
        r += 1

    pair_row("单位名称", "{{ organization }}")
    # the 统一社会信用代码 row only for units that have one (enterprises)
    tag_row(tbl, r, "{%tr if credit_code %}", st)
    r += 1
    pair_row("统一社会信用代码", "{{ credit_code }}")
    tag_row(tbl, r, "{%tr endif %}", st)
    r += 1
    pair_row("预案名称", "{{ plan_title }}")
    pair_row("预案类型", "{{ kind_label }}", "事件类别", "{{ hazard }}")
    pair_row("责任人", "{{ responsible_person }}", "联系电话", "{{ phone }}")
    pair_row("发布日期", "{{ issued_on|cn_date }}", "备案日期", "{{ filed_on|cn_date }}")
    row_props(tbl.rows[r], height_mm=40)
    label_cell(tbl.cell(r, 0), "备案材料", st)
    cell = merge(tbl, r, 1, 3)
    cell_props(cell, valign="top")
    options = {"st": st, "line": None, "before": 2, "after": 2}
    fill_cell(cell, "{%p for m in materials %}", st=st, size=WUHAO)
    para(cell, "{{ loop.index }}. {{ m }}", **options)
    para(cell, "{%p endfor %}", st=st, line=None, size=WUHAO)
    r += 1
    row_props(tbl.rows[r], height_mm=50)
    label_cell(tbl.cell(r, 0), "备案意见", st)
    cell = merge(tbl, r, 1, 3)
    cell_props(cell, valign="top")
    fill_cell(cell, "你单位上报的《{{ plan_title }}》经形式审查，材料齐全，符合要求，予以备案。", st=st,
              indent_chars=2, line=24, before=6)
    inner = {"st": st, "align": "center", "left_chars": 16, "line": None}
    para(cell, "", st=st, line=None)
    para(cell, "{{ signer }}（盖章）", **inner)
    seal_line(cell, inner)
    para(cell, "{{ filed_on|cn_date }}", **inner)
    r += 1
    assert r == len(tbl.rows), (r, len(tbl.rows))
    para(doc, "注：备案材料不齐全的，不予备案，并一次性告知需要补齐的全部材料。", st=st, size=WUHAO,
         before=6, line=None)
    end_paragraph(doc, st)
    save(doc, path)


def build_quiz_poster(path: Path) -> None:
    """A4 poster for a notice board or a WeChat group: the QR code large enough to scan from a
    metre away (110 mm), the address under it for those who type it."""
    st = Style(HEITI, SANHAO)
    doc = new_document("答题二维码海报", st=st, margins_mm=(20, 20, 20, 20))
    para(doc, "{{ kind_label }}", st=st, font=XBS, size=CHUHAO, color=DARK_RED, align="center", spacing=300,
         line=None, after=6)
    para(doc, "{{ title }}", st=st, font=XBS, size=ERHAO, align="center", line=None, after=6)
    tag(doc, "{%p if description %}", st)
    para(doc, "{{ description }}", st=st, font=FANGSONG, size=SANHAO, align="center", line=None, after=4)
    tag(doc, "{%p endif %}", st)
    para(doc, "{{ qr }}", st=st, align="center", line=None, before=6, after=6)
    para(doc, "微信扫一扫，参加答题", st=st, size=XIAOER, color=DARK_RED, align="center", line=None, after=4)
    para(doc, "{{ join_url }}", st=st, font=FANGSONG, size=SIHAO, align="center", line=None, after=8)
    tag(doc, "{%p if period %}", st)
    para(doc, "答题时间：{{ period }}", st=st, font=FANGSONG, size=SANHAO, align="center", line=None)
    tag(doc, "{%p endif %}", st)
    para(doc, "主办单位：{{ organizer }}", st=st, font=FANGSONG, size=SANHAO, align="center", line=None)
    end_paragraph(doc, st)
    save(doc, path)



# ---------------------------------------------------------------------------------------------
# 宣传活动总结: a five-into campaign's summary (DOMAIN.md §6).

def _loose_cells(tbl):
    """No fixed cell widths in a table whose columns come from a {%tc %} loop: docxtpl rebuilds
    its grid to the number of columns rendered, and the cells follow the grid."""
    put(tbl._tbl.tblPr, el("tblLayout", type="autofit"))
    for tc in tbl._tbl.iter(qn("w:tc")):
        put(props(tc, "tcPr"), el("tcW", w=0, type="auto"))


def build_outreach_summary(path: Path) -> None:
    st = Style(FANGSONG, XIAOSI)
    doc = form_document("宣传活动总结", st)
    para(doc, "{{ title }}", st=st, font=XBS, size=ERHAO, align="center", line=None, after=12)
    heading = {"st": st, "font": HEITI, "size": SIHAO, "before": 12, "after": 6, "keep_next": True}
    body = {"st": st, "size": SIHAO, "indent_chars": 2, "line": 26}
    note = {"st": st, "size": WUHAO, "line": None, "before": 3}

    para(doc, "一、活动概况", **heading)
    para(doc, "活动名称：{{ campaign }}", **body)
    para(doc, "活动时间：{{ period }}", **body)
    tag(doc, "{%p if theme %}", st)
    para(doc, "活动主题：{{ theme }}", **body)
    tag(doc, "{%p endif %}", st)
    tag(doc, "{%p for s in summary %}", st)
    para(doc, "{{ s }}", **body)
    tag(doc, "{%p endfor %}", st)

    para(doc, "二、分类开展情况", **heading)
    kinds = table(doc, [32, 28, 32, 34, 30], 4)
    row_props(kinds.rows[0], height_mm=8, header=True)
    for column, text in enumerate(("宣传场所", "活动场次", "受众人次", "覆盖地点", "覆盖率")):
        label_cell(kinds.cell(0, column), text, st)
    loop_rows(kinds, 1, "{%tr for t in by_type %}",
              [("{{ t.venue }}", "center"), ("{{ t.events }}", "center"), ("{{ t.audience }}", "center"),
               ("{{ t.places }}", "center"), ("{{ t.rate }}", "center")], [(i, i) for i in range(5)], st)

    para(doc, "三、分乡镇（街道）覆盖情况", **heading)
    # a column per venue type: the header and every row loop over their cells
    grid = table(doc, [FORM_WIDTH / 3] * 3, 7)
    row_props(grid.rows[0], height_mm=8, header=True)
    fill_cell(grid.cell(0, 0), "{%tc for h in coverage_headers %}", st=st, size=WUHAO)
    label_cell(grid.cell(0, 1), "{{ h }}", st)
    fill_cell(grid.cell(0, 2), "{%tc endfor %}", st=st, size=WUHAO)
    tag_row(grid, 1, "{%tr for r in coverage %}", st)
    row_props(grid.rows[2], height_mm=8)
    fill_cell(grid.cell(2, 0), "{%tc for c in r.cells %}", st=st, size=WUHAO)
    value_cell(grid.cell(2, 1), "{{ c }}", st, align="center")
    fill_cell(grid.cell(2, 2), "{%tc endfor %}", st=st, size=WUHAO)
    tag_row(grid, 3, "{%tr endfor %}", st)
    tag_row(grid, 4, "{%tr if coverage_total %}", st)
    row_props(grid.rows[5], height_mm=8)
    fill_cell(grid.cell(5, 0), "{%tc for c in coverage_total %}", st=st, size=WUHAO)
    label_cell(grid.cell(5, 1), "{{ c }}", st)
    fill_cell(grid.cell(5, 2), "{%tc endfor %}", st=st, size=WUHAO)
    tag_row(grid, 6, "{%tr endif %}", st)
    _loose_cells(grid)
    para(doc, "注：“a/b”为已覆盖的地点数/单位名录中的地点数，同一地点多次开展活动只计一次；"
              "“户”为入户宣传户数；“处”为名录以外的宣传地点。", **note)

    para(doc, "四、目标完成情况", **heading)
    goals = table(doc, [12, 26, 26, 24, 24, 22, 22], 7)
    row_props(goals.rows[0], height_mm=8, header=True)
    for column, text in enumerate(("序号", "范围", "宣传场所", "目标", "完成", "完成率", "状态")):
        label_cell(goals.cell(0, column), text, st)
    loop_rows(goals, 1, "{%tr for g in targets %}",
              [("{{ loop.index }}", "center"), ("{{ g.where }}", "center"), ("{{ g.venue }}", "center"),
               ("{{ g.target }}", "center"), ("{{ g.reached }}", "center"), ("{{ g.progress }}", "center"),
               ("{{ g.status }}", "center")], [(i, i) for i in range(7)], st)
    tag_row(goals, 4, "{%tr if not targets %}", st)
    row_props(goals.rows[5], height_mm=8)
    value_cell(goals.cell(5, 0), "—", st, align="center")
    value_cell(merge(goals, 5, 1, 6), "本次活动未设定量化目标", st)
    tag_row(goals, 6, "{%tr endif %}", st)

    para(doc, "五、宣传资料发放情况", **heading)
    stuff = table(doc, [14, 86, 56], 10)
    row_props(stuff.rows[0], height_mm=8, header=True)
    for column, text in enumerate(("序号", "资料种类", "数量（份）")):
        label_cell(stuff.cell(0, column), text, st)
    loop_rows(stuff, 1, "{%tr for m in materials %}",
              [("{{ loop.index }}", "center"), ("{{ m.kind }}", None), ("{{ m.quantity }}", "center")],
              [(i, i) for i in range(3)], st)
    tag_row(stuff, 4, "{%tr if materials_total %}", st)
    row_props(stuff.rows[5], height_mm=8)
    label_cell(merge(stuff, 5, 0, 1), "合计", st)
    value_cell(stuff.cell(5, 2), "{{ '{:,}'.format(materials_total) }}", st, align="center")
    tag_row(stuff, 6, "{%tr endif %}", st)
    tag_row(stuff, 7, "{%tr if not materials %}", st)
    row_props(stuff.rows[8], height_mm=8)
    value_cell(stuff.cell(8, 0), "—", st, align="center")
    value_cell(merge(stuff, 8, 1, 2), "未记录发放的宣传资料", st)
    tag_row(stuff, 9, "{%tr endif %}", st)

    # photos two to a row, captioned, only when there are some
    tag(doc, "{%p if photos %}", st)
    para(doc, "六、活动照片", **heading)
    album = table(doc, [FORM_WIDTH / 2] * 2, 3, grid=False)
    tag_row(album, 0, "{%tr for pair in photos|batch(2) %}", st)
    row_props(album.rows[1])
    for column, (first, last) in enumerate((("", ""), ("{% if pair|length > 1 %}", "{% endif %}"))):
        cell = album.cell(1, column)
        fill_cell(cell, f"{first}{{{{ pair[{column}].image }}}}{last}", st=st, align="center", before=3)
        para(cell, f"{first}{{{{ pair[{column}].caption }}}}{last}", st=st, line=None, align="center",
             size=WUHAO, after=6)
        cell_props(cell, valign="top")
    tag_row(album, 2, "{%tr endfor %}", st)
    tag(doc, "{%p endif %}", st)

    para(doc, "", st=st, size=SIHAO, line=None, after=12)  # room for the seal above the signer
    signature_block(doc, Style(FANGSONG, SIHAO), signer="{{ issuer }}", date="{{ date|cn_date }}",
                    text_width_mm=FORM_WIDTH, right_chars=2, block_mm=70)
    end_paragraph(doc, st)
    save(doc, path)


# ---------------------------------------------------------------------------------------------
# 年度应急管理工作数据汇总: a year's figures, like the data annex of a bureau's annual report.

def _summary_table(doc, st: Style, cells: Style, title: str, headers: list[str], widths: list[float],
                   loop: str, values: list[str]):
    """A table title, a header row and a {%tr for %} row; the first column left, the numbers centred."""
    para(doc, title, st=st, font=HEITI, size=XIAOSI, align="center", line=None, before=6, after=4, keep_next=True)
    tbl = table(doc, widths, 4)
    row_props(tbl.rows[0], height_mm=8, header=True)
    for column, text in enumerate(headers):
        label_cell(tbl.cell(0, column), text, cells)
    loop_rows(tbl, 1, loop, [(text, "center" if column else None) for column, text in enumerate(values)],
              [(i, i) for i in range(len(values))], cells, height=7)
    return tbl


def _summary_charts(doc, st: Style, section: str):
    """The charts that go with a section, each centred with its caption under it."""
    tag(doc, f"{{%p for c in (charts or []) if c.section == '{section}' %}}", st)
    para(doc, "{{ c.image }}", st=st, align="center", line=None, before=8, keep_next=True)
    para(doc, "{{ c.caption }}", st=st, font=HEITI, size=WUHAO, align="center", line=None, before=3, after=6)
    tag(doc, "{%p endfor %}", st)


def build_annual_summary(path: Path) -> None:
    st = Style(FANGSONG, XIAOSI)
    cells = Style(FANGSONG, WUHAO)  # tables of up to seven columns in the 156 mm text block
    doc = form_document("年度应急管理工作数据汇总", st)
    para(doc, "{{ title }}", st=st, font=XBS, size=ERHAO, align="center", line=None, after=6)
    para(doc, "（{{ period }}）", st=st, font=KAITI, size=SANHAO, align="center", line=None, after=12)
    heading = {"st": st, "font": HEITI, "size": SIHAO, "before": 12, "after": 6, "keep_next": True}
    body = {"st": st, "size": SIHAO, "indent_chars": 2, "line": 26}
    this, last = "{{ year }}年", "{{ year - 1 }}年"

    def sentences(name: str, item: str = "{{ s }}"):
        tag(doc, f"{{%p for s in {name} %}}", st)
        para(doc, item, **body)
        tag(doc, "{%p endfor %}", st)

    para(doc, "现将{{ scope }}{{ period }}应急预案、应急演练、安全宣传“五进”、三项岗位人员培训和知识竞赛工作的"
              "主要数据汇总如下。", **body)

    para(doc, "一、应急预案", **heading)
    sentences("plans")
    _summary_table(doc, st, cells, "应急预案发布、备案和修订情况", ["项目", this, last, "同比"], [56, 30, 30, 40],
                   "{%tr for r in plan_rows %}", ["{{ r.label }}", "{{ r.value }}", "{{ r.previous }}", "{{ r.change }}"])

    para(doc, "二、应急演练", **heading)
    sentences("drills")
    drill_values = ["{{ r.label }}", "{{ r.drills }}", "{{ r.participants }}", "{{ r.previous }}", "{{ r.change }}"]
    drill_widths = [36, 24, 28, 32, 36]
    _summary_table(doc, st, cells, "应急演练分形式情况", ["演练形式", "演练次数", "参演人次", f"{last}演练次数", "同比"],
                   drill_widths, "{%tr for r in drill_forms %}", drill_values)
    tag(doc, "{%p if drill_towns %}", st)
    _summary_table(doc, st, cells, "应急演练分乡镇（街道）情况",
                   ["乡镇（街道）", "演练次数", "参演人次", f"{last}演练次数", "同比"], drill_widths,
                   "{%tr for r in drill_towns %}", drill_values)
    tag(doc, "{%p endif %}", st)

    para(doc, "三、安全宣传“五进”", **heading)
    sentences("outreach")
    outreach_values = ["{{ r.label }}", "{{ r.events }}", "{{ r.audience }}", "{{ r.places }}", "{{ r.materials }}",
                       "{{ r.previous }}", "{{ r.change }}"]
    outreach_widths = [24, 18, 22, 20, 22, 20, 30]
    outreach_headers = ["活动场次", "受众人次", "覆盖地点", "发放资料（份）", f"{last}场次", "同比"]
    _summary_table(doc, st, cells, "安全宣传“五进”分场所情况", ["宣传场所", *outreach_headers], outreach_widths,
                   "{%tr for r in outreach_types %}", outreach_values)
    tag(doc, "{%p if outreach_towns %}", st)
    _summary_table(doc, st, cells, "安全宣传“五进”分乡镇（街道）情况", ["乡镇（街道）", *outreach_headers],
                   outreach_widths, "{%tr for r in outreach_towns %}", outreach_values)
    tag(doc, "{%p endif %}", st)
    _summary_charts(doc, st, "outreach")

    para(doc, "四、三项岗位人员培训", **heading)
    sentences("training")
    para(doc, "三项岗位人员分岗位培训和取证情况", st=st, font=HEITI, size=XIAOSI, align="center", line=None, before=6,
         after=4, keep_next=True)
    posts = table(doc, [48, 27, 27, 27, 27], 5)
    for index in (0, 1):
        row_props(posts.rows[index], height_mm=7, header=True)
    label_cell(posts.cell(0, 0).merge(posts.cell(1, 0)), "岗位类别", cells)
    label_cell(merge(posts, 0, 1, 2), "参训（人次）", cells)
    label_cell(merge(posts, 0, 3, 4), "取证（人）", cells)
    for column, text in enumerate((this, last, this, last), 1):
        label_cell(posts.cell(1, column), text, cells)
    loop_rows(posts, 2, "{%tr for r in training_rows %}",
              [("{{ r.label }}", None), ("{{ r.trained }}", "center"), ("{{ r.previous_trained }}", "center"),
               ("{{ r.certified }}", "center"), ("{{ r.previous_certified }}", "center")],
              [(i, i) for i in range(5)], cells, height=7)
    _summary_charts(doc, st, "training")

    para(doc, "五、知识竞赛", **heading)
    sentences("quiz")
    _summary_table(doc, st, cells, "知识竞赛情况", ["项目", this, last, "同比"], [56, 30, 30, 40],
                   "{%tr for r in quiz_rows %}", ["{{ r.label }}", "{{ r.value }}", "{{ r.previous }}", "{{ r.change }}"])

    para(doc, "六、数据说明", **heading)
    # the last note keeps with the signature, so the signature never stands alone on a page
    tag(doc, "{%p for s in notes %}", st)
    tag(doc, "{%p if not loop.last %}", st)
    para(doc, "{{ loop.index }}. {{ s }}", **body)
    tag(doc, "{%p else %}", st)
    para(doc, "{{ loop.index }}. {{ s }}", **body, keep_next=True)
    tag(doc, "{%p endif %}", st)
    tag(doc, "{%p endfor %}", st)

    # signed by the bureau, the signer centred over the date at the lower right (no seal: a
    # compilation of figures, not an issued document)
    para(doc, "", st=st, size=SIHAO, line=None, after=6, keep_next=True)
    sign = Style(FANGSONG, SIHAO)
    right = 70 + 2 * SIHAO * 25.4 / 72
    layout = table(doc, [FORM_WIDTH - right, right], 1, grid=False)
    row_props(layout.rows[0], cant_split=True)
    cell = layout.cell(0, 1)
    cell_props(cell, valign="bottom")
    fill_cell(cell, "{{ issuer }}", st=sign, align="center", right_chars=2)
    para(cell, "{{ date|cn_date }}", st=sign, line=None, align="center", right_chars=2)
    end_paragraph(doc, st)
    save(doc, path)


BUILDERS: dict[str, Callable[[Path], None]] = {
    "notice.docx": build_notice,
    "training_certificate.docx": build_training_certificate,
    "award_certificate.docx": build_award_certificate,
    "plan.docx": build_plan,
    "drill_record.docx": build_drill_record,
    "drill_evaluation.docx": build_drill_evaluation,
    "signin_sheet.docx": build_signin_sheet,
    "quiz_poster.docx": build_quiz_poster,
    "plan_review.docx": build_plan_review,
    "plan_filing.docx": build_plan_filing,
    "outreach_summary.docx": build_outreach_summary,
    "annual_summary.docx": build_annual_summary,
}


def build(out_dir: Path = OUT) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, builder in BUILDERS.items():
        path = out_dir / name
        builder(path)
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Build the shipped Word templates (doc_templates/*.docx).")
    parser.add_argument("--out", type=Path, default=OUT, help="output folder (default: doc_templates/)")
    args = parser.parse_args(argv)
    for path in build(args.out):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
