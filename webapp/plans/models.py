"""Emergency plans: the registry, the sections being edited, every saved version, review
comments and suggestions, expert reviews, and the status history.

A plan's text lives in PlanSection rows (one per chapter or sub-chapter, rich text HTML that the
document engine turns into Word). Every save of a section writes a PlanVersion: the whole plan's
sections as JSON at that moment, so any two versions compare section by section and an old one
can be restored as a new version. A section carries a revision number; a save names the revision
it started from, and a save from a stale revision is refused (optimistic locking), so two
reviewers never overwrite each other silently.
"""

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.common.time import utcnow
from webapp.extensions import db


class PlanKind(StrEnum):
    # Government plans (《突发事件应急预案管理办法》, 国办发〔2024〕5号)
    GOV_OVERALL = "gov_overall"
    GOV_SPECIAL = "gov_special"
    GOV_DEPARTMENT = "gov_department"
    GOV_GRASSROOTS = "gov_grassroots"
    # Enterprise plans (《生产安全事故应急预案管理办法》 2019; GB/T 29639-2020)
    ENT_COMPREHENSIVE = "ent_comprehensive"
    ENT_SPECIAL = "ent_special"
    ENT_ONSITE = "ent_onsite"


KIND_LABELS = {
    PlanKind.GOV_OVERALL: "总体应急预案",
    PlanKind.GOV_SPECIAL: "专项应急预案（政府）",
    PlanKind.GOV_DEPARTMENT: "部门应急预案",
    PlanKind.GOV_GRASSROOTS: "基层单位应急预案",
    PlanKind.ENT_COMPREHENSIVE: "综合应急预案",
    PlanKind.ENT_SPECIAL: "专项应急预案",
    PlanKind.ENT_ONSITE: "现场处置方案",
}
GOVERNMENT_KINDS = frozenset({PlanKind.GOV_OVERALL, PlanKind.GOV_SPECIAL, PlanKind.GOV_DEPARTMENT,
                              PlanKind.GOV_GRASSROOTS})


class Hazard(StrEnum):
    ACCIDENT = "accident"
    NATURAL = "natural"
    HEALTH = "health"
    SOCIAL = "social"


HAZARD_LABELS = {Hazard.ACCIDENT: "事故灾难", Hazard.NATURAL: "自然灾害", Hazard.HEALTH: "公共卫生事件",
                 Hazard.SOCIAL: "社会安全事件"}
# Subtypes by hazard: data a region may extend (config PLAN_HAZARD_SUBTYPES overrides).
HAZARD_SUBTYPES = {
    Hazard.ACCIDENT: ("危险化学品事故", "矿山事故", "火灾事故", "道路交通事故", "建筑施工事故", "特种设备事故",
                      "燃气事故", "环境污染事件", "工贸企业事故", "其他生产安全事故"),
    Hazard.NATURAL: ("洪涝灾害", "台风", "地震", "地质灾害", "森林火灾", "干旱", "低温雨雪冰冻", "气象灾害"),
    Hazard.HEALTH: ("传染病疫情", "食物中毒", "职业中毒", "动物疫情"),
    Hazard.SOCIAL: ("群体性事件", "恐怖袭击事件", "涉外突发事件", "网络与信息安全事件"),
}


class PlanStatus(StrEnum):
    DRAFT = "draft"
    IN_REVIEW = "in_review"
    PUBLISHED = "published"
    FILED = "filed"
    NEEDS_REVISION = "needs_revision"
    WITHDRAWN = "withdrawn"


STATUS_LABELS = {PlanStatus.DRAFT: "草稿", PlanStatus.IN_REVIEW: "评审中", PlanStatus.PUBLISHED: "已发布",
                 PlanStatus.FILED: "已备案", PlanStatus.NEEDS_REVISION: "需修订", PlanStatus.WITHDRAWN: "已废止"}
# Plans whose evaluation can fall due: those issued and not yet withdrawn or sent back for revision.
EVALUATED = (PlanStatus.PUBLISHED.value, PlanStatus.FILED.value)


