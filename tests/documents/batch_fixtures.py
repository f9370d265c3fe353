"""A one-page A4-landscape training certificate template built with python-docx, and records for
it, shared by the batch tests and benchmarks/bench_documents.py.

The shipped doc_templates/training_certificate.docx is authored separately; this stand-in uses the
same fields and the features batch printing must handle: a {%p if %} paragraph, a two-column
table, a QR code and a seal as images, filters, and a footer with a placeholder.
"""

import io
from datetime import date, timedelta
from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from webapp.documents.images import QRCode, Seal

SHIPPED = Path(__file__).resolve().parents[2] / "doc_templates" / "training_certificate.docx"
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰涛明超秀霞平刚"


def _cjk(run, size: float, bold: bool = False) -> None:
    run.font.size = Pt(size)
    run.font.bold = bold
    run.font.name = "SimSun"
    # East Asian text takes its font from eastAsia, which python-docx's font.name does not set.
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), "宋体")


def certificate_template() -> bytes:
    doc = Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Mm(297), Mm(210)
    section.top_margin = section.bottom_margin = Mm(18)
    section.left_margin = section.right_margin = Mm(25)

    title = doc.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _cjk(title.add_run("安全生产培训合格证明"), 26, bold=True)
    number = doc.add_paragraph()
    number.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    _cjk(number.add_run("编号：{{ certificate_no }}"), 12)

    body = doc.add_paragraph()
    _cjk(body.add_run("{{ holder_name }}同志（身份证号 {{ id_number|mask_id }}），"
                      "于{{ issue_date|cn_date }}参加{{ course }}，共{{ hours|cn_number }}学时，"
                      "经考核成绩合格，特发此证明。"), 14)
    _cjk(doc.add_paragraph().add_run("{%p if operation_category %}"), 12)
    _cjk(doc.add_paragraph().add_run("作业类别：{{ operation_category }}"), 14)
    _cjk(doc.add_paragraph().add_run("{%p endif %}"), 12)

    table = doc.add_table(rows=0, cols=2)
    table.style = "Table Grid"
    for label, value in [
        ("姓　　名", "{{ holder_name }}"),
        ("工作单位", "{{ organization }}"),
        ("岗位类别", "{{ post }}"),
        ("考核成绩", "{{ score }} 分"),
        ("有效期至", "{{ expiry_date|cn_date }}"),
    ]:
        cells = table.add_row().cells
        _cjk(cells[0].paragraphs[0].add_run(label), 12, bold=True)
        _cjk(cells[1].paragraphs[0].add_run(value), 12)
    table.columns[0].width = Mm(40)
    table.columns[1].width = Mm(150)

    images = doc.add_paragraph()
    _cjk(images.add_run("核验二维码：{{ qr }}"), 12)
    _cjk(images.add_run("　　　　{{ seal }}"), 12)

    signer = doc.add_paragraph()
    signer.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    _cjk(signer.add_run("{{ issuer }}"), 14)
    when = doc.add_paragraph()
    when.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    _cjk(when.add_run("{{ issue_date|cn_date_upper }}"), 14)

    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _cjk(footer.add_run("{{ issuer }}监制　核验网址见二维码"), 9)

    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def template_bytes() -> bytes:
    """The shipped template once it exists, else the stand-in above."""
    return SHIPPED.read_bytes() if SHIPPED.exists() else certificate_template()


def record(i: int, seal: Seal | None = None) -> dict:
    """The i-th certificate (i ≥ 1): a distinct name, number and QR code each."""
    name = SURNAMES[i % len(SURNAMES)] + GIVEN[(i // len(SURNAMES)) % len(GIVEN)] + GIVEN[i % 7]
    token = f"{i:08d}k{(i * 7919) % 100000:05d}"
    issued = date(2026, 11, 22)
    return {
        "holder_name": name,
        "id_number": f"3311021978{(i % 12) + 1:02d}{(i % 28) + 1:02d}{i % 1000:03d}X",
        "organization": f"云溪县第{i % 40 + 1}化工有限公司",
        "post": ("主要负责人", "安全生产管理人员", "特种作业人员")[i % 3],
        "operation_category": "危险化学品安全作业" if i % 3 == 2 else "",
        "course": "危险化学品生产经营单位主要负责人安全生产知识和管理能力培训",
        "hours": 48,
        "score": 60 + i % 40,
        "certificate_no": f"YXAQ-2026-{i:06d}",
        "issue_date": issued,
        "expiry_date": issued + timedelta(days=3 * 365 - 1),
        "issuer": "云溪县应急管理局",
        "seal": seal if seal is not None else Seal.sample(),
        "qr": QRCode(f"https://yjj.example.gov.cn/verify/{token}", size_mm=28),
        "verify_url": f"https://yjj.example.gov.cn/verify/{token}",
        "photo": None,
    }


def records(n: int, start: int = 1):
    """A generator, as the jobs module gives them: batch code must not need len() or indexing."""
    seal = Seal.sample()
    for i in range(start, start + n):
        yield record(i, seal)
