"""The dashboard in a real browser: a leader sees what is due and the figures at once, the charts
arrive in a second request and are drawn by the vendored Chart.js (no console errors, nothing wider
than a phone), and the annual summary downloads as Word."""

import io

import pytest
from docx import Document
from playwright.sync_api import expect

from tests.browser.serving import DESKTOP, PHONE
from tests.browser.test_registry_browser import log_in
from webapp.common.time import local_today

pytestmark = pytest.mark.browser

CHARTS = ["month-activities", "month-people", "town", "industry"]


def drawn_charts(page) -> list[str]:
    """The charts Chart.js has drawn, by their data-chart key."""
    return page.eval_on_selector_all(
        "canvas[data-chart]", "els => els.filter(e => window.Chart.getChart(e)).map(e => e.dataset.chart)")


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_a_leader_sees_due_items_figures_and_charts(new_context, screenshot, viewport):
    context = new_context(**viewport)
    page = context.new_page()
    problems = []
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    log_in(page, "lingdao")
    expect(page).to_have_url("/dashboard")  # the first page after login
    expect(page.get_by_text("待办与提醒")).to_be_visible()
    expect(page.locator("[data-due]").first).to_be_visible()
    expect(page.locator('[data-figure="drills.drills"]')).to_be_visible()

    # The browser tests' county has its registry and nobody's work yet: the month and town charts
    # are drawn (of zeros), the industry chart says there is nothing to draw.
    expect(page.locator('canvas[data-chart="town"]')).to_be_attached()
    page.wait_for_function("[...document.querySelectorAll('canvas[data-chart]')].every(c => window.Chart.getChart(c))")
    assert drawn_charts(page) == CHARTS[:3]
    expect(page.locator("#chart-industry + p")).to_have_text("这一期间没有数据")
    # each chart's numbers are a table too
    page.get_by_text("查看数据表").first.click()
    expect(page.locator('[data-chart-table="month-activities"]')).to_be_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= viewport["viewport"]["width"], f"the page is {width} px wide"
    screenshot(page, "dashboard")
    assert problems == []


def test_the_annual_summary_downloads_as_word(new_context):
    page = new_context(**DESKTOP).new_page()
    log_in(page, "lingdao")
    page.goto(f"/dashboard?year={local_today().year - 1}")
    with page.expect_download() as download:
        page.get_by_test_id("summary-download").click()
    name = download.value.suggested_filename
    assert name == f"{local_today().year - 1}年应急管理工作数据汇总.docx"
    document = Document(io.BytesIO(download.value.path().read_bytes()))
    text = "\n".join(p.text for p in document.paragraphs)
    assert f"{local_today().year - 1}年应急管理工作数据汇总" in text and "一、应急预案" in text
