"""The officer's catalogue and schedule: courses (legal hours, exam rules of 100 points), the
operation catalogue, sessions and their time slots, double-booking warnings, the month calendar,
and what a read-only leader may do."""

import re
from datetime import date, timedelta

import pytest

from tests.conftest import page_text, table_text
from webapp.auth.permissions import Role
from webapp.common.time import local_today, to_local
from webapp.extensions import db
from webapp.training import services
from webapp.training.models import Course, OperationCategory, TimeSlot, TrainingSession

DAY = date(2026, 12, 8)


def course_form(bank_id=None, **overrides) -> dict:
    data = {"name": "烟花爆竹经营单位主要负责人初训", "post": "principal", "course_type": "initial", "high_risk": "y",
            "operation_category_id": "0", "required_hours": "48", "syllabus": "法律法规", "exam_minutes": "90",
            "pass_mark": "80", "count_single": "10", "points_single": "6", "count_true_false": "10",
            "points_true_false": "4", "count_multiple": "", "points_multiple": "", "count_fill": "", "points_fill": ""}
    if bank_id is not None:
        data["bank_ids"] = str(bank_id)
    return data | overrides


def input_value(html: str, name: str) -> str:
    """The value an input of the page shows, as the user sees it in the form."""
    tag = re.search(rf'<input[^>]*name="{name}"[^>]*>', html)
    assert tag, f"no input {name}"
    value = re.search(r'value="([^"]*)"', tag.group(0))
    return value.group(1) if value else ""


def _courses() -> int:
    return db.session.scalar(db.select(db.func.count(Course.id)))


def test_course_hours_below_the_legal_minimum_are_refused(client, login, exam_bank):
    login(Role.TRAINING)
    page = client.post("/training/courses/new", data=course_form(exam_bank.id, required_hours="32"))
    assert page.status_code == 200
    assert "按规定该类培训不少于 48 学时" in page_text(page)  # the high-risk group: 48, not 32
    assert _courses() == 0

    # the hint names the minimum for the chosen post and type
    assert "法定不少于 48 学时" in page_text(page)

    ok = client.post("/training/courses/new", data=course_form(exam_bank.id))
    assert ok.status_code == 302
    course = db.session.scalar(db.select(Course))
    assert course.required_hours == 48 and course.high_risk and course.active and course.pass_mark == 80
    assert [(r["kind"], r["count"], r["points"], r["bank_ids"]) for r in course.exam_rules] == [
        ("single", 10, 6.0, [exam_bank.id]), ("true_false", 10, 4.0, [exam_bank.id])]


def test_exam_rules_must_total_100_points(client, login, exam_bank):
    login(Role.TRAINING)
    page = client.post("/training/courses/new", data=course_form(exam_bank.id, points_single="5"))
    assert "各题型分值合计应为 100 分，现在是 90 分" in page_text(page)
    assert _courses() == 0

    short = client.post("/training/courses/new", data=course_form(exam_bank.id, count_single="30", points_single="2"))
    assert "单选题需要 30 题，所选题库中只有 20 题" in page_text(short)

    no_bank = client.post("/training/courses/new", data=course_form())
    assert "请选择考试题库" in page_text(no_bank)

    several = client.post("/training/courses/new", data=course_form(exam_bank.id, required_hours="20", points_single="x"))
    text = page_text(several)
    assert "请填写单选题的每题分值（数字）" in text and "不少于 48 学时" in text  # all problems at once
    assert _courses() == 0


def test_the_new_course_form_suggests_the_pass_mark_and_special_courses_need_a_category(client, login, exam_bank):
    login(Role.TRAINING)
    form = client.get("/training/courses/new")
    assert input_value(form.get_data(as_text=True), "pass_mark") == "80"
    assert "低压电工作业" in page_text(form)  # the shipped catalogue is there to choose from

    page = client.post("/training/courses/new", data=course_form(exam_bank.id, name="低压电工作业初训", post="special",
                                                                 high_risk="", required_hours="40"))
    assert "特种作业人员的课程须选择作业类别" in page_text(page)
    category = db.session.scalar(db.select(OperationCategory).where(OperationCategory.name == "低压电工作业"))
    ok = client.post("/training/courses/new", data=course_form(exam_bank.id, name="低压电工作业初训", post="special",
                                                               high_risk="", required_hours="40",
                                                               operation_category_id=str(category.id)))
    assert ok.status_code == 302
    listing = table_text(client.get("/training/courses"), "courses")
    assert "低压电工作业初训 电工作业·低压电工作业 特种作业人员 初训 40 法定不少于 40" in listing

    for bogus in ("999999", "-1", "9" * 30):  # a category id that names nothing: a message, not a crash
        refused = client.post("/training/courses/new", data=course_form(
            exam_bank.id, name="焊工作业初训", post="special", high_risk="", required_hours="40",
            operation_category_id=bogus))
        assert refused.status_code == 200 and "所选作业类别不存在，请从列表中选择" in page_text(refused), bogus
    assert _courses() == 1


