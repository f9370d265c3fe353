"""The training officer's pages: the course catalogue and the operation categories, sessions and
their time slots, the month calendar, enrollment (one by one or from an Excel roster, with the
waiting list) and the session's notice and sign-in sheet."""

from datetime import date, datetime, timedelta

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import extract, func, or_, select
from sqlalchemy.orm import contains_eager

from webapp.auth.permissions import can, require
from webapp.common.choices import choices
from webapp.common.figures import period_from
from webapp.common.ids import as_id
from webapp.common.spreadsheets import SheetError, read_upload, template_bytes, xlsx_response
from webapp.common.time import from_local, local_today, to_local
from webapp.documents import pdf
from webapp.documents import services as documents
from webapp.errors import FieldErrors, UserError, show_on_form
from webapp.extensions import db
from webapp.listing import args_without, paginate
from webapp.quiz import services as quiz
from webapp.quiz.models import QuestionBank
from webapp.registry.imports import ImportRefused
from webapp.registry.models import Person
from webapp.training import attendance, bp, exams, paperwork, services
from webapp.training.forms import (
    RULE_KINDS,
    CategoryForm,
    CourseForm,
    EnrollForm,
    NoticeForm,
    RosterForm,
    SessionForm,
    SigninSheetForm,
    SlotForm,
)
from webapp.training.models import (
    COURSE_TYPE_LABELS,
    POST_LABELS,
    Course,
    CourseType,
    Enrollment,
    EnrollmentStatus,
    OperationCategory,
    Post,
    TimeSlot,
    TrainingSession,
)

STATUS_LABELS = {"upcoming": "未开班", "running": "培训中", "finished": "已结业"}


def session_or_404(session_id: int) -> TrainingSession:
    """The session of a URL (every training page that names one loads it here)."""
    return db.get_or_404(TrainingSession, session_id)


def _failed(exc: UserError) -> None:
    """Undo what the failed service call flushed and say why (for POST buttons without a form)."""
    db.session.rollback()
    flash(exc.message, "danger")


def session_state(session: TrainingSession, today: date | None = None) -> str:
    today = today or local_today()
    if today < session.starts_on:
        return "upcoming"
    return "running" if today <= session.ends_on else "finished"


# ------------------------------------------------------------------------------------ sessions


@bp.get("/")
@require("training.view")
def index():
    today = local_today()
    query = (select(TrainingSession).join(TrainingSession.course).options(contains_eager(TrainingSession.course))
             .order_by(TrainingSession.starts_on.desc(), TrainingSession.id.desc()))
    year = as_id(request.args.get("year"))
    if year and year <= 9999:
        query = query.where(extract("year", TrainingSession.starts_on) == year)
    post = request.args.get("post", "")
    if post in {p.value for p in Post}:
        query = query.where(Course.post == post)
    status = request.args.get("status", "")
    if status == "upcoming":
        query = query.where(TrainingSession.starts_on > today)
    elif status == "running":
        query = query.where(TrainingSession.starts_on <= today, TrainingSession.ends_on >= today)
    elif status == "finished":
        query = query.where(TrainingSession.ends_on < today)
    text = (request.args.get("q") or "").strip()
    if text:
        query = query.where(or_(TrainingSession.title.contains(text, autoescape=True),
                                Course.name.contains(text, autoescape=True)))
    dates = None
    if request.args.get("from") or request.args.get("to"):  # sessions running some day in the dates
        try:
            dates = period_from(request.args)
        except UserError as exc:
            flash(f"培训日期条件未生效：{exc.message}", "warning")
        else:
            query = query.where(services.running_between(dates.first, dates.last))
    page = paginate(query)
    counts = _enrollment_counts([s.id for s in page.items])
    first_year = db.session.scalar(select(func.min(TrainingSession.starts_on)))
    years = list(range(today.year + 1, (first_year.year if first_year else today.year) - 1, -1))
    return render_template("training/index.html", page=page, counts=counts, years=years, posts=POST_LABELS,
                           statuses=STATUS_LABELS, state=lambda s: STATUS_LABELS[session_state(s, today)],
                           filters=args_without("page"), dates=dates)


