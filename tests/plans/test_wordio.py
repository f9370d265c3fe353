"""Word import (headings → sections, tables kept, what is not mapped listed, bad files refused with
nothing written) and Word output (the plan through the plan template, the filing form, the review
opinion), checked by opening the documents with python-docx."""

import io
import re
import shutil
import subprocess
import zipfile
from datetime import date

import pytest
from docx import Document
from docx.oxml.ns import qn
from sqlalchemy import func, select

from tests.conftest import page_text, xlsx_file
from webapp.auth.permissions import Role
from webapp.documents import engine, pdf
from webapp.documents import services as documents
from webapp.documents.images import sample_seal_png
from webapp.documents.kinds import KINDS
from webapp.errors import UserError
from webapp.extensions import db
from webapp.plans import services, wordio
from webapp.plans.models import ExpertReview, Plan, PlanStatus

# ------------------------------------------------------------------------------------ builders


def docx_bytes(doc) -> bytes:
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def styled_plan() -> bytes:
    """A plan as people write them in Word: a title, a preface, heading styles, lists, a table
    with a merged header cell, a picture, a running header."""
    doc = Document()
    doc.sections[0].header.paragraphs[0].text = "东镇化工有限公司"
    doc.add_paragraph("东镇化工有限公司生产安全事故综合应急预案", style="Title")
    doc.add_paragraph("为规范本公司生产安全事故应急管理工作，制定本预案。")
    doc.add_heading("1 总则", level=1)
    doc.add_heading("1.1 适用范围", level=2)
    p = doc.add_paragraph("本预案适用于")
    p.add_run("本公司厂区内").bold = True
    p.add_run("发生的生产安全事故。")
    doc.add_heading("1.2 响应分级", level=2)
    doc.add_paragraph("一级响应：公司层面", style="List Number")
    doc.add_paragraph("二级响应：车间层面", style="List Number")
    doc.add_heading("2 应急组织机构及职责", level=1)
    doc.add_paragraph("公司成立应急救援指挥部。")
    table = doc.add_table(rows=3, cols=3)
    header = table.cell(0, 0).merge(table.cell(0, 2))
    header.text = "应急救援小组"
    for r, row in enumerate([("抢险救援组", "李强", "现场抢险"), ("警戒疏散组", "王磊", "疏散人员")], 1):
        for c, text in enumerate(row):
            table.cell(r, c).text = text
    doc.add_heading("3 应急响应", level=1)
    doc.add_heading("3.1 处置要点", level=3)
    doc.add_paragraph("切断物料来源", style="List Bullet")
    doc.add_paragraph("拨打 119、120", style="List Bullet")
    doc.add_paragraph().add_run().add_picture(io.BytesIO(sample_seal_png()), width=914400)
    return docx_bytes(doc)


def values(owners, **changes) -> dict:
    return {"title": "东镇化工有限公司综合应急预案（导入）", "organization_id": owners["enterprise"].id,
            "kind": "ent_comprehensive", "hazard": "accident", "hazard_subtype": "危险化学品事故",
            "responsible_person": "张建国", "responsible_phone": "13912341234"} | changes


def plan_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Plan))


def upload(client, data: bytes, owners, filename="预案.docx", **changes):
    form = {k: str(v) for k, v in values(owners, **changes).items()}
    return client.post("/plans/import", data=form | {"file": (io.BytesIO(data), filename)},
                       content_type="multipart/form-data")


# -------------------------------------------------------------------------------------- import


