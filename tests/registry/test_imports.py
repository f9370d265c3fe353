import io
import zipfile

from openpyxl import load_workbook

from tests.conftest import page_text, table_text, valid_credit_code, valid_id_number, xlsx_file
from webapp.auth.permissions import Role
from webapp.extensions import db
from webapp.registry.models import Organization, Person

PEOPLE_HEADERS = ["姓名", "身份证号", "手机号码", "所属单位", "岗位"]
ORG_HEADERS = ["单位名称", "类型", "上级单位", "行业", "统一社会信用代码", "规模", "地址", "联系人", "联系电话", "人数"]
# 学段 is left out on purpose: optional columns may be missing.


def xlsx(headers, rows) -> io.BytesIO:
    return xlsx_file(headers, rows)


def upload(client, kind, data, filename="名单.xlsx"):
    return client.post(f"/registry/{kind}/import", data={"file": (data, filename)}, content_type="multipart/form-data")


def _people() -> int:
    return db.session.scalar(db.select(db.func.count(Person.id)))


def test_template_has_chinese_headers_and_text_id_column(client, login):
    login(Role.TRAINING)
    response = client.get("/registry/people/import/template")
    workbook = load_workbook(io.BytesIO(response.data))
    sheet = workbook["数据"]
    assert [c.value for c in sheet[1]] == PEOPLE_HEADERS
    assert sheet["B2"].number_format == "@"  # ID numbers stay text, not 3.30102E+17
    assert sheet["A2"].value == "张伟"  # the example sits right under the headers, not 2,000 rows down
    assert "填写说明" in workbook.sheetnames


def test_the_filled_in_template_examples_import_as_they_are(client, login, factory):
    county = factory.county()
    factory.org("城关镇", "town", county)
    login(Role.ADMIN)
    orgs = client.get("/registry/orgs/import/template").data
    assert upload(client, "orgs", io.BytesIO(orgs)).status_code == 302
    people = client.get("/registry/people/import/template").data
    response = upload(client, "people", io.BytesIO(people))
    assert response.status_code == 302
    assert db.session.scalar(db.select(Person.name)) == "张伟"


def test_one_bad_row_refuses_the_whole_sheet_with_a_table_of_errors(client, login, factory):
    tree = factory.tree()
    login(Role.TRAINING)
    good = valid_id_number(seq=1)
    rows = [
        ["甲", good, "13800000001", "东镇化工有限公司", "电工"],
        ["乙", "110101199003074515", "13800000002", "东镇", "焊工"],
        ["丙", valid_id_number(seq=3), "555", "新村", ""],
        ["丁", good, "", "东镇/新村", ""],
    ]
    response = upload(client, "people", xlsx(PEOPLE_HEADERS, rows))
    assert response.status_code == 200
    table = table_text(response, "import-errors")
    assert "3 身份证号 110101199003074515 身份证号校验位不正确" in table
    assert "4 手机号码 555 电话号码格式不正确" in table
    assert "4 所属单位 新村 “新村”有 2 个同名单位（东镇/新村、西镇/新村）" in table
    assert "5 身份证号 " + good + " 与第 2 行的身份证号重复" in table
    assert "本次没有写入任何数据" in page_text(response)
    assert _people() == 0

    rows[1][1] = valid_id_number(seq=2)
    rows[2][2], rows[2][3] = "13800000003", "西镇/新村"
    rows[3][1] = valid_id_number(seq=4)
    fixed = upload(client, "people", xlsx(PEOPLE_HEADERS, rows))
    assert fixed.status_code == 302
    assert "导入成功：共写入 4 条记录" in page_text(client.get("/registry/people"))
    bing = db.session.scalar(db.select(Person).where(Person.name == "丙"))
    assert bing.organization_id == tree["v2"].id and bing.phone == "13800000003"


def test_people_already_registered_are_refused(client, login, factory):
    existing = factory.person("张三")
    login(Role.ADMIN)
    response = upload(client, "people", xlsx(PEOPLE_HEADERS, [["张叁", existing.id_number, "", "", ""]]))
    assert "该身份证号已登记：张三" in table_text(response, "import-errors")
    assert _people() == 1


def test_whole_file_problems_get_one_clear_message(client, login, app):
    login(Role.ADMIN)
    cases = [
        (xlsx(["姓名", "证件号"], [["甲", "1"]]), "表头与模板不一致（缺少列：身份证号、所属单位；无法识别的列：证件号）"),
        (xlsx(PEOPLE_HEADERS, []), "表格中没有数据行"),
        (xlsx([], []), "表格是空的"),
        (io.BytesIO("姓名,身份证号\n".encode()), "上传的不是 Excel 文件"),
        (io.BytesIO(b"\xd0\xcf\x11\xe0" + b"\0" * 100), "这是旧版 .xls 文件"),
        (io.BytesIO(b"PK\x03\x04broken"), "文件已损坏"),
        (io.BytesIO(b""), "上传的文件是空的"),
    ]
    for data, message in cases:
        response = upload(client, "people", data)
        assert response.status_code == 200
        assert message in page_text(response), message
    assert _people() == 0


