"""The status flow from the review page: 草稿 → 评审中 → 已发布 → 已备案 → 需修订 → 评审中, 已废止
ends it; each move allowed only from the statuses services.ALLOWED lists, publishing and filing
only with a passing review record, and every move recorded with who and when."""

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from tests.conftest import page_text
from webapp.auth.permissions import Role
from webapp.common.time import local_today
from webapp.extensions import db
from webapp.plans import review
from webapp.plans.models import ExpertReview, Plan, PlanStatus, RevisionRequest, StatusChange


def status_of(plan) -> str:
    db.session.expire_all()
    return db.session.get(Plan, plan.id).status


def changes(plan) -> list[StatusChange]:
    db.session.expire_all()
    return list(db.session.scalars(select(StatusChange).where(StatusChange.plan_id == plan.id)
                                   .order_by(StatusChange.id)))


def move(client, plan, to, **data):
    return client.post(f"/plans/{plan.id}/status", data={"to": to} | data, follow_redirects=True)


def test_the_whole_flow_with_who_and_when(client, login, make_plan):
    user = login(Role.PLAN_REVIEWER)
    plan = make_plan(user=user)
    today = local_today()

    assert "已由“草稿”改为“评审中”" in page_text(move(client, plan, "in_review", note="提交专家评审"))
    assert status_of(plan) == "in_review"

    refused = page_text(move(client, plan, "published"))
    assert "发布前须有结论为“通过”或“修改后通过”的评审（论证）记录" in refused
    assert status_of(plan) == "in_review"

    client.post(f"/plans/{plan.id}/reviews/new", data={
        "held_on": (today - timedelta(days=1)).isoformat(), "form": "评审", "conclusion": "通过",
        "opinions": "同意发布", "experts-0-name": "周敏", "experts-0-title": "高级工程师", "experts-0-unit": "市安全生产协会"})
    issued = today - timedelta(days=1)
    assert "已由“评审中”改为“已发布”" in page_text(move(client, plan, "published", issued_on=issued.isoformat()))
    plan = db.session.get(Plan, plan.id)
    assert plan.status == "published" and plan.issued_on == issued
    assert plan.next_evaluation_on == issued.replace(year=issued.year + 3)

    form = page_text(client.get(f"/plans/{plan.id}/file"))
    assert "备案期限" in form and "结论“通过”" in form
    refused = client.post(f"/plans/{plan.id}/file", data={"filing_number": "", "filed_on": ""})
    assert "请填写备案编号" in page_text(refused) and "请填写备案日期" in page_text(refused)
    assert status_of(plan) == "published"
    response = client.post(f"/plans/{plan.id}/file", data={"filing_number": "东应急预备〔2026〕015号",
                                                           "filed_on": today.isoformat()}, follow_redirects=True)
    assert "已备案，备案编号 东应急预备〔2026〕015号" in page_text(response)
    plan = db.session.get(Plan, plan.id)
    assert (plan.status, plan.filing_number, plan.filed_on) == ("filed", "东应急预备〔2026〕015号", today)

    due = today + timedelta(days=30)
    response = client.post(f"/plans/{plan.id}/return", data={
        "problems": "应急组织机构未明确组长联系方式\n\n  物资清单缺少数量  ", "assignee": "东镇化工有限公司安全环保部",
        "due_on": due.isoformat()}, follow_redirects=True)
    page = page_text(response)
    assert "已退回修订，整改意见已记录" in page
    assert "应急组织机构未明确组长联系方式" in page and "东镇化工有限公司安全环保部" in page
    assert status_of(plan) == "needs_revision"
    request = db.session.scalar(select(RevisionRequest).where(RevisionRequest.plan_id == plan.id))
    assert request.problems == ["应急组织机构未明确组长联系方式", "物资清单缺少数量"]
    assert (request.assignee, request.due_on, request.user_id) == ("东镇化工有限公司安全环保部", due, user.id)

    assert "已由“需修订”改为“评审中”" in page_text(move(client, plan, "in_review"))

    recorded = changes(plan)
    assert [(c.from_status, c.to_status) for c in recorded] == [
        (None, "draft"), ("draft", "in_review"), ("in_review", "published"), ("published", "filed"),
        ("filed", "needs_revision"), ("needs_revision", "in_review")]
    assert all(c.user_id == user.id and c.created_at is not None for c in recorded)
    assert recorded[1].note == "提交专家评审"
    assert recorded[4].note == "应急组织机构未明确组长联系方式；物资清单缺少数量"
    history = page_text(client.get(f"/plans/{plan.id}/review"))
    assert "测试用户：已发布 → 已备案" in history and "测试用户：草稿 → 评审中（提交专家评审）" in history


