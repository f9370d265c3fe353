"""The on-site contest on a real browser: the host draws a question and scores a team on the
console, the projector's scoreboard and question screen follow by themselves, and an undo puts
the score back."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.serving import DESKTOP
from tests.quiz.conftest import single
from webapp.auth.demo import DEMO_PASSWORD
from webapp.extensions import db
from webapp.quiz import banks, contest
from webapp.quiz.contest_models import RoundKind

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def contest_id(live_site):
    app, _ = live_site
    with app.app_context():
        bank = banks.get_or_create_bank("现场竞赛浏览器测试题库")
        drafts = [single(n) for n in range(201, 206)]
        for i, d in enumerate(drafts, 1):
            d.where = f"第 {i} 行"
        banks.save_drafts(bank, drafts)
        created = contest.create_contest({"title": "2026年安全生产月现场知识竞赛", "start_points": 100},
                                         ["东城街道代表队", "青石镇代表队", "白沙镇代表队"],
                                         [contest.RoundSpec(RoundKind.REQUIRED, "必答题", [bank.id])])
        db.session.commit()
        yield created.id
        db.session.remove()


def test_the_host_scores_and_the_projector_follows(live_site, new_context, contest_id, screenshot):
    context = new_context(**DESKTOP)
    host = context.new_page()
    errors = []
    for page in (host,):
        page.on("pageerror", lambda exc: errors.append(str(exc)))
    host.goto("/login")
    host.get_by_label("用户名").fill("peixun")
    host.get_by_label("密码").fill(DEMO_PASSWORD)
    host.get_by_role("button", name="登录").click()

    board = context.new_page()  # the projector: same browser, another window
    board.on("pageerror", lambda exc: errors.append(str(exc)))
    board.goto(f"/quiz/contests/{contest_id}/board")
    expect(board.get_by_text("青石镇代表队")).to_be_visible()
    screen = context.new_page()
    screen.goto(f"/quiz/contests/{contest_id}/screen")

    host.goto(f"/quiz/contests/{contest_id}/host")
    host.get_by_role("button", name="下一题").click()
    stem = host.get_by_text(re.compile(r"单选题第20\d题"))
    expect(stem.first).to_be_visible()
    question = re.search(r"单选题第20\d题", stem.first.inner_text()).group(0)
    expect(screen.get_by_text(re.compile(question))).to_be_visible(timeout=8_000)  # the projector shows it
    expect(screen.get_by_text(re.compile(r"对20\d"))).to_have_count(1)  # the option is there …
    assert "答案" not in screen.inner_text("body") and "解析" not in screen.inner_text("body")  # … the answer is not

    team = host.locator(".card", has_text="青石镇代表队").filter(has=host.locator("input[name=team_id]"))
    team.get_by_role("button", name=re.compile("答对")).click()
    row = board.locator("[data-team-id]", has_text="青石镇代表队")
    expect(row).to_contain_text("110", timeout=8_000)  # no reload: the board polls
    screenshot(board, "board")
    screenshot(host, "host")

    host.once("dialog", lambda dialog: dialog.accept())
    host.get_by_role("button", name="撤销上一步").click()
    expect(row).to_contain_text("100", timeout=8_000)
    assert errors == []
