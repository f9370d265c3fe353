"""Quizzes and attempts through the services: papers, joining and resuming, limits, the server's
clock, scoring, and the interface the training module uses (roster, results)."""

import json
from datetime import timedelta

import pytest

from webapp.common.time import utcnow
from webapp.errors import FieldErrors, UserError
from webapp.extensions import db
from webapp.quiz import services
from webapp.quiz.models import Attempt, AttemptStatus, IdentityMode, PaperMode, QuizKind
from webapp.quiz.services import AttemptFinished, AttemptRefused, Identity, QuizClosed


@pytest.fixture
def town_org(factory):
    tree = factory.tree()
    return tree["ent"]


def someone(org, phone="13800138000", name="王芳") -> Identity:
    return Identity(name=name, phone=phone, organization_id=org.id)


def right_answers(attempt) -> dict:
    """What a participant who knows everything sends: shown positions of the right options."""
    answers = {}
    for item in attempt.items:
        q = item.question
        if q.kind == "fill":
            answers[item.position] = q.answer[0]
        else:
            answers[item.position] = [item.order.index(i) for i in q.answer]
    return answers


def test_a_participant_gets_a_paper_by_the_rules_without_the_answers(make_quiz, town_org):
    quiz = make_quiz()
    attempt = services.join(quiz, someone(town_org))
    db.session.commit()
    kinds = [item.question.kind for item in attempt.items]
    assert kinds == ["single"] * 5 + ["multiple"] * 2 + ["true_false"] * 2 + ["fill"]
    assert attempt.max_score == 100
    assert len({item.question_id for item in attempt.items}) == 10
    assert attempt.town_id == town_org.town_id and attempt.organization_id == town_org.id
    assert 19 * 60 < services.seconds_left(attempt) <= 20 * 60

    shown = services.paper(attempt)
    text = json.dumps(shown, ensure_ascii=False)
    assert "解析" not in text and "answer_key" not in text
    assert all(set(q) == {"position", "kind", "kind_label", "stem", "options", "points", "answer"} for q in shown)
    assert all(q["answer"] in ([], "") for q in shown)  # nothing given yet, so nothing revealed


def test_scanning_again_resumes_the_same_attempt_with_the_clock_running(make_quiz, town_org):
    quiz = make_quiz()
    started = utcnow()
    first = services.join(quiz, someone(town_org), now=started)
    services.save_answers(first, {1: [0]}, now=started)
    db.session.commit()

    again = services.join(quiz, someone(town_org, phone="138 0013 8000", name="王芳"), now=started + timedelta(minutes=5))
    assert again.id == first.id and again.token == first.token
    assert services.seconds_left(again, started + timedelta(minutes=5)) == 15 * 60
    assert services.paper(again)[0]["answer"] == [0]
    assert db.session.execute(db.select(db.func.count(Attempt.id))).scalar() == 1


def test_one_attempt_per_phone_unless_the_quiz_allows_more(make_quiz, town_org):
    quiz = make_quiz()
    attempt = services.join(quiz, someone(town_org))
    services.submit(attempt)
    db.session.commit()
    with pytest.raises(AttemptRefused, match="每人限 1 次"):
        services.join(quiz, someone(town_org))
    other = services.join(quiz, someone(town_org, phone="13900139000"))
    assert other.id != attempt.id

    quiz.max_attempts = 2
    second = services.join(quiz, someone(town_org))
    assert second.number == 2 and second.id != attempt.id


def test_each_missing_identity_field_is_named(make_quiz, town_org):
    quiz = make_quiz()
    with pytest.raises(FieldErrors) as caught:
        services.join(quiz, Identity(name="", phone="", organization_id=None))
    assert caught.value.errors == {"name": "请填写姓名", "phone": "请填写手机号", "organization_id": "请选择所在单位"}
    with pytest.raises(FieldErrors) as caught:
        services.join(quiz, Identity(name="王芳", phone="12345", organization_id=town_org.id))
    assert "手机号为 11 位数字" in caught.value.errors["phone"]
    assert db.session.execute(db.select(db.func.count(Attempt.id))).scalar() == 0


