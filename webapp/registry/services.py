"""The registry's rules: the organization tree and the people in it.

Forms and spreadsheet imports go through the same clean_* functions, so a typed value and an
imported cell get the same check and the same Chinese message.
"""

import re
from collections.abc import Mapping

from sqlalchemy import func, or_, select, update

from webapp.common.identifiers import normalize_credit_code, normalize_phone, parse_id_number
from webapp.common.spreadsheets import workbook_bytes
from webapp.errors import FieldErrors, UserError
from webapp.extensions import db
from webapp.registry.models import (
    ALLOWED_PARENTS,
    INDUSTRIES,
    KIND_LABELS,
    PARENT_KINDS,
    SCALES,
    SCHOOL_LEVELS,
    TOWN_KINDS,
    Organization,
    OrgKind,
    Person,
)

ORG_FIELDS = {
    "name": "单位名称",
    "kind": "类型",
    "parent": "上级单位",
    "industry": "行业",
    "credit_code": "统一社会信用代码",
    "scale": "规模",
    "school_level": "学段",
    "address": "地址",
    "contact_name": "联系人",
    "contact_phone": "联系电话",
    "headcount": "人数",
}
PERSON_FIELDS = {
    "name": "姓名",
    "id_number": "身份证号",
    "phone": "手机号码",
    "organization": "所属单位",
    "post": "岗位",
}


# ---------------------------------------------------------------- cleaning (no database)


def clean_org(raw: Mapping[str, str | None], kind: OrgKind, parent_kind: OrgKind | None) -> tuple[dict, dict]:
    """Return (values, errors) for one organization; errors maps field → message."""
    errors: dict[str, str] = {}
    values: dict = {"kind": kind.value}
    text = {k: (raw.get(k) or "").strip() for k in ORG_FIELDS}

    if not text["name"]:
        errors["name"] = "单位名称不能为空"
    elif len(text["name"]) > 128:
        errors["name"] = "单位名称不能超过 128 个字"
    values["name"] = text["name"]

    allowed = ALLOWED_PARENTS[kind]
    if parent_kind is None and allowed:
        errors["parent"] = f"{KIND_LABELS[kind]}须选择上级单位（" + _kind_list(allowed) + "）"
    elif parent_kind is not None and parent_kind not in allowed:
        errors["parent"] = (
            f"{KIND_LABELS[kind]}的上级不能是{KIND_LABELS[parent_kind]}，应为" + _kind_list(allowed)
        )

    values["industry"] = None
    if kind is OrgKind.ENTERPRISE:
        if not text["industry"]:
            errors["industry"] = "企业须选择行业"
        elif text["industry"] not in INDUSTRIES:
            errors["industry"] = f"行业“{text['industry']}”不在行业列表中（" + "、".join(INDUSTRIES) + "）"
        values["industry"] = text["industry"] or None

    values["credit_code"] = None
    if text["credit_code"]:
        try:
            values["credit_code"] = normalize_credit_code(text["credit_code"])
        except ValueError as exc:
            errors["credit_code"] = str(exc)

    values["scale"] = text["scale"] or None
    if text["scale"] and text["scale"] not in SCALES:
        errors["scale"] = "规模应为：" + "、".join(SCALES)
    values["school_level"] = (text["school_level"] or None) if kind is OrgKind.SCHOOL else None
    if kind is OrgKind.SCHOOL and text["school_level"] and text["school_level"] not in SCHOOL_LEVELS:
        errors["school_level"] = "学段应为：" + "、".join(SCHOOL_LEVELS)

    values["contact_phone"] = None
    if text["contact_phone"]:
        try:
            values["contact_phone"] = normalize_phone(text["contact_phone"])
        except ValueError as exc:
            errors["contact_phone"] = str(exc)

    values["headcount"] = None
    if text["headcount"]:
        if not text["headcount"].isdigit():
            errors["headcount"] = "人数应为不小于 0 的整数"
        else:
            values["headcount"] = int(text["headcount"])

    for field, limit in (("address", 255), ("contact_name", 64)):
        if len(text[field]) > limit:
            errors[field] = f"{ORG_FIELDS[field]}不能超过 {limit} 个字"
        values[field] = text[field] or None
    return values, errors


def _kind_list(kinds) -> str:
    return "、".join(label for kind, label in KIND_LABELS.items() if kind in kinds)


