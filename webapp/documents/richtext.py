"""Rich text from the browser editor (plan sections) rendered as real Word structure.

    to_subdoc(tpl, "<h1>1.1 适用范围</h1><p>本预案…</p><ol><li>…</li></ol>")  → docxtpl Subdoc

The HTML is untrusted. It is parsed with lxml.html and walked against a whitelist: headings,
paragraphs, line breaks, bold/italic/underline/strike/sub/sup, ordered and bulleted lists
(nested), tables (colspan/rowspan) and blockquotes; span, div and unknown tags only contribute
their text; script, style, embedded objects and images are dropped with their content. Nothing
from the input is ever copied as markup or as an attribute: every Word element is built here
with python-docx and only the input's *text* goes into w:t, so the input cannot inject OOXML.

The Subdoc made by ``tpl.new_subdoc()`` has no package of its own: it shares the main
document's part, so style look-ups resolve against the template's styles, and docxtpl inserts
the body XML as is, without carrying numbering definitions over. List numbering is therefore
defined directly in the main document's numbering part (created when the template has none),
and a heading style the template lacks is added to the template's styles.
"""

import re
import secrets
import unicodedata
from bisect import bisect_left
from dataclasses import dataclass, replace

import lxml.html
from docx.enum.style import WD_STYLE_TYPE
from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.parts.numbering import NumberingPart
from docx.shared import Mm, Pt, Twips
from docx.table import _Cell
from lxml import etree


@dataclass(frozen=True)
class Rich:
    html: str


# Editor heading → Word heading level. The chapter title in the plan template is already
# Heading 1, so the editor's top level (h1) sits one below it. TOC \o "1-3" therefore lists h1
# and h2 of the sections under their chapter and leaves the finer h3/h4 out of the contents.
HEADING_LEVELS = {"h1": 2, "h2": 3, "h3": 4, "h4": 5}

# Elements dropped together with their content: active content, embedded objects and media
# (an <img> would at best fetch a remote URL), and the legacy raw-text elements whose content
# is markup shown as text. "head"/"title" only appear when a whole page is pasted.
_DROP = frozenset({
    "script", "style", "iframe", "frame", "frameset", "object", "embed", "applet", "param",
    "template", "noscript", "noembed", "noframes", "plaintext", "xmp", "listing", "svg", "math",
    "img", "picture", "video", "audio", "source", "track", "canvas", "map", "area",
    "input", "select", "option", "textarea", "button", "head", "title", "meta", "link", "base",
})
# Elements that end the current paragraph and start a new one, like a browser's block boxes.
# h5/h6 are not offered by the editor; pasted ones become plain paragraphs.
_BLOCKS = frozenset({
    "p", "div", "h5", "h6", "section", "article", "header", "footer", "main", "nav", "aside",
    "address", "pre", "center", "dl", "dt", "dd", "figure", "figcaption", "caption", "hr",
    "form", "fieldset", "legend", "details", "summary", "li", "tr", "td", "th", "thead", "tbody",
    "tfoot", "body", "html",
})
_INLINE_FORMAT = {
    "strong": "bold", "b": "bold",
    "em": "italic", "i": "italic",
    "u": "underline", "ins": "underline",
    "s": "strike", "strike": "strike", "del": "strike",
    "sub": "sub", "sup": "sup",
}

# libxml2's HTML parser keeps at most about 255 levels of nesting; deeper than this the walk
# keeps only the text, so pathological nesting cannot exhaust Python's recursion limit.
_MAX_DEPTH = 100
# Word cannot show more than 63 columns; pasted spreadsheets wider than that are cut.
_MAX_COLUMNS = 63
_INDENT = 420  # twips per list level / quote level: two characters of 五号 (10.5 pt) text
# The text width of an A4 page with the 公文 margins (GB/T 9704), when the template has no section.
_DEFAULT_TEXT_WIDTH = Mm(156)

# Browsers collapse only these (ASCII) white-space characters; U+3000 and U+00A0 are kept.
_COLLAPSIBLE = frozenset(" \t\n\r\f")
_UNWANTED = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufeff\ufffd\ufffe\uffff]")
_BR = object()


