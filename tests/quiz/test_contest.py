"""On-site contests: the scoring rules of each round kind, undo, standings and ties, drawing without
repeats, and the pages: the host sees the answer, the projector and the scoreboard never do."""

import io
import json

import pytest
from openpyxl import load_workbook

from tests.conftest import page_text
from webapp.auth.permissions import Role
from webapp.errors import FieldErrors, UserError
from webapp.extensions import db
from webapp.quiz import banks
from webapp.quiz import contest as contests
from webapp.quiz.contest_models import Action, Contest, ContestQuestion, ContestScore, RoundKind
from webapp.quiz.drafts import Kind, QuestionDraft

TEAMS = ["东镇代表队", "西镇代表队", "南镇代表队"]


@pytest.fixture
def make_contest(bank):
    def build(teams=TEAMS, kinds=tuple(RoundKind), settings=None, **values):
        rounds = [{"kind": k.value, "bank_ids": [bank.id]} for k in kinds]
        contest = contests.create_contest({"title": "2026年安全生产月应急知识竞赛", "settings": settings or {}} | values,
                                          list(teams), rounds)
        db.session.commit()
        return contest

    return build


@pytest.fixture
def contest(make_contest):
    return make_contest()


def round_of(contest: Contest, kind: RoundKind):
    return next(r for r in contest.rounds if r.kind == kind.value)


def team(contest: Contest, name: str):
    return next(t for t in contest.teams if t.name == name)


def totals(contest: Contest) -> dict[str, int]:
    return {s.team.name: s.total for s in contests.standings(contest)}


def play(contest, kind, team_name, action, value=None):
    """Draw a question in the round and score one team's answer to it."""
    round_ = round_of(contest, kind)
    question = contests.next_question(round_)
    return contests.score(contest, team(contest, team_name), round_, question, action, value)


# ------------------------------------------------------------------------------------ scoring rules


def test_every_team_starts_at_the_contest_start_points(make_contest):
    assert totals(make_contest()) == dict.fromkeys(TEAMS, 100)
    assert totals(make_contest(title="复赛", start_points=200)) == dict.fromkeys(TEAMS, 200)


def test_required_question_right_wins_10_and_wrong_loses_nothing(contest):
    assert play(contest, RoundKind.REQUIRED, "东镇代表队", Action.RIGHT).delta == 10
    assert play(contest, RoundKind.REQUIRED, "西镇代表队", Action.WRONG).delta == 0
    assert totals(contest) == {"东镇代表队": 110, "西镇代表队": 100, "南镇代表队": 100}


def test_a_team_required_question_can_be_worth_20(bank):
    contest = contests.create_contest({"title": "团队必答"}, TEAMS,
                                      [{"kind": "required", "title": "团队必答题", "bank_ids": [bank.id], "points": 20}])
    play(contest, RoundKind.REQUIRED, "东镇代表队", Action.RIGHT)
    assert totals(contest)["东镇代表队"] == 120


def test_buzzer_question_wrong_answer_or_early_buzz_deducts_what_a_right_one_wins(make_contest):
    contest = make_contest(settings={"points": {"buzzer": {"right": 20, "wrong": 20}}})
    assert play(contest, RoundKind.BUZZER, "东镇代表队", Action.RIGHT).delta == 20
    assert play(contest, RoundKind.BUZZER, "西镇代表队", Action.WRONG).delta == -20
    foul = play(contest, RoundKind.BUZZER, "南镇代表队", Action.FOUL)
    assert (foul.delta, foul.reason) == (-20, "提前抢答")
    assert totals(contest) == {"东镇代表队": 120, "西镇代表队": 80, "南镇代表队": 80}


