"""Training rules: courses, sessions and their slots (with double-booking warnings), enrollment
with a waiting list, and rosters from Excel.

Attendance is in attendance.py, exams in exams.py, certificates in certificates.py, renewals and
figures in renewals.py and figures.py. Services flush; the request commits once.
"""

import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask import current_app
from sqlalchemy import func, or_, select
from sqlalchemy.orm import contains_eager, selectinload

from webapp.common.ids import as_id
from webapp.common.spreadsheets import RowError, Sheet
from webapp.common.time import to_local, utcnow
from webapp.errors import FieldErrors, UserError
from webapp.extensions import db
from webapp.registry.imports import ImportRefused, OrgIndex
from webapp.registry.models import Person
from webapp.registry.services import PERSON_FIELDS, clean_person
from webapp.training.models import (
    Course,
    CourseType,
    Enrollment,
    EnrollmentStatus,
    OperationCategory,
    Post,
    TimeSlot,
    TrainingSession,
)

# ------------------------------------------------------------------------------------ courses

COURSE_FIELDS = ("name", "post", "course_type", "high_risk", "operation_category_id", "required_hours",
                 "syllabus", "exam_rules", "exam_minutes", "pass_mark", "active")


def minimum_hours(post: str, course_type: str, high_risk: bool) -> float:
    """The hours the rules require (TRAINING_HOURS, 令第3号 art. 9; 令第30号 art. 23)."""
    normal, longer = current_app.config["TRAINING_HOURS"][post][course_type]
    return longer if high_risk else normal


def check_course(values: Mapping) -> dict[str, str]:
    errors = {}
    if not (values.get("name") or "").strip():
        errors["name"] = "请填写课程名称"
    if values.get("post") not in {p.value for p in Post}:
        errors["post"] = "请选择岗位类别"
    if values.get("course_type") not in {t.value for t in CourseType}:
        errors["course_type"] = "请选择初训或复训"
    if values.get("post") == Post.SPECIAL:
        category_id = as_id(values.get("operation_category_id"))
        if not values.get("operation_category_id"):
            errors["operation_category_id"] = "特种作业人员的课程须选择作业类别"
        elif category_id is None or db.session.get(OperationCategory, category_id) is None:
            errors["operation_category_id"] = "所选作业类别不存在，请从列表中选择"
    hours = values.get("required_hours")
    if hours is None or hours <= 0:
        errors["required_hours"] = "学时应大于 0"
    elif not errors.keys() & {"post", "course_type"}:
        least = minimum_hours(values["post"], values["course_type"], bool(values.get("high_risk")))
        if hours < least:
            errors["required_hours"] = f"按规定该类培训不少于 {least:g} 学时（《生产经营单位安全培训规定》第九条等）"
    mark = values.get("pass_mark")
    if mark is not None and not 0 < mark <= 100:
        errors["pass_mark"] = "及格分应在 1 到 100 之间（百分制）"
    return errors


def save_course(course: Course | None, values: Mapping) -> Course:
    errors = check_course(values)
    name = (values.get("name") or "").strip()
    clash = db.session.scalar(select(Course.id).where(Course.name == name, Course.id != (course.id if course else None)))
    if clash and "name" not in errors:
        errors["name"] = "已有同名课程"
    if errors:
        raise FieldErrors(errors)
    course = course or Course()
    for key in COURSE_FIELDS:
        if key in values:
            setattr(course, key, values[key])
    course.name = name
    if course.post != Post.SPECIAL:
        course.operation_category_id = None
    db.session.add(course)
    db.session.flush()
    return course


def courses(active_only: bool = True) -> list[Course]:
    query = select(Course).order_by(Course.post, Course.course_type, Course.name)
    if active_only:
        query = query.where(Course.active.is_(True))
    return list(db.session.scalars(query))


def categories(active_only: bool = True) -> list[OperationCategory]:
    query = select(OperationCategory).order_by(OperationCategory.group_name, OperationCategory.id)
    if active_only:
        query = query.where(OperationCategory.active.is_(True))
    return list(db.session.scalars(query))


def add_category(group_name: str, name: str) -> OperationCategory:
    group_name, name = (group_name or "").strip(), (name or "").strip()
    errors = {}
    if not group_name:
        errors["group_name"] = "请填写作业类别（如 电工作业）"
    if not name:
        errors["name"] = "请填写操作项目（如 低压电工作业）"
    if not errors and db.session.scalar(select(OperationCategory.id).where(
            OperationCategory.group_name == group_name, OperationCategory.name == name)):
        errors["name"] = "目录中已有该操作项目"
    if errors:
        raise FieldErrors(errors)
    category = OperationCategory(group_name=group_name, name=name)
    db.session.add(category)
    db.session.flush()
    return category


