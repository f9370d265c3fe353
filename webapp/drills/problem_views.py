"""Problems a drill found and their rectification (问题与整改): recording a problem (and asking
for the plan to be revised), the list with its overdue marks and Excel, a problem's page with its
evidence, and the steps 待整改 → 整改中 → 已整改 (销号 with evidence), or back. The rules are in
problems.py; a revision request goes through the plans module."""

from flask import abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from webapp import storage
from webapp.auth.permissions import require
from webapp.common.spreadsheets import human_size, workbook_bytes, xlsx_response
from webapp.common.time import local_today
from webapp.drills import bp, services
from webapp.drills import problems as rectification
from webapp.drills.models import Drill, DrillProblem, ProblemEvidence, ProblemStatus
from webapp.drills.problem_forms import CloseForm, EvidenceForm, ProblemForm
from webapp.errors import UserError, show_on_form
from webapp.extensions import db
from webapp.listing import args_without, paginate
from webapp.plans.models import PlanStatus, RevisionRequest
from webapp.registry import services as registry
from webapp.registry.models import Organization

# The list's status filter: the three states, and the two views a bureau asks for.
STATUS_FILTERS = {"open": "待整改", "rectifying": "整改中", "closed": "已整改", "overdue": "逾期",
                  "unclosed": "未销号"}
EVIDENCE_FIELDS = ("camera", "evidence")


def _drill(drill_id: int) -> Drill:
    drill = services.get_drill(drill_id)
    if drill is None:
        abort(404)
    return drill


def _problem(problem_id: int) -> DrillProblem:
    return db.get_or_404(DrillProblem, problem_id)


def _failed(exc: UserError) -> None:
    db.session.rollback()
    flash(exc.message, "danger")


@bp.app_template_global()
def problem_overdue_days(problem: DrillProblem) -> int:
    """Days a problem not yet closed is past its due date (0: not overdue); for the drill page too."""
    if not rectification.is_overdue(problem):
        return 0
    return (local_today() - problem.due_on).days


def _uploads() -> list[tuple[bytes, str]]:
    """Every file sent in the evidence inputs (the phone camera and the file picker), as read."""
    out = []
    for name in EVIDENCE_FIELDS:
        for upload in request.files.getlist(name):
            if upload and upload.filename:
                out.append((upload.read(), upload.filename))
    return out


def _new_files(problem: DrillProblem, before: set[int]) -> list[tuple[str, str | None]]:
    """Files stored during a request that is about to roll back: their rows go, so must they."""
    return [(e.key, e.thumb_key) for e in problem.evidence if e.id not in before]


def _remove_files(files: list[tuple[str, str | None]]) -> None:
    for key, thumb in files:
        storage.delete(key)
        if thumb:
            storage.delete(thumb)


# ----------------------------------------------------------------------------------- recording


def _plan_choices(drill: Drill) -> list[tuple[str, str]]:
    out = [("", "不需要修订预案")]
    for plan in drill.plans:
        note = "（已废止，不能要求修订）" if plan.status == PlanStatus.WITHDRAWN.value else f"（{plan.status_label}）"
        out.append((str(plan.id), f"《{plan.title}》{note}"))
    return out


def _problem_values(form: ProblemForm) -> dict:
    return {name: form[name].data for name in ("description", "responsible_unit", "measure", "due_on")}


@bp.route("/<int:drill_id>/problems/new", methods=["GET", "POST"])
@require("drills.edit")
def problem_new(drill_id: int):
    drill = _drill(drill_id)
    form = ProblemForm()
    form.plan_id.choices = _plan_choices(drill)
    if form.validate_on_submit():
        try:
            problem = rectification.add_problem(drill, _problem_values(form) | {"plan_id": form.plan_id.data or ""},
                                                current_user)
        except UserError as exc:
            show_on_form(form, exc)
        else:
            db.session.commit()
            message = "已记录发现的问题"
            if problem.plan is not None:
                message += f"；已要求修订预案《{problem.plan.title}》，该预案在预案模块中为“{problem.plan.status_label}”"
            flash(message, "success")
            return redirect(url_for("drills.problem", problem_id=problem.id))
    return render_template("drills/problem_form.html", form=form, drill=drill, problem=None)