@pytest.mark.parametrize(("start", "to", "message"), [
    ("draft", "published", "预案当前为“草稿”，不能改为“已发布”；可改为："),
    ("draft", "draft", "预案当前为“草稿”，不能改为“草稿”"),
    ("in_review", "withdrawn", "预案当前为“评审中”，不能改为“已废止”"),
    ("filed", "published", "预案当前为“已备案”，不能改为“已发布”"),
    ("draft", "archived", "未知的预案状态"),
])
def test_a_status_change_not_allowed_from_the_current_status_is_refused(client, login, make_plan, start, to,
                                                                        message):
    plan = make_plan(user=login(Role.PLAN_REVIEWER), reviewed=True)
    plan.status = start
    db.session.commit()
    count = len(changes(plan))
    page = page_text(move(client, plan, to, note="试试", issued_on=local_today().isoformat()))
    assert message in page
    assert status_of(plan) == start and len(changes(plan)) == count


def test_the_page_offers_only_the_allowed_moves(client, login, make_plan):
    plan = make_plan(user=login(Role.PLAN_REVIEWER))
    actions = page_text(client.get(f"/plans/{plan.id}/review")).split("状态记录")[0]
    assert "提交评审" in actions and "废止" in actions
    assert "发布" not in actions.replace("发布日期", "") and "备案" not in actions and "退回修订" not in actions
    assert [label for _to, label in review.actions(plan)] == ["提交评审", "废止"]


def test_filing_without_a_review_record_is_refused(client, login, make_plan):
    plan = make_plan(user=login(Role.PLAN_REVIEWER))
    plan.status, plan.issued_on = "published", local_today() - timedelta(days=5)  # published before review existed
    db.session.add(ExpertReview(plan_id=plan.id, held_on=date(2026, 1, 5), experts=[{"name": "周敏"}],
                                opinions="不符合要求", conclusion="不通过"))
    db.session.commit()
    assert "无结论为“通过”或“修改后通过”的评审记录" in page_text(client.get(f"/plans/{plan.id}/file"))
    response = client.post(f"/plans/{plan.id}/file", data={"filing_number": "东应急预备〔2026〕016号",
                                                           "filed_on": local_today().isoformat()})
    assert "备案须附评审意见：本预案还没有结论为“通过”或“修改后通过”的评审（论证）记录" in page_text(response)
    plan = db.session.get(Plan, plan.id)
    assert (status_of(plan), plan.filing_number, plan.filed_on) == ("published", None, None)


def test_filing_number_taken_and_future_date_are_refused(client, login, make_plan):
    user = login(Role.PLAN_REVIEWER)
    first, second = make_plan(user=user, reviewed=True), make_plan(title="第二个预案", user=user, reviewed=True)
    for plan in (first, second):
        plan.status, plan.issued_on = "published", local_today() - timedelta(days=3)
    first.filing_number = "东应急预备〔2026〕001号"
    db.session.commit()
    response = client.post(f"/plans/{second.id}/file", data={
        "filing_number": "东应急预备〔2026〕001号", "filed_on": (local_today() + timedelta(days=2)).isoformat()})
    page = page_text(response)
    assert "备案编号“东应急预备〔2026〕001号”已被其他预案使用" in page and "备案日期不能晚于今天" in page
    assert status_of(second) == "published"


def test_publishing_with_a_future_date_is_refused(client, login, make_plan):
    plan = make_plan(user=login(Role.PLAN_REVIEWER), reviewed=True)
    plan.status = "in_review"
    db.session.commit()
    page = page_text(move(client, plan, "published", issued_on=(local_today() + timedelta(days=1)).isoformat()))
    assert "发布日期不能晚于今天" in page and status_of(plan) == "in_review"


