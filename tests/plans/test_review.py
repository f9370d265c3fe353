"""Review of a plan: threaded comments, suggestions the plan's author accepts or rejects (never
over someone else's later edit), and the expert review record with its Word document."""

import io
import re
from datetime import timedelta

import pytest
from docx import Document
from sqlalchemy import event, func, select

from tests.conftest import PASSWORD, page_text
from webapp.auth.permissions import Role
from webapp.common.time import local_today
from webapp.extensions import db
from webapp.plans import review, services
from webapp.plans.models import ExpertReview, PlanComment, PlanSection, PlanVersion


@pytest.fixture
def sign_in(app, factory):
    """A separate browser for another user (the author and a reviewer act side by side)."""

    def build(role=Role.PLAN_REVIEWER, user=None):
        user = user or factory.user(role)
        browser = app.test_client()
        assert browser.post("/login", data={"username": user.username, "password": PASSWORD}).status_code == 302
        return browser, user

    return build


def page_text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def section(plan, key="s2") -> PlanSection:
    db.session.expire_all()
    return db.session.scalar(select(PlanSection).where(PlanSection.plan_id == plan.id, PlanSection.key == key))


def comments(plan) -> list[PlanComment]:
    db.session.expire_all()
    return list(db.session.scalars(select(PlanComment).where(PlanComment.plan_id == plan.id).order_by(PlanComment.id)))


def version_count(plan) -> int:
    return db.session.scalar(select(func.count()).select_from(PlanVersion).where(PlanVersion.plan_id == plan.id))


# ------------------------------------------------------------------------------------ comments


def test_comment_reply_resolve_and_reopen(client, login, make_plan):
    user = login(Role.PLAN_REVIEWER)
    plan = make_plan(user=user)
    response = client.post(f"/plans/{plan.id}/comments", data={"section_key": "s2", "body": "未明确适用的事故类型"})
    assert response.status_code == 302
    top = comments(plan)[0]
    assert (top.section_key, top.body, top.user_id, top.resolved) == ("s2", "未明确适用的事故类型", user.id, False)
    client.post(f"/plans/{plan.id}/comments", data={"parent_id": top.id, "body": "已补充危险化学品泄漏"})
    reply = comments(plan)[1]
    assert (reply.parent_id, reply.section_key) == (top.id, "s2")

    page = page_text(client.get(f"/plans/{plan.id}/review"))
    assert "未明确适用的事故类型" in page and "已补充危险化学品泄漏" in page
    assert "1 条待处理" in page
    assert review.open_counts(plan) == {"s2": 1}

    client.post(f"/plans/comments/{top.id}/resolve", data={"action": "resolve"})
    top = comments(plan)[0]
    assert top.resolved and top.resolved_by_id == user.id and top.resolved_at is not None
    assert review.open_counts(plan) == {}
    page = page_text(client.get(f"/plans/{plan.id}/review"))
    assert "已解决" in page and "重新打开" in page and "待处理" not in page

    client.post(f"/plans/comments/{top.id}/resolve", data={"action": "reopen"})
    assert not comments(plan)[0].resolved
    assert review.open_counts(plan) == {"s2": 1}


def test_a_reply_to_a_reply_is_refused(client, login, make_plan):
    user = login(Role.PLAN_REVIEWER)
    plan = make_plan(user=user)
    top = review.add_comment(plan, "s2", "请补充响应分级", user)
    reply = review.add_comment(plan, "s2", "已补充", user, parent=top)
    db.session.commit()

    response = client.post(f"/plans/{plan.id}/comments", data={"parent_id": reply.id, "body": "还不够具体"})
    assert response.status_code == 422
    page = page_text(response)
    assert "只能回复一级评论，不能回复“回复”" in page
    assert "还不够具体" in page  # what was typed is shown again
    assert len(comments(plan)) == 2


def test_a_reply_to_a_comment_of_another_plan_is_refused(client, login, make_plan):
    user = login(Role.PLAN_REVIEWER)
    plan, other = make_plan(user=user), make_plan(title="另一个预案", user=user)
    foreign = review.add_comment(other, "s1", "别的预案的评论", user)
    db.session.commit()
    response = client.post(f"/plans/{plan.id}/comments", data={"parent_id": foreign.id, "body": "回复"})
    assert response.status_code == 422 and "要回复的评论不属于本预案" in page_text(response)
    assert comments(plan) == []


