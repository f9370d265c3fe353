"""A drill's documents: the drill record (演练记录表) and the evaluation report (演练评估报告),
rendered through the document engine and opened with python-docx as a user would read them."""

import io
from datetime import timedelta

import pytest
from docx import Document
from docx.oxml.ns import qn
from sqlalchemy import func, select

from tests.conftest import page_text
from tests.drills.conftest import photo_bytes
from webapp.auth.permissions import Role
from webapp.common.time import local_today
from webapp.documents import pdf
from webapp.documents.models import GeneratedDocument
from webapp.drills import evaluation, paperwork, problems, services
from webapp.extensions import db

STEPS = [{"at": "09:00", "event": "巡检人员发现液氨储罐阀门泄漏", "action": "立即报告中控室并设置警戒"},
         {"at": "09:04", "event": "总指挥启动二级响应", "action": "各小组集结，抢险组佩戴空气呼吸器"},
         {"at": "09:30", "event": "泄漏得到控制", "action": "宣布演练结束并现场讲评"}]


def documents() -> int:
    return db.session.scalar(select(func.count()).select_from(GeneratedDocument))


def opened(client, response) -> Document:
    assert response.status_code == 302, response.get_data(as_text=True)
    location = response.headers["Location"]
    assert "/documents/generated/" in location and location.endswith(".docx")
    download = client.get(location)
    assert download.status_code == 200
    return Document(io.BytesIO(download.data))


def table_rows(table) -> list[list[str]]:
    return [["".join(tc.xpath(".//w:t/text()")) for tc in tr.tc_lst] for tr in table._tbl.tr_lst]


def lines(doc) -> list[str]:
    return ["".join(p.xpath(".//w:t/text()")) for p in doc.element.body.iter(qn("w:p"))]


def pictures(doc) -> int:
    return len(doc.element.body.xpath(".//pic:pic"))


@pytest.fixture
def full_drill(plan_in_force, make_drill, owners):
    """A held drill with its plan, timeline, three photos (one portrait), two problems and an evaluation."""
    drill = make_drill(plans=[plan_in_force], steps=STEPS, observers="县应急管理局 刘洋\n东镇安监站 王强",
                       resources="空气呼吸器 8 套\n消防车 1 辆", purpose="检验液氨泄漏的报告和处置程序")
    services.add_photo(drill, photo_bytes(1200, 900), "抢险组关阀堵漏")
    services.add_photo(drill, photo_bytes(900, 1200, color=(200, 80, 40)), "医疗组转运伤员")
    services.add_photo(drill, photo_bytes(800, 600, fmt="PNG"), "")
    problems.add_problem(drill, {"description": "警戒组到位时间偏长", "responsible_unit": "安全环保部",
                                 "measure": "调整警戒组集结点", "due_on": local_today() + timedelta(days=30)})
    problems.add_problem(drill, {"description": "部分人员不熟悉空气呼吸器佩戴", "responsible_unit": "生产部",
                                 "measure": "每月组织一次佩戴训练", "due_on": local_today() + timedelta(days=60)})
    items = evaluation.items_for(drill.form_org)
    scores = {item.id: {"score": item.max_score - (2 if n < 3 else 0), "remark": "警戒组到位偏慢" if n == 0 else ""}
              for n, item in enumerate(items)}
    evaluation.save_evaluation(drill, {"evaluated_on": local_today(), "evaluators": "刘洋（县应急管理局）\n周敏（化工专家）",
                                       "summary": "演练按方案实施，各小组响应及时。", "plan_assessment": "预案总体可行。",
                                       "conclusion": "演练达到预期目的。", "suggestions": "修订警戒组集结点。"}, scores)
    db.session.commit()
    return services.get_drill(drill.id)


