"""A participant on a phone (WeChat's browser) joins a competition by its QR address, answers,
loses the network, reloads, and hands in; the officer sees the result in the rankings."""

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from tests.browser.serving import PHONE
from tests.quiz.conftest import fill, multiple, single, true_false
from webapp.common.time import utcnow
from webapp.extensions import db
from webapp.quiz import banks, services
from webapp.quiz.models import Attempt, IdentityMode, PaperMode, QuizKind
from webapp.registry.models import Organization

pytestmark = pytest.mark.browser

WECHAT = ("Mozilla/5.0 (Linux; Android 13; V2148A) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 "
          "Chrome/116.0.0.0 Mobile Safari/537.36 XWEB/1160065 MMWEBSDK/20231202 MicroMessenger/8.0.47.2560 "
          "WeChat/arm64 Weixin NetType/4G Language/zh_CN ABI/arm64")


@pytest.fixture(scope="module")
def quiz_code(live_site):
    app, _ = live_site
    with app.app_context():
        bank = banks.get_or_create_bank("浏览器测试题库")
        drafts = [single(n) for n in range(101, 106)] + [multiple(101), true_false(101), fill(101)]
        for i, d in enumerate(drafts, 1):
            d.where = f"第 {i} 行"
        banks.save_drafts(bank, drafts)
        rules = [services.Rule(services.Kind(k), n, p, [bank.id], []) for k, n, p in
                 [("single", 4, 20), ("true_false", 1, 10), ("fill", 1, 10)]]
        quiz = services.create_quiz({
            "title": "浏览器测试：全民应急知识竞赛", "kind": QuizKind.COMPETITION.value,
            "paper_mode": PaperMode.RANDOM.value, "time_limit_minutes": 30,
            "opens_at": utcnow() - timedelta(hours=1), "closes_at": utcnow() + timedelta(days=1),
            "max_attempts": 1, "identity_mode": IdentityMode.PUBLIC.value, "ask_organization": True}, rules)
        services.publish(quiz)
        db.session.commit()
        code = quiz.code
        db.session.remove()
    return code


def test_a_phone_joins_answers_survives_a_dropped_network_and_a_reload_and_submits(
        live_site, new_context, quiz_code, screenshot):
    app, _ = live_site
    context = new_context(user_agent=WECHAT, **PHONE)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" and "ERR_INTERNET_DISCONNECTED" not in m.text else None)

    page.goto(f"/q/{quiz_code}")
    expect(page.get_by_text("共 6 题，满分 100 分，限时 30 分钟")).to_be_visible()
    page.get_by_label("姓名").fill("陈晓燕")
    page.get_by_label("手机号").fill("139 0571 2345")
    page.get_by_label("所在乡镇（街道）").select_option(label="青石镇")
    organization = page.get_by_label("所在单位（村、社区、学校、企业）")
    expect(organization.locator("option", has_text="青石镇")).not_to_have_count(0)  # loaded for the town
    first_unit = organization.locator("option").nth(1).inner_text()
    organization.select_option(label=first_unit)
    screenshot(page, "join")
    page.get_by_role("button", name="开始答题").click()

    expect(page).to_have_url(re.compile(f"/q/{quiz_code}/paper$"))
    questions = page.locator("fieldset.q")
    expect(questions).to_have_count(6)
    for i in range(3):
        questions.nth(i).locator("label.opt").first.click()
    expect(page.locator("#saved")).to_have_text("已保存")
    expect(page.locator("#answered")).to_have_text("3")

    # the network drops: the answer waits on the phone and goes up when it is back
    context.set_offline(True)
    questions.nth(3).locator("label.opt").nth(1).click()
    expect(page.locator("#saved")).to_contain_text("网络不畅")
    context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    expect(page.locator("#saved")).to_have_text("已保存")
    screenshot(page, "paper")

    page.reload()
    for i in range(3):
        expect(questions.nth(i).locator("input").first).to_be_checked()
    expect(questions.nth(3).locator("input").nth(1)).to_be_checked()
    expect(page.locator(".timer")).to_have_text(re.compile(r"^(29|30):\d\d$"))

    page.once("dialog", lambda dialog: dialog.accept())  # "还有 2 题未作答，确定交卷吗？"
    page.get_by_role("button", name="交卷").click()
    expect(page).to_have_url(re.compile(f"/q/{quiz_code}/result$"))
    expect(page.get_by_test_id("score")).to_contain_text("分")
    expect(page.get_by_text("答对")).to_be_visible()
    screenshot(page, "result")

    # scanning the code again shows the finished attempt instead of a new paper
    page.goto(f"/q/{quiz_code}")
    expect(page.get_by_text("您已交卷")).to_be_visible()
    assert errors == []
    with app.app_context():
        attempts = db.session.execute(db.select(Attempt).where(Attempt.phone == "13905712345")).scalars().all()
        assert len(attempts) == 1 and attempts[0].status == "submitted"
        assert sum(1 for item in attempts[0].items if item.response) == 4
        assert db.session.get(Organization, attempts[0].organization_id).name == first_unit.strip()
        db.session.remove()