def _enrollment_counts(session_ids: list[int]) -> dict[int, dict[str, int]]:
    """session id → {status: count} for a page of sessions, in one query."""
    counts: dict[int, dict[str, int]] = {sid: {} for sid in session_ids}
    if session_ids:
        rows = db.session.execute(select(Enrollment.session_id, Enrollment.status, func.count())
                                  .where(Enrollment.session_id.in_(session_ids))
                                  .group_by(Enrollment.session_id, Enrollment.status))
        for sid, status, n in rows:
            counts[sid][status] = n
    return counts


def _course_choices(current: Course | None = None) -> list:
    active = services.courses()
    if current is not None and current not in active:
        active = [current, *active]
    return choices([(0, "（请选择课程）")] + [(c.id, f"{c.name}（{c.post_label}·{c.type_label}）") for c in active])


def _session_values(form: SessionForm) -> dict:
    return {name: form[name].data for name in services.SESSION_FIELDS}


@bp.route("/sessions/new", methods=["GET", "POST"])
@require("training.manage")
def session_new():
    form = SessionForm()
    form.course_id.choices = _course_choices()
    if request.method == "GET":
        course = db.session.get(Course, as_id(request.args.get("course")) or 0)
        if course is not None:
            form.course_id.data = course.id
    if form.validate_on_submit():
        try:
            session = services.save_session(None, _session_values(form), current_user)
        except UserError as exc:
            show_on_form(form, exc)
        else:
            flash(f"已创建班次“{session.title}”，请添加课程安排（时间段）", "success")
            return redirect(url_for("training.session", session_id=session.id))
    return render_template("training/session_form.html", form=form, session=None)


@bp.route("/sessions/<int:session_id>/edit", methods=["GET", "POST"])
@require("training.manage")
def session_edit(session_id: int):
    session = session_or_404(session_id)
    form = SessionForm(obj=session)
    form.course_id.choices = _course_choices(session.course)
    if form.validate_on_submit():
        try:
            before = services.enrolled_count(session)
            services.save_session(session, _session_values(form), current_user)
        except UserError as exc:
            show_on_form(form, exc)
        else:
            flash(f"已保存“{session.title}”", "success")
            moved = services.enrolled_count(session) - before
            if moved > 0:
                flash(f"名额增加，候补名单中的 {moved} 人已递补为正式学员", "info")
            return redirect(url_for("training.session", session_id=session.id))
    return render_template("training/session_form.html", form=form, session=session)


@bp.get("/sessions/<int:session_id>")
@require("training.view")
def session(session_id: int):
    session = session_or_404(session_id)
    enrolled = services.enrollments(session)
    waiting = services.enrollments(session, EnrollmentStatus.WAITLISTED)
    slots = session.slots
    return render_template(
        "training/session.html", session=session, state=STATUS_LABELS[session_state(session)], slots=slots,
        enrolled=enrolled, waiting=waiting, hours=attendance.hours_by_enrollment(session),
        planned_hours=services.session_hours(session), conflicts=services.conflicts(slots),
        present=attendance.present_counts(slots), documents=paperwork.session_documents(session),
        exam_state=exams.exam_state(session), signin_form=SigninSheetForm(formdata=None, day=_default_day(session)),
        days=paperwork.session_days(session))


def _default_day(session: TrainingSession) -> date:
    today = local_today()
    return today if session.starts_on <= today <= session.ends_on else session.starts_on


# --------------------------------------------------------------------------------------- slots


def _slot_values(form: SlotForm) -> dict:
    def at(t):
        return from_local(datetime.combine(form.day.data, t)) if form.day.data and t else None

    return {"starts_at": at(form.start.data), "ends_at": at(form.end.data), "topic": form.topic.data,
            "trainer": form.trainer.data, "venue": form.venue.data, "hours": form.hours.data,
            "static_code": form.static_code.data}


def _warn_conflicts(slot: TimeSlot) -> None:
    for conflict in services.conflicts([slot]):
        flash(f"注意：{conflict.message}（课程已保存，请确认是否需要调整）", "warning")


# The service names the time fields starts_at/ends_at; the form has day, start and end.
_SLOT_ALIASES = {"starts_at": "start", "ends_at": "end"}


