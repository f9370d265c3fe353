"""The participant's side over HTTP: join by the QR address, answer, reload, submit, see the score;
and each bad request refused with a message and nothing saved."""

from datetime import timedelta

import pytest

from tests.conftest import page_text
from webapp.common.time import utcnow
from webapp.extensions import db
from webapp.quiz.models import Attempt, AttemptItem, IdentityMode, QuizKind


@pytest.fixture
def org(factory):
    return factory.tree()["ent"]


def join(client, quiz, org, phone="13800138000", name="王芳"):
    return client.post(f"/q/{quiz.code}", data={"name": name, "phone": phone, "organization_id": org.id})


def attempt_of(phone="13800138000") -> Attempt:
    return db.session.execute(db.select(Attempt).where(Attempt.phone == phone)).scalar_one()


def shown_right(item: AttemptItem):
    q = item.question
    if q.kind == "fill":
        return q.answer[0]
    shown = [item.order.index(i) for i in q.answer]
    return shown if q.kind == "multiple" else shown[0]


def test_join_answer_reload_submit_and_see_the_score(client, make_quiz, org):
    quiz = make_quiz()
    page = client.get(f"/q/{quiz.code}")
    assert page.status_code == 200
    assert "2026年全民应急知识网络竞赛" in page_text(page) and "共 10 题，满分 100 分，限时 20 分钟" in page_text(page)

    response = join(client, quiz, org)
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/q/{quiz.code}/paper")
    attempt = attempt_of()
    paper = client.get(f"/q/{quiz.code}/paper")
    html = paper.get_data(as_text=True)
    assert paper.status_code == 200 and html.count('class="card q"') == 10
    assert not any(q.explanation in html for q in (i.question for i in attempt.items) if q.explanation)
    assert " checked>" not in html  # and no option marked before the participant marks it

    first = attempt.items[0]
    saved = client.post(f"/q/{quiz.code}/answers", json={"answers": {"1": shown_right(first)}},
                        headers={"X-Attempt-Token": attempt.token})
    assert saved.status_code == 200 and saved.json["saved"] == 1
    reloaded = client.get(f"/q/{quiz.code}/paper").get_data(as_text=True)
    assert f'name="q1" value="{shown_right(first)}" checked' in reloaded

    # a second scan of the QR code goes straight back to the same paper
    assert client.get(f"/q/{quiz.code}").headers["Location"].endswith("/paper")

    form = {"token": attempt.token}
    for item in attempt.items:
        value = shown_right(item)
        form[f"q{item.position}"] = [str(v) for v in value] if isinstance(value, list) else str(value)
    done = client.post(f"/q/{quiz.code}/submit", data=form)
    assert done.status_code == 303
    result = client.get(f"/q/{quiz.code}/result")
    assert "100 分" in page_text(result) and "答对 10/10 题" in page_text(result)
    explanations = [i.question.explanation for i in attempt.items if i.question.explanation]
    # while others are still answering, the answers stay private …
    assert "答案与解析将于" in page_text(result) and "正确答案" not in page_text(result)
    assert not any(e in page_text(result) for e in explanations)
    # … and once the quiz has closed, the same page explains every question
    quiz.closes_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    closed = page_text(client.get(f"/q/{quiz.code}/result"))
    assert closed.count("正确答案") == 10 and all(e in closed for e in explanations)
    assert db.session.execute(db.select(db.func.count(Attempt.id))).scalar() == 1


def test_missing_identity_fields_are_named_and_nothing_is_saved(client, make_quiz, org):
    quiz = make_quiz()
    response = client.post(f"/q/{quiz.code}", data={"name": "", "phone": "", "organization_id": 0})
    assert response.status_code == 422
    text = page_text(response)
    assert "请填写姓名" in text and "请填写手机号" in text and "请选择所在单位" in text
    assert db.session.execute(db.select(db.func.count(Attempt.id))).scalar() == 0