@dataclass(frozen=True)
class _Fmt:
    bold: bool = False
    italic: bool = False
    underline: bool = False
    strike: bool = False
    sub: bool = False
    sup: bool = False


class _List:
    """One <ol>/<ul>; its numbering definition is made when its first item is written, so an
    empty list leaves nothing behind."""

    def __init__(self, ordered: bool, level: int):
        self.ordered = ordered
        self.level = level
        self.num_id: int | None = None


class _Item:
    """One <li>: its first paragraph carries the number, later ones are indented under it."""

    def __init__(self, list_: _List):
        self.list = list_
        self.numbered = False


@dataclass(frozen=True)
class _Block:
    """How the paragraphs made in the current context look."""

    heading: int = 0  # Word heading level, 0 for body text
    quote: int = 0  # blockquote depth
    lists: int = 0  # enclosing lists, i.e. the next list's ilvl
    item: _Item | None = None


def to_subdoc(tpl, html: str):
    """A docxtpl Subdoc holding html as Word paragraphs, lists and tables (for ``{{p value }}``)."""
    subdoc = tpl.new_subdoc()
    # Cleaned before parsing as well as per text node: libxml2 keeps some control characters
    # and turns others into U+FFFD, so the parsed text alone is not clean.
    root = _parse(_clean(html or ""))
    writer = _Writer(tpl.get_docx(), subdoc)
    if root is not None:
        writer.children(root, _Fmt(), _Block(), 0)
        writer.flush()
    if not writer.wrote:
        # {{p }} replaces its paragraph with ours; one empty paragraph keeps a table cell valid.
        subdoc.add_paragraph()
    return subdoc


def _parse(html: str):
    try:
        root = lxml.html.fragment_fromstring(html, create_parent="div")
    except (etree.ParserError, ValueError):
        return None
    # Removed up front so neither the walk nor text_content() sees them; the tail text belongs to
    # the surrounding content and stays. strip_elements works in libxml2, so it does not trip
    # over the characters lxml refuses to set from Python (U+FFFE from an entity, say), which
    # are dropped later in _clean.
    etree.strip_elements(root, etree.Comment, etree.ProcessingInstruction, *_DROP, with_tail=False)
    return root


