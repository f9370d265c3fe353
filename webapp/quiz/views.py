"""The officers' quiz pages: quizzes, their settings and QR code, results and analysis."""

import io
import re

from flask import flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user

from webapp.auth.permissions import can, require
from webapp.common.choices import choices
from webapp.common.figures import period_from, town_name
from webapp.common.identifiers import mask_phone
from webapp.common.ids import as_id
from webapp.common.spreadsheets import workbook_bytes, xlsx_response
from webapp.common.time import from_local, to_local
from webapp.documents import pdf
from webapp.documents import services as documents
from webapp.errors import UserError, show_on_form
from webapp.extensions import db
from webapp.listing import args_without, paginate
from webapp.quiz import awards, bp, posters, rankings, services
from webapp.quiz import figures as quiz_figures
from webapp.quiz.forms import RULE_KINDS, AwardsForm, QuizForm
from webapp.quiz.models import QUIZ_KIND_LABELS, QuestionBank, Quiz, QuizKind
from webapp.registry.services import towns

DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@bp.get("/")
@require("quiz.view")
def index():
    query = db.select(Quiz).order_by(Quiz.created_at.desc(), Quiz.id.desc())
    if request.args.get("kind") in {k.value for k in QuizKind}:
        query = query.where(Quiz.kind == request.args["kind"])
    if request.args.get("state") in services.STATES:
        query = query.where(services.in_state(request.args["state"]))
    answered = _answered()
    if answered:
        ids, answered["participants"] = quiz_figures.answered(answered["period"], answered["town_id"])
        query = query.where(Quiz.id.in_(ids))
    page = paginate(query)
    return render_template("quiz/index.html", page=page, state=services.state, states=services.STATES,
                           kinds=QUIZ_KIND_LABELS, filters=args_without("page"), answered=answered,
                           unanswered_args=args_without("page", "answered", "year", "from", "to", "town"),
                           counts=rankings.participant_counts([q.id for q in page.items]))


def _answered() -> dict | None:
    """?answered=1 with ?year= or ?from=&to= (and ?town=): the competitions answered in that
    period, as the dashboard counts them; a bad period is said and the filter dropped."""
    if not request.args.get("answered"):
        return None
    try:
        period = period_from(request.args)
    except UserError as exc:
        flash(f"交卷期间条件未生效：{exc.message}", "warning")
        return None
    town_id = as_id(request.args.get("town"))
    return {"period": period, "town_id": town_id, "town": town_name(town_id)}


def _bank_choices():
    return choices((b.id, b.name) for b in db.session.execute(db.select(QuestionBank).order_by(QuestionBank.name)).scalars())


def _rules_from(form: QuizForm) -> list[services.Rule]:
    rules = []
    for kind in RULE_KINDS:
        count = form[f"count_{kind.value}"].data or 0
        points_text = (form[f"points_{kind.value}"].data or "").strip()
        if not count:
            continue
        try:
            points = float(points_text)
        except ValueError:
            raise UserError(f"请填写{services.KIND_LABELS[kind]}的每题分值（数字）", field=f"points_{kind.value}") from None
        tags = re.split(r"[，,；;、\s]+", form[f"tags_{kind.value}"].data or "")
        rules.append(services.Rule(kind, count, points, list(form.bank_ids.data), [t for t in tags if t]))
    return rules


def _values_from(form: QuizForm) -> dict:
    values = {name: form[name].data for name in services.QUIZ_FIELDS}
    values["opens_at"], values["closes_at"] = from_local(form.opens_at.data), from_local(form.closes_at.data)
    values["description"] = values["description"] or ""
    return values


def _fill_form(form: QuizForm, quiz: Quiz) -> None:
    rules = services.rules_of(quiz)
    form.bank_ids.data = sorted({b for r in rules for b in r.bank_ids})
    for rule in rules:
        form[f"count_{rule.kind.value}"].data = rule.count
        form[f"points_{rule.kind.value}"].data = f"{rule.points:g}"
        form[f"tags_{rule.kind.value}"].data = "，".join(rule.tags)
    form.opens_at.data = to_local(quiz.opens_at).replace(tzinfo=None) if quiz.opens_at else None
    form.closes_at.data = to_local(quiz.closes_at).replace(tzinfo=None) if quiz.closes_at else None


@bp.route("/new", methods=["GET", "POST"])
@bp.route("/<int:quiz_id>/edit", methods=["GET", "POST"])
@require("quiz.manage")
def edit(quiz_id: int | None = None):
    quiz = db.get_or_404(Quiz, quiz_id) if quiz_id else None
    form = QuizForm(obj=quiz)
    form.bank_ids.choices = _bank_choices()
    if request.method == "GET" and quiz:
        _fill_form(form, quiz)
    if form.validate_on_submit():
        try:
            rules = _rules_from(form)
            if quiz is None:
                quiz = services.create_quiz(_values_from(form), rules, current_user)
            else:
                services.update_quiz(quiz, _values_from(form), rules)
            flash(f"已保存“{quiz.title}”", "success")
            return redirect(url_for("quiz.detail", quiz_id=quiz.id))
        except UserError as exc:
            show_on_form(form, exc)
    return render_template("quiz/form.html", form=form, quiz=quiz, rule_kinds=RULE_KINDS,
                           kind_labels=services.KIND_LABELS)


