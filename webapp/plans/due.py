"""What is due on the plans: plans overdue for a drill, and plans waiting for revision.

Drill frequency per kind is configuration (PLAN_DRILL_MONTHS, DOMAIN.md §1 and §3: enterprise
comprehensive and special plans at least yearly and on-site disposal plans every half-year,
《生产安全事故应急预案管理办法》 2019 art. 33; government special and departmental plans at least
once every 3 years, 国办发〔2013〕101号 art. 22); high-risk units and crowded places every half-year.
A plan's period runs from its last drill held (the drills module), or from its issue date.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import defer, selectinload

from webapp.common.time import local_today
from webapp.extensions import db
from webapp.plans.models import GOVERNMENT_KINDS, Plan, PlanKind, PlanStatus, RevisionRequest

# Plans in force: only these are expected to be drilled. A plan returned for revision (需修订)
# stays the unit's plan until the revised text is issued, so its drills are still due.
IN_FORCE = (PlanStatus.PUBLISHED.value, PlanStatus.FILED.value, PlanStatus.NEEDS_REVISION.value)


@dataclass(frozen=True)
class DrillDue:
    plan: Plan
    months: int  # the required period
    last_drill: date | None  # None: no drill recorded, counted from the issue date
    due_on: date  # when a drill was due at the latest


def add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")


def required_months(plan: Plan) -> int | None:
    """How often the plan must be drilled, in months (None: no rule for its kind)."""
    return months_for(plan.kind, plan.organization.industry if plan.organization is not None else None)


def months_for(kind: str, industry: str | None) -> int | None:
    """The drill period of a plan of this kind owned by a unit of this industry (None: no rule).
    Enterprise plans of high-risk units and crowded places: every half-year whatever the kind.
    Taking plain values lets the dashboard count overdue plans from light rows (drill_overdue_summary)."""
    config = current_app.config
    months = config["PLAN_DRILL_MONTHS"].get(kind)
    if months and PlanKind(kind) not in GOVERNMENT_KINDS and industry:
        if industry in config["HIGH_RISK_INDUSTRIES"] or industry in config["CROWDED_PLACE_INDUSTRIES"]:
            months = min(months, config["PLAN_DRILL_MONTHS_HIGH_RISK"])
    return months


def next_drill_due(months: int, issued_on: date, last_drill: date | None) -> date:
    """When a drill is due at the latest: the period runs from the last drill held, or from issue."""
    return add_months(last_drill or issued_on, months)


def last_drills(plan_ids: list[int]) -> dict[int, date]:
    """plan id → date of its latest drill held, from the drills module."""
    # Imported here: the drills module builds on plans (its models point at them), not the other way.
    from webapp.drills.compliance import last_drill_dates

    return last_drill_dates(plan_ids)


def drill_status(plans: list[Plan], today: date | None = None) -> list[DrillDue]:
    """For each plan with a drill rule: its period, its last drill and when the next was due."""
    today = today or local_today()
    drills = last_drills([p.id for p in plans])
    out = []
    for plan in plans:
        months = required_months(plan)
        if not months or plan.issued_on is None:
            continue
        last = drills.get(plan.id)
        out.append(DrillDue(plan, months, last, next_drill_due(months, plan.issued_on, last)))
    return out


def plans_in_force():
    # search_text (every section's text) is not needed here and is most of a plan row's bytes.
    return (select(Plan).options(selectinload(Plan.organization), defer(Plan.search_text))
            .where(Plan.status.in_(IN_FORCE), Plan.issued_on.is_not(None)).order_by(Plan.issued_on, Plan.id))


def drill_overdue(today: date | None = None) -> list[DrillDue]:
    """Plans in force whose required drill period (from the last drill, or from issue) has passed."""
    today = today or local_today()
    plans = list(db.session.scalars(plans_in_force()))
    out = [due for due in drill_status(plans, today) if due.due_on < today]
    return sorted(out, key=lambda d: (d.due_on, d.plan.id))


def drill_overdue_summary(today: date | None = None) -> tuple[int, date | None]:
    """How many plans drill_overdue() lists, and the earliest day a drill was due among them,
    without loading the plans: one query of light rows (kind, owner's industry, issue date, last
    drill held) through the same rule (months_for, next_drill_due). The dashboard asks this on
    every visit, with thousands of plans in force."""
    from webapp.drills.compliance import last_drill_query  # see last_drills()
    from webapp.registry.models import Organization

    today = today or local_today()
    last = last_drill_query().subquery()
    query = (select(Plan.kind, Organization.industry, Plan.issued_on, last.c.last)
             .join(Organization, Organization.id == Plan.organization_id)
             .outerjoin(last, last.c.plan_id == Plan.id)
             .where(Plan.status.in_(IN_FORCE), Plan.issued_on.is_not(None)))
    periods: dict[tuple, int | None] = {}
    cutoffs: dict[int, date] = {}
    oldest: dict[int, date] = {}  # months → the earliest start among the overdue plans
    overdue = 0
    # Core rows (no ORM loading), and per period the first start that is not overdue yet, so the
    # loop compares dates instead of adding months for every plan.
    for kind, industry, issued_on, last_drill in db.session.connection().execute(query):
        if (kind, industry) not in periods:
            periods[kind, industry] = months_for(kind, industry)
        months = periods[kind, industry]
        if not months:
            continue
        if months not in cutoffs:
            cutoffs[months] = _first_start_in_time(months, today)
        start = last_drill or issued_on
        if start < cutoffs[months]:
            overdue += 1
            oldest[months] = min(start, oldest.get(months, start))
    earliest = min((next_drill_due(m, start, None) for m, start in oldest.items()), default=None)
    return overdue, earliest


def _first_start_in_time(months: int, today: date) -> date:
    """The first day a period of `months` may start on and not be overdue today: next_drill_due
    never decreases as the start moves later, so a plan is overdue exactly when its period
    started before this day."""
    day = add_months(today, -months) - timedelta(days=7)  # overdue still: a month-end clamp moves 3 days at most
    while next_drill_due(months, day, None) < today:
        day += timedelta(days=1)
    return day


def awaiting_revision() -> list[tuple[Plan, RevisionRequest | None]]:
    """Plans marked 需修订, each with its latest open revision request (整改意见)."""
    plans = list(db.session.scalars(select(Plan).options(selectinload(Plan.organization))
                                    .where(Plan.status == PlanStatus.NEEDS_REVISION.value)
                                    .order_by(Plan.updated_at, Plan.id)))
    requests: dict[int, RevisionRequest] = {}
    if plans:
        for request in db.session.scalars(select(RevisionRequest).where(
                RevisionRequest.plan_id.in_([p.id for p in plans]), RevisionRequest.closed_at.is_(None))
                .order_by(RevisionRequest.created_at, RevisionRequest.id)):
            requests[request.plan_id] = request  # the latest wins
    return [(plan, requests.get(plan.id)) for plan in plans]
