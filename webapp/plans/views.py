"""The plan reviewer's pages: the registry (search, filters, Excel), a plan's registry fields, its
detail page (contents, attachments, status history), the section editor with optimistic locking,
versions (compare, restore) and what is due (evaluation, revision, drills). Status changes,
comments and expert reviews are on the review page (review_views.py); Word in and out in
word_views.py."""

from datetime import timedelta

from flask import abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from wtforms.fields.choices import SelectChoice

from webapp import storage
from webapp.auth.permissions import can, require
from webapp.common.figures import period_from
from webapp.common.ids import as_id
from webapp.common.spreadsheets import human_size, workbook_bytes, xlsx_response
from webapp.common.time import local_today
from webapp.documents.richtext import sanitize
from webapp.errors import UserError, show_on_form
from webapp.extensions import db
from webapp.listing import args_without, paginate
from webapp.plans import attachments, bp, review, services
from webapp.plans import due as due_lists
from webapp.plans import figures as plan_figures
from webapp.plans.forms import AttachmentFileForm, AttachmentTitleForm, PlanForm, SectionForm
from webapp.plans.models import (
    HAZARD_LABELS,
    KIND_LABELS,
    STATUS_LABELS,
    Plan,
    PlanAttachment,
    PlanComment,
    PlanKind,
    PlanSection,
    PlanStatus,
)
from webapp.plans.outlines import OUTLINES
from webapp.registry import services as registry
from webapp.registry.models import KIND_LABELS as ORG_KIND_LABELS
from webapp.registry.models import Organization, OrgKind

# Who may own a plan, in the order the owner list shows them (DOMAIN.md §3: governments,
# departments, towns, villages/communities, schools; §1: enterprises).
OWNER_KINDS = (OrgKind.COUNTY, OrgKind.DEPARTMENT, OrgKind.TOWN, OrgKind.STREET, OrgKind.VILLAGE,
               OrgKind.COMMUNITY, OrgKind.SCHOOL, OrgKind.ENTERPRISE)
DUE_DAYS = 90  # the default window of the due page and of the "评估到期" filter


def plan_or_404(plan_id: int) -> Plan:
    return db.get_or_404(Plan, plan_id)


def section_or_404(plan: Plan, key: str) -> PlanSection:
    section = db.session.scalar(select(PlanSection).where(PlanSection.plan_id == plan.id, PlanSection.key == key))
    if section is None:
        abort(404)
    return section


def _failed(exc: UserError) -> None:
    db.session.rollback()
    flash(exc.message, "danger")


# ------------------------------------------------------------------------------------ registry


def _owner_filter_choices() -> list[tuple[int, str]]:
    """Only organizations that own a plan: the filter stays short however large the registry."""
    rows = db.session.execute(select(Organization.id, Organization.name)
                              .where(Organization.id.in_(select(Plan.organization_id).distinct()))
                              .order_by(Organization.name)).all()
    return [(r.id, r.name) for r in rows]


@bp.get("/")
@require("plans.view")
def index():
    counted = _counted()
    query = services.plan_query(request.args, counted=counted).options(selectinload(Plan.organization))
    if request.args.get("format") == "xlsx":
        return _export(query)
    page = paginate(query)
    return render_template(
        "plans/index.html", page=page, today=local_today(), filters=args_without("page"),
        counted=counted and {"measure": counted[0], "period": counted[1],
                             "words": f"{counted[1].label}{plan_figures.LISTED[counted[0]]}"},
        uncounted_args=args_without("page", "format", "counted", "year", "from", "to"),
        owners=_owner_filter_choices(), towns=registry.towns(), kinds=KIND_LABELS, hazards=HAZARD_LABELS,
        statuses=STATUS_LABELS, export_args=args_without("page", "format"), counts=services.status_counts())


def _counted():
    """(measure, period) from ?counted=&year= or &from=&to= (the dashboard's plan figures link
    here); anything wrong is said and the list shows every plan."""
    measure = request.args.get("counted") or ""
    if not measure:
        return None
    if measure not in plan_figures.MEASURES:
        flash(f"统计口径“{measure[:20]}”不正确，已显示全部预案", "warning")
        return None
    try:
        return measure, period_from(request.args)
    except UserError as exc:
        flash(f"统计期间条件未生效：{exc.message}", "warning")
        return None


