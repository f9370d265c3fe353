"""Spreadsheet imports of organizations and people.

Every row is checked before anything is written; if any row is wrong the whole sheet is refused
with a table of (row, column, value, why). A valid sheet is written in bulk, so 10,000 rows take
seconds, not minutes.
"""

from dataclasses import dataclass, field

from sqlalchemy import insert, select, update

from webapp.common.spreadsheets import RowError, Sheet
from webapp.extensions import db
from webapp.registry.models import KIND_LABELS, TOWN_KINDS, Organization, OrgKind, Person
from webapp.registry.services import ORG_FIELDS, PERSON_FIELDS, clean_org, clean_person

ORG_HEADERS = [ORG_FIELDS[k] for k in ORG_FIELDS]
PERSON_HEADERS = [PERSON_FIELDS[k] for k in PERSON_FIELDS]
KIND_BY_LABEL = {label: kind for kind, label in KIND_LABELS.items()} | {"县": OrgKind.COUNTY, "镇": OrgKind.TOWN, "乡": OrgKind.TOWN}

# The order in which new rows can be written: a row's parent is always of an earlier level.
_LEVEL = {
    OrgKind.COUNTY: 0, OrgKind.TOWN: 1, OrgKind.STREET: 1, OrgKind.VILLAGE: 2, OrgKind.COMMUNITY: 2,
    OrgKind.DEPARTMENT: 2, OrgKind.ENTERPRISE: 3, OrgKind.SCHOOL: 3,
}


class ImportRefused(Exception):
    def __init__(self, errors: list[RowError]):
        super().__init__(f"{len(errors)} errors")
        self.errors = errors


@dataclass
class _Node:
    key: int  # an organization id, or a negative number for a row of this sheet
    name: str
    kind: OrgKind
    parent: "int | None"
    active: bool = True
    town: int | None = None


@dataclass
class OrgIndex:
    """All organizations by name, so a sheet can name a parent as 东门社区 or 城关镇/东门社区."""

    nodes: dict[int, _Node] = field(default_factory=dict)
    by_name: dict[str, list[int]] = field(default_factory=dict)

    @classmethod
    def load(cls) -> "OrgIndex":
        index = cls()
        rows = db.session.execute(
            select(Organization.id, Organization.name, Organization.kind, Organization.parent_id,
                   Organization.active, Organization.town_id)
        )
        for oid, name, kind, parent, active, town in rows:
            index.add(_Node(oid, name, OrgKind(kind), parent, active, town))
        return index

    def add(self, node: _Node) -> None:
        self.nodes[node.key] = node
        self.by_name.setdefault(node.name, []).append(node.key)

    def path(self, key: int) -> str:
        names, node = [], self.nodes.get(key)
        while node is not None and node.kind is not OrgKind.COUNTY:
            names.append(node.name)
            node = self.nodes.get(node.parent) if node.parent is not None else None
        return "/".join(reversed(names))

    def resolve(self, reference: str) -> tuple[_Node | None, str | None]:
        parts = [p.strip() for p in reference.replace("/", "/").split("/") if p.strip()]
        if not parts:
            return None, "单位名称为空"
        candidates = [self.nodes[k] for k in self.by_name.get(parts[-1], [])]
        candidates = [n for n in candidates if self._ancestors_match(n, parts[:-1])]
        if not candidates:
            return None, f"找不到单位“{reference}”，请先在组织机构中添加，或检查名称是否有误"
        if len(candidates) > 1:
            paths = "、".join(self.path(n.key) for n in candidates[:5])
            return None, f"“{reference}”有 {len(candidates)} 个同名单位（{paths}），请写成“乡镇/单位”的形式以区分"
        node = candidates[0]
        if not node.active:
            return None, f"单位“{reference}”已停用"
        return node, None

    def _ancestors_match(self, node: _Node, names: list[str]) -> bool:
        # The written path may skip levels at the top (城关镇/东门社区 omits the county) but not between.
        current = node
        for name in reversed(names):
            parent = self.nodes.get(current.parent) if current.parent is not None else None
            if parent is None or parent.name != name:
                return False
            current = parent
        return True