def test_edit_a_course_keeps_its_rules_and_may_deactivate_it(client, login, course):
    login(Role.TRAINING)
    form = client.get(f"/training/courses/{course.id}/edit").get_data(as_text=True)
    assert input_value(form, "count_single") == "10" and input_value(form, "points_true_false") == "4"
    data = course_form(course.exam_rules[0]["bank_ids"][0], name=course.name, required_hours="50")
    response = client.post(f"/training/courses/{course.id}/edit", data=data)  # "active" unticked
    assert response.status_code == 302
    db.session.refresh(course)
    assert course.required_hours == 50 and not course.active
    assert course not in services.courses()  # no longer offered for new sessions


def test_operation_catalogue_add_and_deactivate(client, login):
    login(Role.TRAINING)
    page = client.get("/training/categories")
    assert "高压电工作业" in table_text(page, "categories")
    duplicate = client.post("/training/categories", data={"group_name": "电工作业", "name": "高压电工作业"})
    assert "目录中已有该操作项目" in page_text(duplicate)
    added = client.post("/training/categories", data={"group_name": "电工作业", "name": "电力电缆作业"}, follow_redirects=True)
    assert "已添加操作项目“电工作业·电力电缆作业”" in page_text(added)
    category = db.session.scalar(db.select(OperationCategory).where(OperationCategory.name == "电力电缆作业"))
    off = client.post(f"/training/categories/{category.id}/toggle", follow_redirects=True)
    assert "已停用“电工作业·电力电缆作业”" in page_text(off)
    db.session.refresh(category)
    assert not category.active
    assert "电力电缆作业" not in page_text(client.get("/training/courses/new"))


def session_form(course_id, **overrides) -> dict:
    return {"course_id": str(course_id), "title": "2026年第五期主要负责人培训班", "starts_on": "2026-12-08",
            "ends_on": "2026-12-11", "venue": "县应急管理局培训中心", "capacity": "40", "trainers": "王老师、李老师",
            "audience": "危险化学品企业主要负责人", "bring": "身份证原件", "contact": "联系人：李敏，电话：0571-88880001"} | overrides


def test_create_a_session_with_bad_then_good_dates(client, login, course):
    login(Role.TRAINING)
    bad = client.post("/training/sessions/new", data=session_form(course.id, ends_on="2026-12-01"))
    assert bad.status_code == 200 and "结业日期不能早于开班日期" in page_text(bad)
    missing = client.post("/training/sessions/new", data=session_form(0, starts_on=""))
    assert "请填写开班日期" in page_text(missing)
    no_course = client.post("/training/sessions/new", data=session_form(0))
    assert page_text(no_course).count("请选择课程") == 2  # the empty choice, and the message under it
    assert db.session.scalar(db.select(db.func.count(TrainingSession.id))) == 0

    ok = client.post("/training/sessions/new", data=session_form(course.id), follow_redirects=True)
    assert "已创建班次“2026年第五期主要负责人培训班”" in page_text(ok)
    session = db.session.scalar(db.select(TrainingSession))
    assert (session.starts_on, session.ends_on, session.capacity, session.trainers) == (DAY, date(2026, 12, 11), 40, "王老师、李老师")
    facts = page_text(ok)
    assert "课程要求 48 学时，课表已排 0 学时" in facts and "还差 48 学时" in facts


def test_editing_dates_that_would_leave_slots_outside_is_refused(client, login, make_session):
    session = make_session(trainees=0, start=DAY, slots=[(DAY + timedelta(days=3), "08:30", "12:00", 4)])
    login(Role.TRAINING)
    page = client.post(f"/training/sessions/{session.id}/edit",
                       data=session_form(session.course_id, title=session.title, ends_on="2026-12-09"))
    assert "有 1 节课不在新的日期范围内，请先调整课表" in page_text(page)
    db.session.refresh(session)
    assert session.ends_on == DAY + timedelta(days=5)

    wrong = client.post(f"/training/sessions/{session.id}/edit",
                        data=session_form(session.course_id, title=session.title, starts_on="2026-12-12",
                                          ends_on="2026-12-10"))
    assert "结业日期不能早于开班日期" in page_text(wrong)

    ok = client.post(f"/training/sessions/{session.id}/edit",
                     data=session_form(session.course_id, title="改名后的班次", ends_on="2026-12-12"))
    assert ok.status_code == 302
    db.session.refresh(session)
    assert session.title == "改名后的班次" and session.ends_on == date(2026, 12, 12)


def slot_form(day="2026-12-08", start="08:30", end="12:00", **overrides) -> dict:
    return {"day": day, "start": start, "end": end, "topic": "安全生产法律法规", "trainer": "王老师", "venue": "",
            "hours": "4"} | overrides