def test_a_quiz_takes_no_one_before_it_opens_after_it_closes_or_unpublished(make_quiz, town_org):
    quiz = make_quiz(opens_at=utcnow() + timedelta(hours=1), closes_at=utcnow() + timedelta(hours=3))
    with pytest.raises(QuizClosed, match="尚未开始"):
        services.join(quiz, someone(town_org))
    with pytest.raises(QuizClosed, match="已结束"):
        services.join(quiz, someone(town_org), now=utcnow() + timedelta(hours=3))
    draft = make_quiz(publish=False)
    with pytest.raises(QuizClosed, match="尚未发布"):
        services.join(draft, someone(town_org))


def test_answers_are_stored_as_the_questions_own_options_whatever_order_was_shown(make_quiz, town_org):
    quiz = make_quiz()
    attempt = services.join(quiz, someone(town_org))
    item = attempt.items[0]
    shown_right = item.order.index(1)  # the bank's single-choice answers are all option B
    services.save_answers(attempt, {"1": shown_right})
    assert item.response == [1]
    assert services.paper(attempt)[0]["answer"] == [shown_right]


@pytest.mark.parametrize("answers, message", [
    ({99: [0]}, "第 99 题不在本答卷中"),
    ({"x": [0]}, "第 x 题不在本答卷中"),
    ({1: [7]}, "第 1 题的答案不是本题的选项"),
    ({1: [0, 1]}, "第 1 题只能选一个答案"),
    ({1: "B"}, "第 1 题的答案不是本题的选项"),
    ({10: "十" * 10_000}, "第 10 题的答案超过 200 字"),
])
def test_bad_answers_are_refused_and_nothing_is_saved(make_quiz, town_org, answers, message):
    quiz = make_quiz()
    attempt = services.join(quiz, someone(town_org))
    with pytest.raises(UserError, match=message):
        services.save_answers(attempt, {2: [0]} | answers)
    assert all(item.response is None for item in attempt.items)


def test_full_marks_partial_credit_and_fill_in_variants(make_quiz, town_org):
    quiz = make_quiz()
    attempt = services.join(quiz, someone(town_org))
    services.submit(attempt, right_answers(attempt))
    assert attempt.score == 100 and attempt.correct_count == 10 and attempt.status == AttemptStatus.SUBMITTED

    quiz2 = make_quiz(partial_credit=True)
    attempt = services.join(quiz2, someone(town_org))
    answers = right_answers(attempt)
    multiple = next(i for i in attempt.items if i.question.kind == "multiple")
    answers[multiple.position] = answers[multiple.position][:2]  # two of the three right options
    fill = next(i for i in attempt.items if i.question.kind == "fill")
    answers[fill.position] = " 十二 "  # an accepted variant, with spaces
    services.submit(attempt, answers)
    assert attempt.score == 100 - 15 / 2
    assert attempt.correct_count == 9


def test_the_server_clock_decides_late_answers_are_not_counted(make_quiz, town_org):
    quiz = make_quiz(time_limit_minutes=10)
    started = utcnow()
    attempt = services.join(quiz, someone(town_org), now=started)
    answers = right_answers(attempt)
    services.save_answers(attempt, {1: answers[1]}, now=started + timedelta(minutes=9))
    with pytest.raises(AttemptFinished, match="答题时间已到"):
        services.save_answers(attempt, answers, now=started + timedelta(minutes=11))
    services.submit(attempt, answers, now=started + timedelta(minutes=11))
    assert attempt.score == 10  # only the answer saved in time
    assert attempt.duration_seconds == 600  # ends at the deadline, not when the phone came back


