"""Plan figures for a period, for the dashboard and the annual summary: plans issued (发布), filed
(备案), returned for revision (提出修订: marked 需修订 by a review, a drill or an evaluation) and
revised (修订后重新送审: left 需修订 for review).

Issue and filing count by their dates on the plan; the revision steps by the status changes' times
(stored in UTC, counted on Asia/Shanghai days), each plan once per measure. A plan belongs to its
owner's town and industry.
"""

from sqlalchemy import func, select

from webapp.common.figures import Period
from webapp.common.time import month_of, utc_bounds
from webapp.extensions import db
from webapp.plans.models import Plan, PlanStatus, StatusChange
from webapp.registry.models import Organization

MEASURES = ("issued", "filed", "revision_requested", "revised")
LABELS = {"issued": "发布预案", "filed": "备案预案", "revision_requested": "提出修订", "revised": "完成修订"}
# What the plans list says it shows for ?counted=: "2026年发布的预案".
LISTED = {"issued": "发布的预案", "filed": "备案的预案", "revision_requested": "被提出修订的预案",
          "revised": "修订后重新送审的预案"}


def _dated(measure: str):
    """(the date or time column, extra conditions, whether the column is a UTC timestamp)."""
    if measure == "issued":
        return Plan.issued_on, [], False
    if measure == "filed":
        return Plan.filed_on, [], False
    if measure == "revision_requested":
        return StatusChange.created_at, [StatusChange.to_status == PlanStatus.NEEDS_REVISION.value], True
    return StatusChange.created_at, [StatusChange.from_status == PlanStatus.NEEDS_REVISION.value,
                                     StatusChange.to_status == PlanStatus.IN_REVIEW.value], True


def _query(measure: str, period: Period, town_id: int | None, *columns):
    column, conditions, utc = _dated(measure)
    first, last = utc_bounds(period.first, period.last) if utc else (period.first, period.last)
    query = select(*columns, func.count(func.distinct(Plan.id))).select_from(Plan)
    if town_id or any(getattr(c, "table", None) is Organization.__table__ for c in columns):
        # only when the town or the key needs it: every plan has its owner (a required foreign
        # key), so the counts are the same without the join
        query = query.join(Organization, Organization.id == Plan.organization_id)
    if utc:
        query = query.join(StatusChange, StatusChange.plan_id == Plan.id)
        conditions = [*conditions, column >= first, column < last]
    else:
        conditions = [*conditions, column >= first, column <= last]
    if town_id:
        conditions.append(Organization.town_id == town_id)
    return query.where(*conditions), column, utc


def counted(measure: str, period: Period):
    """The ids of the plans a measure counts in the period: the plans list shows exactly these
    (?counted=issued&year=2026, or &from=&to=), with its own filters (town among them) on top."""
    return _query(measure, period, None)[0].with_only_columns(Plan.id).distinct()


def totals(period: Period, town_id: int | None = None) -> dict:
    """Plans issued, filed, returned for revision and revised in the period: four counts, in one
    statement (each count a subquery: one round trip instead of four)."""
    counts = [_query(measure, period, town_id)[0].scalar_subquery() for measure in MEASURES]
    row = db.session.execute(select(*counts)).one()
    return {measure: int(value or 0) for measure, value in zip(MEASURES, row, strict=True)}


def series(by: str, period: Period, town_id: int | None = None) -> dict:
    """For the dashboard's charts: month ('2026-03'), owner's town id or industry → the measures."""
    out: dict = {}
    for measure in MEASURES:
        column, _, utc = _dated(measure)
        key = {"month": month_of(column, utc=utc), "town": Organization.town_id,
               "industry": Organization.industry}[by]
        query, _, _ = _query(measure, period, town_id, key)
        for value, number in db.session.execute(query.group_by(key)):
            out.setdefault(value, dict.fromkeys(MEASURES, 0))[measure] = int(number)
    return out