def import_organizations(sheet: Sheet) -> int:
    """Check every row, then write them all; returns the number written or raises ImportRefused."""
    index = OrgIndex.load()
    errors: list[RowError] = []
    pending: list[tuple[_Node, dict]] = []
    codes = set(db.session.scalars(select(Organization.credit_code).where(Organization.credit_code.is_not(None))))
    sibling_names = {(n.parent, n.name) for n in index.nodes.values()}

    for number, (row_no, row) in enumerate(sheet.rows, start=1):
        raw = {key: row.get(label, "") for key, label in ORG_FIELDS.items()}
        row_errors: dict[str, str] = {}
        kind = KIND_BY_LABEL.get(raw["kind"].strip())
        if kind is None:
            row_errors["kind"] = "类型应为：" + "、".join(KIND_LABELS.values())
        parent = None
        if raw["parent"].strip():
            parent, message = index.resolve(raw["parent"])
            if message:
                row_errors["parent"] = message
        if kind is not None:
            values, value_errors = clean_org(raw, kind, parent.kind if parent else None)
            if "parent" in row_errors:
                value_errors.pop("parent", None)
            row_errors = value_errors | row_errors
            parent_key = parent.key if parent else None
            if "name" not in row_errors and (parent_key, values["name"]) in sibling_names:
                where = f"“{index.path(parent_key)}”下" if parent_key is not None else "顶层"
                row_errors["name"] = f"{where}已有名为“{values['name']}”的单位（已登记或在本表中重复）"
            code = values.get("credit_code")
            if code and "credit_code" not in row_errors:
                if code in codes:
                    row_errors["credit_code"] = "该统一社会信用代码已登记或在本表中重复"
                codes.add(code)
            if not row_errors:
                node = _Node(-number, values["name"], kind, parent_key)
                index.add(node)
                sibling_names.add((parent_key, values["name"]))
                pending.append((node, values))
        errors.extend(RowError(row_no, ORG_FIELDS[f], raw.get(f, ""), m) for f, m in row_errors.items())

    if errors:
        raise ImportRefused(errors)
    _write_organizations(index, pending)
    return len(pending)


def _write_organizations(index: OrgIndex, pending: list[tuple[_Node, dict]]) -> None:
    real: dict[int, int] = {}  # sheet key → id
    for level in sorted({_LEVEL[node.kind] for node, _ in pending}):
        batch = [(node, values) for node, values in pending if _LEVEL[node.kind] == level]
        rows = []
        for node, values in batch:
            parent_id = real.get(node.parent, node.parent) if node.parent is not None else None
            parent = index.nodes.get(parent_id) if parent_id is not None else None
            rows.append(values | {"parent_id": parent_id, "town_id": parent.town if parent else None})
        ids = db.session.scalars(
            insert(Organization).returning(Organization.id, sort_by_parameter_order=True), rows
        ).all()
        towns = []
        for (node, _), new_id in zip(batch, ids, strict=True):
            real[node.key] = new_id
            parent_id = real.get(node.parent, node.parent) if node.parent is not None else None
            node.town = new_id if node.kind in TOWN_KINDS else (index.nodes[parent_id].town if parent_id else None)
            index.nodes[new_id] = node
            if node.kind in TOWN_KINDS:
                towns.append(new_id)
        if towns:
            db.session.execute(update(Organization).where(Organization.id.in_(towns)).values(town_id=Organization.id))
    db.session.flush()


def import_people(sheet: Sheet) -> int:
    index = OrgIndex.load()
    errors: list[RowError] = []
    rows: list[dict] = []
    known = dict(db.session.execute(select(Person.id_number, Person.name)).all())
    seen: dict[str, int] = {}
    for row_no, row in sheet.rows:
        raw = {key: row.get(label, "") for key, label in PERSON_FIELDS.items()}
        values, row_errors = clean_person(raw)
        number = values["id_number"]
        if number and number in known:
            row_errors["id_number"] = f"该身份证号已登记：{known[number]}，请勿重复导入"
        elif number and number in seen:
            row_errors["id_number"] = f"与第 {seen[number]} 行的身份证号重复"
        elif number:
            seen[number] = row_no
        org_id = None
        if raw["organization"].strip():
            node, message = index.resolve(raw["organization"])
            if message:
                row_errors["organization"] = message
            else:
                org_id = node.key
        if row_errors:
            errors.extend(RowError(row_no, PERSON_FIELDS[f], raw.get(f, ""), m) for f, m in row_errors.items())
        else:
            rows.append(values | {"organization_id": org_id})
    if errors:
        raise ImportRefused(errors)
    db.session.execute(insert(Person), rows)
    db.session.flush()
    return len(rows)