def test_risk_question_wins_or_loses_the_stake_and_may_be_waived(contest):
    assert play(contest, RoundKind.RISK, "东镇代表队", Action.RIGHT, 30).delta == 30
    assert play(contest, RoundKind.RISK, "西镇代表队", Action.WRONG, 20).delta == -20
    waived = play(contest, RoundKind.RISK, "南镇代表队", Action.WAIVE)
    assert (waived.delta, waived.reason) == (0, "放弃作答")
    assert totals(contest) == {"东镇代表队": 130, "西镇代表队": 80, "南镇代表队": 100}


@pytest.mark.parametrize("value", [None, 0, 15, 40, -10])
def test_risk_stake_must_be_one_of_the_set_values(contest, value):
    with pytest.raises(UserError, match="风险题分值只能是 10、20 或 30"):
        play(contest, RoundKind.RISK, "东镇代表队", Action.RIGHT, value)
    assert db.session.execute(db.select(ContestScore)).first() is None


def test_risk_values_are_a_setting(make_contest):
    contest = make_contest(settings={"points": {"risk": {"values": "20，40"}}})
    assert contests.risk_values(contest) == [20, 40]
    assert play(contest, RoundKind.RISK, "东镇代表队", Action.RIGHT, 40).delta == 40
    with pytest.raises(UserError, match="风险题分值只能是 20 或 40"):
        play(contest, RoundKind.RISK, "西镇代表队", Action.RIGHT, 10)


def test_tiebreak_question_wins_10(contest):
    assert play(contest, RoundKind.TIEBREAK, "南镇代表队", Action.RIGHT).delta == 10
    assert play(contest, RoundKind.TIEBREAK, "东镇代表队", Action.WRONG).delta == 0
    assert totals(contest)["南镇代表队"] == 110


def test_a_round_takes_only_its_own_actions(contest):
    with pytest.raises(UserError, match="必答题没有“放弃”"):
        play(contest, RoundKind.REQUIRED, "东镇代表队", Action.WAIVE)
    with pytest.raises(UserError, match="风险题没有“抢答犯规”"):
        play(contest, RoundKind.RISK, "东镇代表队", Action.FOUL, 10)


def test_manual_adjustment_needs_a_reason_and_a_nonzero_value(contest):
    east = team(contest, "东镇代表队")
    with pytest.raises(UserError, match="请填写调整原因"):
        contests.adjust(contest, east, -5, " ")
    with pytest.raises(UserError, match="不能为 0"):
        contests.adjust(contest, east, 0, "评委复核")
    row = contests.adjust(contest, east, -5, "评委复核改判")
    assert (row.action, row.delta, row.reason) == ("adjust", -5, "评委复核改判")
    assert totals(contest)["东镇代表队"] == 95


def test_a_team_is_scored_once_per_question(contest):
    """Two taps on 答对 (a tablet, a slow network) must not win twice."""
    round_ = round_of(contest, RoundKind.BUZZER)
    question = contests.next_question(round_)
    east, west = team(contest, "东镇代表队"), team(contest, "西镇代表队")
    contests.score(contest, east, round_, question, Action.WRONG)
    with pytest.raises(UserError, match="本题已记为“答错”"):
        contests.score(contest, east, round_, question, Action.RIGHT)
    contests.score(contest, west, round_, question, Action.RIGHT)  # the next team may still answer
    assert totals(contest) == {"东镇代表队": 90, "西镇代表队": 110, "南镇代表队": 100}


def test_a_team_or_round_of_another_contest_is_refused(make_contest):
    first, second = make_contest(), make_contest(title="另一场")
    with pytest.raises(UserError, match="不属于本场竞赛"):
        contests.score(first, second.teams[0], first.rounds[0], None, Action.RIGHT)
    with pytest.raises(UserError, match="不属于本场竞赛"):
        contests.score(first, first.teams[0], second.rounds[0], None, Action.RIGHT)


# ------------------------------------------------------------------------------------ undo


