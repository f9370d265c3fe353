"""The drill officer's pages: the list of drills (filters, counts per phase, Excel), one form to
plan or record a drill (plans, timeline and, when new, the photos taken in the field), the drill's
page (everything recorded, gallery, phase buttons, and the evaluation, problems and documents of
the other view modules), the photos themselves, and the year's drill plan per organizing unit.

A request commits once: services flush, the view commits when everything passed. A new drill
with a bad photo is not saved at all, and the photos already stored for it are deleted again."""

from datetime import date

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import case, extract, func, select
from sqlalchemy.orm import selectinload
from wtforms.fields.choices import SelectChoice

from webapp.auth.permissions import can, require
from webapp.common import photo_views
from webapp.common.ids import as_id
from webapp.common.spreadsheets import workbook_bytes, xlsx_response
from webapp.common.time import local_today
from webapp.drills import bp, paperwork, services
from webapp.drills.forms import NEW_STATUSES, DrillForm
from webapp.drills.models import (
    FORM_CONTENT_LABELS,
    FORM_ORG_LABELS,
    FORM_PURPOSE_LABELS,
    HELD,
    STATUS_LABELS,
    Drill,
    DrillPhoto,
    DrillProblem,
    DrillStatus,
    DrillStep,
    ProblemStatus,
)
from webapp.errors import UserError, show_on_form
from webapp.extensions import db
from webapp.listing import args_without, paginate
from webapp.plans.models import HAZARD_LABELS, Plan, PlanStatus
from webapp.plans.models import KIND_LABELS as PLAN_KIND_LABELS
from webapp.registry import services as registry
from webapp.registry.models import INDUSTRIES, TOWN_KINDS, Organization, OrgKind
from webapp.registry.models import KIND_LABELS as ORG_KIND_LABELS

# Organizers in the order the select groups them: government first, enterprises (the many) last.
ORGANIZER_KINDS = (OrgKind.COUNTY, OrgKind.DEPARTMENT, OrgKind.TOWN, OrgKind.STREET, OrgKind.VILLAGE,
                   OrgKind.COMMUNITY, OrgKind.SCHOOL, OrgKind.ENTERPRISE)
TIMELINE_ROWS = 8  # rows the form shows at least (blank ones are ignored)
def drill_or_404(drill_id: int) -> Drill:
    drill = services.get_drill(drill_id)
    if drill is None:
        abort(404)
    return drill


def _attach(drill: Drill, uploads: list[tuple[str, bytes]], stored: list[DrillPhoto], caption: str = "") -> None:
    photo_views.attach_all(uploads, lambda data: services.add_photo(drill, data, caption, current_user), stored,
                           len(drill.photos), current_app.config["DRILL_PHOTOS_PER_DRILL"], "演练")


def _failed(exc: UserError) -> None:
    db.session.rollback()
    flash(exc.message, "danger")


def _day(value) -> str:
    return value.isoformat() if value else ""


# ---------------------------------------------------------------------------------------- list


def _organizer_filter_choices() -> list[tuple[int, str]]:
    """Only units that organized a drill: the filter stays short however large the registry."""
    rows = db.session.execute(select(Organization.id, Organization.name)
                              .where(Organization.id.in_(select(Drill.organization_id).distinct()))
                              .order_by(Organization.name)).all()
    return [(r.id, r.name) for r in rows]


def _years() -> list[int]:
    """Years with drills (and this and next year, for plans ahead), newest first."""
    first, last = db.session.execute(select(func.min(services._day()), func.max(services._day()))).one()
    this_year = local_today().year
    low = min(first.year if first else this_year, this_year)
    high = max(last.year if last else this_year, this_year + 1)
    return list(range(high, low - 1, -1))


def _status_counts(args) -> dict[str, int]:
    """Drills per phase under the other filters (a badge's count is what its link would list)."""
    query = (services.drill_query({k: v for k, v in args.items() if k != "status"}).order_by(None)
             .with_only_columns(Drill.status, func.count(Drill.id)).group_by(Drill.status))
    return {status: n for status, n in db.session.execute(query)}