@bp.route("/sessions/<int:session_id>/slots/new", methods=["GET", "POST"])
@require("training.manage")
def slot_new(session_id: int):
    session = session_or_404(session_id)
    form = SlotForm()
    if request.method == "GET":
        last = session.slots[-1] if session.slots else None
        form.day.data = to_local(last.starts_at).date() if last else session.starts_on
        form.venue.data = last.venue if last else session.venue
        form.trainer.data = last.trainer if last else (session.trainers or "").split("、")[0].split("，")[0]
    if form.validate_on_submit():
        try:
            slot = services.save_slot(session, None, _slot_values(form))
        except UserError as exc:
            show_on_form(form, exc, _SLOT_ALIASES)
        else:
            flash(f"已添加 {to_local(slot.starts_at):%m月%d日 %H:%M}–{to_local(slot.ends_at):%H:%M} 的课程", "success")
            _warn_conflicts(slot)
            if request.form.get("action") == "another":
                return redirect(url_for("training.slot_new", session_id=session.id))
            return redirect(url_for("training.session", session_id=session.id))
    return render_template("training/slot_form.html", form=form, session=session, slot=None)


@bp.route("/slots/<int:slot_id>/edit", methods=["GET", "POST"])
@require("training.manage")
def slot_edit(slot_id: int):
    slot = db.get_or_404(TimeSlot, slot_id)
    session = slot.session
    form = SlotForm(obj=slot)
    if request.method == "GET":
        starts, ends = to_local(slot.starts_at), to_local(slot.ends_at)
        form.day.data, form.start.data, form.end.data = starts.date(), starts.time(), ends.time()
    if form.validate_on_submit():
        try:
            services.save_slot(session, slot, _slot_values(form))
        except UserError as exc:
            show_on_form(form, exc, _SLOT_ALIASES)
        else:
            flash("已保存课程安排", "success")
            _warn_conflicts(slot)
            return redirect(url_for("training.session", session_id=session.id))
    return render_template("training/slot_form.html", form=form, session=session, slot=slot)


@bp.post("/slots/<int:slot_id>/delete")
@require("training.manage")
def slot_delete(slot_id: int):
    slot = db.get_or_404(TimeSlot, slot_id)
    session_id = slot.session_id
    label = f"{to_local(slot.starts_at):%m月%d日 %H:%M} {slot.topic}".strip()
    try:
        services.delete_slot(slot)
    except UserError as exc:
        _failed(exc)
    else:
        flash(f"已删除课程“{label}”", "success")
    return redirect(url_for("training.session", session_id=session_id))


# ------------------------------------------------------------------------------------ calendar


@bp.get("/calendar")
@require("training.view")
def calendar():
    today = local_today()
    try:
        first = services.month_start(request.args.get("month"), today)
    except UserError as exc:
        flash(f"{exc.message}；下面显示的是本月", "warning")
        first = today.replace(day=1)
    days = services.calendar(first.year, first.month)
    clashing = {c.slot.id for c in services.conflicts([s for slots in days.values() for s in slots])}
    start = first - timedelta(days=first.weekday())  # weeks start on Monday
    next_month = (first.replace(day=28) + timedelta(days=4)).replace(day=1)
    weeks = []
    day = start
    while day < next_month or day.weekday() != 0:
        if day.weekday() == 0:
            weeks.append([])
        weeks[-1].append(day)
        day += timedelta(days=1)
    previous = (first - timedelta(days=1)).replace(day=1)
    return render_template("training/calendar.html", first=first, weeks=weeks, days=days, clashing=clashing,
                           today=today, previous=f"{previous:%Y-%m}", next=f"{next_month:%Y-%m}")


# ------------------------------------------------------------------------------------- courses


@bp.get("/courses")
@require("training.view")
def courses():
    items = services.courses(active_only=False)
    return render_template("training/courses.html", courses=items, minimum=services.minimum_hours,
                           kind_labels=quiz.KIND_LABELS, rules_of=lambda c: [quiz.Rule.of(r) for r in c.exam_rules or []])


def _category_choices(current: OperationCategory | None = None) -> list:
    if not services.categories(active_only=False):
        services.ensure_catalogue()
    active = services.categories()
    if current is not None and current not in active:
        active = [current, *active]
    return choices([(0, "（不适用）")] + [(c.id, c.label) for c in active])