def test_undo_twice_restores_the_totals_before_the_last_two_actions(contest):
    play(contest, RoundKind.REQUIRED, "东镇代表队", Action.RIGHT)
    before = totals(contest)
    play(contest, RoundKind.RISK, "西镇代表队", Action.WRONG, 30)
    contests.adjust(contest, team(contest, "南镇代表队"), 15, "现场加分")
    assert totals(contest) == {"东镇代表队": 110, "西镇代表队": 70, "南镇代表队": 115}

    first = contests.undo_last(contest)
    assert first.action == "adjust" and first.undone_at is not None
    assert totals(contest) == {"东镇代表队": 110, "西镇代表队": 70, "南镇代表队": 100}
    second = contests.undo_last(contest)
    assert (second.team.name, second.delta) == ("西镇代表队", -30)
    assert totals(contest) == before

    # the log keeps what was undone; the team may now be scored again for that question
    assert [r.undone_at is not None for r in contests.action_log(contest)] == [True, True, False]
    contests.score(contest, second.team, second.round, second.question, Action.RIGHT, 30)
    assert totals(contest)["西镇代表队"] == 130


def test_undo_with_nothing_left_to_undo(contest):
    with pytest.raises(UserError, match="没有可以撤销的计分"):
        contests.undo_last(contest)
    play(contest, RoundKind.REQUIRED, "东镇代表队", Action.RIGHT)
    contests.undo_last(contest)
    with pytest.raises(UserError, match="没有可以撤销的计分"):
        contests.undo_last(contest)


# ------------------------------------------------------------------------------------ standings


def test_teams_with_equal_totals_share_a_rank(bank):
    contest = contests.create_contest({"title": "排名"}, ["甲队", "乙队", "丙队", "丁队"],
                                      [{"kind": "required", "bank_ids": [bank.id]}])
    play(contest, RoundKind.REQUIRED, "丙队", Action.RIGHT)
    play(contest, RoundKind.REQUIRED, "乙队", Action.RIGHT)
    contests.adjust(contest, team(contest, "丁队"), -5, "违反赛场纪律")
    rows = contests.standings(contest)
    assert [(s.team.name, s.total, s.rank, s.tied) for s in rows] == [
        ("乙队", 110, 1, True), ("丙队", 110, 1, True), ("甲队", 100, 3, False), ("丁队", 95, 4, False)]
    round_id = contest.rounds[0].id
    assert (rows[0].by_round, rows[3].adjusted, rows[3].by_round) == ({round_id: 10}, -5, {})


# ------------------------------------------------------------------------------------ questions


@pytest.fixture
def small_bank(app):
    bank = banks.get_or_create_bank("小题库")
    banks.save_drafts(bank, [QuestionDraft(Kind.SINGLE, f"小题库第{n}题", ["甲", "乙"], [0], where=f"第 {n} 行")
                             for n in range(1, 4)])
    db.session.commit()
    return bank


def test_no_question_is_drawn_twice_in_a_contest(small_bank):
    contest = contests.create_contest({"title": "不重复"}, TEAMS, [
        {"kind": "required", "bank_ids": [small_bank.id]}, {"kind": "buzzer", "bank_ids": [small_bank.id]}])
    required, buzzer = contest.rounds
    drawn = [contests.next_question(required), contests.next_question(buzzer), contests.next_question(required)]
    assert len({d.question_id for d in drawn}) == 3
    assert [d.position for d in drawn] == [1, 1, 2]
    with pytest.raises(UserError, match="题库中没有可用的题目了"):
        contests.next_question(buzzer)
    # another contest draws from the same bank afresh
    other = contests.create_contest({"title": "另一场"}, TEAMS, [{"kind": "required", "bank_ids": [small_bank.id]}])
    assert contests.next_question(other.rounds[0]).question_id in {d.question_id for d in drawn}


def test_a_round_draws_only_its_tags(make_contest, bank):
    contest = contests.create_contest({"title": "地震专场"}, TEAMS,
                                      [{"kind": "required", "bank_ids": [bank.id], "tags": ["地震"]}])
    stems = {contests.next_question(contest.rounds[0]).question.stem for _ in range(5)}
    assert len(stems) == 5 and all(f"（{n}）" in " ".join(stems) for n in range(11, 16))
    with pytest.raises(UserError, match="题库中没有可用的题目了"):
        contests.next_question(contest.rounds[0])


