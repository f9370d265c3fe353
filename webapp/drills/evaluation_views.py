"""The evaluation pages: a drill's score sheet (AQ/T 9009-2015) with a score and a remark per item,
the evaluators and the report's texts; and the score-sheet items per drill form, which the drill
officers add to, edit and retire. The rules (maxima, grades, copied lines) are in evaluation.py."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, select

from webapp.auth.permissions import require
from webapp.common.time import local_today
from webapp.drills import bp, services
from webapp.drills import evaluation as sheets
from webapp.drills.evaluation_forms import EvaluationForm, ItemForm
from webapp.drills.models import FORM_ORG_LABELS, Drill, EvaluationItem, FormOrg
from webapp.errors import FieldErrors, UserError, show_on_form
from webapp.extensions import db

TEXT_FIELDS = ("evaluators", "summary", "plan_assessment", "conclusion", "suggestions")


def _drill(drill_id: int) -> Drill:
    drill = services.get_drill(drill_id)
    if drill is None:
        abort(404)
    return drill


def _sheet_ready() -> None:
    """The shipped items are put in place on first use; keep them, even from a GET, so the ids
    a page shows are the ids it posts back."""
    if not db.session.scalar(select(func.count()).select_from(EvaluationItem)):
        sheets.ensure_items()
        db.session.commit()


def _lines(drill: Drill) -> list[dict]:
    """The sheet to fill: the evaluation's own copied lines when re-scoring, else the active items."""
    kept = sheets.scored_lines(drill)
    if kept is not None:
        return [{"item_id": s.item_id, "category": s.category, "title": s.title, "max_score": s.max_score,
                 "score": s.score, "remark": s.remark} for s in kept]
    return [{"item_id": i.id, "category": i.category, "title": i.title, "max_score": i.max_score, "score": None,
             "remark": ""} for i in sheets.items_for(drill.form_org)]


# ------------------------------------------------------------------------------------ evaluate


@bp.route("/<int:drill_id>/evaluate", methods=["GET", "POST"])
@require("drills.edit")
def evaluate(drill_id: int):
    drill = _drill(drill_id)
    _sheet_ready()
    evaluation = drill.evaluation
    item_errors: dict[str, str] = {}
    if request.method == "POST":
        form = EvaluationForm()
        valid = form.validate_on_submit()
        lines = _lines(drill)
        scores = {str(line["item_id"]): {"score": request.form.get(f"score_{line['item_id']}", ""),
                                         "remark": request.form.get(f"remark_{line['item_id']}", "")}
                  for line in lines}
        values = {"evaluated_on": form.evaluated_on.data} | {name: form[name].data for name in TEXT_FIELDS}
        try:
            saved = sheets.save_evaluation(drill, values, scores, current_user)
        except FieldErrors as exc:
            # A date the form could not read is already named there; the rest goes by field or item.
            errors = {k: v for k, v in exc.errors.items() if not (k in form and form[k].errors)}
            item_errors = {k: v for k, v in errors.items() if k.startswith("score_")}
            show_on_form(form, FieldErrors({k: v for k, v in errors.items() if k not in item_errors}))
        except UserError as exc:
            show_on_form(form, exc)
        else:
            if valid:
                db.session.commit()
                flash(f"已保存评估：总分 {saved.total} / {saved.max_total}，评定等级“{saved.grade}”", "success")
                return redirect(url_for("drills.evaluate", drill_id=drill.id))
            db.session.rollback()
        # Keep everything typed: the scores and remarks as sent, on the lines they were sent for.
        for line in lines:
            line["score"] = request.form.get(f"score_{line['item_id']}", "")
            line["remark"] = request.form.get(f"remark_{line['item_id']}", "")
        drill = _drill(drill_id)
        evaluation = drill.evaluation
    else:
        if evaluation is not None:
            form = EvaluationForm(formdata=None, obj=evaluation)
        else:
            form = EvaluationForm(formdata=None, evaluated_on=local_today() if drill.held else None)
        lines = _lines(drill)
    return render_template("drills/evaluate.html", drill=drill, evaluation=evaluation, form=form, lines=lines,
                           item_errors=item_errors, total_max=sum(line["max_score"] for line in lines),
                           rescoring=sheets.scored_lines(drill) is not None,
                           form_label=FORM_ORG_LABELS[FormOrg(drill.form_org)])


# --------------------------------------------------------------------------------------- items


def _item(item_id: int) -> EvaluationItem:
    return db.get_or_404(EvaluationItem, item_id)


@bp.get("/evaluation-items")
@require("drills.view")
def items():
    _sheet_ready()
    # Bounded (a sheet has about ten lines per form), grouped by form: not paginated.
    grouped = {form: [] for form in FormOrg}
    for item in sheets.all_items():
        grouped[FormOrg(item.form_org)].append(item)
    totals = dict(db.session.execute(select(EvaluationItem.form_org, func.sum(EvaluationItem.max_score))
                                     .where(EvaluationItem.active.is_(True))
                                     .group_by(EvaluationItem.form_org)).all())
    return render_template("drills/items.html", grouped=grouped, labels=FORM_ORG_LABELS,
                           totals={form: int(totals.get(form.value) or 0) for form in FormOrg})


@bp.route("/evaluation-items/new", methods=["GET", "POST"])
@require("drills.edit")
def item_new():
    form = ItemForm()
    if request.method == "GET" and request.args.get("form_org") in {f.value for f in FormOrg}:
        form.form_org.data = request.args["form_org"]
    if form.validate_on_submit():
        try:
            item = sheets.save_item(None, form.data)
        except UserError as exc:
            show_on_form(form, exc)
        else:
            db.session.commit()
            flash(f"已添加评估项目“{item.category}”（{FORM_ORG_LABELS[FormOrg(item.form_org)]}，{item.max_score} 分）",
                  "success")
            return redirect(url_for("drills.items", _anchor=item.form_org))
    return render_template("drills/item_form.html", form=form, item=None)


@bp.route("/evaluation-items/<int:item_id>/edit", methods=["GET", "POST"])
@require("drills.edit")
def item_edit(item_id: int):
    item = _item(item_id)
    form = ItemForm(obj=item)
    if form.validate_on_submit():
        try:
            sheets.save_item(item, form.data)
        except UserError as exc:
            show_on_form(form, exc)
        else:
            db.session.commit()
            flash(f"已保存评估项目“{item.category}”；已完成的评估保留原来的项目和分值", "success")
            return redirect(url_for("drills.items", _anchor=item.form_org))
    return render_template("drills/item_form.html", form=form, item=item)


@bp.post("/evaluation-items/<int:item_id>/toggle")
@require("drills.edit")
def item_toggle(item_id: int):
    item = _item(item_id)
    sheets.retire_item(item, active=not item.active)
    db.session.commit()
    if item.active:
        flash(f"已恢复评估项目“{item.category}”，新的评估表将包含此项", "success")
    else:
        flash(f"已停用评估项目“{item.category}”，新的评估表不再包含此项；已完成的评估不受影响", "success")
    return redirect(url_for("drills.items", _anchor=item.form_org))