EXPORT_HEADERS = ("预案名称", "编制单位", "预案类型", "事件类别", "事件子类", "响应分级", "状态", "发布日期",
                  "备案日期", "备案编号", "下次评估", "版本", "责任人")


def _export(query):
    rows = []
    for plan in db.session.scalars(query):
        rows.append((plan.title, plan.organization.name, plan.kind_label, plan.hazard_label, plan.hazard_subtype,
                     plan.response_levels, plan.status_label, _day(plan.issued_on), _day(plan.filed_on),
                     plan.filing_number or "", _day(plan.next_evaluation_on), plan.version_number,
                     plan.responsible_person))
    return xlsx_response(f"应急预案清单_{local_today():%Y%m%d}.xlsx", workbook_bytes(EXPORT_HEADERS, rows))


def _day(value) -> str:
    return value.isoformat() if value else ""


def owner_choices(current: Organization | None = None) -> list:
    """Owners grouped by kind (部门, 乡镇, 村/社区, 学校, 企业), each labelled with its place."""
    paths = dict(registry.org_choices(OWNER_KINDS))
    kinds = dict(db.session.execute(select(Organization.id, Organization.kind)
                                    .where(Organization.id.in_(paths))).all()) if paths else {}
    if current is not None and current.id not in paths:  # a deactivated owner stays selectable
        paths[current.id], kinds[current.id] = registry.org_path(current), current.kind
    out = [(0, "（请选择编制单位）", {}, None)]
    for kind in OWNER_KINDS:
        group = ORG_KIND_LABELS[kind]
        render = {"data-enterprise": "1"} if kind == OrgKind.ENTERPRISE else {"data-enterprise": "0"}
        out += [(oid, label, render, group) for oid, label in sorted(paths.items(), key=lambda p: p[1])
                if kinds.get(oid) == kind.value]
    return [SelectChoice(value, label, render_kw=render, optgroup=group) for value, label, render, group in out]


def _values(form: PlanForm) -> dict:
    return {name: form[name].data for name in services.PLAN_FIELDS} | {
        "response_levels": (form.response_levels.data or "").strip(),
        "responsible_person": (form.responsible_person.data or "").strip(),
        "responsible_phone": (form.responsible_phone.data or "").strip(),
        "hazard_subtype": form.hazard_subtype.data or ""}


@bp.route("/new", methods=["GET", "POST"])
@require("plans.edit")
def new():
    form = PlanForm()
    form.organization_id.choices = owner_choices()
    if request.method == "GET":
        owner = db.session.get(Organization, as_id(request.args.get("org")) or 0)
        if owner is not None:
            form.organization_id.data = owner.id
    if form.validate_on_submit():
        try:
            plan = services.create_plan(_values(form), current_user)
        except UserError as exc:
            show_on_form(form, exc)
        else:
            flash(f"已按“{plan.kind_label}”的提纲创建预案“{plan.title}”（{len(plan.sections)} 个章节），请逐节编写", "success")
            return redirect(url_for("plans.detail", plan_id=plan.id))
    return render_template("plans/form.html", form=form, plan=None)


@bp.route("/<int:plan_id>/edit", methods=["GET", "POST"])
@require("plans.edit")
def edit(plan_id: int):
    plan = plan_or_404(plan_id)
    form = PlanForm(obj=plan)
    form.organization_id.choices = owner_choices(plan.organization)
    if form.validate_on_submit():
        try:
            if form.kind.data != plan.kind and not _same_outline(plan.kind, form.kind.data):
                raise UserError("预案类型决定章节提纲，已编写的章节不随类型改变；如类型有误，请按正确类型新建预案"
                                "（章节提纲相同的类型之间可以修改）", field="kind")
            services.update_plan(plan, _values(form))
        except UserError as exc:
            show_on_form(form, exc)
        else:
            flash(f"已保存预案“{plan.title}”的登记信息", "success")
            return redirect(url_for("plans.detail", plan_id=plan.id))
    return render_template("plans/form.html", form=form, plan=plan)


def _same_outline(old: str, new: str) -> bool:
    try:
        return OUTLINES[PlanKind(old)] is OUTLINES[PlanKind(new)]
    except ValueError:
        return False


# -------------------------------------------------------------------------------------- detail


