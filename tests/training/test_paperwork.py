"""A session's documents: the training notice (red-header, GB/T 9704 doc number) and the sign-in
sheet, rendered through the document engine and read back with python-docx."""

import io
from datetime import date, timedelta

import pytest
from docx import Document

from tests.conftest import page_text
from webapp.auth.permissions import Role
from webapp.documents import pdf
from webapp.documents.models import GeneratedDocument
from webapp.errors import UserError
from webapp.extensions import db
from webapp.training import paperwork, services

DAY = date(2026, 12, 8)


def docx_text(data: bytes) -> str:
    document = Document(io.BytesIO(data))
    cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


def notice_form(**overrides) -> dict:
    return {"issuer": "示范县应急管理局", "doc_number": "示应急〔2026〕12号",
            "recipients": "各乡镇人民政府、街道办事处，各有关企业", "extra": "培训期间食宿自理",
            "signer": "示范县应急管理局", "date": "2026-11-22", "contact": "联系人：李敏，电话：0571-88880001",
            "cc": "县安委会各成员单位", "printer": "示范县应急管理局办公室", "print_date": "2026-11-23",
            "output": "docx"} | overrides


def _documents() -> int:
    return db.session.scalar(db.select(db.func.count(GeneratedDocument.id)))


def test_the_notice_docx_names_the_venue_dates_and_doc_number(client, login, make_session):
    session = make_session(trainees=2, start=DAY, slots=[(DAY, "08:30", "12:00", 4)])
    session.contact = "联系人：李敏，电话：0571-88880001"
    db.session.commit()
    login(Role.TRAINING)
    form = client.get(f"/training/sessions/{session.id}/notice")
    assert "二、培训地点：县应急管理局培训中心三楼报告厅。" in page_text(form)  # the preview

    response = client.post(f"/training/sessions/{session.id}/notice", data=notice_form())
    assert response.status_code == 302 and response.headers["Location"].endswith(".docx")
    download = client.get(response.headers["Location"])
    text = docx_text(download.data)
    assert "示应急〔2026〕12号" in text
    assert "关于举办2026年第四期主要负责人培训班的通知" in text
    assert "各乡镇人民政府、街道办事处，各有关企业：" in text
    assert "一、培训时间：2026年12月8日至12月13日，共6天，48学时。首次课程于12月8日08:30开始" in text
    assert "二、培训地点：县应急管理局培训中心三楼报告厅。" in text
    assert "三、参训对象：高危行业企业主要负责人（名单见附件）。" in text
    assert "四、携带材料及要求：请参训人员携带身份证原件；" in text and "培训期间食宿自理。" in text
    assert "五、联系方式：联系人：李敏，电话：0571-88880001。" in text
    assert "附件：参训人员名单" in text and "2026年11月22日" in text and "2026年11月23日印发" in text
    assert "抄送：县安委会各成员单位。" in text

    document = db.session.scalar(db.select(GeneratedDocument))
    assert document.source == f"training-session:{session.id}" and document.title.endswith("培训通知")
    listed = page_text(client.get(f"/training/sessions/{session.id}"))
    assert "2026年第四期主要负责人培训班-培训通知" in listed  # offered again, as Word and PDF


@pytest.mark.parametrize(("number", "why"), [
    ("", "请填写发文字号"),
    ("示应急[2026]12号", "的年份应使用六角括号〔〕，不能用“[]”"),
    ("示应急（2026）12号", "的年份应使用六角括号〔〕"),
    ("示应急〔26〕12号", "的年份应写全四位，如〔2026〕，不能写成〔26〕"),
    ("示应急〔2026〕第12号", "的序号前不加“第”字"),
    ("示应急〔2026〕012号", "的序号不编虚位（不加前导 0）：应写 12号"),
    ("示应急〔2026〕12", "的序号后应有“号”字"),
    ("〔2026〕12号", "缺少机关代字"),
    ("示应急2026年12号", "格式不对"),
])
def test_a_bad_doc_number_is_refused_with_what_is_wrong(client, login, make_session, number, why):
    session = make_session(trainees=1, start=DAY)
    login(Role.TRAINING)
    page = client.post(f"/training/sessions/{session.id}/notice", data=notice_form(doc_number=number))
    assert page.status_code == 200
    assert why in page_text(page)
    assert _documents() == 0


