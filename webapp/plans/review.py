"""Review of a plan: comments on its sections (threaded one level deep, resolvable), suggestions
(an edit a reviewer proposes and the plan's author accepts or rejects), the expert review record
(评审 / 论证, with its own document), and the status actions the review page offers.

Who decides a suggestion: the plan's author (the user who created it, Plan.created_by_id) or a
system administrator — the way a unit's drafter accepts or rejects a reviewer's marked-up Word file.
An accepted suggestion goes through services.save_section with the revision the suggestion was
made against, so a suggestion never overwrites an edit made after it (optimistic locking).

Services flush; the request commits once.
"""

from collections import defaultdict
from datetime import date
from types import SimpleNamespace

from flask import current_app
from markupsafe import escape
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from webapp.auth.models import User
from webapp.auth.permissions import Role
from webapp.common.time import format_local, local_today, utcnow
from webapp.documents.richtext import sanitize
from webapp.errors import FieldErrors, UserError
from webapp.extensions import db
from webapp.plans import services
from webapp.plans.models import (
    ExpertReview,
    Plan,
    PlanComment,
    PlanSection,
    PlanStatus,
    RevisionRequest,
)

MAX_BODY = 2000
MAX_OPINIONS = 5000
REVIEW_FORMS = ("评审", "论证")  # 2019 办法 art. 21: high-risk units 评审, other units may 论证 (self-evaluation)
CONCLUSIONS = ("通过", "修改后通过", "不通过")
MAX_EXPERTS = 15
# DOMAIN.md §1 (2019 办法 art. 21–22) asks for reviewers "including safety and emergency experts"
# but sets no number; regions that fix one (often 3 or more for 评审) set PLAN_REVIEW_MIN_EXPERTS.
DEFAULT_MIN_EXPERTS = {"评审": 1, "论证": 1}


class NotAuthor(UserError):
    """Only the plan's author or an administrator decides on a suggestion (the view answers 403)."""


# ------------------------------------------------------------------------------------ comments


def section_of(plan: Plan, key: str) -> PlanSection:
    section = db.session.scalar(select(PlanSection).where(PlanSection.plan_id == plan.id, PlanSection.key == key))
    if section is None:
        raise UserError("预案中没有这一节（可能已被删除或版本已恢复），请刷新页面")
    return section


def _not_withdrawn(plan: Plan, what: str) -> None:
    if plan.status == PlanStatus.WITHDRAWN:
        raise UserError(f"预案已废止，不能再{what}")


def _body(body: str | None, label: str = "评论内容", required: bool = True) -> str:
    text = (body or "").strip()
    if required and not text:
        raise FieldErrors({"body": f"请填写{label}"})
    if len(text) > MAX_BODY:
        raise FieldErrors({"body": f"{label}不能超过 {MAX_BODY} 字（现有 {len(text)} 字）"})
    return text


def add_comment(plan: Plan, section_key: str, body: str, user, parent: PlanComment | None = None) -> PlanComment:
    """A comment on a section, or a reply to one. Threads are one level deep: a reply answers a
    top-level comment of the same plan, never another reply."""
    _not_withdrawn(plan, "评论")
    text = _body(body)
    if parent is not None:
        if parent.plan_id != plan.id:
            raise UserError("要回复的评论不属于本预案")
        if parent.parent_id is not None:
            raise UserError("只能回复一级评论，不能回复“回复”；请在原评论下继续回复")
        section_key = parent.section_key
    else:
        section_of(plan, section_key)
    comment = PlanComment(plan_id=plan.id, section_key=section_key, parent_id=parent.id if parent else None,
                          body=text, user_id=getattr(user, "id", None))
    db.session.add(comment)
    db.session.flush()
    return comment


def resolve(comment: PlanComment, user) -> None:
    if comment.parent_id is not None:
        raise UserError("回复不能单独标记为已解决，请解决整条评论")
    if comment.resolved:
        raise UserError("这条评论已标记为已解决")
    if comment.suggestion is not None:
        raise UserError("修改建议须由预案编制人采纳或拒绝，不能直接标记为已解决")
    comment.resolved, comment.resolved_by_id, comment.resolved_at = True, getattr(user, "id", None), utcnow()
    db.session.flush()