def _bank_choices() -> list:
    return choices((b.id, b.name) for b in db.session.scalars(select(QuestionBank).order_by(QuestionBank.name)))


def _course_form(form: CourseForm, course: Course | None) -> None:
    form.operation_category_id.choices = _category_choices(course.operation_category if course else None)
    form.bank_ids.choices = _bank_choices()


def _fill_course_form(form: CourseForm, course: Course) -> None:
    rules = [quiz.Rule.of(r) for r in course.exam_rules or []]
    form.bank_ids.data = sorted({b for r in rules for b in r.bank_ids})
    for rule in rules:
        form[f"count_{rule.kind.value}"].data = rule.count
        form[f"points_{rule.kind.value}"].data = f"{rule.points:g}"
    form.operation_category_id.data = course.operation_category_id or 0


def _rules_from(form: CourseForm) -> tuple[list[quiz.Rule], dict[str, str]]:
    rules, errors = [], {}
    for kind in RULE_KINDS:
        count = form[f"count_{kind.value}"].data or 0
        points_text = (form[f"points_{kind.value}"].data or "").strip()
        if not count:
            continue
        try:
            points = float(points_text)
        except ValueError:
            errors[f"points_{kind.value}"] = f"请填写{quiz.KIND_LABELS[kind]}的每题分值（数字）"
            continue
        rules.append(quiz.Rule(kind, count, points, list(form.bank_ids.data or []), []))
    if rules and not form.bank_ids.data:
        errors["bank_ids"] = "请选择考试题库"
    elif not errors:
        problem = exams.check_rules(rules)
        if problem:
            errors["rules"] = problem
    return rules, errors


def _save_course(form: CourseForm, course: Course | None) -> Course:
    """The form's values, with the exam rules checked as a paper of 100 points; every problem at once."""
    rules, errors = _rules_from(form)
    values = {name: form[name].data for name in services.COURSE_FIELDS if name in form and name != "exam_rules"}
    values["operation_category_id"] = form.operation_category_id.data or None
    values["exam_rules"] = [r.as_json() for r in rules]
    values["syllabus"] = values.get("syllabus") or ""
    if course is None:
        values["active"] = True  # the form offers to deactivate a course only once it exists
    errors |= {k: v for k, v in services.check_course(values).items() if k not in errors}
    if errors:
        raise FieldErrors(errors)
    return services.save_course(course, values)


def _hours_table() -> list[tuple[str, str, float, float]]:
    """(post, type, normal, high-risk) minimums for the form's hint."""
    config = current_app.config["TRAINING_HOURS"]
    return [(POST_LABELS[Post(p)], COURSE_TYPE_LABELS[CourseType(t)], *config[p][t]) for p in config for t in config[p]]


def _course_page(form: CourseForm, course: Course | None):
    minimum = None
    if form.post.data in {p.value for p in Post} and form.course_type.data in {t.value for t in CourseType}:
        minimum = services.minimum_hours(form.post.data, form.course_type.data, bool(form.high_risk.data))
    return render_template("training/course_form.html", form=form, course=course, rule_kinds=RULE_KINDS,
                           kind_labels=quiz.KIND_LABELS, minimum=minimum, hours_table=_hours_table())


@bp.route("/courses/new", methods=["GET", "POST"])
@require("training.manage")
def course_new():
    form = CourseForm()
    _course_form(form, None)
    if request.method == "GET":
        form.pass_mark.data = current_app.config["TRAINING_PASS_MARK"]
    if form.validate_on_submit():
        try:
            course = _save_course(form, None)
        except UserError as exc:
            show_on_form(form, exc)
        else:
            flash(f"已添加课程“{course.name}”", "success")
            return redirect(url_for("training.courses"))
    return _course_page(form, None)


@bp.route("/courses/<int:course_id>/edit", methods=["GET", "POST"])
@require("training.manage")
def course_edit(course_id: int):
    course = db.get_or_404(Course, course_id)
    form = CourseForm(obj=course)
    _course_form(form, course)
    if request.method == "GET":
        _fill_course_form(form, course)
    if form.validate_on_submit():
        try:
            _save_course(form, course)
        except UserError as exc:
            show_on_form(form, exc)
        else:
            flash(f"已保存课程“{course.name}”", "success")
            return redirect(url_for("training.courses"))
    return _course_page(form, course)