def clean_person(raw: Mapping[str, str | None]) -> tuple[dict, dict]:
    errors: dict[str, str] = {}
    text = {k: (raw.get(k) or "").strip() for k in PERSON_FIELDS}
    values: dict = {"name": text["name"], "post": text["post"] or None, "phone": None, "id_number": None}
    if not text["name"]:
        errors["name"] = "姓名不能为空"
    elif len(text["name"]) > 64 or any(c.isdigit() for c in text["name"]):
        errors["name"] = "姓名应为不超过 64 个字、不含数字的文字"
    try:
        values["id_number"] = parse_id_number(text["id_number"]).number
    except ValueError as exc:
        errors["id_number"] = str(exc)
    if text["phone"]:
        try:
            values["phone"] = normalize_phone(text["phone"])
        except ValueError as exc:
            errors["phone"] = str(exc)
    if len(text["post"]) > 64:
        errors["post"] = "岗位不能超过 64 个字"
    return values, errors


# ---------------------------------------------------------------- organizations


def create_org(raw: Mapping[str, str | None], kind: OrgKind, parent: Organization | None) -> Organization:
    values, errors = clean_org(raw, kind, OrgKind(parent.kind) if parent else None)
    _check_org_unique(values, parent, None, errors)
    if parent is not None and not parent.active:
        errors["parent"] = f"上级单位“{parent.name}”已停用"
    if errors:
        raise FieldErrors(errors)
    org = Organization(**values, parent=parent)
    db.session.add(org)
    db.session.flush()
    org.town_id = _town_of(org, parent)
    db.session.flush()
    return org


def update_org(org: Organization, raw: Mapping[str, str | None], parent: Organization | None) -> None:
    """Edit an organization; a new parent moves it (and its subtree) in the tree."""
    kind = OrgKind(org.kind)
    values, errors = clean_org(raw, kind, OrgKind(parent.kind) if parent else None)
    if parent is not None and parent.id == org.id:
        errors["parent"] = "上级单位不能是它自己"
    if parent is not None and not parent.active and parent.id != org.parent_id:
        errors["parent"] = f"上级单位“{parent.name}”已停用"
    _check_org_unique(values, parent, org.id, errors)
    if errors:
        raise FieldErrors(errors)
    moved = (parent.id if parent else None) != org.parent_id
    for key, value in values.items():
        setattr(org, key, value)
    org.parent = parent
    if moved:
        new_town = _town_of(org, parent)
        if new_town != org.town_id:
            org.town_id = new_town
            _retown_descendants(org)
    db.session.flush()


def _town_of(org: Organization, parent: Organization | None) -> int | None:
    if OrgKind(org.kind) in TOWN_KINDS:
        return org.id
    return parent.town_id if parent else None


def _retown_descendants(org: Organization) -> None:
    # The tree is at most four levels deep, so a loop over levels is a handful of UPDATEs.
    level = [org.id]
    while level:
        db.session.execute(update(Organization).where(Organization.parent_id.in_(level)).values(town_id=org.town_id))
        level = list(db.session.scalars(select(Organization.id).where(Organization.parent_id.in_(level))))


def _check_org_unique(values: dict, parent: Organization | None, self_id: int | None, errors: dict) -> None:
    if "name" not in errors and values["name"]:
        clash = select(Organization.id).where(
            Organization.name == values["name"],
            Organization.parent_id == parent.id if parent else Organization.parent_id.is_(None),
        )
        if self_id:
            clash = clash.where(Organization.id != self_id)
        if db.session.scalar(clash.limit(1)):
            where = f"“{parent.name}”下" if parent else "顶层"
            errors["name"] = f"{where}已有名为“{values['name']}”的单位"
    if values.get("credit_code") and "credit_code" not in errors:
        other = db.session.scalar(select(Organization).where(Organization.credit_code == values["credit_code"]))
        if other is not None and other.id != self_id:
            errors["credit_code"] = f"该统一社会信用代码已登记为“{other.name}”"


def deactivate_org(org: Organization) -> None:
    active_children = db.session.scalar(
        select(func.count()).where(Organization.parent_id == org.id, Organization.active.is_(True))
    )
    if active_children:
        raise UserError(f"“{org.name}”下还有 {active_children} 个启用的下级单位，请先停用或移走它们")
    org.active = False
    db.session.flush()


def activate_org(org: Organization) -> None:
    if org.parent is not None and not org.parent.active:
        raise UserError(f"上级单位“{org.parent.name}”已停用，请先启用上级单位")
    org.active = True
    db.session.flush()