@bp.get("/<int:quiz_id>")
@require("quiz.view")
def detail(quiz_id: int):
    quiz = db.get_or_404(Quiz, quiz_id)
    services.finish_expired(quiz)
    town_id = request.args.get("town", type=int)
    return render_template(
        "quiz/detail.html", quiz=quiz, state=services.state(quiz), rules=services.rules_of(quiz),
        total=services.total_points(services.rules_of(quiz)), join_url=posters.join_url(quiz),
        totals=rankings.totals(quiz), leaders=rankings.leaderboard(quiz, town_id, limit=20),
        organizations=rankings.by_organization(quiz, town_id)[:20], town_rows=rankings.by_town(quiz),
        towns=towns(), town_id=town_id)


@bp.post("/<int:quiz_id>/publish")
@require("quiz.manage")
def publish(quiz_id: int):
    quiz = db.get_or_404(Quiz, quiz_id)
    try:
        if request.form.get("action") == "unpublish":
            services.unpublish(quiz)
            flash("已停止发布：参与者暂时无法进入", "success")
        else:
            services.publish(quiz)
            flash("已发布：扫码或打开链接即可参加", "success")
    except UserError as exc:
        db.session.rollback()
        flash(exc.message, "danger")
    return redirect(url_for("quiz.detail", quiz_id=quiz_id))


@bp.get("/<int:quiz_id>/qr.png")
@require("quiz.view")
def qr(quiz_id: int):
    quiz = db.get_or_404(Quiz, quiz_id)
    return send_file(io.BytesIO(posters.qr_png(quiz)), mimetype="image/png")


@bp.get("/<int:quiz_id>/poster.png")
@require("quiz.view")
def poster(quiz_id: int):
    quiz = db.get_or_404(Quiz, quiz_id)
    return send_file(io.BytesIO(posters.poster_png(quiz)), mimetype="image/png", as_attachment=True,
                     download_name=f"{quiz.title}-二维码海报.png")


@bp.get("/<int:quiz_id>/poster.<any(docx, pdf):fmt>")
@require("quiz.view")
def poster_document(quiz_id: int, fmt: str):
    quiz = db.get_or_404(Quiz, quiz_id)
    try:
        document = posters.poster_document(quiz, current_user)
        data = documents.document_data(document)
        if fmt == "pdf":
            data = pdf.to_pdf(data)
    except UserError as exc:
        db.session.rollback()
        flash(exc.message, "danger")
        return redirect(url_for("quiz.detail", quiz_id=quiz.id))
    name = document.filename.removesuffix(".docx") + f".{fmt}"
    mime = "application/pdf" if fmt == "pdf" else DOCX_MIME
    return send_file(io.BytesIO(data), mimetype=mime, as_attachment=True, download_name=name)


@bp.route("/<int:quiz_id>/awards", methods=["GET", "POST"])
@require("quiz.manage")
def award_certificates(quiz_id: int):
    quiz = db.get_or_404(Quiz, quiz_id)
    services.finish_expired(quiz)
    form = AwardsForm()
    records = None
    if form.validate_on_submit():
        try:
            records = awards.winners(quiz, awards.parse_tiers(form.tiers.data), form.min_score.data, form.min_award.data)
            if request.form.get("action") == "print":
                job = awards.print_certificates(quiz.title, f"quiz:{quiz.id}", records, form.output.data, current_user)
                return redirect(url_for("jobs.detail", job_id=job.id))
        except UserError as exc:
            show_on_form(form, exc)
            records = None
    return render_template("quiz/awards.html", quiz=quiz, form=form, records=records)


@bp.get("/<int:quiz_id>/ranking")
@require("quiz.view")
def ranking(quiz_id: int):
    quiz = db.get_or_404(Quiz, quiz_id)
    services.finish_expired(quiz)
    town_id = request.args.get("town", type=int)
    leaders = rankings.leaderboard(quiz, town_id, limit=None if request.args.get("export") else 200)
    organizations = rankings.by_organization(quiz, town_id)
    if request.args.get("export") == "xlsx":
        return xlsx_response(f"{quiz.title}-排行榜.xlsx", _ranking_workbook(leaders))
    template = "quiz/board.html" if request.args.get("screen") else "quiz/ranking.html"
    return render_template(template, quiz=quiz, leaders=leaders, organizations=organizations,
                           town_rows=rankings.by_town(quiz), towns=towns(), town_id=town_id)


def _ranking_workbook(leaders) -> bytes:
    # phone numbers masked unless the user's role sees personal data (as in the people registry)
    show = (lambda phone: phone or "") if can("people.view_id") else mask_phone
    return workbook_bytes(["名次", "姓名", "手机号", "单位", "乡镇（街道）", "得分", "用时（秒）"],
                          [[r.rank, r.name, show(r.phone), r.organization, r.town, r.score, r.duration_seconds]
                           for r in leaders])


@bp.get("/<int:quiz_id>/analysis")
@require("quiz.view")
def analysis(quiz_id: int):
    quiz = db.get_or_404(Quiz, quiz_id)
    services.finish_expired(quiz)
    return render_template("quiz/analysis.html", quiz=quiz, items=rankings.item_analysis(quiz))