class _Writer:
    def __init__(self, docx, subdoc):
        self.docx = docx
        self.container = subdoc
        self.numbering = _Numbering(docx)
        self.pending: list = []  # (char, _Fmt) pairs and _BR
        self.pending_block: _Block | None = None
        self.wrote = False
        self._heading_styles: dict[int, tuple] = {}

    # -- walking the HTML ----------------------------------------------------------------

    def children(self, el, fmt: _Fmt, block: _Block, depth: int) -> None:
        if el.text:
            self.text(el.text, fmt, block)
        for child in el:
            self.node(child, fmt, block, depth + 1)
            if child.tail:
                self.text(child.tail, fmt, block)

    def node(self, el, fmt: _Fmt, block: _Block, depth: int) -> None:
        if not isinstance(el.tag, str):
            return
        tag = el.tag.lower()
        if depth > _MAX_DEPTH:
            self.text(el.text_content(), fmt, block)
        elif tag in HEADING_LEVELS:
            self.flush()
            self.children(el, fmt, replace(block, heading=HEADING_LEVELS[tag]), depth)
            self.flush()
        elif tag in ("ol", "ul"):
            self.flush()
            self.list(el, fmt, block, depth)
        elif tag == "table":
            self.flush()
            self.table(el, fmt, block, depth)
        elif tag == "blockquote":
            self.flush()
            self.children(el, fmt, replace(block, quote=block.quote + 1, heading=0), depth)
            self.flush()
        elif tag == "br":
            if self.pending_block is None:
                self.pending_block = block
            self.pending.append(_BR)
        elif tag in _BLOCKS:
            self.flush()
            self.children(el, fmt, block, depth)
            self.flush()
        elif tag in _INLINE_FORMAT:
            self.children(el, replace(fmt, **{_INLINE_FORMAT[tag]: True}), block, depth)
        else:
            # span, font, a, code, mark, w:p … : only their text counts
            self.children(el, fmt, block, depth)

    def list(self, el, fmt: _Fmt, block: _Block, depth: int) -> None:
        list_ = _List(el.tag.lower() == "ol", min(block.lists, 8))
        inner = replace(block, lists=block.lists + 1, heading=0, item=None)
        if el.text:
            self.text(el.text, fmt, inner)
        for child in el:
            if isinstance(child.tag, str) and child.tag.lower() == "li":
                self.flush()
                self.children(child, fmt, replace(inner, item=_Item(list_)), depth + 1)
                self.flush()
            else:
                # Browsers show stray content in a list without a marker; so do we.
                self.node(child, fmt, inner, depth + 1)
            if child.tail:
                self.text(child.tail, fmt, inner)
        self.flush()

    def text(self, text: str, fmt: _Fmt, block: _Block) -> None:
        if self.pending_block is None:
            self.pending_block = block
        self.pending.extend((ch, fmt) for ch in _clean(text))

    # -- paragraphs ----------------------------------------------------------------------

    def flush(self) -> None:
        items, block = self.pending, self.pending_block
        self.pending, self.pending_block = [], None
        runs = _collapse(items)
        if not any(r is not _BR and r[0].strip() for r in runs):
            return  # an empty paragraph (or one made only of spaces and breaks) is dropped
        paragraph = self.container.add_paragraph()
        self.wrote = True
        self.paragraph_format(paragraph, block)
        for r in runs:
            if r is _BR:
                paragraph.add_run().add_break()
                continue
            text, fmt = r
            run = paragraph.add_run(text)
            if fmt.bold:
                run.bold = True
            if fmt.italic:
                run.italic = True
            if fmt.underline:
                run.underline = True
            if fmt.strike:
                run.font.strike = True
            if fmt.sub:
                run.font.subscript = True
            elif fmt.sup:
                run.font.superscript = True

    def paragraph_format(self, paragraph, block: _Block) -> None:
        pf = paragraph.paragraph_format
        item = block.item
        if block.heading:
            style, needs_outline = self.heading_style(block.heading)
            if style is not None:
                paragraph.style = style
            if needs_outline:
                _set_outline_level(paragraph, block.heading - 1)
        elif item is not None and not item.numbered:
            item.numbered = True
            list_ = item.list
            if list_.num_id is None:
                list_.num_id = self.numbering.new_list(list_.ordered, list_.level)
            num_pr = paragraph._p.get_or_add_pPr().get_or_add_numPr()
            num_pr.get_or_add_ilvl().val = list_.level
            num_pr.get_or_add_numId().val = list_.num_id
            if block.quote:
                # A direct indent replaces the numbering's, so add the quote's to it here.
                pf.left_indent = Twips(_INDENT * (block.quote + list_.level + 1))
                pf.first_line_indent = Twips(-_INDENT)
            return
        if item is not None:
            # A further paragraph of a list item lines up with the item's text.
            pf.left_indent = Twips(_INDENT * (block.quote + item.list.level + 1))
            pf.first_line_indent = Twips(0)
        elif block.quote:
            pf.left_indent = Twips(_INDENT * block.quote)

    def heading_style(self, level: int):
        """(style or None, whether the paragraph needs its own w:outlineLvl)."""
        if level not in self._heading_styles:
            self._heading_styles[level] = _heading_style(self.docx.styles, level)
        return self._heading_styles[level]

    # -- tables --------------------------------------------------------------------------

    def table(self, el, fmt: _Fmt, block: _Block, depth: int) -> None:
        rows = []  # (is_header, [td/th elements])
        for child in el:
            if not isinstance(child.tag, str):
                continue
            tag = child.tag.lower()
            if tag == "caption":
                self.children(child, fmt, replace(block, item=None), depth + 1)
                self.flush()
            elif tag in ("thead", "tbody", "tfoot"):
                rows.extend(_rows(child, header=tag == "thead"))
            elif tag == "tr":
                rows.extend(_rows_of([child], header=False))
        layout, n_cols = _layout(rows)
        if not layout:
            return
        container = self.container
        table = container.add_table(len(rows), n_cols)
        # A nested table fills its cell; a top-level one the main document's text width (the
        # subdoc's own section is python-docx's Letter page, not the template's).
        width = (container.width if isinstance(container, _Cell) else None) or _text_width(self.docx)
        _style_table(table)
        for r, c, colspan, rowspan, _cell_el in layout:
            if colspan > 1 or rowspan > 1:
                table.cell(r, c).merge(table.cell(r + rowspan - 1, c + colspan - 1))
        _set_widths(table, width, n_cols)
        # Only leading header rows can repeat on each page: Word repeats rows from the top.
        for tr, (is_header, _cells) in zip(table._tbl.tr_lst, rows, strict=True):
            if not is_header:
                break
            tr.get_or_add_trPr().append(OxmlElement("w:tblHeader"))
        self.wrote = True
        for r, c, _colspan, _rowspan, cell_el in layout:
            cell = table.cell(r, c)
            bold = cell_el.tag.lower() == "th" or rows[r][0]
            self.cell(cell, cell_el, replace(fmt, bold=fmt.bold or bold), depth + 1)
        self.container = container

    def cell(self, cell, el, fmt: _Fmt, depth: int) -> None:
        tc = cell._tc
        placeholder = tc.p_lst[0]  # python-docx makes every cell with one empty paragraph
        self.container = cell
        self.children(el, fmt, _Block(), depth)
        self.flush()
        blocks = [child for child in tc if child.tag in (qn("w:p"), qn("w:tbl"))]
        if len(blocks) > 1 and placeholder in blocks:
            tc.remove(placeholder)
        if tc[-1].tag == qn("w:tbl"):
            cell.add_paragraph()  # Word wants a paragraph after a table at the end of a cell


