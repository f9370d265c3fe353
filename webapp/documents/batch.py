"""Batch printing: one template, thousands of records (培训合格证明 for a whole class), fast.

engine.render loads, re-parses and re-compresses the whole package for every document. Here the
template is prepared once: docxtpl's own preprocessing (patch_xml) runs once per XML part that
holds Jinja tags and the result is compiled once in engine.environment(). Per record only those
parts are rendered; every other zip entry is copied as its already-compressed bytes.

    compiled = compile_template(data)
    compiled.render(context)                        → one .docx, as engine.render would make it
    write_zip(compiled, records, "out.zip")         → a zip of separate .docx files
    write_merged(compiled, records, "print.docx")   → one .docx, a page per record, for printing

Records are consumed from any iterable and output goes straight to disk, so memory stays flat
however many records there are. Output is written to out + ".part" and renamed when complete; a
failure — a record's missing field, or an exception from the progress callback, which is how a job
is cancelled — removes the partial file and propagates. Per-record errors are TemplateProblems
starting 第 N 条记录 (N counts from 1).

Records holding rich text (Rich, a docxtpl Subdoc) are not batch material: write_zip and render
hand those documents to engine.render; write_merged refuses them.
"""

import hashlib
import io
import os
import posixpath
import re
import struct
import tempfile
import time
import zipfile
import zlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

import qrcode
from docx.image.image import Image as DocxImage
from docx.oxml.ns import nsdecls
from docx.shared import Mm
from jinja2 import TemplateSyntaxError, UndefinedError
from jinja2.exceptions import SecurityError, TemplateError
from lxml import etree
from qrcode.constants import ERROR_CORRECT_M

from webapp.documents import engine
from webapp.documents.engine import TemplateProblem
from webapp.documents.images import Picture, QRCode, Seal, float_over_text
from webapp.documents.richtext import Rich
from webapp.errors import UserError

PROGRESS_EVERY = 50
XML_DECLARATION = "<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n"
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
WP = "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
CT = "http://schemas.openxmlformats.org/package/2006/content-types"
RT_IMAGE = R + "/image"
RT_HEADER = R + "/header"
RT_FOOTER = R + "/footer"
RT_FOOTNOTES = R + "/footnotes"
IMAGE_TYPES = {"png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg", "gif": "image/gif", "bmp": "image/bmp"}
# docxtpl renders these core properties as templates too (DocxTemplate.render_properties).
CORE_PROPERTIES = {
    "{http://purl.org/dc/elements/1.1/}creator", "{http://purl.org/dc/elements/1.1/}description",
    "{http://purl.org/dc/elements/1.1/}identifier", "{http://purl.org/dc/elements/1.1/}language",
    "{http://purl.org/dc/elements/1.1/}subject", "{http://purl.org/dc/elements/1.1/}title",
}
_JINJA_MARKERS = ("{{", "{%", "{#", "{_{", "}_}", "{_%", "%_}")
_DOCPR_ID = re.compile(r'(<wp:docPr\b[^>]*?\bid=")(\d+)(")')
_WORD_IDS = re.compile(r'\sw14:(?:paraId|textId)="[0-9A-Fa-f]*"')
_ZIP_LIMIT = 0xFFFFFFFF
_DOS_EPOCH = (1980, 1, 1, 0, 0, 0)


# ---------------------------------------------------------------------------------------------
# QR codes

def qr_png_fast(text: str) -> bytes:
    """Pixel for pixel images.qr_png (same version, error correction, mask, 8-px modules, 2-module
    border, 1-bit greyscale), written without Pillow: qrcode's image factory draws every module as
    a rectangle, which costs more than encoding the data. With 8 pixels a module, one module is one
    byte of a 1-bit scanline, so a row of modules is a row of 0x00/0xFF bytes repeated 8 times."""
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, box_size=8, border=2, mask_pattern=0)
    code.add_data(text)
    code.make(fit=True)
    matrix = code.get_matrix()
    size = len(matrix) * 8
    raw = b"".join((b"\x00" + bytes(row).translate(_MODULE_BYTES)) * 8 for row in matrix)
    return b"".join((
        b"\x89PNG\r\n\x1a\n",
        _png_chunk(b"IHDR", struct.pack(">IIBBBBB", size, size, 1, 0, 0, 0, 0)),
        _png_chunk(b"IDAT", zlib.compress(raw, 6)),
        _png_chunk(b"IEND", b""),
    ))