def org_path(org: Organization) -> str:
    """城关镇/东门社区: the names below the county, used in lists and accepted by imports."""
    names = []
    node = org
    while node is not None and node.kind != OrgKind.COUNTY:
        names.append(node.name)
        node = node.parent
    return "/".join(reversed(names)) or org.name


def org_query(args: Mapping[str, str]):
    query = select(Organization).order_by(Organization.kind, Organization.name, Organization.id)
    q = (args.get("q") or "").strip()
    if q:
        query = query.where(or_(Organization.name.contains(q), Organization.credit_code == q.upper()))
    if args.get("kind") in {k.value for k in OrgKind}:
        query = query.where(Organization.kind == args["kind"])
    if (args.get("town") or "").isdigit():
        query = query.where(Organization.town_id == int(args["town"]))
    if (args.get("parent") or "").isdigit():
        query = query.where(Organization.parent_id == int(args["parent"]))
    if args.get("industry") in INDUSTRIES:
        query = query.where(Organization.industry == args["industry"])
    if args.get("high_risk") == "1":
        query = query.where(Organization.high_risk)
    status = args.get("status", "active")
    if status == "active":
        query = query.where(Organization.active.is_(True))
    elif status == "inactive":
        query = query.where(Organization.active.is_(False))
    return query


def towns() -> list[Organization]:
    return list(
        db.session.scalars(
            select(Organization)
            .where(Organization.kind.in_([k.value for k in TOWN_KINDS]), Organization.active.is_(True))
            .order_by(Organization.name)
        )
    )


def org_choices(kinds=None) -> list[tuple[int, str]]:
    """(id, 城关镇/东门社区) for active organizations, in path order, built from one query."""
    rows = db.session.execute(
        select(Organization.id, Organization.name, Organization.kind, Organization.parent_id).where(
            Organization.active.is_(True)
        )
    ).all()
    by_id = {r.id: r for r in rows}

    def path(row) -> str:
        names = []
        while row is not None and row.kind != OrgKind.COUNTY:
            names.append(row.name)
            row = by_id.get(row.parent_id)
        return "/".join(reversed(names)) or (row.name if row else "")

    wanted = {k.value if isinstance(k, OrgKind) else k for k in kinds} if kinds else None
    choices = [(r.id, path(r) if r.kind != OrgKind.COUNTY else r.name) for r in rows if not wanted or r.kind in wanted]
    return sorted(choices, key=lambda c: c[1])


def parent_choices() -> list[tuple[int, str]]:
    return org_choices(PARENT_KINDS)


def government_units() -> list[Organization]:
    """The bureau's own side: the county, departments and towns/streets (for user accounts)."""
    kinds = [OrgKind.COUNTY.value, OrgKind.DEPARTMENT.value, *(k.value for k in TOWN_KINDS)]
    return list(
        db.session.scalars(
            select(Organization)
            .where(Organization.kind.in_(kinds), Organization.active.is_(True))
            .order_by(Organization.kind, Organization.name)
        )
    )


def children_counts(parent_ids: list[int]) -> dict[int, int]:
    rows = db.session.execute(
        select(Organization.parent_id, func.count())
        .where(Organization.parent_id.in_(parent_ids), Organization.active.is_(True))
        .group_by(Organization.parent_id)
    )
    return dict(rows.all())


def people_counts(org_ids: list[int]) -> dict[int, int]:
    rows = db.session.execute(
        select(Person.organization_id, func.count())
        .where(Person.organization_id.in_(org_ids), Person.active.is_(True))
        .group_by(Person.organization_id)
    )
    return dict(rows.all())


# ---------------------------------------------------------------- people


def person_by_id_number(id_number: str) -> Person | None:
    return db.session.scalar(select(Person).where(Person.id_number == id_number))


def _duplicate_error(existing: Person) -> FieldErrors:
    where = f"（{existing.organization.name}）" if existing.organization else ""
    return FieldErrors(
        {"id_number": f"该身份证号已登记：{existing.name}{where}，请勿重复添加"}, duplicate_of=existing
    )


def create_person(raw: Mapping[str, str | None], organization: Organization | None) -> Person:
    values, errors = clean_person(raw)
    if organization is not None and not organization.active:
        errors["organization"] = f"单位“{organization.name}”已停用"
    if errors:
        raise FieldErrors(errors)
    existing = person_by_id_number(values["id_number"])
    if existing is not None:
        raise _duplicate_error(existing)
    person = Person(**values, organization=organization)
    db.session.add(person)
    db.session.flush()
    return person


