"""Batch printing (webapp.documents.batch) against engine.render as the reference."""

import io
import zipfile
from datetime import date
from pathlib import Path

import pytest
from docx import Document
from docx.oxml.ns import qn
from PIL import Image

from tests.documents.batch_fixtures import certificate_template, record, records
from tests.documents.word import floating_pictures
from webapp.documents import batch, engine
from webapp.documents.engine import TemplateProblem
from webapp.documents.images import qr_png
from webapp.documents.kinds import KINDS
from webapp.documents.richtext import Rich

W_P, W_T = qn("w:p"), qn("w:t")
RT_IMAGE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/image"


@pytest.fixture(scope="module")
def template() -> bytes:
    return certificate_template()


@pytest.fixture(scope="module")
def compiled(template):
    return batch.compile_template(template)


PLACE = ("width_mm", "in_front", "centre_h_mm", "centre_above_mm")


def paragraphs(doc) -> list[str]:
    """Every paragraph of the body in order, tables included."""
    return ["".join(t.text or "" for t in p.iter(W_T)) for p in doc.element.body.iter(W_P)]


def footer_text(doc) -> str:
    return "\n".join(p.text for p in doc.sections[0].footer.paragraphs)


def blips(doc) -> list:
    """(rId, image blob) for each picture in the body; a KeyError if a relationship is missing."""
    part = doc.part
    return [(rid, part.related_parts[rid].blob) for rid in doc.element.body.xpath(".//a:blip/@r:embed")]


def same_pixels(png_a: bytes, png_b: bytes) -> bool:
    a, b = Image.open(io.BytesIO(png_a)), Image.open(io.BytesIO(png_b))
    return a.size == b.size and a.convert("L").tobytes() == b.convert("L").tobytes()


def no_output(out: Path) -> bool:
    return not out.exists() and not Path(str(out) + ".part").exists()


class Counting:
    """An iterator over records that remembers how many were taken."""

    def __init__(self, items):
        self.items, self.taken = iter(items), 0

    def __iter__(self):
        return self

    def __next__(self):
        item = next(self.items)
        self.taken += 1
        return item


def test_fast_qr_is_pixel_for_pixel_qr_png():
    for text in ["https://yjj.example.gov.cn/verify/3kP9xQ2mZt7wLr5v", "短", "x" * 300]:
        assert same_pixels(batch.qr_png_fast(text), qr_png(text))


def test_render_matches_engine(template, compiled):
    rec = record(7)
    ours, reference = Document(io.BytesIO(compiled.render(rec))), Document(io.BytesIO(engine.render(template, rec)))
    assert paragraphs(ours) == paragraphs(reference)
    assert footer_text(ours) == footer_text(reference) == "云溪县应急管理局监制　核验网址见二维码"
    assert "作业类别：危险化学品安全作业" not in paragraphs(ours)  # record 7 has none: {%p if %} dropped it
    assert len(blips(ours)) == len(blips(reference)) == 2


def test_zip_holds_one_document_per_record_as_engine_renders_it(tmp_path, template, compiled):
    out = tmp_path / "certificates.zip"
    progress = []
    assert batch.write_zip(compiled, records(4), out, progress=progress.append) == 4
    assert progress == [4]
    with zipfile.ZipFile(out) as archive:
        assert archive.namelist() == ["00001.docx", "00002.docx", "00003.docx", "00004.docx"]
        for i, name in enumerate(archive.namelist(), 1):
            rec = record(i)
            doc = Document(io.BytesIO(archive.read(name)))
            reference = Document(io.BytesIO(engine.render(template, rec)))
            assert paragraphs(doc) == paragraphs(reference)
            assert footer_text(doc) == footer_text(reference)
            pictures = blips(doc)
            assert len(pictures) == 2  # the QR code and the seal
            [seal] = floating_pictures(doc)
            [expected] = floating_pictures(reference)
            assert {k: seal[k] for k in PLACE} == {k: expected[k] for k in PLACE}  # pressed over the text alike
            assert sum(same_pixels(blob, qr_png(rec["qr"].text)) for _, blob in pictures) == 1
            assert rec["certificate_no"] in "".join(paragraphs(doc))


def test_zip_names_come_from_the_callback_and_stay_unique(tmp_path, compiled):
    out = tmp_path / "named.zip"
    batch.write_zip(compiled, records(3), out, name=lambda i, rec: "证明.docx")
    with zipfile.ZipFile(out) as archive:
        assert archive.namelist() == ["证明.docx", "证明-2.docx", "证明-3.docx"]


