"""A plan reviewer's path: create a plan from its outline, edit a section in the browser editor,
comment on it, compare the versions, record the expert review, publish, and render it to Word."""

import re

import pytest
from docx import Document
from playwright.sync_api import expect

from tests.browser.serving import DESKTOP
from tests.browser.test_registry_browser import log_in

pytestmark = pytest.mark.browser

TITLE = "浏览器测试：青石化工有限公司生产安全事故综合应急预案"


def test_create_edit_comment_compare_approve_render(new_context, screenshot):
    page = new_context(accept_downloads=True, **DESKTOP).new_page()
    page.on("dialog", lambda dialog: dialog.accept())
    log_in(page, "yuan")

    # create from the outline of an enterprise's comprehensive plan
    page.goto("/plans/")
    page.get_by_role("link", name="新建预案").click()
    page.get_by_label("预案名称").fill(TITLE)
    owner = page.get_by_label("编制单位")
    owner.select_option(owner.locator("optgroup[label='企业'] option").first.get_attribute("value"))
    page.get_by_label("预案类型").select_option("ent_comprehensive")
    page.get_by_label("突发事件类别").select_option("accident")
    page.get_by_label("事件子类").select_option("危险化学品事故")
    page.get_by_label("响应分级").fill("Ⅰ级、Ⅱ级、Ⅲ级")
    page.get_by_role("button", name="创建并开始编写").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(TITLE)
    plan_url = page.url
    for chapter in ("1 总则", "2 应急组织机构及职责", "3 应急响应", "4 后期处置", "5 应急保障"):
        expect(page.locator("body")).to_contain_text(chapter)

    # edit 1.1 in the rich-text editor: a paragraph and a bulleted list
    page.get_by_role("link", name="1.1 适用范围").click()
    editor = page.locator("[contenteditable=true]")
    editor.click()
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    page.keyboard.type("本预案适用于本公司液氨储罐区和装卸区发生的泄漏、火灾、爆炸事故。")
    page.keyboard.press("Enter")
    page.get_by_role("button", name="无序列表").click()
    page.keyboard.type("液氨储罐区")
    page.keyboard.press("Enter")
    page.keyboard.type("装卸站台")
    screenshot(page, "editor")
    page.get_by_role("button", name="保存", exact=True).click()
    expect(page.locator("body")).to_contain_text("液氨储罐区和装卸区")

    # comment on the section on the review page
    page.goto(plan_url + "/review")
    section = page.get_by_test_id("comment-form-s2")
    section.locator("textarea").fill("请补充周边企业和居民区的影响范围。")
    section.get_by_role("button", name="发表评论").click()
    expect(page.get_by_test_id("comments-s2")).to_contain_text("请补充周边企业和居民区的影响范围")

    # the versions: compare the outline with the edit
    page.goto(plan_url + "/versions")
    expect(page.get_by_test_id("versions")).to_contain_text("编辑 1.1 适用范围")
    page.get_by_role("button", name="对比所选版本").click()
    expect(page.get_by_test_id("diff-summary")).to_contain_text("修改 1 节")
    expect(page.get_by_test_id("diff").locator("ins").first).to_contain_text("液氨储罐区")
    screenshot(page, "compare")

    # expert review, then review → publish
    page.goto(plan_url + "/reviews/new")
    page.get_by_label("结论").select_option("通过")
    page.get_by_label("第 1 位专家姓名").fill("王立新")
    page.get_by_label("第 1 位专家职称").fill("高级工程师")
    page.get_by_label("第 1 位专家单位").fill("市安全生产协会")
    page.get_by_label("评审意见").fill("预案要素齐全，响应程序清晰，同意通过。")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_test_id("reviews")).to_contain_text("王立新")
    page.get_by_test_id("actions").get_by_role("button", name="提交评审").click()
    expect(page.get_by_test_id("status")).to_have_text("评审中")
    page.get_by_test_id("actions").get_by_role("button", name="发布").click()
    expect(page.get_by_test_id("status")).to_have_text("已发布")
    screenshot(page, "review")

    # the whole plan as Word: chapters as headings, the edited list, the contents field
    page.goto(plan_url + "/render")
    with page.expect_download() as download:
        page.get_by_role("button", name="生成预案文本").click()
    document = Document(str(download.value.path()))
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert any("总则" in h for h in headings) and any("应急保障" in h for h in headings)
    assert any("适用范围" in h for h in headings)
    text = "\n".join(p.text for p in document.paragraphs)
    assert "液氨储罐区和装卸区" in text and "装卸站台" in text
    assert TITLE in text
    assert re.search("TOC", document.element.xml)
