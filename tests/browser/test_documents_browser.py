"""A training officer prints a session's certificates: opens the template, sees page 1 of its
sample, fills the data sheet, starts the batch, watches it finish and downloads one print file."""

import re
import time

from docx import Document
from openpyxl import load_workbook
from playwright.sync_api import expect

from tests.browser.serving import DESKTOP
from tests.browser.test_registry_browser import log_in
from webapp.documents import pdf


def test_officer_batch_prints_certificates(new_context, screenshot, tmp_path):
    context = new_context(accept_downloads=True, **DESKTOP)
    page = context.new_page()
    log_in(page, "peixun")
    page.get_by_test_id("main-nav").get_by_role("link", name="公文模板").click()
    expect(page.get_by_test_id("template-table")).to_contain_text("培训合格证明")
    page.get_by_test_id("template-table").get_by_role("link", name="培训合格证明").click()
    expect(page.get_by_test_id("check-ok")).to_be_visible()
    if pdf.preview_available():
        preview = page.get_by_test_id("preview")
        deadline = time.monotonic() + 60
        while preview.evaluate("e => e.naturalWidth") == 0 and time.monotonic() < deadline:
            time.sleep(0.25)
        assert preview.evaluate("e => e.naturalWidth") == 1000
    screenshot(page, "template")

    page.get_by_role("link", name="批量打印").click()
    with page.expect_download() as download:
        page.get_by_role("link", name=re.compile("批量数据模板")).click()
    sheet = tmp_path / "data.xlsx"
    download.value.save_as(sheet)
    workbook = load_workbook(sheet)
    headers = [c.value for c in workbook.active[1]]
    example = [c.value for c in workbook.active[2]]
    workbook.active.delete_rows(2, workbook.active.max_row)
    for i, name in enumerate(["周一", "吴二", "郑三"]):
        row = list(example)
        row[headers.index("姓名*")] = name
        row[headers.index("证明编号*")] = f"YXAQ-2026-9{i:05d}"
        row[headers.index("核验网址")] = f"https://yjj.example.gov.cn/verify/t{i}"
        workbook.active.append(row)
    workbook.save(sheet)

    page.get_by_label("名称").fill("第五期培训合格证明")
    page.locator("input[type=file]").set_input_files(sheet)
    page.get_by_role("button", name="检查并开始生成").click()
    expect(page).to_have_url(re.compile(r"/jobs/[0-9a-f]{32}$"))
    expect(page.get_by_role("link", name=re.compile("下载"))).to_be_visible(timeout=60_000)
    expect(page.locator("body")).to_contain_text("已生成 3 份")
    screenshot(page, "job-done")
    with page.expect_download() as download:
        page.get_by_role("link", name=re.compile("下载")).click()
    assert download.value.suggested_filename == "第五期培训合格证明.docx"
    document = Document(str(download.value.path()))
    text = "\n".join(cell.text for table in document.tables for row in table.rows for cell in row.cells)
    for name in ("周一", "吴二", "郑三"):
        assert name in text
    assert len(document.inline_shapes) >= 3  # one QR code each (the seal is shared)
