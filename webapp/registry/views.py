from flask import abort, flash, redirect, render_template, request, url_for

from webapp.auth.permissions import can, require
from webapp.common.choices import choices
from webapp.common.identifiers import credit_code_check_char
from webapp.common.spreadsheets import SheetError, read_upload, template_bytes, xlsx_response
from webapp.errors import FieldErrors, UserError, show_on_form
from webapp.extensions import db
from webapp.listing import args_without, paginate
from webapp.registry import bp, imports, services
from webapp.registry.forms import ImportForm, OrgForm, PersonForm
from webapp.registry.models import INDUSTRIES, KIND_LABELS, Organization, OrgKind, Person


@bp.get("/")
@require("registry.view")
def index():
    return render_template("registry/index.html", overview=services.town_overview())


# ---------------------------------------------------------------- organizations


@bp.get("/orgs")
@require("registry.view")
def orgs():
    query = services.org_query(request.args)
    if request.args.get("export") == "xlsx":
        return xlsx_response("组织机构.xlsx", services.orgs_workbook(query))
    page = paginate(query)
    parent = db.session.get(Organization, int(request.args["parent"])) if request.args.get("parent", "").isdigit() else None
    return render_template(
        "registry/orgs.html",
        page=page,
        parent=parent,
        towns=services.towns(),
        kinds=KIND_LABELS,
        industries=INDUSTRIES,
        filters=args_without("page"),
        child_counts=services.children_counts([o.id for o in page.items]),
        paths={o.id: services.org_path(o) for o in page.items},
    )


@bp.get("/orgs/<int:org_id>")
@require("registry.view")
def org_detail(org_id: int):
    org = db.get_or_404(Organization, org_id)
    children = paginate(services.org_query({"parent": str(org.id), "status": "all"}))
    return render_template(
        "registry/org_detail.html",
        org=org,
        path=services.org_path(org),
        children=children,
        people_count=services.people_counts([org.id]).get(org.id, 0),
        filters=args_without("page"),
    )


def _org_form(form: OrgForm, org: Organization | None) -> None:
    form.parent_id.choices = choices([(0, "（无上级）")] + services.parent_choices())
    if org is not None:
        form.kind.render_kw = {"disabled": True}


def _form_values(form) -> dict:
    return {name: field.data if isinstance(field.data, str) else "" for name, field in form._fields.items()}


@bp.route("/orgs/new", methods=["GET", "POST"])
@require("registry.edit")
def new_org():
    form = OrgForm()
    _org_form(form, None)
    if request.method == "GET":
        form.kind.data = request.args.get("kind", OrgKind.ENTERPRISE.value)
        if request.args.get("parent", "").isdigit():
            form.parent_id.data = int(request.args["parent"])
    if form.validate_on_submit():
        parent = db.session.get(Organization, form.parent_id.data) if form.parent_id.data else None
        try:
            org = services.create_org(_form_values(form), OrgKind(form.kind.data), parent)
        except UserError as exc:
            show_on_form(form, exc, {"parent": "parent_id"})
        else:
            flash(f"已添加{org.kind_label}“{org.name}”", "success")
            return redirect(url_for("registry.org_detail", org_id=org.id))
    return render_template("registry/org_form.html", form=form, org=None)


@bp.route("/orgs/<int:org_id>/edit", methods=["GET", "POST"])
@require("registry.edit")
def edit_org(org_id: int):
    org = db.get_or_404(Organization, org_id)
    form = OrgForm(obj=org)
    _org_form(form, org)
    form.kind.data = org.kind
    if request.method == "GET":
        form.parent_id.data = org.parent_id or 0
        form.headcount.data = "" if org.headcount is None else str(org.headcount)
    if form.validate_on_submit():
        parent = db.session.get(Organization, form.parent_id.data) if form.parent_id.data else None
        try:
            services.update_org(org, _form_values(form), parent)
        except UserError as exc:
            show_on_form(form, exc, {"parent": "parent_id"})
        else:
            flash(f"已保存“{org.name}”", "success")
            return redirect(url_for("registry.org_detail", org_id=org.id))
    return render_template("registry/org_form.html", form=form, org=org)