# ---------------------------------------------------------------------------- operation catalogue


@bp.route("/categories", methods=["GET", "POST"])
@require("training.view")
def categories():
    form = CategoryForm()
    if request.method == "POST":
        if not can("training.manage"):
            abort(403)
        if form.validate_on_submit():
            try:
                category = services.add_category(form.group_name.data, form.name.data)
            except UserError as exc:
                show_on_form(form, exc)
            else:
                flash(f"已添加操作项目“{category.label}”", "success")
                return redirect(url_for("training.categories"))
    if not services.categories(active_only=False):
        services.ensure_catalogue()
    items = services.categories(active_only=False)
    groups: dict[str, list[OperationCategory]] = {}
    for item in items:
        groups.setdefault(item.group_name, []).append(item)
    used = dict(db.session.execute(select(Course.operation_category_id, func.count())
                                   .where(Course.operation_category_id.is_not(None))
                                   .group_by(Course.operation_category_id)).all())
    return render_template("training/categories.html", form=form, groups=groups, used=used)


@bp.post("/categories/<int:category_id>/toggle")
@require("training.manage")
def category_toggle(category_id: int):
    category = db.get_or_404(OperationCategory, category_id)
    category.active = not category.active
    db.session.flush()
    flash(f"已{'启用' if category.active else '停用'}“{category.label}”"
          + ("" if category.active else "（已有课程不受影响，新课程不能再选择它）"), "success")
    return redirect(url_for("training.categories"))


# ---------------------------------------------------------------------------------- enrollment


@bp.route("/sessions/<int:session_id>/enroll", methods=["GET", "POST"])
@require("training.manage")
def enroll(session_id: int):
    session = session_or_404(session_id)
    form = EnrollForm()
    text = (request.values.get("q") or "").strip()
    if form.validate_on_submit():
        person_id = as_id(form.person_id.data)
        person = db.session.get(Person, person_id) if person_id else None
        if person is None:
            flash("请先搜索并选择要报名的人员", "danger")
        else:
            try:
                enrollment = services.enroll(session, person)
            except UserError as exc:
                _failed(exc)
            else:
                if enrollment.status == EnrollmentStatus.WAITLISTED:
                    place = len(services.enrollments(session, EnrollmentStatus.WAITLISTED))
                    flash(f"本班名额（{session.capacity} 人）已满，{person.name} 已列入候补名单（第 {place} 位），"
                          "有人退出时自动递补", "warning")
                else:
                    flash(f"已为 {person.name} 报名", "success")
        return redirect(url_for("training.enroll", session_id=session.id, q=text or None))
    people = services.search_people(text) if text else []
    taken = {}
    if people:
        taken = {e.person_id: e for e in db.session.scalars(select(Enrollment).where(
            Enrollment.session_id == session.id, Enrollment.person_id.in_([p.id for p in people])))}
    return render_template("training/enroll.html", session=session, form=form, q=text, people=people, taken=taken,
                           enrolled=services.enrolled_count(session),
                           waiting=len(services.enrollments(session, EnrollmentStatus.WAITLISTED)))


ROSTER_EXAMPLES = [("张伟", "110101199003074514", "13900002222", "城关镇/东门社区", "总经理")]
ROSTER_NOTES = [
    "每行一名学员；第 1 行为表头，请勿修改。身份证号列已设为文本格式，请勿改为数字格式（会丢失末位）。",
    "姓名、身份证号必填；身份证号会校验出生日期和最后一位校验码，同一张表中不能重复。",
    "人员库中已有的人员按身份证号匹配（姓名须一致）；人员库中没有的人员会自动新建。",
    "所属单位：写名称；有同名单位时写成“乡镇/单位”；可空。",
    "名额已满后，其余学员自动列入候补名单，按表中顺序递补。",
    "导入前会检查每一行；只要有一行有误，整张表都不会写入，并列出所有错误。",
]


