"""Word in and out: import a plan from a .docx, render a plan to Word/PDF, and its filing form
(备案登记表). The work is in wordio.py; these views parse the request and show the outcome."""

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import SelectField, StringField
from wtforms.validators import Length, Optional

from webapp.auth.permissions import can, require
from webapp.common.choices import choices
from webapp.documents import pdf
from webapp.errors import UserError, show_on_form
from webapp.extensions import db
from webapp.plans import bp, wordio
from webapp.plans.forms import PlanForm
from webapp.plans.models import Plan, PlanStatus
from webapp.plans.views import owner_choices

OUTPUTS = [("docx", "Word（.docx）"), ("pdf", "PDF")]


class ImportForm(PlanForm):
    # the title may come from the document itself (its 标题 paragraph, else the file name)
    title = StringField(_l("预案名称"), validators=[Optional(), Length(max=200)],
                        description=_l("可不填：取文档中“标题”样式的段落，没有时取文件名"))
    file = FileField(_l("Word 文件（.docx）"), validators=[FileRequired(_l("请选择要导入的 Word 文件（.docx）"))])


class RenderForm(FlaskForm):
    output = SelectField(_l("输出格式"), choices=choices(OUTPUTS))


def _plan(plan_id: int) -> Plan:
    return db.get_or_404(Plan, plan_id)  # ids beyond the integer range: 404 by common.ids


def _document_response(document, output: str):
    """Send the user to the generated file (Word, or PDF through LibreOffice when installed)."""
    if output == "pdf" and not pdf.available():
        flash("本机未安装 PDF 转换组件，已生成 Word 版本", "warning")
        output = "docx"
    return redirect(url_for("documents.generated_file", document_id=document.id, fmt=output))


@bp.route("/import", methods=["GET", "POST"])
@require("plans.edit")
def import_docx():
    form = ImportForm()
    form.organization_id.choices = owner_choices()
    if form.validate_on_submit():
        upload = form.file.data
        values = {name: form[name].data for name in ("title", "organization_id", "kind", "hazard", "hazard_subtype",
                                                      "response_levels", "responsible_person", "responsible_phone")}
        try:
            plan, report = wordio.import_docx(upload.read(), values, current_user, filename=upload.filename or "")
        except UserError as exc:
            show_on_form(form, exc)
        else:
            flash(f"已从 Word 文件导入预案“{plan.title}”，共 {len(plan.sections)} 节，存为草稿（第 1 版）", "success")
            if report:
                shown = report[:20]
                more = f"；另有 {len(report) - 20} 处" if len(report) > 20 else ""
                flash("以下内容未导入，请对照原文件补充：" + "；".join(shown) + more, "warning")
            return redirect(url_for("plans.detail", plan_id=plan.id))
    return render_template("plans/import.html", form=form, max_mb=_max_mb())


def _max_mb() -> int:
    return current_app.config["PLAN_IMPORT_MAX_BYTES"] // 1024 // 1024


@bp.route("/<int:plan_id>/render", methods=["GET", "POST"])
@require("plans.view")
def render(plan_id: int):
    plan = _plan(plan_id)
    form = RenderForm()
    if request.method == "POST" and form.validate_on_submit():
        try:
            document = wordio.render_plan(plan, current_user)
        except UserError as exc:
            show_on_form(form, exc)
        else:
            return _document_response(document, form.output.data)
    filing_form = RenderForm(formdata=None)
    return render_template("plans/render.html", plan=plan, form=form, filing_form=filing_form,
                           can_file=can("plans.review"), filed=plan.status == PlanStatus.FILED,
                           documents=wordio.plan_documents(plan), pdf_available=pdf.available())


@bp.post("/<int:plan_id>/filing-form")
@require("plans.review")
def render_filing(plan_id: int):
    plan = _plan(plan_id)
    form = RenderForm()
    if not form.validate_on_submit():
        flash("；".join(str(e) for errors in form.errors.values() for e in errors), "danger")
        return redirect(url_for("plans.render", plan_id=plan.id))
    try:
        document = wordio.render_filing(plan, current_user)
    except UserError as exc:
        db.session.rollback()
        flash(exc.message, "danger")
        return redirect(url_for("plans.render", plan_id=plan.id))
    return _document_response(document, form.output.data)
