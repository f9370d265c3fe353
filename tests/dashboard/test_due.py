"""What is due, as each role reads it on the dashboard: every item counts what it should and not
the rows beside it (a plan due in 91 days, a closed problem, a session next week, a certificate
expiring in 120 days or revoked, a competition unpublished or over, a campaign on target), and its
link opens the module list showing exactly that many rows."""

import re
from datetime import timedelta

import pytest
from flask import current_app

from tests.conftest import page_text, table_text
from tests.drills.conftest import make_drill, photo_bytes  # noqa: F401  (fixtures)
from tests.outreach.conftest import event_values, places, venue  # noqa: F401
from tests.plans.conftest import make_plan, owners  # noqa: F401
from tests.quiz.conftest import bank, make_quiz  # noqa: F401
from tests.training.conftest import course, exam_bank, make_session  # noqa: F401
from webapp.auth.permissions import Role
from webapp.common.time import local_today, utcnow
from webapp.dashboard import due
from webapp.drills import problems as rectification
from webapp.extensions import db
from webapp.outreach import services as outreach
from webapp.plans import due as plan_due
from webapp.plans.models import PlanKind, PlanStatus
from webapp.quiz.models import IdentityMode, QuizKind
from webapp.registry.models import OrgKind
from webapp.training import certificates
from webapp.training import services as training

DUE = re.compile(r'<a [^>]*href="([^"]+)"\s+data-due="([\w.]+)" data-count="(\d+)"')


def items_for(user, **when) -> dict[str, due.DueItem]:
    with current_app.test_request_context():
        return {item.key: item for item in due.items(user, **when)}


def listed(client, url: str) -> int:
    """How many rows the list behind a link says it shows (共 N 条 under a paginated list; the
    renewals page's count beside the expiring list)."""
    page = client.get(url)
    assert page.status_code == 200, url
    if "#expiring-list" in url:
        return int(re.search(r'data-testid="expiring-total">(\d+)<', page.get_data(as_text=True)).group(1))
    return int(re.search(r"共 (\d+) 条", page_text(page)).group(1))


def on_dashboard(client) -> dict[str, tuple[int, str]]:
    """key → (count, href) of every due link on the dashboard."""
    page = client.get("/dashboard")
    assert page.status_code == 200
    return {key: (int(count), href.replace("&amp;", "&")) for href, key, count in
            DUE.findall(page.get_data(as_text=True))}


# ---------------------------------------------------------------------------------------- plans


def plan_with(make_plan, title, status, kind=PlanKind.ENT_COMPREHENSIVE, owner=None, issued_days_ago=None,  # noqa: F811
              evaluation_in=None):
    plan = make_plan(title=title, kind=kind, owner=owner)
    plan.status = status.value
    if issued_days_ago is not None:
        plan.issued_on = local_today() - timedelta(days=issued_days_ago)
    if evaluation_in is not None:
        plan.next_evaluation_on = local_today() + timedelta(days=evaluation_in)
    db.session.commit()
    return plan


def test_plans_due_for_evaluation_and_needing_revision(app, client, login, make_plan):  # noqa: F811
    plan_with(make_plan, "三十天后评估的预案", PlanStatus.FILED, evaluation_in=30)
    plan_with(make_plan, "评估已逾期的预案", PlanStatus.PUBLISHED, evaluation_in=-10)
    plan_with(make_plan, "九十天整到期的预案", PlanStatus.FILED, evaluation_in=90)
    plan_with(make_plan, "九十一天后评估的预案", PlanStatus.FILED, evaluation_in=91)
    plan_with(make_plan, "草稿不算评估", PlanStatus.DRAFT, evaluation_in=5)
    plan_with(make_plan, "已废止不算评估", PlanStatus.WITHDRAWN, evaluation_in=5)
    plan_with(make_plan, "退回修订的预案", PlanStatus.NEEDS_REVISION, evaluation_in=5)
    user = login(Role.PLAN_REVIEWER)
    found = items_for(user)
    evaluation, revision = found["plans.evaluation"], found["plans.revision"]
    assert evaluation.count == 3
    assert evaluation.level == "danger"
    assert evaluation.detail == f"其中 1 部已逾期，最早 {local_today() - timedelta(days=10)} 到期"
    assert evaluation.url == "/plans/?due=90"
    assert listed(client, evaluation.url) == 3
    rows = table_text(client.get(evaluation.url), "plans")
    assert "三十天后评估的预案" in rows and "九十天整到期的预案" in rows and "九十一天后评估的预案" not in rows
    assert (revision.count, revision.level) == (1, "warning")
    assert listed(client, revision.url) == 1 and "退回修订的预案" in table_text(client.get(revision.url), "plans")


