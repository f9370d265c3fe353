"""A session's exam as the officer runs it: creating it puts the trainees on its roster, results
per trainee, one make-up for those who failed (best score kept), practical scores all-or-nothing."""

from datetime import timedelta

import pytest

from tests.conftest import page_text, table_text
from tests.training.conftest import take_exam
from webapp.auth.permissions import Role
from webapp.common.time import local_today
from webapp.extensions import db
from webapp.quiz import services as quiz
from webapp.quiz.models import Quiz
from webapp.training import services
from webapp.training.models import Enrollment, Post, TrainingSession


def exam_of(session) -> Quiz:
    db.session.expire_all()
    return db.session.get(TrainingSession, session.id).exam_quiz


def trainees(session) -> list:
    return [e.person for e in services.enrollments(session)]


@pytest.fixture
def special_course(exam_bank):
    services.ensure_catalogue()
    category = next(c for c in services.categories() if c.name == "低压电工作业")
    c = services.save_course(None, {
        "name": "低压电工作业初训", "post": Post.SPECIAL.value, "course_type": "initial", "high_risk": False,
        "operation_category_id": category.id, "required_hours": 40, "syllabus": "低压电工安全技术",
        "exam_rules": [{"kind": "single", "count": 10, "points": 6, "bank_ids": [exam_bank.id]},
                       {"kind": "true_false", "count": 10, "points": 4, "bank_ids": [exam_bank.id]}],
        "exam_minutes": 60, "pass_mark": 80})
    db.session.commit()
    return c


def test_creating_the_exam_puts_the_enrolled_trainees_on_its_roster(client, login, make_session, factory):
    session = make_session(trainees=3)
    login(Role.TRAINING)
    before = client.get(f"/training/sessions/{session.id}/exam")
    assert before.status_code == 200 and "创建考试" in page_text(before)

    created = client.post(f"/training/sessions/{session.id}/exam/create", follow_redirects=True)
    assert "已创建考试" in page_text(created)
    exam = exam_of(session)
    assert exam is not None and exam.published and exam.identity_mode == "roster"
    html = created.get_data(as_text=True)
    assert f"/q/{exam.code}" in html and f"/quiz/{exam.id}/qr.png" in html and f'href="/quiz/{exam.id}"' in html
    results = table_text(created, "results")
    for person in trainees(session):
        assert person.name in results and person.masked_id in results and person.id_number not in results
    assert results.count("未考") == 3 and results.count("0 / 1") == 3

    # an enrolled trainee may start it; someone not enrolled is refused by the quiz itself
    attempt = quiz.join(exam, quiz.Identity(person=trainees(session)[0]))
    assert attempt.id
    other = factory.person("局外人")
    with pytest.raises(quiz.AttemptRefused):
        quiz.join(exam, quiz.Identity(person=other))

    again = client.post(f"/training/sessions/{session.id}/exam/create", follow_redirects=True)
    assert "本班已创建考试" in page_text(again)
    assert db.session.scalar(db.select(db.func.count()).select_from(Quiz)) == 1


def test_a_trainee_enrolled_after_the_exam_was_created_may_take_it(client, login, make_session, factory):
    session = make_session(trainees=1)
    login(Role.TRAINING)
    client.post(f"/training/sessions/{session.id}/exam/create")
    late = factory.person("后来者")
    services.enroll(session, late)
    db.session.commit()
    assert quiz.join(exam_of(session), quiz.Identity(person=late)).id


def test_a_course_without_exam_rules_gets_a_clear_message(client, login, make_session, exam_bank):
    bare = services.save_course(None, {
        "name": "没有组卷规则的课程", "post": Post.SAFETY_MANAGER.value, "course_type": "refresher",
        "high_risk": False, "required_hours": 12, "exam_rules": [], "pass_mark": 80})
    db.session.commit()
    session = make_session(trainees=1, course_=bare)
    login(Role.TRAINING)
    response = client.post(f"/training/sessions/{session.id}/exam/create", follow_redirects=True)
    assert "课程“没有组卷规则的课程”还没有设置考试组卷规则" in page_text(response)
    assert exam_of(session) is None


def test_the_results_table_shows_each_trainees_best_score_and_result(client, login, make_session):
    session = make_session(trainees=3)
    login(Role.TRAINING)
    client.post(f"/training/sessions/{session.id}/exam/create")
    first, second, third = trainees(session)
    take_exam(session_of(session), first, 20)
    take_exam(session_of(session), second, 0)
    page = client.get(f"/training/sessions/{session.id}/exam")
    results = table_text(page, "results")
    rows = {p.name: results.split(p.name, 1)[1][:60] for p in (first, second, third)}
    assert "1 / 1 100 通过" in rows[first.name]
    assert "1 / 1 0 未通过" in rows[second.name]
    assert "0 / 1 未考" in rows[third.name]
    # the results are kept on the enrollments (figures read them from there)
    scores = {e.person_id: (e.exam_score, e.exam_passed) for e in db.session.scalars(db.select(Enrollment))}
    assert scores[first.id] == (100, True) and scores[second.id] == (0, False) and scores[third.id] == (None, None)


def test_the_training_figures_count_an_exam_as_soon_as_it_is_handed_in(client, login, make_session):
    """Nobody opens the results page: the figures still count who took the exam and who passed."""
    session = make_session(trainees=3)
    login(Role.TRAINING)
    client.post(f"/training/sessions/{session.id}/exam/create")
    first, second, _ = trainees(session)
    take_exam(session_of(session), first, 20)
    take_exam(session_of(session), second, 0)
    year = session_of(session).starts_on.year
    text = page_text(client.get("/training/figures", query_string={"year": year}))
    assert "考试通过率 50.0%" in text
    results = {e.person_id: (e.exam_score, e.exam_passed) for e in db.session.scalars(db.select(Enrollment))}
    assert results[first.id] == (100, True) and results[second.id] == (0, False)


