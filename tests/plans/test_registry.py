"""The plan registry: creating a plan from its kind's outline, the owner/kind rule, editing the
registry fields, search over titles and section text, the filters, the Excel export, and what a
read-only leader may do."""

import io
from datetime import date, timedelta

from openpyxl import load_workbook

from tests.conftest import page_text, table_text
from webapp.auth.permissions import Role
from webapp.common.time import local_today
from webapp.extensions import db
from webapp.plans import services
from webapp.plans.models import Plan, PlanKind, PlanSection, PlanStatus


def plan_form(owner, **overrides) -> dict:
    data = {"title": "东镇化工有限公司生产安全事故综合应急预案", "organization_id": str(owner.id),
            "kind": "ent_comprehensive", "hazard": "accident", "hazard_subtype": "危险化学品事故",
            "response_levels": "Ⅰ级、Ⅱ级、Ⅲ级", "responsible_person": "张建国", "responsible_phone": "139 0000 1234"}
    return data | overrides


def section_titles(plan: Plan) -> list[tuple[str, str]]:
    return [(s.number, s.title) for s in db.session.scalars(
        db.select(PlanSection).where(PlanSection.plan_id == plan.id).order_by(PlanSection.position))]


def test_enterprise_comprehensive_plan_starts_from_the_gbt_29639_chapters(client, login, owners):
    login(Role.PLAN_REVIEWER)
    response = client.post("/plans/new", data=plan_form(owners["enterprise"]))
    assert response.status_code == 302
    plan = db.session.scalar(db.select(Plan))
    assert response.headers["Location"].endswith(f"/plans/{plan.id}")
    # GB/T 29639-2020 综合应急预案: 总则 (适用范围, 响应分级) · 应急组织机构及职责 · 应急响应 (信息报告,
    # 预警, 响应启动, 应急处置, 应急支援, 响应终止) · 后期处置 · 应急保障 (通信与信息, 队伍, 物资装备, 其他)
    assert section_titles(plan) == [
        ("1", "总则"), ("1.1", "适用范围"), ("1.2", "响应分级"), ("2", "应急组织机构及职责"), ("3", "应急响应"),
        ("3.1", "信息报告"), ("3.2", "预警"), ("3.3", "响应启动"), ("3.4", "应急处置"), ("3.5", "应急支援"),
        ("3.6", "响应终止"), ("4", "后期处置"), ("5", "应急保障"), ("5.1", "通信与信息保障"), ("5.2", "应急队伍保障"),
        ("5.3", "物资装备保障"), ("5.4", "其他保障")]
    assert plan.status == PlanStatus.DRAFT and plan.version_number == 1
    assert plan.responsible_phone == "13900001234"  # normalized

    page = client.get(f"/plans/{plan.id}")
    toc = table_text(page, "sections")
    assert toc.index("1.1 适用范围") < toc.index("3.4 应急处置") < toc.index("5.4 其他保障")
    text = page_text(page)
    assert "139****1234" in text and "13900001234" not in text  # the phone is masked
    assert "草稿" in text and "生产经营单位概况" in text  # the standard attachments of an enterprise plan


def test_government_overall_plan_gets_the_government_outline(client, login, owners):
    login(Role.PLAN_REVIEWER)
    response = client.post("/plans/new", data=plan_form(
        owners["town"], title="东镇突发事件总体应急预案", kind="gov_overall", hazard="natural", hazard_subtype="洪涝灾害"))
    assert response.status_code == 302
    plan = db.session.scalar(db.select(Plan))
    chapters = [title for number, title in section_titles(plan) if "." not in number]
    assert chapters == ["总则", "组织指挥体系", "监测预警", "应急处置", "恢复与重建", "保障措施", "附则"]
    assert plan.attachments == []  # the enterprise attachment list is not forced on a government plan
    assert "东镇突发事件总体应急预案" in page_text(client.get(f"/plans/{plan.id}"))