@bp.route("/problems/<int:problem_id>/edit", methods=["GET", "POST"])
@require("drills.edit")
def problem_edit(problem_id: int):
    problem = _problem(problem_id)
    drill = problem.drill
    form = ProblemForm(obj=problem)
    form.plan_id.choices = _plan_choices(drill)
    if form.validate_on_submit():
        try:
            rectification.update_problem(problem, _problem_values(form), current_user)
        except UserError as exc:
            show_on_form(form, exc)
        else:
            db.session.commit()
            flash("已保存问题的整改要求", "success")
            return redirect(url_for("drills.problem", problem_id=problem.id))
    return render_template("drills/problem_form.html", form=form, drill=drill, problem=problem)


# ---------------------------------------------------------------------------------------- list


def _org_choices() -> list[tuple[int, str]]:
    """Only organizers whose drills found problems: the filter stays short."""
    return [(r.id, r.name) for r in db.session.execute(
        select(Organization.id, Organization.name).where(Organization.id.in_(
            select(Drill.organization_id).join(DrillProblem, DrillProblem.drill_id == Drill.id).distinct()))
        .order_by(Organization.name)).all()]


@bp.get("/problems")
@require("drills.view")
def problems():
    query = rectification.problem_query(request.args).options(
        selectinload(DrillProblem.drill).selectinload(Drill.town))
    if request.args.get("format") == "xlsx":
        return _export(query)
    return render_template(
        "drills/problems.html", page=paginate(query), filters=args_without("page"),
        export_args=args_without("page", "format"), statuses=STATUS_FILTERS,
        counts=rectification.status_counts(request.args), towns=registry.towns(), orgs=_org_choices())


EXPORT_HEADERS = ("演练名称", "演练日期", "组织单位", "所在乡镇", "发现的问题", "责任单位", "整改措施", "整改期限",
                  "状态", "逾期天数", "需修订的预案", "完成日期", "整改情况")


def _export(query):
    rows = []
    for p in db.session.scalars(query):
        drill = p.drill
        rows.append((drill.title, _day(drill.held_on), drill.organization.name, drill.town.name if drill.town else "",
                     p.description, p.responsible_unit, p.measure, _day(p.due_on), p.status_label,
                     problem_overdue_days(p) or "", p.plan.title if p.plan else "", _day(p.closed_on),
                     p.closure_note))
    return xlsx_response(f"演练问题整改清单_{local_today():%Y%m%d}.xlsx", workbook_bytes(EXPORT_HEADERS, rows))


def _day(value) -> str:
    return value.isoformat() if value else ""


# -------------------------------------------------------------------------------------- detail


@bp.get("/problems/<int:problem_id>")
@require("drills.view")
def problem(problem_id: int):
    problem = db.session.scalar(select(DrillProblem).where(DrillProblem.id == problem_id).options(
        selectinload(DrillProblem.drill).selectinload(Drill.organization), selectinload(DrillProblem.plan),
        selectinload(DrillProblem.evidence)))
    if problem is None:
        abort(404)
    revision = db.session.get(RevisionRequest, problem.revision_request_id) if problem.revision_request_id else None
    return render_template("drills/problem.html", problem=problem, drill=problem.drill, revision=revision,
                           overdue_days=problem_overdue_days(problem), evidence_form=EvidenceForm(formdata=None),
                           limits=_limits())


def _limits() -> dict:
    config = current_app.config
    return {"photo": human_size(config["PHOTO_MAX_BYTES"]), "pdf": human_size(config["EVIDENCE_MAX_BYTES"]),
            "request": human_size(config["MAX_CONTENT_LENGTH"]), "count": rectification.EVIDENCE_PER_PROBLEM}


@bp.post("/problems/<int:problem_id>/start")
@require("drills.edit")
def problem_start(problem_id: int):
    problem = _problem(problem_id)
    try:
        rectification.start_rectifying(problem)
    except UserError as exc:
        _failed(exc)
    else:
        db.session.commit()
        flash("问题已改为“整改中”", "success")
    return redirect(url_for("drills.problem", problem_id=problem.id))


