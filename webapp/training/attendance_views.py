"""Attendance pages for the officer: the projector's sign-in screen and its changing code, the live
roll with hand corrections, and the printable static code for rooms without a screen.

The screen polls code.json: a fresh QR (a PNG data URL; the CSP allows data: images) every
SIGNIN_CODE_SECONDS, the typed code under it, and the counts. The rules live in attendance.py.
"""

import base64
from functools import lru_cache

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.routing import BuildError

from webapp.auth.permissions import can, require
from webapp.common.identifiers import mask_name
from webapp.common.ids import as_id
from webapp.common.time import format_local, utcnow
from webapp.documents.images import qr_png
from webapp.errors import UserError, show_on_form
from webapp.extensions import db
from webapp.training import attendance, bp, services
from webapp.training.attendance_forms import CorrectionForm
from webapp.training.models import Enrollment, TimeSlot

METHOD_LABELS = {"qr": "扫码", "code": "签到码", "static": "固定码", "manual": "人工更正"}


def _slot(slot_id: int) -> TimeSlot:
    return db.get_or_404(TimeSlot, slot_id)


@lru_cache(maxsize=256)
def _qr_data_url(text: str) -> str:
    """The QR as a data URL; cached, since every screen polling in one window asks for the same one."""
    return "data:image/png;base64," + base64.b64encode(qr_png(text)).decode("ascii")


def _state(slot: TimeSlot, now) -> str:
    opens, closes = attendance.signin_window(slot)
    if now < opens:
        return f"签到将于 {format_local(opens, '%H:%M')} 开始"
    if now > closes:
        return "本节课签到已结束"
    return "签到进行中"


def _screen(slot: TimeSlot) -> dict:
    now = utcnow()
    current = attendance.screen_code(slot, now)
    url = url_for("training_phone.slot", key=slot.key, k=current.token, _external=True)
    return {
        "qr": _qr_data_url(url), "url": url, "code": current.code,
        "seconds_left": current.seconds_left, "static": slot.static_code,
        "present": attendance.present_count(slot), "expected": services.enrolled_count(slot.session),
        "recent": [{"name": mask_name(name), "time": format_local(at, "%H:%M")} for name, at in attendance.recent(slot)],
        "state": _state(slot, now),
    }


@bp.get("/slots/<int:slot_id>/screen")
@require("training.manage")
def slot_screen(slot_id: int):
    slot = _slot(slot_id)
    return render_template("training/slot_screen.html", slot=slot, data=_screen(slot),
                           code_url=url_for("training_phone.code", _external=True))


@bp.get("/slots/<int:slot_id>/code.json")
@require("training.manage")
def slot_code(slot_id: int):
    response = jsonify(_screen(_slot(slot_id)))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/slots/<int:slot_id>/roll", methods=["GET", "POST"])
@require("training.view")
def slot_roll(slot_id: int):
    slot = _slot(slot_id)
    form = CorrectionForm()
    failed = None
    if request.method == "POST":
        if not can("training.manage"):
            abort(403)
        if form.validate_on_submit():
            enrollment = db.session.get(Enrollment, as_id(form.enrollment_id.data) or 0)
            if enrollment is None:
                abort(404)
            present = form.present.data == "1"
            try:
                attendance.correct(slot, enrollment, present, form.reason.data, current_user)
            except UserError as exc:
                show_on_form(form, exc)
            else:
                flash(f"已将 {enrollment.person.name} 更正为{'到课' if present else '缺勤'}。", "success")
                return redirect(url_for(".slot_roll", slot_id=slot.id), code=303)
        failed = form.enrollment_id.data
    lines = attendance.roll(slot)
    present = [line for line in lines if line.present]
    missing = [line for line in lines if not line.present]
    corrections = attendance.corrections(slot)
    row_errors = [message for messages in form.errors.values() for message in messages]
    return render_template("training/slot_roll.html", slot=slot, present=present, missing=missing,
                           corrections=corrections, form=form, failed=failed, row_errors=row_errors,
                           methods=METHOD_LABELS, state=_state(slot, utcnow())), 422 if row_errors else 200


@bp.get("/slots/<int:slot_id>/poster")
@require("training.manage")
def slot_poster(slot_id: int):
    slot = _slot(slot_id)
    try:
        edit_url = url_for("training.slot_edit", slot_id=slot.id)
    except BuildError:  # the slot form is another page's; fall back to the session
        edit_url = url_for("training.session", session_id=slot.session_id)
    qr = code = None
    if slot.static_code:
        qr = _qr_data_url(url_for("training_phone.slot", key=slot.key, k=slot.static_token, _external=True))
        code = attendance.typed_code(slot, None)
    return render_template("training/slot_poster.html", slot=slot, qr=qr, code=code, edit_url=edit_url,
                           window=attendance.signin_window(slot), code_url=url_for("training_phone.code", _external=True))