def test_the_drill_record_shows_everything_recorded(client, login, full_drill, plan_in_force):
    login(Role.DRILL)
    drill = full_drill
    doc = opened(client, client.post(f"/drills/{drill.id}/record-doc", data={"fmt": "docx"}))
    assert "应急演练记录表" in lines(doc)
    rows = table_rows(doc.tables[0])
    held = f"{drill.held_on.year}年{drill.held_on.month}月{drill.held_on.day}日"
    assert ["演练名称", drill.title] in rows
    assert ["组织单位", "东镇化工有限公司", "演练日期", held] in rows
    assert ["依据预案", plan_in_force.title] in rows
    assert ["演练地点", "公司罐区", "演练时间", "09:00 开始，历时 45 分钟"] in rows
    assert ["演练形式", "实战演练（单项演练、检验性演练）", "事件类别", "事故灾难（危险化学品事故）"] in rows
    assert ["总指挥", "张建国", "参演人数", "36人"] in rows
    assert ["参演单位", "东镇化工有限公司、东镇消防救援站（共3家）"] in rows
    assert ["观摩人员", "县应急管理局 刘洋、东镇安监站 王强"] in rows
    assert ["装备物资", "空气呼吸器 8 套、消防车 1 辆"] in rows
    assert ["演练目的", "检验液氨泄漏的报告和处置程序"] in rows
    assert ["演练情景", "液氨储罐阀门泄漏"] in rows
    assert [row for row in rows if row[0] in ("09:00", "09:04", "09:30")] == [
        [s["at"], s["event"], s["action"]] for s in STEPS]
    assert ["1", "警戒组到位时间偏长"] in rows and ["2", "部分人员不熟悉空气呼吸器佩戴"] in rows
    assert ["抢险组关阀堵漏"] in rows and ["医疗组转运伤员"] in rows and ["现场照片 3"] in rows
    assert pictures(doc) == 3
    assert ["记录人", "陈静", "签名", ""] in rows
    # the portrait photo is as high as a landscape one is wide allows, not a page tall
    extents = [int(e.get("cy")) for e in doc.element.body.iter(
        "{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}extent")]
    assert max(extents) <= paperwork.PHOTO_HEIGHT_MM * 36000 + 1
    # kept among the drill's documents, shown on the drill page
    [document] = paperwork.documents_for(drill)
    assert document.title == f"{drill.title}-演练记录表" and document.source == f"drill:{drill.id}"
    page = client.get(f"/drills/{drill.id}")
    assert f"{drill.title}-演练记录表" in page_text(page)
    assert f"/documents/generated/{document.id}.docx" in page.get_data(as_text=True)


def test_the_record_takes_at_most_the_first_photos(app, full_drill):
    context = paperwork.record_context(full_drill, max_photos=2)
    assert [p["caption"] for p in context["photos"]] == ["抢险组关阀堵漏", "医疗组转运伤员"]


def test_the_evaluation_report_has_the_scores_total_grade_and_problems(client, login, full_drill):
    login(Role.DRILL)
    drill = full_drill
    result = drill.evaluation
    assert (result.total, result.max_total, result.grade) == (94, 100, "优秀")
    doc = opened(client, client.post(f"/drills/{drill.id}/evaluation-doc", data={"fmt": "docx", "issuer": "bureau"}))
    text = lines(doc)
    assert "应急演练评估报告" in text
    assert "演练按方案实施，各小组响应及时。" in text and "预案总体可行。" in text
    assert "演练达到预期目的。" in text and "修订警戒组集结点。" in text
    basics = table_rows(doc.tables[0])
    assert ["评估人员", "刘洋（县应急管理局）、周敏（化工专家）"] in basics
    assert ["演练地点", "公司罐区", "参演人数", "36人"] in basics
    scores = table_rows(doc.tables[1])
    assert scores[0] == ["序号", "评估要素", "评估内容", "分值", "得分", "评语"]
    lines_scored = [s for s in result.scores]
    assert scores[1:-1] == [[str(n), s.category, s.title, str(s.max_score), str(s.score), s.remark]
                            for n, s in enumerate(lines_scored, 1)]
    assert scores[1][5] == "警戒组到位偏慢"
    assert scores[-1] == ["合计", "100", "94", "优秀"]
    assert "评估总分 94 分（满分 100 分），评估等级：优秀。" in text
    due_first = drill.problems[0].due_on
    assert table_rows(doc.tables[2])[1] == [
        "1", "警戒组到位时间偏长", "调整警戒组集结点", "安全环保部",
        f"{due_first.year}年{due_first.month}月{due_first.day}日", "待整改"]
    assert len(table_rows(doc.tables[2])) == 3
    assert "评估单位：示范县应急管理局" in text
    assert pictures(doc) == 1  # the bureau's seal

    # signed by the organizer: its name, no seal of the bureau
    doc = opened(client, client.post(f"/drills/{drill.id}/evaluation-doc", data={"fmt": "docx"}))
    assert "评估单位：东镇化工有限公司" in lines(doc) and pictures(doc) == 0
    assert [d.title for d in paperwork.documents_for(drill)] == [f"{drill.title}-演练评估报告"] * 2