def update_person(person: Person, raw: Mapping[str, str | None], organization: Organization | None) -> None:
    values, errors = clean_person(raw)
    if organization is not None and not organization.active and organization.id != person.organization_id:
        errors["organization"] = f"单位“{organization.name}”已停用"
    if errors:
        raise FieldErrors(errors)
    existing = person_by_id_number(values["id_number"])
    if existing is not None and existing.id != person.id:
        raise _duplicate_error(existing)
    for key, value in values.items():
        setattr(person, key, value)
    person.organization = organization
    db.session.flush()


def set_person_active(person: Person, active: bool) -> None:
    person.active = active
    db.session.flush()


def people_query(args: Mapping[str, str]):
    query = select(Person).order_by(Person.name, Person.id)
    q = (args.get("q") or "").strip()
    if q:
        # A full ID number finds one person; a tail of digits (as printed on a masked list) too.
        if len(q) == 18:
            query = query.where(Person.id_number == q.upper())
        elif re.fullmatch(r"\d{3,17}[\dXx]", q):
            query = query.where(or_(Person.id_number.endswith(q.upper()), Person.phone.contains(q)))
        else:
            query = query.where(or_(Person.name.contains(q), Person.post.contains(q)))
    if (args.get("org") or "").isdigit():
        query = query.where(Person.organization_id == int(args["org"]))
    if (args.get("town") or "").isdigit():
        query = query.join(Person.organization).where(Organization.town_id == int(args["town"]))
    status = args.get("status", "active")
    if status == "active":
        query = query.where(Person.active.is_(True))
    elif status == "inactive":
        query = query.where(Person.active.is_(False))
    return query


# ---------------------------------------------------------------- overview and exports


def town_overview() -> dict:
    """Per town/street: how many villages, communities, enterprises (high-risk), schools, people."""
    counts = db.session.execute(
        select(Organization.town_id, Organization.kind, func.count())
        .where(Organization.active.is_(True), Organization.town_id.is_not(None))
        .group_by(Organization.town_id, Organization.kind)
    ).all()
    high_risk = dict(
        db.session.execute(
            select(Organization.town_id, func.count())
            .where(Organization.active.is_(True), Organization.high_risk)
            .group_by(Organization.town_id)
        ).all()
    )
    people = dict(
        db.session.execute(
            select(Organization.town_id, func.count(Person.id))
            .join(Person.organization)
            .where(Person.active.is_(True))
            .group_by(Organization.town_id)
        ).all()
    )
    by_town: dict[int, dict[str, int]] = {}
    for town_id, kind, n in counts:
        by_town.setdefault(town_id, {})[kind] = n
    rows = [
        {"town": t, "kinds": by_town.get(t.id, {}), "high_risk": high_risk.get(t.id, 0), "people": people.get(t.id, 0)}
        for t in towns()
    ]
    totals = dict(
        db.session.execute(
            select(Organization.kind, func.count()).where(Organization.active.is_(True)).group_by(Organization.kind)
        ).all()
    )
    return {"rows": rows, "totals": totals, "people": sum(people.values()), "high_risk": sum(high_risk.values())}


def orgs_workbook(query) -> bytes:
    paths = dict(org_choices())
    orgs = db.session.scalars(query).all()
    rows = (
        (
            o.name, o.kind_label, paths.get(o.parent_id, o.parent.name if o.parent else ""), o.industry or "",
            "是" if o.high_risk else "", o.credit_code or "", o.scale or "", o.school_level or "", o.address or "",
            o.contact_name or "", o.contact_phone or "", o.headcount if o.headcount is not None else "",
            "启用" if o.active else "停用",
        )
        for o in orgs
    )
    headers = [ORG_FIELDS[k] for k in ORG_FIELDS]
    headers = headers[:4] + ["高危行业"] + headers[4:] + ["状态"]
    return workbook_bytes(headers, rows)


def people_workbook(query, reveal: bool) -> bytes:
    """People as a sheet; ID numbers and phones masked unless the caller may and asks to reveal."""
    paths = dict(org_choices())
    rows = (
        (
            p.name, p.id_number if reveal else p.masked_id, p.sex, p.birth_date.isoformat(),
            (p.phone or "") if reveal else p.masked_phone, paths.get(p.organization_id, ""), p.post or "",
            "启用" if p.active else "停用",
        )
        for p in db.session.scalars(query)
    )
    return workbook_bytes(["姓名", "身份证号", "性别", "出生日期", "手机号码", "所属单位", "岗位", "状态"], rows)
