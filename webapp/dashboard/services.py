"""The dashboard's small queries that are not figures: the registry's enterprises by industry, and
the years a user can pick."""

from datetime import date

from sqlalchemy import func, select

from webapp.common.figures import Period
from webapp.drills.models import HELD, Drill
from webapp.extensions import db
from webapp.outreach.models import Event
from webapp.plans.models import Plan
from webapp.quiz.contest_models import Contest
from webapp.registry.models import INDUSTRIES, Organization, OrgKind
from webapp.training.models import Certificate, TrainingSession


def enterprises_by_industry() -> list[dict]:
    rows = dict(
        db.session.execute(
            select(Organization.industry, func.count())
            .where(Organization.kind == OrgKind.ENTERPRISE.value, Organization.active.is_(True))
            .group_by(Organization.industry)
        ).all()
    )
    high = dict(
        db.session.execute(
            select(Organization.industry, func.count())
            .where(Organization.kind == OrgKind.ENTERPRISE.value, Organization.active.is_(True), Organization.high_risk)
            .group_by(Organization.industry)
        ).all()
    )
    return [
        {"industry": name, "count": rows[name], "high_risk": high.get(name, 0)} for name in INDUSTRIES if rows.get(name)
    ]


def years_with_data(period: Period, today: date) -> list[int]:
    """Years from the first with any drill, event, training, certificate, plan or contest up to
    this year (and the one shown, if a link asked for another), newest first. Each MIN reads an
    index or a small table."""
    firsts = [select(func.min(Drill.held_on)).where(Drill.status.in_(HELD)), select(func.min(Event.held_on)),
              select(func.min(TrainingSession.starts_on)), select(func.min(Certificate.issued_on)),
              select(func.min(Plan.issued_on)), select(func.min(Contest.date))]
    found = [day for day in db.session.execute(select(*(q.scalar_subquery() for q in firsts))).one() if day]
    low = min([day.year for day in found] + [today.year, period.first.year])
    high = max(today.year, period.last.year)
    return list(range(high, low - 1, -1))
