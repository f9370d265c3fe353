"""On-site contest pages: the list and the set-up form, the host's console (with the answers), the
big-screen scoreboard and the projector's question view (without them), the final ranking.

The scoreboard and the projector poll small JSON documents every 2 s (static/js/contest_board.js);
they are GETs that read and never write, so they need no CSRF token. Every action of the host is a
POST form with the CSRF token, answered with a redirect back to the console.
"""

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import DateField, FieldList, Form, FormField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from webapp.auth.permissions import require
from webapp.common.choices import choices
from webapp.common.spreadsheets import xlsx_response
from webapp.common.time import local_today
from webapp.errors import UserError, show_on_form
from webapp.extensions import db
from webapp.quiz import awards, bp
from webapp.quiz import contest as services
from webapp.quiz.contest_models import (
    ROUND_KIND_LABELS,
    Action,
    Contest,
    ContestQuestion,
    ContestRound,
    ContestScore,
    ContestTeam,
    RoundKind,
)
from webapp.quiz.forms import AwardsForm
from webapp.quiz.models import QuestionBank

# ------------------------------------------------------------------------------------ forms

ROUND_SLOTS = 6
DEFAULT_ROUNDS = [{"kind": k.value} for k in RoundKind]


class RoundForm(Form):
    """One row of the rounds table (a sub-form: the contest form carries the CSRF token)."""

    kind = SelectField(_l("题型"), choices=choices([("", "（不使用）")] + [(k.value, v) for k, v in ROUND_KIND_LABELS.items()]),
                       validate_choice=False)  # a row left out of the form is a row not used
    title = StringField(_l("名称"), validators=[Optional(), Length(max=100)])
    bank_id = SelectField(_l("题库"), coerce=int, validate_choice=False, default=0)
    tags = StringField(_l("限定标签"), validators=[Optional(), Length(max=200)])
    points = IntegerField(_l("每题分值"), validators=[Optional(), NumberRange(1, services.MAX_POINTS)])


class ContestForm(FlaskForm):
    title = StringField(_l("竞赛名称"), validators=[DataRequired(_l("请填写竞赛名称")), Length(max=200)])
    date = DateField(_l("比赛日期"), validators=[Optional()])
    start_points = IntegerField(_l("每队基础分"), default=services.DEFAULT_START_POINTS,
                                validators=[DataRequired(_l("请填写基础分")), NumberRange(0, 10000)])
    teams = TextAreaField(_l("参赛队伍（每行一支；可写“队伍名称｜单位名称”关联单位）"),
                          validators=[DataRequired(_l("请填写参赛队伍")), Length(max=5000)])
    rounds = FieldList(FormField(RoundForm), min_entries=ROUND_SLOTS, max_entries=ROUND_SLOTS)
    required_right = IntegerField(_l("必答题答对加"), default=10, validators=[NumberRange(0, services.MAX_POINTS)])
    required_wrong = IntegerField(_l("必答题答错扣"), default=0, validators=[NumberRange(0, services.MAX_POINTS)])
    buzzer_points = IntegerField(_l("抢答题答对加 / 答错、犯规扣"), default=10,
                                 validators=[NumberRange(0, services.MAX_POINTS)])
    risk_values = StringField(_l("风险题可选分值"), default="10,20,30", validators=[Length(max=40)])
    tiebreak_right = IntegerField(_l("加赛题答对加"), default=10, validators=[NumberRange(0, services.MAX_POINTS)])
    seconds_required = IntegerField(_l("必答题（秒）"), default=30, validators=[NumberRange(5, 600)])
    seconds_buzzer = IntegerField(_l("抢答题（秒）"), default=20, validators=[NumberRange(5, 600)])
    seconds_risk = IntegerField(_l("风险题（秒）"), default=60, validators=[NumberRange(5, 600)])
    seconds_tiebreak = IntegerField(_l("加赛题（秒）"), default=30, validators=[NumberRange(5, 600)])


def _settings_from(form: ContestForm) -> dict:
    return {
        "points": {
            RoundKind.REQUIRED.value: {"right": form.required_right.data, "wrong": form.required_wrong.data},
            RoundKind.BUZZER.value: {"right": form.buzzer_points.data, "wrong": form.buzzer_points.data},
            RoundKind.RISK.value: {"values": form.risk_values.data or ""},
            RoundKind.TIEBREAK.value: {"right": form.tiebreak_right.data, "wrong": 0},
        },
        "seconds": {k.value: form[f"seconds_{k.value}"].data for k in RoundKind},
    }


def _rounds_from(form: ContestForm) -> list[services.RoundSpec]:
    specs = []
    for entry in form.rounds:
        sub = entry.form
        if sub.kind.data not in {k.value for k in RoundKind}:
            continue
        tags = [t.strip() for t in (sub.tags.data or "").replace("，", ",").replace("、", ",").split(",") if t.strip()]
        specs.append(services.RoundSpec(RoundKind(sub.kind.data), (sub.title.data or "").strip(),
                                        [sub.bank_id.data] if sub.bank_id.data else [], tags, sub.points.data))
    return specs