def _rows(section, header: bool):
    return _rows_of([tr for tr in section if isinstance(tr.tag, str) and tr.tag.lower() == "tr"], header)


def _rows_of(trs, header: bool):
    for tr in trs:
        cells = [td for td in tr if isinstance(td.tag, str) and td.tag.lower() in ("td", "th")]
        if cells:
            # A row of <th> only is a header row even without <thead>, as editors write it.
            yield header or all(td.tag.lower() == "th" for td in cells), cells


def _span(el, name: str) -> int:
    value = (el.get(name) or "").strip()
    if not (value.isdigit() and value.isascii()):
        return 1
    # Any span is clipped to the table later; the cut keeps int() off a 10 000-digit string.
    return int(value.lstrip("0")[:6] or "0")


def _layout(rows):
    """Place cells on the grid as the HTML table model does: each cell takes the next free
    column of its row; rowspans reserve the columns below. Returns ([(row, col, colspan,
    rowspan, element)], column count). Spans are clipped so no two cells overlap."""
    taken: set[tuple[int, int]] = set()
    placed = []
    n_rows = len(rows)
    for r, (_header, cells) in enumerate(rows):
        c = 0
        for el in cells:
            while (r, c) in taken:
                c += 1
            if c >= _MAX_COLUMNS:
                break
            colspan = max(1, min(_span(el, "colspan"), _MAX_COLUMNS - c))
            rowspan = _span(el, "rowspan")
            rowspan = n_rows - r if rowspan == 0 else max(1, min(rowspan, n_rows - r))  # 0: to the end
            for k in range(1, colspan):
                if (r, c + k) in taken:
                    colspan = k
                    break
            for dr in range(rowspan):
                for dc in range(colspan):
                    taken.add((r + dr, c + dc))
            placed.append((r, c, colspan, rowspan, el))
            c += colspan
    if not placed:
        return [], 0
    # A colspan reaching past the last column any cell starts in only widens the table with
    # empty columns (colspan="999" is a common editor idiom for "the whole row"), and a grid
    # line no cell starts at is no column of its own: keep just the lines cells start at.
    width = max(c for _r, c, _cs, _rs, _el in placed) + 1
    lines = sorted({c for _r, c, _cs, _rs, _el in placed} | {width})
    column = {line: i for i, line in enumerate(lines)}
    return [(r, column[c], bisect_left(lines, min(c + colspan, width)) - column[c], rowspan, el)
            for r, c, colspan, rowspan, el in placed], len(lines) - 1


