"""What is due, per role: the first card of the dashboard.

Each item is a count with a link to the module list filtered to exactly those rows, and each count
is taken from the query that list runs (plans.services.plan_query, drills.problems.status_counts,
training.renewals.expiring_query, quiz.services.in_state, outreach.coverage.running_behind …), so
the number on the dashboard and the rows behind the link cannot disagree. Every count is one
aggregate query; nothing here loads the rows it counts (the plans overdue for a drill are counted
from light tuples through plans.due's rule).

A user sees the items of every role they hold (a leader and an admin see them all), and an item
shows even when nothing is due, so the user knows it was checked.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from flask import url_for
from sqlalchemy import case, func, select

from webapp.auth.permissions import Role, can
from webapp.common.time import format_local, local_today, utcnow
from webapp.drills import problems
from webapp.drills.models import DrillProblem, ProblemStatus
from webapp.extensions import db
from webapp.outreach import coverage
from webapp.plans import due as plan_due
from webapp.plans import services as plan_services
from webapp.plans.models import Plan, PlanStatus
from webapp.quiz import services as quiz_services
from webapp.quiz.models import Quiz, QuizKind
from webapp.training import renewals
from webapp.training import services as training_services
from webapp.training.models import Certificate, Enrollment, EnrollmentStatus, TrainingSession

EVALUATION_DAYS = 90  # plans due for evaluation within … days (the plans list's ?due=)
EXPIRY_DAYS = 90  # certificates expiring within … days (the renewals page's ?days=)
ROWS = 5  # example rows under an item


@dataclass(frozen=True)
class DueRow:
    """An example under an item (a session of the week, a campaign behind): title, what else to
    know about it, and its page."""

    title: str
    extra: str
    url: str


@dataclass
class DueItem:
    key: str  # e.g. "plans.evaluation": the data-due attribute the cross-check reads
    label: str
    count: int
    url: str  # the module list filtered to exactly these `count` rows
    detail: str = ""  # short words beside the count (满员率 82% / 最早 2026-11-03 到期)
    level: str = "info"  # danger (overdue) / warning (due soon) / info
    unit: str = "项"
    rows: list[DueRow] = field(default_factory=list)

    @property
    def clear(self) -> bool:
        return self.count == 0


# --- the items ---------------------------------------------------------------------------------


def _count(query) -> int:
    return db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0


def plans_evaluation(today: date, now: datetime) -> DueItem:
    """Plans in force whose evaluation falls due within 90 days (those already past included)."""
    rows = (plan_services.plan_query({"due": str(EVALUATION_DAYS)}, today).order_by(None)
            .with_only_columns(Plan.next_evaluation_on).subquery())
    count, late, earliest = db.session.execute(select(
        func.count(), func.sum(case((rows.c.next_evaluation_on < today, 1), else_=0)),
        func.min(rows.c.next_evaluation_on))).one()
    late = int(late or 0)
    if late:
        detail = f"其中 {late} 部已逾期，最早 {earliest} 到期"
    elif count:
        detail = f"最早 {earliest} 到期"
    else:
        detail = f"{EVALUATION_DAYS} 天内没有到期的评估"
    return DueItem("plans.evaluation", f"{EVALUATION_DAYS} 天内评估到期的预案", count,
                   url_for("plans.index", due=EVALUATION_DAYS), detail,
                   "danger" if late else "warning" if count else "info", "部")


def plans_revision(today: date, now: datetime) -> DueItem:
    count = _count(plan_services.plan_query({"status": PlanStatus.NEEDS_REVISION.value}, today))
    return DueItem("plans.revision", "需修订的预案", count,
                   url_for("plans.index", status=PlanStatus.NEEDS_REVISION.value),
                   "修订后重新发布、备案" if count else "没有退回修订的预案", "warning" if count else "info", "部")


def plans_drill_overdue(today: date, now: datetime) -> DueItem:
    count, earliest = plan_due.drill_overdue_summary(today)
    return DueItem("plans.drill_overdue", "逾期未演练的预案", count, url_for("drills.compliance", state="overdue"),
                   f"最早应于 {earliest} 前演练" if count else "在用预案均按周期演练",
                   "danger" if count else "info", "部")


def problems_unclosed(today: date, now: datetime) -> DueItem:
    """Problems not yet closed (待整改 and 整改中): the list's own query, counted per status. Only
    the unclosed rows are read (status_counts() would read every closed one as well)."""
    rows = (problems.problem_query({"status": "unclosed"}, today).order_by(None)
            .with_only_columns(DrillProblem.status).subquery())
    counts = dict(db.session.execute(select(rows.c.status, func.count()).group_by(rows.c.status)).all())
    count = sum(counts.values())
    detail = (f"待整改 {counts.get(ProblemStatus.OPEN.value, 0)}，整改中 {counts.get(ProblemStatus.RECTIFYING.value, 0)}"
              if count else "演练发现的问题均已整改销号")
    return DueItem("drills.problems_unclosed", "未销号的演练问题", count,
                   url_for("drills.problems", status="unclosed"), detail, "warning" if count else "info")


def problems_overdue(today: date, now: datetime) -> DueItem:
    rows = (problems.problem_query({"status": "overdue"}, today).order_by(None)
            .with_only_columns(DrillProblem.due_on).subquery())
    count, earliest = db.session.execute(select(func.count(), func.min(rows.c.due_on))).one()
    return DueItem("drills.problems_overdue", "逾期未整改的问题", count,
                   url_for("drills.problems", status="overdue"),
                   f"最早 {earliest} 到期" if count else "没有逾期未整改的问题", "danger" if count else "info")


def week_of(today: date) -> tuple[date, date]:
    """Monday to Sunday of today's week."""
    monday = today - timedelta(days=today.weekday())
    return monday, monday + timedelta(days=6)


