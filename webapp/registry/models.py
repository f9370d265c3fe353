from datetime import date, datetime
from enum import StrEnum

from flask import current_app
from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.common.identifiers import mask_id_number, mask_phone, parse_id_number
from webapp.common.time import utcnow
from webapp.extensions import db


class OrgKind(StrEnum):
    COUNTY = "county"
    TOWN = "town"
    STREET = "street"
    VILLAGE = "village"
    COMMUNITY = "community"
    DEPARTMENT = "department"
    ENTERPRISE = "enterprise"
    SCHOOL = "school"


KIND_LABELS = {
    OrgKind.COUNTY: "县（市、区）",
    OrgKind.TOWN: "乡镇",
    OrgKind.STREET: "街道",
    OrgKind.VILLAGE: "村",
    OrgKind.COMMUNITY: "社区",
    OrgKind.DEPARTMENT: "部门",
    OrgKind.ENTERPRISE: "企业",
    OrgKind.SCHOOL: "学校",
}

# The tree: county → towns/streets → villages/communities; departments under the county or a
# town; enterprises and schools where they are located (a town/street or a village/community).
ALLOWED_PARENTS: dict[OrgKind, frozenset[OrgKind]] = {
    OrgKind.COUNTY: frozenset(),
    OrgKind.TOWN: frozenset({OrgKind.COUNTY}),
    OrgKind.STREET: frozenset({OrgKind.COUNTY}),
    OrgKind.VILLAGE: frozenset({OrgKind.TOWN, OrgKind.STREET}),
    OrgKind.COMMUNITY: frozenset({OrgKind.TOWN, OrgKind.STREET}),
    OrgKind.DEPARTMENT: frozenset({OrgKind.COUNTY, OrgKind.TOWN, OrgKind.STREET}),
    OrgKind.ENTERPRISE: frozenset({OrgKind.TOWN, OrgKind.STREET, OrgKind.VILLAGE, OrgKind.COMMUNITY}),
    OrgKind.SCHOOL: frozenset({OrgKind.TOWN, OrgKind.STREET, OrgKind.VILLAGE, OrgKind.COMMUNITY}),
}
TOWN_KINDS = frozenset({OrgKind.TOWN, OrgKind.STREET})
PARENT_KINDS = frozenset(k for kinds in ALLOWED_PARENTS.values() for k in kinds)

# Industry types of enterprises: a fixed list, so figures by industry add up. Which of them are
# high-risk is configuration (HIGH_RISK_INDUSTRIES).
INDUSTRIES = (
    "煤矿", "非煤矿山", "危险化学品", "烟花爆竹", "金属冶炼", "燃气", "工贸", "建筑施工", "道路运输",
    "水上运输", "城市轨道交通", "电力", "仓储物流", "人员密集场所", "旅游景区", "医药制造", "农林牧渔", "其他",
)
SCALES = ("大型", "中型", "小型", "微型")
SCHOOL_LEVELS = ("幼儿园", "小学", "初中", "九年一贯制", "高中", "职业学校", "高等院校", "特殊教育")


class Organization(db.Model):
    __tablename__ = "organizations"
    __table_args__ = (UniqueConstraint("parent_id", "name", name="uq_organizations_parent_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(128), index=True)
    kind: Mapped[str] = mapped_column(String(16), index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id"), index=True)
    # The town/street an organization lies in (itself for a town): kept by services.set_parent,
    # because figures by town are the most common question and should be one GROUP BY.
    town_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id"), index=True)
    industry: Mapped[str | None] = mapped_column(String(32), index=True)
    credit_code: Mapped[str | None] = mapped_column(String(18), unique=True)
    scale: Mapped[str | None] = mapped_column(String(8))
    school_level: Mapped[str | None] = mapped_column(String(16))
    address: Mapped[str | None] = mapped_column(String(255))
    contact_name: Mapped[str | None] = mapped_column(String(64))
    contact_phone: Mapped[str | None] = mapped_column(String(24))
    headcount: Mapped[int | None]  # staff, residents or pupils: the base for participation rates
    active: Mapped[bool] = mapped_column(default=True, index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    parent: Mapped["Organization | None"] = relationship(
        remote_side=[id], foreign_keys=[parent_id], back_populates="children"
    )
    children: Mapped[list["Organization"]] = relationship(back_populates="parent", foreign_keys=[parent_id])
    town: Mapped["Organization | None"] = relationship(remote_side=[id], foreign_keys=[town_id])

    @property
    def kind_label(self) -> str:
        return KIND_LABELS[OrgKind(self.kind)]

    @hybrid_property
    def high_risk(self) -> bool:
        return self.industry in current_app.config["HIGH_RISK_INDUSTRIES"]

    @high_risk.inplace.expression
    @classmethod
    def _high_risk_expression(cls):
        return cls.industry.in_(current_app.config["HIGH_RISK_INDUSTRIES"])

    def __repr__(self) -> str:
        return f"<Organization {self.id} {self.name}>"


class Person(db.Model):
    __tablename__ = "people"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), index=True)
    id_number: Mapped[str] = mapped_column(String(18), unique=True)
    phone: Mapped[str | None] = mapped_column(String(24), index=True)
    organization_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id"), index=True)
    post: Mapped[str | None] = mapped_column(String(64))
    active: Mapped[bool] = mapped_column(default=True, index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    organization: Mapped[Organization | None] = relationship()

    # Birth date and sex are read from the ID number (GB 11643-1999), never typed twice.
    @property
    def birth_date(self) -> date:
        return parse_id_number(self.id_number).birth_date

    @property
    def sex(self) -> str:
        return parse_id_number(self.id_number).sex

    @property
    def masked_id(self) -> str:
        return mask_id_number(self.id_number)

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)