def test_a_missing_file_is_named(client, login):
    login(Role.ADMIN)
    response = client.post("/registry/people/import", data={}, content_type="multipart/form-data")
    assert "请选择要导入的 Excel 文件" in page_text(response)


def test_zip_bomb_and_oversize_files_are_refused_unopened(make_app, factory):
    app = make_app(IMPORT_MAX_BYTES=200_000, IMPORT_MAX_UNPACKED_BYTES=5_000_000)
    with app.app_context():
        client = app.test_client()
        user = factory.user(Role.ADMIN, username="bomb")
        client.post("/login", data={"username": user.username, "password": "Secret123"})
        bomb = io.BytesIO()
        with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("xl/workbook.xml", "<workbook/>")
            archive.writestr("xl/worksheets/sheet1.xml", b"\0" * 50_000_000)
        bomb.seek(0)
        assert len(bomb.getvalue()) < 200_000
        assert "解压后过大" in page_text(upload(client, "people", bomb))
        big = io.BytesIO(b"PK\x03\x04" + b"x" * 300_000)
        assert "文件超过 195 KB 的上限" in page_text(upload(client, "people", big))


def test_request_over_the_upload_limit_is_a_chinese_413(make_app, factory):
    app = make_app(MAX_CONTENT_LENGTH=10_000)
    with app.app_context():
        client = app.test_client()
        user = factory.user(Role.ADMIN, username="big")
        client.post("/login", data={"username": user.username, "password": "Secret123"})
        response = upload(client, "people", io.BytesIO(b"x" * 20_000))
        assert response.status_code == 413 and "文件过大" in page_text(response)


def test_leader_cannot_import(client, login):
    login(Role.LEADER)
    assert client.get("/registry/people/import").status_code == 403
    assert client.get("/registry/orgs/import").status_code == 403


def test_organizations_import_builds_a_tree_from_one_sheet(client, login, factory):
    tree = factory.tree()
    login(Role.ADMIN)
    code = valid_credit_code(901)
    rows = [
        ["南镇", "乡镇", "测试县", "", "", "", "", "", "", "30000"],
        ["南山村", "村", "南镇", "", "", "", "", "", "", ""],
        ["南山矿业有限公司", "企业", "南镇/南山村", "非煤矿山", code, "小型", "", "", "0571-88880000", "35"],
        ["南镇中心小学", "学校", "南镇", "", "", "", "", "", "", ""],
        ["东镇新厂", "企业", "东镇", "工贸", "", "", "", "", "", ""],
    ]
    response = upload(client, "orgs", xlsx(ORG_HEADERS, rows))
    assert response.status_code == 302, table_text(response, "import-errors")
    south = db.session.scalar(db.select(Organization).where(Organization.name == "南镇"))
    mine = db.session.scalar(db.select(Organization).where(Organization.name == "南山矿业有限公司"))
    assert south.town_id == south.id and mine.town_id == south.id and mine.high_risk
    assert mine.parent.name == "南山村" and mine.credit_code == code
    plant = db.session.scalar(db.select(Organization).where(Organization.name == "东镇新厂"))
    assert plant.town_id == tree["east"].id


def test_organization_rows_are_checked_before_anything_is_written(client, login, factory):
    factory.tree()
    login(Role.ADMIN)
    before = db.session.scalar(db.select(db.func.count(Organization.id)))
    rows = [
        ["北镇", "乡镇", "测试县", "", "", "", "", "", "", ""],
        ["北山厂", "企业", "北镇", "造船", "91350100M000100Y44", "", "", "", "", "-3"],
        ["某村", "村", "东镇化工有限公司", "", "", "", "", "", "", ""],
        ["新村", "村", "东镇", "", "", "", "", "", "", ""],
        ["无名", "工厂", "东镇", "", "", "", "", "", "", ""],
    ]
    table = table_text(upload(client, "orgs", xlsx(ORG_HEADERS, rows)), "import-errors")
    assert "3 行业 造船 行业“造船”不在行业列表中" in table
    assert "3 统一社会信用代码 91350100M000100Y44 统一社会信用代码校验位不正确" in table
    assert "3 人数 -3 人数应为不小于 0 的整数" in table
    assert "4 上级单位 东镇化工有限公司 村的上级不能是企业" in table
    assert "5 单位名称 新村 “东镇”下已有名为“新村”的单位" in table
    assert "6 类型 工厂 类型应为" in table
    assert db.session.scalar(db.select(db.func.count(Organization.id))) == before