# The catalogue of DOMAIN.md §5 (特种作业目录, 令第30号 annex): shipped, then edited as data.
CATALOGUE = {
    "电工作业": ("高压电工作业", "低压电工作业", "防爆电气作业"),
    "焊接与热切割作业": ("熔化焊接与热切割作业", "压力焊作业", "钎焊作业"),
    "高处作业": ("登高架设作业", "高处安装、维护、拆除作业"),
    "制冷与空调作业": ("制冷与空调设备运行操作作业", "制冷与空调设备安装修理作业"),
    "煤矿安全作业": ("煤矿井下电气作业", "煤矿瓦斯检查作业"),
    "金属非金属矿山安全作业": ("金属非金属矿井通风作业", "金属非金属矿山爆破作业"),
    "石油天然气安全作业": ("司钻作业",),
    "冶金（有色）生产安全作业": ("煤气作业",),
    "危险化学品安全作业": ("氯碱电解工艺作业", "加氢工艺作业", "化工自动化控制仪表作业"),
    "烟花爆竹安全作业": ("烟火药制造作业", "产品包装作业"),
}


def ensure_catalogue() -> int:
    existing = {(c.group_name, c.name) for c in categories(active_only=False)}
    added = 0
    for group, names in CATALOGUE.items():
        for name in names:
            if (group, name) not in existing:
                db.session.add(OperationCategory(group_name=group, name=name))
                added += 1
    db.session.flush()
    return added


# ----------------------------------------------------------------------------------- sessions

SESSION_FIELDS = ("course_id", "title", "starts_on", "ends_on", "venue", "capacity", "trainers", "audience",
                  "bring", "contact")


def save_session(session: TrainingSession | None, values: Mapping, user=None) -> TrainingSession:
    errors = {}
    if not (values.get("title") or "").strip():
        errors["title"] = "请填写班次名称"
    course = db.session.get(Course, as_id(values.get("course_id")) or 0)
    if course is None:
        errors["course_id"] = "请选择课程"
    starts, ends = values.get("starts_on"), values.get("ends_on")
    if not starts:
        errors["starts_on"] = "请填写开班日期"
    if not ends:
        errors["ends_on"] = "请填写结业日期"
    elif starts and ends < starts:
        errors["ends_on"] = "结业日期不能早于开班日期"
    capacity = values.get("capacity")
    if not capacity or capacity < 1:
        errors["capacity"] = "名额应为正整数"
    elif session is not None and capacity < enrolled_count(session):
        errors["capacity"] = f"已有 {enrolled_count(session)} 人报名，名额不能少于此数"
    if not (values.get("venue") or "").strip():
        errors["venue"] = "请填写培训地点"
    if session is not None and starts and ends and "ends_on" not in errors:
        outside = [s for s in session.slots if not starts <= to_local(s.starts_at).date() <= ends]
        if outside:
            errors["ends_on"] = f"有 {len(outside)} 节课不在新的日期范围内，请先调整课表"
    if errors:
        raise FieldErrors(errors)
    created = session is None
    session = session or TrainingSession(created_by_id=getattr(user, "id", None))
    for key in SESSION_FIELDS:
        if key in values:
            setattr(session, key, values[key].strip() if isinstance(values[key], str) else values[key])
    db.session.add(session)
    db.session.flush()
    if not created:
        promote_waitlist(session)  # a larger capacity lets the waiting list move up
    return session


def running_between(first: date, last: date):
    """The condition "the session runs on some day from first to last" (the calendar, the session
    list's date filter and the dashboard's sessions of the week)."""
    return (TrainingSession.starts_on <= last) & (TrainingSession.ends_on >= first)


def sessions_in(first: date, last: date) -> list[TrainingSession]:
    return list(db.session.scalars(select(TrainingSession).where(running_between(first, last))
                                   .order_by(TrainingSession.starts_on)))


# -------------------------------------------------------------------------------------- slots