def test_a_kind_that_does_not_fit_the_owner_is_refused(client, login, owners):
    login(Role.PLAN_REVIEWER)
    page = client.post("/plans/new", data=plan_form(owners["enterprise"], kind="gov_overall"))
    assert page.status_code == 200
    assert "企业的预案应为综合应急预案、专项应急预案或现场处置方案" in page_text(page)
    page = client.post("/plans/new", data=plan_form(owners["town"], kind="ent_onsite"))
    assert "政府、部门和基层单位的预案应为总体、专项、部门或基层单位应急预案" in page_text(page)
    page = client.post("/plans/new", data=plan_form(owners["enterprise"], hazard_subtype="地震"))
    assert "“地震”不是事故灾难的子类" in page_text(page)
    page = client.post("/plans/new", data=plan_form(owners["enterprise"], responsible_phone="12345"))
    assert "电话号码格式不正确" in page_text(page)
    assert db.session.scalar(db.select(db.func.count(Plan.id))) == 0
    # what the user typed is still in the form
    assert "东镇化工有限公司生产安全事故综合应急预案" in page.get_data(as_text=True)


def test_editing_the_registry_fields(client, login, make_plan, owners):
    login(Role.PLAN_REVIEWER)
    plan = make_plan()
    response = client.post(f"/plans/{plan.id}/edit", data=plan_form(
        owners["enterprise"], title="东镇化工有限公司综合应急预案（2026 修订）", response_levels="一级、二级",
        responsible_phone="0571-88880001"))
    assert response.status_code == 302
    db.session.refresh(plan)
    assert plan.title == "东镇化工有限公司综合应急预案（2026 修订）" and plan.response_levels == "一级、二级"
    assert plan.responsible_phone == "0571-88880001"
    # a kind with another outline cannot be chosen once the chapters exist
    page = client.post(f"/plans/{plan.id}/edit", data=plan_form(owners["enterprise"], kind="ent_onsite"))
    assert page.status_code == 200 and "预案类型决定章节提纲" in page_text(page)
    db.session.refresh(plan)
    assert plan.kind == "ent_comprehensive"


def test_search_finds_a_word_inside_a_sections_text(client, login, make_plan, owners):
    user = login(Role.PLAN_REVIEWER)
    plan = make_plan()
    other = make_plan(title="东镇化工有限公司火灾事故专项应急预案", kind=PlanKind.ENT_SPECIAL)
    section = plan.sections[3]
    services.save_section(section, "<p>发生液氯钢瓶泄漏时，立即启动喷淋吸收装置。</p>", section.revision, user)
    db.session.commit()

    found = table_text(client.get("/plans/?q=喷淋吸收"), "plans")
    assert plan.title in found and other.title not in found
    assert other.title in table_text(client.get("/plans/?q=火灾事故"), "plans")  # by title
    assert "没有符合条件的预案" in table_text(client.get("/plans/?q=地震"), "plans")
    assert "没有符合条件的预案" in table_text(client.get("/plans/?q=%25"), "plans")  # % is a character, not a wildcard


def test_filters_by_kind_status_owner_town_hazard_and_evaluation_due(client, login, make_plan, owners, factory):
    login(Role.PLAN_REVIEWER)
    today = local_today()
    tree = owners["tree"]
    west_ent = factory.org("西镇机械厂", "enterprise", tree["v2"])
    comprehensive = make_plan()
    onsite = make_plan(title="西镇机械厂机械伤害现场处置方案", kind=PlanKind.ENT_ONSITE, owner=west_ent,
                       subtype="工贸企业事故")
    town_plan = make_plan(title="东镇防汛应急预案", kind=PlanKind.GOV_SPECIAL, hazard="natural", subtype="洪涝灾害")
    onsite.status, onsite.issued_on, onsite.next_evaluation_on = PlanStatus.PUBLISHED.value, today - timedelta(days=1000), today + timedelta(days=30)
    town_plan.status, town_plan.issued_on, town_plan.next_evaluation_on = PlanStatus.FILED.value, today - timedelta(days=400), today + timedelta(days=700)
    db.session.commit()

    def titles(query: str) -> str:
        return table_text(client.get("/plans/" + query), "plans")

    assert onsite.title in titles("?kind=ent_onsite") and comprehensive.title not in titles("?kind=ent_onsite")
    result = titles("?status=draft")
    assert comprehensive.title in result and onsite.title not in result and town_plan.title not in result
    assert town_plan.title in titles("?hazard=natural") and onsite.title not in titles("?hazard=natural")
    result = titles(f"?org={west_ent.id}")
    assert onsite.title in result and comprehensive.title not in result and town_plan.title not in result
    result = titles(f"?town={tree['east'].id}")
    assert comprehensive.title in result and town_plan.title in result and onsite.title not in result
    result = titles("?due=90")
    assert onsite.title in result and town_plan.title not in result and comprehensive.title not in result
    # the overdue date is marked
    onsite.next_evaluation_on = today - timedelta(days=3)
    db.session.commit()
    page = client.get("/plans/?due=0").get_data(as_text=True)
    assert "text-danger" in page and "已逾期" in page
    # a withdrawn plan is past evaluating: its date is not overdue, on the list or on its page
    onsite.status = PlanStatus.WITHDRAWN.value
    db.session.commit()
    assert "已逾期" not in table_text(client.get("/plans/"), "plans")
    assert "已逾期" not in page_text(client.get(f"/plans/{onsite.id}"))