def test_doc_number_rules_accept_the_standard_form(app):
    assert paperwork.check_doc_number(" 洪应急〔2026〕12号 ") == "洪应急〔2026〕12号"
    assert paperwork.check_doc_number("示应急办〔2025〕1号") == "示应急办〔2025〕1号"
    with pytest.raises(UserError, match="中不应有空格"):
        paperwork.check_doc_number("洪应急〔2026〕 12号")


def test_the_signin_sheet_lists_the_enrolled_trainees_with_masked_phones(client, login, make_session, factory):
    session = make_session(trainees=2, capacity=2, start=DAY)
    late = factory.person("候补者", phone="13700009999")
    services.enroll(session, late)
    db.session.commit()
    login(Role.TRAINING)
    response = client.post(f"/training/sessions/{session.id}/signin-sheet",
                           data={"day": (DAY + timedelta(days=1)).isoformat(), "output": "docx"})
    assert response.status_code == 302
    data = client.get(response.headers["Location"]).data
    text = docx_text(data)
    assert "签\u3000到\u3000表" in text and "2026年12月9日" in text and "县应急管理局培训中心三楼报告厅" in text
    rows = [[c.text for c in row.cells] for row in Document(io.BytesIO(data)).tables[0].rows[1:]]
    assert [r[:5] for r in rows] == [[str(n), e.person.name, "", "主要负责人", e.person.masked_phone]
                                     for n, e in enumerate(services.enrollments(session), 1)]
    assert rows[0][4] == "139****0000" and "13900000000" not in text  # never the full number
    assert "候补者" not in text  # the waiting list does not sign

    outside = client.post(f"/training/sessions/{session.id}/signin-sheet", data={"day": "2027-01-01", "output": "docx"},
                          follow_redirects=True)
    assert "签到日期应在班次日期 2026-12-08 至 2026-12-13 之内" in page_text(outside)
    assert _documents() == 1


def test_no_signin_sheet_for_a_session_without_trainees(client, login, make_session):
    session = make_session(trainees=0, start=DAY)
    login(Role.TRAINING)
    page = client.post(f"/training/sessions/{session.id}/signin-sheet", data={"day": DAY.isoformat(), "output": "docx"},
                       follow_redirects=True)
    assert "本班还没有正式学员，无法生成签到表" in page_text(page)
    assert _documents() == 0


@pytest.mark.skipif(not pdf.available(), reason="LibreOffice is not installed")
def test_the_notice_as_pdf(client, login, make_session):
    session = make_session(trainees=1, start=DAY)
    login(Role.TRAINING)
    response = client.post(f"/training/sessions/{session.id}/notice", data=notice_form(output="pdf"))
    assert response.headers["Location"].endswith(".pdf")
    download = client.get(response.headers["Location"])
    assert download.mimetype == "application/pdf" and download.data.startswith(b"%PDF")


@pytest.mark.parametrize("day, message", [
    ("abc", "请选择签到日期"),
    ("1900-01-01", "签到日期应在班次日期"),
])
def test_a_signin_sheet_for_a_bad_day_says_so(client, login, make_session, day, message):
    session = make_session(trainees=1)
    login(Role.TRAINING)
    page = client.post(f"/training/sessions/{session.id}/signin-sheet", data={"day": day, "output": "docx"},
                       follow_redirects=True)
    assert page.status_code == 200 and message in page_text(page)
    assert db.session.scalar(db.select(db.func.count()).select_from(GeneratedDocument)) == 0
