"""Frequency compliance: for every plan in force, its last drill and whether the required period
(plans.due.required_months: DOMAIN.md §1 and §3) is met.

The period runs from the last drill held that exercised the plan, or from the plan's issue date
when it has never been drilled. One GROUP BY gives every plan's last drill.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select

from webapp.common.ids import as_id
from webapp.common.time import local_today
from webapp.drills.models import HELD, Drill, drill_plans
from webapp.extensions import db
from webapp.plans import due
from webapp.plans.models import Plan
from webapp.registry.models import Organization


def last_drill_query():
    """(plan_id, last) for every plan exercised by a drill held: the date of its latest such drill.
    One GROUP BY; the dashboard joins it as a subquery."""
    return (select(drill_plans.c.plan_id, func.max(Drill.held_on).label("last"))
            .join(Drill, Drill.id == drill_plans.c.drill_id)
            .where(Drill.status.in_(HELD), Drill.held_on.is_not(None))
            .group_by(drill_plans.c.plan_id))


def last_drill_dates(plan_ids: list[int]) -> dict[int, date]:
    """plan id → the date of the latest drill held that exercised it."""
    if not plan_ids:
        return {}
    wanted = set(plan_ids)
    return {plan_id: held for plan_id, held in db.session.execute(last_drill_query()) if plan_id in wanted}


@dataclass(frozen=True)
class PlanCompliance:
    plan: Plan
    months: int
    last_drill: date | None
    due_on: date
    met: bool

    @property
    def days_overdue(self) -> int:
        return 0 if self.met else (local_today() - self.due_on).days


def compliance(args: Mapping[str, str] | None = None, today: date | None = None) -> list[PlanCompliance]:
    """Every plan in force with a drill rule, filtered by town (town), owner (org) and state
    (state=overdue|met); overdue first, longest overdue first."""
    args = args or {}
    today = today or local_today()
    query = due.plans_in_force()
    town, org = as_id(args.get("town")), as_id(args.get("org"))
    if town:
        query = query.join(Organization, Plan.organization_id == Organization.id).where(Organization.town_id == town)
    if org:
        query = query.where(Plan.organization_id == org)
    plans = list(db.session.scalars(query))
    rows = [PlanCompliance(d.plan, d.months, d.last_drill, d.due_on, d.due_on >= today)
            for d in due.drill_status(plans, today)]
    state = (args.get("state") or "").strip()
    if state == "overdue":
        rows = [r for r in rows if not r.met]
    elif state == "met":
        rows = [r for r in rows if r.met]
    return sorted(rows, key=lambda r: (r.met, r.due_on, r.plan.id))


def overdue_by_town(rows: list[PlanCompliance]) -> list[tuple[str, int, int]]:
    """(town name, plans, overdue) per town, for the summary above the list; the county's own
    departments under “县本级” (a town's town_id is itself)."""
    counts: dict[str, list[int]] = {}
    for row in rows:
        organization = row.plan.organization
        name = organization.town.name if organization is not None and organization.town is not None else "县本级"
        entry = counts.setdefault(name, [0, 0])
        entry[0] += 1
        entry[1] += 0 if row.met else 1
    return sorted(((name, total, late) for name, (total, late) in counts.items()), key=lambda t: (-t[2], t[0]))