@bp.get("/")
@require("drills.view")
def index():
    query = services.drill_query(request.args)
    if request.args.get("format") == "xlsx":
        return _export(query)
    page = paginate(query.options(selectinload(Drill.organization)))
    plan = db.session.get(Plan, as_id(request.args.get("plan")) or 0)
    return render_template(
        "drills/index.html", page=page, filters=args_without("page"), export_args=args_without("page", "format"),
        counts=_status_counts(request.args), statuses=STATUS_LABELS, years=_years(), towns=registry.towns(),
        organizers=_organizer_filter_choices(), industries=INDUSTRIES, hazards=HAZARD_LABELS,
        form_orgs=FORM_ORG_LABELS, plan=plan, today=local_today(), status_args=args_without("page", "format", "status"),
        no_plan_args=args_without("page", "format", "plan"))


EXPORT_HEADERS = ("序号", "演练名称", "组织单位", "单位类型", "所在乡镇（街道）", "行业类型", "事件类别", "事件子类",
                  "组织形式", "演练内容", "演练目的类型", "状态", "计划日期", "实施日期", "开始时间", "时长（分钟）",
                  "演练地点", "演练的预案", "总指挥", "记录人", "参演人数", "参演单位数", "参演单位", "观摩人员",
                  "动用的装备物资", "演练目的", "演练情景", "安全保障措施", "演练过程（条）", "照片（张）", "评估得分",
                  "评估等级", "发现问题", "未整改问题")


def _town_names() -> dict[int, str]:
    return dict(db.session.execute(select(Organization.id, Organization.name)
                                   .where(Organization.kind.in_([k.value for k in TOWN_KINDS]))).all())


def _counts_by_drill(column, ids, *where) -> dict[int, int]:
    """drill id → rows of a child table, for the drills of a query, in one GROUP BY."""
    return dict(db.session.execute(select(column, func.count()).where(column.in_(ids), *where).group_by(column)).all())


def _export(query):
    drills = list(db.session.scalars(query.options(selectinload(Drill.organization), selectinload(Drill.plans),
                                                   selectinload(Drill.evaluation))))
    ids = query.order_by(None).with_only_columns(Drill.id)
    steps = _counts_by_drill(DrillStep.drill_id, ids)
    photos = _counts_by_drill(DrillPhoto.drill_id, ids)
    problems = _counts_by_drill(DrillProblem.drill_id, ids)
    unclosed = _counts_by_drill(DrillProblem.drill_id, ids, DrillProblem.status != ProblemStatus.CLOSED.value)
    towns = _town_names()
    rows = []
    for number, d in enumerate(drills, 1):
        evaluation = d.evaluation
        rows.append((
            number, d.title, d.organization.name, d.organization.kind_label, towns.get(d.town_id, ""), d.industry or "",
            HAZARD_LABELS.get(d.hazard, d.hazard), d.hazard_subtype, FORM_ORG_LABELS.get(d.form_org, d.form_org),
            FORM_CONTENT_LABELS.get(d.form_content, d.form_content),
            FORM_PURPOSE_LABELS.get(d.form_purpose, d.form_purpose), d.status_label, _day(d.planned_on),
            _day(d.held_on), d.start_time, d.duration_minutes, d.location, "\n".join(p.title for p in d.plans),
            d.commander, d.recorder, d.participants, d.participant_units, d.units, d.observers, d.resources,
            d.purpose, d.scenario, d.safety_measures, steps.get(d.id, 0), photos.get(d.id, 0),
            f"{evaluation.total}/{evaluation.max_total}" if evaluation else "", evaluation.grade if evaluation else "",
            problems.get(d.id, 0), unclosed.get(d.id, 0)))
    return xlsx_response(f"应急演练清单_{local_today():%Y%m%d}.xlsx", workbook_bytes(EXPORT_HEADERS, rows))


# ---------------------------------------------------------------------------------------- form


def organizer_choices(current: Organization | None = None) -> list[SelectChoice]:
    """Every active unit, grouped by kind and labelled with its place (东镇/新村); each option
    carries its industry so the form can say what the drill's industry defaults to."""
    paths = dict(registry.org_choices())
    rows = db.session.execute(select(Organization.id, Organization.kind, Organization.industry)
                              .where(Organization.id.in_(paths))).all() if paths else []
    facts = {r.id: (r.kind, r.industry or "") for r in rows}
    if current is not None and current.id not in paths:  # a deactivated organizer stays selectable
        paths[current.id], facts[current.id] = registry.org_path(current), (current.kind, current.industry or "")
    out = [SelectChoice(0, "（请选择组织单位）")]
    for kind in ORGANIZER_KINDS:
        group = ORG_KIND_LABELS[kind]
        out += [SelectChoice(oid, label, render_kw={"data-industry": facts[oid][1]} if facts[oid][1] else None,
                             optgroup=group)
                for oid, label in sorted(paths.items(), key=lambda p: p[1]) if facts[oid][0] == kind.value]
    return out


