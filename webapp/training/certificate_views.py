"""Certificates: a session's eligibility and issuing, batch printing, the register, one
certificate's page with its verification QR code, and revocation."""

import io

from flask import flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user

from webapp.auth.models import User
from webapp.auth.permissions import can, require
from webapp.common.spreadsheets import xlsx_response
from webapp.common.time import local_today
from webapp.documents.images import qr_png
from webapp.errors import UserError, show_on_form
from webapp.extensions import db
from webapp.listing import args_without, paginate
from webapp.registry.services import towns
from webapp.training import attendance, bp, certificates, exams, renewals
from webapp.training.certificate_forms import PrintForm, RevokeForm
from webapp.training.models import POST_LABELS, Certificate, CertificateStatus, Enrollment, TrainingSession
from webapp.training.services import enrollments
from webapp.training.views import session_or_404

SKIPPED_SHOWN = 20  # names in the message after a batch issue; the table lists everyone


# ------------------------------------------------------------------------------ a session's


@bp.get("/sessions/<int:session_id>/certificates")
@require("training.view")
def session_certificates(session_id: int):
    session = session_or_404(session_id)
    return _session_page(session, PrintForm())


def _session_page(session: TrainingSession, form: PrintForm):
    exams.collect_results(session)  # the latest exam results decide eligibility (as issuing does)
    hours = attendance.hours_by_enrollment(session)
    issued = {c.enrollment_id: c for c in certificates.session_certificates(session)}
    rows = []
    for e in enrollments(session):
        earned = hours.get(e.id, 0.0)
        certificate = issued.get(e.id)
        rows.append({"enrollment": e, "person": e.person, "hours": earned, "certificate": certificate,
                     "problems": [] if certificate else certificates.shortfalls(e, earned)})
    return render_template("training/session_certificates.html", session=session, course=session.course,
                           rows=rows, form=form, issued=len(issued),
                           printable=sum(1 for c in issued.values() if c.status == CertificateStatus.VALID))


@bp.post("/sessions/<int:session_id>/certificates/issue")
@require("training.manage")
def issue(session_id: int):
    session = session_or_404(session_id)
    try:
        report = certificates.issue_session(session, current_user)
    except UserError as exc:
        db.session.rollback()
        flash(exc.message, "danger")
        return redirect(url_for("training.session_certificates", session_id=session_id))
    if report.issued:
        flash(f"已发证 {len(report.issued)} 张（证书编号 {report.issued[0].number} 起）", "success")
    else:
        flash("没有可以发证的学员", "warning")
    if report.skipped:
        shown = report.skipped[:SKIPPED_SHOWN]
        reasons = "；".join(f"{e.person.name}（{'，'.join(problems)}）" for e, problems in shown)
        more = f"……等 {len(report.skipped)} 人，详见下表" if len(report.skipped) > len(shown) else ""
        flash(f"未发证 {len(report.skipped)} 人：{reasons}{more}", "warning")
    return redirect(url_for("training.session_certificates", session_id=session_id))


@bp.post("/enrollments/<int:enrollment_id>/issue")
@require("training.manage")
def issue_one(enrollment_id: int):
    enrollment = db.get_or_404(Enrollment, enrollment_id)
    session_id = enrollment.session_id
    try:
        if enrollment.session.exam_quiz_id:
            exams.collect_results(enrollment.session)
        certificate = certificates.issue(enrollment, current_user)
    except UserError as exc:
        db.session.rollback()
        flash(exc.message, "danger")
    else:
        flash(f"已为 {enrollment.person.name} 发证，证书编号 {certificate.number}", "success")
    return redirect(url_for("training.session_certificates", session_id=session_id))


@bp.post("/sessions/<int:session_id>/certificates/print")
@require("training.manage")
def print_certificates(session_id: int):
    session = session_or_404(session_id)
    form = PrintForm()
    if form.validate_on_submit():
        try:
            job = certificates.print_session(session, form.output.data, current_user)
        except UserError as exc:
            show_on_form(form, exc)
        else:
            return redirect(url_for("jobs.detail", job_id=job.id))
    return _session_page(session, form)


# ---------------------------------------------------------------------------- the register


@bp.get("/certificates", endpoint="certificates")
@require("training.view")
def certificate_register():
    query = renewals.register_query(request.args)
    if request.args.get("format") == "xlsx":
        return xlsx_response(f"培训合格证明台账-{local_today().isoformat()}.xlsx",
                             renewals.register_workbook(query, reveal=can("people.view_id")))
    return render_template("training/certificates.html", page=paginate(query), towns=towns(),
                           years=renewals.issue_years(), posts=POST_LABELS, states=renewals.STATES,
                           today=local_today(), filters=args_without("page"))


@bp.get("/certificates/<int:certificate_id>")
@require("training.view")
def certificate(certificate_id: int):
    return _certificate_page(db.get_or_404(Certificate, certificate_id), RevokeForm())


def _certificate_page(cert: Certificate, form: RevokeForm):
    revoked_by = db.session.get(User, cert.revoked_by_id) if cert.revoked_by_id else None
    issued_by = db.session.get(User, cert.issued_by_id) if cert.issued_by_id else None
    return render_template("training/certificate.html", cert=cert, form=form, state=cert.state(local_today()),
                           verify_url=certificates.verify_url(cert), revoked_by=revoked_by, issued_by=issued_by)


@bp.get("/certificates/<int:certificate_id>/qr.png")
@require("training.view")
def certificate_qr(certificate_id: int):
    cert = db.get_or_404(Certificate, certificate_id)
    return send_file(io.BytesIO(qr_png(certificates.verify_url(cert))), mimetype="image/png")


@bp.post("/certificates/<int:certificate_id>/revoke")
@require("training.manage")
def revoke(certificate_id: int):
    cert = db.get_or_404(Certificate, certificate_id)
    form = RevokeForm()
    if form.validate_on_submit():
        try:
            certificates.revoke(cert, form.reason.data, current_user)
        except UserError as exc:
            show_on_form(form, exc)
        else:
            flash(f"已注销证书 {cert.number}", "success")
            return redirect(url_for("training.certificate", certificate_id=cert.id))
    return _certificate_page(cert, form)