@pytest.mark.parametrize(("data", "message"), [
    ({"problems": " \n ", "assignee": "安全环保部"}, "请逐条填写发现的问题（整改意见）"),
    ({"problems": "缺少物资清单", "assignee": " "}, "请填写负责整改的单位或人员"),
    ({"problems": "缺少物资清单", "assignee": "安全环保部", "due_on": "2020-01-01"}, "整改期限不能早于今天"),
])
def test_returning_for_revision_needs_problems_and_assignee(client, login, make_plan, data, message):
    plan = make_plan(user=login(Role.PLAN_REVIEWER))
    plan.status = "in_review"
    db.session.commit()
    response = client.post(f"/plans/{plan.id}/return", data=data)
    assert message in page_text(response)
    assert status_of(plan) == "in_review"
    assert db.session.scalar(select(func.count()).select_from(RevisionRequest)) == 0


def test_returning_a_draft_is_refused(client, login, make_plan):
    plan = make_plan(user=login(Role.PLAN_REVIEWER))
    response = client.post(f"/plans/{plan.id}/return", data={"problems": "缺少物资清单", "assignee": "安全环保部"})
    assert "预案当前为“草稿”，不能改为“需修订”" in page_text(response)
    assert status_of(plan) == "draft"
    assert db.session.scalar(select(func.count()).select_from(RevisionRequest)) == 0


def test_a_withdrawn_plan_cannot_move_or_take_comments(client, login, make_plan):
    plan = make_plan(user=login(Role.PLAN_REVIEWER), reviewed=True)
    assert "请填写废止原因" in page_text(move(client, plan, "withdrawn", note=" "))
    assert status_of(plan) == "draft"
    assert "已由“草稿”改为“已废止”" in page_text(move(client, plan, "withdrawn", note="企业已关闭"))
    assert changes(plan)[-1].note == "企业已关闭"
    count = len(changes(plan))
    for to in [s.value for s in PlanStatus]:
        assert "预案当前为“已废止”，不能改为" in page_text(move(client, plan, to))
    response = client.post(f"/plans/{plan.id}/file", data={"filing_number": "X-1", "filed_on": local_today().isoformat()})
    assert "预案当前为“已废止”，不能改为“已备案”" in page_text(response)
    assert status_of(plan) == "withdrawn" and len(changes(plan)) == count
    page = page_text(client.get(f"/plans/{plan.id}/review"))
    assert "预案已废止，不能再变更状态" in page and "发表评论" not in page
    response = client.post(f"/plans/{plan.id}/comments", data={"section_key": "s1", "body": "意见"})
    assert response.status_code == 422 and "预案已废止，不能再评论" in page_text(response)


def test_leaders_read_but_every_post_is_forbidden(client, login, make_plan, factory):
    author = factory.user(Role.PLAN_REVIEWER)
    plan = make_plan(user=author, reviewed=True)
    comment = review.add_comment(plan, "s1", "意见", author)
    record = db.session.scalar(select(ExpertReview).where(ExpertReview.plan_id == plan.id))
    db.session.commit()
    login(Role.LEADER)
    page = client.get(f"/plans/{plan.id}/review")
    assert page.status_code == 200 and "意见" in page_text(page)
    assert "发表评论" not in page_text(page) and "提交评审" not in page_text(page)
    posts = [
        (f"/plans/{plan.id}/status", {"to": "in_review"}),
        (f"/plans/{plan.id}/file", {"filing_number": "X", "filed_on": local_today().isoformat()}),
        (f"/plans/{plan.id}/return", {"problems": "问题", "assignee": "单位"}),
        (f"/plans/{plan.id}/reviews/new", {"held_on": local_today().isoformat()}),
        (f"/plans/reviews/{record.id}/document", {}),
        (f"/plans/{plan.id}/comments", {"section_key": "s1", "body": "领导意见"}),
        (f"/plans/comments/{comment.id}/resolve", {"action": "resolve"}),
        (f"/plans/{plan.id}/sections/s1/propose", {"content": "<p>改</p>"}),
        (f"/plans/comments/{comment.id}/decide", {"decision": "accept"}),
    ]
    for url, data in posts:
        assert client.post(url, data=data).status_code == 403, url
    for url in (f"/plans/{plan.id}/file", f"/plans/{plan.id}/return", f"/plans/{plan.id}/reviews/new"):
        assert client.get(url).status_code == 403, url
    assert status_of(plan) == "draft" and len(review.comments_of(plan)) == 1


def test_a_missing_plan_is_404(client, login):
    login(Role.PLAN_REVIEWER)
    assert client.get("/plans/999999/review").status_code == 404
    assert client.get("/plans/99999999999/review").status_code == 404
    assert client.post("/plans/99999999999/status", data={"to": "in_review"}).status_code == 404