def reopen(comment: PlanComment, user) -> None:
    if comment.parent_id is not None or not comment.resolved:
        raise UserError("这条评论没有标记为已解决，无需重新打开")
    if comment.decision is not None:
        raise UserError("已采纳或已拒绝的修改建议不能重新打开；如仍需修改，请重新提出建议")
    comment.resolved, comment.resolved_by_id, comment.resolved_at = False, None, None
    db.session.flush()


def propose(plan: Plan, section: PlanSection, new_content: str, note: str, user) -> PlanComment:
    """A suggestion: the section's proposed new text, remembered with the revision it was made
    against so accepting it later cannot overwrite someone else's edit."""
    _not_withdrawn(plan, "提出修改建议")
    if section.plan_id != plan.id:
        raise UserError("该章节不属于本预案")
    content = sanitize(new_content or "")
    errors = {}
    if not services.html_text(content) and "<table" not in content:
        errors["content"] = "请填写建议修改后的本节内容"
    elif content == section.content:
        errors["content"] = "建议的内容与本节当前内容相同，没有需要修改的地方"
    try:
        text = _body(note, "修改说明", required=False)
    except FieldErrors as exc:
        errors["note"] = exc.errors["body"]
        text = ""
    if errors:
        raise FieldErrors(errors)
    comment = PlanComment(plan_id=plan.id, section_key=section.key, body=text or "建议修改本节内容",
                          suggestion=content, suggestion_base_revision=section.revision,
                          user_id=getattr(user, "id", None))
    db.session.add(comment)
    db.session.flush()
    return comment


def suggestion_diff(comment: PlanComment, section: PlanSection) -> str:
    """The suggestion against the section's current text, additions and deletions marked
    (<ins>/<del> around escaped text), as the version comparison shows them."""
    def one(content: str) -> SimpleNamespace:
        return SimpleNamespace(sections=[{"key": section.key, "number": section.number, "title": section.title,
                                          "level": section.level, "content": content}])

    html = services.compare(one(section.content), one(comment.suggestion or ""))[0].html
    title = f"{escape(section.title)}<br>"  # the same title on both sides: not part of the change
    return html.removeprefix(title)