def test_a_slot_outside_the_session_dates_or_too_long_for_its_hours_is_refused(client, login, make_session):
    session = make_session(trainees=0, start=DAY)
    login(Role.TRAINING)
    outside = client.post(f"/training/sessions/{session.id}/slots/new", data=slot_form(day="2026-12-20"))
    assert "上课日期应在班次日期 2026-12-08 至 2026-12-13 之内" in page_text(outside)
    backwards = client.post(f"/training/sessions/{session.id}/slots/new", data=slot_form(start="12:00", end="08:30"))
    assert "下课时间应晚于上课时间" in page_text(backwards)
    too_many = client.post(f"/training/sessions/{session.id}/slots/new", data=slot_form(end="09:30"))
    assert "学时多于这段时间能上的课" in page_text(too_many)
    assert db.session.scalar(db.select(db.func.count(TimeSlot.id))) == 0

    ok = client.post(f"/training/sessions/{session.id}/slots/new", data=slot_form(static_code="y"), follow_redirects=True)
    assert "已添加 12月08日 08:30–12:00 的课程" in page_text(ok)
    slot = db.session.scalar(db.select(TimeSlot))
    assert to_local(slot.starts_at).strftime("%Y-%m-%d %H:%M") == "2026-12-08 08:30"  # typed in Beijing time
    assert slot.venue == session.venue and slot.static_code  # the session's venue by default
    slots = table_text(ok, "slots")
    assert "12月08日 08:30–12:00 安全生产法律法规 固定码 王老师" in slots and "打印固定码" in slots and "签到大屏" in slots
    assert "课程要求 48 学时，课表已排 4 学时" in page_text(ok)


def test_edit_and_delete_a_slot(client, login, make_session):
    session = make_session(trainees=0, start=DAY, slots=[(DAY, "08:30", "12:00", 4)])
    slot = session.slots[0]
    login(Role.TRAINING)
    form = client.get(f"/training/slots/{slot.id}/edit").get_data(as_text=True)
    assert input_value(form, "day") == "2026-12-08" and input_value(form, "start") == "08:30"
    moved = client.post(f"/training/slots/{slot.id}/edit", data=slot_form(day="2026-12-09", start="14:00", end="17:00",
                                                                          hours="3"))
    assert moved.status_code == 302
    db.session.refresh(slot)
    assert to_local(slot.starts_at).strftime("%m-%d %H:%M") == "12-09 14:00" and slot.hours == 3
    gone = client.post(f"/training/slots/{slot.id}/delete", follow_redirects=True)
    assert "已删除课程" in page_text(gone) and db.session.get(TimeSlot, slot.id) is None


def test_double_booked_venue_and_trainer_warn_but_the_slot_is_saved(client, login, make_session):
    other = make_session(trainees=0, start=DAY, title="安全管理人员第二期", venue="培训中心三楼报告厅",
                         slots=[(DAY, "08:30", "12:00", 4)])
    session = make_session(trainees=0, start=DAY, title="主要负责人第五期", venue="培训中心三楼报告厅")
    login(Role.TRAINING)
    page = client.post(f"/training/sessions/{session.id}/slots/new", data=slot_form(start="10:00", end="11:30", hours="2"),
                       follow_redirects=True)
    text = page_text(page)
    assert "已添加 12月08日 10:00–11:30 的课程" in text
    assert "注意：场地“培训中心三楼报告厅”与“安全管理人员第二期”12月08日 08:30–12:00的课程时间重叠" in text
    assert "注意：授课人“王老师”与“安全管理人员第二期”12月08日 08:30–12:00的课程时间重叠" in text
    assert len(session.slots) == 1  # a warning, not a refusal
    assert "场地或授课人时间冲突" in page_text(client.get(f"/training/sessions/{other.id}"))

    apart = client.post(f"/training/sessions/{session.id}/slots/new",
                        data=slot_form(start="14:00", end="17:00", hours="3"), follow_redirects=True)
    assert "注意：" not in page_text(apart)


def test_the_calendar_shows_the_month_s_slots_and_marks_clashes(client, login, make_session):
    make_session(trainees=0, start=DAY, title="安全管理人员第二期", slots=[(DAY, "08:30", "12:00", 4)])
    session = make_session(trainees=0, start=DAY, title="主要负责人第五期",
                           slots=[(DAY, "09:00", "11:00", 2), (DAY + timedelta(days=1), "14:00", "17:00", 3)])
    login(Role.LEADER)
    page = client.get("/training/calendar?month=2026-12")
    assert page.status_code == 200
    grid = table_text(page, "calendar")
    assert "2026年12月" in page_text(page)
    assert "08:30–12:00 冲突 安全管理人员第二期" in grid and "09:00–11:00 冲突 主要负责人第五期" in grid
    assert "14:00–17:00 主要负责人第五期" in grid  # the next day's lesson, no clash
    assert f'href="/training/sessions/{session.id}"' in page.get_data(as_text=True)
    assert "本月有 2 节课的场地或授课人与其他课程时间重叠" in page_text(page)

    november = client.get("/training/calendar?month=2026-11")
    assert "主要负责人第五期" not in table_text(november, "calendar")


