"""Edge cases found in review: a drill that was evaluated or found problems cannot slip back to
"not held" (its evaluation and problems would hang on a drill without a date); going back keeps
the drill in its year; dates far outside any drill's life are refused; a problem whose plan was
withdrawn after it was flagged can still be edited; the timeline has a bound."""

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from tests.conftest import page_text
from tests.drills.conftest import drill_values
from webapp.auth.permissions import Role
from webapp.common.time import local_today
from webapp.drills import evaluation, services
from webapp.drills import problems as rectification
from webapp.drills.models import Drill, DrillStep
from webapp.errors import FieldErrors, UserError
from webapp.extensions import db
from webapp.plans import services as plan_services
from webapp.plans.models import PlanStatus

TODAY = local_today()


def _evaluate(drill) -> None:
    items = evaluation.items_for(drill.form_org)
    evaluation.save_evaluation(drill, {"evaluated_on": TODAY, "evaluators": "王建华（县应急管理局）", "conclusion": "达到目的"},
                               {str(i.id): {"score": i.max_score} for i in items})
    db.session.commit()


def _problem(drill, **values):
    found = rectification.add_problem(drill, {"description": "警戒区域设置过小", "responsible_unit": "安全环保部",
                                              "measure": "重新划定警戒区域", "due_on": TODAY + timedelta(days=30)} | values)
    db.session.commit()
    return found


# --------------------------------------------------------------------------------- phases


def test_an_evaluated_drill_cannot_go_back_to_not_held(app, make_drill):
    drill = make_drill()
    _evaluate(drill)
    services.change_status(drill, "summarized")
    db.session.commit()
    for target in ("planned", "preparing"):
        with pytest.raises(UserError, match="已有评估表"):
            services.change_status(drill, target)
        db.session.rollback()
    drill = db.session.get(Drill, drill.id)
    assert (drill.status, drill.held_on, drill.evaluation is not None) == ("summarized", TODAY - timedelta(days=3), True)
    services.change_status(drill, "evaluating")  # one step back within "held" is still an undo
    assert drill.status == "evaluating"


def test_a_drill_with_problems_cannot_go_back_to_not_held(app, make_drill):
    drill = make_drill()
    _problem(drill)
    with pytest.raises(UserError, match="发现的问题"):
        services.change_status(drill, "preparing")
    db.session.rollback()
    assert db.session.get(Drill, drill.id).status == "conducted"


def test_the_edit_form_cannot_move_an_evaluated_drill_back_to_a_plan(app, make_drill, owners):
    drill = make_drill()
    _evaluate(drill)
    with pytest.raises(FieldErrors) as caught:
        services.save_drill(drill, drill_values(owners["enterprise"], status="planned", held_on=None,
                                                planned_on=TODAY), [])
    assert "已有评估表" in caught.value.errors["status"]
    db.session.rollback()
    assert db.session.get(Drill, drill.id).status == "evaluating"


def test_the_phase_button_back_from_summarized_is_refused_on_the_page(app, client, login, make_drill):
    drill = make_drill()
    _evaluate(drill)
    services.change_status(drill, "summarized")
    db.session.commit()
    login(Role.DRILL)
    client.post(f"/drills/{drill.id}/status", data={"to": "planned"})
    assert "已有评估表" in page_text(client.get(f"/drills/{drill.id}"))
    db.session.expire_all()
    assert db.session.get(Drill, drill.id).status == "summarized"


def test_going_back_from_held_keeps_the_drill_dated(app, make_drill):
    drill = make_drill()  # recorded as held, never planned: no planned_on
    held_on = drill.held_on
    services.change_status(drill, "preparing")
    assert (drill.held_on, drill.planned_on) == (None, held_on)
    # and the drill still passes its own rules on the next edit
    clean, errors = services.check_drill({**{n: getattr(drill, n) for n in services.DRILL_FIELDS}})
    assert errors == {}


# ---------------------------------------------------------------------------------- dates


@pytest.mark.parametrize(("overrides", "field", "words"), [
    ({"held_on": date(1, 1, 1)}, "held_on", "2000 年"),
    ({"status": "planned", "held_on": None, "planned_on": date(1999, 12, 31)}, "planned_on", "2000 年"),
    ({"status": "planned", "held_on": None, "planned_on": date(9999, 12, 31)}, "planned_on", "不能晚于"),
])
def test_dates_outside_any_drills_life_are_refused(app, owners, overrides, field, words):
    with pytest.raises(FieldErrors) as caught:
        services.save_drill(None, drill_values(owners["enterprise"], **overrides), [])
    assert words in caught.value.errors[field]
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Drill)) == 0