@bp.post("/orgs/<int:org_id>/status")
@require("registry.edit")
def org_status(org_id: int):
    org = db.get_or_404(Organization, org_id)
    try:
        if request.form.get("active") == "1":
            services.activate_org(org)
            flash(f"已启用“{org.name}”", "success")
        else:
            services.deactivate_org(org)
            flash(f"已停用“{org.name}”（记录保留，可随时重新启用）", "success")
    except UserError as exc:
        db.session.rollback()
        flash(exc.message, "danger")
    return redirect(url_for("registry.org_detail", org_id=org.id))


# ---------------------------------------------------------------- people


def _person_or_404(person_id: int) -> Person:
    return db.get_or_404(Person, person_id)


@bp.get("/people")
@require("registry.view")
def people():
    query = services.people_query(request.args)
    if request.args.get("export") == "xlsx":
        reveal = request.args.get("reveal") == "1" and can("people.view_id")
        return xlsx_response("人员名单.xlsx", services.people_workbook(query, reveal))
    page = paginate(query)
    org = db.session.get(Organization, int(request.args["org"])) if request.args.get("org", "").isdigit() else None
    return render_template(
        "registry/people.html", page=page, towns=services.towns(), org=org, filters=args_without("page")
    )


@bp.get("/people/<int:person_id>")
@require("registry.view")
def person_detail(person_id: int):
    person = _person_or_404(person_id)
    return render_template("registry/person_detail.html", person=person, reveal=can("people.view_id"))


def _person_form(form: PersonForm) -> None:
    form.organization_id.choices = choices([(0, "（未填）")] + services.org_choices())


@bp.route("/people/new", methods=["GET", "POST"])
@require("people.edit")
def new_person():
    form = PersonForm()
    _person_form(form)
    if request.method == "GET" and request.args.get("org", "").isdigit():
        form.organization_id.data = int(request.args["org"])
    duplicate = None
    if form.validate_on_submit():
        org = db.session.get(Organization, form.organization_id.data) if form.organization_id.data else None
        try:
            person = services.create_person(_form_values(form), org)
        except UserError as exc:
            duplicate = exc.duplicate_of if isinstance(exc, FieldErrors) else None
            show_on_form(form, exc, {"organization": "organization_id"})
        else:
            flash(f"已添加人员“{person.name}”", "success")
            return redirect(url_for("registry.person_detail", person_id=person.id))
    return render_template("registry/person_form.html", form=form, person=None, duplicate=duplicate)


@bp.route("/people/<int:person_id>/edit", methods=["GET", "POST"])
@require("people.edit")
def edit_person(person_id: int):
    person = _person_or_404(person_id)
    form = PersonForm(obj=person)
    _person_form(form)
    if request.method == "GET":
        form.organization_id.data = person.organization_id or 0
    duplicate = None
    if form.validate_on_submit():
        org = db.session.get(Organization, form.organization_id.data) if form.organization_id.data else None
        try:
            services.update_person(person, _form_values(form), org)
        except UserError as exc:
            duplicate = exc.duplicate_of if isinstance(exc, FieldErrors) else None
            show_on_form(form, exc, {"organization": "organization_id"})
        else:
            flash(f"已保存“{person.name}”", "success")
            return redirect(url_for("registry.person_detail", person_id=person.id))
    return render_template("registry/person_form.html", form=form, person=person, duplicate=duplicate)


@bp.post("/people/<int:person_id>/status")
@require("people.edit")
def person_status(person_id: int):
    person = _person_or_404(person_id)
    active = request.form.get("active") == "1"
    services.set_person_active(person, active)
    flash(f"已{'启用' if active else '停用'}“{person.name}”", "success")
    return redirect(url_for("registry.person_detail", person_id=person.id))