def can_decide(plan: Plan, user) -> bool:
    """The plan's author or an administrator decides on suggestions."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return user.id == plan.created_by_id or Role.ADMIN in user.role_set


def _open_suggestion(comment: PlanComment, user) -> Plan:
    plan = db.session.get(Plan, comment.plan_id)
    if comment.suggestion is None:
        raise UserError("这条评论不是修改建议，无需采纳或拒绝")
    if comment.decision is not None:
        raise UserError(f"这条修改建议已{'采纳' if comment.decision == 'accepted' else '拒绝'}，不能再次处理")
    if not can_decide(plan, user):
        raise NotAuthor("只有预案的编制人（创建者）或系统管理员可以采纳或拒绝修改建议")
    return plan


def _close(comment: PlanComment, decision: str, user) -> None:
    comment.decision = decision
    comment.resolved, comment.resolved_by_id, comment.resolved_at = True, getattr(user, "id", None), utcnow()


def accept(comment: PlanComment, user) -> PlanSection:
    """The suggestion becomes the section's text (a new version) — unless the section changed
    since it was proposed: then nothing is saved and the suggestion stays open."""
    plan = _open_suggestion(comment, user)
    section = section_of(plan, comment.section_key)
    try:
        services.save_section(section, comment.suggestion, comment.suggestion_base_revision, user)
    except services.EditConflict as exc:
        who = section.updated_by.display_name if section.updated_by else "其他用户"
        raise UserError(
            f"无法采纳：{who} 在这条建议提出之后修改了“{section.number} {section.title}”"
            f"（{format_local(section.updated_at)}），直接采纳会覆盖对方的修改。本节内容没有改变，建议仍待处理；"
            "请对照本节现在的内容重新提出建议，或拒绝这条建议。") from exc
    latest = services.version(plan, plan.version_number)
    proposer = db.session.get(User, comment.user_id) if comment.user_id else None
    latest.note = f"采纳{proposer.display_name if proposer else ''}的修改建议：{section.number} {section.title}"[:200]
    _close(comment, "accepted", user)
    db.session.flush()
    return section


def reject(comment: PlanComment, user, reason: str = "") -> None:
    """The section keeps its text; the reason, if given, is kept as a reply on the suggestion."""
    plan = _open_suggestion(comment, user)
    text = _body(reason, "拒绝理由", required=False)
    if text:
        db.session.add(PlanComment(plan_id=plan.id, section_key=comment.section_key, parent_id=comment.id,
                                   body=f"拒绝理由：{text}", user_id=getattr(user, "id", None)))
    _close(comment, "rejected", user)
    db.session.flush()


def open_counts(plan: Plan) -> dict[str, int]:
    """section key → open (unresolved) top-level comments and suggestions."""
    rows = db.session.execute(select(PlanComment.section_key, func.count())
                              .where(PlanComment.plan_id == plan.id, PlanComment.parent_id.is_(None),
                                     PlanComment.resolved.is_(False))
                              .group_by(PlanComment.section_key))
    return dict(rows.all())


def comments_of(plan: Plan, section_key: str | None = None) -> list[PlanComment]:
    """Top-level comments (open first, then resolved; oldest first) with their replies and authors
    loaded in a fixed number of queries."""
    query = (select(PlanComment).where(PlanComment.plan_id == plan.id, PlanComment.parent_id.is_(None))
             .options(selectinload(PlanComment.user),
                      selectinload(PlanComment.replies).selectinload(PlanComment.user))
             .order_by(PlanComment.resolved, PlanComment.id))
    if section_key is not None:
        query = query.where(PlanComment.section_key == section_key)
    return list(db.session.scalars(query))


def threads_by_section(plan: Plan) -> dict[str, list[PlanComment]]:
    grouped: dict[str, list[PlanComment]] = defaultdict(list)
    for comment in comments_of(plan):
        grouped[comment.section_key].append(comment)
    return grouped


def user_names(comments: list[PlanComment]) -> dict[int, str]:
    """Who resolved each comment (one query for the page)."""
    ids = {c.resolved_by_id for c in comments if c.resolved_by_id}
    if not ids:
        return {}
    return dict(db.session.execute(select(User.id, User.display_name).where(User.id.in_(ids))).all())


# ------------------------------------------------------------------------------ expert reviews


def min_experts(form: str) -> int:
    return current_app.config.get("PLAN_REVIEW_MIN_EXPERTS", DEFAULT_MIN_EXPERTS).get(form, 1)


def clean_experts(experts: list[dict]) -> tuple[list[dict], str | None]:
    """Rows with any text kept, trimmed; the first problem found, if any."""
    rows, seen = [], set()
    for n, raw in enumerate(experts or [], 1):
        row = {k: (raw.get(k) or "").strip() for k in ("name", "title", "unit")}
        if not any(row.values()):
            continue
        if not row["name"]:
            return rows, f"第 {n} 行专家没有填写姓名"
        if len(row["name"]) > 32 or len(row["title"]) > 64 or len(row["unit"]) > 100:
            return rows, f"第 {n} 行专家信息过长（姓名不超过 32 字，职称不超过 64 字，单位不超过 100 字）"
        if row["name"] in seen:
            return rows, f"专家“{row['name']}”重复填写"
        seen.add(row["name"])
        rows.append(row)
    if len(rows) > MAX_EXPERTS:
        return rows, f"专家最多填写 {MAX_EXPERTS} 人"
    return rows, None


def record_review(plan: Plan, held_on: date | None, form: str, experts: list[dict], opinions: str,
                  conclusion: str, user) -> ExpertReview:
    """The review meeting's record (2019 办法 art. 21–22: written opinions, the experts, a conclusion)."""
    _not_withdrawn(plan, "记录评审")
    errors = {}
    if held_on is None:
        errors["held_on"] = "请填写评审日期"
    elif held_on > local_today():
        errors["held_on"] = f"评审日期 {held_on} 晚于今天：只能记录已经召开的评审"
    if form not in REVIEW_FORMS:
        errors["form"] = "评审形式应为“评审”或“论证”"
    rows, problem = clean_experts(experts)
    needed = min_experts(form if form in REVIEW_FORMS else "评审")
    if problem:
        errors["experts"] = problem
    elif len(rows) < needed:
        errors["experts"] = (f"请填写参加{form if form in REVIEW_FORMS else '评审'}的专家（至少 {needed} 人，"
                             "应包括安全生产和应急管理方面的专家）")
    text = (opinions or "").strip()
    if not text:
        errors["opinions"] = "请填写评审意见（书面纪要）"
    elif len(text) > MAX_OPINIONS:
        errors["opinions"] = f"评审意见不能超过 {MAX_OPINIONS} 字"
    if conclusion not in CONCLUSIONS:
        errors["conclusion"] = "评审结论应为“通过”“修改后通过”或“不通过”"
    if errors:
        raise FieldErrors(errors)
    review = ExpertReview(plan_id=plan.id, held_on=held_on, form=form, experts=rows, opinions=text,
                          conclusion=conclusion, version_number=plan.version_number, user_id=getattr(user, "id", None))
    db.session.add(review)
    db.session.flush()
    return review


