"""What a user sees in a real browser: the navigation each role gets, importing people from Excel,
and adding an enterprise on a phone. Runs against the demo county on a live server with CSRF on."""

import io
import re

import pytest
from openpyxl import Workbook, load_workbook
from playwright.sync_api import expect

from tests.browser.serving import DESKTOP, PHONE
from webapp.auth.demo import DEMO_PASSWORD, DEMO_USERS
from webapp.auth.permissions import Role
from webapp.common.identifiers import credit_code_check_char, id_check_char, mask_id_number

pytestmark = pytest.mark.browser

PERSON_HEADERS = ["姓名", "身份证号", "手机号码", "所属单位", "岗位"]


def log_in(page, username: str, password: str = DEMO_PASSWORD) -> None:
    page.goto("/login")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()


def id_number(birth: str, seq: int) -> str:
    body = f"110101{birth}{seq:03d}"
    return body + id_check_char(body)


def wrong_last_char(code: str, alphabet: str) -> str:
    return code[:-1] + next(c for c in alphabet if c != code[-1])


# ---------------------------------------------------------------- a. navigation per role


@pytest.mark.parametrize(("username", "display_name", "role"), DEMO_USERS, ids=[u[0] for u in DEMO_USERS])
def test_each_role_sees_only_its_navigation(new_context, screenshot, username, display_name, role):
    page = new_context(**DESKTOP).new_page()
    log_in(page, username)

    expect(page).to_have_url(re.compile(r"/dashboard$"))
    expect(page.get_by_role("navigation").first).to_contain_text(display_name)
    nav = page.get_by_test_id("main-nav")
    expected = ["工作台", "组织机构", "人员", "应急预案", "应急演练", "安全宣传", "三项岗位培训", "知识竞赛"] + ([] if role is Role.LEADER else ["公文模板"]) \
        + (["用户管理"] if role is Role.ADMIN else [])
    expect(nav.get_by_role("link")).to_have_text(expected)
    if role is not Role.ADMIN:
        expect(nav.get_by_role("link", name="用户管理")).to_have_count(0)
    screenshot(page, "dashboard")


def test_wrong_password_is_refused(new_context, screenshot):
    page = new_context(**DESKTOP).new_page()
    log_in(page, "xuanchuan", DEMO_PASSWORD + "x")

    expect(page).to_have_url(re.compile(r"/login$"))
    expect(page.get_by_test_id("login-error")).to_contain_text("用户名或密码错误")
    expect(page.get_by_test_id("main-nav")).to_have_count(0)
    screenshot(page, "login-error")


# ---------------------------------------------------------------- b. people import (training officer)


def people_sheet(path, rows) -> None:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(PERSON_HEADERS)
    for row in rows:
        sheet.append(list(row))
    workbook.save(path)


def search_people(page, text: str) -> None:
    page.goto("/registry/people")
    page.get_by_placeholder("姓名、岗位、身份证号或其末几位").fill(text)
    page.get_by_role("button", name="查询").click()
    expect(page.get_by_test_id("people-table")).to_be_visible()


def test_training_officer_imports_people_from_excel(new_context, screenshot, tmp_path):
    page = new_context(**DESKTOP).new_page()
    log_in(page, "peixun")
    expect(page).to_have_url(re.compile(r"/dashboard$"))

    page.get_by_test_id("main-nav").get_by_role("link", name="人员").click()
    expect(page.get_by_role("heading", name="人员")).to_be_visible()
    page.get_by_role("link", name="Excel 导入").click()
    expect(page).to_have_url(re.compile(r"/registry/people/import$"))
    expect(page.get_by_role("heading", name="导入人员")).to_be_visible()

    with page.expect_download() as download_info:
        page.get_by_test_id("template-link").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".xlsx")
    template = tmp_path / "template.xlsx"
    download.save_as(template)
    workbook = load_workbook(io.BytesIO(template.read_bytes()))
    headers = [cell.value for cell in workbook.worksheets[0][1] if cell.value is not None]
    workbook.close()
    assert headers == PERSON_HEADERS

    names = ["浏览器导入甲", "浏览器导入乙", "浏览器导入丙"]
    numbers = [id_number("19850412", 101), id_number("19920730", 102), id_number("20000101", 103)]
    bad = wrong_last_char(numbers[1], "0123456789X")
    rows = [
        (names[0], numbers[0], "13900001111", "城关镇", "安全管理员"),
        (names[1], bad, "13900002222", "城关镇", "网格员"),
        (names[2], numbers[2], "13900003333", "城关镇", "应急信息员"),
    ]
    people_sheet(tmp_path / "bad.xlsx", rows)

    page.locator("input[type=file]").set_input_files(tmp_path / "bad.xlsx")
    page.get_by_role("button", name="检查并导入").click()
    errors = page.get_by_test_id("import-errors")
    expect(errors).to_be_visible()
    expect(page.get_by_test_id("import-summary")).to_contain_text("没有写入任何数据")
    error_rows = errors.locator("tbody tr")
    expect(error_rows).to_have_count(1)
    cells = error_rows.first.locator("td")
    expect(cells.nth(0)).to_have_text("3")  # Excel row 3: the header is row 1
    expect(cells.nth(1)).to_have_text("身份证号")
    expect(cells.nth(2)).to_have_text(bad)
    expect(cells.nth(3)).to_contain_text("校验位")
    screenshot(page, "import-errors")

    search_people(page, "浏览器导入")
    table = page.get_by_test_id("people-table")
    expect(table).to_contain_text("没有符合条件的人员")
    for name in names:
        expect(table).not_to_contain_text(name)

    # Fix the row and upload again: all three are written.
    rows[1] = (names[1], numbers[1], *rows[1][2:])
    people_sheet(tmp_path / "good.xlsx", rows)
    page.goto("/registry/people/import")
    page.locator("input[type=file]").set_input_files(tmp_path / "good.xlsx")
    page.get_by_role("button", name="检查并导入").click()
    expect(page).to_have_url(re.compile(r"/registry/people$"))
    expect(page.locator(".alert-success")).to_contain_text("导入成功：共写入 3 条记录")
    screenshot(page, "import-done")

    for name, number in zip(names, numbers, strict=True):
        search_people(page, name)
        row = page.get_by_test_id("people-table").locator("tbody tr", has_text=name)
        expect(row).to_have_count(1)
        expect(row.locator("td").nth(2)).to_have_text(mask_id_number(number))
        expect(row).to_contain_text("城关镇")
        assert re.fullmatch(r"1101\*{10}\d{3}[\dX]", mask_id_number(number))
        assert number not in page.content()
    screenshot(page, "people-found")


