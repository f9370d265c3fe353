"""Training figures for a period: trainees trained and certified per post, industry, town and
month, and exam pass rates — each table a few GROUP BY queries.

Trained: enrollments (正式学员, not the waiting list or those who withdrew) of sessions starting in
the period, counted per enrollment (人次). Certified: certificates issued in the period, including
any revoked since (they were issued). The industry is that of the trainee's organization; the town
is the organization's town (乡镇/街道). Pass rate: enrollments who passed the exam over those with
an exam score.
"""

from dataclasses import dataclass, field

from sqlalchemy import case, extract, func, literal, select, union_all

from webapp.common.figures import Period
from webapp.common.spreadsheets import workbook_bytes
from webapp.common.time import month_of
from webapp.extensions import db
from webapp.registry.models import INDUSTRIES, Organization, Person
from webapp.registry.services import towns
from webapp.training.models import POST_LABELS, Certificate, Course, Enrollment, EnrollmentStatus, TrainingSession

NOT_GIVEN = "未填写"


@dataclass
class Row:
    label: str
    trained: int = 0
    certified: int = 0
    examined: int = 0  # enrollments with an exam score
    passed: int = 0

    @property
    def pass_rate(self) -> float | None:
        return self.passed / self.examined if self.examined else None

    @property
    def pass_rate_text(self) -> str:
        return "" if self.pass_rate is None else f"{self.pass_rate * 100:.1f}%"


@dataclass
class Figures:
    period: Period
    town_id: int | None
    total: Row
    tables: dict[str, list[Row]] = field(default_factory=dict)  # 岗位 / 行业 / 乡镇（街道） / 月份


def _uses(table, key) -> bool:
    """Whether the key groups by a column of that table."""
    return any(getattr(column, "table", None) is table.__table__ for column in _columns(key))


def _trained(key, period: Period, town_id: int | None):
    """SELECT key, trained, examined, passed … GROUP BY key. The course, the trainee and their
    organization are joined only when the key or the town needs them: each is a required foreign
    key, so the counts are the same, and a county's figures by post or month need not read a
    person per row."""
    # count(*) is count(Enrollment.id) here (inner joins from the enrollments) and lets PostgreSQL
    # answer from ix_training_enrollments_figures alone
    query = (select(*_columns(key), func.count(), func.count(Enrollment.exam_score),
                    func.count(case((Enrollment.exam_passed.is_(True), 1))))
             .select_from(Enrollment)
             .join(TrainingSession, Enrollment.session_id == TrainingSession.id)
             .where(Enrollment.status == EnrollmentStatus.ENROLLED,
                    TrainingSession.starts_on >= period.first, TrainingSession.starts_on <= period.last))
    if _uses(Course, key):
        query = query.join(Course, TrainingSession.course_id == Course.id)
    if town_id or _uses(Organization, key):
        query = query.join(Person, Enrollment.person_id == Person.id) \
            .outerjoin(Organization, Person.organization_id == Organization.id)
    if town_id:
        query = query.where(Organization.town_id == town_id)
    return query.group_by(*_columns(key))


def _certified(key, period: Period, town_id: int | None):
    """SELECT key, certified, 0, 0 … GROUP BY key: the shape of _trained's rows."""
    query = (select(*_columns(key), func.count(), literal(0), literal(0))  # the certificates (see _trained)
             .select_from(Certificate)
             .where(Certificate.issued_on >= period.first, Certificate.issued_on <= period.last))
    if town_id or _uses(Organization, key):  # as in _trained
        query = query.join(Person, Certificate.person_id == Person.id) \
            .outerjoin(Organization, Person.organization_id == Organization.id)
    if town_id:
        query = query.where(Organization.town_id == town_id)
    return query.group_by(*_columns(key))


def _columns(key) -> tuple:
    return key if isinstance(key, tuple) else (key,)


def _table(trained_key, certified_key, period, town_id, label_of) -> dict:
    """key → Row, from the trained and the certified counts in one statement (UNION ALL, each
    row tagged with its side: half the round trips of two queries)."""
    rows: dict = {}
    width = len(_columns(trained_key))
    found = db.session.execute(union_all(
        _trained(trained_key, period, town_id).add_columns(literal(True).label("is_trained")),
        _certified(certified_key, period, town_id).add_columns(literal(False).label("is_trained")))).all()

    def row(values) -> Row:
        k = tuple(values[:width]) if width > 1 else values[0]
        k = label_of(k)
        return rows.setdefault(k, Row(k))

    for values in (v for v in found if v[-1]):  # the trained first, as the table's rows were made before
        r = row(values)
        r.trained += values[width]
        r.examined += values[width + 1]
        r.passed += values[width + 2]
    for values in (v for v in found if not v[-1]):
        row(values).certified += values[width]
    return rows