def test_a_submit_sent_just_before_the_deadline_still_counts(make_quiz, town_org):
    quiz = make_quiz(time_limit_minutes=10)
    started = utcnow()
    attempt = services.join(quiz, someone(town_org), now=started)
    services.submit(attempt, right_answers(attempt), now=started + timedelta(minutes=10, seconds=5))
    assert attempt.score == 100


def test_submitting_twice_changes_nothing(make_quiz, town_org):
    quiz = make_quiz()
    attempt = services.join(quiz, someone(town_org))
    services.submit(attempt, right_answers(attempt))
    submitted_at = attempt.submitted_at
    services.submit(attempt, {1: [0]})
    assert attempt.score == 100 and attempt.submitted_at == submitted_at
    with pytest.raises(AttemptFinished, match="已提交"):
        services.save_answers(attempt, {1: [0]})


def test_attempts_left_open_are_scored_when_their_time_runs_out(make_quiz, town_org):
    quiz = make_quiz(time_limit_minutes=5)
    attempt = services.join(quiz, someone(town_org))
    services.save_answers(attempt, {1: right_answers(attempt)[1]})
    assert services.finish_expired(quiz) == 0
    assert services.finish_expired(quiz, now=utcnow() + timedelta(minutes=6)) == 1
    assert attempt.status == AttemptStatus.SUBMITTED and attempt.score == 10


def test_the_deadline_is_the_close_when_that_comes_first(make_quiz, town_org):
    closes = utcnow() + timedelta(minutes=3)
    quiz = make_quiz(time_limit_minutes=30, closes_at=closes)
    attempt = services.join(quiz, someone(town_org))
    assert attempt.deadline_at == closes


def test_rules_asking_for_more_questions_than_the_bank_has_are_refused(make_quiz):
    with pytest.raises(FieldErrors) as caught:
        make_quiz(rules=[{"kind": "single", "count": 5, "points": 10, "tags": ["地震"]},
                         {"kind": "fill", "count": 4, "points": 5}])
    assert caught.value.errors["rules"] == "填空题需要 4 题，所选题库中只有 3 题"


def test_a_fixed_paper_is_the_same_questions_for_everyone(make_quiz, town_org):
    quiz = make_quiz(paper_mode=PaperMode.FIXED.value, shuffle_questions=False)
    a = services.join(quiz, someone(town_org, phone="13800000001"))
    b = services.join(quiz, someone(town_org, phone="13800000002"))
    assert [i.question_id for i in a.items] == [i.question_id for i in b.items] == [
        i.question_id for i in quiz.fixed_items]


def test_an_exam_for_a_roster_of_trainees_with_one_make_up(make_quiz, factory, town_org):
    trainee = factory.person("李强", org=town_org, id_number="11010119900307123X")
    stranger = factory.person("赵六", org=town_org)
    exam = make_quiz(kind=QuizKind.EXAM.value, identity_mode=IdentityMode.ROSTER.value, pass_mark=80,
                     title="主要负责人初训考试")
    services.set_roster(exam, [trainee], max_attempts=2)

    with pytest.raises(AttemptRefused, match="不在本场考试的名单中"):
        services.join(exam, Identity(name="赵六", id_last6=stranger.id_number[-6:]))
    with pytest.raises(AttemptRefused, match="不在本场考试的名单中"):
        services.join(exam, Identity(name="李强", id_last6="000000"))
    with pytest.raises(FieldErrors, match="请填写身份证号后六位"):
        services.join(exam, Identity(name="李强", id_last6="123"))
    # LIKE wildcards typed as the last six characters match nobody
    for wildcard in ("%%%%%%", "______", "%123X"[:1] * 2 + "123X"):
        with pytest.raises(AttemptRefused, match="不在本场考试的名单中"):
            services.join(exam, Identity(name="李强", id_last6=wildcard))

    first = services.join(exam, Identity(name="李强", id_last6="07123x"))
    assert first.person_id == trainee.id
    services.submit(first, {})
    assert services.result(first).passed is False
    make_up = services.join(exam, Identity(person=trainee))
    services.submit(make_up, right_answers(make_up))
    assert services.best_results(exam)[trainee.id].score == 100
    assert services.best_results(exam)[trainee.id].passed is True
    with pytest.raises(AttemptRefused, match="每人限 2 次"):
        services.join(exam, Identity(person=trainee))


