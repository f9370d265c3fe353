"""Screenshots of the demo county for the README: docs/screenshots/*.png.

    .venv/bin/python scripts/screenshots.py

Builds the app on a throw-away SQLite database (schema by the migrations, demo data as
`flask seed-demo`), serves it on 127.0.0.1 at a random port, logs in as admin with Debian's
Chromium (/usr/bin/chromium, driven by Playwright; no browser is downloaded) and saves:

    docs/screenshots/dashboard.png      /dashboard, 1366x900, full page (due items, figures, charts)
    docs/screenshots/dashboard-phone.png    the top of /dashboard on a 390x844 phone
    docs/screenshots/org-list.png       /registry/orgs?kind=enterprise, 1366x900, full page
    docs/screenshots/people-phone.png   /registry/people on a 390x844 phone
    docs/screenshots/quiz-detail.png    the demo competition's page (QR code, rankings), 1366x900
    docs/screenshots/quiz-phone.png     its answer sheet on a 390x844 phone, a few answers given
    docs/screenshots/training-session.png   this week's training session (timetable, trainees), 1366x900
    docs/screenshots/training-screen.png    its sign-in screen for the projector (changing QR code)
    docs/screenshots/verify-phone.png       a certificate's public check on a 390x844 phone
    docs/screenshots/plan-compare.png       the most-edited plan: two versions compared, 1366x900
    docs/screenshots/plan-editor.png        one of its sections in the editor, 1366x900
    docs/screenshots/drill-detail.png       a recent drill (plans, timeline, photos, evaluation), 1366x900
    docs/screenshots/drill-figures.png      this year's drill figures, 1366x900
    docs/screenshots/drill-evaluate-phone.png   that drill's score sheet on a 390x844 phone
    docs/screenshots/outreach-coverage.png  this year's five-into coverage by town and venue type, 1366x900
    docs/screenshots/outreach-phone.png     the field form for an outreach event on a 390x844 phone
"""

import random
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from flask_migrate import upgrade  # noqa: E402

from tests.browser.serving import CHROMIUM, DESKTOP, LAUNCH_ARGS, PHONE, serve  # noqa: E402
from webapp import create_app  # noqa: E402
from webapp.auth import demo as auth_demo  # noqa: E402
from webapp.drills import demo as drills_demo  # noqa: E402
from webapp.extensions import db  # noqa: E402
from webapp.outreach import demo as outreach_demo  # noqa: E402
from webapp.plans import demo as plans_demo  # noqa: E402
from webapp.quiz import demo as quiz_demo  # noqa: E402
from webapp.registry import demo as registry_demo  # noqa: E402
from webapp.training import demo as training_demo  # noqa: E402

OUT = ROOT / "docs" / "screenshots"


def build_app(workdir: Path):
    app = create_app({
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{workdir / 'screenshots.db'}",
        "SECRET_KEY": "screenshots-only",
        "STORAGE_DIR": str(workdir / "files"),
    })
    with app.app_context():
        upgrade()
        rng = random.Random(2026)
        registry_demo.seed(rng)
        auth_demo.seed()
        quiz_demo.seed(rng)
        training_demo.seed(rng)
        plans_demo.seed(rng)
        drills_demo.seed(rng)
        outreach_demo.seed(rng)
        db.session.commit()
        app.config["SCREENSHOT_TARGETS"] = _training_targets()
        db.session.remove()
    return app


def _training_targets() -> dict:
    """This week's session, its first slot today, and a valid certificate: what the training shots show."""
    from webapp.common.time import local_today
    from webapp.training.models import Certificate, CertificateStatus, TrainingSession

    today = local_today()
    session = db.session.scalar(db.select(TrainingSession).where(
        TrainingSession.starts_on <= today, TrainingSession.ends_on >= today).order_by(TrainingSession.id))
    certificate = db.session.scalar(db.select(Certificate).where(
        Certificate.status == CertificateStatus.VALID, Certificate.expires_on > today).order_by(Certificate.id.desc()))
    from webapp.plans.models import Plan, PlanStatus

    plan = db.session.scalar(db.select(Plan).where(Plan.status != PlanStatus.WITHDRAWN.value)
                             .order_by(Plan.version_number.desc(), Plan.id))
    from webapp.drills.models import Drill, DrillEvaluation, DrillPhoto

    drill = db.session.scalar(db.select(Drill).where(Drill.id.in_(db.select(DrillPhoto.drill_id)),
                                                     Drill.id.in_(db.select(DrillEvaluation.drill_id)))
                              .order_by(Drill.id.desc()))
    return {"session": session.id, "slot": session.slots[-1].id, "certificate": certificate.token,
            "plan": plan.id, "plan_versions": plan.version_number, "drill": drill.id}


