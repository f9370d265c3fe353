"""Versions: the list, comparing two versions section by section (修改 with <ins>/<del>), restoring
an old version as a new one; and the due page: evaluation due, plans to revise, drills overdue."""

import re
from datetime import date, timedelta

from tests.conftest import page_text, table_text
from tests.drills.conftest import drill_values
from webapp.auth.permissions import Role
from webapp.common.time import local_today
from webapp.drills import services as drills
from webapp.extensions import db
from webapp.plans import due, services
from webapp.plans.models import Plan, PlanKind, PlanSection, PlanStatus


def card(html: str, key: str) -> tuple[str, str]:
    """(change badge, marked text) of one section's card on the comparison page."""
    found = re.search(rf'data-change="([^"]+)" data-key="{key}">(.*?)\n  </div>', html, re.S)
    assert found, f"no changed card for {key}"
    return found.group(1), found.group(2)


def edit(plan: Plan, index: int, html: str, user) -> None:
    section = plan.sections[index]
    services.save_section(section, html, section.revision, user)
    db.session.commit()


def test_versions_compare_and_restore(client, login, make_plan):
    user = login(Role.PLAN_REVIEWER)
    plan = make_plan()
    edit(plan, 5, "<p>事故发生后，现场人员立即向值班室报告。</p>", user)  # v2: 3.1 信息报告
    edit(plan, 5, "<p>事故发生后，现场人员立即向值班室和安全部报告，1小时内报县应急管理局。</p>", user)  # v3

    listing = client.get(f"/plans/{plan.id}/versions")
    rows = table_text(listing, "versions")
    assert rows.index("第 3 版") < rows.index("第 2 版") < rows.index("第 1 版")
    assert "编辑 3.1 信息报告" in rows and "新建" in rows and "测试用户" in rows
    assert listing.get_data(as_text=True).count("恢复此版本") == 2  # not on the current version

    compared = client.get(f"/plans/{plan.id}/compare?a=3&b=2")  # either order: old → new
    assert compared.status_code == 200
    assert "第 2 版 → 第 3 版" in page_text(compared)
    html = compared.get_data(as_text=True)
    change, marked = card(html, "s6")
    assert change == "修改" and "3.1 信息报告" in marked
    assert "<ins>和安全部</ins>" in marked and "<ins>，1小时内报县应急管理局</ins>" in marked
    assert "修改 1 节" in page_text(compared) and "未变 16 节" in page_text(compared)

    first_vs_last = client.get(f"/plans/{plan.id}/compare?a=1&b=3").get_data(as_text=True)
    change, marked = card(first_vs_last, "s6")
    assert change == "修改" and "<del>值守电话、事故信息接收" in marked  # the outline's starter text, struck out

    assert "请在版本列表中选择两个不同的版本" in page_text(client.get(f"/plans/{plan.id}/compare?a=2&b=2",
                                                                follow_redirects=True))
    assert "没有第 9 版" in page_text(client.get(f"/plans/{plan.id}/compare?a=1&b=9", follow_redirects=True))

    restored = client.post(f"/plans/{plan.id}/versions/2/restore", follow_redirects=True)
    assert "已恢复第 2 版的内容，保存为第 4 版" in page_text(restored)
    db.session.expire_all()
    plan = db.session.get(Plan, plan.id)
    section = db.session.scalar(db.select(PlanSection).where(PlanSection.plan_id == plan.id, PlanSection.key == "s6"))
    assert plan.version_number == 4 and section.content == "<p>事故发生后，现场人员立即向值班室报告。</p>"
    assert section.revision == 4  # an open editor from before the restore gets the conflict, not a silent overwrite
    assert "恢复第 2 版" in table_text(client.get(f"/plans/{plan.id}/versions"), "versions")
    # history is kept: version 3 still holds the later text
    assert "1小时内报县应急管理局" in str(services.version(plan, 3).sections)