_MODULE_BYTES = bytes([255, 0]) + bytes(254)  # module False (light) → white byte, True (dark) → black


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


# ---------------------------------------------------------------------------------------------
# A minimal zip writer: it can copy an entry's compressed bytes as they are, which zipfile cannot.

@dataclass(frozen=True)
class _Entry:
    name: str
    data: bytes  # as stored: deflated when method is 8
    crc: int
    size: int
    method: int
    date_time: tuple = _DOS_EPOCH

    @classmethod
    def make(cls, name: str, content: bytes, compress: bool = True, date_time: tuple = _DOS_EPOCH) -> "_Entry":
        data = _deflate(content) if compress else content
        return cls(name, data, zlib.crc32(content), len(content), 8 if compress else 0, date_time)


def _deflate(content: bytes, level: int = 6) -> bytes:
    packer = zlib.compressobj(level, zlib.DEFLATED, -15)
    return packer.compress(content) + packer.flush()


def _dos_time(date_time: tuple) -> tuple[int, int]:
    y, mo, d, h, mi, s = date_time
    return (h << 11) | (mi << 5) | (s // 2), ((max(y, 1980) - 1980) << 9) | (mo << 5) | d


class _ZipWriter:
    """Writes entries to a binary file in order; the file need not be seekable."""

    def __init__(self, fp):
        self.fp = fp
        self.offset = 0
        self.central: list[bytes] = []

    def _header(self, name: str, crc: int, csize: int, size: int, method: int, date_time: tuple) -> None:
        encoded = name.encode("utf-8")
        flags = 0 if name.isascii() else 0x800
        dtime, ddate = _dos_time(date_time)
        if self.offset + csize + len(encoded) + 30 > _ZIP_LIMIT or len(self.central) >= 0xFFFF:
            raise TemplateProblem("生成的文件超过 4 GB 或 65535 个部件的上限，请减少每批的记录数后分批打印")
        self.central.append(struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, flags, method, dtime, ddate,
                                        crc, csize, size, len(encoded), 0, 0, 0, 0, 0, self.offset) + encoded)
        header = struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, flags, method, dtime, ddate, crc, csize, size,
                             len(encoded), 0) + encoded
        self.fp.write(header)
        self.offset += len(header)

    def add(self, entry: _Entry) -> None:
        self._header(entry.name, entry.crc, len(entry.data), entry.size, entry.method, entry.date_time)
        self.fp.write(entry.data)
        self.offset += len(entry.data)

    def add_spooled(self, name: str, spool, crc: int, csize: int, size: int) -> None:
        """An entry whose deflated bytes are in the file spool (read from its start)."""
        if size > _ZIP_LIMIT:
            raise TemplateProblem("合并后的正文超过 4 GB，请减少每批的记录数后分批打印")
        self._header(name, crc, csize, size, 8, _now())
        spool.seek(0)
        while chunk := spool.read(1 << 20):
            self.fp.write(chunk)
        self.offset += csize

    def close(self) -> None:
        directory = b"".join(self.central)
        self.fp.write(directory)
        self.fp.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(self.central), len(self.central),
                                  len(directory), self.offset, 0))


def _now() -> tuple:
    return datetime.now().timetuple()[:6]


def _read_entries(data: bytes) -> list[_Entry]:
    """The template's entries with their compressed bytes, read from the local headers."""
    entries = []
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for info in archive.infolist():
            if info.is_dir():
                continue
            if info.flag_bits & 0x1:
                raise TemplateProblem("模板文件已加密，不能使用；请在 Word 中取消密码后另存为 .docx")
            start = info.header_offset
            name_len, extra_len = struct.unpack("<HH", data[start + 26:start + 30])
            body = start + 30 + name_len + extra_len
            if info.compress_type in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                entries.append(_Entry(info.filename, data[body:body + info.compress_size], info.CRC,
                                      info.file_size, info.compress_type, info.date_time))
            else:  # deflate64, bzip2 …: rare, and not every Word reader takes them; recompress
                entries.append(_Entry.make(info.filename, archive.read(info), date_time=info.date_time))
    return entries


# ---------------------------------------------------------------------------------------------
# Images: docxtpl's InlineImage, but registering its media with our writer instead of python-docx.

@dataclass
class _ImageInfo:
    blob: bytes
    digest: str
    ext: str
    cx: int
    cy: int
    raise_by: int | None = None  # a seal floats over the text, its centre this far above its line (EMU)