@bp.get("/roster-template")
@require("training.view")
def roster_template():
    data = template_bytes(services.ROSTER_HEADERS, ROSTER_EXAMPLES, ROSTER_NOTES, ("身份证号", "手机号码"))
    return xlsx_response("培训报名名单模板.xlsx", data)


@bp.route("/sessions/<int:session_id>/import", methods=["GET", "POST"])
@require("training.manage")
def enroll_import(session_id: int):
    session = session_or_404(session_id)
    form = RosterForm()
    errors, problem = [], None
    if form.validate_on_submit():
        try:
            sheet = read_upload(form.file.data.stream, services.ROSTER_HEADERS, services.ROSTER_REQUIRED)
            result = services.import_roster(session, sheet)
        except SheetError as exc:
            db.session.rollback()
            problem = str(exc)
        except ImportRefused as exc:
            db.session.rollback()
            errors = exc.errors
        except UserError as exc:
            db.session.rollback()
            problem = exc.message
        else:
            message = f"导入成功：正式报名 {result.enrolled} 人，列入候补 {result.waitlisted} 人"
            if result.created:
                message += f"，其中 {result.created} 人为人员库中新建"
            flash(message, "success" if not result.waitlisted else "warning")
            return redirect(url_for("training.session", session_id=session.id))
    return render_template("training/enroll_import.html", session=session, form=form, errors=errors, problem=problem)


@bp.post("/enrollments/<int:enrollment_id>/withdraw")
@require("training.manage")
def withdraw(enrollment_id: int):
    enrollment = db.get_or_404(Enrollment, enrollment_id)
    name, waiting = enrollment.person.name, enrollment.status == EnrollmentStatus.WAITLISTED
    try:
        promoted = services.withdraw(enrollment)
    except UserError as exc:
        _failed(exc)
    else:
        flash(f"已将 {name} 移出候补名单" if waiting else f"{name} 已退出本班", "success")
        if promoted is not None:
            flash(f"候补名单中的 {promoted.person.name} 已递补为正式学员", "info")
    return redirect(url_for("training.session", session_id=enrollment.session_id))


# ---------------------------------------------------------------------------------- paperwork


def _document_response(document, output: str):
    """Send the user to the generated file (its download page serves Word and PDF)."""
    if output == "pdf" and not pdf.available():
        flash("本机未安装 PDF 转换组件，已生成 Word 版本", "warning")
        output = "docx"
    return redirect(url_for("documents.generated_file", document_id=document.id, fmt=output))


@bp.route("/sessions/<int:session_id>/notice", methods=["GET", "POST"])
@require("training.manage")
def notice(session_id: int):
    session = session_or_404(session_id)
    form = NoticeForm()
    bureau = documents.bureau_name()
    if request.method == "GET":
        today = local_today()
        form.issuer.data = bureau
        form.signer.data = bureau
        form.printer.data = f"{bureau}办公室"
        form.recipients.data = "各乡镇人民政府、街道办事处，县直有关单位，各有关企业："
        form.date.data = form.print_date.data = today
        form.contact.data = session.contact
    if form.validate_on_submit():
        values = {name: form[name].data for name in ("issuer", "doc_number", "recipients", "signer", "date",
                                                      "contact", "cc", "printer", "print_date", "extra")}
        try:
            document = paperwork.render_notice(session, values, current_user)
        except UserError as exc:
            show_on_form(form, exc)
        else:
            return _document_response(document, form.output.data)
    preview = paperwork.notice_body(session, form.extra.data or "")
    return render_template("training/notice_form.html", form=form, session=session, preview=preview,
                           title=paperwork.notice_title(session), documents=paperwork.session_documents(session))


@bp.post("/sessions/<int:session_id>/signin-sheet")
@require("training.manage")
def signin_sheet(session_id: int):
    session = session_or_404(session_id)
    form = SigninSheetForm()
    if not form.validate_on_submit():
        flash("；".join(str(e) for errors in form.errors.values() for e in errors), "danger")
        return redirect(url_for("training.session", session_id=session.id))
    try:
        document = paperwork.render_signin_sheet(session, form.day.data, current_user)
    except UserError as exc:
        _failed(exc)
        return redirect(url_for("training.session", session_id=session.id))
    return _document_response(document, form.output.data)
