from io import BytesIO

from openpyxl import load_workbook

from tests.conftest import page_text, table_text, valid_id_number
from webapp.auth.permissions import Role
from webapp.extensions import db
from webapp.registry.models import Person


def _people() -> int:
    return db.session.scalar(db.select(db.func.count(Person.id)))


def test_add_a_person_derives_birth_date_and_sex(client, login, factory):
    tree = factory.tree()
    login(Role.TRAINING)
    number = valid_id_number("19850612", seq=101)
    response = client.post("/registry/people/new", data={
        "name": "王五", "id_number": number, "phone": "139 0000 1111", "organization_id": str(tree["ent"].id), "post": "安全管理员"})
    assert response.status_code == 302
    person = db.session.scalar(db.select(Person).where(Person.name == "王五"))
    assert person.phone == "13900001111" and person.sex == "男"
    assert person.birth_date.isoformat() == "1985-06-12"
    detail = page_text(client.get(f"/registry/people/{person.id}"))
    assert "1985年06月12日" in detail and number in detail  # the training officer sees the full number


def test_invalid_id_number_and_phone_are_refused(client, login, factory):
    login(Role.ADMIN)
    response = client.post("/registry/people/new", data={
        "name": "赵六", "id_number": "110101199003074515", "phone": "12345", "organization_id": "0"})
    text = page_text(response)
    assert "身份证号校验位不正确" in text and "电话号码格式不正确" in text
    assert _people() == 0


def test_duplicate_id_number_points_at_the_existing_person(client, login, factory):
    tree = factory.tree()
    existing = factory.person("张三", tree["ent"])
    login(Role.ADMIN)
    response = client.post("/registry/people/new", data={
        "name": "张叁", "id_number": existing.id_number.lower(), "organization_id": "0"})
    text = page_text(response)
    assert "该身份证号已登记：张三（东镇化工有限公司）" in text
    assert f'href="/registry/people/{existing.id}"' in response.get_data(as_text=True)
    assert _people() == 1


def test_id_numbers_are_masked_except_for_roles_that_need_them(client, login, factory):
    person = factory.person("钱七", phone="13812345678")
    login(Role.LEADER)
    listing = page_text(client.get("/registry/people"))
    assert person.masked_id in listing and person.id_number not in listing
    assert "138****5678" in listing
    detail = page_text(client.get(f"/registry/people/{person.id}"))
    assert person.id_number not in detail and person.masked_id in detail
    export = client.get("/registry/people?export=xlsx&reveal=1")  # asking is not enough without the role
    row = list(load_workbook(BytesIO(export.data)).active.values)[1]
    assert row[1] == person.masked_id and row[4] == "138****5678"


def test_training_officer_may_export_full_numbers_when_asking(client, login, factory):
    person = factory.person("孙八")
    login(Role.TRAINING)
    masked = list(load_workbook(BytesIO(client.get("/registry/people?export=xlsx").data)).active.values)[1]
    full = list(load_workbook(BytesIO(client.get("/registry/people?export=xlsx&reveal=1").data)).active.values)[1]
    assert masked[1] == person.masked_id and full[1] == person.id_number


def test_search_by_name_and_by_id_tail(client, login, factory):
    a = factory.person("周九", id_number=valid_id_number(seq=555))
    factory.person("吴十")
    login(Role.LEADER)
    assert "吴十" not in page_text(client.get("/registry/people?q=周"))
    by_tail = page_text(client.get(f"/registry/people?q={a.id_number[-6:]}"))
    assert "周九" in by_tail and "吴十" not in by_tail
    assert "周九" in page_text(client.get(f"/registry/people?q={a.id_number}"))


def test_edit_person_and_deactivate(client, login, factory):
    person = factory.person("郑一")
    other = factory.person("郑二")
    login(Role.ADMIN)
    clash = client.post(f"/registry/people/{person.id}/edit", data={
        "name": "郑一", "id_number": other.id_number, "organization_id": "0"})
    assert "该身份证号已登记：郑二" in page_text(clash)
    client.post(f"/registry/people/{person.id}/edit", data={
        "name": "郑壹", "id_number": person.id_number, "organization_id": "0", "post": "电工"})
    client.post(f"/registry/people/{person.id}/status", data={"active": "0"})
    db.session.expire_all()
    assert person.name == "郑壹" and person.post == "电工" and not person.active
    assert "郑壹" not in table_text(client.get("/registry/people"), "people-table")
