"""The template registry as an admin and an officer use it: shipped templates appear, uploads are
checked, versions stay and can be restored, generated documents record their version."""

import io
import re

import pytest
from docx import Document
from PIL import Image

from tests.conftest import page_text, table_text
from tests.documents.conftest import AWARD, AWARD_LINES
from tests.documents.test_engine import docx_bytes, texts
from webapp.auth.permissions import Role
from webapp.documents import services
from webapp.documents.models import DocumentTemplate, GeneratedDocument, TemplateVersion
from webapp.extensions import db


def upload(client, url, data, **fields):
    return client.post(url, data={"file": (io.BytesIO(data), "模板.docx"), **fields},
                       content_type="multipart/form-data")


def test_shipped_templates_are_listed_with_their_check(client, login):
    login(Role.TRAINING)
    response = client.get("/documents/")
    assert response.status_code == 200
    rows = table_text(response, "template-table")
    assert "竞赛获奖证书" in rows and "系统提供" in rows and "通过" in rows
    template = db.session.scalar(db.select(DocumentTemplate))
    assert template.current_version.number == 1
    assert template.current_version.placeholder_set == {"winner", "competition", "award", "certificate_no",
                                                         "issuer", "date"}
    client.get("/documents/")  # listing again adds nothing
    assert db.session.scalar(db.select(db.func.count(TemplateVersion.id))) == 1


def test_a_changed_shipped_file_becomes_a_new_version(app, shipped_dir):
    services.sync_shipped()
    (shipped_dir / AWARD.shipped).write_bytes(docx_bytes(*AWARD_LINES, "（新版）"))
    assert services.sync_shipped() == 1
    template = db.session.scalar(db.select(DocumentTemplate))
    assert template.current_version.number == 2


def test_admin_uploads_a_template_and_bad_ones_are_refused_with_the_reason(client, login):
    login(Role.ADMIN)
    cases = [
        (b"plain text", "上传的不是 Word 文档（.docx）"),
        (docx_bytes("{{ winner }", "x"), "模板语法错误"),
        (docx_bytes("{{ winner }}{{ prize_money }}"), "不提供的占位符：prize_money"),
    ]
    for data, message in cases:
        response = upload(client, "/documents/new", data, kind="award_certificate", name="我的证书")
        assert message in page_text(response), message
    assert db.session.scalar(db.select(db.func.count(DocumentTemplate.id))) == 0  # nothing half-saved

    response = upload(client, "/documents/new", docx_bytes("{{ winner }} {{ award }}"), kind="award_certificate",
                      name="简版获奖证书")
    assert response.status_code == 302
    detail = client.get(response.headers["Location"])
    text = page_text(detail)
    assert "模板没有使用的必填字段：" in text and "certificate_no" in text  # a warning, not a refusal


def test_versions_stay_and_an_old_one_can_be_restored(client, login, factory):
    login(Role.ADMIN)
    client.get("/documents/")
    template = db.session.scalar(db.select(DocumentTemplate))
    response = upload(client, f"/documents/{template.id}/versions", docx_bytes(*AWARD_LINES, "第二版"),
                      note="加了一行")
    assert response.status_code == 302
    db.session.refresh(template)
    assert [v.number for v in template.versions] == [2, 1]
    assert template.current_version.number == 2
    first = template.versions[-1]
    assert client.post(f"/documents/{template.id}/versions/{first.id}/restore").status_code == 302
    db.session.refresh(template)
    assert template.current_version.number == 1
    versions = table_text(client.get(f"/documents/{template.id}"), "version-table")
    assert "第 2 版" in versions and "加了一行" in versions


def test_generated_documents_record_the_version_that_made_them(app, factory):
    user = factory.user(Role.TRAINING)
    context = AWARD.sample | {"winner": "李强"}
    document = services.render_for("award_certificate", context, title="获奖证书－李强", user=user,
                                   source="quiz.award:1")
    db.session.commit()
    assert document.version.number == 1
    assert texts(services.document_data(document))[0] == "李强：在2026年云溪县全民应急知识网络竞赛中荣获一等奖。"
    assert db.session.scalar(db.select(GeneratedDocument.source)) == "quiz.award:1"


def test_officer_fills_the_form_and_downloads_the_document(client, login):
    login(Role.TRAINING)
    client.get("/documents/")
    template = db.session.scalar(db.select(DocumentTemplate))
    form = client.get(f"/documents/{template.id}/render")
    assert 'value="2026年云溪县全民应急知识网络竞赛"' in form.get_data(as_text=True)  # prefilled with the sample
    data = {"winner": "赵芳", "competition": "安全生产月知识竞赛", "award": "二等奖", "certificate_no": "YX-2",
            "issuer": "云溪县应急管理局", "date": "2026-06-30", "output": "docx"}
    response = client.post(f"/documents/{template.id}/render", data=data)
    assert response.status_code == 200
    assert response.mimetype == services.DOCX_MIME
    lines = [p.text for p in Document(io.BytesIO(response.data)).paragraphs]
    assert lines == ["赵芳：在安全生产月知识竞赛中荣获二等奖。", "证书编号：YX-2", "云溪县应急管理局 2026年6月30日"]
    missing = client.post(f"/documents/{template.id}/render", data=data | {"winner": ""})
    assert "请填写获奖者（个人或队伍）" in page_text(missing)
    assert db.session.scalar(db.select(db.func.count(GeneratedDocument.id))) == 1