def session_of(session) -> TrainingSession:
    db.session.expire_all()
    return db.session.get(TrainingSession, session.id)


def test_a_make_up_exam_is_only_for_those_who_failed_and_the_best_score_counts(client, login, make_session):
    session = make_session(trainees=4)
    login(Role.TRAINING)
    client.post(f"/training/sessions/{session.id}/exam/create")
    passed, failed_then_passed, failed_twice, absent = trainees(session)
    take_exam(session_of(session), passed, 20)
    take_exam(session_of(session), failed_then_passed, 0)
    first_try = take_exam(session_of(session), failed_twice, 10)
    assert first_try.score < 80

    nobody = client.get(f"/training/sessions/{session.id}/exam")
    assert "安排补考" in page_text(nobody)
    granted = client.post(f"/training/sessions/{session.id}/exam/makeup", follow_redirects=True)
    text = page_text(granted)
    assert "已安排补考" in text
    flashed = text.split("已安排补考", 1)[1].split("共", 1)[0]
    assert failed_then_passed.name in flashed and failed_twice.name in flashed
    assert passed.name not in flashed and absent.name not in flashed

    exam = exam_of(session)
    with pytest.raises(quiz.AttemptRefused):  # a pass has no make-up
        quiz.join(exam, quiz.Identity(person=passed))
    take_exam(session_of(session), failed_then_passed, 20)
    take_exam(session_of(session), failed_twice, 0)
    with pytest.raises(quiz.AttemptRefused):  # only one make-up
        quiz.join(exam_of(session), quiz.Identity(person=failed_twice))

    page = client.get(f"/training/sessions/{session.id}/exam")
    results = table_text(page, "results")
    assert f"{failed_then_passed.name} {failed_then_passed.masked_id} 2 / 2 100 通过" in results
    assert f"{failed_twice.name} {failed_twice.masked_id} 2 / 2 {first_try.score:g} 未通过" in results
    assert f"{passed.name} {passed.masked_id} 1 / 1 100 通过" in results

    again = client.post(f"/training/sessions/{session.id}/exam/makeup", follow_redirects=True)
    assert "没有需要补考的学员" in page_text(again)


def test_a_make_up_without_an_exam_is_refused(client, login, make_session):
    session = make_session(trainees=1)
    login(Role.TRAINING)
    response = client.post(f"/training/sessions/{session.id}/exam/makeup", follow_redirects=True)
    assert "本班还没有考试" in page_text(response)


def test_practical_scores_are_saved_all_or_nothing(client, login, make_session, special_course):
    session = make_session(trainees=2, course_=special_course)
    login(Role.TRAINING)
    client.post(f"/training/sessions/{session.id}/exam/create")
    first, second = services.enrollments(session)
    page = client.get(f"/training/sessions/{session.id}/exam")
    assert "实操成绩" in page_text(page) and f'name="practical-{first.id}"' in page.get_data(as_text=True)

    def practical_scores():
        db.session.expire_all()
        return [db.session.get(Enrollment, e.id).practical_score for e in (first, second)]

    too_high = client.post(f"/training/sessions/{session.id}/exam/practical",
                           data={f"practical-{first.id}": "90", f"practical-{second.id}": "150"})
    text = page_text(too_high)
    assert f"{second.person.name}：实操成绩应在 0 到 100 之间，这里是 150" in text and "均未保存" in text
    assert 'value="150"' in too_high.get_data(as_text=True)  # what was typed is shown again
    assert practical_scores() == [None, None]

    words = client.post(f"/training/sessions/{session.id}/exam/practical",
                        data={f"practical-{first.id}": "九十", f"practical-{second.id}": "85"})
    assert f"{first.person.name}：实操成绩“九十”不是数字" in page_text(words)
    assert practical_scores() == [None, None]

    saved = client.post(f"/training/sessions/{session.id}/exam/practical",
                        data={f"practical-{first.id}": "90", f"practical-{second.id}": "72.5"}, follow_redirects=True)
    assert "已保存 2 名学员的实际操作考核成绩" in page_text(saved)
    assert practical_scores() == [90, 72.5]

    cleared = client.post(f"/training/sessions/{session.id}/exam/practical", data={f"practical-{second.id}": ""})
    assert cleared.status_code == 302
    assert practical_scores() == [90, None]


def test_a_course_without_a_practical_test_has_no_practical_column(client, login, make_session):
    session = make_session(trainees=1)
    login(Role.TRAINING)
    client.post(f"/training/sessions/{session.id}/exam/create")
    page = client.get(f"/training/sessions/{session.id}/exam")
    assert "实操成绩" not in table_text(page, "results")
    enrollment = services.enrollments(session)[0]
    refused = client.post(f"/training/sessions/{session.id}/exam/practical",
                          data={f"practical-{enrollment.id}": "90"})
    assert "该课程没有实际操作考核" in page_text(refused)


def test_a_leader_sees_the_results_but_cannot_run_the_exam(client, login, make_session):
    session = make_session(trainees=1, start=local_today() - timedelta(days=1))
    login(Role.LEADER)
    page = client.get(f"/training/sessions/{session.id}/exam")
    assert page.status_code == 200 and "创建考试" not in page_text(page)
    assert client.post(f"/training/sessions/{session.id}/exam/create").status_code == 403
    assert exam_of(session) is None
