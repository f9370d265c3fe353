"""Lists over the certificates: the register (search and filters, Excel), and the renewals due —
certificates expiring soon, principal persons and safety managers due for their yearly refresher,
special-operations holders due for their 3-yearly review — with one step to enroll them in a
refresher session.

Every list is one query: the "latest certificate of a person for a post (and operation)" is a
NOT EXISTS over a later one, so nothing loops over the whole table in Python.
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

from flask import current_app
from sqlalchemy import and_, exists, func, or_, select
from sqlalchemy.orm import aliased, selectinload

from webapp.common.ids import as_id
from webapp.common.spreadsheets import workbook_bytes
from webapp.common.time import local_today
from webapp.errors import UserError
from webapp.extensions import db
from webapp.registry.models import Organization, Person
from webapp.training import services
from webapp.training.models import (
    Certificate,
    CertificateStatus,
    Course,
    CourseType,
    EnrollmentStatus,
    Post,
    TrainingSession,
)

# Certificate states as the lists name them (有效 / 已过期 / 已注销).
STATES = ("有效", "已过期", "已注销")
DEFAULT_DAYS = 90
MAX_DAYS = 3660
LIST_CAP = 200  # rows shown per renewal list; the export has them all


def _with_holder(query):
    """What a list row shows: holder, their unit and town, the operation, course and session."""
    return query.options(
        selectinload(Certificate.person).selectinload(Person.organization).selectinload(Organization.town),
        selectinload(Certificate.operation_category), selectinload(Certificate.course),
        selectinload(Certificate.session))


def count(query) -> int:
    return db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0


# ------------------------------------------------------------------------------- the register




def register_query(args: Mapping[str, str], today: date | None = None):
    """All certificates, newest first; q searches the holder's name, the certificate number or the
    end of the ID number (as a masked list shows it); post, status (有效/已过期/已注销), year, town."""
    today = today or local_today()
    query = select(Certificate).join(Person, Certificate.person_id == Person.id)
    q = (args.get("q") or "").strip()
    if q:
        matches = [Person.name.contains(q, autoescape=True), Certificate.number.contains(q.upper(), autoescape=True)]
        if re.fullmatch(r"\d{1,17}[\dXx]", q):
            matches.append(Person.id_number.endswith(q.upper()))
        query = query.where(or_(*matches))
    if args.get("post") in {p.value for p in Post}:
        query = query.where(Certificate.post == args["post"])
    state = args.get("status")
    if state == "有效":
        query = query.where(Certificate.status == CertificateStatus.VALID, Certificate.expires_on >= today)
    elif state == "已过期":
        query = query.where(Certificate.status == CertificateStatus.VALID, Certificate.expires_on < today)
    elif state == "已注销":
        query = query.where(Certificate.status == CertificateStatus.REVOKED)
    if year := as_id(args.get("year")):
        query = query.where(Certificate.year == year)
    if town := as_id(args.get("town")):
        query = query.join(Organization, Person.organization_id == Organization.id).where(
            Organization.town_id == town)
    return _with_holder(query.order_by(Certificate.issued_on.desc(), Certificate.id.desc()))


def issue_years() -> list[int]:
    return list(db.session.scalars(select(Certificate.year).distinct().order_by(Certificate.year.desc())))


def _town_name(person: Person) -> str:
    org = person.organization
    return org.town.name if org is not None and org.town is not None else ""


def register_workbook(query, reveal: bool, today: date | None = None) -> bytes:
    """The register as a sheet; ID numbers masked unless the user may see them."""
    today = today or local_today()
    headers = ["证书编号", "姓名", "身份证号", "工作单位", "乡镇（街道）", "岗位类别", "作业类别", "培训项目", "班次",
               "学时", "考核成绩", "发证日期", "有效期至", "复审日期", "状态", "注销原因"]
    rows = []
    for c in db.session.scalars(query):
        person = c.person
        rows.append([
            c.number, person.name, person.id_number if reveal else person.masked_id,
            person.organization.name if person.organization else "", _town_name(person), c.post_label,
            c.operation_category.label if c.operation_category else "", c.course.name, c.session.title,
            c.hours, c.score, c.issued_on.isoformat(), c.expires_on.isoformat(),
            c.review_due_on.isoformat() if c.review_due_on else "", c.state(today), c.revoked_reason or ""])
    return workbook_bytes(headers, rows)


# ------------------------------------------------------------------------------------ renewals


@dataclass(frozen=True)
class Filters:
    town_id: int | None = None
    org_id: int | None = None  # the holder's enterprise (organization)
    days: int = DEFAULT_DAYS
    note: str = field(default="", compare=False)  # what was wrong with the typed number of days


def filters_from(args: Mapping[str, str]) -> Filters:
    text = (args.get("days") or "").strip()
    days, note = DEFAULT_DAYS, ""
    if re.fullmatch(r"[0-9]{1,9}", text):
        days = int(text)
        if days > MAX_DAYS:
            days, note = MAX_DAYS, f"天数最多 {MAX_DAYS} 天，已按 {MAX_DAYS} 天查询"
    elif text:
        note = f"天数“{text[:20]}”不是 0 到 {MAX_DAYS} 之间的整数，已按 {DEFAULT_DAYS} 天查询"
    return Filters(as_id(args.get("town")), as_id(args.get("org")), days, note)


@dataclass(frozen=True)
class DueRow:
    certificate: Certificate
    due_on: date
    days_left: int  # negative when overdue

    @property
    def person(self) -> Person:
        return self.certificate.person


@dataclass
class DueList:
    key: str  # expiring / refresher / review
    title: str
    due_label: str  # what due_on means in this list
    total: int
    rows: list[DueRow] = field(default_factory=list)


def add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")


def _is_latest():
    """No later valid certificate of the same holder for the same post and operation category."""
    later = aliased(Certificate)
    return ~exists().where(
        later.person_id == Certificate.person_id, later.post == Certificate.post,
        later.operation_category_id.is_not_distinct_from(Certificate.operation_category_id),
        later.status == CertificateStatus.VALID,
        or_(later.issued_on > Certificate.issued_on,
            and_(later.issued_on == Certificate.issued_on, later.id > Certificate.id)))


def _base(filters: Filters):
    query = (select(Certificate).join(Person, Certificate.person_id == Person.id)
             .where(Certificate.status == CertificateStatus.VALID, Person.active.is_(True)))
    if filters.org_id:
        query = query.where(Person.organization_id == filters.org_id)
    if filters.town_id:
        query = query.join(Organization, Person.organization_id == Organization.id).where(
            Organization.town_id == filters.town_id)
    return query


def _listed(key, title, due_label, query, due_on, today: date, limit: int | None) -> DueList:
    total = count(query)
    shown = _with_holder(query).limit(limit) if limit is not None else _with_holder(query)
    rows = []
    for c in db.session.scalars(shown):
        day = due_on(c)
        rows.append(DueRow(c, day, (day - today).days))
    return DueList(key, title, due_label, total, rows)


def expiring_query(filters: Filters, today: date | None = None):
    """Valid certificates expiring within N days, unless the holder already has a later one (the
    list below, and the dashboard's count of it)."""
    today = today or local_today()
    return (_base(filters).where(Certificate.expires_on >= today,
                                 Certificate.expires_on <= today + timedelta(days=filters.days), _is_latest())
            .order_by(Certificate.expires_on, Certificate.id))


def expiring(filters: Filters, today: date | None = None, limit: int | None = LIST_CAP) -> DueList:
    today = today or local_today()
    query = expiring_query(filters, today)
    return _listed("expiring", f"{filters.days} 天内到期的证书", "有效期至", query, lambda c: c.expires_on, today, limit)


def refresher_due(filters: Filters, today: date | None = None, limit: int | None = LIST_CAP) -> DueList:
    """Principal persons and safety managers whose last completion (the issue date of their latest
    valid certificate for the post) was REFRESHER_INTERVAL_MONTHS ago by today + N days; their
    latest certificate must still be in force (an expired one means initial training again)."""
    today = today or local_today()
    months = current_app.config["REFRESHER_INTERVAL_MONTHS"]
    cutoff = add_months(today + timedelta(days=filters.days), -months)
    query = (_base(filters).where(Certificate.post.in_([Post.PRINCIPAL.value, Post.SAFETY_MANAGER.value]),
                                  Certificate.expires_on >= today, Certificate.issued_on <= cutoff, _is_latest())
             .order_by(Certificate.issued_on, Certificate.id))
    return _listed("refresher", "应参加年度复训的主要负责人和安全生产管理人员", "应复训日期", query,
                   lambda c: add_months(c.issued_on, months), today, limit)


def review_due(filters: Filters, today: date | None = None, limit: int | None = LIST_CAP) -> DueList:
    """Special-operations holders whose latest certificate of an operation is due for its review."""
    today = today or local_today()
    query = (_base(filters).where(Certificate.post == Post.SPECIAL.value, Certificate.expires_on >= today,
                                  Certificate.review_due_on <= today + timedelta(days=filters.days), _is_latest())
             .order_by(Certificate.review_due_on, Certificate.id))
    return _listed("review", "应复审的特种作业人员", "复审日期", query, lambda c: c.review_due_on, today, limit)


def due_lists(filters: Filters, today: date | None = None, limit: int | None = LIST_CAP) -> list[DueList]:
    return [expiring(filters, today, limit), refresher_due(filters, today, limit), review_due(filters, today, limit)]


def renewals_workbook(lists: list[DueList], reveal: bool) -> bytes:
    headers = ["类别", "姓名", "身份证号", "工作单位", "乡镇（街道）", "岗位类别", "作业类别", "证书编号", "发证日期",
               "有效期至", "到期事项", "到期日期", "剩余天数"]
    rows = []
    for due in lists:
        for row in due.rows:
            c, person = row.certificate, row.person
            rows.append([
                due.title, person.name, person.id_number if reveal else person.masked_id,
                person.organization.name if person.organization else "", _town_name(person), c.post_label,
                c.operation_category.label if c.operation_category else "", c.number, c.issued_on.isoformat(),
                c.expires_on.isoformat(), due.due_label, row.due_on.isoformat(), row.days_left])
    return workbook_bytes(headers, rows)


# ----------------------------------------------------------------------- enrolling the due people


def refresher_sessions(today: date | None = None) -> list[TrainingSession]:
    """Sessions a due person can be enrolled in: refresher courses not yet ended."""
    today = today or local_today()
    return list(db.session.scalars(
        select(TrainingSession).join(Course, TrainingSession.course_id == Course.id)
        .where(Course.course_type == CourseType.REFRESHER, TrainingSession.ends_on >= today)
        .order_by(TrainingSession.starts_on, TrainingSession.id)
        .options(selectinload(TrainingSession.course))))


@dataclass
class EnrollReport:
    enrolled: list[Person] = field(default_factory=list)
    waitlisted: list[Person] = field(default_factory=list)
    skipped: list[tuple[Person, str]] = field(default_factory=list)  # already there, inactive …


def enroll_due(session: TrainingSession, certificate_ids: list[int], today: date | None = None) -> EnrollReport:
    """Enroll the holders of the chosen certificates (rows of the renewal lists) in a refresher
    session of their post. The wrong kind of session refuses them all; someone already in the
    session is reported and the others are enrolled."""
    today = today or local_today()
    course = session.course
    if course.course_type != CourseType.REFRESHER:
        raise UserError(f"“{session.title}”是{course.type_label}班次，请选择一个复训班次；未报名任何人")
    if session.ends_on < today:
        raise UserError(f"“{session.title}”已于 {session.ends_on} 结业，请选择尚未结业的复训班次；未报名任何人")
    chosen = list(db.session.scalars(select(Certificate).where(Certificate.id.in_(certificate_ids or [-1]))
                                     .order_by(Certificate.id).options(selectinload(Certificate.person))))
    if not chosen:
        raise UserError("请先在名单中勾选要报名的人员")
    wrong = [c for c in chosen if c.post != course.post
             or (course.operation_category_id and c.operation_category_id != course.operation_category_id)]
    if wrong:
        names = "、".join(dict.fromkeys(c.person.name for c in wrong))
        what = course.post_label + (f"（{course.operation_category.label}）" if course.operation_category else "")
        raise UserError(f"“{session.title}”是{what}复训班次，{names} 的证书不属于该岗位（作业类别），"
                        "不能报名该班次；未报名任何人")
    report = EnrollReport()
    people = list({c.person_id: c.person for c in chosen}.values())
    for person in people:
        existing = services.enrollment_of(session, person)
        if existing is not None and existing.status != EnrollmentStatus.WITHDRAWN:
            report.skipped.append((person, services.already_there(existing)))
            continue
        if not person.active:
            report.skipped.append((person, "已停用"))
            continue
        enrollment = services.enroll(session, person, source="renewal")
        if enrollment.status == EnrollmentStatus.WAITLISTED:
            report.waitlisted.append(person)
        else:
            report.enrolled.append(person)
    return report