def test_show_puts_a_question_on_the_projector(contest):
    round_ = round_of(contest, RoundKind.REQUIRED)
    first = contests.next_question(round_)
    assert contests.current_question(contest) is None
    contests.show(first)
    second = contests.next_question(round_)
    assert contests.current_question(contest) == first
    contests.show(second)
    assert contests.current_question(contest) == second
    assert 29 <= contests.screen_data(contest)["question"]["remaining"] <= 30


# ------------------------------------------------------------------------------------ setting up


def test_a_contest_needs_two_distinct_teams_and_a_round_with_questions(app, small_bank):
    with pytest.raises(FieldErrors) as caught:
        contests.create_contest({"title": " "}, ["东镇代表队", "东镇代表队"],
                                [{"kind": "required", "bank_ids": [small_bank.id], "tags": ["不存在的标签"]}])
    assert caught.value.errors == {
        "title": "请填写竞赛名称",
        "teams": "队伍名称重复：东镇代表队",
        "rounds": "第 1 轮（必答题）：不存在的标签中没有可用的题目",
    }
    with pytest.raises(FieldErrors, match="请至少填写两支参赛队伍"):
        contests.create_contest({"title": "一支队"}, ["东镇代表队"], [{"kind": "required"}])
    with pytest.raises(FieldErrors, match="风险题分值应为"):
        contests.create_contest({"title": "设置", "settings": {"points": {"risk": {"values": "10,abc"}}}},
                                TEAMS, [{"kind": "risk"}])


def test_teams_typed_one_per_line_may_name_their_organization(factory):
    tree = factory.tree()
    teams = contests.parse_teams("东镇代表队｜东镇\n\n 县局代表队 \n西镇代表队|西镇\n")
    assert teams == [{"name": "东镇代表队", "organization_id": tree["east"].id},
                     {"name": "县局代表队", "organization_id": None},
                     {"name": "西镇代表队", "organization_id": tree["west"].id}]
    with pytest.raises(FieldErrors) as caught:
        contests.parse_teams("甲队｜北镇\n乙队｜新村")
    assert caught.value.errors["teams"] == "第 1 行：找不到单位“北镇”；第 2 行：有 2 个单位叫“新村”，请只写队伍名称"


# ------------------------------------------------------------------------------------ pages


def test_a_contest_is_created_from_the_form(client, login, bank):
    login(Role.TRAINING)
    assert "新建现场竞赛" in page_text(client.get("/quiz/contests/new"))
    form = {"title": "2026年应急知识竞赛决赛", "date": "2026-06-16", "start_points": "100",
            "teams": "东镇代表队\n西镇代表队\n", "required_right": "10", "required_wrong": "0",
            "buzzer_points": "20", "risk_values": "10,20,30", "tiebreak_right": "10",
            "seconds_required": "30", "seconds_buzzer": "20", "seconds_risk": "60", "seconds_tiebreak": "30",
            "rounds-0-kind": "required", "rounds-0-title": "第一轮 必答题", "rounds-0-bank_id": str(bank.id),
            "rounds-1-kind": "buzzer", "rounds-1-bank_id": "0", "rounds-1-tags": "消防",
            "rounds-2-kind": ""}
    response = client.post("/quiz/contests/new", data=form)
    assert response.status_code == 302, page_text(response)
    contest = db.session.execute(db.select(Contest)).scalar_one()
    assert [t.name for t in contest.teams] == ["东镇代表队", "西镇代表队"]
    assert [(r.title, r.kind, r.bank_ids, r.tags) for r in contest.rounds] == [
        ("第一轮 必答题", "required", [bank.id], []), ("抢答题", "buzzer", [], ["消防"])]
    assert contests.round_points(contest.rounds[1]) == {"right": 20, "wrong": 20}
    assert "2026年应急知识竞赛决赛" in page_text(client.get("/quiz/contests"))


