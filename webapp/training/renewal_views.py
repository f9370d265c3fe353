"""Renewals due (expiring certificates, yearly refreshers, special-operations reviews) with their
enrollment into a refresher session, and the training figures."""

from flask import flash, redirect, render_template, request, url_for

from webapp.auth.permissions import can, require
from webapp.common.figures import period_from
from webapp.common.ids import as_id
from webapp.common.spreadsheets import xlsx_response
from webapp.common.time import local_today
from webapp.errors import UserError
from webapp.extensions import db
from webapp.listing import args_without
from webapp.registry.models import OrgKind
from webapp.registry.services import org_choices, towns
from webapp.training import bp
from webapp.training import figures as training_figures
from webapp.training import renewals as due
from webapp.training.models import TrainingSession


@bp.get("/renewals")
@require("training.view")
def renewals():
    filters = due.filters_from(request.args)
    if filters.note:
        flash(filters.note, "warning")
    if request.args.get("format") == "xlsx":
        lists = due.due_lists(filters, limit=None)
        return xlsx_response(f"到期复训名单-{local_today().isoformat()}.xlsx",
                             due.renewals_workbook(lists, reveal=can("people.view_id")))
    return render_template("training/renewals.html", lists=due.due_lists(filters, limit=due.LIST_CAP), filters=filters,
                           towns=towns(), enterprises=org_choices([OrgKind.ENTERPRISE]),
                           sessions=due.refresher_sessions(), args=args_without("page"))


@bp.post("/renewals/enroll")
@require("training.manage")
def renewals_enroll():
    back = url_for("training.renewals", **{k: v for k, v in request.form.items() if k in ("town", "org", "days") and v})
    session_id = as_id(request.form.get("session_id"))
    session = db.session.get(TrainingSession, session_id) if session_id else None
    if session is None:
        flash("请选择要报名的复训班次", "danger")
        return redirect(back)
    ids = [i for i in map(as_id, request.form.getlist("certificate")) if i]
    try:
        report = due.enroll_due(session, ids)
    except UserError as exc:
        db.session.rollback()
        flash(exc.message, "danger")
        return redirect(back)
    done = len(report.enrolled) + len(report.waitlisted)
    message = f"已为“{session.title}”报名 {done} 人"
    if report.waitlisted:
        message += f"（其中 {len(report.waitlisted)} 人因名额已满进入候补）"
    flash(message, "success" if done else "warning")
    if report.skipped:
        flash("未重复报名：" + "；".join(f"{p.name}（{why}）" for p, why in report.skipped), "warning")
    return redirect(back)


@bp.get("/figures")
@require("training.view")
def figures():
    error = None
    try:
        period = period_from(request.args)
    except UserError as exc:
        error = exc.message
        period = period_from({})
    town_id = as_id(request.args.get("town"))
    figs = training_figures.figures(period, town_id)
    if request.args.get("format") == "xlsx" and error is None:
        return xlsx_response(f"三项岗位培训统计-{period.label}.xlsx", training_figures.figures_workbook(figs))
    return render_template("training/figures.html", figs=figs, error=error, towns=towns(),
                           this_year=local_today().year, args=args_without("format"))