class Plan(db.Model):
    __tablename__ = "plans"
    __table_args__ = (Index("ix_plans_status_due", "status", "next_evaluation_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200), index=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)  # the owner
    kind: Mapped[str] = mapped_column(String(24), index=True)
    hazard: Mapped[str] = mapped_column(String(16), index=True)
    hazard_subtype: Mapped[str] = mapped_column(String(32), default="")
    response_levels: Mapped[str] = mapped_column(String(100), default="")  # e.g. "Ⅰ级、Ⅱ级、Ⅲ级"
    responsible_person: Mapped[str] = mapped_column(String(64), default="")
    responsible_phone: Mapped[str] = mapped_column(String(24), default="")
    status: Mapped[str] = mapped_column(String(16), default=PlanStatus.DRAFT.value, index=True)
    issued_on: Mapped[date | None] = mapped_column(index=True)  # 发布日期
    filed_on: Mapped[date | None] = mapped_column(index=True)  # 备案日期
    filing_number: Mapped[str | None] = mapped_column(String(64), unique=True)
    next_evaluation_on: Mapped[date | None]  # from the evaluation cycle (PLAN_EVALUATION_YEARS)
    version_number: Mapped[int] = mapped_column(default=0)  # the latest PlanVersion.number
    # The searchable text of all sections (tags stripped), kept by services on every save: a
    # LIKE over one column, the same on SQLite and PostgreSQL.
    search_text: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    organization = relationship("Organization")
    sections: Mapped[list["PlanSection"]] = relationship(
        back_populates="plan", cascade="all, delete-orphan", order_by="PlanSection.position")
    attachments: Mapped[list["PlanAttachment"]] = relationship(
        back_populates="plan", cascade="all, delete-orphan", order_by="PlanAttachment.position")

    @property
    def kind_label(self) -> str:
        return KIND_LABELS[PlanKind(self.kind)]

    @property
    def hazard_label(self) -> str:
        return HAZARD_LABELS[Hazard(self.hazard)]

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[PlanStatus(self.status)]

    @property
    def government(self) -> bool:
        return PlanKind(self.kind) in GOVERNMENT_KINDS

    def evaluation_overdue(self, today: date) -> bool:
        """Past its evaluation date while in force: what the due lists count (a withdrawn plan is not)."""
        return self.status in EVALUATED and self.next_evaluation_on is not None and self.next_evaluation_on < today


class PlanSection(db.Model):
    __tablename__ = "plan_sections"
    __table_args__ = (UniqueConstraint("plan_id", "key", name="uq_plan_sections_plan_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id"), index=True)
    key: Mapped[str] = mapped_column(String(16))  # stable across versions: s1, s2 … (comparison key)
    position: Mapped[int]
    number: Mapped[str] = mapped_column(String(16), default="")  # "1", "1.1"
    title: Mapped[str] = mapped_column(String(200))
    level: Mapped[int] = mapped_column(default=1)  # 1 = chapter, 2 = sub-chapter
    content: Mapped[str] = mapped_column(Text, default="")  # sanitized rich text HTML
    revision: Mapped[int] = mapped_column(default=1)  # optimistic lock: +1 on every save
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    plan: Mapped[Plan] = relationship(back_populates="sections")
    updated_by = relationship("User")


class PlanVersion(db.Model):
    """The whole plan as saved: [{"key", "number", "title", "level", "content"}, …]."""

    __tablename__ = "plan_versions"
    __table_args__ = (UniqueConstraint("plan_id", "number", name="uq_plan_versions_plan_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id"), index=True)
    number: Mapped[int]
    sections: Mapped[list] = mapped_column(JSON)
    note: Mapped[str] = mapped_column(String(200), default="")  # "编辑 2.1 应急组织机构", "恢复第 3 版"
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    user = relationship("User")


class PlanAttachment(db.Model):
    __tablename__ = "plan_attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    title: Mapped[str] = mapped_column(String(200))
    storage_key: Mapped[str | None] = mapped_column(String(255))  # an uploaded file, if any
    filename: Mapped[str | None] = mapped_column(String(200))
    size: Mapped[int | None]

    plan: Mapped[Plan] = relationship(back_populates="attachments")


class PlanComment(db.Model):
    """A reviewer's comment on a section (threaded by parent_id), or a suggestion: an edit the
    author accepts (it becomes the section's text, a new version) or rejects."""

    __tablename__ = "plan_comments"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id"), index=True)
    section_key: Mapped[str] = mapped_column(String(16))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("plan_comments.id"), index=True)
    body: Mapped[str] = mapped_column(Text)
    # A suggestion proposes the section's new content; decided by the author.
    suggestion: Mapped[str | None] = mapped_column(Text)
    suggestion_base_revision: Mapped[int | None]
    decision: Mapped[str | None] = mapped_column(String(16))  # accepted / rejected
    resolved: Mapped[bool] = mapped_column(default=False, index=True)
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    resolved_at: Mapped[datetime | None]
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    user = relationship("User", foreign_keys=[user_id])
    replies: Mapped[list["PlanComment"]] = relationship(order_by="PlanComment.id")


class ExpertReview(db.Model):
    """评审: the review meeting's record (DOMAIN.md §1: experts, opinions, conclusion)."""

    __tablename__ = "plan_reviews"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id"), index=True)
    held_on: Mapped[date]
    form: Mapped[str] = mapped_column(String(16), default="评审")  # 评审 / 论证 (self-evaluation)
    experts: Mapped[list] = mapped_column(JSON, default=list)  # [{"name", "title", "unit"}]
    opinions: Mapped[str] = mapped_column(Text, default="")
    conclusion: Mapped[str] = mapped_column(String(16))  # 通过 / 修改后通过 / 不通过
    version_number: Mapped[int | None]  # the version reviewed
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class RevisionRequest(db.Model):
    """整改意见: the problems found when a plan is returned for revision, and who must fix them."""

    __tablename__ = "plan_revision_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id"), index=True)
    problems: Mapped[list] = mapped_column(JSON, default=list)  # list of strings
    assignee: Mapped[str] = mapped_column(String(100))  # the unit or person who must fix them
    due_on: Mapped[date | None]
    source: Mapped[str] = mapped_column(String(32), default="review")  # review / drill / evaluation
    closed_at: Mapped[datetime | None]
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class StatusChange(db.Model):
    __tablename__ = "plan_status_changes"
    # figures: plans returned for revision or revised in a period, from the index alone
    __table_args__ = (Index("ix_plan_status_changes_to", "to_status", "created_at", "from_status", "plan_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id"), index=True)
    from_status: Mapped[str | None] = mapped_column(String(16))
    to_status: Mapped[str] = mapped_column(String(16))
    note: Mapped[str] = mapped_column(String(500), default="")
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    user = relationship("User")
