"""Frequency compliance (演练频次达标): every plan in force, its last drill held and whether its
required period is met; the page, its filters, the summary by town and the Excel."""

import io
import re
from datetime import timedelta

from openpyxl import load_workbook

from tests.conftest import page_text, table_text
from webapp.auth.permissions import Role
from webapp.common.time import local_today
from webapp.extensions import db
from webapp.plans import due
from webapp.plans.models import PlanKind, PlanStatus
from webapp.registry.models import OrgKind


def in_force(plan, days_ago: int, status=PlanStatus.FILED):
    plan.status, plan.issued_on = status.value, local_today() - timedelta(days=days_ago)
    db.session.commit()
    return plan


def rows(response) -> str:
    return table_text(response, "compliance")


def row_of(response, title: str) -> str:
    """The visible text of the list's row for one plan."""
    html = response.get_data(as_text=True).split('data-testid="compliance"', 1)[1].split("</table>", 1)[0]
    [row] = [r for r in html.split("<tr")[1:] if title in r]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", "<tr" + row)).strip()


def test_a_plan_never_drilled_is_overdue_from_its_issue_date(client, login, make_plan):
    login(Role.DRILL)
    plan = in_force(make_plan(title="东镇化工液氨泄漏现场处置方案", kind=PlanKind.ENT_ONSITE), 400)
    expected = (local_today() - due.add_months(plan.issued_on, 6)).days
    assert expected > 0
    page = client.get("/drills/compliance")
    row = row_of(page, plan.title)
    assert "东镇化工有限公司 东镇 现场处置方案 每 6 个月" in row
    assert f"无记录（自发布日 {plan.issued_on} 起算） {due.add_months(plan.issued_on, 6)} 逾期 {expected} 天" in row
    totals = table_text(page, "by-town")
    assert "东镇 1 1" in totals
    assert "现行预案 1 已达标 0 逾期未演练 1 达标率 0.0%" in page_text(page)


def test_a_drill_held_recently_meets_the_rule_and_links_to_the_drills_of_the_plan(client, login, make_plan,
                                                                                      make_drill):
    login(Role.LEADER)  # a reader sees the page
    plan = in_force(make_plan(kind=PlanKind.ENT_ONSITE), 400)
    drill = make_drill(plans=[plan])
    page = client.get("/drills/compliance")
    assert page.status_code == 200
    row = row_of(page, plan.title)
    assert "已达标" in row and "逾期" not in row
    assert f"{drill.held_on} {due.add_months(drill.held_on, 6)} 已达标" in row
    assert f'href="/drills/?plan={plan.id}"' in page.get_data(as_text=True)
    assert "现行预案 1 已达标 1 逾期未演练 0 达标率 100.0%" in page_text(page)


def test_a_planned_drill_does_not_count(client, login, make_plan, make_drill):
    login(Role.DRILL)
    plan = in_force(make_plan(kind=PlanKind.ENT_ONSITE), 400)
    make_drill(plans=[plan], status="planned", held_on=None, planned_on=local_today() - timedelta(days=5))
    make_drill(plans=[plan], status="preparing", held_on=None, planned_on=local_today() + timedelta(days=5))
    text = rows(client.get("/drills/compliance"))
    assert "无记录" in text and "逾期" in text and "已达标" not in text


def test_an_old_drill_leaves_the_plan_overdue_from_that_drill(client, login, make_plan, make_drill):
    login(Role.DRILL)
    plan = in_force(make_plan(kind=PlanKind.ENT_ONSITE), 900)
    drill = make_drill(plans=[plan], held_on=local_today() - timedelta(days=300))
    late = (local_today() - due.add_months(drill.held_on, 6)).days
    row = row_of(client.get("/drills/compliance"), plan.title)
    assert f"{drill.held_on} {due.add_months(drill.held_on, 6)} 逾期 {late} 天" in row


def test_a_high_risk_enterprises_comprehensive_plan_is_drilled_every_half_year(client, login, factory, owners,
                                                                              make_plan):
    login(Role.DRILL)
    chemical = in_force(make_plan(title="东镇化工综合应急预案", kind=PlanKind.ENT_COMPREHENSIVE), 250)
    assert owners["enterprise"].industry == "危险化学品"
    workshop = factory.org("东镇五金加工厂", OrgKind.ENTERPRISE, owners["tree"]["v1"], industry="工贸")
    ordinary = in_force(make_plan(title="东镇五金加工厂综合应急预案", kind=PlanKind.ENT_COMPREHENSIVE,
                                  owner=workshop), 250)
    page = client.get("/drills/compliance")
    # 250 days since issue: the half-year rule is overdue, the yearly rule not yet due
    late = (local_today() - due.add_months(chemical.issued_on, 6)).days
    assert "每 6 个月" in row_of(page, chemical.title) and f"逾期 {late} 天" in row_of(page, chemical.title)
    assert "每 12 个月" in row_of(page, ordinary.title) and "已达标" in row_of(page, ordinary.title)
    assert str(due.add_months(ordinary.issued_on, 12)) in row_of(page, ordinary.title)
    overdue = rows(client.get("/drills/compliance?state=overdue"))
    met = rows(client.get("/drills/compliance?state=met"))
    assert chemical.title in overdue and ordinary.title not in overdue
    assert ordinary.title in met and chemical.title not in met


