"""Training fixtures: a course with an exam drawn from a known bank, and a session factory that
builds a session with slots and enrolled trainees in one call (CTFd-style)."""

from datetime import date, datetime, timedelta

import pytest

from tests.conftest import valid_id_number
from tests.quiz.conftest import single, true_false
from webapp.common.time import from_local, local_today
from webapp.extensions import db
from webapp.quiz import banks
from webapp.quiz import services as quiz
from webapp.registry.models import Person
from webapp.training import attendance, services
from webapp.training.models import Post


@pytest.fixture
def exam_bank(app):
    """20 single-choice questions (answer always option B) and 10 true/false (answer 对)."""
    bank = banks.get_or_create_bank("培训测试题库")
    drafts = [single(n) for n in range(1, 21)] + [true_false(n) for n in range(1, 11)]
    for i, d in enumerate(drafts, 1):
        d.where = f"第 {i} 行"
    banks.save_drafts(bank, drafts)
    db.session.commit()
    return bank


@pytest.fixture
def course(exam_bank):
    """主要负责人初训, high-risk group: 48 hours, exam of 10 single × 6 + 10 true/false × 4 = 100."""
    c = services.save_course(None, {
        "name": "危险化学品生产经营单位主要负责人初训", "post": Post.PRINCIPAL.value, "course_type": "initial",
        "high_risk": True, "required_hours": 48, "syllabus": "安全生产法律法规；危险化学品安全管理",
        "exam_rules": [{"kind": "single", "count": 10, "points": 6, "bank_ids": [exam_bank.id]},
                       {"kind": "true_false", "count": 10, "points": 4, "bank_ids": [exam_bank.id]}],
        "exam_minutes": 60, "pass_mark": 80})
    db.session.commit()
    return c


def slot_values(day: date, start: str, end: str, hours: float, **extra) -> dict:
    """A slot typed in local time (Asia/Shanghai), as the form gives it."""
    def at(hm):
        return from_local(datetime.combine(day, datetime.strptime(hm, "%H:%M").time()))
    return {"starts_at": at(start), "ends_at": at(end), "hours": hours, "topic": "安全生产法律法规",
            "trainer": "王老师", "venue": ""} | extra


@pytest.fixture
def make_session(app, course, factory):
    """make_session(trainees=3, capacity=40, slots=[(day, "08:30", "12:00", 4), …])."""
    def build(trainees: int = 3, capacity: int = 40, slots=None, title=None, start: date | None = None,
              venue="县应急管理局培训中心三楼报告厅", org=None, course_=None):
        start = start or local_today()
        session = services.save_session(None, {
            "course_id": (course_ or course).id, "title": title or "2026年第四期主要负责人培训班",
            "starts_on": start, "ends_on": start + timedelta(days=5), "venue": venue, "capacity": capacity,
            "trainers": "王老师", "audience": "高危行业企业主要负责人", "bring": "身份证原件"})
        for day, begin, end, hours in slots or []:
            services.save_slot(session, None, slot_values(day, begin, end, hours))
        people = []
        for i in range(trainees):
            person = Person(name=f"学员{chr(0x4e00 + i)}", id_number=valid_id_number(), phone=f"139{i:08d}",
                            organization=org)
            db.session.add(person)
            db.session.flush()
            services.enroll(session, person)
            people.append(person)
        db.session.commit()
        return session

    return build


def take_exam(session, person, right: int):
    """The trainee takes the session's exam on the roster path and answers the first `right` of
    its 20 questions correctly (the rest wrongly)."""
    attempt = quiz.join(session.exam_quiz, quiz.Identity(person=person))
    answers = {}
    for n, item in enumerate(attempt.items):
        shown_right = item.order.index(item.question.answer[0])
        answers[item.position] = shown_right if n < right else (shown_right + 1) % len(item.order)
    quiz.submit(attempt, answers)
    db.session.commit()
    return attempt


def attend_all(session):
    for slot in session.slots:
        for e in services.enrollments(session):
            attendance.correct(slot, e, True, "测试：到课")
    db.session.commit()