@pytest.mark.parametrize("month, message", [
    ("garbage", "月份“garbage”格式不对，应写成“2026-03”这样的年-月"),
    ("2026-13", "月份“2026-13”格式不对"),
    ("0001-01", "月份“0001-01”超出范围，只能查看 2000 年至 2100 年"),
    ("9999-12", "月份“9999-12”超出范围"),
])
def test_a_bad_month_says_so_and_shows_this_month(client, login, month, message):
    login(Role.LEADER)
    page = client.get("/training/calendar", query_string={"month": month})
    assert page.status_code == 200
    assert message in page_text(page) and "下面显示的是本月" in page_text(page)
    today = local_today()
    assert re.search(r'data-testid="month">([^<]*)<', page.get_data(as_text=True)).group(1) == f"{today.year}年{today.month}月"


def test_ids_and_filters_too_large_for_the_database_find_nothing(client, login, make_session):
    make_session(trainees=1, start=DAY, slots=[(DAY, "08:30", "12:00", 4)])
    login(Role.TRAINING)
    huge = "9" * 25
    for url in (f"/training/sessions/{huge}", f"/training/sessions/{huge}/exam", f"/training/slots/{huge}/roll",
                f"/training/certificates/{huge}", f"/training/courses/{huge}/edit"):
        assert client.get(url).status_code == 404, url
    listed = client.get("/training/", query_string={"year": huge})
    assert listed.status_code == 200 and "2026年第四期主要负责人培训班" in table_text(listed, "sessions")
    for url in ("/training/certificates", "/training/renewals", "/training/figures"):
        assert client.get(url, query_string={"year": huge, "town": huge, "org": huge}).status_code == 200, url


def test_the_session_list_filters_by_year_post_and_status(client, login, make_session):
    today = local_today()
    make_session(trainees=2, start=today + timedelta(days=30), title="下月的主要负责人班")
    make_session(trainees=1, start=today - timedelta(days=400), title="去年的主要负责人班")
    login(Role.LEADER)
    rows = table_text(client.get("/training/"), "sessions")
    assert "下月的主要负责人班" in rows and "去年的主要负责人班" in rows and "2 / 40" in rows
    upcoming = table_text(client.get("/training/?status=upcoming"), "sessions")
    assert "下月的主要负责人班" in upcoming and "去年的主要负责人班" not in upcoming
    last_year = table_text(client.get(f"/training/?year={(today - timedelta(days=400)).year}"), "sessions")
    assert "去年的主要负责人班" in last_year and "下月的主要负责人班" not in last_year
    assert "没有符合条件的班次" in table_text(client.get("/training/?post=special"), "sessions")
    found = table_text(client.get("/training/?q=下月"), "sessions")
    assert "下月的主要负责人班" in found and "去年" not in found


@pytest.mark.parametrize("role", [Role.LEADER, Role.DRILL])
def test_read_only_roles_see_the_pages_but_cannot_change_anything(client, login, make_session, role):
    session = make_session(trainees=1, start=DAY, slots=[(DAY, "08:30", "12:00", 4)])
    slot, enrollment = session.slots[0], services.enrollments(session)[0]
    login(role)
    for url in ("/training/", "/training/calendar", "/training/courses", "/training/categories",
                f"/training/sessions/{session.id}", "/training/roster-template"):
        assert client.get(url).status_code == 200, url
    detail = client.get(f"/training/sessions/{session.id}").get_data(as_text=True)
    assert "编辑班次" not in detail and "/withdraw" not in detail and "签到大屏" not in detail
    assert "考勤" in detail  # the roll may be looked at
    for url in ("/training/courses/new", f"/training/courses/{session.course_id}/edit", "/training/categories",
                "/training/categories/1/toggle", "/training/sessions/new", f"/training/sessions/{session.id}/edit",
                f"/training/sessions/{session.id}/slots/new", f"/training/slots/{slot.id}/edit",
                f"/training/slots/{slot.id}/delete", f"/training/sessions/{session.id}/enroll",
                f"/training/sessions/{session.id}/import", f"/training/enrollments/{enrollment.id}/withdraw",
                f"/training/sessions/{session.id}/notice", f"/training/sessions/{session.id}/signin-sheet"):
        assert client.post(url, data={}).status_code == 403, url
    assert len(session.slots) == 1 and services.enrollments(session) == [enrollment]