# ---------------------------------------------------------------- imports

EXAMPLE_CREDIT_CODE = "91330100MA27XK1X1" + credit_code_check_char("91330100MA27XK1X1")
_IMPORTS = {
    "orgs": dict(
        title="导入组织机构", permission="registry.edit", headers=imports.ORG_HEADERS,
        required=("单位名称", "类型", "上级单位"),
        run=imports.import_organizations, done="registry.orgs", filename="组织机构导入模板.xlsx",
        text_columns=("统一社会信用代码", "联系电话"),
        examples=[
            ("东门社区", "社区", "城关镇", "", "", "", "", "城关镇东门路 8 号", "王芳", "13800001234", "3200"),
            ("示范化工有限公司", "企业", "城关镇/东门社区", "危险化学品", EXAMPLE_CREDIT_CODE, "中型", "",
             "工业园区纬一路 6 号", "李强", "0571-88880000", "260"),
            ("城关镇中心小学", "学校", "城关镇", "", "", "", "小学", "城关镇学前路 1 号", "", "", "860"),
        ],
        notes=[
            "每行一个单位；第 1 行为表头，请勿修改。",
            "类型：" + "、".join(KIND_LABELS.values()) + "。",
            "上级单位：写名称；有同名单位时写成“乡镇/单位”，如“城关镇/东门社区”。本表中先出现的单位可作为后面行的上级。",
            "行业（企业必填）：" + "、".join(INDUSTRIES) + "。",
            "统一社会信用代码：18 位，会校验最后一位校验码。",
            "导入前会检查每一行；只要有一行有误，整张表都不会写入，并列出所有错误。",
        ],
    ),
    "people": dict(
        title="导入人员", permission="people.edit", headers=imports.PERSON_HEADERS,
        required=("姓名", "身份证号", "所属单位"),
        run=imports.import_people, done="registry.people", filename="人员导入模板.xlsx",
        text_columns=("身份证号", "手机号码"),
        examples=[("张伟", "110101199003074514", "13900002222", "城关镇/东门社区", "安全管理员")],
        notes=[
            "每行一人；第 1 行为表头，请勿修改。身份证号列已设为文本格式，请勿改为数字格式（会丢失末位）。",
            "身份证号：18 位，会校验出生日期和最后一位校验码；已登记的身份证号不能重复导入。",
            "所属单位：写名称；有同名单位时写成“乡镇/单位”。",
            "导入前会检查每一行；只要有一行有误，整张表都不会写入，并列出所有错误。",
        ],
    ),
}


def _import_spec(kind: str) -> dict:
    spec = _IMPORTS.get(kind)
    if spec is None:
        abort(404)
    if not can(spec["permission"]):
        abort(403)
    return spec


@bp.get("/<any(people, orgs):kind>/import/template")
@require("registry.view")
def import_template(kind: str):
    spec = _import_spec(kind)
    data = template_bytes(spec["headers"], spec["examples"], spec["notes"], spec["text_columns"])
    return xlsx_response(spec["filename"], data)


@bp.route("/<any(people, orgs):kind>/import", methods=["GET", "POST"])
@require("registry.view")
def import_sheet(kind: str):
    spec = _import_spec(kind)
    form = ImportForm()
    errors, problem = [], None
    if form.validate_on_submit():
        try:
            sheet = read_upload(form.file.data.stream, spec["headers"], spec["required"])
            count = spec["run"](sheet)
        except SheetError as exc:
            problem = str(exc)
        except imports.ImportRefused as exc:
            db.session.rollback()
            errors = exc.errors
        else:
            flash(f"导入成功：共写入 {count} 条记录", "success")
            return redirect(url_for(spec["done"]))
    return render_template(
        "registry/import.html", form=form, spec=spec, kind=kind, errors=errors, problem=problem
    )