def _post_labels() -> dict[str, str]:
    return {p.value: label for p, label in POST_LABELS.items()}


def by_post(period: Period, town_id: int | None = None) -> list[Row]:
    """Every post (主要负责人, 安全生产管理人员, 特种作业人员), trained and certified — one statement."""
    labels = _post_labels()
    found = _table(Course.post, Certificate.post, period, town_id, lambda k: labels.get(k, k))
    return [found.get(label) or Row(label) for label in labels.values()] + \
        [row for key, row in found.items() if key not in labels.values()]


def total(rows: list[Row]) -> Row:
    out = Row("合计")
    for r in rows:
        out.trained += r.trained
        out.certified += r.certified
        out.examined += r.examined
        out.passed += r.passed
    return out


SERIES_KEYS = {
    "month": lambda: (month_of(TrainingSession.starts_on), month_of(Certificate.issued_on)),
    "town": lambda: (Organization.town_id, Organization.town_id),
    "industry": lambda: (Organization.industry, Organization.industry),
}


def series(by: str, period: Period, town_id: int | None = None) -> dict:
    """For the dashboard's charts: month ('2026-03', of the session's start or the certificate's
    issue), town id or industry (None: not given) → {trained, certified}."""
    trained_key, certified_key = SERIES_KEYS[by]()
    rows = _table(trained_key, certified_key, period, town_id, lambda k: k)
    return {key: {"trained": row.trained, "certified": row.certified} for key, row in rows.items()}


def figures(period: Period, town_id: int | None = None) -> Figures:
    post_labels = _post_labels()
    by_post = _table(Course.post, Certificate.post, period, town_id, lambda k: post_labels.get(k, k))
    by_industry = _table(Organization.industry, Organization.industry, period, town_id, lambda k: k or NOT_GIVEN)
    town_names = {t.id: t.name for t in towns()}
    if town_id and town_id not in town_names:  # an inactive town, or another organization's id
        chosen = db.session.get(Organization, town_id)
        town_names[town_id] = chosen.name if chosen else NOT_GIVEN
    by_town = _table(Organization.town_id, Organization.town_id, period, town_id,
                     lambda k: town_names.get(k, NOT_GIVEN) if k else NOT_GIVEN)
    month_key = (extract("year", TrainingSession.starts_on), extract("month", TrainingSession.starts_on))
    issued_key = (extract("year", Certificate.issued_on), extract("month", Certificate.issued_on))
    by_month = _table(month_key, issued_key, period, town_id, lambda k: f"{int(k[0])}年{int(k[1])}月")

    def ordered(found: dict, labels: list[str], keep_empty: bool) -> list[Row]:
        listed = [found.get(label) or Row(label) for label in labels if keep_empty or label in found]
        rest = sorted((r for k, r in found.items() if k not in labels and k != NOT_GIVEN), key=lambda r: r.label)
        tail = [found[NOT_GIVEN]] if NOT_GIVEN in found and NOT_GIVEN not in labels else []
        return listed + rest + tail

    town_labels = [town_names[town_id]] if town_id else [t.name for t in towns()]
    tables = {
        "岗位": ordered(by_post, list(post_labels.values()), True),
        "行业": ordered(by_industry, list(INDUSTRIES), False),
        "乡镇（街道）": ordered(by_town, town_labels, True),
        "月份": ordered(by_month, [f"{y}年{m}月" for y, m in period.months()], True),
    }
    return Figures(period, town_id, total(tables["岗位"]), tables)


def figures_workbook(figs: Figures) -> bytes:
    """One sheet: each table's rows under a 分组 column, so it can be filtered or pivoted."""
    headers = ["分组", "项目", "参训人次", "取证数", "参加考试人次", "考试通过人次", "考试通过率"]
    rows = []
    for group, table in figs.tables.items():
        for r in table:
            rows.append([group, r.label, r.trained, r.certified, r.examined, r.passed, r.pass_rate_text])
    t = figs.total
    rows.append(["合计", figs.period.label, t.trained, t.certified, t.examined, t.passed, t.pass_rate_text])
    return workbook_bytes(headers, rows)