def _span(first: date, last: date) -> str:
    return f"{first.month}月{first.day}日" + (f"至{last.month}月{last.day}日" if last != first else "")


def sessions_this_week(today: date, now: datetime) -> DueItem:
    """Sessions running some day of this week, with the week's fill rate (enrolled / places) and
    the first few as rows; one GROUP BY (a week holds a handful of sessions, not thousands)."""
    monday, sunday = week_of(today)
    enrolled = func.count(Enrollment.id).label("enrolled")
    sessions = db.session.execute(
        select(TrainingSession.id, TrainingSession.title, TrainingSession.starts_on, TrainingSession.ends_on,
               TrainingSession.capacity, enrolled)
        .outerjoin(Enrollment, (Enrollment.session_id == TrainingSession.id)
                   & (Enrollment.status == EnrollmentStatus.ENROLLED.value))
        .where(training_services.running_between(monday, sunday))
        .group_by(TrainingSession.id, TrainingSession.title, TrainingSession.starts_on, TrainingSession.ends_on,
                  TrainingSession.capacity)
        .order_by(TrainingSession.starts_on, TrainingSession.id)).all()
    places = sum(s.capacity for s in sessions)
    taken = sum(s.enrolled for s in sessions)
    week = _span(monday, sunday)
    if sessions:
        detail = f"{week}，满员率 {round(100 * taken / places)}%（已报名 {taken} 人 / 名额 {places} 人）" if places \
            else f"{week}，未设名额"
    else:
        detail = f"{week}没有培训班次"
    rows = [DueRow(s.title, f"{_span(s.starts_on, s.ends_on)} · 报名 {s.enrolled}/{s.capacity}"
                   + (f"（{round(100 * s.enrolled / s.capacity)}%）" if s.capacity else ""),
                   url_for("training.session", session_id=s.id)) for s in sessions[:ROWS]]
    return DueItem("training.sessions_week", "本周培训班次", len(sessions),
                   url_for("training.index", **{"from": monday.isoformat(), "to": sunday.isoformat()}), detail,
                   "info", "期", rows)


def certificates_expiring(today: date, now: datetime) -> DueItem:
    filters = renewals.Filters(days=EXPIRY_DAYS)
    rows = renewals.expiring_query(filters, today).order_by(None).with_only_columns(Certificate.expires_on).subquery()
    count, earliest = db.session.execute(select(func.count(), func.min(rows.c.expires_on))).one()
    return DueItem("training.certificates_expiring", f"{EXPIRY_DAYS} 天内到期的证书", count,
                   url_for("training.renewals", days=EXPIRY_DAYS, _anchor="expiring-list"),
                   f"最早 {earliest} 到期" if count else f"{EXPIRY_DAYS} 天内没有到期的证书",
                   "warning" if count else "info", "本")