def test_a_generic_stem_with_other_options_is_a_different_question(bank):
    from webapp.quiz import banks
    from webapp.quiz.drafts import Kind, QuestionDraft

    def draft(options, where):
        return QuestionDraft(Kind.SINGLE, "下列说法正确的是（  ）。", options, [0], where=where)

    banks.save_drafts(bank, [draft(["应急预案每三年至少评估一次", "无需评估"], "第 2 行"),
                             draft(["火警电话是119", "火警电话是110"], "第 3 行")])
    with pytest.raises(banks.QuestionsRefused) as caught:
        banks.save_drafts(bank, [draft(["无需评估", "应急预案每三年至少评估一次"], "第 2 行")])
    assert caught.value.errors == ["第 2 行：与题库“测试题库”中已有的题目重复（下列说法正确的是（  ）。）"]


def test_two_taps_at_the_same_moment_make_one_attempt(make_quiz, town_org, monkeypatch):
    """The race the unique constraint settles: the other request inserts its attempt between this
    one's check and its insert. Real rows on the real database; only the timing is arranged."""
    from sqlalchemy.orm import Session

    quiz = make_quiz()
    real_new_attempt = services._new_attempt

    def other_request_first(quiz, key, number, fields, ip, now):
        with Session(db.engine) as other:
            other.add(Attempt(quiz_id=quiz.id, token="other-tap", identity_key=key, number=number,
                              started_at=now, **fields))
            other.commit()
        return real_new_attempt(quiz, key, number, fields, ip, now)

    monkeypatch.setattr(services, "_new_attempt", other_request_first)
    attempt = services.join(quiz, someone(town_org))
    assert attempt.token == "other-tap"
    assert db.session.execute(db.select(db.func.count(Attempt.id))).scalar() == 1


def test_a_phone_handing_in_at_zero_is_not_beaten_by_the_housekeeping(make_quiz, town_org):
    quiz = make_quiz(time_limit_minutes=5)
    started = utcnow()
    attempt = services.join(quiz, someone(town_org), now=started)
    at_zero = started + timedelta(minutes=5, seconds=5)
    assert services.finish_expired(quiz, now=at_zero) == 0  # an officer opening the rankings now …
    services.submit(attempt, right_answers(attempt), now=at_zero)  # … leaves the phone's submit its answers
    assert attempt.score == 100


def test_the_paper_rules_are_fixed_once_someone_has_answered(make_quiz, town_org, bank):
    quiz = make_quiz(paper_mode=PaperMode.FIXED.value, shuffle_questions=False)
    assert len(quiz.fixed_items) == 10
    fewer = [services.Rule.of({"kind": "single", "count": 3, "points": 10, "bank_ids": [bank.id]})]
    services.update_quiz(quiz, {"title": quiz.title}, fewer)  # nobody has answered: drawn again
    db.session.flush()
    assert len(quiz.fixed_items) == 3 and {i.points for i in quiz.fixed_items} == {10}
    services.join(quiz, someone(town_org))
    with pytest.raises(FieldErrors) as caught:
        services.update_quiz(quiz, {"title": quiz.title}, [services.Rule.of(
            {"kind": "single", "count": 4, "points": 10, "bank_ids": [bank.id]})])
    assert caught.value.errors["rules"] == "已有人答题，不能再修改组卷规则或组卷方式（可新建一场）"
    services.update_quiz(quiz, {"title": "改了名字"}, fewer)  # other settings may still change
    assert quiz.title == "改了名字" and len(quiz.fixed_items) == 3