class _BatchImage:
    """Renders as a <w:drawing> in the part being rendered, like docxtpl.InlineImage: the text
    run is closed, the drawing gets a run of its own, and a new run reopens the text."""

    __slots__ = ("doc", "info")

    def __init__(self, doc: "_DocumentMedia", info: _ImageInfo):
        self.doc, self.info = doc, info

    def __html__(self) -> str:
        return self.doc.drawing(self.info)

    __str__ = __html__


def _image_info(value: QRCode | Picture, cache: dict) -> _ImageInfo:
    # The seal is the same picture on every certificate: check and measure it once. Pictures are
    # frozen dataclasses, so equal specs hit; the cache is small because photos differ per record.
    if isinstance(value, Picture) and (info := cache.get(value)) is not None:
        return info
    width = Mm(value.width_mm) if value.width_mm else None
    height = Mm(value.height_mm) if value.height_mm else None
    if type(value) is QRCode and width:
        # square, so python-docx's scaling would give the width both ways; no need to read the PNG
        blob = qr_png_fast(value.text)
        info = _ImageInfo(blob, hashlib.sha1(blob).hexdigest(), "png", int(width), int(height or width))
    else:
        blob = qr_png_fast(value.text) if type(value) is QRCode else value.png()
        image = DocxImage.from_blob(blob)
        cx, cy = image.scaled_dimensions(width, height)
        info = _ImageInfo(blob, hashlib.sha1(blob).hexdigest(), image.ext, int(cx), int(cy))
    if isinstance(value, Seal):
        info.raise_by = int(Mm(value.raise_mm))
    if isinstance(value, Picture):
        if len(cache) >= 16:
            cache.clear()
        cache[value] = info
    return info


_DRAWING = (
    '</w:t></w:r><w:r><w:drawing><wp:inline distT="0" distB="0" distL="0" distR="0" '
    + nsdecls("wp", "a", "pic", "r")
    + '><wp:extent cx="{cx}" cy="{cy}"/><wp:docPr id="{id}" name="Picture {id}"/>'
    '<wp:cNvGraphicFramePr><a:graphicFrameLocks noChangeAspect="1"/></wp:cNvGraphicFramePr>'
    '<a:graphic><a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/picture">'
    '<pic:pic><pic:nvPicPr><pic:cNvPr id="0" name="image.{ext}"/><pic:cNvPicPr/></pic:nvPicPr>'
    '<pic:blipFill><a:blip r:embed="{rid}"/><a:stretch><a:fillRect/></a:stretch></pic:blipFill>'
    '<pic:spPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="{cx}" cy="{cy}"/></a:xfrm><a:prstGeom prst="rect"/>'
    '</pic:spPr></pic:pic></a:graphicData></a:graphic></wp:inline></w:drawing></w:r><w:r>'
    '<w:t xml:space="preserve">'
)


@dataclass
class _PartRels:
    """Relationships added to one rendered part (its images)."""

    next_rid: int
    by_digest: dict = field(default_factory=dict)  # image digest → rId
    added: list = field(default_factory=list)  # (rId, target)


class _DocumentMedia:
    """The media of one output document: images become word/media parts (one per distinct picture,
    as python-docx does), each part that shows one gets a relationship to it."""

    def __init__(self, compiled: "CompiledTemplate", write_media: Callable[[_Entry], None] | None = None):
        self.compiled = compiled
        self.next_media = compiled.next_media
        self.media_by_digest: dict[str, str] = {}
        self.media: list[_Entry] = []
        self.write_media = write_media
        self.rels: dict[str, _PartRels] = {}
        self.part: _Part | None = None
        self.shape_id = 0

    def drawing(self, info: _ImageInfo) -> str:
        part = self.part
        rels = self.rels.get(part.name)
        if rels is None:
            rels = self.rels[part.name] = _PartRels(part.next_rid)
        rid = rels.by_digest.get(info.digest)
        if rid is None:
            name = self.media_by_digest.get(info.digest)
            if name is None:
                name = f"word/media/image{self.next_media}.{info.ext}"
                self.next_media += 1
                self.media_by_digest[info.digest] = name
                entry = _Entry.make(name, info.blob, compress=False)  # PNG and JPEG are compressed already
                if self.write_media:
                    self.write_media(entry)
                else:
                    self.media.append(entry)
            rid = f"rId{rels.next_rid}"
            rels.next_rid += 1
            rels.by_digest[info.digest] = rid
            rels.added.append((rid, posixpath.relpath(name, posixpath.dirname(part.name))))
        self.shape_id += 1
        xml = _DRAWING.format(cx=info.cx, cy=info.cy, id=self.shape_id, ext=info.ext, rid=rid)
        return xml if info.raise_by is None else float_over_text(xml, info.raise_by)

    def rels_xml(self, part: "_Part") -> bytes | None:
        rels = self.rels.get(part.name)
        if not rels or not rels.added:
            return None
        added = "".join(f'<Relationship Id="{rid}" Type="{RT_IMAGE}" Target="{target}"/>'
                        for rid, target in rels.added)
        return part.rels_head + added.encode() + b"</Relationships>"