def plan_groups(organizer_id: int | None, selected: list[int]) -> list[dict]:
    """The plans a drill may exercise (all but withdrawn ones, plus any already chosen), grouped by
    the unit that owns them: the organizer's own first, then government before enterprises."""
    rows = db.session.execute(
        select(Plan.id, Plan.title, Plan.kind, Plan.status, Organization.id.label("org_id"),
               Organization.name.label("org_name"), Organization.kind.label("org_kind"))
        .join(Organization, Plan.organization_id == Organization.id)
        .where((Plan.status != PlanStatus.WITHDRAWN.value) | Plan.id.in_(selected or [0]))
        .order_by(Organization.name, Organization.id, Plan.kind, Plan.title)).all()
    order = {k.value: i for i, k in enumerate(ORGANIZER_KINDS)}
    groups: dict[int, dict] = {}
    for r in rows:
        group = groups.setdefault(r.org_id, {"org_id": r.org_id, "name": r.org_name, "rank": order.get(r.org_kind, 99),
                                             "plans": []})
        label = f"{r.title}（{PLAN_KIND_LABELS.get(r.kind, r.kind)}）"
        if r.status == PlanStatus.WITHDRAWN.value:
            label += "【已废止】"
        group["plans"].append({"id": r.id, "label": label, "selected": r.id in selected})
    return sorted(groups.values(), key=lambda g: (g["org_id"] != organizer_id, g["rank"], g["name"]))


def _values(form: DrillForm) -> dict:
    return {name: form[name].data for name in services.DRILL_FIELDS}


def _submitted_steps() -> list[dict]:
    """The timeline rows as posted: step_at, step_event, step_action, one of each per row."""
    columns = [request.form.getlist(f"step_{name}") for name in ("at", "event", "action")]
    count = max(len(c) for c in columns)
    columns = [c + [""] * (count - len(c)) for c in columns]
    return [{"at": at, "event": event, "action": action} for at, event, action in zip(*columns, strict=True)]


def _timeline_rows(steps: list[dict]) -> list[dict]:
    """The rows the form shows: those holding something, then blank ones (at least 3, 8 in all)."""
    filled = [s for s in steps if any((s.get(k) or "").strip() for k in ("at", "event", "action"))]
    blank = max(3, TIMELINE_ROWS - len(filled))
    return filled + [{"at": "", "event": "", "action": ""}] * blank


def _render_form(form: DrillForm, drill: Drill | None, steps: list[dict], photos_lost: bool = False):
    try:
        organizer = int(form.organization_id.data or 0)
    except (TypeError, ValueError):
        organizer = 0
    selected = [i for i in (as_id(v) for v in form.plan_ids.data or []) if i]
    return render_template(
        "drills/form.html", form=form, drill=drill, steps=_timeline_rows(steps),
        plan_groups=plan_groups(organizer or None, selected), photos_lost=photos_lost,
        today=local_today(), **photo_views.limits(current_app.config["DRILL_PHOTOS_PER_DRILL"]))


@bp.route("/new", methods=["GET", "POST"])
@require("drills.edit")
def new():
    form = DrillForm()
    form.organization_id.choices = organizer_choices()
    if request.method == "GET":
        _prefill(form)
    steps = _submitted_steps() if request.method == "POST" else []
    if form.validate_on_submit():
        uploads, photos = photo_views.uploaded(), []
        try:
            drill = services.save_drill(None, _values(form), form.plan_ids.data or [], steps, current_user)
            _attach(drill, uploads, photos)
        except UserError as exc:
            files = [(p.key, p.thumb_key) for p in photos]
            show_on_form(form, exc)  # rolls back: no drill, no photo rows
            photo_views.discard(files)
            return _render_form(form, None, steps, photos_lost=bool(uploads))
        db.session.commit()
        extra = f"，照片 {len(photos)} 张" if photos else ""
        flash(f"已保存演练“{drill.title}”（{drill.status_label}{extra}）", "success")
        return redirect(url_for("drills.detail", drill_id=drill.id))
    return _render_form(form, None, steps, photos_lost=request.method == "POST" and bool(photo_views.uploaded()))


