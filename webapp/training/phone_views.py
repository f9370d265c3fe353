"""The trainee's sign-in pages under /t: opened by scanning the slot's QR code (mostly inside WeChat),
or typed as an address with the 6-digit code shown under the QR when a camera fails.

No login and no JavaScript: a plain form posts name + the last 6 of the ID number (or the phone
number). The scanned token is checked when the page opens; the form then carries a signed pass
(attendance.form_pass, valid SIGNIN_FORM_MINUTES) so a slow typist is not turned away when the QR
on the screen moves on. A second sign-in is not an error: it says when the first one was.
"""

from flask import current_app, render_template, request, url_for

from webapp.common.time import to_local, utcnow
from webapp.errors import UserError
from webapp.extensions import db, limiter
from webapp.training import attendance, phone_bp
from webapp.training.attendance_forms import CodeForm, SignInForm
from webapp.training.models import TimeSlot


def _signin_limit() -> str:
    return current_app.config["SIGNIN_RATE_LIMIT_PER_ADDRESS"]


# One budget per address for both ways of signing in (a training room shares one address).
_limited = limiter.shared_limit(_signin_limit, scope="training-signin", methods=["POST"])


def _slot_or_404(key: str) -> TimeSlot:
    return db.first_or_404(db.select(TimeSlot).where(TimeSlot.key == key))


def _message(message: str, status: int, slot: TimeSlot | None = None):
    return render_template("training/phone/message.html", message=message, slot=slot,
                           code_url=url_for(".code")), status


def _done(slot: TimeSlot, result: attendance.SignIn):
    return render_template("training/phone/done.html", slot=slot, result=result,
                           signed_at=to_local(result.signed_at))


def _refused(template: str, form, error: str | None, **context):
    db.session.rollback()
    if error is None and "csrf_token" in form.errors:
        error = "页面已过期，请刷新页面后重新提交"
    return render_template(template, form=form, error=error, **context), 422


@phone_bp.route("/<key>", methods=["GET", "POST"])
@_limited
def slot(key: str):
    slot = _slot_or_404(key)
    form = SignInForm()
    if request.method == "GET":
        try:
            method = attendance.scanned_method(slot, request.args.get("k"))
        except UserError as exc:  # an old photo of the screen, a forwarded picture
            return _message(exc.message, 410, slot)
        try:
            attendance.check_window(slot, utcnow())
        except UserError as exc:  # say so before the trainee types anything
            return _message(exc.message, 403, slot)
        form.signin_pass.data = attendance.form_pass(slot, method)
        return render_template("training/phone/signin.html", slot=slot, form=form, error=None)
    try:
        method = attendance.check_pass(slot, form.signin_pass.data)
    except UserError as exc:
        return _message(exc.message, 410, slot)
    if not form.validate_on_submit():
        return _refused("training/phone/signin.html", form, None, slot=slot)
    try:
        result = attendance.sign_in(slot, form.name.data, form.ident.data, method, ip=request.remote_addr)
    except UserError as exc:
        return _refused("training/phone/signin.html", form, exc.message, slot=slot)
    return _done(slot, result)


@phone_bp.route("/", methods=["GET", "POST"])
@_limited
def code():
    form = CodeForm()
    if request.method == "GET":
        form.code.data = request.args.get("c", "")[:12]
        return render_template("training/phone/code.html", form=form, error=None)
    if not form.validate_on_submit():
        return _refused("training/phone/code.html", form, None)
    try:
        slot = attendance.slot_for_code(form.code.data)
        result = attendance.sign_in(slot, form.name.data, form.ident.data, "code", ip=request.remote_addr)
    except UserError as exc:
        return _refused("training/phone/code.html", form, exc.message)
    return _done(slot, result)