def test_the_form_shows_what_is_wrong(client, login, bank):
    login(Role.TRAINING)
    response = client.post("/quiz/contests/new", data={
        "title": "决赛", "start_points": "100", "teams": "东镇代表队", "required_right": "10", "required_wrong": "0",
        "buzzer_points": "10", "risk_values": "10,20,30", "tiebreak_right": "10", "seconds_required": "30",
        "seconds_buzzer": "20", "seconds_risk": "60", "seconds_tiebreak": "30", "rounds-0-kind": "required",
        "rounds-0-bank_id": str(bank.id)})
    assert response.status_code == 200
    assert "请至少填写两支参赛队伍" in page_text(response)
    assert db.session.execute(db.select(Contest)).first() is None


def test_the_host_draws_a_question_and_sees_its_answer(client, login, contest):
    login(Role.TRAINING)
    round_ = round_of(contest, RoundKind.REQUIRED)
    response = client.post(f"/quiz/contests/{contest.id}/next", data={"round_id": round_.id})
    assert response.status_code == 302
    drawn = db.session.execute(db.select(ContestQuestion)).scalar_one()
    assert drawn.shown_at is not None
    q = drawn.question
    text = page_text(client.get(f"/quiz/contests/{contest.id}/host?round={round_.id}"))
    assert " ".join(q.stem.split()) in text
    assert f"答案： {contests.answer_text(q)}" in text
    if q.explanation:
        assert q.explanation in text
    assert "下一题" in text and "撤销上一步" in text and "东镇代表队" in text


def test_scoring_and_undo_through_the_console(client, login, contest):
    login(Role.OUTREACH)
    risk = round_of(contest, RoundKind.RISK)
    client.post(f"/quiz/contests/{contest.id}/next", data={"round_id": risk.id})
    drawn = db.session.execute(db.select(ContestQuestion)).scalar_one()
    east = team(contest, "东镇代表队")
    url = f"/quiz/contests/{contest.id}/score"
    response = client.post(url, data={"team_id": east.id, "round_id": risk.id, "question_id": drawn.id,
                                      "action": "right", "value": "20"}, follow_redirects=True)
    assert "东镇代表队 风险题 第 1 题 答对 +20（选择 20 分）" in page_text(response)
    response = client.post(url, data={"team_id": east.id, "round_id": risk.id, "question_id": drawn.id,
                                      "action": "wrong", "value": "25"}, follow_redirects=True)
    assert "风险题分值只能是 10、20 或 30" in page_text(response)
    client.post(f"/quiz/contests/{contest.id}/adjust", data={"team_id": east.id, "delta": "-5", "reason": "超时"})
    db.session.expire_all()
    assert totals(contest)["东镇代表队"] == 115
    client.post(f"/quiz/contests/{contest.id}/undo", data={"round_id": risk.id})
    response = client.post(f"/quiz/contests/{contest.id}/undo", data={"round_id": risk.id}, follow_redirects=True)
    assert "已撤销：东镇代表队 风险题 第 1 题 答对 +20" in page_text(response)
    db.session.expire_all()
    assert totals(contest)["东镇代表队"] == 100


def test_console_actions_need_the_csrf_token(app, client, login, contest):
    login(Role.ADMIN)
    app.config["WTF_CSRF_ENABLED"] = True
    east = team(contest, "东镇代表队")
    response = client.post(f"/quiz/contests/{contest.id}/adjust", data={"team_id": east.id, "delta": "50", "reason": "x"})
    assert response.status_code == 400
    assert totals(contest)["东镇代表队"] == 100