def test_merged_file_has_every_certificate_in_order_on_its_own_page(tmp_path, template, compiled):
    n = 5
    out = tmp_path / "print.docx"
    assert batch.write_merged(compiled, records(n), out) == n
    doc = Document(str(out))

    expected = []
    for i in range(1, n + 1):
        expected += paragraphs(Document(io.BytesIO(engine.render(template, record(i)))))
    assert paragraphs(doc) == expected
    assert footer_text(doc) == "云溪县应急管理局监制　核验网址见二维码"

    body = doc.element.body
    breaks = len(body.xpath(".//w:pageBreakBefore")) + len(body.xpath('.//w:br[@w:type="page"]'))
    assert breaks == n - 1
    assert len(body.xpath("./w:sectPr")) == 1 and not body.xpath(".//w:p//w:sectPr")

    pictures = blips(doc)  # every relationship resolves, or this raises
    assert len(pictures) == 2 * n
    qr_blobs = [blob for _, blob in pictures[0::2]]
    assert len(set(qr_blobs)) == n
    for i, blob in enumerate(qr_blobs, 1):
        assert same_pixels(blob, qr_png(record(i)["qr"].text))
    assert len({blob for _, blob in pictures[1::2]}) == 1  # the seal, stored once

    ids = body.xpath(".//wp:docPr/@id")
    assert len(ids) == 2 * n and len(set(ids)) == len(ids)
    with zipfile.ZipFile(out) as archive:
        media = [name for name in archive.namelist() if name.startswith("word/media/")]
        assert len(media) == len(set(media)) == n + 1
        assert archive.testzip() is None


@pytest.mark.parametrize("writer", [batch.write_zip, batch.write_merged])
def test_a_missing_field_names_the_record_and_leaves_no_file(tmp_path, compiled, writer):
    def data():
        for i, rec in enumerate(records(5), 1):
            if i == 3:
                del rec["holder_name"]
            yield rec

    out = tmp_path / "out.bin"
    with pytest.raises(TemplateProblem, match="第 3 条记录：缺少数据.*holder_name"):
        writer(compiled, data(), out)
    assert no_output(out)


@pytest.mark.parametrize("writer", [batch.write_zip, batch.write_merged])
def test_a_raising_progress_callback_cancels_and_leaves_no_file(tmp_path, compiled, writer):
    class Cancelled(Exception):
        pass

    def cancel(done):
        raise Cancelled(done)

    source = Counting(records(3 * batch.PROGRESS_EVERY))
    out = tmp_path / "out.bin"
    with pytest.raises(Cancelled):
        writer(compiled, source, out, progress=cancel)
    assert source.taken == batch.PROGRESS_EVERY
    assert no_output(out)
    assert list(tmp_path.iterdir()) == []


def test_rich_text_falls_back_to_engine_in_a_zip_and_is_refused_when_merged(tmp_path, compiled):
    data = list(records(2))
    data[1]["course"] = Rich("<p>应急预案</p>")
    out = tmp_path / "out.zip"
    batch.write_zip(compiled, data, out)
    with zipfile.ZipFile(out) as archive:
        assert len(archive.namelist()) == 2
        Document(io.BytesIO(archive.read("00002.docx")))
    merged = tmp_path / "print.docx"
    with pytest.raises(TemplateProblem, match="第 2 条记录：含有富文本"):
        batch.write_merged(compiled, data, merged)
    assert no_output(merged)


def _table_template(footer: str = "") -> bytes:
    doc = Document()
    doc.add_paragraph("{{ session_title }}签到表（{{ date|cn_date }}）")
    table = doc.add_table(rows=4, cols=3)
    for cell, text in zip(table.rows[0].cells, ["序号", "姓名", "单位"], strict=True):
        cell.text = text
    table.rows[1].cells[0].text = "{%tr for t in trainees %}"
    for cell, text in zip(table.rows[2].cells, ["{{ t.no }}", "{{ t.name }}", "{{ t.organization }}"], strict=True):
        cell.text = text
    table.rows[3].cells[0].text = "{%tr endfor %}"
    doc.add_paragraph("共{{ trainees|length|cn_number }}人。{{ seal }}")
    doc.sections[0].footer.paragraphs[0].text = footer
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _sheet(i: int) -> dict:
    from webapp.documents.images import Seal

    return {
        "session_title": f"第{i}期培训班",
        "date": date(2026, 12, i),
        "trainees": [{"no": k, "name": f"学员{i}-{k}", "organization": "云溪县青石化工有限公司"} for k in range(1, i + 2)],
        "seal": Seal.sample(),
        "certificate_no": f"QD-{i}",
    }