def test_leader_cannot_see_templates_and_officer_cannot_upload(client, login):
    login(Role.LEADER)
    assert client.get("/documents/").status_code == 403
    login(Role.TRAINING)
    assert client.get("/documents/new").status_code == 403


def test_sample_shows_the_undefined_name_instead_of_failing_silently(client, login):
    login(Role.ADMIN)
    client.get("/documents/")
    template = db.session.scalar(db.select(DocumentTemplate))
    # A new version with a misspelt attribute inside a loop: only rendering finds it.
    upload(client, f"/documents/{template.id}/versions", docx_bytes("{{ winner }}{% for x in award %}{{ x.nme }}{% endfor %}"))
    response = client.get(f"/documents/{template.id}/sample.docx", follow_redirects=True)
    assert "样例生成失败" in page_text(response)
    assert "nme" in page_text(response)


def _needs_libreoffice():
    import os

    from webapp.documents import pdf

    if not pdf.preview_available():
        if os.environ.get("CI"):
            pytest.fail("LibreOffice and pdftoppm must be installed in CI")
        pytest.skip("LibreOffice or pdftoppm is not installed")


def test_pdf_download_and_first_page_preview(client, login):
    _needs_libreoffice()
    login(Role.TRAINING)
    client.get("/documents/")
    template = db.session.scalar(db.select(DocumentTemplate))
    detail = client.get(f"/documents/{template.id}").get_data(as_text=True)
    assert 'data-testid="preview"' in detail
    assert "正在生成预览" in detail  # until the picture arrives
    png = client.get(f"/documents/{template.id}/sample.png")
    assert png.status_code == 200 and png.data.startswith(b"\x89PNG")
    assert png.cache_control.max_age == 86400 and png.cache_control.private  # the next visit shows it at once
    data = {"winner": "赵芳", "competition": "安全生产月知识竞赛", "award": "二等奖", "certificate_no": "YX-2",
            "issuer": "云溪县应急管理局", "date": "2026-06-30", "output": "pdf"}
    response = client.post(f"/documents/{template.id}/render", data=data)
    assert response.mimetype == "application/pdf" and response.data.startswith(b"%PDF")


def test_without_libreoffice_the_word_file_is_still_offered(app, client, login):
    app.config["SOFFICE_PATH"] = "/nonexistent/soffice"  # read at each conversion
    login(Role.TRAINING)
    assert "本机未安装 LibreOffice" in page_text(client.get("/documents/"))
    template = db.session.scalar(db.select(DocumentTemplate))
    data = {"winner": "赵芳", "competition": "竞赛", "award": "二等奖", "certificate_no": "YX-3",
            "issuer": "云溪县应急管理局", "date": "2026-06-30", "output": "pdf"}
    response = client.post(f"/documents/{template.id}/render", data=data, follow_redirects=True)
    text = page_text(response)
    assert "本机未安装 LibreOffice" in text and "Word 版本已生成" in text
    assert "赵芳" in table_text(response, "generated-table")


def test_admin_uploads_the_bureau_seal_and_documents_carry_it(client, login):
    login(Role.ADMIN)
    client.get("/documents/")
    assert "尚未上传" in page_text(client.get("/documents/"))
    photo = io.BytesIO()
    Image.new("RGB", (50, 50), "white").save(photo, format="JPEG")
    refused = client.post("/documents/seal", data={"file": (io.BytesIO(photo.getvalue()), "seal.jpg")},
                          content_type="multipart/form-data", follow_redirects=True)
    assert "背景透明的 PNG" in page_text(refused)
    seal = io.BytesIO()
    Image.new("RGBA", (200, 200), (200, 20, 30, 200)).save(seal, format="PNG")
    client.post("/documents/seal", data={"file": (io.BytesIO(seal.getvalue()), "seal.png")},
                content_type="multipart/form-data")
    assert "已上传" in page_text(client.get("/documents/"))
    assert client.get("/documents/seal.png").data == seal.getvalue()
    assert services.bureau_seal().data == seal.getvalue()


def test_a_shipped_template_is_named_once_in_its_heading(client, login):
    login(Role.ADMIN)
    client.get("/documents/")
    template = db.session.scalar(db.select(DocumentTemplate))  # the shipped award certificate

    def heading() -> list[str]:
        html = client.get(f"/documents/{template.id}").get_data(as_text=True)
        return re.sub(r"<[^>]+>", "", html.split("<h1", 1)[1].split("</h1>", 1)[0].split(">", 1)[1]).split()

    assert heading() == ["竞赛获奖证书"]
    template.name = "2026年安全生产月竞赛证书"  # a name of its own still shows the kind beside it
    db.session.commit()
    assert heading() == ["2026年安全生产月竞赛证书", "竞赛获奖证书"]
