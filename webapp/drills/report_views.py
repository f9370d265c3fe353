"""Reports on drills: frequency compliance of the plans (compliance.py), the year's figures
(figures.py) with their Excel, and a drill's documents — the drill record and the evaluation
report (paperwork.py), in Word or PDF."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from webapp.auth.permissions import require
from webapp.common.figures import year_from
from webapp.common.ids import as_id
from webapp.common.spreadsheets import workbook_bytes, xlsx_response
from webapp.common.time import local_today
from webapp.documents import pdf
from webapp.drills import bp, paperwork, services
from webapp.drills import compliance as frequency
from webapp.drills import figures as drill_figures
from webapp.errors import UserError
from webapp.extensions import db
from webapp.listing import args_without, paginate_list
from webapp.plans import due
from webapp.plans.models import Plan
from webapp.registry.models import Organization
from webapp.registry.services import towns

STATES = {"overdue": "逾期未演练", "met": "已达标"}
FORMATS = ("docx", "pdf")

# ---------------------------------------------------------------------------------- compliance


def _summary(rows: list[frequency.PlanCompliance]) -> dict:
    plans = len(rows)
    met = sum(1 for r in rows if r.met)
    return {"plans": plans, "met": met, "overdue": plans - met,
            "rate": f"{met / plans * 100:.1f}%" if plans else "—"}


def _owners_with_plans() -> list[tuple[int, str]]:
    """Only units that own a plan in force: the filter stays short however large the registry."""
    return [(r.id, r.name) for r in db.session.execute(
        select(Organization.id, Organization.name)
        .where(Organization.id.in_(select(Plan.organization_id).where(Plan.status.in_(due.IN_FORCE)).distinct()))
        .order_by(Organization.name)).all()]


def _state_text(row: frequency.PlanCompliance) -> str:
    return "已达标" if row.met else f"逾期 {row.days_overdue} 天"


def _town_name(row: frequency.PlanCompliance) -> str:
    organization = row.plan.organization
    return organization.town.name if organization is not None and organization.town is not None else "县本级"


@bp.get("/compliance")
@require("drills.view")
def compliance():
    scope = {k: v for k, v in request.args.items() if k in ("town", "org")}
    everything = frequency.compliance(scope)  # the whole town/unit, for the summary and the totals
    state = request.args.get("state") or ""
    rows = [r for r in everything if r.met == (state == "met")] if state in STATES else everything
    if request.args.get("format") == "xlsx":
        headers = ("预案名称", "编制单位", "所在乡镇（街道）", "预案类型", "演练周期", "发布日期", "上次演练", "应于此前演练",
                   "状态")
        data = [(r.plan.title, r.plan.organization.name, _town_name(r), r.plan.kind_label, f"每 {r.months} 个月",
                 r.plan.issued_on.isoformat(), r.last_drill.isoformat() if r.last_drill else "无记录",
                 r.due_on.isoformat(), _state_text(r)) for r in rows]
        return xlsx_response(f"预案演练频次达标情况_{local_today():%Y%m%d}.xlsx", workbook_bytes(headers, data))
    return render_template("drills/compliance.html", page=paginate_list(rows), summary=_summary(everything),
                           by_town=frequency.overdue_by_town(everything), towns=towns(), owners=_owners_with_plans(),
                           states=STATES, filters=args_without("page"), export_args=args_without("page", "format"),
                           today=local_today())


# ------------------------------------------------------------------------------------- figures


@bp.get("/figures")
@require("drills.view")
def figures():
    error = None
    try:
        year = year_from(request.args)
    except UserError as exc:
        error = exc.message
        year = year_from({})
    town_id = as_id(request.args.get("town"))
    figs = drill_figures.figures(year, town_id)
    if request.args.get("format") == "xlsx" and error is None:
        place = f"{figs['town_name']}-" if figs["town_name"] else ""
        return xlsx_response(f"应急演练统计-{place}{year}年.xlsx", drill_figures.figures_workbook(figs))
    peak = max((r["drills"] for r in figs["tables"]["month"]), default=0)
    return render_template("drills/figures.html", figs=figs, error=error, towns=towns(), this_year=local_today().year,
                           labels=drill_figures.TABLES, peak=peak, args=args_without("format"))


# ----------------------------------------------------------------------------------- documents


def _drill(drill_id: int):
    drill = services.get_drill(drill_id)
    if drill is None:
        abort(404)
    return drill


def _output() -> str:
    output = request.form.get("fmt") or "docx"
    if output not in FORMATS:
        output = "docx"
    if output == "pdf" and not pdf.available():
        flash("本机未安装 PDF 转换组件，已生成 Word 版本", "warning")
        output = "docx"
    return output


def _document(drill_id: int, render):
    """Render, then send the user to the file (Word, or PDF through LibreOffice); on a refusal
    back to the drill with the reason."""
    drill = _drill(drill_id)
    output = _output()
    try:
        document = render(drill)
    except UserError as exc:
        db.session.rollback()
        flash(exc.message, "danger")
        return redirect(url_for("drills.detail", drill_id=drill.id) + "#documents")
    return redirect(url_for("documents.generated_file", document_id=document.id, fmt=output))


@bp.post("/<int:drill_id>/record-doc")
@require("drills.edit")
def record_doc(drill_id: int):
    return _document(drill_id, lambda drill: paperwork.render_record(drill, current_user))


@bp.post("/<int:drill_id>/evaluation-doc")
@require("drills.edit")
def evaluation_doc(drill_id: int):
    issuer = request.form.get("issuer") or "organizer"
    return _document(drill_id, lambda drill: paperwork.render_evaluation(drill, current_user, issuer))
