"""A drill officer in the field, on a phone: record a drill with its timeline and a photo taken on
the spot, evaluate it on the score sheet, register a problem that needs the plan revised, and
close the problem with a photo of the fix. Then at a desk: the plan is 需修订, the compliance page
counts the drill, and the drill record comes out as Word with the photo in it."""

import re
from datetime import timedelta

import pytest
from docx import Document
from PIL import Image, ImageDraw
from playwright.sync_api import expect
from sqlalchemy import select

from tests.browser.serving import DESKTOP, PHONE
from tests.browser.test_registry_browser import log_in
from webapp.common.time import local_today
from webapp.drills.models import Drill, DrillProblem
from webapp.extensions import db
from webapp.plans import services as plan_services
from webapp.plans.models import ExpertReview, PlanStatus
from webapp.registry.models import Organization, OrgKind

pytestmark = pytest.mark.browser

TITLE = "浏览器测试：液氨储罐泄漏现场处置演练"
PLAN_TITLE = "浏览器测试：液氨泄漏现场处置方案"


def _photo(path, text_colour=(250, 250, 250)) -> str:
    """A real JPEG as a phone camera makes it: 3000×2000 pixels."""
    image = Image.new("RGB", (3000, 2000), (30, 90, 160))
    ImageDraw.Draw(image).rectangle((400, 400, 2600, 1600), fill=(220, 120, 40), outline=text_colour, width=40)
    image.save(path, format="JPEG", quality=85)
    return str(path)


@pytest.fixture(scope="module")
def drill_setup(live_site):
    """A hazardous-chemicals enterprise with an on-site disposal plan in force (filed)."""
    app, _ = live_site
    with app.app_context():
        enterprise = db.session.scalar(select(Organization).where(Organization.kind == OrgKind.ENTERPRISE.value,
                                                                  Organization.industry == "危险化学品")
                                       .order_by(Organization.id))
        plan = plan_services.create_plan({"title": PLAN_TITLE, "organization_id": enterprise.id, "kind": "ent_onsite",
                                          "hazard": "accident", "hazard_subtype": "危险化学品事故"})
        db.session.add(ExpertReview(plan_id=plan.id, held_on=local_today() - timedelta(days=400), experts=[
            {"name": "王专家", "title": "高级工程师", "unit": "市安全生产协会"}], opinions="可行。", conclusion="通过",
            version_number=plan.version_number))
        plan_services.change_status(plan, PlanStatus.IN_REVIEW.value)
        plan_services.change_status(plan, PlanStatus.PUBLISHED.value, issued_on=local_today() - timedelta(days=300))
        db.session.commit()
        yield {"enterprise": enterprise.name, "enterprise_id": enterprise.id, "plan_id": plan.id}


