import pytest

from tests.conftest import page_text
from webapp.auth.models import User
from webapp.auth.permissions import PERMISSIONS, Role, role_allows
from webapp.extensions import db


@pytest.mark.parametrize("role", [r for r in Role if r is not Role.ADMIN])
def test_only_admins_manage_users_others_get_a_chinese_403(client, login, role):
    login(role)
    response = client.get("/users")
    assert response.status_code == 403
    assert "没有权限" in page_text(response)


@pytest.mark.parametrize(
    ("role", "visible", "hidden"),
    [
        (Role.ADMIN, ["工作台", "组织机构", "人员", "公文模板", "用户管理"], []),
        (Role.LEADER, ["工作台", "组织机构", "人员"], ["用户管理", "公文模板"]),
        (Role.TRAINING, ["工作台", "组织机构", "人员", "公文模板"], ["用户管理"]),
    ],
)
def test_navigation_shows_only_what_the_role_may_open(client, login, role, visible, hidden):
    login(role)
    html = client.get("/dashboard").get_data(as_text=True)
    nav = html.split('data-testid="main-nav"')[1].split("</ul>")[0]
    for label in visible:
        assert f">{label}</a>" in nav
    for label in hidden:
        assert label not in nav


def test_leader_reads_but_cannot_change(client, login, factory):
    tree = factory.tree()
    login(Role.LEADER)
    assert client.get(f"/registry/orgs/{tree['ent'].id}").status_code == 200
    assert client.get("/registry/people/new").status_code == 403
    response = client.post(f"/registry/orgs/{tree['ent'].id}/status", data={"active": "0"})
    assert response.status_code == 403
    db.session.refresh(tree["ent"])
    assert tree["ent"].active


def test_every_permission_is_granted_to_the_admin():
    assert all(role_allows([Role.ADMIN], p) for p in PERMISSIONS)
    with pytest.raises(KeyError):
        role_allows([Role.ADMIN], "no.such.permission")


def test_anonymous_users_are_sent_to_login(client):
    response = client.get("/registry/people")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_unknown_page_is_a_chinese_404(client, login):
    login()
    response = client.get("/registry/orgs/999999")
    assert response.status_code == 404 and "页面不存在" in page_text(response)


def test_admin_creates_and_edits_a_user(client, login, factory):
    admin = login(Role.ADMIN)
    response = client.post("/users/new", data={
        "username": "xc01", "display_name": "宣传员甲", "roles": ["outreach_officer", "drill_officer"],
        "organization_id": "0", "active": "y", "password": "Xuanchuan1",
    })
    assert response.status_code == 302
    user = db.session.scalar(db.select(User).where(User.username == "xc01"))
    assert user.role_set == {Role.OUTREACH, Role.DRILL}
    duplicate = client.post("/users/new", data={
        "username": "xc01", "display_name": "重复", "roles": ["leader"], "organization_id": "0", "password": "Xuanchuan1",
    })
    assert "用户名“xc01”已被使用" in page_text(duplicate)
    no_role = client.post("/users/new", data={
        "username": "xc02", "display_name": "无角色", "organization_id": "0", "password": "Xuanchuan1",
    })
    assert "请至少选择一个角色" in page_text(no_role)
    assert db.session.scalar(db.select(db.func.count(User.id))) == 2
    self_demote = client.post(f"/users/{admin.id}/edit", data={
        "display_name": "x", "roles": ["leader"], "organization_id": "0", "active": "y",
    })
    assert "不能停用自己的账号" in page_text(self_demote)
    db.session.refresh(admin)
    assert Role.ADMIN in admin.role_set


def test_users_list_exports_to_excel(client, login):
    login(Role.ADMIN)
    response = client.get("/users?export=xlsx")
    assert response.status_code == 200
    assert response.mimetype.endswith("spreadsheetml.sheet")
    from io import BytesIO

    from openpyxl import load_workbook

    rows = list(load_workbook(BytesIO(response.data)).active.values)
    assert rows[0][:3] == ("用户名", "姓名", "角色")
    assert rows[1][2] == "系统管理员"