def test_a_leader_sees_the_scoreboard_but_cannot_score(client, login, contest):
    login(Role.LEADER)
    east, round_ = team(contest, "东镇代表队"), round_of(contest, RoundKind.REQUIRED)
    assert client.post(f"/quiz/contests/{contest.id}/score", data={
        "team_id": east.id, "round_id": round_.id, "action": "right"}).status_code == 403
    assert client.post(f"/quiz/contests/{contest.id}/adjust", data={
        "team_id": east.id, "delta": "50", "reason": "想加分"}).status_code == 403
    assert client.post(f"/quiz/contests/{contest.id}/undo").status_code == 403
    assert client.post(f"/quiz/contests/{contest.id}/next", data={"round_id": round_.id}).status_code == 403
    assert client.get(f"/quiz/contests/{contest.id}/host").status_code == 403
    assert client.get("/quiz/contests/new").status_code == 403
    assert db.session.execute(db.select(ContestScore)).first() is None
    assert client.get(f"/quiz/contests/{contest.id}/board").status_code == 200
    assert client.get(f"/quiz/contests/{contest.id}/ranking").status_code == 200
    assert "主持台" not in page_text(client.get("/quiz/contests"))


def test_pages_need_a_login(client, contest):
    for path in ("board", "board.json", "screen", "screen.json", "host", "ranking"):
        response = client.get(f"/quiz/contests/{contest.id}/{path}")
        assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_board_json_has_the_totals_and_never_the_question(client, login, contest):
    login(Role.LEADER)
    round_ = round_of(contest, RoundKind.BUZZER)
    drawn = contests.next_question(round_)
    contests.show(drawn)
    contests.score(contest, team(contest, "西镇代表队"), round_, drawn, Action.RIGHT)
    contests.score(contest, team(contest, "南镇代表队"), round_, drawn, Action.FOUL)
    db.session.commit()
    response = client.get(f"/quiz/contests/{contest.id}/board.json")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    data = response.get_json()
    assert [(t["name"], t["total"], t["rank"]) for t in data["teams"]] == [
        ("西镇代表队", 110, 1), ("东镇代表队", 100, 2), ("南镇代表队", 90, 3)]
    assert data["round"] == "抢答题" and data["last"]["delta"] == -10
    body = json.dumps(data, ensure_ascii=False)
    q = drawn.question
    assert "answer" not in body and "explanation" not in body
    for secret in filter(None, [q.stem, q.explanation, *q.options]):
        assert secret not in body

    board = client.get(f"/quiz/contests/{contest.id}/board")
    text = page_text(board)
    assert "西镇代表队" in text and "110" in text and "main-nav" not in board.get_data(as_text=True)
    assert "js/contest_board.js" in board.get_data(as_text=True)
    assert " ".join(q.stem.split()) not in text and (not q.explanation or q.explanation not in text)


@pytest.fixture
def fill_bank(app):
    bank = banks.get_or_create_bank("填空题库")
    banks.save_drafts(bank, [QuestionDraft(Kind.FILL, "我国的全国防灾减灾日是每年5月的哪一天？", [], ["十二日整"],
                                           explanation="解析：汶川地震后国务院批准设立", where="第 1 行")])
    db.session.commit()
    return bank


def test_the_projector_shows_the_question_and_never_its_answer(client, login, fill_bank):
    contest = contests.create_contest({"title": "投屏"}, TEAMS, [{"kind": "required", "bank_ids": [fill_bank.id]}])
    login(Role.ADMIN)
    assert "请等待主持人出题" in page_text(client.get(f"/quiz/contests/{contest.id}/screen"))
    client.post(f"/quiz/contests/{contest.id}/next", data={"round_id": contest.rounds[0].id})

    host = page_text(client.get(f"/quiz/contests/{contest.id}/host"))
    assert "十二日整" in host and "汶川地震后国务院批准设立" in host  # the host has it …

    screen = client.get(f"/quiz/contests/{contest.id}/screen")
    html = screen.get_data(as_text=True)
    assert "我国的全国防灾减灾日是每年5月的哪一天？" in page_text(screen)
    assert "十二日整" not in html and "汶川地震" not in html and "答案" not in html  # … the projector never
    data = client.get(f"/quiz/contests/{contest.id}/screen.json").get_json()
    assert data["question"]["stem"] == "我国的全国防灾减灾日是每年5月的哪一天？"
    assert data["question"]["seconds"] == 30 and "answer" not in data["question"]
    body = json.dumps(data, ensure_ascii=False)
    assert "十二日整" not in body and "汶川" not in body