@pytest.mark.parametrize(("body", "message"), [
    ("   ", "请填写评论内容"),
    ("意" * 2001, "评论内容不能超过 2000 字（现有 2001 字）"),
])
def test_an_empty_or_too_long_comment_is_refused(client, login, make_plan, body, message):
    user = login(Role.PLAN_REVIEWER)
    plan = make_plan(user=user)
    response = client.post(f"/plans/{plan.id}/comments", data={"section_key": "s3", "body": body})
    assert response.status_code == 422
    assert message in page_text(response)
    assert comments(plan) == []


def test_a_comment_on_a_section_the_plan_does_not_have_is_refused(client, login, make_plan):
    plan = make_plan(user=login(Role.PLAN_REVIEWER))
    response = client.post(f"/plans/{plan.id}/comments", data={"section_key": "s999", "body": "意见"})
    assert response.status_code == 422 and "预案中没有这一节" in page_text(response)
    assert comments(plan) == []


def test_comments_load_in_a_fixed_number_of_queries(app, make_plan, factory):
    user = factory.user(Role.PLAN_REVIEWER)
    plan = make_plan(user=user)

    def count_queries() -> int:
        db.session.expire_all()
        seen = []
        listener = lambda *args: seen.append(1)  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            threads = review.comments_of(plan)
            for c in threads:
                _ = [c.user.display_name] + [(r.body, r.user.display_name) for r in c.replies]
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
        return len(seen)

    top = review.add_comment(plan, "s1", "意见 1", user)
    review.add_comment(plan, "s1", "回复 1", user, parent=top)
    db.session.commit()
    few = count_queries()
    for n in range(8):
        other = factory.user(Role.PLAN_REVIEWER)
        top = review.add_comment(plan, f"s{n + 2}", f"意见 {n}", other)
        review.add_comment(plan, f"s{n + 2}", f"回复 {n}", user, parent=top)
    db.session.commit()
    assert count_queries() == few
    assert len(review.comments_of(plan, "s3")) == 1


# --------------------------------------------------------------------------------- suggestions


def test_an_accepted_suggestion_becomes_the_section_text_and_a_new_version(make_plan, sign_in):
    author_browser, author = sign_in()
    reviewer_browser, reviewer = sign_in()
    plan = make_plan(user=author)
    before = section(plan)
    base_revision, base_content = before.revision, before.content
    versions_before = version_count(plan)

    form = page_text(reviewer_browser.get(f"/plans/{plan.id}/review?propose=s2"))
    assert "提交修改建议" in form and "说明本预案适用的工作范围" in form  # prefilled with the current text
    response = reviewer_browser.post(f"/plans/{plan.id}/sections/s2/propose", data={
        "content": "<p>适用于本公司危险化学品泄漏、火灾爆炸事故。</p><script>alert(1)</script>",
        "note": "明确事故类型"})
    assert response.status_code == 302
    suggestion = comments(plan)[0]
    assert suggestion.suggestion == "<p>适用于本公司危险化学品泄漏、火灾爆炸事故。</p>"  # sanitized
    assert suggestion.suggestion_base_revision == base_revision
    assert section(plan).content == base_content  # nothing changes until the author decides

    html = author_browser.get(f"/plans/{plan.id}/review").get_data(as_text=True)
    assert "修改建议" in page_text_of(html) and "明确事故类型" in html and "采纳" in html
    diff = html.split('data-testid="suggestion-diff">', 1)[1].split("</div>", 1)[0]
    assert "<ins>" in diff and "危险化学品泄漏" in diff and "<del>说明本预案</del>" in diff
    assert not diff.startswith("适用范围")
    response = author_browser.post(f"/plans/comments/{suggestion.id}/decide", data={"decision": "accept"},
                                   follow_redirects=True)
    assert "已采纳修改建议" in page_text(response)

    after = section(plan)
    assert after.content == "<p>适用于本公司危险化学品泄漏、火灾爆炸事故。</p>"
    assert after.revision == base_revision + 1 and after.updated_by_id == author.id
    assert version_count(plan) == versions_before + 1
    latest = services.version(plan, plan.version_number)
    assert latest.note.startswith("采纳") and "1.1 适用范围" in latest.note
    assert {s["key"]: s["content"] for s in latest.sections}["s2"] == after.content
    done = comments(plan)[0]
    assert (done.decision, done.resolved, done.resolved_by_id) == ("accepted", True, author.id)