def _text_width(docx):
    try:
        section = docx.sections[-1]
        width = section.page_width - section.left_margin - section.right_margin
    except (IndexError, TypeError):
        return _DEFAULT_TEXT_WIDTH
    return width if width > 0 else _DEFAULT_TEXT_WIDTH


def _style_table(table) -> None:
    """Full text width and single-line grid borders, set directly: a template need not have a
    "Table Grid" style, and a table without borders reads as loose text in a printed plan."""
    tbl_pr = table._tbl.tblPr
    tbl_w = tbl_pr.find(qn("w:tblW"))
    if tbl_w is None:
        tbl_w = OxmlElement("w:tblW")
        tbl_pr.insert_element_before(tbl_w, "w:jc", "w:tblCellSpacing", "w:tblInd", "w:tblBorders",
                                     "w:shd", "w:tblLayout", "w:tblCellMar", "w:tblLook")
    tbl_w.set(qn("w:type"), "pct")
    tbl_w.set(qn("w:w"), "5000")
    borders = OxmlElement("w:tblBorders")
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        edge = OxmlElement(f"w:{side}")
        edge.set(qn("w:val"), "single")
        edge.set(qn("w:sz"), "4")
        edge.set(qn("w:space"), "0")
        edge.set(qn("w:color"), "auto")
        borders.append(edge)
    tbl_pr.insert_element_before(borders, "w:shd", "w:tblLayout", "w:tblCellMar", "w:tblLook",
                                 "w:tblCaption", "w:tblDescription", "w:tblPrChange")


def _set_widths(table, width, n_cols) -> None:
    col = int(width / n_cols)
    for grid_col in table._tbl.tblGrid.gridCol_lst:
        grid_col.w = col
    for tr in table._tbl.tr_lst:
        for tc in tr.tc_lst:
            tc.width = col * tc.grid_span


# -- styles ------------------------------------------------------------------------------------

_OUTLINE_SUCCESSORS = ("w:divId", "w:cnfStyle", "w:rPr", "w:sectPr", "w:pPrChange")


def _outline_element(level: int):
    el = OxmlElement("w:outlineLvl")
    el.set(qn("w:val"), str(level))
    return el


def _set_outline_level(paragraph, level: int) -> None:
    paragraph._p.get_or_add_pPr().insert_element_before(_outline_element(level), *_OUTLINE_SUCCESSORS)


def _has_outline_level(style) -> bool:
    seen = set()
    while style is not None and style.style_id not in seen:
        seen.add(style.style_id)
        p_pr = style.element.pPr
        if p_pr is not None and p_pr.find(qn("w:outlineLvl")) is not None:
            return True
        style = style.base_style
    return False


def _heading_style(styles, level: int):
    """The template's "Heading N" (python-docx maps the name to Word's built-in "heading N",
    which Chinese Word shows as 标题 N), added when the template never defined it. A TOC field
    finds headings by outline level, so a style without one gets it on each paragraph."""
    name = f"Heading {level}"
    if name in styles:
        style = styles[name]
        if style.type != WD_STYLE_TYPE.PARAGRAPH:
            return None, True
        return style, not _has_outline_level(style)
    style = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    if "Normal" in styles:
        style.base_style = styles["Normal"]
        style.next_paragraph_style = styles["Normal"]
    style.priority = 9
    style.quick_style = True
    style.unhide_when_used = True
    style.font.bold = True
    style.font.size = Pt({2: 16, 3: 15, 4: 14, 5: 14}.get(level, 14))
    style.paragraph_format.keep_with_next = True
    style.paragraph_format.space_before = Pt(6)
    style.paragraph_format.space_after = Pt(6)
    style.element.get_or_add_pPr().insert_element_before(_outline_element(level - 1), *_OUTLINE_SUCCESSORS)
    return style, False