# ------------------------------------------------------------------------------------ loaders


def _contest_or_404(contest_id: int) -> Contest:
    return db.get_or_404(Contest, contest_id)


def _child_or_404(model, contest: Contest, child_id):
    """A team, round or drawn question of this contest, from a form value; 404 for anything else."""
    try:
        row = db.session.get(model, int(child_id))
    except (TypeError, ValueError):
        row = None
    if row is None or row.contest_id != contest.id:
        abort(404)
    return row


def _optional_child(model, contest: Contest, child_id):
    return _child_or_404(model, contest, child_id) if str(child_id or "").strip() else None


def _back_to_console(contest: Contest, round_id=None, anchor: str | None = None):
    return redirect(url_for("quiz.contest_host", contest_id=contest.id, round=round_id or None, _anchor=anchor))


# ------------------------------------------------------------------------------------ list and set-up


@bp.get("/contests")
@require("quiz.view")
def contests():
    rows = list(db.session.execute(db.select(Contest).order_by(Contest.date.desc(), Contest.id.desc())).scalars())
    return render_template("quiz/contest_list.html", contests=rows)


@bp.route("/contests/new", methods=["GET", "POST"])
@require("quiz.manage")
def contest_new():
    banks = list(db.session.execute(db.select(QuestionBank).order_by(QuestionBank.name)).scalars())
    if request.method == "GET":
        form = ContestForm(data={"date": local_today(), "rounds": DEFAULT_ROUNDS})
    else:
        form = ContestForm()
    for entry in form.rounds:
        entry.form.bank_id.choices = choices([(0, "全部题库")] + [(b.id, b.name) for b in banks])
        if request.method == "GET" and entry.form.kind.data and banks and not entry.form.bank_id.data:
            entry.form.bank_id.data = banks[0].id
    if form.validate_on_submit():
        try:
            values = {"title": form.title.data, "date": form.date.data, "start_points": form.start_points.data,
                      "settings": _settings_from(form)}
            contest = services.create_contest(values, services.parse_teams(form.teams.data),
                                              _rounds_from(form), user=current_user)
        except UserError as exc:
            show_on_form(form, exc, {"rounds": "", "buzzer_right": "buzzer_points", "buzzer_wrong": "buzzer_points"})
        else:
            flash(f"已创建现场竞赛“{contest.title}”", "success")
            return redirect(url_for("quiz.contest_host", contest_id=contest.id))
    return render_template("quiz/contest_form.html", form=form, has_banks=bool(banks))


# ------------------------------------------------------------------------------------ the host's console


@bp.get("/contests/<int:contest_id>/host")
@require("quiz.manage")
def contest_host(contest_id: int):
    contest = _contest_or_404(contest_id)
    shown = services.current_question(contest)
    round_ = None
    if request.args.get("round", "").isdigit():
        round_ = _child_or_404(ContestRound, contest, request.args["round"])
    elif shown is not None:
        round_ = shown.round
    elif contest.rounds:
        round_ = contest.rounds[0]
    question = services.latest_question(round_) if round_ else None
    scored = {}
    if question is not None:
        for row in db.session.execute(db.select(ContestScore).where(
                ContestScore.question_id == question.id, ContestScore.undone_at.is_(None))).scalars():
            scored[row.team_id] = row
    return render_template(
        "quiz/contest_host.html", contest=contest, round=round_, question=question, shown=shown,
        standings={s.team.id: s for s in services.standings(contest)},
        points=services.round_points(round_) if round_ else None,
        actions=services.ROUND_ACTIONS[RoundKind(round_.kind)] if round_ else (),
        risk_values=services.risk_values(contest), scored=scored,
        seconds_left=services.seconds_left(question) if question else None,
        remaining=services.remaining_count(round_) if round_ else 0,
        answer=services.answer_text(question.question) if question else "",
        options=services.lettered_options(question.question) if question else [],
        log=services.action_log(contest, 30), describe=services.describe, last=services.last_action(contest),
        Action=Action,
    )


@bp.post("/contests/<int:contest_id>/next")
@require("quiz.manage")
def contest_next(contest_id: int):
    contest = _contest_or_404(contest_id)
    round_ = _child_or_404(ContestRound, contest, request.form.get("round_id"))
    try:
        drawn = services.next_question(round_)
        services.show(drawn)
    except UserError as exc:
        db.session.rollback()
        flash(exc.message, "danger")
    return _back_to_console(contest, round_.id)