def reviews_of(plan: Plan) -> list[ExpertReview]:
    return list(db.session.scalars(select(ExpertReview).where(ExpertReview.plan_id == plan.id)
                                   .order_by(ExpertReview.held_on.desc(), ExpertReview.id.desc())))


def revision_requests(plan: Plan) -> list[RevisionRequest]:
    return list(db.session.scalars(select(RevisionRequest).where(RevisionRequest.plan_id == plan.id)
                                   .order_by(RevisionRequest.id.desc())))


# -------------------------------------------------------------------------------------- status

# What the review page calls each move (services.ALLOWED decides which are possible).
ACTION_LABELS = {
    PlanStatus.IN_REVIEW: "提交评审",
    PlanStatus.PUBLISHED: "发布",
    PlanStatus.FILED: "备案",
    PlanStatus.NEEDS_REVISION: "退回修订",
    PlanStatus.WITHDRAWN: "废止",
    PlanStatus.DRAFT: "退回草稿",
}
# Moves that need their own form (filing number and date; the problems found).
FORM_MOVES = {PlanStatus.FILED: "备案登记", PlanStatus.NEEDS_REVISION: "退回修订"}


def actions(plan: Plan) -> list[tuple[str, str]]:
    """(status value, label) of the moves allowed from the plan's current status, in flow order."""
    allowed = services.ALLOWED[PlanStatus(plan.status)]
    return [(s.value, ACTION_LABELS[s]) for s in ACTION_LABELS if s in allowed]


def set_status(plan: Plan, to: str, user, note: str = "", issued_on: date | None = None) -> None:
    """A status move from the review page's buttons. Filing and returning for revision have their
    own forms (services.change_status with the filing number, services.return_for_revision)."""
    note = (note or "").strip()
    allowed = {s.value for s in services.ALLOWED.get(plan.status, ())}
    if to not in allowed:
        # Not allowed from the current status (or unknown): change_status refuses, naming the
        # moves that are allowed, before it changes anything.
        services.change_status(plan, to, user, note)
    if to in FORM_MOVES:
        raise UserError(f"{FORM_MOVES[to]}请使用{FORM_MOVES[to]}表单填写所需信息")
    if to == PlanStatus.WITHDRAWN and not note:
        raise FieldErrors({"note": "请填写废止原因"})
    if len(note) > 500:
        raise FieldErrors({"note": "说明不能超过 500 字"})
    if to == PlanStatus.PUBLISHED and issued_on and issued_on > local_today():
        raise FieldErrors({"issued_on": "发布日期不能晚于今天"})
    services.change_status(plan, to, user, note, issued_on=issued_on)


def status_note(plan: Plan) -> str | None:
    """Why 发布 / 备案 would be refused right now (shown beside the buttons)."""
    if plan.status in (PlanStatus.IN_REVIEW, PlanStatus.PUBLISHED) and services.passing_review(plan) is None:
        return "尚无结论为“通过”或“修改后通过”的评审（论证）记录：发布和备案前须先记录评审。"
    return None
