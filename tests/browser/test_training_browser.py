"""The training officer's path from scheduling to printed certificates, and trainees signing in on
a phone (WeChat's browser) by the QR code on the projector and by the typed code."""

import re
from datetime import timedelta

import pytest
from docx import Document
from playwright.sync_api import expect

from tests.browser.serving import DESKTOP, PHONE
from tests.browser.test_quiz_browser import WECHAT
from tests.browser.test_registry_browser import log_in
from tests.conftest import valid_id_number
from tests.quiz.conftest import single, true_false
from tests.training.conftest import slot_values, take_exam
from webapp.common.time import local_today
from webapp.extensions import db
from webapp.quiz import banks
from webapp.registry.models import Person
from webapp.training import services
from webapp.training.models import Certificate, Course, Enrollment, Post, TrainingSession

pytestmark = pytest.mark.browser

SESSION_TITLE = "浏览器测试：2026年第五期安全生产管理人员复训班"
TRAINEES = [("赵明远", "13905710001"), ("钱晓红", "13905710002")]


@pytest.fixture(scope="module")
def training_setup(live_site):
    """A refresher course whose exam draws from a known bank, and two people in the registry."""
    app, _ = live_site
    with app.app_context():
        bank = banks.get_or_create_bank("浏览器测试培训题库")
        drafts = [single(n) for n in range(201, 221)] + [true_false(n) for n in range(201, 211)]
        for i, d in enumerate(drafts, 1):
            d.where = f"第 {i} 行"
        banks.save_drafts(bank, drafts)
        course = services.save_course(None, {
            "name": "浏览器测试：安全生产管理人员复训", "post": Post.SAFETY_MANAGER.value,
            "course_type": "refresher", "high_risk": False, "required_hours": 12,
            "exam_rules": [{"kind": "single", "count": 10, "points": 6, "bank_ids": [bank.id]},
                           {"kind": "true_false", "count": 10, "points": 4, "bank_ids": [bank.id]}],
            "exam_minutes": 60, "pass_mark": 80})
        people = []
        for name, phone in TRAINEES:
            person = Person(name=name, id_number=valid_id_number(), phone=phone)
            db.session.add(person)
            people.append(person)
        db.session.commit()
        yield {"course": course.name, "ids": [p.id_number for p in people]}