def _competitions(state: str, now: datetime, column):
    return db.session.execute(select(func.count(), func.min(column)).where(
        Quiz.kind == QuizKind.COMPETITION.value, quiz_services.in_state(state, now))).one()


def competitions_live(today: date, now: datetime) -> DueItem:
    count, closing = _competitions("live", now, Quiz.closes_at)
    if count:
        detail = f"最早 {format_local(closing)} 截止" if closing else "不限结束时间"
    else:
        detail = "没有正在进行的竞赛"
    return DueItem("quiz.live", "进行中的知识竞赛", count,
                   url_for("quiz.index", kind=QuizKind.COMPETITION.value, state="live"), detail, "info", "场")


def competitions_upcoming(today: date, now: datetime) -> DueItem:
    count, opening = _competitions("upcoming", now, Quiz.opens_at)
    return DueItem("quiz.upcoming", "未开始的知识竞赛", count,
                   url_for("quiz.index", kind=QuizKind.COMPETITION.value, state="upcoming"),
                   f"最近一场 {format_local(opening)} 开始" if count else "没有已发布、待开始的竞赛", "info", "场")


def campaigns_behind(today: date, now: datetime) -> DueItem:
    """Running campaigns with a target not yet met (coverage.running_behind: the ended ones are
    past help, the ones not started have nothing due)."""
    behind = coverage.running_behind(today)
    targets = sum(n for _, n in behind)
    rows = [DueRow(c.name, f"{n} 项目标未完成 · {c.ends_on} 结束", url_for("outreach.campaign", campaign_id=c.id))
            for c, n in behind[:ROWS]]
    return DueItem("outreach.behind", "目标未完成的宣传活动", len(behind), url_for("outreach.campaigns", behind=1),
                   f"进行中，共 {targets} 项目标未完成" if behind else "进行中的宣传活动均已完成目标",
                   "warning" if behind else "info", "项", rows)


# --- who sees what -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Kind:
    key: str
    permission: str  # the module's view permission: without it the item is not shown
    build: Callable[[date, datetime], DueItem]


KINDS = (
    Kind("plans.evaluation", "plans.view", plans_evaluation),
    Kind("plans.revision", "plans.view", plans_revision),
    Kind("plans.drill_overdue", "drills.view", plans_drill_overdue),
    Kind("drills.problems_unclosed", "drills.view", problems_unclosed),
    Kind("drills.problems_overdue", "drills.view", problems_overdue),
    Kind("training.sessions_week", "training.view", sessions_this_week),
    Kind("training.certificates_expiring", "training.view", certificates_expiring),
    Kind("quiz.live", "quiz.view", competitions_live),
    Kind("quiz.upcoming", "quiz.view", competitions_upcoming),
    Kind("outreach.behind", "outreach.view", campaigns_behind),
)
ALL = frozenset(k.key for k in KINDS)
COMPETITIONS = ("quiz.live", "quiz.upcoming")
BY_ROLE: dict[Role, frozenset[str]] = {
    Role.ADMIN: ALL,
    Role.LEADER: ALL,
    Role.PLAN_REVIEWER: frozenset({"plans.evaluation", "plans.revision", "plans.drill_overdue"}),
    Role.DRILL: frozenset({"plans.drill_overdue", "drills.problems_unclosed", "drills.problems_overdue"}),
    Role.TRAINING: frozenset({"training.sessions_week", "training.certificates_expiring", *COMPETITIONS}),
    Role.OUTREACH: frozenset({"outreach.behind", *COMPETITIONS}),
}


def keys_for(user) -> list[str]:
    """The item keys a user sees, in the card's order: the union over their roles, less what
    their permissions do not let them view."""
    wanted = set().union(*(BY_ROLE.get(role, frozenset()) for role in user.role_set))
    return [k.key for k in KINDS if k.key in wanted and can(k.permission, user)]


def items(user, today: date | None = None, now: datetime | None = None) -> list[DueItem]:
    """The due items for this user, each counted now (only the ones the user sees are queried)."""
    today, now = today or local_today(), now or utcnow()
    wanted = set(keys_for(user))
    return [k.build(today, now) for k in KINDS if k.key in wanted]