# -- numbering ---------------------------------------------------------------------------------

# Word's own bullet glyphs per level (Symbol •, Courier New o, Wingdings ▪), as its built-in
# bullet list writes them, so Word, WPS and LibreOffice all draw them.
_BULLETS = (("\uf0b7", "Symbol"), ("o", "Courier New"), ("\uf0a7", "Wingdings"))


class _Numbering:
    """Numbering definitions in the main document's numbering part. Every list gets its own
    abstractNum, so each one starts at 1 (separate w:num on a shared abstractNum continue the
    count in Word unless overridden, and LibreOffice and WPS differ on that)."""

    def __init__(self, docx):
        self.docx = docx
        self._root = None

    @property
    def root(self):
        if self._root is None:
            part = self.docx.part
            try:
                numbering_part = part.part_related_by(RT.NUMBERING)
            except KeyError:
                # python-docx cannot create one (NumberingPart.new is not implemented).
                names = {str(p.partname) for p in part.package.iter_parts()}
                partname = "/word/numbering.xml"
                if partname in names:
                    partname = part.package.next_partname("/word/numbering%d.xml")
                numbering_part = NumberingPart(PackURI(partname), CT.WML_NUMBERING,
                                               parse_xml(f"<w:numbering {nsdecls('w')}/>"), part.package)
                part.relate_to(numbering_part, RT.NUMBERING)
            self._root = numbering_part.element
        return self._root

    def new_list(self, ordered: bool, level: int) -> int:
        root = self.root
        abstracts = root.findall(qn("w:abstractNum"))
        nums = root.findall(qn("w:num"))
        abstract_id = 1 + max((_int(a.get(qn("w:abstractNumId"))) for a in abstracts), default=-1)
        num_id = 1 + max((_int(n.get(qn("w:numId"))) for n in nums), default=0)

        abstract = parse_xml(_abstract_xml(abstract_id, ordered))
        # Schema order: numPicBullet*, abstractNum*, num*, numIdMacAtCleanup?
        if abstracts:
            abstracts[-1].addnext(abstract)
        else:
            root.insert_element_before(abstract, "w:num", "w:numIdMacAtCleanup")
        num = parse_xml(f'<w:num {nsdecls("w")} w:numId="{num_id}"><w:abstractNumId w:val="{abstract_id}"/></w:num>')
        root.insert_element_before(num, "w:numIdMacAtCleanup")
        return num_id


def _int(value) -> int:
    # A hand-edited template may carry a malformed id; it must not stop the document.
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def _abstract_xml(abstract_id: int, ordered: bool) -> str:
    # Word takes lists with the same nsid for one list when text is pasted between documents,
    # so it is random rather than derived from the id every generated document reuses.
    nsid = secrets.token_hex(4).upper()
    levels = []
    for ilvl in range(9):
        if ordered:
            # Browsers number every nesting level 1. 2. 3.; so does the document.
            fmt = f'<w:numFmt w:val="decimal"/><w:lvlText w:val="%{ilvl + 1}."/>'
            rpr = ""
        else:
            glyph, font = _BULLETS[ilvl % len(_BULLETS)]
            fmt = f'<w:numFmt w:val="bullet"/><w:lvlText w:val="{glyph}"/>'
            rpr = f'<w:rPr><w:rFonts w:ascii="{font}" w:hAnsi="{font}" w:hint="default"/></w:rPr>'
        levels.append(
            f'<w:lvl w:ilvl="{ilvl}"><w:start w:val="1"/>{fmt}<w:lvlJc w:val="left"/>'
            f'<w:pPr><w:ind w:left="{_INDENT * (ilvl + 1)}" w:hanging="{_INDENT}"/></w:pPr>{rpr}</w:lvl>'
        )
    return (f'<w:abstractNum {nsdecls("w")} w:abstractNumId="{abstract_id}"><w:nsid w:val="{nsid}"/>'
            f'<w:multiLevelType w:val="hybridMultilevel"/>{"".join(levels)}</w:abstractNum>')