def save_slot(session: TrainingSession, slot: TimeSlot | None, values: Mapping) -> TimeSlot:
    """values: starts_at and ends_at in UTC, topic, trainer, venue, hours, static_code."""
    errors = {}
    starts, ends = values.get("starts_at"), values.get("ends_at")
    if not starts or not ends:
        errors["starts_at"] = "请填写上课时间"
    elif ends <= starts:
        errors["ends_at"] = "下课时间应晚于上课时间"
    elif not session.starts_on <= to_local(starts).date() <= session.ends_on:
        errors["starts_at"] = f"上课日期应在班次日期 {session.starts_on} 至 {session.ends_on} 之内"
    hours = values.get("hours")
    if hours is None or hours <= 0:
        errors["hours"] = "学时应大于 0"
    elif starts and ends and ends > starts and hours > (ends - starts).total_seconds() / 2700 + 0.01:
        errors["hours"] = "学时多于这段时间能上的课（每学时不少于 45 分钟）"
    if errors:
        raise FieldErrors(errors)
    if slot is None:
        slot = TimeSlot(session=session, key=secrets.token_urlsafe(9), secret=secrets.token_hex(32),
                        static_token=secrets.token_urlsafe(12))
    slot.starts_at, slot.ends_at, slot.hours = starts, ends, hours
    slot.topic = (values.get("topic") or "").strip()
    slot.trainer = (values.get("trainer") or "").strip()
    slot.venue = (values.get("venue") or "").strip() or session.venue
    slot.static_code = bool(values.get("static_code"))
    db.session.add(slot)
    db.session.flush()
    return slot


def delete_slot(slot: TimeSlot) -> None:
    from webapp.training.models import Attendance

    if db.session.scalar(select(Attendance.id).where(Attendance.slot_id == slot.id).limit(1)):
        raise UserError("这节课已有签到记录，不能删除")
    db.session.delete(slot)
    db.session.flush()


@dataclass(frozen=True)
class Conflict:
    slot: TimeSlot  # the slot of this session
    other: TimeSlot  # the one it overlaps elsewhere
    what: str  # "场地" / "授课人"

    @property
    def message(self) -> str:
        shared = self.slot.venue if self.what == "场地" else self.slot.trainer
        when = f"{to_local(self.other.starts_at):%m月%d日 %H:%M}–{to_local(self.other.ends_at):%H:%M}"
        return f"{self.what}“{shared}”与“{self.other.session.title}”{when}的课程时间重叠"


def conflicts(slots: list[TimeSlot]) -> list[Conflict]:
    """Double bookings of a venue or a trainer between these slots and any other slot. A warning,
    not a refusal: two small classes may share a large hall on purpose."""
    venues = {s.venue for s in slots if s.venue}
    trainers = {s.trainer for s in slots if s.trainer}
    if not venues and not trainers:
        return []
    # One query for every slot that could clash (same venue or trainer, within the slots' span),
    # then matched here: a month of the calendar costs one query, not one per slot.
    candidates = db.session.scalars(
        select(TimeSlot).where(TimeSlot.starts_at < max(s.ends_at for s in slots),
                               TimeSlot.ends_at > min(s.starts_at for s in slots),
                               or_(TimeSlot.venue.in_(venues), TimeSlot.trainer.in_(trainers)))
        .options(selectinload(TimeSlot.session)).order_by(TimeSlot.starts_at, TimeSlot.id))
    by_venue: dict[str, list[TimeSlot]] = {}
    by_trainer: dict[str, list[TimeSlot]] = {}
    for other in candidates:
        by_venue.setdefault(other.venue, []).append(other)
        by_trainer.setdefault(other.trainer, []).append(other)
    found = []
    for slot in slots:
        for what, others in (("场地", by_venue.get(slot.venue) if slot.venue else None),
                             ("授课人", by_trainer.get(slot.trainer) if slot.trainer else None)):
            found += [Conflict(slot, other, what) for other in others or ()
                      if other.id != slot.id and other.starts_at < slot.ends_at and other.ends_at > slot.starts_at]
    return found


def month_start(text: str | None, today: date) -> date:
    """The first day of a ?month=YYYY-MM (this month when empty); UserError naming what is wrong."""
    text = (text or "").strip()
    if not text:
        return today.replace(day=1)
    try:
        first = datetime.strptime(text, "%Y-%m").date()
    except ValueError:
        raise UserError(f"月份“{text[:20]}”格式不对，应写成“2026-03”这样的年-月") from None
    if not 2000 <= first.year <= 2100:
        raise UserError(f"月份“{text}”超出范围，只能查看 2000 年至 2100 年")
    return first