@bp.post("/contests/<int:contest_id>/show")
@require("quiz.manage")
def contest_show(contest_id: int):
    contest = _contest_or_404(contest_id)
    question = _child_or_404(ContestQuestion, contest, request.form.get("question_id"))
    services.show(question)
    flash(f"已在大屏显示{question.round.title}第 {question.position} 题，重新开始计时", "success")
    return _back_to_console(contest, question.round_id)


@bp.post("/contests/<int:contest_id>/score")
@require("quiz.manage")
def contest_score(contest_id: int):
    contest = _contest_or_404(contest_id)
    team = _child_or_404(ContestTeam, contest, request.form.get("team_id"))
    round_ = _optional_child(ContestRound, contest, request.form.get("round_id"))
    question = _optional_child(ContestQuestion, contest, request.form.get("question_id"))
    action = request.form.get("action", "")
    if action not in {a.value for a in Action} or action == Action.ADJUST:
        abort(400)
    value = request.form.get("value", type=int)
    try:
        row = services.score(contest, team, round_, question, Action(action), value, user=current_user)
    except UserError as exc:
        db.session.rollback()
        flash(exc.message, "danger")
    else:
        flash(services.describe(row), "success")
    return _back_to_console(contest, round_.id if round_ else None, "teams")


@bp.post("/contests/<int:contest_id>/adjust")
@require("quiz.manage")
def contest_adjust(contest_id: int):
    contest = _contest_or_404(contest_id)
    team = _child_or_404(ContestTeam, contest, request.form.get("team_id"))
    delta = request.form.get("delta", type=int)
    try:
        row = services.adjust(contest, team, delta, request.form.get("reason", ""), user=current_user)
    except UserError as exc:
        db.session.rollback()
        flash(exc.message, "danger")
    else:
        flash(services.describe(row), "success")
    return _back_to_console(contest, request.form.get("round_id"), "adjust")


@bp.post("/contests/<int:contest_id>/undo")
@require("quiz.manage")
def contest_undo(contest_id: int):
    contest = _contest_or_404(contest_id)
    try:
        row = services.undo_last(contest)
    except UserError as exc:
        db.session.rollback()
        flash(exc.message, "warning")
    else:
        flash(f"已撤销：{services.describe(row)}", "success")
    return _back_to_console(contest, request.form.get("round_id"), "teams")


# ------------------------------------------------------------------------------------ screens


@bp.get("/contests/<int:contest_id>/board")
@require("quiz.view")
def contest_board(contest_id: int):
    contest = _contest_or_404(contest_id)
    order = "rank" if request.args.get("order") == "rank" else "stage"
    data = services.board_data(contest)
    teams = data["teams"] if order == "rank" else sorted(data["teams"], key=lambda t: t["position"])
    return render_template("quiz/contest_board.html", contest=contest, data=data, teams=teams, order=order)


@bp.get("/contests/<int:contest_id>/board.json")
@require("quiz.view")
def contest_board_json(contest_id: int):
    response = jsonify(services.board_data(_contest_or_404(contest_id)))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/contests/<int:contest_id>/screen")
@require("quiz.view")
def contest_screen(contest_id: int):
    contest = _contest_or_404(contest_id)
    return render_template("quiz/contest_screen.html", contest=contest, data=services.screen_data(contest))


@bp.get("/contests/<int:contest_id>/screen.json")
@require("quiz.view")
def contest_screen_json(contest_id: int):
    response = jsonify(services.screen_data(_contest_or_404(contest_id)))
    response.headers["Cache-Control"] = "no-store"
    return response


# ------------------------------------------------------------------------------------ results


@bp.get("/contests/<int:contest_id>/ranking")
@require("quiz.view")
def contest_ranking(contest_id: int):
    contest = _contest_or_404(contest_id)
    if request.args.get("export") == "xlsx":
        return xlsx_response(f"{contest.title}-成绩.xlsx", services.ranking_workbook(contest))
    return render_template("quiz/contest_ranking.html", contest=contest, rows=services.standings(contest),
                           used=services.used_count(contest), form=AwardsForm(tiers="一等奖 1，二等奖 2，三等奖 3"))


@bp.post("/contests/<int:contest_id>/awards")
@require("quiz.manage")
def contest_awards(contest_id: int):
    contest = _contest_or_404(contest_id)
    form = AwardsForm()
    try:
        if not form.validate_on_submit():
            raise UserError("；".join(e for errors in form.errors.values() for e in errors) or "请检查填写的内容")
        records = awards.team_winners(contest, awards.parse_tiers(form.tiers.data))
        job = awards.print_certificates(contest.title, f"contest:{contest.id}", records, form.output.data, current_user)
    except UserError as exc:
        db.session.rollback()
        flash(exc.message, "danger")
        return redirect(url_for("quiz.contest_ranking", contest_id=contest.id))
    return redirect(url_for("jobs.detail", job_id=job.id))