# -- text --------------------------------------------------------------------------------------


def _clean(text: str) -> str:
    """Drop what cannot or should not be in a Word text node: C0/C1 controls (XML forbids most;
    docxtpl would also turn a BEL into a new paragraph), U+FFFD (the parser's stand-in for them),
    BOMs, lone surrogates and non-characters. Collapsible white space stays for _collapse."""
    return _UNWANTED.sub("", text)


def _wide(ch: str) -> bool:
    return unicodedata.east_asian_width(ch) in ("W", "F") and not ("\uac00" <= ch <= "\ud7a3")


def _collapse(items: list) -> list:
    """White space as a browser lays it out: runs of collapsible spaces become one space, none at
    the start or end of a line, and a line break in the source between two Chinese characters
    disappears (CSS Text 3 segment-break rule) instead of becoming a stray space. A final <br>
    ends the line it is on rather than adding an empty one. Returns runs: (text, fmt) or _BR."""
    lines: list[list] = [[]]
    for item in items:
        if item is _BR:
            lines.append([])
        else:
            lines[-1].append(item)
    if len(lines) > 1 and not any(ch not in _COLLAPSIBLE for ch, _f in lines[-1]):
        lines.pop()

    runs: list = []
    for index, line in enumerate(lines):
        if index:
            runs.append(_BR)
        out: list[tuple[str, _Fmt]] = []
        i, n = 0, len(line)
        while i < n:
            ch, fmt = line[i]
            if ch not in _COLLAPSIBLE:
                out.append((ch, fmt))
                i += 1
                continue
            j = i
            while j < n and line[j][0] in _COLLAPSIBLE:
                j += 1
            segment = "".join(c for c, _f in line[i:j])
            drop = (not out or j == n
                    or (("\n" in segment or "\r" in segment) and _wide(out[-1][0]) and _wide(line[j][0])))
            if not drop:
                out.append((" ", fmt))
            i = j
        for ch, fmt in out:
            if runs and runs[-1] is not _BR and runs[-1][1] == fmt:
                runs[-1] = (runs[-1][0] + ch, fmt)
            else:
                runs.append((ch, fmt))
    return runs


# ---------------------------------------------------------------------------- browser-side HTML

# What the section editor may keep when a section is saved (and shown in the browser again): the
# same whitelist the Word writer understands, with no attribute but colspan/rowspan.
_KEEP = frozenset({"h1", "h2", "h3", "h4", "p", "br", "strong", "em", "u", "s", "sub", "sup", "ol", "ul", "li",
                   "table", "thead", "tbody", "tr", "th", "td", "blockquote"})
_RENAME = {"b": "strong", "i": "em", "strike": "s", "del": "s", "ins": "u", "div": "p"}


def sanitize(html: str) -> str:
    """Untrusted editor HTML → the same content with only whitelisted tags and no attributes
    except numeric colspan/rowspan; dropped elements (script, img …) lose their content, other
    unknown tags keep their text."""
    root = _parse(_clean(html or ""))
    if root is None:
        return ""
    for el in list(root.iter()):
        if el is root or not isinstance(el.tag, str):
            continue
        tag = _RENAME.get(el.tag, el.tag)
        if tag not in _KEEP:
            el.drop_tag()
            continue
        el.tag = tag
        spans = {k: v for k, v in el.attrib.items() if k in ("colspan", "rowspan") and v.isdigit() and 1 < int(v) <= 63}
        el.attrib.clear()
        el.attrib.update(spans)
    text = (root.text or "")
    inner = "".join(lxml.html.tostring(child, encoding="unicode") for child in root)
    return (str(_escape_text(text)) + inner).strip()


def _escape_text(text: str) -> str:
    from markupsafe import escape

    return escape(text)
