"""Quiz figures for a period: knowledge competitions held and their participants (人次), for the
dashboard and the annual summary.

A competition counts in the period when answers to it were handed in during the period; its
participants are the submitted attempts (人次: a second try counts again), by the attempt's own
town and organization. On-site contests (现场知识竞赛) count by their date, with their teams.
Attempts are stored in UTC; days and months are Asia/Shanghai's (common.time).
"""

from sqlalchemy import func, select

from webapp.common.figures import Period
from webapp.common.time import month_of, utc_bounds
from webapp.extensions import db
from webapp.quiz.contest_models import Contest, ContestTeam
from webapp.quiz.models import Attempt, AttemptStatus, Quiz, QuizKind
from webapp.registry.models import Organization

MEASURES = ("competitions", "participants")


def _submitted(period: Period, town_id: int | None) -> list:
    start, end = utc_bounds(period.first, period.last)
    conditions = [Attempt.status == AttemptStatus.SUBMITTED.value, Attempt.submitted_at >= start,
                  Attempt.submitted_at < end, Quiz.kind == QuizKind.COMPETITION.value]
    if town_id:
        conditions.append(Attempt.town_id == town_id)
    return conditions


def _measures() -> tuple:
    return func.count(func.distinct(Attempt.quiz_id)), func.count(Attempt.id)


def _attempts(*columns):
    return select(*columns).select_from(Attempt).join(Quiz, Quiz.id == Attempt.quiz_id)


def totals(period: Period, town_id: int | None = None) -> dict:
    """Online competitions with answers in the period and their participants; on-site contests
    held in it and their teams (a town's figures count the teams of its units)."""
    online = db.session.execute(_attempts(*_measures()).where(*_submitted(period, town_id))).one()
    contests = (select(func.count(func.distinct(Contest.id)), func.count(ContestTeam.id))
                .select_from(Contest).outerjoin(ContestTeam, ContestTeam.contest_id == Contest.id)
                .where(Contest.date >= period.first, Contest.date <= period.last))
    if town_id:
        contests = contests.join(Organization, Organization.id == ContestTeam.organization_id) \
            .where(Organization.town_id == town_id)
    on_site = db.session.execute(contests).one()
    return {"competitions": int(online[0] or 0), "participants": int(online[1] or 0),
            "contests": int(on_site[0] or 0), "teams": int(on_site[1] or 0)}


SERIES_COLUMNS = {"month": lambda: month_of(Attempt.submitted_at, utc=True), "town": lambda: Attempt.town_id,
                  "industry": lambda: Organization.industry}


def series(by: str, period: Period, town_id: int | None = None) -> dict:
    """For the dashboard's charts: month ('2026-03'), town id or the participant's organization's
    industry (None: not given) → {competitions, participants} of the online competitions."""
    column = SERIES_COLUMNS[by]()
    query = _attempts(column, *_measures())
    if by == "industry":
        query = query.outerjoin(Organization, Organization.id == Attempt.organization_id)
    rows = db.session.execute(query.where(*_submitted(period, town_id)).group_by(column))
    return {row[0]: dict(zip(MEASURES, (int(row[1]), int(row[2])), strict=True)) for row in rows}