def test_accepting_after_someone_else_edited_the_section_is_refused(make_plan, sign_in, factory):
    author_browser, author = sign_in()
    plan = make_plan(user=author)
    base = section(plan)
    suggestion = review.propose(plan, base, "<p>建议的新文本</p>", "", factory.user(Role.PLAN_REVIEWER))
    db.session.commit()
    editor = factory.user(Role.PLAN_REVIEWER)
    services.save_section(section(plan), "<p>另一位审核员刚保存的文本</p>", base.revision, editor)
    db.session.commit()
    versions_before = version_count(plan)

    page = page_text(author_browser.get(f"/plans/{plan.id}/review"))
    assert "本节在这条建议提出后已被修改" in page
    response = author_browser.post(f"/plans/comments/{suggestion.id}/decide", data={"decision": "accept"},
                                   follow_redirects=True)
    text = page_text(response)
    assert "无法采纳" in text and "测试用户 在这条建议提出之后修改了“1.1 适用范围”" in text
    assert "建议仍待处理" in text
    assert section(plan).content == "<p>另一位审核员刚保存的文本</p>"
    assert version_count(plan) == versions_before
    still = comments(plan)[0]
    assert still.decision is None and not still.resolved


def test_only_the_author_or_an_admin_decides(make_plan, sign_in):
    _, author = sign_in()
    other_browser, other = sign_in()
    plan = make_plan(user=author)
    suggestion = review.propose(plan, section(plan), "<p>新文本</p>", "", other)
    db.session.commit()
    before = section(plan).content

    page = page_text(other_browser.get(f"/plans/{plan.id}/review"))
    assert "修改建议" in page and "采纳" not in page  # no buttons for a non-author
    response = other_browser.post(f"/plans/comments/{suggestion.id}/decide", data={"decision": "accept"})
    assert response.status_code == 403
    assert "只有预案的编制人（创建者）或系统管理员可以采纳或拒绝修改建议" in page_text(response)
    assert section(plan).content == before and comments(plan)[0].decision is None

    admin_browser, _ = sign_in(Role.ADMIN)
    assert admin_browser.post(f"/plans/comments/{suggestion.id}/decide", data={"decision": "accept"}).status_code == 302
    assert section(plan).content == "<p>新文本</p>"


def test_a_rejected_suggestion_keeps_the_text(make_plan, sign_in, factory):
    author_browser, author = sign_in()
    plan = make_plan(user=author)
    before = section(plan)
    suggestion = review.propose(plan, before, "<p>删掉大半内容</p>", "精简", factory.user(Role.PLAN_REVIEWER))
    db.session.commit()
    versions_before = version_count(plan)

    response = author_browser.post(f"/plans/comments/{suggestion.id}/decide",
                                   data={"decision": "reject", "reason": "适用范围须保留事故类型"},
                                   follow_redirects=True)
    assert "已拒绝修改建议，本节内容保持不变" in page_text(response)
    assert section(plan).content == before.content and section(plan).revision == before.revision
    assert version_count(plan) == versions_before
    done, reason = comments(plan)
    assert (done.decision, done.resolved) == ("rejected", True)
    assert reason.parent_id == done.id and reason.body == "拒绝理由：适用范围须保留事故类型"
    assert "已拒绝" in page_text(author_browser.get(f"/plans/{plan.id}/review"))

    again = author_browser.post(f"/plans/comments/{suggestion.id}/decide", data={"decision": "accept"},
                                follow_redirects=True)
    assert "这条修改建议已拒绝，不能再次处理" in page_text(again)
    assert section(plan).content == before.content


def test_a_suggestion_equal_to_the_text_or_empty_is_refused(client, login, make_plan):
    plan = make_plan(user=login(Role.PLAN_REVIEWER))
    current = section(plan).content
    response = client.post(f"/plans/{plan.id}/sections/s2/propose", data={"content": current, "note": ""})
    assert response.status_code == 422 and "建议的内容与本节当前内容相同" in page_text(response)
    response = client.post(f"/plans/{plan.id}/sections/s2/propose", data={"content": "<p> </p>", "note": "删"})
    assert response.status_code == 422 and "请填写建议修改后的本节内容" in page_text(response)
    assert comments(plan) == []


def test_a_suggestion_is_decided_not_resolved(client, login, make_plan):
    user = login(Role.PLAN_REVIEWER)
    plan = make_plan(user=user)
    suggestion = review.propose(plan, section(plan), "<p>新</p>", "", user)
    db.session.commit()
    response = client.post(f"/plans/comments/{suggestion.id}/resolve", data={"action": "resolve"},
                           follow_redirects=True)
    assert "修改建议须由预案编制人采纳或拒绝" in page_text(response)
    assert not comments(plan)[0].resolved


# ------------------------------------------------------------------------------ expert reviews