def test_officer_schedules_trainees_sign_in_on_phones_and_certificates_are_printed(
        live_site, new_context, screenshot, training_setup):
    app, _ = live_site
    officer = new_context(accept_downloads=True, **DESKTOP).new_page()
    officer.on("dialog", lambda dialog: dialog.accept())
    log_in(officer, "peixun")

    # schedule a session of the course, today, with one long slot that is open now
    officer.goto("/training/")
    officer.get_by_role("link", name="新建班次").click()
    course_select = officer.get_by_label("课程")
    value = course_select.locator("option", has_text=training_setup["course"]).get_attribute("value")
    course_select.select_option(value)
    officer.get_by_label("班次名称").fill(SESSION_TITLE)
    today = local_today()
    officer.get_by_label("开班日期").fill(today.isoformat())
    officer.get_by_label("结业日期").fill((today + timedelta(days=2)).isoformat())
    officer.get_by_label("名额").fill("40")
    officer.get_by_label("培训地点").fill("县应急管理局培训中心二楼会议室")
    officer.get_by_role("button", name="保存").click()
    expect(officer.get_by_role("heading", level=1)).to_contain_text(SESSION_TITLE)

    officer.get_by_role("link", name="添加课程").click()
    officer.get_by_label("日期").fill(today.isoformat())
    officer.get_by_label("上课时间").fill("00:00")
    officer.get_by_label("下课时间").fill("23:59")
    officer.get_by_label("学时").fill("12")
    officer.get_by_label("课程内容").fill("安全生产法律法规与事故案例")
    officer.get_by_label("授课人").fill("周教授")
    officer.get_by_role("button", name="保存", exact=True).click()
    expect(officer.get_by_test_id("slots")).to_contain_text("周教授")
    expect(officer.get_by_test_id("hours")).to_contain_text("课表已排 12 学时")

    session_id = int(re.search(r"/training/sessions/(\d+)", officer.url).group(1))
    with app.app_context():
        slot_id = db.session.get(TrainingSession, session_id).slots[0].id

    # enroll both trainees from the registry search
    for name, _phone in TRAINEES:
        officer.goto(f"/training/sessions/{session_id}/enroll")
        officer.get_by_label("搜索人员").fill(name)
        officer.get_by_role("button", name="搜索").click()
        officer.get_by_test_id("people").get_by_role("button", name="报名").click()
        expect(officer.locator("body")).to_contain_text(name)
    officer.goto(f"/training/sessions/{session_id}")
    expect(officer.get_by_test_id("trainees")).to_contain_text(TRAINEES[0][0])
    expect(officer.get_by_test_id("trainees")).to_contain_text(TRAINEES[1][0])
    screenshot(officer, "session")

    # the projector shows the changing QR code and the typed code
    screen = new_context(**DESKTOP).new_page()
    screen.context.add_cookies(officer.context.cookies())
    screen.goto(f"/training/slots/{slot_id}/screen")
    expect(screen.get_by_test_id("qr")).to_be_visible()
    expect(screen.get_by_test_id("counts")).to_contain_text("已签到 0 / 应到 2")
    screenshot(screen, "screen")
    signed_url = screen.request.get(f"/training/slots/{slot_id}/code.json").json()["url"]
    typed = screen.get_by_test_id("code").inner_text().strip()

    # trainee 1 scans the QR in WeChat and signs in with name + last six of the ID number
    phone = new_context(user_agent=WECHAT, **PHONE).new_page()
    phone.goto(signed_url)
    phone.get_by_label("姓名").fill(TRAINEES[0][0])
    phone.locator("#ident").fill(training_setup["ids"][0][-6:])
    phone.get_by_role("button", name=re.compile("签到")).click()
    expect(phone.get_by_test_id("result")).to_contain_text("签到成功")
    screenshot(phone, "phone-signed-in")
    # scanning again is not an error
    phone.goto(signed_url)
    phone.get_by_label("姓名").fill(TRAINEES[0][0])
    phone.locator("#ident").fill(training_setup["ids"][0][-6:])
    phone.get_by_role("button", name=re.compile("签到")).click()
    expect(phone.get_by_test_id("result")).to_contain_text("无需重复签到")

    # trainee 2's camera fails: the typed code, with the phone number
    phone2 = new_context(user_agent=WECHAT, **PHONE).new_page()
    phone2.goto("/t/")
    phone2.locator("#code").fill(typed)
    phone2.get_by_label("姓名").fill(TRAINEES[1][0])
    phone2.locator("#ident").fill(TRAINEES[1][1])
    phone2.get_by_role("button", name=re.compile("签到")).click()
    if "过期" in phone2.locator("body").inner_text():  # the code changed while typing: read the new one
        phone2.locator("#code").fill(screen.request.get(f"/training/slots/{slot_id}/code.json").json()["code"])
        phone2.get_by_role("button", name=re.compile("签到")).click()
    expect(phone2.get_by_test_id("result")).to_contain_text("签到成功")

    # someone not enrolled is refused with a message
    stranger = new_context(user_agent=WECHAT, **PHONE).new_page()
    stranger.goto(signed_url)
    stranger.get_by_label("姓名").fill("孙不在")
    stranger.locator("#ident").fill("123456")
    stranger.get_by_role("button", name=re.compile("签到")).click()
    expect(stranger.get_by_test_id("error")).to_contain_text("未找到您在本班的报名信息")
    screenshot(stranger, "phone-refused")

    expect(screen.get_by_test_id("counts")).to_contain_text("已签到 2 / 应到 2", timeout=20_000)
    officer.goto(f"/training/slots/{slot_id}/roll")
    expect(officer.get_by_test_id("present")).to_contain_text(TRAINEES[0][0])
    expect(officer.get_by_test_id("present")).to_contain_text(TRAINEES[1][0])
    screenshot(officer, "roll")

    # the exam: the officer creates it; both trainees take it (the phone exam path has its own test)
    officer.goto(f"/training/sessions/{session_id}/exam")
    officer.get_by_role("button", name="创建考试").click()
    expect(officer.get_by_test_id("join-url")).to_contain_text("/q/")
    with app.app_context():
        session = db.session.get(TrainingSession, session_id)
        for enrollment in services.enrollments(session):
            take_exam(session, enrollment.person, right=18)
    officer.reload()
    expect(officer.get_by_test_id("results")).to_contain_text("92")
    screenshot(officer, "exam")

    # certificates: issue to both, print one merged Word file, check it
    officer.goto(f"/training/sessions/{session_id}/certificates")
    officer.get_by_role("button", name="发证").first.click()
    expect(officer.locator("body")).to_contain_text("已发 2 张")
    screenshot(officer, "certificates")
    officer.get_by_role("button", name=re.compile("打印 2 份有效证书")).click()
    expect(officer).to_have_url(re.compile(r"/jobs/[0-9a-f]{32}$"))
    expect(officer.get_by_role("link", name=re.compile("下载"))).to_be_visible(timeout=60_000)
    with officer.expect_download() as download:
        officer.get_by_role("link", name=re.compile("下载")).click()
    document = Document(str(download.value.path()))
    text = "\n".join([p.text for p in document.paragraphs]
                     + [c.text for t in document.tables for r in t.rows for c in r.cells])
    with app.app_context():
        issued = db.session.scalars(db.select(Certificate).join(Enrollment, Certificate.enrollment_id == Enrollment.id)
                                    .where(Enrollment.session_id == session_id)).all()
        numbers = [c.number for c in issued]
        tokens = {c.person.name: c.token for c in issued}
        certificate_ids = {c.person.name: c.id for c in issued}
    assert len(numbers) == 2 and all(n in text for n in numbers)
    assert training_setup["ids"][0] not in text  # the ID number is printed masked

    # anyone scanning the certificate's QR sees it is valid, with the name and ID masked
    checker = new_context(**PHONE).new_page()
    checker.goto(f"/verify/{tokens[TRAINEES[0][0]]}")
    expect(checker.locator("body")).to_contain_text("有效")
    expect(checker.locator("body")).to_contain_text("赵*远")
    expect(checker.locator("body")).not_to_contain_text(training_setup["ids"][0])
    screenshot(checker, "verify")

    # the officer revokes the second one; its QR then says so
    officer.goto(f"/training/certificates/{certificate_ids[TRAINEES[1][0]]}")
    officer.get_by_label(re.compile("注销原因")).fill("证书信息登记有误，收回重发")
    officer.get_by_role("button", name=re.compile("注销")).click()
    expect(officer.locator("body")).to_contain_text("已注销")
    checker.goto(f"/verify/{tokens[TRAINEES[1][0]]}")
    expect(checker.locator("body")).to_contain_text("已注销")
    checker.goto(f"/verify/{tokens[TRAINEES[1][0]][:-2]}xx")
    expect(checker.locator("body")).to_contain_text("证书不存在或核验码有误")