def test_a_forged_or_replayed_token_is_refused(client, make_quiz, org):
    quiz, other = make_quiz(), make_quiz(title="另一场竞赛")
    join(client, quiz, org)
    attempt = attempt_of()
    forged = client.post(f"/q/{quiz.code}/answers", json={"answers": {"1": 0}}, headers={"X-Attempt-Token": "x" * 43})
    assert forged.status_code == 400 and forged.json["error"] == "答题凭证无效或已过期，请重新扫码进入"
    elsewhere = client.post(f"/q/{other.code}/answers", json={"answers": {"1": 0}}, headers={"X-Attempt-Token": attempt.token})
    assert elsewhere.status_code == 400
    assert all(item.response is None for item in attempt.items)


def test_a_json_body_that_is_not_an_object_is_refused_not_a_crash(client, make_quiz, org):
    quiz = make_quiz()
    join(client, quiz, org)
    token = attempt_of().token
    for url in (f"/q/{quiz.code}/answers", f"/q/{quiz.code}/submit"):
        response = client.post(url, json=[1, 2], headers={"X-Attempt-Token": token})
        assert response.status_code == 400 and response.json["error"] == "请求格式不正确"
    listed = client.post(f"/q/{quiz.code}/submit", json={"answers": [0, 1]}, headers={"X-Attempt-Token": token})
    assert listed.status_code == 400 and listed.json["error"] == "答案格式不正确"
    assert attempt_of().status == "in_progress"


@pytest.mark.parametrize("answers, message", [
    ({"42": 0}, "第 42 题不在本答卷中"),
    ({"10": "很长" * 5000}, "第 10 题的答案超过 200 字"),
    ("not a dict", "答案格式不正确"),
])
def test_bad_answers_get_a_message(client, make_quiz, org, answers, message):
    quiz = make_quiz()
    join(client, quiz, org)
    attempt = attempt_of()
    response = client.post(f"/q/{quiz.code}/answers", json={"answers": answers}, headers={"X-Attempt-Token": attempt.token})
    assert response.status_code == 400 and response.json["error"] == message


def test_after_submission_answers_are_refused_and_a_second_attempt_too(client, make_quiz, org):
    quiz = make_quiz()
    join(client, quiz, org)
    attempt = attempt_of()
    client.post(f"/q/{quiz.code}/submit", data={"token": attempt.token})
    late = client.post(f"/q/{quiz.code}/answers", json={"answers": {"1": 0}}, headers={"X-Attempt-Token": attempt.token})
    assert late.status_code == 409 and late.json["finished"] is True
    again = join(client, quiz, org)
    assert again.status_code == 422 and "每人限 1 次" in page_text(again)


def test_a_closed_quiz_refuses_new_participants(client, make_quiz, org):
    quiz = make_quiz(opens_at=utcnow() - timedelta(days=2), closes_at=utcnow() - timedelta(days=1))
    page = client.get(f"/q/{quiz.code}")
    assert "已结束" in page_text(page) and "开始答题" not in page_text(page)
    response = join(client, quiz, org)
    assert response.status_code == 422 and "本次答题已结束，不再接受作答" in page_text(response)


def test_the_join_page_states_the_attempts_by_how_people_are_known(client, make_quiz):
    public = make_quiz(max_attempts=2)
    roster = make_quiz(title="2026年主要负责人培训班结业考试", kind=QuizKind.EXAM.value,
                       identity_mode=IdentityMode.ROSTER.value, pass_mark=80)
    assert "同一手机号可答 2 次" in page_text(client.get(f"/q/{public.code}"))
    text = page_text(client.get(f"/q/{roster.code}"))
    assert "身份证号后六位" in text and "名单内每人可答 1 次" in text and "手机号" not in text


def test_joining_is_rate_limited_per_address(app, client, make_quiz, org):
    app.config["QUIZ_JOIN_RATE_LIMIT_PER_ADDRESS"] = "3 per minute"
    quiz = make_quiz()
    codes = [join(client, quiz, org, phone=f"1380013800{i}").status_code for i in range(5)]
    assert codes[:3] == [302, 302, 302] and codes[3:] == [429, 429]


def test_the_organization_picker_lists_a_towns_units(client, make_quiz, org):
    quiz = make_quiz()
    rows = client.get(f"/q/{quiz.code}/orgs?town={org.town_id}").json
    assert org.name in [r["name"] for r in rows]
    assert client.get(f"/q/{quiz.code}/orgs?town={org.town_id}&q=不存在").json == []
