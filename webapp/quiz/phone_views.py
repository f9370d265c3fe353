"""The participant's pages, opened by scanning the quiz's QR code, mostly inside WeChat.

The attempt's secret token is kept in a cookie scoped to the quiz's address, so a reload or a
second scan finds the attempt again. Requests that change an attempt carry the token in their
body or an X-Attempt-Token header, which another site cannot know: that makes them CSRF-safe
without a form token, so they are exempt from Flask-WTF's check.
"""

from flask import current_app, jsonify, make_response, redirect, render_template, request, url_for

from webapp.common.choices import choices
from webapp.common.time import utcnow
from webapp.errors import FieldErrors, UserError
from webapp.extensions import csrf, db, limiter
from webapp.quiz import phone_bp as bp
from webapp.quiz import services
from webapp.quiz.drafts import OPTION_LETTERS, Kind
from webapp.quiz.forms import JoinForm
from webapp.quiz.models import AttemptStatus, IdentityMode, Quiz
from webapp.registry.models import Organization
from webapp.registry.services import towns

COOKIE_DAYS = 3


def _quiz_or_404(code: str) -> Quiz:
    return db.first_or_404(db.select(Quiz).where(Quiz.code == code.lower()))


def _cookie(quiz: Quiz) -> str:
    return f"qz{quiz.id}"


def _attempt_from_cookie(quiz: Quiz, review: bool = False):
    attempt = services.by_token(request.cookies.get(_cookie(quiz)), review=review)
    return attempt if attempt is not None and attempt.quiz_id == quiz.id else None


def _json_object() -> dict:
    """The request's JSON body, which must be an object ({…}); anything else is the phone's error."""
    payload = request.get_json(silent=True)
    if payload is None:
        return {}
    if not isinstance(payload, dict):
        raise UserError("请求格式不正确")
    return payload


def _attempt_from_request(quiz: Quiz):
    token = request.headers.get("X-Attempt-Token") or request.form.get("token")
    if token is None and request.is_json:
        token = _json_object().get("token")
    attempt = services.by_token(token, for_update=True)
    if attempt is None or attempt.quiz_id != quiz.id:
        raise UserError(services.INVALID_TOKEN)
    return attempt


def _join_limit() -> str:
    return current_app.config["QUIZ_JOIN_RATE_LIMIT_PER_ADDRESS"]


@bp.route("/<code>", methods=["GET", "POST"])
@limiter.limit(_join_limit, methods=["POST"])
def join(code: str):
    quiz = _quiz_or_404(code)
    attempt = _attempt_from_cookie(quiz)
    if request.method == "GET" and attempt is not None:
        if attempt.status == AttemptStatus.IN_PROGRESS and not services.time_is_up(attempt, utcnow(), services.SUBMIT_GRACE):
            return redirect(url_for(".paper", code=quiz.code))
    form = JoinForm()
    form.organization_id.choices = choices([(0, "请选择")])
    error = None
    if form.validate_on_submit():
        identity = services.Identity(name=form.name.data or "", phone=form.phone.data or "",
                                     organization_id=form.organization_id.data or None,
                                     id_last6=form.id_last6.data or "")
        try:
            attempt = services.join(quiz, identity, ip=request.remote_addr)
        except FieldErrors as exc:
            for name, message in exc.errors.items():
                form[name].errors = [message]
        except UserError as exc:
            error = exc.message
        else:
            response = redirect(url_for(".paper", code=quiz.code))
            response.set_cookie(_cookie(quiz), attempt.token, max_age=COOKIE_DAYS * 86400,
                                path=f"/q/{quiz.code}", httponly=True, samesite="Lax",
                                secure=request.is_secure)
            return response
    status = 200 if not form.errors and not error else 422
    organization = db.session.get(Organization, form.organization_id.data) if form.organization_id.data else None
    return render_template("quiz/phone/join.html", quiz=quiz, form=form, error=error, state=services.state(quiz),
                           rules=services.rules_of(quiz), total=services.total_points(services.rules_of(quiz)),
                           towns=towns() if quiz.ask_organization else [], organization=organization,
                           roster=quiz.identity_mode == IdentityMode.ROSTER, finished=attempt), status


