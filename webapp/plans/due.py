"""What is due on the plans: plans overdue for a drill, and plans waiting for revision.

Drill frequency per kind is configuration (PLAN_DRILL_MONTHS, DOMAIN.md §1 and §3: enterprise
comprehensive and special plans at least yearly and on-site disposal plans every half-year,
《生产安全事故应急预案管理办法》 2019 art. 33; government special and departmental plans at least
once every 3 years, 国办发〔2013〕101号 art. 22); high-risk units and crowded places every half-year.
A plan's period runs from its last drill held (the drills module), or from its issue date.
"""

from dataclasses import dataclass
from datetime import date

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import defer, selectinload

from webapp.common.time import local_today
from webapp.extensions import db
from webapp.plans.models import Plan, PlanStatus, RevisionRequest

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
    """How often the plan must be drilled, in months (None: no rule for its kind). Enterprise
    plans of high-risk units and crowded places: every half-year whatever the kind."""
    config = current_app.config
    months = config["PLAN_DRILL_MONTHS"].get(plan.kind)
    if months and not plan.government and plan.organization is not None:
        industry = plan.organization.industry
        if industry in config["HIGH_RISK_INDUSTRIES"] or industry in config["CROWDED_PLACE_INDUSTRIES"]:
            months = min(months, config["PLAN_DRILL_MONTHS_HIGH_RISK"])
    return months


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
        out.append(DrillDue(plan, months, last, add_months(last or plan.issued_on, months)))
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