def test_headings_become_sections_and_tables_stay_tables(app, owners):
    plan, report = wordio.import_docx(styled_plan(), values(owners))
    db.session.commit()
    got = [(s.number, s.title, s.level) for s in plan.sections]
    assert got == [("", "前言", 1), ("1", "总则", 1), ("1.1", "适用范围", 2), ("1.2", "响应分级", 2),
                   ("2", "应急组织机构及职责", 1), ("3", "应急响应", 1)]
    by_title = {s.title: s.content for s in plan.sections}
    assert "为规范本公司生产安全事故应急管理工作" in by_title["前言"]
    assert "东镇化工有限公司生产安全事故综合应急预案" not in by_title["前言"]  # the Title paragraph is not text
    assert by_title["适用范围"] == "<p>本预案适用于<strong>本公司厂区内</strong>发生的生产安全事故。</p>"
    assert by_title["响应分级"] == "<ol><li>一级响应：公司层面</li><li>二级响应：车间层面</li></ol>"
    organization = by_title["应急组织机构及职责"]
    assert organization.startswith("<p>公司成立应急救援指挥部。</p><table>")
    assert '<td colspan="3">应急救援小组</td>' in organization
    assert "<tr><td>抢险救援组</td><td>李强</td><td>现场抢险</td></tr>" in organization
    response = by_title["应急响应"]
    assert response.startswith("<h2>处置要点</h2><ul><li>切断物料来源</li><li>拨打 119、120</li></ul>")
    assert any("图片 1 张未导入" in line for line in report)
    assert "页眉页脚未导入（输出时使用预案模板的页眉页脚）" in report
    # a draft, version 1, searchable by its text, with the enterprise attachments
    assert plan.status == PlanStatus.DRAFT and plan.version_number == 1
    assert "切断物料来源" in plan.search_text
    assert plan.title == "东镇化工有限公司综合应急预案（导入）"


def test_the_title_comes_from_the_document_when_the_form_leaves_it_empty(app, owners):
    plan, _ = wordio.import_docx(styled_plan(), values(owners, title=""))
    assert plan.title == "东镇化工有限公司生产安全事故综合应急预案"


def test_numbered_titles_are_recognized_when_the_document_has_no_heading_styles(app, owners):
    doc = Document()
    for text in ("第一章 总则", "（一）编制目的", "为了规范应急工作，制定本预案。", "（二）适用范围",
                 "本预案适用于全镇。", "第二章 组织指挥体系", "镇政府设立应急指挥部。", "三、监测预警",
                 "1.1 风险防控", "定期开展隐患排查。"):
        doc.add_paragraph(text)
    plan, report = wordio.import_docx(docx_bytes(doc), values(owners, organization_id=owners["town"].id,
                                                               kind="gov_overall", hazard="natural",
                                                               hazard_subtype="洪涝灾害"))
    assert [(s.number, s.title, s.level) for s in plan.sections] == [
        ("1", "总则", 1), ("1.1", "编制目的", 2), ("1.2", "适用范围", 2), ("2", "组织指挥体系", 1),
        ("3", "监测预警", 1), ("3.1", "风险防控", 2)]
    assert plan.sections[1].content == "<p>为了规范应急工作，制定本预案。</p>"
    assert plan.sections[-1].content == "<p>定期开展隐患排查。</p>"
    assert report == []


def test_import_page_creates_the_plan_and_lists_what_was_not_mapped(client, login, owners):
    login(Role.PLAN_REVIEWER)
    page = client.get("/plans/import")
    assert page.status_code == 200 and "从 Word 导入预案" in page_text(page)
    response = upload(client, styled_plan(), owners)
    assert response.status_code == 302
    plan = db.session.scalar(select(Plan))
    assert response.headers["Location"].endswith(f"/plans/{plan.id}")
    assert [s.title for s in plan.sections][:3] == ["前言", "总则", "适用范围"]
    with client.session_transaction() as session:
        flashes = [message for _category, message in session["_flashes"]]
    assert any("已从 Word 文件导入预案" in m for m in flashes)
    assert any("以下内容未导入" in m and "图片 1 张未导入" in m for m in flashes)


def test_a_document_without_headings_is_refused_and_nothing_is_written(client, login, owners):
    login(Role.PLAN_REVIEWER)
    doc = Document()
    doc.add_paragraph("关于做好今冬明春安全生产工作的通知")
    doc.add_paragraph("各单位：请认真做好以下工作，确保安全生产形势稳定。")
    response = upload(client, docx_bytes(doc), owners)
    assert response.status_code == 200
    assert wordio.NO_HEADINGS in page_text(response)
    assert plan_count() == 0