def test_plans_overdue_for_a_drill_from_light_rows_agree_with_the_lists(app, client, login, make_plan,  # noqa: F811
                                                                       make_drill, owners, factory):  # noqa: F811
    ordinary = factory.org("西镇机械厂", OrgKind.ENTERPRISE, owners["tree"]["v2"], industry="机械")
    chemical = owners["enterprise"]  # 危险化学品: a high-risk unit drills every half-year
    plan_with(make_plan, "化工综合预案七个月未演练", PlanStatus.FILED, owner=chemical, issued_days_ago=215)
    plan_with(make_plan, "机械厂综合预案七个月", PlanStatus.FILED, owner=ordinary, issued_days_ago=215)
    plan_with(make_plan, "机械厂现场处置方案七个月", PlanStatus.PUBLISHED, PlanKind.ENT_ONSITE, ordinary, 215)
    plan_with(make_plan, "需修订的也要演练", PlanStatus.NEEDS_REVISION, owner=ordinary, issued_days_ago=400)
    plan_with(make_plan, "已废止的不用演练", PlanStatus.WITHDRAWN, owner=chemical, issued_days_ago=400)
    plan_with(make_plan, "乡镇专项预案两年", PlanStatus.FILED, PlanKind.GOV_SPECIAL, issued_days_ago=730)
    drilled = plan_with(make_plan, "化工现场处置方案刚演练过", PlanStatus.FILED, PlanKind.ENT_ONSITE, chemical, 400)
    make_drill(plans=[drilled], held_on=local_today() - timedelta(days=20))
    lapsed = plan_with(make_plan, "化工专项预案上次演练已久", PlanStatus.FILED, PlanKind.ENT_SPECIAL, chemical, 600)
    make_drill(plans=[lapsed], held_on=local_today() - timedelta(days=200), title="很久以前的演练")
    expected = {"化工综合预案七个月未演练", "机械厂现场处置方案七个月", "需修订的也要演练", "化工专项预案上次演练已久"}
    assert {d.plan.title for d in plan_due.drill_overdue()} == expected  # the plans module's own list
    user = login(Role.DRILL)
    item = items_for(user)["plans.drill_overdue"]
    assert (item.count, item.level) == (4, "danger")
    earliest = min(d.due_on for d in plan_due.drill_overdue())
    assert item.detail == f"最早应于 {earliest} 前演练"
    assert listed(client, item.url) == 4
    assert all(title in table_text(client.get(item.url), "compliance") for title in expected)
    assert "逾期未演练（4）" in page_text(client.get("/plans/due"))  # the plans module's due page agrees


# --------------------------------------------------------------------------------------- drills


def test_open_and_overdue_drill_problems(app, client, login, make_drill):  # noqa: F811
    today = local_today()
    drill = make_drill(held_on=today - timedelta(days=30))

    def problem(description, due_on):
        return rectification.add_problem(drill, {"description": description, "responsible_unit": "安全环保部",
                                                 "measure": "整改", "due_on": due_on, "plan_id": ""})

    problem("逾期甲", today - timedelta(days=12))
    rectifying = problem("逾期乙（整改中）", today - timedelta(days=2))
    rectification.start_rectifying(rectifying)
    problem("今天到期的不算逾期", today)
    problem("下月到期", today + timedelta(days=30))
    closed = problem("已销号的逾期问题", today - timedelta(days=20))
    rectification.close_problem(closed, "已整改", today, [(photo_bytes(), "整改后.jpg")])
    db.session.commit()
    user = login(Role.DRILL)
    found = items_for(user)
    unclosed, overdue = found["drills.problems_unclosed"], found["drills.problems_overdue"]
    assert (unclosed.count, unclosed.detail, unclosed.level) == (4, "待整改 3，整改中 1", "warning")
    assert (overdue.count, overdue.level) == (2, "danger")
    assert overdue.detail == f"最早 {today - timedelta(days=12)} 到期"
    assert listed(client, unclosed.url) == 4 and listed(client, overdue.url) == 2
    rows = table_text(client.get(overdue.url), "problems")
    assert "逾期甲" in rows and "逾期乙" in rows and "已销号" not in rows and "今天到期" not in rows