@bp.get("/<int:plan_id>")
@require("plans.view")
def detail(plan_id: int):
    plan = plan_or_404(plan_id)
    sections = list(db.session.scalars(select(PlanSection).options(selectinload(PlanSection.updated_by))
                                       .where(PlanSection.plan_id == plan.id).order_by(PlanSection.position)))
    deadline = services.filing_deadline(plan) if plan.status == PlanStatus.PUBLISHED and not plan.filed_on else None
    return render_template(
        "plans/detail.html", plan=plan, sections=sections, comments=review.open_counts(plan),
        history=services.history(plan), statuses=STATUS_LABELS, deadline=deadline, today=local_today(),
        add_form=AttachmentTitleForm(formdata=None), file_form=AttachmentFileForm(formdata=None),
        max_size=human_size(current_app.config["PLAN_ATTACHMENT_MAX_BYTES"]),
        editable=can("plans.edit") and plan.status != PlanStatus.WITHDRAWN)


# --------------------------------------------------------------------------------- attachments


def attachment_or_404(plan: Plan, attachment_id: int) -> PlanAttachment:
    attachment = db.session.get(PlanAttachment, attachment_id)
    if attachment is None or attachment.plan_id != plan.id:
        abort(404)
    return attachment


@bp.post("/<int:plan_id>/attachments")
@require("plans.edit")
def attachment_add(plan_id: int):
    plan = plan_or_404(plan_id)
    form = AttachmentTitleForm()
    if not form.validate_on_submit():
        flash("；".join(e for errors in form.errors.values() for e in errors), "danger")
    else:
        try:
            attachment = attachments.add_attachment(plan, form.title.data)
        except UserError as exc:
            _failed(exc)
        else:
            flash(f"已添加附件“{attachment.title}”", "success")
    return redirect(url_for("plans.detail", plan_id=plan.id, _anchor="attachments"))


@bp.post("/<int:plan_id>/attachments/<int:attachment_id>/file")
@require("plans.edit")
def attachment_upload(plan_id: int, attachment_id: int):
    plan = plan_or_404(plan_id)
    attachment = attachment_or_404(plan, attachment_id)
    form = AttachmentFileForm()
    if not form.validate_on_submit():
        flash("；".join(e for errors in form.errors.values() for e in errors), "danger")
        return redirect(url_for("plans.detail", plan_id=plan.id, _anchor="attachments"))
    try:
        replaced = attachments.upload(attachment, form.file.data.stream, form.file.data.filename)
    except UserError as exc:
        _failed(exc)
    else:
        if replaced:
            storage.delete(replaced)
        flash(f"已上传附件“{attachment.title}”的文件 {attachment.filename}（{human_size(attachment.size)}）", "success")
    return redirect(url_for("plans.detail", plan_id=plan.id, _anchor="attachments"))


@bp.get("/<int:plan_id>/attachments/<int:attachment_id>/file")
@require("plans.view")
def attachment_file(plan_id: int, attachment_id: int):
    plan = plan_or_404(plan_id)
    attachment = attachment_or_404(plan, attachment_id)
    if not attachment.storage_key or not storage.exists(attachment.storage_key):
        abort(404)
    return send_file(storage.open_file(attachment.storage_key), as_attachment=True,
                     download_name=attachment.filename or f"{attachment.title}", mimetype="application/octet-stream")


@bp.post("/<int:plan_id>/attachments/<int:attachment_id>/delete")
@require("plans.edit")
def attachment_delete(plan_id: int, attachment_id: int):
    plan = plan_or_404(plan_id)
    attachment = attachment_or_404(plan, attachment_id)
    title = attachment.title
    try:
        key = attachments.remove_attachment(attachment)
    except UserError as exc:
        _failed(exc)
        return redirect(url_for("plans.detail", plan_id=plan.id, _anchor="attachments"))
    if key:
        storage.delete(key)
    flash(f"已删除附件“{title}”", "success")
    return redirect(url_for("plans.detail", plan_id=plan.id, _anchor="attachments"))


# ------------------------------------------------------------------------------------- sections