@bp.post("/problems/<int:problem_id>/reopen")
@require("drills.edit")
def problem_reopen(problem_id: int):
    problem = _problem(problem_id)
    try:
        rectification.reopen_problem(problem)
    except UserError as exc:
        _failed(exc)
    else:
        db.session.commit()
        flash("已撤销销号，问题回到“整改中”；整改材料保留", "success")
    return redirect(url_for("drills.problem", problem_id=problem.id))


# ------------------------------------------------------------------------------------ evidence


@bp.post("/problems/<int:problem_id>/evidence")
@require("drills.edit")
def problem_evidence(problem_id: int):
    problem = _problem(problem_id)
    uploads = _uploads()
    if not uploads:
        flash("请选择要上传的整改照片或 PDF 文件", "danger")
        return redirect(url_for("drills.problem", problem_id=problem.id, _anchor="evidence"))
    before = {e.id for e in problem.evidence}
    try:
        for data, filename in uploads:
            rectification.add_evidence(problem, data, filename, current_user)
    except UserError as exc:
        stored = _new_files(problem, before)
        _failed(exc)
        _remove_files(stored)
    else:
        db.session.commit()
        flash(f"已上传 {len(uploads)} 份整改材料", "success")
    return redirect(url_for("drills.problem", problem_id=problem.id, _anchor="evidence"))


@bp.get("/evidence/<int:evidence_id>/<size>")
@require("drills.view")
def evidence(evidence_id: int, size: str):
    if size not in ("full", "thumb"):
        abort(404)
    item = db.get_or_404(ProblemEvidence, evidence_id)
    key = item.thumb_key if size == "thumb" and item.kind == "photo" and item.thumb_key else item.key
    if not storage.exists(key):
        abort(404)
    if item.kind == "pdf":  # a download, never shown inline: the browser's PDF viewer runs its scripts
        response = send_file(storage.open_file(key), mimetype="application/pdf", as_attachment=True,
                             download_name=item.filename or "整改材料.pdf")
    else:  # stored as a resized JPEG whatever was uploaded
        response = send_file(storage.open_file(key), mimetype="image/jpeg")
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, max-age=3600"
    return response


@bp.post("/evidence/<int:evidence_id>/delete")
@require("drills.edit")
def evidence_delete(evidence_id: int):
    item = db.get_or_404(ProblemEvidence, evidence_id)
    problem_id, name = item.problem_id, item.filename
    try:
        rectification.remove_evidence(item)
    except UserError as exc:
        _failed(exc)
    else:
        db.session.commit()
        flash(f"已删除整改材料“{name}”", "success")
    return redirect(url_for("drills.problem", problem_id=problem_id, _anchor="evidence"))


# --------------------------------------------------------------------------------------- close


@bp.route("/problems/<int:problem_id>/close", methods=["GET", "POST"])
@require("drills.edit")
def problem_close(problem_id: int):
    problem = _problem(problem_id)
    if problem.status == ProblemStatus.CLOSED.value:
        flash("问题已整改销号", "info")
        return redirect(url_for("drills.problem", problem_id=problem.id))
    form = CloseForm()
    if request.method == "GET":
        form.closed_on.data = local_today()
    if form.validate_on_submit():
        before = {e.id for e in problem.evidence}
        try:
            rectification.close_problem(problem, form.closure_note.data, form.closed_on.data, _uploads(),
                                        current_user)
        except UserError as exc:
            # Nothing half-saved: the rows roll back, and the files stored before the bad one go too.
            stored = _new_files(problem, before)
            show_on_form(form, exc)
            _remove_files(stored)
        else:
            db.session.commit()
            flash(f"问题已整改销号（完成日期 {problem.closed_on}，整改材料 {len(problem.evidence)} 份）", "success")
            return redirect(url_for("drills.problem", problem_id=problem.id))
        problem = _problem(problem_id)
    return render_template("drills/problem_close.html", form=form, problem=problem, drill=problem.drill,
                           limits=_limits())
