"""The job page in a real browser: the bar moves by itself (static/js/jobs.js polling the JSON under
the CSP), the download button appears with the Chinese file name, and cancelling works with CSRF on."""

import pytest
from playwright.sync_api import expect

from tests.browser.serving import DESKTOP
from webapp.auth.demo import DEMO_PASSWORD
from webapp.auth.models import User
from webapp.extensions import db
from webapp.jobs import services

pytestmark = pytest.mark.browser


@pytest.fixture
def page(live_site, browser):
    """One Playwright per test session (tests/browser/conftest.py): a second one would clash."""
    _, base_url = live_site
    context = browser.new_context(base_url=base_url, locale="zh-CN", accept_downloads=True, **DESKTOP)
    context.set_default_timeout(15_000)
    page = context.new_page()
    errors = []
    # A CSP refusal or a script error is a console error; a missing file is a 4xx response.
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" and "404" not in m.text else None)
    page.on("response", lambda r: errors.append(r.url) if r.status >= 400 and "favicon" not in r.url else None)
    page.goto("/login")
    page.get_by_label("用户名").fill("peixun")
    page.get_by_label("密码").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_test_id("main-nav")).to_be_attached()
    yield page
    context.close()
    assert errors == []


def start(app, **payload) -> str:
    with app.app_context():
        user = db.session.scalar(db.select(User).where(User.username == "peixun"))
        job = services.submit("test.print", "批量打印结业证书", "tests.jobs.work:write_file", payload, user)
        db.session.commit()
        job_id = job.id
        db.session.remove()
    return job_id


def test_the_bar_moves_and_the_download_appears(live_site, page):
    app, _ = live_site
    job_id = start(app, steps=20, filename="结业证书（第一期）.txt", delay=0.15)
    page.goto(f"/jobs/{job_id}")
    bar = page.locator("[data-job-bar]")
    expect(page.locator("[data-job-status]")).to_have_text("进行中")
    expect(bar).to_have_text("100%")
    expect(page.locator("[data-job-status]")).to_have_text("已完成")
    expect(bar).to_have_class("progress-bar bg-success")
    expect(page.locator("[data-job-cancel]")).to_be_hidden()
    link = page.get_by_role("link", name="下载 结业证书（第一期）.txt")
    expect(link).to_be_visible()
    with page.expect_download() as info:
        link.click()
    assert info.value.suggested_filename == "结业证书（第一期）.txt"


def test_cancel_from_the_page(live_site, page):
    app, _ = live_site
    job_id = start(app, steps=200, filename="证书.txt", delay=0.05)
    page.goto(f"/jobs/{job_id}")
    expect(page.locator("[data-job-status]")).to_have_text("进行中")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="取消任务").click()
    expect(page.get_by_role("alert").filter(has_text="已请求取消")).to_be_visible()
    expect(page.locator("[data-job-status]")).to_have_text("已取消")
    expect(page.locator("[data-job-download]")).to_be_hidden()