def test_excel_export_keeps_the_filters(client, login, make_plan):
    login(Role.PLAN_REVIEWER)
    make_plan()
    make_plan(title="东镇化工有限公司储罐区现场处置方案", kind=PlanKind.ENT_ONSITE)
    response = client.get("/plans/?kind=ent_onsite&format=xlsx")
    assert response.status_code == 200 and response.mimetype.endswith("spreadsheetml.sheet")
    rows = list(load_workbook(io.BytesIO(response.data)).active.iter_rows(values_only=True))
    assert rows[0][:4] == ("预案名称", "编制单位", "预案类型", "事件类别")
    assert [r[:3] for r in rows[1:]] == [("东镇化工有限公司储罐区现场处置方案", "东镇化工有限公司", "现场处置方案")]


def test_leaders_read_everything_but_change_nothing(client, login, make_plan, owners):
    plan = make_plan()
    section = plan.sections[1]
    version_before = plan.version_number
    login(Role.LEADER)
    assert client.get("/plans/").status_code == 200
    detail = client.get(f"/plans/{plan.id}")
    assert detail.status_code == 200 and "新建预案" not in page_text(client.get("/plans/"))
    page = client.get(f"/plans/{plan.id}/sections/{section.key}")
    assert page.status_code == 200 and "data-plan-editor" not in page.get_data(as_text=True)
    assert "说明本预案适用的工作范围" in page_text(page)
    assert client.get(f"/plans/{plan.id}/versions").status_code == 200
    assert client.get("/plans/due").status_code == 200
    assert client.get("/plans/new").status_code == 403
    assert client.post("/plans/new", data=plan_form(owners["enterprise"])).status_code == 403
    assert client.post(f"/plans/{plan.id}/edit", data=plan_form(owners["enterprise"], title="改")).status_code == 403
    assert client.post(f"/plans/{plan.id}/sections/{section.key}",
                       data={"title": "改", "content": "<p>改</p>", "base_revision": section.revision}).status_code == 403
    assert client.post(f"/plans/{plan.id}/versions/1/restore").status_code == 403
    assert client.post(f"/plans/{plan.id}/attachments", data={"title": "新附件"}).status_code == 403
    attachment = plan.attachments[0]
    assert client.post(f"/plans/{plan.id}/attachments/{attachment.id}/delete").status_code == 403
    db.session.expire_all()
    assert db.session.get(Plan, plan.id).version_number == version_before
    assert db.session.get(Plan, plan.id).title == "东镇化工有限公司生产安全事故综合应急预案"
    assert len(db.session.get(Plan, plan.id).attachments) == 8


def test_unknown_plan_and_section_are_404(client, login, make_plan):
    login(Role.PLAN_REVIEWER)
    plan = make_plan()
    assert client.get("/plans/99999999999").status_code == 404
    assert client.get(f"/plans/{plan.id + 1}").status_code == 404
    assert client.get(f"/plans/{plan.id}/sections/s999").status_code == 404


def test_filing_deadline_shown_for_a_published_plan_not_yet_filed(client, login, make_plan):
    login(Role.PLAN_REVIEWER)
    plan = make_plan()
    plan.status, plan.issued_on = PlanStatus.PUBLISHED.value, date(2026, 11, 2)  # a Monday
    db.session.commit()
    text = page_text(client.get(f"/plans/{plan.id}"))
    assert "应于 2026-11-30 前向应急管理部门备案" in text  # 20 working days later