def review_form(**overrides) -> dict:
    held = local_today() - timedelta(days=3)
    data = {"held_on": held.isoformat(), "form": "评审", "conclusion": "修改后通过",
            "opinions": "预案编制依据充分，组织机构职责明确。\n建议补充甲醇储罐泄漏的处置措施。",
            "experts-0-name": "周敏", "experts-0-title": "高级工程师", "experts-0-unit": "市安全生产协会",
            "experts-1-name": "刘洋", "experts-1-title": "注册安全工程师", "experts-1-unit": "县应急管理局",
            "experts-2-name": "陈立", "experts-2-title": "教授级高级工程师", "experts-2-unit": "省化工研究院"}
    return data | overrides


def docx_text(data: bytes) -> str:
    document = Document(io.BytesIO(data))
    cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


def test_an_expert_review_is_recorded_and_its_document_lists_experts_and_conclusion(client, login, make_plan):
    plan = make_plan(user=login(Role.PLAN_REVIEWER))
    assert "参加专家" in page_text(client.get(f"/plans/{plan.id}/reviews/new"))
    response = client.post(f"/plans/{plan.id}/reviews/new", data=review_form())
    assert response.status_code == 302
    record = db.session.scalar(select(ExpertReview).where(ExpertReview.plan_id == plan.id))
    assert record.conclusion == "修改后通过" and record.version_number == plan.version_number
    assert [e["name"] for e in record.experts] == ["周敏", "刘洋", "陈立"]
    page = page_text(client.get(f"/plans/{plan.id}/review"))
    assert "周敏（高级工程师）、刘洋（注册安全工程师）、陈立（教授级高级工程师）" in page and "修改后通过" in page

    response = client.post(f"/plans/reviews/{record.id}/document")
    assert response.status_code == 302 and response.headers["Location"].endswith(".docx")
    text = docx_text(client.get(response.headers["Location"]).data)
    assert plan.title in text and "东镇化工有限公司" in text
    for name, unit in (("周敏", "市安全生产协会"), ("刘洋", "县应急管理局"), ("陈立", "省化工研究院")):
        assert name in text and unit in text
    assert "评审结论：修改后通过" in text
    assert "1. 预案编制依据充分，组织机构职责明确。" in text and "2. 建议补充甲醇储罐泄漏的处置措施。" in text
    held = record.held_on
    assert f"{held.year}年{held.month}月{held.day}日" in text and f"第{plan.version_number}版" in text


@pytest.mark.parametrize(("overrides", "message"), [
    ({"held_on": (local_today() + timedelta(days=1)).isoformat()}, "晚于今天：只能记录已经召开的评审"),
    ({"experts-0-name": "", "experts-0-title": "", "experts-0-unit": "", "experts-1-name": "", "experts-1-title": "",
      "experts-1-unit": "", "experts-2-name": "", "experts-2-title": "", "experts-2-unit": ""},
     "请填写参加评审的专家（至少 1 人，应包括安全生产和应急管理方面的专家）"),
    ({"experts-1-name": "", "experts-1-title": "副教授"}, "第 2 行专家没有填写姓名"),
    ({"experts-1-name": "周敏"}, "专家“周敏”重复填写"),
    ({"conclusion": "基本通过"}, "评审结论"),
    ({"conclusion": ""}, "评审结论应为“通过”“修改后通过”或“不通过”"),
    ({"opinions": " "}, "请填写评审意见（书面纪要）"),
    ({"form": "座谈"}, "形式"),
])
def test_a_bad_expert_review_is_refused(client, login, make_plan, overrides, message):
    plan = make_plan(user=login(Role.PLAN_REVIEWER))
    response = client.post(f"/plans/{plan.id}/reviews/new", data=review_form(**overrides))
    assert response.status_code == 200
    assert message in page_text(response)
    assert db.session.scalar(select(func.count()).select_from(ExpertReview)) == 0


def test_the_minimum_number_of_experts_is_a_setting(app, make_plan, factory):
    app.config["PLAN_REVIEW_MIN_EXPERTS"] = {"评审": 3, "论证": 1}
    plan = make_plan()
    user = factory.user(Role.PLAN_REVIEWER)
    two = [{"name": "周敏", "title": "", "unit": ""}, {"name": "刘洋", "title": "", "unit": ""}]
    with pytest.raises(review.FieldErrors) as refused:
        review.record_review(plan, local_today(), "评审", two, "意见", "通过", user)
    assert "至少 3 人" in refused.value.errors["experts"]
    assert review.record_review(plan, local_today(), "论证", two[:1], "意见", "通过", user).form == "论证"