def test_record_on_a_phone_with_a_photo_evaluate_and_close_a_problem(live_site, new_context, screenshot,
                                                                     drill_setup, tmp_path):
    app, _ = live_site
    phone = new_context(**PHONE).new_page()
    phone.on("dialog", lambda dialog: dialog.accept())
    log_in(phone, "yanlian")

    # the compliance page lists the plan as overdue (issued 300 days ago, every 6 months)
    phone.goto(f"/drills/compliance?org={drill_setup['enterprise_id']}")
    expect(phone.locator("body")).to_contain_text(PLAN_TITLE)
    expect(phone.locator("body")).to_contain_text("逾期")

    # record the drill just held, with a photo from the camera
    phone.goto("/drills/")
    phone.get_by_role("link", name="记录演练").first.click()
    phone.get_by_label("演练名称").fill(TITLE)
    phone.get_by_role("searchbox", name="筛选组织单位").fill(drill_setup["enterprise"][:4])
    phone.get_by_label("组织单位", exact=True).select_option(str(drill_setup["enterprise_id"]))
    plan_option = phone.locator("#plan_ids option", has_text=PLAN_TITLE)
    phone.locator("#plan_ids").select_option(plan_option.get_attribute("value"))
    phone.get_by_label("事件类别").select_option("accident")
    phone.get_by_label("事件子类").select_option("危险化学品事故")
    phone.get_by_label("组织形式").select_option("field")
    phone.get_by_label("演练内容").select_option("single")
    phone.get_by_label("演练目的类型").select_option("inspection")
    phone.get_by_label("演练状态").select_option("conducted")
    phone.get_by_label("实施日期").fill(local_today().isoformat())
    phone.get_by_label("演练地点").fill("液氨储罐区")
    phone.get_by_label("演练情景").fill("2号液氨储罐出口阀门法兰泄漏，一名操作工轻微吸入。")
    phone.get_by_label("总指挥").fill("张建国")
    phone.get_by_label("记录人").fill("陈静")
    phone.get_by_label("参演人数").fill("32")
    phone.get_by_label("第 1 行时间").fill("09:00")
    phone.get_by_label("第 1 行事件").fill("巡检人员发现液氨泄漏")
    phone.get_by_label("第 1 行处置行动").fill("报告中控室，启动现场处置方案")
    phone.get_by_label("第 2 行时间").fill("09:12")
    phone.get_by_label("第 2 行事件").fill("抢险组关闭阀门")
    phone.locator("#photos-camera").set_input_files(_photo(tmp_path / "IMG_0001.jpg"))
    screenshot(phone, "form")
    phone.get_by_role("button", name=re.compile("保存")).first.click()

    expect(phone.get_by_role("heading", level=1)).to_contain_text(TITLE)
    expect(phone.locator("body")).to_contain_text("巡检人员发现液氨泄漏")
    thumbnail = phone.locator("img[src*='/photos/']").first
    thumbnail.scroll_into_view_if_needed()  # thumbnails load lazily
    assert thumbnail.evaluate("img => img.decode().then(() => img.naturalWidth)") == app.config["PHOTO_THUMB_SIDE"]
    assert phone.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth + 1")
    drill_url = phone.url
    with app.app_context():
        drill = db.session.scalar(select(Drill).where(Drill.title == TITLE))
        assert drill.held_on == local_today() and drill.participants == 32 and len(drill.photos) == 1
        assert max(drill.photos[0].width, drill.photos[0].height) == app.config["PHOTO_MAX_SIDE"]
        drill_id = drill.id
    screenshot(phone, "detail")

    # evaluate: one point off every item but one, a score over the maximum first
    phone.get_by_role("link", name="评估打分").first.click()
    inputs = phone.locator("[data-score]")
    count = inputs.count()
    assert count >= 8
    for index in range(count):
        box = inputs.nth(index)
        box.fill(str(int(box.get_attribute("data-max")) - (1 if index else 0)))
    inputs.first.fill("99")
    phone.get_by_label("评估人员（每行一人：姓名（单位））").fill("刘洋（县应急管理局）\n周敏（化工专家）")
    phone.get_by_label("评估结论").fill("演练达到预期目的，现场处置方案可行。")
    phone.get_by_role("button", name="保存评估").click()
    expect(phone.get_by_test_id("item-error")).to_contain_text("超过该项满分")
    assert phone.get_by_label("评估结论").input_value() == "演练达到预期目的，现场处置方案可行。"  # nothing lost
    first_max = phone.locator("[data-score]").first.get_attribute("data-max")
    phone.locator("[data-score]").first.fill(first_max)
    phone.get_by_role("button", name="保存评估").click()
    result = phone.get_by_test_id("evaluation-result")
    expect(result).to_contain_text(f"{100 - (count - 1)}")
    expect(result).to_contain_text("优秀" if 100 - (count - 1) >= 90 else "良好")
    screenshot(phone, "evaluation")

    # a problem that needs the plan revised
    phone.goto(drill_url)
    phone.get_by_role("link", name="登记问题").click()
    phone.get_by_label("发现的问题").fill("警戒组到位用时 8 分钟，超过方案规定的 5 分钟")
    phone.get_by_label("责任单位").fill("安全环保部")
    phone.get_by_label("整改期限").fill((local_today() + timedelta(days=20)).isoformat())
    phone.get_by_label("整改措施").fill("调整警戒组集结点，每月开展一次警戒疏散训练")
    phone.get_by_label("需要修订预案").select_option(str(drill_setup["plan_id"]))
    phone.get_by_role("button", name="保存").click()
    expect(phone.get_by_test_id("problem-status")).to_have_text("待整改")
    with app.app_context():
        problem = db.session.scalar(select(DrillProblem).where(DrillProblem.drill_id == drill_id))
        assert problem.plan.status == PlanStatus.NEEDS_REVISION.value

    # rectify and close: first without evidence (refused), then with a photo of the fix
    phone.get_by_role("button", name="开始整改").click()
    expect(phone.get_by_test_id("problem-status")).to_have_text("整改中")
    phone.get_by_role("link", name=re.compile("销号")).first.click()
    phone.get_by_label("整改情况").fill("已将警戒组集结点移至罐区东门，11月组织训练一次，到位用时 4 分钟")
    phone.get_by_label("整改完成日期").fill(local_today().isoformat())
    phone.get_by_role("button", name="确认销号").click()
    expect(phone.locator("body")).to_contain_text("销号须附整改佐证材料")
    assert "罐区东门" in phone.get_by_label("整改情况").input_value()
    phone.locator("#camera").set_input_files(_photo(tmp_path / "IMG_0002.jpg", (0, 0, 0)))
    phone.get_by_role("button", name="确认销号").click()
    expect(phone.get_by_test_id("problem-status")).to_have_text("已整改")
    evidence = phone.locator("img[src*='/evidence/']").first
    evidence.scroll_into_view_if_needed()
    assert evidence.evaluate("img => img.decode().then(() => img.naturalWidth)") > 0
    screenshot(phone, "problem")

    # at a desk: the plan is 需修订 with the drill's problem, the drill counts, the record prints
    desk = new_context(accept_downloads=True, **DESKTOP).new_page()
    log_in(desk, "yanlian")
    desk.goto(f"/plans/{drill_setup['plan_id']}")
    expect(desk.locator("body")).to_contain_text("需修订")
    desk.goto(f"/drills/compliance?org={drill_setup['enterprise_id']}")
    expect(desk.locator("body")).to_contain_text(local_today().isoformat())
    desk.goto(drill_url)
    with desk.expect_download() as download:
        desk.get_by_test_id("record-doc-form").get_by_role("button", name="生成演练记录表").click()
    document = Document(str(download.value.path()))
    text = "\n".join(cell.text for table in document.tables for row in table.rows for cell in row.cells)
    assert TITLE in text and "巡检人员发现液氨泄漏" in text and "警戒组到位用时" in text
    assert len(document.inline_shapes) >= 1
