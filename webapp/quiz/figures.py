"""Quiz figures for a period: knowledge competitions held and their participants (人次), for the
dashboard and the annual summary.

A competition counts in the period when answers to it were handed in during the period; its
participants are the submitted attempts (人次: a second try counts again), by the attempt's own
town and organization. On-site contests (现场知识竞赛) count by their date, with their teams.
Attempts are stored in UTC; days and months are Asia/Shanghai's (common.time).
"""

from datetime import date, timedelta

from sqlalchemy import func, literal, select, true, union_all

from webapp.common.figures import Period
from webapp.common.time import utc_bounds
from webapp.extensions import db
from webapp.quiz.contest_models import Contest, ContestTeam
from webapp.quiz.models import Attempt, AttemptStatus, Quiz, QuizKind
from webapp.registry.models import Organization

MEASURES = ("competitions", "participants")


def _submitted(period: Period, town_id: int | None) -> list:
    """Attempts handed in during the period to a competition. The competitions are a list of ids
    (IN, not a join): each quiz's attempts are then one range of the index on (status, quiz_id,
    submitted_at, town_id), read without looking up the quiz for every attempt."""
    start, end = utc_bounds(period.first, period.last)
    competitions = select(Quiz.id).where(Quiz.kind == QuizKind.COMPETITION.value)
    conditions = [Attempt.status == AttemptStatus.SUBMITTED.value, Attempt.quiz_id.in_(competitions),
                  Attempt.submitted_at >= start, Attempt.submitted_at < end]
    if town_id:
        conditions.append(Attempt.town_id == town_id)
    return conditions


def _measures() -> tuple:
    # count(*), not count(id): the same number (id is never NULL), and PostgreSQL can then answer
    # from that index alone
    return func.count(func.distinct(Attempt.quiz_id)), func.count()


def _attempts(*columns):
    return select(*columns).select_from(Attempt)


def totals(period: Period, town_id: int | None = None) -> dict:
    """Online competitions with answers in the period and their participants; on-site contests
    held in it and their teams (a town's figures count the teams of its units)."""
    online = _attempts(*_measures()).where(*_submitted(period, town_id)).subquery()
    contests = (select(func.count(func.distinct(Contest.id)), func.count(ContestTeam.id))
                .select_from(Contest).outerjoin(ContestTeam, ContestTeam.contest_id == Contest.id)
                .where(Contest.date >= period.first, Contest.date <= period.last))
    if town_id:
        contests = contests.join(Organization, Organization.id == ContestTeam.organization_id) \
            .where(Organization.town_id == town_id)
    on_site = contests.subquery()
    # one statement, the two one-row counts side by side
    row = db.session.execute(select(online, on_site).select_from(online.join(on_site, true()))).one()
    return dict(zip(("competitions", "participants", "contests", "teams"), (int(v or 0) for v in row), strict=True))


def answered(period: Period, town_id: int | None = None) -> tuple:
    """(the ids of the competitions with answers handed in during the period, those answers'
    number: participants 人次). The quiz list shows these for the dashboard's two figures."""
    conditions = _submitted(period, town_id)
    participants = db.session.scalar(_attempts(func.count()).where(*conditions))
    return select(Attempt.quiz_id).where(*conditions).distinct(), int(participants or 0)


SERIES_COLUMNS = {"town": lambda: Attempt.town_id, "industry": lambda: Organization.industry}  # month: _by_month


def _month_parts(period: Period) -> list[tuple[str, Period]]:
    """('2026-03', the part of the period in that month) for each month of the period."""
    parts = []
    for year, month in period.months():
        first = date(year, month, 1)
        last = (first + timedelta(days=31)).replace(day=1) - timedelta(days=1)
        parts.append((f"{year}-{month:02d}", Period(max(first, period.first), min(last, period.last))))
    return parts


def _by_month(period: Period, town_id: int | None) -> dict:
    """One range per month instead of GROUP BY the local month of every attempt: the submitted
    attempts are the dashboard's largest table (100,000 a few years on), and computing the month
    of each row (SQLite's strftime with '+8 hours') and grouping them took most of its time. Each
    part reads its month's range of each competition in the index; months without answers
    are left out, as GROUP BY leaves them out."""
    parts = [_attempts(literal(key).label("month"), *_measures()).where(*_submitted(part, town_id))
             for key, part in _month_parts(period)]
    rows = db.session.execute(union_all(*parts)) if len(parts) > 1 else db.session.execute(parts[0])
    return {row[0]: dict(zip(MEASURES, (int(row[1]), int(row[2])), strict=True)) for row in rows if row[2]}


def series(by: str, period: Period, town_id: int | None = None) -> dict:
    """For the dashboard's charts: month ('2026-03'), town id or the participant's organization's
    industry (None: not given) → {competitions, participants} of the online competitions."""
    if by == "month":
        return _by_month(period, town_id)
    column = SERIES_COLUMNS[by]()
    query = _attempts(column, *_measures())
    if by == "industry":
        query = query.outerjoin(Organization, Organization.id == Attempt.organization_id)
    rows = db.session.execute(query.where(*_submitted(period, town_id)).group_by(column))
    return {row[0]: dict(zip(MEASURES, (int(row[1]), int(row[2])), strict=True)) for row in rows}