def _prefill(form: DrillForm) -> None:
    """?plan= starts a drill of that plan (its owner, hazard); ?org= a drill of that unit."""
    form.status.data = DrillStatus.PLANNED.value
    plan = db.session.get(Plan, as_id(request.args.get("plan")) or 0)
    if plan is not None and plan.status != PlanStatus.WITHDRAWN.value:
        form.plan_ids.data = [str(plan.id)]
        form.organization_id.data = plan.organization_id
        form.hazard.data, form.hazard_subtype.data = plan.hazard, plan.hazard_subtype or ""
    owner = db.session.get(Organization, as_id(request.args.get("org")) or 0)
    if owner is not None:
        form.organization_id.data = owner.id


@bp.route("/<int:drill_id>/edit", methods=["GET", "POST"])
@require("drills.edit")
def edit(drill_id: int):
    drill = drill_or_404(drill_id)
    # 评估 and 已总结 follow the evaluation (the status buttons); before it, the form offers the first three.
    # An evaluated drill, or one that found problems, stays held (services refuse going back).
    if drill.evaluation is not None:
        statuses = list(HELD)
    elif drill.problems:
        statuses = [DrillStatus.CONDUCTED.value, drill.status]
    else:
        statuses = [*NEW_STATUSES, drill.status]
    form = DrillForm(obj=drill, statuses=[s for s in STATUS_LABELS if s in statuses])
    form.organization_id.choices = organizer_choices(drill.organization)
    if request.method == "GET":
        form.plan_ids.data = [str(p.id) for p in drill.plans]
        form.industry.data = drill.industry or ""
        steps = [{"at": s.at, "event": s.event, "action": s.action} for s in drill.steps]
    else:
        steps = _submitted_steps()
    if form.validate_on_submit():
        try:
            services.save_drill(drill, _values(form), form.plan_ids.data or [], steps, current_user)
        except UserError as exc:
            show_on_form(form, exc)
        else:
            db.session.commit()
            flash(f"已保存演练“{drill.title}”", "success")
            return redirect(url_for("drills.detail", drill_id=drill.id))
    return _render_form(form, drill, steps)


# -------------------------------------------------------------------------------------- detail


def status_actions(drill: Drill) -> dict:
    """The phase buttons: forward (实施 asks for its date), and one step back to undo a mistake."""
    order = services.ORDER
    current = DrillStatus(drill.status)
    index_ = order.index(current)
    forward = []
    if current in (DrillStatus.PLANNED, DrillStatus.PREPARING):
        if current == DrillStatus.PLANNED:
            forward.append(DrillStatus.PREPARING)
        forward.append(DrillStatus.CONDUCTED)
    elif current == DrillStatus.CONDUCTED:
        forward.append(DrillStatus.EVALUATING)
    elif current == DrillStatus.EVALUATING:
        forward.append(DrillStatus.SUMMARIZED)
    back = order[index_ - 1] if index_ > 0 else None
    if back is not None and services.cannot_go_back(drill, back):
        back = None  # evaluated or found problems: it stays held
    return {"forward": [(s.value, STATUS_LABELS[s]) for s in forward],
            "back": (back.value, STATUS_LABELS[back]) if back else None}


@bp.get("/<int:drill_id>")
@require("drills.view")
def detail(drill_id: int):
    drill = drill_or_404(drill_id)
    today = local_today()
    default_held = drill.held_on or (drill.planned_on if drill.planned_on and drill.planned_on <= today else None)
    return render_template(
        "drills/detail.html", drill=drill, documents=paperwork.documents_for(drill), actions=status_actions(drill),
        default_held=default_held, today=today, editable=can("drills.edit"),
        hazard_label=HAZARD_LABELS.get(drill.hazard, drill.hazard), unit_lines=_lines(drill.units),
        **photo_views.limits(current_app.config["DRILL_PHOTOS_PER_DRILL"]))


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


@bp.post("/<int:drill_id>/status")
@require("drills.edit")
def status(drill_id: int):
    drill = drill_or_404(drill_id)
    target = request.form.get("to", "")
    raw = (request.form.get("held_on") or "").strip()
    try:
        try:
            held_on = date.fromisoformat(raw) if raw else None
        except ValueError:
            raise UserError(f"实施日期“{raw}”格式不正确，应为 年-月-日，例如 2026-05-12") from None
        services.change_status(drill, target, held_on)
    except UserError as exc:
        _failed(exc)
    else:
        db.session.commit()
        flash(f"演练状态已改为“{drill.status_label}”", "success")
    return redirect(url_for("drills.detail", drill_id=drill.id))


# -------------------------------------------------------------------------------------- photos