# ------------------------------------------------------------------------------------- training


def test_sessions_this_week_with_their_fill_rate(app, client, login, make_session):  # noqa: F811
    monday, sunday = due.week_of(local_today())
    # make_session's sessions run six days from their start
    make_session(trainees=3, capacity=4, start=monday - timedelta(days=2), title="跨周开班的班次")
    make_session(trainees=3, capacity=2, start=sunday, title="周日开班的班次")  # one of three waits
    make_session(trainees=1, capacity=40, start=monday - timedelta(days=8), title="上周结业的班次")
    make_session(trainees=1, capacity=40, start=monday + timedelta(days=7), title="下周开班的班次")
    user = login(Role.TRAINING)
    item = items_for(user)["training.sessions_week"]
    assert item.count == 2
    assert f"满员率 {round(100 * 5 / 6)}%（已报名 5 人 / 名额 6 人）" in item.detail
    assert [r.title for r in item.rows] == ["跨周开班的班次", "周日开班的班次"]
    assert "报名 2/2（100%）" in item.rows[1].extra
    assert listed(client, item.url) == 2
    rows = table_text(client.get(item.url), "sessions")
    assert "跨周开班的班次" in rows and "周日开班的班次" in rows and "上周" not in rows and "下周" not in rows
    follow = client.get(item.rows[0].url)
    assert follow.status_code == 200 and "跨周开班的班次" in page_text(follow)


def test_certificates_expiring_within_90_days(app, client, login, factory, course, make_session):  # noqa: F811
    today = local_today()
    enterprise = factory.org("东镇化工有限公司", OrgKind.ENTERPRISE, industry="危险化学品")

    def certify(name, expires_in):
        """A certificate of its own session, issued so that it expires in `expires_in` days (valid
        three years less a day)."""
        issued = certificates.add_years(today + timedelta(days=expires_in + 1), -3)
        session = make_session(trainees=0, start=issued - timedelta(days=10), title=f"{name}的班次")
        enrollment = training.enroll(session, factory.person(name, enterprise))
        enrollment.exam_score, enrollment.exam_passed = 90, True
        cert = certificates.issue(enrollment, today=issued, hours=course.required_hours)
        db.session.commit()
        return cert

    first = certify("三十天到期", 30)
    certify("九十天到期", 90)
    certify("一百二十天到期", 120)
    certificates.revoke(certify("已注销", 40), "测试注销")
    db.session.commit()
    assert first.expires_on == today + timedelta(days=30)
    user = login(Role.TRAINING)
    item = items_for(user)["training.certificates_expiring"]
    assert (item.count, item.level, item.detail) == (2, "warning", f"最早 {first.expires_on} 到期")
    assert listed(client, item.url) == 2
    names = table_text(client.get(item.url), "expiring")
    assert "三十天到期" in names and "九十天到期" in names and "一百二十天" not in names and "已注销" not in names


# ----------------------------------------------------------------------------------------- quiz


def test_live_and_upcoming_competitions(app, client, login, make_quiz):  # noqa: F811
    now = utcnow()
    make_quiz(title="进行中的竞赛")
    make_quiz(title="不限时间的竞赛", opens_at=None, closes_at=None)
    make_quiz(title="明天开始的竞赛", opens_at=now + timedelta(days=1), closes_at=now + timedelta(days=8))
    make_quiz(title="未发布的竞赛", publish=False)
    make_quiz(title="已结束的竞赛", opens_at=now - timedelta(days=9), closes_at=now - timedelta(days=2))
    make_quiz(title="进行中的考试", kind=QuizKind.EXAM.value, identity_mode=IdentityMode.ROSTER.value)
    user = login(Role.OUTREACH)
    found = items_for(user)
    live, upcoming = found["quiz.live"], found["quiz.upcoming"]
    assert live.count == 2 and upcoming.count == 1
    assert "截止" in live.detail and "开始" in upcoming.detail
    assert listed(client, live.url) == 2 and listed(client, upcoming.url) == 1
    rows = table_text(client.get(live.url), "quizzes")
    assert "进行中的竞赛" in rows and "不限时间的竞赛" in rows
    assert not any(t in rows for t in ("明天开始", "未发布", "已结束", "考试"))
    assert "明天开始的竞赛" in table_text(client.get(upcoming.url), "quizzes")