def calendar(year: int, month: int) -> dict[date, list[TimeSlot]]:
    """Slots of the month by local date, for the month view."""
    first = date(year, month, 1)
    last = (first.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    start = datetime.combine(first - timedelta(days=1), datetime.min.time())
    end = datetime.combine(last + timedelta(days=1), datetime.max.time())
    days: dict[date, list[TimeSlot]] = {}
    for slot in db.session.scalars(select(TimeSlot).where(TimeSlot.starts_at >= start, TimeSlot.starts_at <= end)
                                   .options(selectinload(TimeSlot.session)).order_by(TimeSlot.starts_at)):
        day = to_local(slot.starts_at).date()
        if first <= day <= last:
            days.setdefault(day, []).append(slot)
    return days


def session_hours(session: TrainingSession) -> float:
    return sum(s.hours for s in session.slots)


# --------------------------------------------------------------------------------- enrollment


def _lock(session: TrainingSession) -> None:
    """Serialize enrollments of one session (capacity) on PostgreSQL; SQLite writers queue anyway."""
    db.session.execute(select(TrainingSession.id).where(TrainingSession.id == session.id).with_for_update())


def enrolled_count(session: TrainingSession) -> int:
    return db.session.scalar(select(func.count()).where(
        Enrollment.session_id == session.id, Enrollment.status == EnrollmentStatus.ENROLLED)) or 0


def enrollment_of(session: TrainingSession, person: Person) -> Enrollment | None:
    return db.session.scalar(select(Enrollment).where(Enrollment.session_id == session.id,
                                                      Enrollment.person_id == person.id))


def enroll(session: TrainingSession, person: Person, source: str = "manual") -> Enrollment:
    """Enroll, or put on the waiting list when the session is full. Enrolling twice is an error
    that names the earlier enrollment; a withdrawn person may enroll again."""
    if not person.active:
        raise UserError(f"{person.name} 已停用，不能报名")
    _lock(session)
    existing = enrollment_of(session, person)
    if existing is not None and existing.status != EnrollmentStatus.WITHDRAWN:
        raise UserError(f"{person.name}（身份证号 {person.masked_id}）{already_there(existing)}，不能重复报名")
    enrollment = existing or Enrollment(session_id=session.id, person_id=person.id)
    now = utcnow()
    full = enrolled_count(session) >= session.capacity
    enrollment.status = EnrollmentStatus.WAITLISTED if full else EnrollmentStatus.ENROLLED
    enrollment.queued_at = enrollment.enrolled_at = now
    enrollment.withdrawn_at = None
    enrollment.source = source
    db.session.add(enrollment)
    db.session.flush()
    if not full:
        _roster_changed(session, [person])
    return enrollment


def already_there(enrollment: Enrollment) -> str:
    """Why a second enrollment is refused: "已报名本班" or "已在本班的候补名单中"."""
    return "已在本班的候补名单中" if enrollment.status == EnrollmentStatus.WAITLISTED else "已报名本班"


def withdraw(enrollment: Enrollment) -> Enrollment | None:
    """Withdraw; the first on the waiting list moves up. Returns who moved up, if anyone."""
    from webapp.training.models import Certificate

    if enrollment.status == EnrollmentStatus.WITHDRAWN:
        raise UserError("该学员已退出本班")
    if db.session.scalar(select(Certificate.id).where(Certificate.enrollment_id == enrollment.id)):
        raise UserError("该学员已取得本班证书，不能退出；如需作废请注销证书")
    session = enrollment.session
    _lock(session)
    was_enrolled = enrollment.status == EnrollmentStatus.ENROLLED
    enrollment.status = EnrollmentStatus.WITHDRAWN
    enrollment.withdrawn_at = utcnow()
    db.session.flush()
    if was_enrolled and session.exam_quiz_id:
        from webapp.quiz import services as quiz

        quiz.remove_from_roster(session.exam_quiz, [enrollment.person_id])
    promoted = promote_waitlist(session)
    return promoted[0] if promoted else None


def promote_waitlist(session: TrainingSession) -> list[Enrollment]:
    free = session.capacity - enrolled_count(session)
    if free <= 0:
        return []
    waiting = list(db.session.scalars(select(Enrollment).where(
        Enrollment.session_id == session.id, Enrollment.status == EnrollmentStatus.WAITLISTED)
        .order_by(Enrollment.queued_at, Enrollment.id).limit(free)))
    for enrollment in waiting:
        enrollment.status = EnrollmentStatus.ENROLLED
        enrollment.enrolled_at = utcnow()
    db.session.flush()
    _roster_changed(session, [e.person for e in waiting])
    return waiting


def _roster_changed(session: TrainingSession, people: list[Person]) -> None:
    """Newly enrolled people may take the session's exam."""
    if people and session.exam_quiz_id:
        from webapp.quiz import services as quiz

        quiz.set_roster(session.exam_quiz, people)


def enrollments(session: TrainingSession, status: str | None = EnrollmentStatus.ENROLLED) -> list[Enrollment]:
    query = (select(Enrollment).join(Enrollment.person)
             .options(contains_eager(Enrollment.person).selectinload(Person.organization))
             .where(Enrollment.session_id == session.id).order_by(Enrollment.queued_at, Enrollment.id))
    if status:
        query = query.where(Enrollment.status == status)
    return list(db.session.scalars(query))


def search_people(text: str, limit: int = 20) -> list[Person]:
    """People by name, phone, or the end of their ID number: the officer's enroll search."""
    text = (text or "").strip()
    if not text:
        return []
    query = select(Person).where(Person.active.is_(True))
    if text.isdigit() or text[-1:].upper() == "X":
        query = query.where(or_(Person.id_number.endswith(text.upper(), autoescape=True),
                                Person.phone.startswith(text, autoescape=True)))
    else:
        query = query.where(Person.name.contains(text, autoescape=True))
    return list(db.session.scalars(query.options(selectinload(Person.organization)).order_by(Person.name).limit(limit)))


# --------------------------------------------------------------------------- roster from Excel

ROSTER_HEADERS = [PERSON_FIELDS[k] for k in ("name", "id_number", "phone", "organization", "post")]
ROSTER_REQUIRED = [PERSON_FIELDS["name"], PERSON_FIELDS["id_number"]]


@dataclass(frozen=True)
class RosterResult:
    enrolled: int
    waitlisted: int
    created: int


def import_roster(session: TrainingSession, sheet: Sheet) -> RosterResult:
    """Every row checked (the registry's own rules) before anything is written; people not yet in
    the registry are created; the whole sheet is refused with an error table otherwise."""
    index = OrgIndex.load()
    errors: list[RowError] = []
    numbers = []
    rows = []
    seen: dict[str, int] = {}
    for row_no, row in sheet.rows:
        raw = {key: row.get(label, "") for key, label in PERSON_FIELDS.items()}
        values, row_errors = clean_person(raw)
        number = values["id_number"]
        if number and number in seen:
            row_errors["id_number"] = f"与第 {seen[number]} 行的身份证号重复"
        elif number:
            seen[number] = row_no
            numbers.append(number)
        org_id = None
        if raw["organization"].strip():
            node, message = index.resolve(raw["organization"])
            if message:
                row_errors["organization"] = message
            else:
                org_id = node.key
        rows.append((row_no, raw, values, org_id, row_errors))

    known = {p.id_number: p for p in _people_by_number(numbers)}
    taken = {e.person_id: e for e in db.session.scalars(select(Enrollment).where(
        Enrollment.session_id == session.id, Enrollment.status != EnrollmentStatus.WITHDRAWN))}
    for row_no, raw, values, _org_id, row_errors in rows:
        person = known.get(values["id_number"])
        if person is not None and "id_number" not in row_errors:
            if person.name != values["name"]:
                row_errors["name"] = f"该身份证号在人员库中登记的姓名是“{person.name}”，与表中不符"
            elif not person.active:
                row_errors["id_number"] = f"{person.name} 在人员库中已停用"
            elif person.id in taken:
                row_errors["id_number"] = f"{person.name} {already_there(taken[person.id])}，不能重复报名"
        errors.extend(RowError(row_no, PERSON_FIELDS[f], raw.get(f, ""), m) for f, m in row_errors.items())
    if errors:
        raise ImportRefused(errors)

    created = 0
    counts = {EnrollmentStatus.ENROLLED: 0, EnrollmentStatus.WAITLISTED: 0}
    for _row_no, _raw, values, org_id, _errors in rows:
        person = known.get(values["id_number"])
        if person is None:
            person = Person(**values, organization_id=org_id)
            db.session.add(person)
            db.session.flush()
            created += 1
        counts[EnrollmentStatus(enroll(session, person, source="roster").status)] += 1
    return RosterResult(counts[EnrollmentStatus.ENROLLED], counts[EnrollmentStatus.WAITLISTED], created)


def _people_by_number(numbers: list[str]) -> list[Person]:
    found = []
    for start in range(0, len(numbers), 500):  # keep IN lists short for SQLite's variable limit
        found += db.session.scalars(select(Person).where(Person.id_number.in_(numbers[start:start + 500])))
    return found
