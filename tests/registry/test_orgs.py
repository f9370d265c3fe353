from io import BytesIO

from openpyxl import load_workbook

from tests.conftest import page_text, table_text, valid_credit_code
from webapp.auth.permissions import Role
from webapp.extensions import db
from webapp.registry.models import Organization, OrgKind


def _count(**where) -> int:
    query = db.select(db.func.count(Organization.id))
    for key, value in where.items():
        query = query.where(getattr(Organization, key) == value)
    return db.session.scalar(query)


def _enterprise_form(parent, **overrides):
    data = {"name": "青石化工有限公司", "kind": "enterprise", "parent_id": str(parent.id), "industry": "危险化学品",
            "credit_code": valid_credit_code(42), "scale": "中型", "contact_phone": "13800001111", "headcount": "120"}
    return data | overrides


def test_add_an_enterprise_with_derived_high_risk_flag(client, login, factory):
    tree = factory.tree()
    login(Role.ADMIN)
    response = client.post("/registry/orgs/new", data=_enterprise_form(tree["v1"]))
    assert response.status_code == 302
    org = db.session.scalar(db.select(Organization).where(Organization.name == "青石化工有限公司"))
    assert org.high_risk and org.town_id == tree["east"].id
    assert db.session.scalar(db.select(db.func.count()).where(Organization.high_risk)) == 2
    detail = page_text(client.get(f"/registry/orgs/{org.id}"))
    assert "高危行业" in detail and "东镇/新村/青石化工有限公司" in detail


def test_a_bad_credit_code_is_refused_and_nothing_saved(client, login, factory):
    tree = factory.tree()
    login(Role.ADMIN)
    before = _count()
    response = client.post("/registry/orgs/new", data=_enterprise_form(tree["east"], credit_code="91330100MA27XK1X1A"))
    assert response.status_code == 200
    assert "统一社会信用代码校验位不正确" in page_text(response)
    assert _count() == before


def test_wrong_parent_kind_missing_industry_and_duplicate_names(client, login, factory):
    tree = factory.tree()
    login(Role.ADMIN)
    wrong_parent = client.post("/registry/orgs/new", data={"name": "某村", "kind": "village", "parent_id": str(tree["v2"].id)})
    assert "村的上级不能是村，应为乡镇、街道" in page_text(wrong_parent)
    not_offered = client.post("/registry/orgs/new", data={"name": "某村", "kind": "village", "parent_id": str(tree["ent"].id)})
    assert "不是有效的选择" in page_text(not_offered)
    no_industry = client.post("/registry/orgs/new", data=_enterprise_form(tree["east"], industry=""))
    assert "企业须选择行业" in page_text(no_industry)
    same_name = client.post("/registry/orgs/new", data={"name": "新村", "kind": "village", "parent_id": str(tree["east"].id)})
    assert "“东镇”下已有名为“新村”的单位" in page_text(same_name)
    assert _count(name="某村") == 0


def test_credit_codes_are_unique(client, login, factory):
    tree = factory.tree()
    code = valid_credit_code(7)
    tree["ent"].credit_code = code
    db.session.commit()
    login(Role.ADMIN)
    response = client.post("/registry/orgs/new", data=_enterprise_form(tree["east"], credit_code=code))
    assert "该统一社会信用代码已登记为“东镇化工有限公司”" in page_text(response)


def test_moving_a_village_moves_its_enterprises_to_the_new_town(client, login, factory):
    tree = factory.tree()
    login(Role.ADMIN)
    response = client.post(f"/registry/orgs/{tree['v1'].id}/edit", data={
        "name": "东新村", "kind": "village", "parent_id": str(tree["west"].id)})
    assert response.status_code == 302
    db.session.expire_all()
    assert tree["v1"].parent_id == tree["west"].id and tree["v1"].town_id == tree["west"].id
    assert db.session.get(Organization, tree["ent"].id).town_id == tree["west"].id


def test_deactivate_keeps_the_record_and_refuses_while_children_are_active(client, login, factory):
    tree = factory.tree()
    login(Role.ADMIN)
    refused = client.post(f"/registry/orgs/{tree['v1'].id}/status", data={"active": "0"}, follow_redirects=True)
    assert "还有 1 个启用的下级单位" in page_text(refused)
    assert db.session.get(Organization, tree["v1"].id).active
    client.post(f"/registry/orgs/{tree['ent'].id}/status", data={"active": "0"})
    client.post(f"/registry/orgs/{tree['v1'].id}/status", data={"active": "0"})
    db.session.expire_all()
    assert not tree["v1"].active and not tree["ent"].active
    assert _count() == 6  # nothing deleted
    listed = table_text(client.get("/registry/orgs?q=化工"), "org-table")
    assert "东镇化工有限公司" not in listed
    assert "东镇化工有限公司" in table_text(client.get("/registry/orgs?q=化工&status=inactive"), "org-table")
    reopen_child = client.post(f"/registry/orgs/{tree['ent'].id}/status", data={"active": "1"}, follow_redirects=True)
    assert "上级单位“新村”已停用" in page_text(reopen_child)


def test_org_list_filters_paginate_and_export(client, login, factory, app):
    tree = factory.tree()
    for i in range(25):
        factory.org(f"工贸企业{i:02d}", OrgKind.ENTERPRISE, tree["west"])
    login(Role.LEADER)
    first = page_text(client.get(f"/registry/orgs?kind=enterprise&town={tree['west'].id}"))
    assert "共 25 条" in first and "东镇化工有限公司" not in first
    second = page_text(client.get(f"/registry/orgs?kind=enterprise&town={tree['west'].id}&page=2"))
    assert "工贸企业24" in second
    high = page_text(client.get("/registry/orgs?high_risk=1"))
    assert "东镇化工有限公司" in high and "工贸企业00" not in high
    export = client.get(f"/registry/orgs?kind=enterprise&town={tree['west'].id}&export=xlsx")
    rows = list(load_workbook(BytesIO(export.data)).active.values)
    assert rows[0][0] == "单位名称" and len(rows) == 26
    assert rows[1][2] == "西镇"


def test_registry_overview_counts_by_town(client, login, factory):
    tree = factory.tree()
    factory.person("李四", tree["ent"])
    login(Role.LEADER)
    table = table_text(client.get("/registry/"), "town-table")
    east = table.split("东镇 乡镇", 1)[1].split("西镇", 1)[0].split()
    # 村, 社区, 企业, 其中高危, 学校, 部门, 人员
    assert east == ["1", "0", "1", "1", "0", "0", "1"]