@bp.route("/<int:plan_id>/sections/<key>", methods=["GET", "POST"])
@require("plans.view")
def section(plan_id: int, key: str):
    plan = plan_or_404(plan_id)
    current = section_or_404(plan, key)
    conflict = None
    if request.method == "POST":
        if not can("plans.edit"):
            abort(403)
        form = SectionForm()
        if form.validate_on_submit():
            try:
                services.save_section(current, form.content.data or "", form.base_revision.data, current_user,
                                      title=form.title.data)
            except services.EditConflict as exc:
                db.session.rollback()
                conflict = exc
            except UserError as exc:
                show_on_form(form, exc)
            else:
                flash(f"已保存“{current.number} {current.title}”（第 {plan.version_number} 版）".replace("“ ", "“"),
                      "success")
                target = _neighbour(plan, current, +1) if request.form.get("action") == "next" else None
                return redirect(url_for("plans.section", plan_id=plan.id, key=(target or current).key))
        content = form.content.data or ""
    else:
        form = SectionForm(formdata=None, title=current.title, content=current.content)
        content = current.content
    base_revision = current.revision if conflict or request.method == "GET" else request.form.get("base_revision", "")
    page = render_template(
        "plans/section.html", plan=plan, section=current, form=form, editor_html=sanitize(content),
        base_revision=base_revision, conflict=conflict, previous=_neighbour(plan, current, -1),
        next=_neighbour(plan, current, +1), comments=_section_comments(plan, current),
        editable=can("plans.edit") and plan.status != PlanStatus.WITHDRAWN)
    return (page, 409) if conflict else page


def _neighbour(plan: Plan, section: PlanSection, step: int) -> PlanSection | None:
    order = PlanSection.position.asc() if step > 0 else PlanSection.position.desc()
    compare = PlanSection.position > section.position if step > 0 else PlanSection.position < section.position
    return db.session.scalar(select(PlanSection).where(PlanSection.plan_id == plan.id, compare).order_by(order).limit(1))


def _section_comments(plan: Plan, section: PlanSection) -> list[PlanComment]:
    return list(db.session.scalars(select(PlanComment).options(selectinload(PlanComment.user)).where(
        PlanComment.plan_id == plan.id, PlanComment.section_key == section.key, PlanComment.parent_id.is_(None),
        PlanComment.resolved.is_(False)).order_by(PlanComment.created_at, PlanComment.id)))


# ------------------------------------------------------------------------------------- versions


@bp.get("/<int:plan_id>/versions")
@require("plans.view")
def versions(plan_id: int):
    plan = plan_or_404(plan_id)
    return render_template("plans/versions.html", plan=plan, versions=services.versions(plan),
                           editable=can("plans.edit") and plan.status != PlanStatus.WITHDRAWN)


@bp.get("/<int:plan_id>/compare")
@require("plans.view")
def compare(plan_id: int):
    plan = plan_or_404(plan_id)
    a, b = as_id(request.args.get("a")), as_id(request.args.get("b"))
    if a is None or b is None or a == b:
        flash("请在版本列表中选择两个不同的版本进行对比", "warning")
        return redirect(url_for("plans.versions", plan_id=plan.id))
    old_number, new_number = sorted((a, b))
    try:
        old, new_ = services.version(plan, old_number), services.version(plan, new_number)
    except UserError as exc:
        flash(exc.message, "danger")
        return redirect(url_for("plans.versions", plan_id=plan.id))
    diffs = services.compare(old, new_)
    counts = {label: sum(1 for d in diffs if d.change == label) for label in ("新增", "删除", "修改", "未变")}
    return render_template("plans/compare.html", plan=plan, old=old, new=new_, diffs=diffs, counts=counts)


@bp.post("/<int:plan_id>/versions/<int:number>/restore")
@require("plans.edit")
def restore(plan_id: int, number: int):
    plan = plan_or_404(plan_id)
    try:
        created = services.restore(plan, services.version(plan, number), current_user)
    except UserError as exc:
        _failed(exc)
    else:
        flash(f"已恢复第 {number} 版的内容，保存为第 {created.number} 版（原有版本均保留）", "success")
    return redirect(url_for("plans.versions", plan_id=plan.id))


# ------------------------------------------------------------------------------------------ due


@bp.get("/due")
@require("plans.view")
def due():
    days = as_id(request.args.get("days"))
    if days is None or days > 3650:
        days = DUE_DAYS
    today = local_today()
    evaluation = services.due_for_evaluation(days)
    owners = {o.id: o for o in db.session.scalars(select(Organization).where(
        Organization.id.in_({p.organization_id for p in evaluation} or {0})))}
    return render_template("plans/due.html", days=days, today=today, evaluation=evaluation, owners=owners,
                           revision=due_lists.awaiting_revision(), drills=due_lists.drill_overdue(today),
                           months=current_app.config["PLAN_DRILL_MONTHS"], kinds=KIND_LABELS,
                           horizon=today + timedelta(days=days))