def test_table_row_tags_render_as_engine_renders_them(tmp_path):
    template = _table_template()
    compiled = batch.compile_template(template)
    for i in (1, 3):
        ours = Document(io.BytesIO(compiled.render(_sheet(i))))
        reference = Document(io.BytesIO(engine.render(template, _sheet(i))))
        assert paragraphs(ours) == paragraphs(reference)
        assert len(ours.tables[0].rows) == i + 2
    out = tmp_path / "sheets.docx"
    batch.write_merged(compiled, (_sheet(i) for i in (1, 2, 3)), out)
    doc = Document(str(out))
    assert [len(t.rows) for t in doc.tables] == [3, 4, 5]
    assert len(doc.element.body.xpath('.//w:br[@w:type="page"]|.//w:pageBreakBefore')) == 2


def test_a_footer_that_differs_per_record_cannot_be_merged(tmp_path):
    compiled = batch.compile_template(_table_template(footer="编号 {{ certificate_no }}"))
    out = tmp_path / "sheets.zip"
    batch.write_zip(compiled, (_sheet(i) for i in (1, 2)), out)
    with zipfile.ZipFile(out) as archive:
        assert footer_text(Document(io.BytesIO(archive.read("00002.docx")))) == "编号 QD-2"
    merged = tmp_path / "sheets.docx"
    with pytest.raises(TemplateProblem, match="第 2 条记录的页眉、页脚"):
        batch.write_merged(compiled, (_sheet(i) for i in (1, 2)), merged)
    assert no_output(merged)


def test_a_template_syntax_error_is_reported_when_compiling():
    doc = Document()
    doc.add_paragraph("{{ holder_name }")
    data = io.BytesIO()
    doc.save(data)
    with pytest.raises(TemplateProblem, match="模板语法错误"):
        batch.compile_template(data.getvalue())


def test_merging_nothing_is_an_error(tmp_path, compiled):
    out = tmp_path / "empty.docx"
    with pytest.raises(TemplateProblem, match="没有要打印的记录"):
        batch.write_merged(compiled, [], out)
    assert no_output(out)


def _column_loop_template(rows_around: bool) -> bytes:
    doc = Document()
    doc.add_paragraph("{{ title }}")
    table = doc.add_table(rows=3 if rows_around else 1, cols=3)
    cells = table.rows[-1 if rows_around else 0].cells
    if rows_around:  # a table whose only rows come from a loop that may be empty
        table.rows[0].cells[0].text = "{%tr for r in items %}"
        table.rows[1].cells[0].text = "{{ r }}"
        table.rows[2].cells[0].text = "{%tr endfor %}"
    else:  # cells from a {%tc %} loop: fix_tables must widen the grid
        cells[0].text = "{%tc for c in items %}"
        cells[1].text = "{{ c }}"
        cells[2].text = "{%tc endfor %}"
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


@pytest.mark.parametrize(("rows_around", "items"), [(False, ["甲", "乙", "丙", "丁"]), (False, ["甲"]), (True, [])])
def test_table_grids_come_out_as_docxtpl_fixes_them(rows_around, items):
    template = _column_loop_template(rows_around)
    context = {"title": "表", "items": items}
    ours = Document(io.BytesIO(batch.compile_template(template).render(context)))
    reference = Document(io.BytesIO(engine.render(template, context)))
    grid = ".//w:tblGrid/w:gridCol/@w:w"
    assert ours.element.body.xpath(grid) == reference.element.body.xpath(grid)
    assert paragraphs(ours) == paragraphs(reference)


SHIPPED = Path(__file__).resolve().parents[2] / "doc_templates"


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_shipped_templates_render_as_engine_renders_them(kind):
    path = SHIPPED / KINDS[kind].shipped
    if not path.exists():
        pytest.skip(f"{path.name} not authored yet")
    template = path.read_bytes()
    sample = KINDS[kind].sample
    ours = Document(io.BytesIO(batch.compile_template(template).render(sample)))
    reference = Document(io.BytesIO(engine.render(template, sample)))
    assert paragraphs(ours) == paragraphs(reference)
    assert [footer_text(d) for d in (ours, reference)] == [footer_text(reference)] * 2
    assert len(blips(ours)) == len(blips(reference))