# ---------------------------------------------------------------------------------------------
# The compiled template

@dataclass
class _Part:
    name: str  # zip entry, e.g. word/footer1.xml
    template: object  # jinja2.Template
    is_body: bool
    rels_name: str
    rels_head: bytes  # the part's .rels up to </Relationships>
    next_rid: int
    first_shape_id: int = 0


def _rels_name(part_name: str) -> str:
    folder, base = posixpath.split(part_name)
    return posixpath.join(folder, "_rels", base + ".rels")


def _grid_may_change(body_xml: str, body) -> bool:
    """Whether docxtpl's fix_tables could change a rendered body. It only adjusts a table's grid
    (w:gridCol) to the cells its rows hold. If every row of the template fills its grid exactly and
    no tag adds or spans cells ({%tc %}, hm, colspan), rows copied or dropped by {%tr %} still fill
    it, and the table walk — a third of the body's rendering — can be skipped. A table left with
    no rows at all is checked per record."""
    text = re.sub(r"<[^>]+>", "", body_xml)
    if re.search(r"\{[{%#]-?\s*tc\s|\{%-?\s*(?:hm|colspan)\b", text):
        return True
    for table in body.iter(f"{{{W}}}tbl"):
        grid = table.find(f"{{{W}}}tblGrid")
        if grid is None:
            return True
        columns = len(grid.findall(f"{{{W}}}gridCol"))
        for row in table.iter(f"{{{W}}}tr"):  # nested tables' rows too, as fix_tables counts them
            width = 0
            for cell in row.findall(f"{{{W}}}tc"):
                span = cell.find(f"{{{W}}}tcPr/{{{W}}}gridSpan")
                value = "1" if span is None else span.get(f"{{{W}}}val", "")
                if not value.isdigit():
                    return True
                width += int(value)
            if width != columns:
                return True
    return False


def _has_tags(xml: str) -> bool:
    return any(marker in xml for marker in _JINJA_MARKERS)


def compile_template(data: bytes, *, bureau: str = "") -> "CompiledTemplate":
    """Check and prepare a template for many renders; TemplateProblem if it cannot be used."""
    return CompiledTemplate(data, bureau=bureau)