def test_withdrawn_and_draft_plans_are_not_listed(client, login, make_plan, make_drill):
    login(Role.DRILL)
    listed = in_force(make_plan(title="现行的现场处置方案", kind=PlanKind.ENT_ONSITE), 400, PlanStatus.PUBLISHED)
    withdrawn = in_force(make_plan(title="已废止的现场处置方案", kind=PlanKind.ENT_ONSITE), 400, PlanStatus.WITHDRAWN)
    draft = make_plan(title="草稿中的现场处置方案", kind=PlanKind.ENT_ONSITE)
    text = rows(client.get("/drills/compliance"))
    assert listed.title in text
    assert withdrawn.title not in text and draft.title not in text


def test_filters_by_town_and_by_owner(client, login, factory, owners, make_plan):
    login(Role.DRILL)
    west_factory = factory.org("西镇机械厂", OrgKind.ENTERPRISE, owners["tree"]["v2"], industry="工贸")
    east = in_force(make_plan(title="东镇化工现场处置方案", kind=PlanKind.ENT_ONSITE), 400)
    west = in_force(make_plan(title="西镇机械厂现场处置方案", kind=PlanKind.ENT_ONSITE, owner=west_factory), 400)
    town_plan = in_force(make_plan(title="东镇防汛应急预案", kind=PlanKind.GOV_SPECIAL), 2000)

    everything = client.get("/drills/compliance")
    assert all(p.title in rows(everything) for p in (east, west, town_plan))
    by_town = table_text(everything, "by-town")
    assert "东镇 2 2" in by_town and "西镇 1 1" in by_town

    west_only = client.get(f"/drills/compliance?town={owners['tree']['west'].id}")
    assert west.title in rows(west_only) and east.title not in rows(west_only)
    assert town_plan.title not in rows(west_only)
    assert "现行预案 1" in page_text(west_only)

    owner_only = rows(client.get(f"/drills/compliance?org={owners['town'].id}"))
    assert town_plan.title in owner_only and east.title not in owner_only and west.title not in owner_only
    # the owner filter lists units that own a plan in force, not the whole registry
    page = client.get("/drills/compliance").get_data(as_text=True)
    assert f'value="{west_factory.id}"' in page and f'value="{owners["tree"]["v1"].id}"' not in page


def test_the_list_is_paginated(app, client, login, make_plan):
    login(Role.DRILL)
    app.config["PAGE_SIZE"] = 2
    for n in range(3):
        in_force(make_plan(title=f"第{n}号现场处置方案", kind=PlanKind.ENT_ONSITE), 400 + n)
    first, second = client.get("/drills/compliance"), client.get("/drills/compliance?page=2")
    assert rows(first).count("号现场处置方案") == 2 and rows(second).count("号现场处置方案") == 1
    assert "共 3 条" in page_text(first)
    assert "现行预案 3" in page_text(second)  # the totals cover every page


def test_excel_lists_every_row_with_its_state(client, login, make_plan, make_drill):
    login(Role.LEADER)
    late = in_force(make_plan(title="逾期的现场处置方案", kind=PlanKind.ENT_ONSITE), 400)
    fine = in_force(make_plan(title="达标的现场处置方案", kind=PlanKind.ENT_ONSITE), 400)
    drill = make_drill(plans=[fine])
    response = client.get("/drills/compliance?format=xlsx")
    assert response.status_code == 200 and response.mimetype.endswith("spreadsheetml.sheet")
    sheet = load_workbook(io.BytesIO(response.data)).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[0] == ["预案名称", "编制单位", "所在乡镇（街道）", "预案类型", "演练周期", "发布日期", "上次演练",
                         "应于此前演练", "状态"]
    days = (local_today() - due.add_months(late.issued_on, 6)).days
    assert values[1] == [late.title, "东镇化工有限公司", "东镇", "现场处置方案", "每 6 个月", late.issued_on.isoformat(),
                         "无记录", due.add_months(late.issued_on, 6).isoformat(), f"逾期 {days} 天"]
    assert values[2] == [fine.title, "东镇化工有限公司", "东镇", "现场处置方案", "每 6 个月", fine.issued_on.isoformat(),
                         drill.held_on.isoformat(), due.add_months(drill.held_on, 6).isoformat(), "已达标"]
    assert len(values) == 3
    only_late = load_workbook(io.BytesIO(client.get("/drills/compliance?format=xlsx&state=overdue").data)).active
    assert [row[0].value for row in only_late.iter_rows(min_row=2)] == [late.title]