# ---------------------------------------------------------------- c. adding an enterprise on a phone


def test_admin_adds_enterprise_on_phone(new_context, screenshot):
    context = new_context(**PHONE)
    page = context.new_page()
    log_in(page, "admin")
    expect(page).to_have_url(re.compile(r"/dashboard$"))

    nav = page.get_by_test_id("main-nav")
    expect(nav).to_be_hidden()  # collapsed behind the hamburger on a narrow screen
    page.locator(".navbar-toggler").tap()
    expect(nav).to_be_visible()
    expect(page.locator("#mainnav")).to_have_class(re.compile(r"(^|\s)show(\s|$)"))  # transition over
    screenshot(page, "menu-open")
    nav.get_by_role("link", name="组织机构").tap()
    expect(page.get_by_role("heading", name="组织机构")).to_be_visible()
    expect(page.get_by_test_id("town-table")).to_contain_text("城关镇")
    screenshot(page, "towns")

    name = "浏览器测试化工有限公司"
    body = "91330100MA27XK1X1"
    good = body + credit_code_check_char(body)
    bad = wrong_last_char(good, "0123456789ABCDEFGHJKLMNPQRTUWXY")

    page.goto("/registry/orgs/new")
    enterprise_row = page.locator('[data-kind-only="enterprise"]')
    kind = page.get_by_label("类型", exact=True)
    expect(kind).to_have_value("enterprise")
    expect(kind.locator("option:checked")).to_have_text("企业")
    expect(enterprise_row).to_be_visible()
    kind.select_option(label="学校")
    expect(enterprise_row).to_be_hidden()
    expect(page.get_by_label("学段")).to_be_visible()
    kind.select_option(label="企业")
    expect(enterprise_row).to_be_visible()

    page.get_by_label("单位名称").fill(name)
    page.get_by_label("上级单位").select_option(label="城关镇")
    page.get_by_label("行业").select_option(label="危险化学品")
    page.get_by_label("统一社会信用代码").fill(bad)
    page.get_by_role("button", name="保存").click()

    expect(page.locator(".invalid-feedback")).to_contain_text("校验位不正确")
    expect(page.get_by_label("单位名称")).to_have_value(name)
    expect(page.get_by_label("行业")).to_have_value("危险化学品")
    expect(enterprise_row).to_be_visible()
    screenshot(page, "credit-code-error")

    # Nothing was saved: the list (in a second tab) has no such unit.
    other = context.new_page()
    other.goto("/registry/orgs")
    other.get_by_placeholder("名称或统一社会信用代码").fill(name)
    other.get_by_role("button", name="查询").click()
    expect(other.get_by_test_id("org-table")).to_contain_text("没有符合条件的单位")
    expect(other.get_by_test_id("org-table")).not_to_contain_text(name)
    other.close()

    page.get_by_label("统一社会信用代码").fill(good)
    page.get_by_role("button", name="保存").click()
    expect(page).to_have_url(re.compile(r"/registry/orgs/\d+$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text(name)
    expect(page.locator(".alert-success")).to_contain_text(name)
    expect(page.get_by_text(good)).to_be_visible()
    expect(page.locator("dl")).to_contain_text("危险化学品")
    screenshot(page, "enterprise-saved")
