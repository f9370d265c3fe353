"""The evaluation pages: the score sheet of a drill (scores, remarks, evaluators, total and grade),
what is refused and that nothing is written then, re-scoring on the sheet first used, and the
score-sheet items a drill officer configures."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tests.conftest import page_text, table_text
from webapp.auth.permissions import Role
from webapp.common.time import local_today
from webapp.drills import evaluation
from webapp.drills.models import DrillEvaluation, EvaluationItem, EvaluationScore
from webapp.extensions import db


def _evaluations() -> int:
    return db.session.scalar(select(func.count()).select_from(DrillEvaluation))


def _sheet(form_org: str = "field") -> list[EvaluationItem]:
    items = evaluation.items_for(form_org)
    db.session.commit()
    return items


def _post(client, drill, items, scores=None, remarks=None, **values):
    """The score sheet as an evaluator fills it in: every item at its maximum unless told."""
    data = {"evaluated_on": local_today().isoformat(), "evaluators": "王建华（县应急管理局）\n李敏（县消防救援大队）",
            "summary": "按方案完成报警、疏散、堵漏和洗消四个环节，历时45分钟。",
            "plan_assessment": "预案职责分工清楚，处置程序可操作。", "conclusion": "演练达到预期目的。",
            "suggestions": "补充夜间情景的处置要求。"} | values
    for item in items:
        data[f"score_{item.id}"] = (scores or {}).get(item.id, item.max_score)
        data[f"remark_{item.id}"] = (remarks or {}).get(item.id, "")
    return client.post(f"/drills/{drill.id}/evaluate", data=data)


def test_the_shipped_sheets_each_total_100(app, login, client):
    field, tabletop = _sheet("field"), _sheet("tabletop")
    assert sum(i.max_score for i in field) == 100 and len(field) == 10
    assert sum(i.max_score for i in tabletop) == 100 and len(tabletop) == 8
    assert {i.category for i in field} >= {"指挥与协调", "现场处置", "警戒与疏散"}
    login(Role.DRILL)
    page = client.get("/drills/evaluation-items")
    assert page.status_code == 200
    text = page_text(page)
    assert "实战演练评分表 启用项目合计 100 分" in text and "桌面演练评分表 启用项目合计 100 分" in text
    assert "不是 100 分" not in text
    assert "总指挥指挥有序" in table_text(page, "items-field")
    assert "推演" in table_text(page, "items-tabletop")


def test_scoring_saves_the_total_and_the_grade(app, login, client, make_drill):
    drill = make_drill()
    login(Role.DRILL)
    page = client.get(f"/drills/{drill.id}/evaluate")
    assert page.status_code == 200
    text = page_text(page)
    assert "满分 100 分" in text and "演练准备" in text and "通信保障" in text
    items = _sheet()
    command = next(i for i in items if i.category == "指挥与协调")
    response = _post(client, drill, items, scores={command.id: 12}, remarks={command.id: "各组之间协同稍慢"})
    assert response.status_code == 302
    saved = db.session.scalar(select(DrillEvaluation))
    assert (saved.total, saved.max_total, saved.grade) == (97, 100, "优秀")
    assert saved.evaluators.splitlines() == ["王建华（县应急管理局）", "李敏（县消防救援大队）"]
    assert saved.plan_assessment == "预案职责分工清楚，处置程序可操作。"
    line = next(s for s in saved.scores if s.item_id == command.id)
    assert (line.score, line.max_score, line.remark, line.title) == (12, 15, "各组之间协同稍慢", command.title)
    assert len(saved.scores) == 10
    assert saved.drill.status == "evaluating"
    shown = client.get(response.headers["Location"])
    text = page_text(shown)
    assert "已保存评估：总分 97 / 100，评定等级“优秀”" in text
    assert "总分 97 / 100" in text and "优秀" in text
    assert 'value="12"' in shown.get_data(as_text=True)  # the sheet reopens with the scores


def test_a_low_score_is_graded_failed(app, login, client, make_drill):
    drill = make_drill(form_org="tabletop")
    login(Role.DRILL)
    items = _sheet("tabletop")
    # half of every item's maximum: 50 of 100, below the 60 of 合格 in DRILL_GRADES
    assert _post(client, drill, items, scores={i.id: i.max_score // 2 for i in items}).status_code == 302
    saved = db.session.scalar(select(DrillEvaluation))
    assert saved.max_total == 100 and saved.total == sum(i.max_score // 2 for i in items) < 60
    assert saved.grade == "不合格"
    assert [s.category for s in saved.scores][:2] == ["演练准备", "情景设置"]  # the tabletop sheet


def test_a_score_above_the_items_maximum_is_refused_and_everything_typed_is_kept(app, login, client, make_drill):
    drill = make_drill()
    login(Role.DRILL)
    items = _sheet()
    first, second = items[0], items[1]
    response = _post(client, drill, items, scores={first.id: 11, second.id: 7}, remarks={second.id: "报告延迟2分钟"},
                     evaluators="赵刚（县应急管理局）")
    assert response.status_code == 200
    assert _evaluations() == 0 and db.session.scalar(select(func.count()).select_from(EvaluationScore)) == 0
    text = page_text(response)
    assert f"第 1 项“{first.category}”的得分 11 超过该项满分 {first.max_score}" in text
    html = response.get_data(as_text=True)
    # the message sits with its item, and what was typed is still there
    row = html.split(f'data-item="{first.id}"', 1)[1].split("</li>", 1)[0]
    assert "超过该项满分" in row and 'value="11"' in row
    row2 = html.split(f'data-item="{second.id}"', 1)[1].split("</li>", 1)[0]
    assert 'value="7"' in row2 and "报告延迟2分钟" in row2 and "超过" not in row2
    assert "赵刚（县应急管理局）" in html and "补充夜间情景的处置要求。" in html
    assert f'max="{first.max_score}"' in row and 'min="0"' in row
    assert db.session.get(type(drill), drill.id).status == "conducted"


def test_a_missing_score_is_refused(app, login, client, make_drill):
    drill = make_drill()
    login(Role.DRILL)
    items = _sheet()
    last = items[-1]
    response = _post(client, drill, items, scores={last.id: ""}, evaluators="", conclusion="")
    assert response.status_code == 200 and _evaluations() == 0
    text = page_text(response)
    assert f"第 10 项“{last.category}”未打分" in text
    assert "请填写评估人员" in text and "请填写评估结论" in text


def test_a_negative_or_non_integer_score_and_a_future_date_are_refused(app, login, client, make_drill):
    drill = make_drill()
    login(Role.DRILL)
    items = _sheet()
    response = _post(client, drill, items, scores={items[0].id: -1, items[1].id: "8.5"},
                     evaluated_on=(local_today() + timedelta(days=1)).isoformat())
    text = page_text(response)
    assert "的得分不能为负数" in text and "的得分应为整数" in text and "评估日期不能晚于今天" in text
    assert _evaluations() == 0


def test_a_drill_not_yet_held_cannot_be_evaluated(app, login, client, make_drill):
    drill = make_drill(status="planned", held_on=None, planned_on=local_today() + timedelta(days=20))
    login(Role.DRILL)
    page = client.get(f"/drills/{drill.id}/evaluate")
    assert page.status_code == 200
    assert "演练尚未实施" in page_text(page) and 'name="evaluators"' not in page.get_data(as_text=True)
    response = _post(client, drill, _sheet())
    assert "演练尚未实施，不能评估" in page_text(response)
    assert _evaluations() == 0


def test_rescoring_after_an_item_was_edited_keeps_the_old_lines(app, login, client, make_drill):
    drill = make_drill()
    login(Role.DRILL)
    items = _sheet()
    assert _post(client, drill, items).status_code == 302
    first, retired = items[0], items[-1]
    old_title = first.title
    # the officer changes the sheet: a new wording and maximum, one item retired, one added
    response = client.post(f"/drills/evaluation-items/{first.id}/edit", data={
        "form_org": "field", "category": "演练准备", "title": "演练方案经审批，脚本完整", "max_score": 8,
        "position": first.position})
    assert response.status_code == 302
    assert client.post(f"/drills/evaluation-items/{retired.id}/toggle").status_code == 302
    # re-scoring the drill: still the ten lines it was first scored on, with their old maxima
    page = client.get(f"/drills/{drill.id}/evaluate")
    text = page_text(page)
    assert old_title in text and "演练方案经审批" not in text and retired.category in text
    response = _post(client, drill, items, scores={first.id: 10}, conclusion="复评：达到预期目的。")
    assert response.status_code == 302
    saved = db.session.scalar(select(DrillEvaluation))
    db.session.refresh(saved)
    line = next(s for s in saved.scores if s.item_id == first.id)
    assert (line.title, line.max_score, line.score) == (old_title, 10, 10)
    assert len(saved.scores) == 10 and saved.total == 100 and saved.conclusion == "复评：达到预期目的。"
    assert _evaluations() == 1
    # a new drill gets the edited sheet: new wording, new maximum, without the retired item
    other = make_drill(title="2026年储罐区火灾事故综合演练")
    text = page_text(client.get(f"/drills/{other.id}/evaluate"))
    assert "演练方案经审批，脚本完整" in text and old_title not in text
    assert retired.title not in text and "满分 93 分" in text


def test_item_configuration_add_edit_retire_restore(app, login, client, make_drill):
    login(Role.DRILL)
    assert client.get("/drills/evaluation-items/new").status_code == 200
    response = client.post("/drills/evaluation-items/new", data={
        "form_org": "field", "category": "信息发布", "title": "对外信息发布及时、准确", "max_score": 5})
    assert response.status_code == 302
    added = db.session.scalar(select(EvaluationItem).where(EvaluationItem.category == "信息发布"))
    assert added.active and added.position == 11 and added.max_score == 5
    page = client.get("/drills/evaluation-items")
    text = page_text(page)
    assert "信息发布" in table_text(page, "items-field")
    assert "实战演练评分表启用项目的分值合计为 105 分，不是 100 分" in text
    assert 'data-testid="warning-tabletop"' not in page.get_data(as_text=True)
    # the new item is on a new field drill's sheet
    drill = make_drill()
    assert "对外信息发布及时、准确" in page_text(client.get(f"/drills/{drill.id}/evaluate"))
    # edit it
    response = client.post(f"/drills/evaluation-items/{added.id}/edit", data={
        "form_org": "field", "category": "信息发布与舆情", "title": "对外信息发布及时、准确，舆情应对得当",
        "max_score": 5, "position": 11})
    assert response.status_code == 302
    db.session.refresh(added)
    assert added.category == "信息发布与舆情"
    # retire it: the total is 100 again and new sheets leave it out
    response = client.post(f"/drills/evaluation-items/{added.id}/toggle", follow_redirects=True)
    assert "已停用评估项目“信息发布与舆情”" in page_text(response)
    db.session.refresh(added)
    assert not added.active
    assert "不是 100 分" not in page_text(response)
    assert "舆情应对得当" not in page_text(client.get(f"/drills/{drill.id}/evaluate"))
    assert added not in evaluation.items_for("field")
    # restore it
    client.post(f"/drills/evaluation-items/{added.id}/toggle")
    db.session.refresh(added)
    assert added.active


@pytest.mark.parametrize(("data", "message"), [
    ({"form_org": "field", "category": "", "title": "x", "max_score": 5}, "请填写评估要素"),
    ({"form_org": "field", "category": "x", "title": "", "max_score": 5}, "请填写评估内容"),
    ({"form_org": "", "category": "x", "title": "y", "max_score": 5}, "请选择适用的演练形式"),
    ({"form_org": "field", "category": "x", "title": "y", "max_score": 150}, "分值应在 1 至 100 之间"),
    ({"form_org": "field", "category": "x", "title": "y", "max_score": "十"}, "不是有效的整数"),
])
def test_a_bad_item_is_refused(app, login, client, data, message):
    login(Role.DRILL)
    _sheet()
    before = db.session.scalar(select(func.count()).select_from(EvaluationItem))
    response = client.post("/drills/evaluation-items/new", data=data)
    assert response.status_code == 200 and message in page_text(response)
    assert db.session.scalar(select(func.count()).select_from(EvaluationItem)) == before


def test_readers_may_look_but_not_score_or_configure(app, login, client, make_drill):
    drill = make_drill()
    items = _sheet()
    login(Role.LEADER)
    page = client.get("/drills/evaluation-items")
    assert page.status_code == 200 and "添加评估项目" not in page_text(page)
    assert client.get(f"/drills/{drill.id}/evaluate").status_code == 403
    assert _post(client, drill, items).status_code == 403
    assert client.post("/drills/evaluation-items/new", data={"form_org": "field", "category": "x", "title": "y",
                                                              "max_score": 5}).status_code == 403
    assert client.post(f"/drills/evaluation-items/{items[0].id}/toggle").status_code == 403
    assert client.get(f"/drills/evaluation-items/{items[0].id}/edit").status_code == 403
    db.session.refresh(items[0])
    assert items[0].active and _evaluations() == 0


def test_the_drill_page_shows_the_evaluation(app, login, client, make_drill):
    drill = make_drill()
    login(Role.DRILL)
    items = _sheet()
    text = page_text(client.get(f"/drills/{drill.id}"))
    assert "尚未评估" in text and "评估打分" in text
    _post(client, drill, items, scores={items[0].id: 4})
    page = client.get(f"/drills/{drill.id}")
    section = page.get_data(as_text=True).split('data-testid="drill-evaluation"', 1)[1].split("</section>", 1)[0]
    assert "94" in section and "/ 100" in section and "优秀" in section and "重新评估" in section
    assert "王建华（县应急管理局）；李敏（县消防救援大队）" in section and "演练达到预期目的。" in section
    assert f"/drills/{drill.id}/evaluate" in section