def test_a_sessions_schedule_reads_on_a_phone_with_its_buttons_behind_one_menu(live_site, new_context, training_setup):
    """The schedule's 内容 column keeps a readable width and the row buttons stay on the screen."""
    app, _ = live_site
    with app.app_context():
        course = db.session.scalar(db.select(Course).where(Course.name == training_setup["course"]))
        start = local_today() + timedelta(days=40)
        session = services.save_session(None, {
            "course_id": course.id, "title": "浏览器测试：手机查看课程表", "starts_on": start,
            "ends_on": start + timedelta(days=1), "venue": "县职教中心实训楼四楼多媒体教室", "capacity": 30,
            "trainers": "吴建军"})
        for day, begin, end in ((start, "08:30", "12:00"), (start, "14:00", "17:30")):
            services.save_slot(session, None, slot_values(day, begin, end, 4, topic="电气安全技术与安全用具",
                                                          trainer="刘海涛", venue="县职教中心实训楼四楼多媒体教室"))
        db.session.commit()
        session_id = session.id

    phone = new_context(**PHONE).new_page()
    log_in(phone, "peixun")
    phone.goto(f"/training/sessions/{session_id}")
    topic = phone.get_by_role("cell", name=re.compile("电气安全技术与安全用具")).first
    expect(topic).to_be_visible()
    assert topic.bounding_box()["width"] >= 100  # was 36 px: two characters a line
    assert phone.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth + 1")
    menu = phone.get_by_role("button", name="操作").first
    box = menu.bounding_box()
    assert box["x"] + box["width"] <= 390
    menu.click()
    expect(phone.get_by_role("link", name="考勤").first).to_be_visible()