class CompiledTemplate:
    def __init__(self, data: bytes, *, bureau: str = ""):
        self.data = data
        self.bureau = bureau
        tpl = engine.load(data)
        try:
            tpl.init_docx()
        except Exception:
            raise TemplateProblem("无法打开该 Word 文档，文件可能已损坏；请用 Word 或 WPS 另存为 .docx 后重试") from None
        self._tpl = tpl  # docxtpl's helpers (patch_xml, fix_tables, resolve_listing) are used as they are
        self.env = engine.environment()
        self.entries = _read_entries(data)
        names = {e.name for e in self.entries}
        self.next_media = 1 + max((int(m.group(1)) for n in names
                                   if (m := re.match(r"word/media/image(\d+)\.", n))), default=0)
        document = tpl.docx.part
        self.document_name = document.partname.lstrip("/")

        # The body, as docxtpl renders it: the <w:body> element alone, spliced back into the document.
        root = tpl.docx.element
        body = root.body
        self.body_tag = body.tag
        self.body_open = f"<{body.prefix}:body>" if body.prefix else "<body>"
        self.body_close = f"</{body.prefix}:body>" if body.prefix else "</body>"
        copy = etree.fromstring(etree.tostring(root))
        marker = etree.Element("batch-body-marker")
        copy.replace(copy.find(body.tag), marker)
        self.doc_prefix, self.doc_suffix = etree.tostring(copy, encoding="unicode").split("<batch-body-marker/>")
        body_xml = tpl.get_xml()
        self.parts = [self._part(document, body_xml, is_body=True)]
        self.grid_may_change = _grid_may_change(body_xml, body)

        # Headers, footers and footnotes hold tags too (docxtpl renders them all); the others are copied.
        for reltype in (RT_HEADER, RT_FOOTER, RT_FOOTNOTES):
            for rel in document.rels.values():
                if rel.reltype != reltype or rel.is_external or not rel.target_part.blob:
                    continue
                target = rel.target_part
                if reltype == RT_FOOTNOTES:  # docxtpl renders the blob as it is, declaration aside
                    xml = re.sub(r"^<\?xml[^>]*\?>\s*", "", target.blob.decode("utf-8"))
                else:
                    xml = tpl.get_part_xml(target)
                if _has_tags(tpl.patch_xml(xml)):
                    part = self._part(target, xml, is_body=False)
                    # python-docx numbers a new picture after the largest id in the part
                    part.first_shape_id = max((int(i) for i in etree.fromstring(xml.encode()).xpath("//@id")
                                               if i.isdigit()), default=0)
                    self.parts.append(part)
        self.rendered_names = {p.name for p in self.parts}

        self.core_templates = self._core_properties(names)
        self.content_types = self._content_types()
        self.timings = {"images": 0.0, "render": 0.0, "write": 0.0}
        self._image_cache: dict = {}

    def _part(self, part, xml: str, *, is_body: bool) -> _Part:
        patched = self._tpl.patch_xml(xml)
        source = re.sub(r"<w:p([ >])", r"\n<w:p\1", patched)  # as docxtpl does: line numbers for errors
        try:
            template = self.env.from_string(source)
        except TemplateSyntaxError as exc:
            if exc.lineno is not None:
                first = max(exc.lineno - 4, 0)
                exc.docx_context = [re.sub(r"<[^>]+>", "", line) for line in source.splitlines()[first:first + 7]]
            raise TemplateProblem(engine.syntax_message(exc)) from None
        name = part.partname.lstrip("/")
        rels_name = _rels_name(name)
        existing = [e for e in self.entries if e.name == rels_name]
        if existing:
            rels = etree.fromstring(zlib.decompress(existing[0].data, -15) if existing[0].method == 8
                                    else existing[0].data)
            ids = [int(m.group(1)) for r in rels for m in [re.fullmatch(r"rId(\d+)", r.get("Id", ""))] if m]
            head = etree.tostring(rels, encoding="UTF-8", xml_declaration=True, standalone=True)
            head = head[:head.rindex(b"</")] if not head.endswith(b"/>") else head[:-2] + b">"
        else:
            ids = []
            head = f'{XML_DECLARATION}<Relationships xmlns="{RELS}">'.encode()
        return _Part(name, template, is_body, rels_name, head, max(ids, default=0) + 1)

    def _core_properties(self, names: set[str]):
        if "docProps/core.xml" not in names:
            return None
        entry = next(e for e in self.entries if e.name == "docProps/core.xml")
        root = etree.fromstring(zlib.decompress(entry.data, -15) if entry.method == 8 else entry.data)
        templates = {el.tag: self.env.from_string(el.text) for el in root
                     if el.tag in CORE_PROPERTIES and el.text and _has_tags(el.text)}
        return (root, templates) if templates else None

    def _content_types(self) -> _Entry:
        entry = next((e for e in self.entries if e.name == "[Content_Types].xml"), None)
        if entry is None:
            raise TemplateProblem("模板缺少 [Content_Types].xml，文件已损坏；请用 Word 或 WPS 另存为 .docx 后重试")
        root = etree.fromstring(zlib.decompress(entry.data, -15) if entry.method == 8 else entry.data)
        have = {el.get("Extension", "").lower() for el in root if el.tag == f"{{{CT}}}Default"}
        for ext, content_type in IMAGE_TYPES.items():
            if ext not in have:
                etree.SubElement(root, f"{{{CT}}}Default", Extension=ext, ContentType=content_type)
                # Defaults must precede Overrides in the schema.
                root.insert(0, root[-1])
        xml = etree.tostring(root, encoding="UTF-8", xml_declaration=True, standalone=True)
        return _Entry.make("[Content_Types].xml", xml, date_time=entry.date_time)

    # -- rendering ------------------------------------------------------------------------------

    def _values(self, context: Mapping, media: _DocumentMedia) -> dict:
        values = {"bureau": self.bureau, "today": date.today()} | dict(context)
        return {name: self._resolve(value, media) for name, value in values.items()}

    def _resolve(self, value, media: _DocumentMedia):
        if isinstance(value, QRCode | Picture):
            return _BatchImage(media, _image_info(value, self._image_cache))
        if isinstance(value, Rich):
            raise _NeedsEngine
        if isinstance(value, Mapping):
            return {k: self._resolve(v, media) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [self._resolve(v, media) for v in value]
        return value

    def _render_part(self, part: _Part, values: dict, media: _DocumentMedia) -> str:
        media.part = part
        media.shape_id = part.first_shape_id
        xml = part.template.render(values)
        xml = xml.replace("\n<w:p>", "<w:p>").replace("\n<w:p ", "<w:p ")
        if "{_" in xml or "_}" in xml:
            xml = xml.replace("{_{", "{{").replace("}_}", "}}").replace("{_%", "{%").replace("%_}", "%}")
        if any(c in xml for c in "\t\a\n\f"):  # a value with line breaks or tabs (docxtpl's listing rules)
            xml = self._tpl.resolve_listing(xml)
        return xml

    def _render_body(self, values: dict, media: _DocumentMedia, first_id: int):
        """The rendered <w:body> as an element, with docPr ids renumbered from first_id + 1."""
        xml = self._render_part(self.parts[0], values, media)
        if self.grid_may_change:
            tree = self._tpl.fix_tables(xml)
        else:
            tree = etree.fromstring(xml, etree.XMLParser(recover=True))  # as fix_tables parses
            if any(table.find(f"{{{W}}}tr") is None for table in tree.iter(f"{{{W}}}tbl")):
                tree = self._tpl.fix_tables(etree.tostring(tree, encoding="unicode"))
        for n, element in enumerate(tree.iter(f"{{{WP}}}docPr"), first_id + 1):
            element.set("id", str(n))
        return tree

    def _render_other(self, values: dict, media: _DocumentMedia) -> dict[str, bytes]:
        out = {}
        for part in self.parts[1:]:
            xml = self._render_part(part, values, media)
            try:
                etree.fromstring(xml.encode())
            except etree.XMLSyntaxError:
                raise TemplateProblem(f"模板的页眉、页脚或脚注（{part.name}）渲染后不是有效的 Word 内容，请检查其中的占位符") from None
            out[part.name] = (XML_DECLARATION + xml).encode()
        if self.core_templates:
            root, templates = self.core_templates
            root = etree.fromstring(etree.tostring(root))
            for element in root:
                if element.tag in templates:
                    element.text = str(templates[element.tag].render(values))
            out["docProps/core.xml"] = etree.tostring(root, encoding="UTF-8", xml_declaration=True, standalone=True)
        return out

    def render(self, context: Mapping) -> bytes:
        """One .docx: the same document engine.render makes, for a fraction of the work."""
        try:
            with _problems(""):
                return self._document(context)
        except _NeedsEngine:
            return engine.render(self.data, context, bureau=self.bureau)

    def _document(self, context: Mapping) -> bytes:
        started = time.perf_counter()
        media = _DocumentMedia(self)
        values = self._values(context, media)
        resolved = time.perf_counter()
        tree = self._render_body(values, media, 1000)
        body = etree.tostring(tree, encoding="unicode")
        rendered = {self.document_name: (XML_DECLARATION + self.doc_prefix + body + self.doc_suffix).encode()}
        rendered |= self._render_other(values, media)
        for part in self.parts:
            if (rels := media.rels_xml(part)) is not None:
                rendered[part.rels_name] = rels
        done_render = time.perf_counter()

        out = io.BytesIO()
        writer = _ZipWriter(out)
        for entry in self.entries:
            if entry.name == "[Content_Types].xml":
                writer.add(self.content_types)
            elif entry.name in rendered:
                writer.add(_Entry.make(entry.name, rendered.pop(entry.name), date_time=entry.date_time))
            else:
                writer.add(entry)
        for name, content in rendered.items():  # .rels of parts that had none
            writer.add(_Entry.make(name, content))
        for entry in media.media:
            writer.add(entry)
        writer.close()
        finished = time.perf_counter()
        self.timings["images"] += resolved - started
        self.timings["render"] += done_render - resolved
        self.timings["write"] += finished - done_render
        return out.getvalue()


class _NeedsEngine(Exception):
    """A value only engine.render can show (rich text)."""


class _problems:
    """Turn what a template or a record can get wrong into a TemplateProblem naming the record."""

    def __init__(self, prefix: str):
        self.prefix = prefix

    def __enter__(self):
        return self

    def __exit__(self, kind, exc, tb):
        if exc is None or isinstance(exc, _NeedsEngine):
            return False
        prefix = self.prefix
        if isinstance(exc, UndefinedError):
            message = engine.undefined_message(exc)
        elif isinstance(exc, SecurityError):
            message = "模板试图访问不允许的内容（例如对象的内部属性），出于安全原因已拒绝渲染；请检查模板中的占位符"
        elif isinstance(exc, TemplateError):
            message = f"模板无法渲染：{exc}"
        elif isinstance(exc, UserError):  # ImageError, TemplateProblem
            if not prefix:
                return False  # as engine.render raises them
            message = exc.message
        elif isinstance(exc, ValueError | TypeError):
            message = f"数据不符合模板要求：{exc}"
        else:
            return False
        raise TemplateProblem(prefix + message) from None


def _record_problems(n: int) -> _problems:
    return _problems(f"第 {n} 条记录：")


# ---------------------------------------------------------------------------------------------
# Batches

class _Progress:
    def __init__(self, callback: Callable[[int], object] | None):
        self.callback = callback

    def step(self, done: int) -> None:
        if self.callback and done % PROGRESS_EVERY == 0:
            self.callback(done)

    def finish(self, done: int) -> None:
        if self.callback and done % PROGRESS_EVERY:
            self.callback(done)


class _PartFile:
    """out + ".part", renamed to out on success and removed on any failure (cancellation included)."""

    def __init__(self, out):
        self.out = os.fspath(out)
        self.path = self.out + ".part"

    def __enter__(self):
        self.fp = open(self.path, "wb")  # noqa: SIM115 (closed in __exit__)
        return self.fp

    def __exit__(self, kind, exc, tb):
        self.fp.close()
        if exc is None:
            os.replace(self.path, self.out)
        else:
            try:
                os.remove(self.path)
            except FileNotFoundError:
                pass
        return False


def write_zip(compiled: CompiledTemplate, records: Iterable[Mapping], out,
              name: Callable[[int, Mapping], str] = lambda i, rec: f"{i:05d}.docx",
              progress: Callable[[int], object] | None = None) -> int:
    """A zip of one .docx per record (i counts from 1; a repeated name gets -2, -3 …). Returns the count."""
    ticker = _Progress(progress)
    done = 0
    seen: set[str] = set()
    with _PartFile(out) as fp, zipfile.ZipFile(fp, "w", zipfile.ZIP_STORED) as archive:
        for done, record in enumerate(records, 1):
            try:
                with _record_problems(done):
                    document = compiled._document(record)
            except _NeedsEngine:
                with _record_problems(done):
                    document = engine.render(compiled.data, record, bureau=compiled.bureau)
            filename = _unique(name(done, record), seen)
            started = time.perf_counter()
            # .docx is compressed already: stored, the zip costs one CRC pass.
            archive.writestr(zipfile.ZipInfo(filename, _now()), document, compress_type=zipfile.ZIP_STORED)
            compiled.timings["write"] += time.perf_counter() - started
            ticker.step(done)
        ticker.finish(done)
    return done


def _unique(filename: str, seen: set[str]) -> str:
    stem, dot, ext = filename.rpartition(".")
    if not dot:
        stem, ext = filename, ""
    candidate, n = filename, 1
    while candidate in seen:
        n += 1
        candidate = f"{stem}-{n}.{ext}" if dot else f"{stem}-{n}"
    seen.add(candidate)
    return candidate


def write_merged(compiled: CompiledTemplate, records: Iterable[Mapping], out,
                 progress: Callable[[int], object] | None = None) -> int:
    """One .docx with every record's certificate in order, each starting on a new page.

    All records share the template, so their rendered bodies are joined directly under the
    template's single final section (sectPr); each record's pictures become media parts of their
    own (an identical picture, such as the seal, is stored once) and docPr ids run on through the
    whole file. Headers and footers exist once: a record whose header or footer renders
    differently from the first record's is refused. Returns the count."""
    ticker = _Progress(progress)
    # The body is spooled (deflated) beside the output while pictures go straight into it: a zip
    # entry must be contiguous, and the body is only complete after the last record.
    spool_dir = os.path.dirname(os.path.abspath(os.fspath(out)))
    with _PartFile(out) as fp, tempfile.TemporaryFile(dir=spool_dir) as spool:
        writer = _ZipWriter(fp)
        writer.add(compiled.content_types)
        for entry in compiled.entries:
            if entry.name not in compiled.rendered_names and entry.name != "[Content_Types].xml" \
                    and entry.name not in {p.rels_name for p in compiled.parts} \
                    and not (compiled.core_templates and entry.name == "docProps/core.xml"):
                writer.add(entry)
        media = _DocumentMedia(compiled, write_media=writer.add)
        packer = zlib.compressobj(6, zlib.DEFLATED, -15)
        crc = size = csize = 0

        def spool_text(text: str) -> None:
            nonlocal crc, size, csize
            data = text.encode()
            crc = zlib.crc32(data, crc)
            size += len(data)
            packed = packer.compress(data)
            csize += len(packed)
            spool.write(packed)

        spool_text(XML_DECLARATION + compiled.doc_prefix + compiled.body_open)
        done, next_id, others, section = 0, 1000, None, ""
        for done, record in enumerate(records, 1):
            with _record_problems(done):
                try:
                    values = compiled._values(record, media)
                except _NeedsEngine:
                    raise TemplateProblem("含有富文本内容，不能合并成一个打印文件；请改为逐份生成（zip）") from None
                tree = compiled._render_body(values, media, next_id)
                rendered = compiled._render_other(values, media)
            if others is None:
                others = rendered
            elif rendered != others:
                raise TemplateProblem(f"第 {done} 条记录的页眉、页脚或文档属性与第 1 条不同，而合并后的文件只有一份页眉页脚；"
                                      "请把随记录变化的内容移到正文，或改为逐份生成（zip）")
            next_id += sum(1 for _ in tree.iter(f"{{{WP}}}docPr"))
            last = tree[-1] if len(tree) else None
            if last is not None and last.tag == f"{{{W}}}sectPr":
                if done == 1:
                    section = etree.tostring(last, encoding="unicode")
                tree.remove(last)
            if done > 1:
                _break_before(tree)
                for bookmark in tree.xpath("//w:bookmarkStart|//w:bookmarkEnd", namespaces={"w": W}):
                    bookmark.getparent().remove(bookmark)  # a name may appear once in a document
            spool_text(_inner(etree.tostring(tree, encoding="unicode")))
            ticker.step(done)
        if done == 0:
            raise TemplateProblem("没有要打印的记录")
        spool_text(_strip_namespaces(section) + compiled.body_close + compiled.doc_suffix)
        tail = packer.flush()
        spool.write(tail)
        csize += len(tail)

        writer.add_spooled(compiled.document_name, spool, crc, csize, size)
        for name, content in (others or {}).items():
            writer.add(_Entry.make(name, content))
        existing = {e.name for e in compiled.entries}
        for part in compiled.parts:
            rels = media.rels_xml(part)
            if rels is not None:
                writer.add(_Entry.make(part.rels_name, rels))
            elif part.rels_name in existing:
                writer.add(next(e for e in compiled.entries if e.name == part.rels_name))
        writer.close()
        ticker.finish(done)
    return done


def _inner(body_xml: str) -> str:
    """The content of a serialized <w:body …>…</w:body>, without the element's own tags (which
    carry its namespace declarations: the document element declares them already)."""
    if body_xml.endswith("/>") and body_xml.count("<") == 1:
        return ""
    return _WORD_IDS.sub("", body_xml[body_xml.index(">") + 1:body_xml.rindex("</")])


def _strip_namespaces(xml: str) -> str:
    return re.sub(r'\sxmlns(?::\w+)?="[^"]*"', "", xml, count=0) if xml else ""


_PPR_BEFORE_BREAK = {f"{{{W}}}pStyle", f"{{{W}}}keepNext", f"{{{W}}}keepLines"}


def _break_before(body) -> None:
    """Start this record on a new page: pageBreakBefore on its first paragraph (no empty paragraph
    that could spill onto a page of its own), or a page-break paragraph before a leading table."""
    first = body[0] if len(body) else None
    if first is not None and first.tag == f"{{{W}}}p":
        ppr = first.find(f"{{{W}}}pPr")
        if ppr is None:
            ppr = etree.SubElement(first, f"{{{W}}}pPr")
            first.insert(0, ppr)
        existing = ppr.find(f"{{{W}}}pageBreakBefore")
        if existing is not None:
            ppr.remove(existing)
        position = 0
        while position < len(ppr) and ppr[position].tag in _PPR_BEFORE_BREAK:
            position += 1
        ppr.insert(position, etree.Element(f"{{{W}}}pageBreakBefore"))
    else:
        paragraph = etree.Element(f"{{{W}}}p")
        etree.SubElement(etree.SubElement(paragraph, f"{{{W}}}r"), f"{{{W}}}br").set(f"{{{W}}}type", "page")
        body.insert(0, paragraph)
