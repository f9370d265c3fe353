"""The drill rules in services, below the pages: what is refused, with which message, and that
nothing is written when it is."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tests.drills.conftest import drill_values
from webapp.common.time import local_today
from webapp.drills import compliance, services
from webapp.drills.models import Drill, DrillStatus
from webapp.errors import FieldErrors, UserError
from webapp.extensions import db
from webapp.plans import services as plan_services
from webapp.plans.models import PlanStatus, RevisionRequest


def _drills() -> int:
    return db.session.scalar(select(func.count()).select_from(Drill))


def _refused(owner, plan_ids=(), steps=None, **overrides) -> dict[str, str]:
    with pytest.raises(FieldErrors) as caught:
        services.save_drill(None, drill_values(owner, **overrides), list(plan_ids), steps)
    db.session.rollback()
    assert _drills() == 0
    return caught.value.errors


def test_a_held_drill_copies_its_organizers_town_and_industry(make_drill, owners):
    drill = make_drill(steps=[{"at": "09:00", "event": "发现泄漏", "action": "报告中控室"}, {"at": "", "event": ""}])
    assert drill.town_id == owners["town"].id and drill.industry == "危险化学品"
    assert [(s.at, s.event) for s in drill.steps] == [("09:00", "发现泄漏")]
    assert drill.form_label == "实战演练（单项演练、检验性演练）"


def test_a_drill_dated_in_the_future_cannot_be_marked_as_held(app, owners):
    tomorrow = local_today() + timedelta(days=1)
    errors = _refused(owners["enterprise"], held_on=tomorrow)
    assert "在今天之后" in errors["held_on"] and "计划" in errors["held_on"]
    # the same drill as a plan is fine
    drill = services.save_drill(None, drill_values(owners["enterprise"], status="planned", held_on=None,
                                                   planned_on=tomorrow), [])
    assert drill.status == "planned" and drill.held_on is None


@pytest.mark.parametrize(("overrides", "field", "words"), [
    ({"held_on": None}, "held_on", "请填写实施日期"),
    ({"status": "planned", "planned_on": None, "held_on": None}, "planned_on", "请填写计划日期"),
    ({"status": "preparing", "planned_on": local_today()}, "held_on", "尚未实施的演练不填写实施日期"),
    ({"participants": -3}, "participants", "不能为负数"),
    ({"participant_units": "三个"}, "participant_units", "应为整数"),
    ({"participants": 0}, "participants", "请填写参演人数"),
    ({"start_time": "9点"}, "start_time", "时:分"),
    ({"duration_minutes": 0}, "duration_minutes", "1 至 1440"),
    ({"form_org": "online"}, "form_org", "桌面演练或实战演练"),
    ({"hazard_subtype": "地震"}, "hazard_subtype", "不是事故灾难的子类"),
    ({"title": " "}, "title", "请填写演练名称"),
    ({"status": "evaluating"}, "status", "评估在记录后进行"),
])
def test_bad_drill_fields_are_named(app, owners, overrides, field, words):
    assert words in _refused(owners["enterprise"], **overrides)[field]


def test_a_bad_timeline_row_is_named_by_its_number(app, owners):
    errors = _refused(owners["enterprise"], steps=[{"at": "09:00", "event": "集结"}, {"at": "25:10", "event": "撤离"}])
    assert errors["steps"] == "演练过程第 2 行：时间格式应为 时:分，例如 09:05"


def test_a_withdrawn_plan_cannot_be_linked(app, owners, make_plan):
    plan = make_plan(title="已废止的旧预案")
    plan_services.change_status(plan, PlanStatus.WITHDRAWN.value)
    db.session.commit()
    errors = _refused(owners["enterprise"], plan_ids=[plan.id])
    assert errors["plan_ids"] == "预案《已废止的旧预案》已废止，不能作为演练依据；请选择现行预案"
    assert "不存在" in _refused(owners["enterprise"], plan_ids=["99999"])["plan_ids"]


def test_the_phases_move_forward_and_evaluation_cannot_be_skipped(app, owners):
    drill = services.save_drill(None, drill_values(owners["enterprise"], status="planned", held_on=None,
                                                   planned_on=local_today() + timedelta(days=5)), [])
    services.change_status(drill, "preparing")
    with pytest.raises(UserError, match="在今天之后"):
        services.change_status(drill, "conducted", held_on=local_today() + timedelta(days=5))
    assert drill.status == "preparing" and drill.held_on is None
    with pytest.raises(UserError, match="请先填写评估表"):
        services.change_status(drill, "evaluating")
    services.change_status(drill, "conducted", held_on=local_today())
    assert drill.status == DrillStatus.CONDUCTED.value and drill.held_on == local_today()
    with pytest.raises(UserError, match="请先填写评估表"):
        services.change_status(drill, "summarized")
    services.change_status(drill, "planned")  # a mistake undone: no longer held
    assert drill.held_on is None


def test_only_held_drills_count_as_the_last_drill_of_a_plan(app, make_drill, plan_in_force):
    old = make_drill(plans=[plan_in_force], held_on=local_today() - timedelta(days=40))
    make_drill(plans=[plan_in_force], status="planned", held_on=None, planned_on=local_today() + timedelta(days=9))
    assert compliance.last_drill_dates([plan_in_force.id]) == {plan_in_force.id: old.held_on}
    recent = make_drill(plans=[plan_in_force], held_on=local_today() - timedelta(days=2))
    assert compliance.last_drill_dates([plan_in_force.id, 12345]) == {plan_in_force.id: recent.held_on}


def test_a_revision_asked_for_by_a_drill_keeps_a_draft_a_draft_and_stacks_on_a_plan_being_revised(app, make_plan,
                                                                                                   plan_in_force):
    draft = make_plan(title="草稿预案")
    plan_services.request_revision(draft, ["疏散路线未标注"], "安全部", None)
    assert draft.status == PlanStatus.DRAFT.value
    plan_services.request_revision(plan_in_force, ["警戒组职责不清"], "安全部", None)
    plan_services.request_revision(plan_in_force, ["物资清单过期"], "仓储部", None)
    assert plan_in_force.status == PlanStatus.NEEDS_REVISION.value
    requests = db.session.scalars(select(RevisionRequest).where(RevisionRequest.plan_id == plan_in_force.id)).all()
    assert sorted(r.problems[0] for r in requests) == ["物资清单过期", "警戒组职责不清"]
    assert {r.source for r in requests} == {"drill"}
    plan_services.change_status(plan_in_force, PlanStatus.WITHDRAWN.value)
    with pytest.raises(UserError, match="已废止，不能要求修订"):
        plan_services.request_revision(plan_in_force, ["x"], "y", None)


def test_an_edit_cannot_claim_an_evaluation_that_does_not_exist(app, make_drill, owners):
    drill = make_drill()
    for status, label in (("evaluating", "评估"), ("summarized", "已总结")):
        with pytest.raises(FieldErrors) as caught:
            services.save_drill(drill, drill_values(owners["enterprise"], status=status), [])
        assert caught.value.errors["status"] == f"演练尚未评估，不能标记为“{label}”；请先填写评估表"
        db.session.rollback()
