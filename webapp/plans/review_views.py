"""The review page of a plan: every section with its comment threads and suggestions, the expert
review records (with their document), and the status moves allowed from the current status
(提交评审, 发布, 备案, 退回修订, 废止). Rules are in review.py and services.py; these views parse,
call and redirect."""

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from webapp.auth.permissions import require
from webapp.common.time import local_today
from webapp.errors import UserError, render_error, show_on_form
from webapp.extensions import db
from webapp.plans import bp, review, services, wordio
from webapp.plans.models import STATUS_LABELS, ExpertReview, Plan, PlanComment, PlanStatus
from webapp.plans.review_forms import (
    CommentForm,
    DecideForm,
    FilingForm,
    ProposeForm,
    ResolveForm,
    ReturnForm,
    ReviewForm,
    StatusForm,
)


def _get_or_404(model, row_id: int):
    return db.get_or_404(model, row_id)  # ids beyond the integer range: 404 by common.ids


def _failed(exc: UserError) -> None:
    """Undo what the failed service call flushed and say why."""
    db.session.rollback()
    flash(exc.message, "danger")


def _back(plan_id: int, next_url: str | None = None, anchor: str | None = None):
    """Back to the review page (or to the plan page the form came from, if it is one of ours)."""
    if next_url and next_url.startswith("/plans/") and "//" not in next_url and "\\" not in next_url:
        return redirect(next_url)
    return redirect(url_for("plans.review", plan_id=plan_id, _anchor=anchor))


def _review_page(plan: Plan, pending: dict | None = None, status: int = 200):
    if pending:
        # A refused form is shown again under its section; one that names no section of this plan
        # (or a thread of another plan) has its message shown at the top instead.
        parent = db.session.get(PlanComment, pending["parent"]) if pending.get("parent") else None
        pending["placed"] = (plan.status != PlanStatus.WITHDRAWN and any(s.key == pending.get("key") for s in plan.sections)
                             and (parent is None or parent.plan_id == plan.id))
    threads = review.threads_by_section(plan)
    all_comments = [c for items in threads.values() for c in items]
    reviews = review.reviews_of(plan)
    return render_template(
        "plans/review.html", plan=plan, sections=plan.sections, threads=threads, counts=review.open_counts(plan),
        resolvers=review.user_names(all_comments), reviews=reviews, requests=review.revision_requests(plan),
        history=services.history(plan), actions=review.actions(plan), status_note=review.status_note(plan),
        labels=STATUS_LABELS, diff=review.suggestion_diff, may_decide=review.can_decide(plan, current_user), pending=pending or {}, today=local_today(),
        filing_deadline=services.filing_deadline(plan)), status


@bp.get("/<int:plan_id>/review", endpoint="review")
@require("plans.view")
def review_page(plan_id: int):
    return _review_page(_get_or_404(Plan, plan_id))


# ------------------------------------------------------------------------------------ comments


@bp.post("/<int:plan_id>/comments")
@require("plans.review")
def comment(plan_id: int):
    plan = _get_or_404(Plan, plan_id)
    form = CommentForm()
    parent = None
    if form.parent_id.data:
        parent = _get_or_404(PlanComment, form.parent_id.data)
    key = parent.section_key if parent else (form.section_key.data or "")
    try:
        if not form.validate():
            raise UserError("；".join(str(e) for errors in form.errors.values() for e in errors))
        made = review.add_comment(plan, key, form.body.data, current_user, parent=parent)
    except UserError as exc:
        db.session.rollback()
        # Shown again with what was typed, so nothing is lost.
        return _review_page(plan, {"kind": "comment", "key": key, "parent": (parent.parent_id or parent.id) if parent else None,
                                   "text": form.body.data or "", "error": exc.message}, 422)
    flash("已回复" if parent else "已发表评论", "success")
    return _back(plan.id, form.next.data, f"comment-{made.parent_id or made.id}")


@bp.post("/comments/<int:comment_id>/resolve")
@require("plans.review")
def resolve_comment(comment_id: int):
    item = _get_or_404(PlanComment, comment_id)
    form = ResolveForm()
    if not form.validate():
        flash("请选择标记为已解决或重新打开", "danger")
        return _back(item.plan_id, form.next.data)
    try:
        if form.action.data == "reopen":
            review.reopen(item, current_user)
            flash("已重新打开这条评论", "success")
        else:
            review.resolve(item, current_user)
            flash("已标记为已解决", "success")
    except UserError as exc:
        _failed(exc)
    return _back(item.plan_id, form.next.data, f"comment-{item.id}")


@bp.post("/<int:plan_id>/sections/<key>/propose")
@require("plans.review")
def propose(plan_id: int, key: str):
    plan = _get_or_404(Plan, plan_id)
    form = ProposeForm()
    try:
        section = review.section_of(plan, key)
        if not form.validate():
            raise UserError("；".join(str(e) for errors in form.errors.values() for e in errors))
        made = review.propose(plan, section, form.content.data, form.note.data, current_user)
    except UserError as exc:
        db.session.rollback()
        return _review_page(plan, {"kind": "propose", "key": key, "text": form.content.data or "",
                                   "note": form.note.data or "", "error": exc.message}, 422)
    flash("已提出修改建议，待预案编制人采纳或拒绝", "success")
    return _back(plan.id, form.next.data, f"comment-{made.id}")


