"""The question bank pages: banks, their questions, one question's form, import and export."""

import io
import re

from flask import flash, redirect, render_template, request, send_file, url_for

from webapp.auth.permissions import require
from webapp.common.choices import choices
from webapp.common.spreadsheets import xlsx_response
from webapp.errors import UserError, show_on_form
from webapp.extensions import db
from webapp.listing import args_without
from webapp.quiz import banks, bp, formats
from webapp.quiz.bank_forms import BankForm, ImportForm, QuestionForm
from webapp.quiz.drafts import DIFFICULTY_LABELS, KIND_LABELS, OPTION_LETTERS, Kind
from webapp.quiz.models import Question, QuestionBank

QUESTIONS_PER_PAGE = 50


def _banks_page(form: BankForm):
    return render_template("quiz/banks.html", banks=banks.all_banks(), counts=banks.bank_counts(),
                           kinds=KIND_LABELS, form=form)


@bp.get("/banks")
@require("quiz.view")
def banks_list():
    return _banks_page(BankForm())


@bp.post("/banks")
@require("quiz.manage")
def bank_create():
    form = BankForm()
    if form.validate_on_submit():
        try:
            bank = banks.create_bank(form.name.data, form.description.data or "")
        except UserError as exc:
            show_on_form(form, exc)
        else:
            flash(f"已新建题库“{bank.name}”", "success")
            return redirect(url_for("quiz.bank_detail", bank_id=bank.id))
    return _banks_page(form)


@bp.get("/banks/<int:bank_id>")
@require("quiz.view")
def bank_detail(bank_id: int):
    bank = db.get_or_404(QuestionBank, bank_id)
    page = db.paginate(banks.question_query(bank, request.args), per_page=QUESTIONS_PER_PAGE,
                       max_per_page=QUESTIONS_PER_PAGE, error_out=False)
    return render_template("quiz/bank.html", bank=bank, page=page, tags=banks.bank_tags(bank), kinds=KIND_LABELS,
                           difficulties=DIFFICULTY_LABELS, letters=OPTION_LETTERS, filters=args_without("page", "bank_id"),
                           here=args_without("bank_id"))


@bp.post("/questions/<int:question_id>/status")
@require("quiz.manage")
def question_status(question_id: int):
    question = db.get_or_404(Question, question_id)
    active = request.form.get("active") == "1"
    banks.set_active(question, active)
    flash(f"已{'启用' if active else '停用'}第 {question.id} 题", "success")
    # the bank page's filters and page come back as the query string of the form's action
    return redirect(url_for("quiz.bank_detail", bank_id=question.bank_id, **args_without("bank_id")))


def _refused(form: QuestionForm, exc: UserError) -> None:
    """Show every problem of the question above the form; nothing stays flushed."""
    db.session.rollback()
    messages = exc.errors if isinstance(exc, banks.QuestionsRefused) else exc.message.split("；")
    form.form_errors.extend(m.removeprefix("该题：") for m in messages)


@bp.route("/banks/<int:bank_id>/questions/new", methods=["GET", "POST"])
@require("quiz.manage")
def question_new(bank_id: int):
    bank = db.get_or_404(QuestionBank, bank_id)
    form = QuestionForm()
    if form.validate_on_submit():
        try:
            question = banks.add_question(bank, form.draft())
        except UserError as exc:
            _refused(form, exc)
        else:
            flash(f"已添加第 {question.id} 题", "success")
            if request.form.get("next") == "new":
                return redirect(url_for("quiz.question_new", bank_id=bank.id, kind=question.kind))
            return redirect(url_for("quiz.bank_detail", bank_id=bank.id))
    elif request.method == "GET" and request.args.get("kind") in {k.value for k in Kind}:
        form.kind.data = request.args["kind"]
    return render_template("quiz/question_form.html", form=form, bank=bank, question=None)


@bp.route("/questions/<int:question_id>/edit", methods=["GET", "POST"])
@require("quiz.manage")
def question_edit(question_id: int):
    question = db.get_or_404(Question, question_id)
    form = QuestionForm()
    if request.method == "GET":
        form.fill_from(banks.draft_of(question))
    if form.validate_on_submit():
        try:
            banks.update_question(question, form.draft())
        except UserError as exc:
            _refused(form, exc)
        else:
            flash(f"已保存第 {question.id} 题", "success")
            return redirect(url_for("quiz.bank_detail", bank_id=question.bank_id))
    return render_template("quiz/question_form.html", form=form, bank=question.bank, question=question)


# ---------------------------------------------------------------- import and export


_PLACE = re.compile(r"(第 \d+ [行题](?:（.*?）)?)：(.*)", re.S)


def _located(error: str) -> tuple[str, str]:
    """"第 3 行：答案 E 不在选项中" → ("第 3 行", "答案 E 不在选项中"), "第 2 题（标题）：…" likewise
    (a colon inside the title stays in it); a message without a place keeps it whole."""
    found = _PLACE.fullmatch(error)
    return (found.group(1), found.group(2)) if found else ("", error)


@bp.route("/banks/import", methods=["GET", "POST"])
@require("quiz.manage")
def bank_import():
    form = ImportForm()
    form.bank_id.choices = choices([(0, "（新建题库，在下方填写名称）")] + [(b.id, b.name) for b in banks.all_banks()])
    if request.method == "GET" and request.args.get("bank", "").isdigit():
        form.bank_id.data = int(request.args["bank"])
    errors, problem = [], None
    if form.validate_on_submit():
        upload = form.file.data
        try:
            parsed = formats.read_questions(upload.filename, upload.stream)
            bank = (db.get_or_404(QuestionBank, form.bank_id.data) if form.bank_id.data
                    else banks.get_or_create_bank(form.new_bank.data))
            report = banks.save_drafts(bank, parsed.drafts, parsed.errors)
        except formats.FormatError as exc:
            problem = str(exc)
        except banks.QuestionsRefused as exc:
            errors = [_located(e) for e in exc.errors]
        except UserError as exc:
            show_on_form(form, exc, {"name": "new_bank"})
        else:
            flash(f"已导入 {report.added} 道题到题库“{report.bank.name}”", "success")
            return redirect(url_for("quiz.bank_detail", bank_id=report.bank.id))
        # a bank created for this file goes too: the page answers 200, which would commit it
        db.session.rollback()
    return render_template("quiz/import.html", form=form, errors=errors, problem=problem)


@bp.get("/banks/template.xlsx")
@require("quiz.view")
def bank_template():
    return xlsx_response("题库导入模板.xlsx", formats.excel_template())


def _file_stem(bank: QuestionBank) -> str:
    return re.sub(r'[\\/:*?"<>|\s]+', "_", bank.name).strip("_") or f"题库{bank.id}"


@bp.get("/banks/<int:bank_id>/export.xlsx")
@require("quiz.view")
def bank_export_xlsx(bank_id: int):
    bank = db.get_or_404(QuestionBank, bank_id)
    return xlsx_response(f"{_file_stem(bank)}.xlsx", formats.write_excel(banks.bank_drafts(bank)))


@bp.get("/banks/<int:bank_id>/export.gift")
@require("quiz.view")
def bank_export_gift(bank_id: int):
    bank = db.get_or_404(QuestionBank, bank_id)
    data = formats.write_gift(banks.bank_drafts(bank)).encode("utf-8")
    # download_name: Werkzeug adds the RFC 5987 filename* form, so Chinese names survive.
    return send_file(io.BytesIO(data), mimetype="text/plain", as_attachment=True,
                     download_name=f"{_file_stem(bank)}.gift")