# ------------------------------------------------------------------------------------- outreach


def running_campaign(name, targets, starts=-30, ends=30):
    today = local_today()
    item = outreach.save_campaign(None, {"name": name, "moment": "常态化", "starts_on": today + timedelta(days=starts),
                                         "ends_on": today + timedelta(days=ends)}, targets)
    db.session.commit()
    return item


def test_campaigns_behind_their_targets(app, client, login, places):  # noqa: F811
    village = venue("village").id
    behind = running_campaign("进村目标未完成", [{"venue_type_id": village, "town_id": None, "target": 2}])
    met = running_campaign("进村目标已完成", [{"venue_type_id": village, "town_id": None, "target": 1}])
    running_campaign("已结束未完成", [{"venue_type_id": village, "town_id": None, "target": 5}], -90, -40)
    running_campaign("尚未开始", [{"venue_type_id": village, "town_id": None, "target": 5}], 10, 40)
    running_campaign("没有目标的活动", [])
    for campaign in (behind, met):
        outreach.save_event(None, event_values(places["v1"], "village", campaign_id=campaign.id))
    db.session.commit()
    user = login(Role.OUTREACH)
    item = items_for(user)["outreach.behind"]
    assert (item.count, item.level, item.detail) == (1, "warning", "进行中，共 1 项目标未完成")
    assert [r.title for r in item.rows] == ["进村目标未完成"]
    assert listed(client, item.url) == 1
    rows = table_text(client.get(item.url), "campaigns")
    assert "进村目标未完成" in rows and "1 项目标未完成" in rows and "已完成" not in rows


# ---------------------------------------------------------------------------------------- roles


ROLE_KEYS = {
    Role.PLAN_REVIEWER: ["plans.evaluation", "plans.revision", "plans.drill_overdue"],
    Role.DRILL: ["plans.drill_overdue", "drills.problems_unclosed", "drills.problems_overdue"],
    Role.TRAINING: ["training.sessions_week", "training.certificates_expiring", "quiz.live", "quiz.upcoming"],
    Role.OUTREACH: ["quiz.live", "quiz.upcoming", "outreach.behind"],
    Role.LEADER: [k.key for k in due.KINDS],
    Role.ADMIN: [k.key for k in due.KINDS],
}


@pytest.mark.parametrize("role", list(ROLE_KEYS))
def test_each_role_sees_its_items_even_when_nothing_is_due(app, client, login, role):
    login(role)
    shown = on_dashboard(client)
    assert list(shown) == ROLE_KEYS[role]
    assert all(count == 0 for count, _ in shown.values())
    text = page_text(client.get("/dashboard"))
    assert "待办与提醒" in text and "已全部检查，暂无待办" in text
    for _, href in shown.values():
        assert client.get(href).status_code == 200


def test_a_user_with_two_roles_sees_both_lists_once(app, factory):
    from webapp.auth import services as auth_services

    user = auth_services.create_user("duo", "双岗用户", "Secret123", [Role.TRAINING, Role.OUTREACH])
    db.session.commit()
    assert due.keys_for(user) == ["training.sessions_week", "training.certificates_expiring", "quiz.live",
                                  "quiz.upcoming", "outreach.behind"]


def test_an_item_needs_its_module_permission(app, factory, monkeypatch):
    from webapp.auth import permissions

    user = factory.user(Role.DRILL)
    monkeypatch.setitem(permissions.PERMISSIONS, "drills.view", frozenset({Role.LEADER}))
    assert due.keys_for(user) == []


def test_the_dashboard_shows_the_counts_and_links_of_the_items(app, client, login, make_plan, make_session):  # noqa: F811
    plan_with(make_plan, "退回修订的预案", PlanStatus.NEEDS_REVISION)
    make_session(trainees=2, capacity=10, title="本周的班次")
    login(Role.LEADER)
    shown = on_dashboard(client)
    assert shown["plans.revision"] == (1, "/plans/?status=needs_revision")
    assert shown["training.sessions_week"][0] == 1
    card = page_text(client.get("/dashboard")).split("待办与提醒", 1)[1]
    assert "需修订的预案" in card and "本周的班次" in card and "满员率 20%" in card