@bp.post("/comments/<int:comment_id>/decide")
@require("plans.edit")
def decide(comment_id: int):
    item = _get_or_404(PlanComment, comment_id)
    form = DecideForm()
    if not form.validate():
        flash("请选择采纳或拒绝", "danger")
        return _back(item.plan_id, form.next.data)
    try:
        if form.decision.data == "accept":
            section = review.accept(item, current_user)
            flash(f"已采纳修改建议，“{section.number} {section.title}”已更新为第 {section.plan.version_number} 版",
                  "success")
        else:
            review.reject(item, current_user, form.reason.data)
            flash("已拒绝修改建议，本节内容保持不变", "success")
    except review.NotAuthor as exc:
        return render_error(403, exc.message)
    except UserError as exc:
        _failed(exc)
    return _back(item.plan_id, form.next.data, f"comment-{item.id}")


# ------------------------------------------------------------------------------ expert reviews


@bp.route("/<int:plan_id>/reviews/new", methods=["GET", "POST"])
@require("plans.review")
def record_review(plan_id: int):
    plan = _get_or_404(Plan, plan_id)
    form = ReviewForm()
    if request.method == "GET":
        form.held_on.data = local_today()
    if form.validate_on_submit():
        experts = [{"name": row.form.name.data, "title": row.form.title.data, "unit": row.form.unit.data}
                   for row in form.experts]
        try:
            made = review.record_review(plan, form.held_on.data, form.form.data, experts, form.opinions.data,
                                        form.conclusion.data, current_user)
        except UserError as exc:
            show_on_form(form, exc)
        else:
            flash(f"已记录{made.form}：{made.held_on}，结论“{made.conclusion}”", "success")
            return redirect(url_for("plans.review", plan_id=plan.id, _anchor="reviews"))
    return render_template("plans/review_form.html", plan=plan, form=form, min_experts=review.min_experts("评审"))


@bp.post("/reviews/<int:review_id>/document")
@require("plans.review")
def review_document(review_id: int):
    record = _get_or_404(ExpertReview, review_id)
    try:
        document = wordio.render_review(db.session.get(Plan, record.plan_id), record, current_user)
    except UserError as exc:
        _failed(exc)
        return redirect(url_for("plans.review", plan_id=record.plan_id, _anchor="reviews"))
    return redirect(url_for("documents.generated_file", document_id=document.id, fmt="docx"))


# -------------------------------------------------------------------------------------- status


@bp.post("/<int:plan_id>/status")
@require("plans.review")
def status(plan_id: int):
    plan = _get_or_404(Plan, plan_id)
    form = StatusForm()
    if not form.validate():
        flash("；".join(str(e) for errors in form.errors.values() for e in errors), "danger")
        return _back(plan.id, anchor="status")
    before = plan.status_label
    try:
        review.set_status(plan, form.to.data, current_user, form.note.data, form.issued_on.data)
    except UserError as exc:
        _failed(exc)
    else:
        flash(f"预案状态已由“{before}”改为“{plan.status_label}”", "success")
    return _back(plan.id, anchor="status")


@bp.route("/<int:plan_id>/file", methods=["GET", "POST"])
@require("plans.review")
def file(plan_id: int):
    plan = _get_or_404(Plan, plan_id)
    form = FilingForm()
    if request.method == "GET":
        form.filed_on.data = local_today()
    if form.validate_on_submit():
        try:
            services.change_status(plan, PlanStatus.FILED.value, current_user, form.note.data,
                                   filed_on=form.filed_on.data, filing_number=form.filing_number.data)
        except UserError as exc:
            show_on_form(form, exc)
        else:
            flash(f"已备案，备案编号 {plan.filing_number}", "success")
            return redirect(url_for("plans.review", plan_id=plan.id, _anchor="status"))
    return render_template("plans/filing_form.html", plan=plan, form=form, passing=services.passing_review(plan),
                           deadline=services.filing_deadline(plan), allowed=PlanStatus.FILED in
                           services.ALLOWED[PlanStatus(plan.status)])


@bp.route("/<int:plan_id>/return", methods=["GET", "POST"])
@require("plans.review")
def return_for_revision(plan_id: int):
    plan = _get_or_404(Plan, plan_id)
    form = ReturnForm()
    if request.method == "GET" and not form.assignee.data:
        form.assignee.data = plan.organization.name
    if form.validate_on_submit():
        try:
            services.return_for_revision(plan, (form.problems.data or "").splitlines(), form.assignee.data or "",
                                         form.due_on.data, current_user)
        except UserError as exc:
            show_on_form(form, exc)
        else:
            flash("已退回修订，整改意见已记录", "success")
            return redirect(url_for("plans.review", plan_id=plan.id, _anchor="status"))
    return render_template("plans/return_form.html", plan=plan, form=form,
                           allowed=PlanStatus.NEEDS_REVISION in services.ALLOWED[PlanStatus(plan.status)])