def test_the_form_refuses_year_one_and_the_year_list_stays_short(app, client, login, owners):
    login(Role.DRILL)
    data = drill_values(owners["enterprise"], held_on="0001-01-01", duration_minutes="45", participants="36",
                        participant_units="3")
    response = client.post("/drills/new", data={k: v for k, v in data.items() if v is not None})
    assert response.status_code == 200 and "2000 年" in page_text(response)
    assert db.session.scalar(select(func.count()).select_from(Drill)) == 0


def test_the_phase_button_refuses_year_one(app, make_drill):
    drill = make_drill(status="planned", held_on=None, planned_on=TODAY)
    with pytest.raises(UserError, match="2000 年"):
        services.change_status(drill, "conducted", held_on=date(1, 1, 1))
    db.session.rollback()
    assert db.session.get(Drill, drill.id).held_on is None


def test_a_problem_due_in_the_year_9999_is_refused(app, make_drill):
    drill = make_drill()
    with pytest.raises(FieldErrors) as caught:
        _problem(drill, due_on=date(9999, 12, 31))
    assert "不能晚于" in caught.value.errors["due_on"]


# ------------------------------------------------------------------------------- problems


def test_a_problem_whose_plan_was_withdrawn_after_it_was_flagged_can_still_be_edited(app, make_drill, plan_in_force):
    drill = make_drill(plans=[plan_in_force])
    problem = _problem(drill, plan_id=plan_in_force.id)
    plan_services.change_status(plan_in_force, PlanStatus.WITHDRAWN.value)
    db.session.commit()
    rectification.update_problem(problem, {"description": "警戒区域设置过小", "responsible_unit": "生产技术部",
                                           "measure": "重新划定警戒区域", "due_on": problem.due_on})
    db.session.commit()
    assert (problem.responsible_unit, problem.plan_id) == ("生产技术部", plan_in_force.id)


# ------------------------------------------------------------------------------- timeline


def test_the_timeline_has_a_bound(app, owners):
    steps = [{"at": "09:00", "event": f"第{i}步"} for i in range(services.MAX_STEPS + 1)]
    with pytest.raises(FieldErrors) as caught:
        services.save_drill(None, drill_values(owners["enterprise"]), [], steps)
    assert f"最多 {services.MAX_STEPS} 行" in caught.value.errors["steps"]
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(DrillStep)) == 0


def test_the_pages_offer_no_way_back_below_held_once_a_problem_is_found(app, client, login, make_drill):
    drill = make_drill()
    login(Role.DRILL)
    assert "退回“准备”" in page_text(client.get(f"/drills/{drill.id}"))
    _problem(drill)
    assert "退回“准备”" not in page_text(client.get(f"/drills/{drill.id}"))
    form = client.get(f"/drills/{drill.id}/edit").get_data(as_text=True)
    assert 'value="conducted"' in form and 'value="planned"' not in form and 'value="preparing"' not in form


# ----------------------------------------------------------------------------- evaluation


def test_a_drill_whose_form_was_corrected_is_rescored_on_its_new_forms_sheet(app, client, login, make_drill, owners):
    drill = make_drill()  # a field drill
    _evaluate(drill)
    services.save_drill(drill, drill_values(owners["enterprise"], form_org="tabletop", status="evaluating"), [])
    db.session.commit()
    tabletop = evaluation.items_for("tabletop")
    login(Role.DRILL)
    text = page_text(client.get(f"/drills/{drill.id}/evaluate"))
    assert "推演" in text and "警戒区域设置合理" not in text
    data = {"evaluated_on": TODAY.isoformat(), "evaluators": "王建华（县应急管理局）", "conclusion": "复评"}
    data |= {f"score_{i.id}": i.max_score for i in tabletop}
    assert client.post(f"/drills/{drill.id}/evaluate", data=data).status_code == 302
    db.session.expire_all()
    saved = db.session.get(Drill, drill.id).evaluation
    assert sorted(s.item_id for s in saved.scores) == sorted(i.id for i in tabletop)
    assert (saved.total, saved.max_total) == (100, 100)
