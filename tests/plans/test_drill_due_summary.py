"""The dashboard's count of plans overdue for a drill (due.drill_overdue_summary, from light rows)
against the plans module's own list (due.drill_overdue, from the plans): the same plans, the same
earliest day, on every day around month ends, where adding months clamps (31 August + 6 months is
28 February)."""

from datetime import date, timedelta

from sqlalchemy import insert

from webapp.drills.models import Drill, DrillStatus, drill_plans
from webapp.extensions import db
from webapp.plans import due
from webapp.plans.models import PlanKind, PlanStatus
from webapp.registry.models import OrgKind

ISSUED = (date(2024, 2, 29), date(2025, 1, 31), date(2025, 2, 28), date(2025, 3, 31), date(2025, 5, 31),
          date(2025, 6, 30), date(2025, 8, 28), date(2025, 8, 29), date(2025, 8, 30), date(2025, 8, 31),
          date(2025, 9, 1), date(2023, 2, 28))


def test_the_light_count_agrees_with_the_list_on_every_day(app, make_plan, owners, factory):
    ordinary = factory.org("西镇机械厂", OrgKind.ENTERPRISE, owners["tree"]["v2"], industry="机械")
    kinds = ((PlanKind.ENT_ONSITE, ordinary), (PlanKind.ENT_COMPREHENSIVE, ordinary),
             (PlanKind.ENT_COMPREHENSIVE, owners["enterprise"]), (PlanKind.GOV_SPECIAL, owners["town"]))
    plans = []
    for n, issued in enumerate(ISSUED):
        for kind, owner in kinds:
            plan = make_plan(title=f"预案{n}-{kind.value}", kind=kind, owner=owner)
            plan.status, plan.issued_on = PlanStatus.FILED.value, issued
            plans.append(plan)
    plans[0].status = PlanStatus.WITHDRAWN.value  # not in force: never counted
    # a drill held on 31 August 2025 restarts the period of two plans
    db.session.add(drill := Drill(title="演练", organization_id=ordinary.id, hazard="accident", form_org="field",
                                  form_content="single", form_purpose="inspection",
                                  status=DrillStatus.CONDUCTED.value, held_on=date(2025, 8, 31)))
    db.session.flush()
    db.session.execute(insert(drill_plans), [{"drill_id": drill.id, "plan_id": p.id} for p in plans[4:6]])
    db.session.commit()
    days = [date(2026, 2, 20) + timedelta(days=n) for n in range(15)] + \
           [date(2026, 8, 25) + timedelta(days=n) for n in range(10)] + [date(2028, 2, 28), date(2028, 2, 29)]
    seen = set()
    for today in days:
        listed = due.drill_overdue(today)
        expected = (len(listed), min((d.due_on for d in listed), default=None))
        assert due.drill_overdue_summary(today) == expected, today
        seen.add(expected[0])
    assert len(seen) > 5  # the days chosen do move plans in and out of the list