@bp.post("/<int:drill_id>/photos")
@require("drills.edit")
def photo_upload(drill_id: int):
    drill = drill_or_404(drill_id)
    uploads = photo_views.uploaded()
    if not uploads:
        flash("请选择要上传的照片", "danger")
        return redirect(url_for("drills.detail", drill_id=drill.id, _anchor="photos"))
    photos: list[DrillPhoto] = []
    try:
        _attach(drill, uploads, photos, request.form.get("caption", ""))
    except UserError as exc:
        files = [(p.key, p.thumb_key) for p in photos]
        _failed(exc)
        photo_views.discard(files)
        flash("本次选择的照片都未保存，请去掉有问题的照片后重新上传", "warning")
    else:
        db.session.commit()
        flash(f"已上传 {len(photos)} 张照片", "success")
    return redirect(url_for("drills.detail", drill_id=drill.id, _anchor="photos"))


@bp.get("/photos/<int:photo_id>/<size>")
@require("drills.view")
def photo(photo_id: int, size: str):
    photo = db.session.get(DrillPhoto, photo_id)
    return photo_views.send(photo, size, f"drill-{photo.drill_id}-{photo.id}" if photo else "")


@bp.post("/photos/<int:photo_id>/delete")
@require("drills.edit")
def photo_delete(photo_id: int):
    photo = db.session.get(DrillPhoto, photo_id)
    if photo is None:
        abort(404)
    drill_id = photo.drill_id
    try:
        services.remove_photo(photo)
    except UserError as exc:
        _failed(exc)
    else:
        db.session.commit()
        flash("已删除照片", "success")
    return redirect(url_for("drills.detail", drill_id=drill_id, _anchor="photos"))


# ----------------------------------------------------------------------------------- year plan


def _year_arg() -> tuple[int, str | None]:
    text = (request.args.get("year") or "").strip()
    this_year = local_today().year
    if not text:
        return this_year, None
    if not text.isdigit() or not 2000 <= int(text) <= 2100:
        return this_year, f"年份“{text}”不正确，已改为显示今年"
    return int(text), None


@bp.get("/year-plan")
@require("drills.view")
def year_plan():
    year, error = _year_arg()
    town, org = as_id(request.args.get("town")), as_id(request.args.get("org"))
    if request.args.get("format") == "xlsx":
        return _year_plan_export(year, services.year_plan(year, org, town))
    where = [extract("year", services._day()) == year, *([Drill.town_id == town] if town else []),
             *([Drill.organization_id == org] if org else [])]
    page = paginate(select(Organization).where(Organization.id.in_(select(Drill.organization_id).where(*where)))
                    .order_by(case((Organization.kind == OrgKind.COUNTY.value, 0), else_=1), Organization.name,
                              Organization.id))
    groups = services.year_plan(year, org, town, org_ids=[o.id for o in page.items]) if page.items else []
    held = case((Drill.status.in_(HELD), "held"), else_="ahead")
    totals = dict(db.session.execute(select(held, func.count(Drill.id)).where(*where).group_by(held)).all())
    return render_template(
        "drills/year_plan.html", year=year, error=error, page=page, groups=groups, totals=totals,
        years=sorted({*_years(), year}, reverse=True), towns=registry.towns(), organizers=_organizer_filter_choices(), today=local_today(),
        filters=args_without("page"), export_args=args_without("page", "format"), town_names=_town_names())


YEAR_PLAN_HEADERS = ("组织单位", "单位类型", "所在乡镇（街道）", "序号", "演练名称", "演练的预案", "组织形式", "演练内容",
                     "事件类别", "计划日期", "实施日期", "状态", "参演人数", "演练地点", "总指挥")


def _year_plan_export(year: int, groups):
    towns = _town_names()
    rows = []
    for org, drills in groups:
        for number, d in enumerate(drills, 1):
            rows.append((org.name, org.kind_label, towns.get(org.town_id, ""), number, d.title,
                         "\n".join(p.title for p in d.plans), FORM_ORG_LABELS.get(d.form_org, d.form_org),
                         FORM_CONTENT_LABELS.get(d.form_content, d.form_content),
                         HAZARD_LABELS.get(d.hazard, d.hazard), _day(d.planned_on), _day(d.held_on), d.status_label,
                         d.participants if d.held else "", d.location, d.commander))
    return xlsx_response(f"{year}年应急演练计划.xlsx", workbook_bytes(YEAR_PLAN_HEADERS, rows))
