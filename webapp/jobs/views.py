"""Background jobs: the list, one job's page (polled by static/js/jobs.js), its JSON, cancel, download."""

import mimetypes

from flask import abort, flash, jsonify, redirect, render_template, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from webapp import storage
from webapp.errors import UserError
from webapp.extensions import db
from webapp.jobs import bp, services
from webapp.listing import paginate


@bp.get("/")
@login_required
def index():
    page = paginate(services.query_for_user(current_user))
    return render_template("jobs/index.html", page=page, show_owner=services.is_admin(current_user))


@bp.get("/<job_id>")
@login_required
def detail(job_id: str):
    job = services.get_for_user(job_id, current_user)
    return render_template("jobs/job.html", job=job, state=services.state(job))


@bp.get("/<job_id>.json")
@login_required
def status(job_id: str):
    job = services.get_for_user(job_id, current_user)
    state = services.state(job)
    keys = ("id", "status", "finished", "progress", "total", "percent", "message", "error")
    response = jsonify(
        {key: state[key] for key in keys}
        | {
            "status_label": _(state["status_label"]),
            "download_url": url_for("jobs.download", job_id=job.id) if state["has_result"] else None,
            "download_name": state["result_name"],
        }
    )
    response.headers["Cache-Control"] = "no-store"  # polled: a cached answer would freeze the bar
    return response


@bp.post("/<job_id>/cancel")
@login_required
def cancel(job_id: str):
    job = services.get_for_user(job_id, current_user)
    try:
        stopped = services.cancel(job, current_user)
    except UserError as exc:
        db.session.rollback()
        flash(exc.message, "warning")
    else:
        flash(_("任务已取消。") if stopped else _("已请求取消，任务将在当前这一步完成后停止。"), "success")
    return redirect(url_for("jobs.detail", job_id=job_id))


@bp.get("/<job_id>/download")
@login_required
def download(job_id: str):
    job = services.get_for_user(job_id, current_user)
    if not job.has_result or not storage.exists(job.result_key):
        abort(404)
    mimetype = mimetypes.guess_type(job.result_name or "")[0] or "application/octet-stream"
    # download_name: Werkzeug adds the RFC 5987 filename* form, so Chinese names survive.
    return send_file(storage.path(job.result_key), mimetype=mimetype, as_attachment=True,
                     download_name=job.result_name)