def test_the_projector_shows_choice_options_without_marking_the_right_one(client, login, contest):
    login(Role.ADMIN)
    round_ = round_of(contest, RoundKind.REQUIRED)
    client.post(f"/quiz/contests/{contest.id}/next", data={"round_id": round_.id})
    q = db.session.execute(db.select(ContestQuestion)).scalar_one().question
    html = client.get(f"/quiz/contests/{contest.id}/screen").get_data(as_text=True)
    assert all(option in html for option in q.options)
    assert "✓" not in html and "is-answer" not in html and "答案" not in html
    if q.explanation:
        assert q.explanation not in html


def test_final_ranking_page_and_spreadsheet(client, login, contest):
    play(contest, RoundKind.REQUIRED, "南镇代表队", Action.RIGHT)
    play(contest, RoundKind.BUZZER, "南镇代表队", Action.RIGHT)
    play(contest, RoundKind.REQUIRED, "西镇代表队", Action.RIGHT)
    contests.adjust(contest, team(contest, "西镇代表队"), 10, "评委加分")
    db.session.commit()
    login(Role.LEADER)
    text = page_text(client.get(f"/quiz/contests/{contest.id}/ranking"))
    assert "第 1 名 并列 西镇代表队" in text and "第 1 名 并列 南镇代表队" in text and "第 3 名 东镇代表队" in text and "加赛题" in text

    response = client.get(f"/quiz/contests/{contest.id}/ranking?export=xlsx")
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    sheet = load_workbook(io.BytesIO(response.data)).active
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert rows[0] == ["名次", "队伍", "所属单位", "基础分", "必答题", "抢答题", "风险题", "加赛题", "手动调整", "总分"]
    # a tie is listed in stage order
    assert rows[1] == [1, "西镇代表队", None, 100, 10, 0, 0, 0, 10, 120]
    assert rows[2] == [1, "南镇代表队", None, 100, 10, 10, 0, 0, 0, 120]
    assert rows[3][:2] == [3, "东镇代表队"] and rows[3][-1] == 100


def test_the_final_ranking_prints_award_certificates_for_the_teams(client, login, bank):
    from tests.quiz.test_manage import printed_text
    from webapp.jobs.models import Job
    from webapp.quiz import awards

    created = contests.create_contest({"title": "现场竞赛决赛", "start_points": 100}, ["甲队", "乙队", "丙队"],
                                      [contests.RoundSpec(RoundKind.REQUIRED, "必答题", [bank.id])])
    db.session.commit()
    first, second, third = created.teams
    contests.adjust(created, second, 20, "加分")
    contests.adjust(created, third, 20, "加分")
    db.session.commit()
    records = awards.team_winners(created, awards.parse_tiers("一等奖 1，二等奖 1"))
    assert [(r["winner"], r["award"], r["rank"]) for r in records] == [("乙队", "一等奖", 1), ("丙队", "一等奖", 1)]

    login()
    response = client.post(f"/quiz/contests/{created.id}/awards", data={"tiers": "一等奖 1，二等奖 2", "output": "docx"})
    assert response.status_code == 302 and "/jobs/" in response.headers["Location"]
    job = db.session.execute(db.select(Job)).scalar_one()
    assert job.title.endswith("（3 份）")
    printed = printed_text(client, job.id)
    assert printed.count("荣誉证书") == 3 and "乙队" in printed and printed.count("一等奖") == 2