def test_no_record_before_the_drill_is_held_and_no_report_before_it_is_evaluated(client, login, make_drill):
    login(Role.DRILL)
    planned = make_drill(status="planned", held_on=None, planned_on=local_today() + timedelta(days=10))
    refused = client.post(f"/drills/{planned.id}/record-doc", data={"fmt": "docx"}, follow_redirects=True)
    assert "演练尚未实施（当前为“计划”），不能生成演练记录表" in page_text(refused)
    held = make_drill()
    refused = client.post(f"/drills/{held.id}/evaluation-doc", data={"fmt": "docx"}, follow_redirects=True)
    assert "演练尚未评估，不能生成评估报告" in page_text(refused)
    assert documents() == 0
    # the drill page offers what can be made now
    page = page_text(client.get(f"/drills/{planned.id}"))
    assert "演练实施后可生成演练记录表" in page and "完成评估后可生成演练评估报告" in page
    page = client.get(f"/drills/{held.id}").get_data(as_text=True)
    assert 'data-testid="record-doc-form"' in page and 'data-testid="evaluation-doc-form"' not in page


def test_a_record_without_photos_problems_or_plan(client, login, make_drill):
    login(Role.DRILL)
    drill = make_drill(units="", participant_units=0, start_time="", duration_minutes=None)
    doc = opened(client, client.post(f"/drills/{drill.id}/record-doc", data={"fmt": "docx"}))
    rows = table_rows(doc.tables[0])
    assert ["依据预案", "（未关联预案）"] in rows and ["—", "无"] in rows and ["参演单位", ""] in rows
    assert ["现场照片"] not in rows and pictures(doc) == 0
    assert "None" not in "".join(lines(doc))


def test_a_reader_views_the_reports_but_cannot_generate_documents(client, login, full_drill):
    login(Role.LEADER)
    assert client.get("/drills/compliance").status_code == 200
    assert client.get("/drills/figures").status_code == 200
    assert client.post(f"/drills/{full_drill.id}/record-doc", data={"fmt": "docx"}).status_code == 403
    assert client.post(f"/drills/{full_drill.id}/evaluation-doc", data={"fmt": "docx"}).status_code == 403
    assert documents() == 0
    page = client.get(f"/drills/{full_drill.id}").get_data(as_text=True)
    assert "生成演练记录表" not in page and "生成演练评估报告" not in page


def test_an_unknown_drill_is_a_404(client, login):
    login(Role.DRILL)
    assert client.post("/drills/999999/record-doc", data={"fmt": "docx"}).status_code == 404


@pytest.mark.skipif(not pdf.available(), reason="LibreOffice is not installed")
def test_the_record_as_pdf(client, login, full_drill):
    login(Role.DRILL)
    response = client.post(f"/drills/{full_drill.id}/record-doc", data={"fmt": "pdf"})
    assert response.headers["Location"].endswith(".pdf")
    download = client.get(response.headers["Location"])
    assert download.mimetype == "application/pdf" and download.data.startswith(b"%PDF")