def test_due_page_lists_evaluation_revision_and_drills(client, login, make_plan, owners):
    user = login(Role.PLAN_REVIEWER)
    today = local_today()
    soon = make_plan(title="东镇化工有限公司综合应急预案", reviewed=True)
    later = make_plan(title="东镇化工有限公司火灾专项应急预案", kind=PlanKind.ENT_SPECIAL, reviewed=True)
    overdue = make_plan(title="东镇防汛应急预案", kind=PlanKind.GOV_SPECIAL, hazard="natural", subtype="洪涝灾害")
    onsite = make_plan(title="东镇化工有限公司储罐区现场处置方案", kind=PlanKind.ENT_ONSITE)
    to_revise = make_plan(title="东镇化工有限公司中毒窒息专项应急预案", kind=PlanKind.ENT_SPECIAL)
    draft = make_plan(title="东镇化工有限公司草稿预案", kind=PlanKind.ENT_SPECIAL)
    for plan, status, issued, evaluation in (
            (soon, "published", today - timedelta(days=30), today + timedelta(days=20)),
            (later, "filed", today - timedelta(days=30), today + timedelta(days=400)),
            (overdue, "filed", today - timedelta(days=1200), today - timedelta(days=5)),
            (onsite, "published", today - timedelta(days=200), today + timedelta(days=900))):
        plan.status, plan.issued_on, plan.next_evaluation_on = status, issued, evaluation
    draft.issued_on = today - timedelta(days=2000)  # not in force: never listed for drills
    db.session.commit()
    to_revise.status = PlanStatus.IN_REVIEW.value
    db.session.commit()
    services.return_for_revision(to_revise, ["未明确应急物资存放位置", "联系方式未更新"], "东镇化工有限公司安全部",
                                 today + timedelta(days=15), user)
    db.session.commit()

    page = client.get("/plans/due")
    evaluation = table_text(page, "due-evaluation")
    assert soon.title in evaluation and overdue.title in evaluation and later.title not in evaluation
    assert "已逾期 5 天" in evaluation and "还有 20 天" in evaluation
    assert later.title in table_text(client.get("/plans/due?days=500"), "due-evaluation")

    revision = table_text(page, "due-revision")
    assert to_revise.title in revision and "未明确应急物资存放位置" in revision and "联系方式未更新" in revision
    assert "东镇化工有限公司安全部" in revision and str(today + timedelta(days=15)) in revision

    drills = table_text(page, "due-drills")
    # on-site disposal plans every 6 months: issued 200 days ago → overdue; comprehensive/special
    # yearly: 30 days ago → not yet; government special every 36 months: 1200 days ago → overdue
    assert onsite.title in drills and "每 6 个月" in drills
    assert overdue.title in drills and "每 36 个月" in drills
    assert soon.title not in drills and later.title not in drills and draft.title not in drills
    assert "从最近一次已实施演练的日期起算" in page_text(page)


def test_drill_overdue_counts_from_the_last_drill_held(app, make_plan, owners):
    plan = make_plan(kind=PlanKind.ENT_ONSITE)
    plan.status, plan.issued_on = PlanStatus.FILED.value, date(2025, 1, 10)
    db.session.commit()
    today = date(2026, 1, 15)
    [row] = due.drill_overdue(today)
    assert row.plan.id == plan.id and row.due_on == date(2025, 7, 10) and row.last_drill is None
    # a drill only planned does not count; one held on 2025-12-01 restarts the half-year
    drills.save_drill(None, drill_values(owners["enterprise"], status="planned", held_on=None,
                                         planned_on=date(2025, 12, 20)), [plan.id])
    db.session.commit()
    assert [r.plan.id for r in due.drill_overdue(today)] == [plan.id]
    drills.save_drill(None, drill_values(owners["enterprise"], held_on=date(2025, 12, 1)), [plan.id])
    db.session.commit()
    assert due.drill_overdue(today) == []
    [status] = due.drill_status([plan], today)
    assert status.last_drill == date(2025, 12, 1) and status.due_on == date(2026, 6, 1)
    assert due.add_months(date(2025, 8, 31), 6) == date(2026, 2, 28)


def test_restore_is_refused_for_readers_and_on_a_withdrawn_plan(client, login, make_plan):
    user = login(Role.PLAN_REVIEWER)
    plan = make_plan()
    edit(plan, 1, "<p>新的适用范围</p>", user)
    plan.status = PlanStatus.WITHDRAWN.value
    db.session.commit()
    refused = client.post(f"/plans/{plan.id}/versions/1/restore", follow_redirects=True)
    assert "预案已废止，不能恢复版本" in page_text(refused)
    db.session.expire_all()
    assert db.session.get(Plan, plan.id).version_number == 2