@bp.get("/<code>/orgs")
def orgs(code: str):
    """Organizations of one town for the join page's picker (a county has thousands)."""
    _quiz_or_404(code)
    town_id = request.args.get("town", type=int)
    query = db.select(Organization.id, Organization.name).where(Organization.active, Organization.town_id == town_id)
    words = (request.args.get("q") or "").strip()[:20]
    if words:
        query = query.where(Organization.name.contains(words))
    rows = db.session.execute(query.order_by(Organization.kind, Organization.name).limit(300)).all()
    return jsonify([{"id": i, "name": n} for i, n in rows])


@bp.get("/<code>/paper")
def paper(code: str):
    quiz = _quiz_or_404(code)
    attempt = _attempt_from_cookie(quiz)
    if attempt is None:
        return redirect(url_for(".join", code=quiz.code))
    now = utcnow()
    # within the grace the paper still shows (0:00 left), so the phone hands it in itself
    if attempt.status == AttemptStatus.IN_PROGRESS and services.time_is_up(attempt, now, services.SUBMIT_GRACE):
        services.finish(attempt, now)
    if attempt.status == AttemptStatus.SUBMITTED:
        return redirect(url_for(".result", code=quiz.code))
    return render_template("quiz/phone/paper.html", quiz=quiz, attempt=attempt, questions=services.paper(attempt),
                           seconds_left=services.seconds_left(attempt, now), letters=OPTION_LETTERS)


@bp.post("/<code>/answers")
@csrf.exempt
def answers(code: str):
    try:
        given = _json_object().get("answers")
        if not isinstance(given, dict):
            raise UserError("答案格式不正确")
        saved, left = services.save_by_token(code.lower(), request.headers.get("X-Attempt-Token"), given)
    except services.AttemptFinished as exc:
        return jsonify(error=exc.message, finished=True), 409
    except UserError as exc:
        return jsonify(error=exc.message), 400
    return jsonify(saved=saved, seconds_left=left)


def _answers_from_form(attempt) -> dict:
    out = {}
    for item in attempt.items:
        values = request.form.getlist(f"q{item.position}")
        if not values:
            continue
        kind = item.question.kind
        if kind == Kind.FILL:
            out[item.position] = values[0]
        else:
            try:
                numbers = [int(v) for v in values]
            except ValueError:
                raise UserError(f"第 {item.position} 题的答案不是本题的选项") from None
            out[item.position] = numbers if kind == Kind.MULTIPLE else numbers[0]
    return out


@bp.post("/<code>/submit")
@csrf.exempt
def submit(code: str):
    quiz = _quiz_or_404(code)
    try:
        attempt = _attempt_from_request(quiz)
        given = _json_object().get("answers") if request.is_json else _answers_from_form(attempt)
        if given is not None and not isinstance(given, dict):
            raise UserError("答案格式不正确")
        services.submit(attempt, given or {})
    except UserError as exc:
        db.session.rollback()
        if request.is_json:
            return jsonify(error=exc.message), 400
        return render_template("quiz/phone/message.html", quiz=quiz, message=exc.message), 400
    if request.is_json:
        return jsonify(score=attempt.score, url=url_for(".result", code=quiz.code))
    return redirect(url_for(".result", code=quiz.code), code=303)


@bp.get("/<code>/result")
def result(code: str):
    quiz = _quiz_or_404(code)
    attempt = _attempt_from_cookie(quiz, review=True)
    if attempt is None:
        return redirect(url_for(".join", code=quiz.code))
    if attempt.status != AttemptStatus.SUBMITTED:
        return redirect(url_for(".paper", code=quiz.code))
    review = services.review(attempt) if services.answers_public(quiz) else None
    response = make_response(render_template("quiz/phone/result.html", quiz=quiz, attempt=attempt,
                                             result=services.result(attempt), review=review,
                                             letters=OPTION_LETTERS))
    response.headers["Cache-Control"] = "no-store"
    return response