def broken_zip() -> bytes:
    data = styled_plan()
    return data[: len(data) // 2]


def zip_without_document() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/styles.xml", "<styles/>")
    return buffer.getvalue()


@pytest.mark.parametrize("make, filename, message", [
    (lambda: b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4, "预案.docx", "上传的不是 Word 文档（.docx）"),
    (zip_without_document, "预案.docx", "上传的文件不是 Word 文档（.docx）"),
    (lambda: xlsx_file(["姓名"], [["张三"]]).getvalue(), "预案.docx", "上传的文件不是 Word 文档（.docx）"),
    (broken_zip, "预案.docx", "上传的文件已损坏，不是有效的 .docx 文件"),
    (lambda: b"\xd0\xcf\x11\xe0" + bytes(600), "预案.doc", "这是旧版 .doc 文件"),
])
def test_a_bad_file_gets_a_clear_message_and_nothing_is_written(client, login, owners, make, filename, message):
    login(Role.PLAN_REVIEWER)
    response = upload(client, make(), owners, filename=filename)
    assert response.status_code == 200
    assert message in page_text(response)
    assert plan_count() == 0


def test_a_file_over_the_size_limit_is_refused(app, owners):
    app.config["PLAN_IMPORT_MAX_BYTES"] = 1000
    with pytest.raises(UserError, match="文件超过"):
        wordio.import_docx(styled_plan(), values(owners))
    assert plan_count() == 0


def test_registry_errors_are_shown_on_the_form_and_nothing_is_written(client, login, owners):
    login(Role.PLAN_REVIEWER)
    response = upload(client, styled_plan(), owners, kind="gov_overall")  # an enterprise cannot own 总体预案
    assert response.status_code == 200
    assert "企业的预案应为综合应急预案、专项应急预案或现场处置方案" in page_text(response)
    assert plan_count() == 0


def test_importing_needs_the_edit_permission(client, login, owners):
    login(Role.TRAINING)
    assert client.get("/plans/import").status_code == 403
    assert upload(client, styled_plan(), owners).status_code == 403
    assert plan_count() == 0


# -------------------------------------------------------------------------------------- output


def opened(document) -> Document:
    return Document(io.BytesIO(documents.document_data(document)))


def headings(doc, level: int) -> list[str]:
    return [p.text for p in doc.paragraphs if p.style.name == f"Heading {level}"]


def cell_rows(table) -> list[list[str]]:
    return [["".join(tc.xpath(".//w:t/text()")) for tc in tr.tc_lst] for tr in table._tbl.tr_lst]


def test_the_plan_renders_with_cover_contents_numbered_chapters_and_tables(app, make_plan):
    plan = make_plan()
    section = next(s for s in plan.sections if s.title == "应急组织机构及职责")
    services.save_section(section, "<p>公司成立应急救援指挥部。</p><table><tr><th>小组</th><th>组长</th></tr>"
                                   "<tr><td>抢险救援组</td><td>李强</td></tr></table>", section.revision)
    db.session.commit()
    doc = opened(wordio.render_plan(plan))
    text = [p.text for p in doc.paragraphs]
    everything = ["".join(p.xpath(".//w:t/text()")) for p in doc.element.body.iter(qn("w:p"))]
    assert plan.title in text and "（综合应急预案）" in text and "东镇化工有限公司" in text
    assert "：第2版（草稿）" in everything and "：张建国" in everything  # cover: version, approver
    chapters = [f"第{s.number}章 {s.title}" for s in plan.sections if s.level == 1]
    assert headings(doc, 1) == [*chapters, "附件"]
    assert headings(doc, 2)[:2] == ["1.1 适用范围", "1.2 响应分级"]
    assert "3.1 信息报告" in headings(doc, 2)
    # the table a section holds is a Word table
    assert [["小组", "组长"], ["抢险救援组", "李强"]] in [cell_rows(t) for t in doc.tables]
    assert "附件1\u3000生产经营单位概况" in text and "附件8\u3000有关协议或备忘录" in text
    # a contents field Word refreshes on opening
    body = doc.element.body
    assert [i.text for i in body.iter(qn("w:instrText"))] == [' TOC \\o "1-3" \\h \\z \\u ']
    settings = doc.settings.element
    assert settings.find(qn("w:updateFields")).get(qn("w:val")) == "true"


def test_an_imported_plan_renders_its_preface_without_a_chapter_number(app, owners):
    plan, _ = wordio.import_docx(styled_plan(), values(owners))
    doc = opened(wordio.render_plan(plan))
    assert headings(doc, 1)[:3] == ["前言", "第1章 总则", "第2章 应急组织机构及职责"]
    assert [["应急救援小组"], ["抢险救援组", "李强", "现场抢险"], ["警戒疏散组", "王磊", "疏散人员"]] in \
        [cell_rows(t) for t in doc.tables]
    bullets = [p for p in doc.paragraphs if p.text == "切断物料来源"]
    assert bullets and bullets[0]._p.pPr.numPr is not None  # a real Word list


def test_render_page_sends_the_user_to_the_word_file(client, login, make_plan):
    plan = make_plan()
    login(Role.PLAN_REVIEWER)
    page = client.get(f"/plans/{plan.id}/render")
    assert page.status_code == 200 and "生成预案文本" in page_text(page)
    assert "预案备案后才能生成备案登记表（当前为“草稿”）" in page_text(page)
    response = client.post(f"/plans/{plan.id}/render", data={"output": "docx"})
    assert response.status_code == 302 and response.headers["Location"].endswith(".docx")
    download = client.get(response.headers["Location"])
    assert download.status_code == 200
    doc = Document(io.BytesIO(download.data))
    assert headings(doc, 1)[0] == "第1章 总则"
    assert client.get("/plans/99999999999/render").status_code == 404


def file_plan(plan, user=None):
    services.change_status(plan, "in_review", user)
    services.change_status(plan, "published", user, issued_on=date(2026, 11, 2))
    services.change_status(plan, "filed", user, filed_on=date(2026, 11, 20), filing_number="东应急预备〔2026〕007号")
    db.session.commit()


def test_the_filing_form_renders_for_a_filed_plan_only(client, login, make_plan):
    plan = make_plan(reviewed=True)
    plan.responsible_phone = "13912345678"
    db.session.commit()
    login(Role.PLAN_REVIEWER)
    refused = client.post(f"/plans/{plan.id}/filing-form", data={"output": "docx"}, follow_redirects=True)
    assert "预案备案后才能生成备案登记表：本预案当前为“草稿”" in page_text(refused)
    file_plan(plan)
    response = client.post(f"/plans/{plan.id}/filing-form", data={"output": "docx"})
    assert response.status_code == 302
    doc = Document(io.BytesIO(client.get(response.headers["Location"]).data))
    text = [p.text for p in doc.paragraphs]
    assert "生产经营单位生产安全事故应急预案备案登记表" in text
    assert "备案编号：东应急预备〔2026〕007号" in text
    rows = cell_rows(doc.tables[0])
    assert ["预案名称", plan.title] in rows
    assert ["责任人", "张建国", "联系电话", "139****5678"] in rows
    assert ["发布日期", "2026年11月2日", "备案日期", "2026年11月20日"] in rows
    assert all("13912345678" not in "".join(r) for r in rows)  # the phone is masked
    materials = "".join(rows[[r[0] for r in rows].index("备案材料")])
    assert "应急预案评审意见" in materials and "应急资源调查清单" in materials


def test_the_filing_form_is_for_reviewers(client, login, make_plan):
    plan = make_plan(reviewed=True)
    file_plan(plan)
    login(Role.TRAINING)
    assert client.post(f"/plans/{plan.id}/filing-form", data={"output": "docx"}).status_code == 403


def test_the_review_opinion_renders_from_the_expert_review(app, make_plan):
    plan = make_plan(reviewed=True)
    review = db.session.scalar(select(ExpertReview).where(ExpertReview.plan_id == plan.id))
    doc = opened(wordio.render_review(plan, review))
    text = [p.text for p in doc.paragraphs]
    assert "应急预案评审意见" in text and "评审结论：通过" in text
    assert "1. 内容完整，可操作性强。" in text
    experts = next(t for t in doc.tables if "工作单位" in cell_rows(t)[0])
    assert cell_rows(experts)[1] == ["1", "王专家", "高级工程师", "市安全生产协会", ""]


@pytest.mark.parametrize("key, expected", [
    ("plan_review", ["应急预案评审意见", "评审结论：修改后通过", "2. 建议补充甲醇储罐泄漏的现场处置措施，完善应急物资装备清单。"]),
    ("plan_filing", ["生产经营单位生产安全事故应急预案备案登记表", "备案编号：云应急预备〔2026〕015号"]),
])
def test_the_new_kinds_samples_render(app, key, expected):
    kind = KINDS[key]
    data = engine.render((documents.shipped_dir() / kind.shipped).read_bytes(), kind.complete(kind.sample),
                         bureau="云溪县应急管理局")
    doc = Document(io.BytesIO(data))
    lines = ["".join(p.xpath(".//w:t/text()")) for p in doc.element.body.iter(qn("w:p"))]
    assert all(line in lines for line in expected)
    if key == "plan_filing":
        # without a credit code the row is left out
        data = engine.render((documents.shipped_dir() / kind.shipped).read_bytes(),
                             kind.complete(kind.sample | {"credit_code": ""}), bureau="云溪县应急管理局")
        assert "统一社会信用代码" not in "".join(Document(io.BytesIO(data)).element.body.itertext())


@pytest.mark.skipif(not pdf.available(), reason="LibreOffice is not installed")
def test_the_plan_as_pdf_has_its_contents_with_page_numbers(client, login, make_plan, tmp_path):
    plan = make_plan()
    login(Role.PLAN_REVIEWER)
    response = client.post(f"/plans/{plan.id}/render", data={"output": "pdf"})
    assert response.headers["Location"].endswith(".pdf")
    download = client.get(response.headers["Location"])
    assert download.mimetype == "application/pdf" and download.data.startswith(b"%PDF")
    if shutil.which("pdftotext"):
        (tmp_path / "plan.pdf").write_bytes(download.data)
        text = subprocess.run(["pdftotext", "-layout", str(tmp_path / "plan.pdf"), "-"], capture_output=True,
                              text=True, check=True).stdout
        # the contents list the chapters and sub-chapters with their page numbers (LibreOffice
        # rebuilds the field), the body restarting at page 1
        assert re.search(r"第\s*1\s*章\s*总则\.{3,}\s*1\n", text)
        assert re.search(r"1\.1\s*适用范围\.{3,}\s*1\n", text)
        assert re.search(r"第\s*5\s*章\s*应急保障\.{3,}\s*\d+\n", text)


def test_the_county_governments_general_plan_can_be_imported(client, login, owners):
    # 总体应急预案 belongs to the county government (DOMAIN.md §3): the import form must offer it.
    login(Role.PLAN_REVIEWER)
    page = client.get("/plans/import").get_data(as_text=True)
    assert re.search(rf'<option[^>]*value="{owners["county"].id}"', page)
    response = upload(client, styled_plan(), owners, organization_id=owners["county"].id, kind="gov_overall",
                      title="县突发事件总体应急预案", hazard_subtype="")
    assert response.status_code == 302
    plan = db.session.scalar(select(Plan))
    assert (plan.organization_id, plan.kind, plan.title) == (owners["county"].id, "gov_overall", "县突发事件总体应急预案")