def shoot(base_url: str, targets: dict) -> list[Path]:
    from playwright.sync_api import expect, sync_playwright

    OUT.mkdir(parents=True, exist_ok=True)
    saved = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=LAUNCH_ARGS)
        try:
            desktop = browser.new_context(base_url=base_url, locale="zh-CN", **DESKTOP)
            page = desktop.new_page()
            page.goto("/login")
            page.get_by_label("用户名").fill("admin")
            page.get_by_label("密码").fill(auth_demo.DEMO_PASSWORD)
            page.get_by_role("button", name="登录").click()
            expect(page.get_by_test_id("main-nav")).to_be_visible()

            pages = (("/dashboard", "dashboard.png"), ("/registry/orgs?kind=enterprise", "org-list.png"))
            for path, name in pages:
                page.goto(path)
                page.wait_for_load_state("networkidle")
                page.wait_for_timeout(1500)  # Chart.js draws its charts with a short animation
                page.screenshot(path=str(OUT / name), full_page=True)
                saved.append(OUT / name)

            page.goto("/quiz/")
            page.get_by_role("link", name=quiz_demo.COMPETITION).click()
            join_url = page.get_by_test_id("join-url").inner_text()
            page.wait_for_load_state("networkidle")
            page.screenshot(path=str(OUT / "quiz-detail.png"), full_page=False)
            saved.append(OUT / "quiz-detail.png")
            saved.append(_answer_sheet(browser, base_url, join_url))

            page.goto(f"/training/sessions/{targets['session']}")
            page.wait_for_load_state("networkidle")
            page.screenshot(path=str(OUT / "training-session.png"), full_page=False)
            saved.append(OUT / "training-session.png")
            page.goto(f"/plans/{targets['plan']}/compare?a={targets['plan_versions'] - 1}&b={targets['plan_versions']}")
            page.screenshot(path=str(OUT / "plan-compare.png"), full_page=False)
            saved.append(OUT / "plan-compare.png")
            page.goto(f"/plans/{targets['plan']}/sections/s2")
            page.screenshot(path=str(OUT / "plan-editor.png"), full_page=False)
            saved.append(OUT / "plan-editor.png")
            page.goto(f"/drills/{targets['drill']}")
            page.wait_for_load_state("networkidle")
            page.screenshot(path=str(OUT / "drill-detail.png"), full_page=False)
            saved.append(OUT / "drill-detail.png")
            page.goto("/drills/figures")
            page.wait_for_load_state("networkidle")
            page.screenshot(path=str(OUT / "drill-figures.png"), full_page=False)
            saved.append(OUT / "drill-figures.png")
            page.goto("/outreach/coverage")
            page.wait_for_load_state("networkidle")
            page.screenshot(path=str(OUT / "outreach-coverage.png"), full_page=False)
            saved.append(OUT / "outreach-coverage.png")
            page.goto(f"/training/slots/{targets['slot']}/screen")
            expect(page.get_by_test_id("qr")).to_be_visible()
            page.screenshot(path=str(OUT / "training-screen.png"), full_page=False)
            saved.append(OUT / "training-screen.png")

            phone = browser.new_context(
                base_url=base_url, locale="zh-CN", storage_state=desktop.storage_state(), **PHONE
            )
            page = phone.new_page()
            page.goto("/dashboard")
            page.wait_for_load_state("networkidle")
            page.screenshot(path=str(OUT / "dashboard-phone.png"), full_page=False)
            saved.append(OUT / "dashboard-phone.png")
            page.goto("/registry/people")
            expect(page.get_by_test_id("people-table")).to_be_visible()
            page.wait_for_load_state("networkidle")
            page.screenshot(path=str(OUT / "people-phone.png"), full_page=True)
            saved.append(OUT / "people-phone.png")
            page.goto(f"/drills/{targets['drill']}/evaluate")
            page.wait_for_load_state("networkidle")
            page.screenshot(path=str(OUT / "drill-evaluate-phone.png"), full_page=False)
            saved.append(OUT / "drill-evaluate-phone.png")
            page.goto("/o/new?type=village")
            page.wait_for_load_state("networkidle")
            page.screenshot(path=str(OUT / "outreach-phone.png"), full_page=False)
            saved.append(OUT / "outreach-phone.png")
            page.goto(f"/verify/{targets['certificate']}")
            page.screenshot(path=str(OUT / "verify-phone.png"), full_page=False)
            saved.append(OUT / "verify-phone.png")
            phone.close()
            desktop.close()
        finally:
            browser.close()
    return saved


def _answer_sheet(browser, base_url: str, join_url: str) -> Path:
    """A participant on a phone: joins by the QR address and answers the first questions."""
    from playwright.sync_api import expect

    phone = browser.new_context(base_url=base_url, locale="zh-CN", **PHONE)
    page = phone.new_page()
    page.goto(join_url.replace(join_url.split("/q/")[0], ""))
    page.get_by_label("姓名").fill("陈晓燕")
    page.get_by_label("手机号").fill("13905712345")
    page.get_by_label("所在乡镇（街道）").select_option(label="青石镇")
    units = page.get_by_label("所在单位（村、社区、学校、企业）")
    expect(units.locator("option")).not_to_have_count(1)
    units.select_option(index=1)
    page.get_by_role("button", name="开始答题").click()
    questions = page.locator("fieldset.q")
    for i in range(2):
        questions.nth(i).locator("label.opt").first.click()
    expect(page.locator("#saved")).to_have_text("已保存")
    page.screenshot(path=str(OUT / "quiz-phone.png"), full_page=False)
    phone.close()
    return OUT / "quiz-phone.png"


def main() -> int:
    if not CHROMIUM.exists():
        print(f"找不到 {CHROMIUM}：请安装 Debian 的 chromium 软件包。", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory(prefix="screenshots-") as tmp:
        app = build_app(Path(tmp))
        with serve(app) as base_url:
            saved = shoot(base_url, app.config["SCREENSHOT_TARGETS"])
    for path in saved:
        print(f"已保存 {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
