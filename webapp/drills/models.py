"""Drills (应急演练): the drill itself with its plans, timeline and photos; its evaluation on a
configurable score sheet; the problems it found and their rectification.

A drill moves 计划 → 准备 → 实施 → 评估 → 已总结 (AQ/T 9007-2019's phases). A planned drill and a
held one are the same row: the drill plan (演练计划) is the drill before it happens. The drill
keeps its organizer's town and industry, copied when saved, so the figures by town and industry
are one GROUP BY over this table. An evaluation copies each item's title and maximum when it is
scored, so editing the score sheet later never changes an old evaluation.
"""

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Column, ForeignKey, Index, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.common.time import utcnow
from webapp.extensions import db


class DrillStatus(StrEnum):
    PLANNED = "planned"
    PREPARING = "preparing"
    CONDUCTED = "conducted"
    EVALUATING = "evaluating"
    SUMMARIZED = "summarized"


STATUS_LABELS = {DrillStatus.PLANNED: "计划", DrillStatus.PREPARING: "准备", DrillStatus.CONDUCTED: "实施",
                 DrillStatus.EVALUATING: "评估", DrillStatus.SUMMARIZED: "已总结"}
# A drill in one of these has taken place: it has a date, not in the future, and it counts.
HELD = (DrillStatus.CONDUCTED.value, DrillStatus.EVALUATING.value, DrillStatus.SUMMARIZED.value)


class FormOrg(StrEnum):  # by organization
    TABLETOP = "tabletop"
    FIELD = "field"


class FormContent(StrEnum):  # by content
    SINGLE = "single"
    COMPREHENSIVE = "comprehensive"


class FormPurpose(StrEnum):  # by purpose
    INSPECTION = "inspection"
    DEMONSTRATION = "demonstration"
    RESEARCH = "research"


FORM_ORG_LABELS = {FormOrg.TABLETOP: "桌面演练", FormOrg.FIELD: "实战演练"}
FORM_CONTENT_LABELS = {FormContent.SINGLE: "单项演练", FormContent.COMPREHENSIVE: "综合演练"}
FORM_PURPOSE_LABELS = {FormPurpose.INSPECTION: "检验性演练", FormPurpose.DEMONSTRATION: "示范性演练",
                       FormPurpose.RESEARCH: "研究性演练"}

drill_plans = Table(
    "drill_plans", db.metadata,
    Column("drill_id", ForeignKey("drills.id", ondelete="CASCADE"), primary_key=True),
    Column("plan_id", ForeignKey("plans.id"), primary_key=True, index=True),
)


class Drill(db.Model):
    __tablename__ = "drills"
    # Figures read held drills of a period: this index holds every column they count or group by,
    # so they never read the drill rows themselves (long texts: scenario, measures, units …).
    __table_args__ = (Index("ix_drills_held_figures", "status", "held_on", "town_id", "industry", "organization_id",
                            "form_org", "form_content", "participants", "participant_units"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200), index=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)  # organizer
    town_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id"), index=True)  # organizer's town
    industry: Mapped[str | None] = mapped_column(String(32), index=True)
    hazard: Mapped[str] = mapped_column(String(16), index=True)  # plans.models.Hazard
    hazard_subtype: Mapped[str] = mapped_column(String(32), default="")
    form_org: Mapped[str] = mapped_column(String(16), index=True)
    form_content: Mapped[str] = mapped_column(String(16))
    form_purpose: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default=DrillStatus.PLANNED.value, index=True)
    planned_on: Mapped[date | None] = mapped_column(index=True)  # 计划日期
    held_on: Mapped[date | None] = mapped_column(index=True)  # 实施日期
    start_time: Mapped[str] = mapped_column(String(5), default="")  # "09:00"
    duration_minutes: Mapped[int | None]
    location: Mapped[str] = mapped_column(String(200), default="")
    purpose: Mapped[str] = mapped_column(Text, default="")  # 演练目的
    scenario: Mapped[str] = mapped_column(Text, default="")  # 演练情景
    safety_measures: Mapped[str] = mapped_column(Text, default="")
    commander: Mapped[str] = mapped_column(String(64), default="")  # 总指挥
    recorder: Mapped[str] = mapped_column(String(64), default="")  # 记录人
    participants: Mapped[int] = mapped_column(default=0)  # 参演人数
    participant_units: Mapped[int] = mapped_column(default=0)  # 参演单位数
    units: Mapped[str] = mapped_column(Text, default="")  # participating units, one per line
    observers: Mapped[str] = mapped_column(Text, default="")  # 观摩人员
    resources: Mapped[str] = mapped_column(Text, default="")  # 动用的装备物资
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    organization = relationship("Organization", foreign_keys=[organization_id])
    town = relationship("Organization", foreign_keys=[town_id])
    plans = relationship("Plan", secondary=drill_plans, order_by="Plan.id")
    steps: Mapped[list["DrillStep"]] = relationship(back_populates="drill", cascade="all, delete-orphan",
                                                    order_by="DrillStep.position")
    photos: Mapped[list["DrillPhoto"]] = relationship(back_populates="drill", cascade="all, delete-orphan",
                                                      order_by="DrillPhoto.id")
    evaluation: Mapped["DrillEvaluation | None"] = relationship(back_populates="drill", uselist=False,
                                                                cascade="all, delete-orphan")
    problems: Mapped[list["DrillProblem"]] = relationship(back_populates="drill", cascade="all, delete-orphan",
                                                          order_by="DrillProblem.id")

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[DrillStatus(self.status)]

    @property
    def held(self) -> bool:
        return self.status in HELD

    @property
    def form_label(self) -> str:
        """实战演练（综合演练、检验性演练）"""
        return (f"{FORM_ORG_LABELS[FormOrg(self.form_org)]}（{FORM_CONTENT_LABELS[FormContent(self.form_content)]}、"
                f"{FORM_PURPOSE_LABELS[FormPurpose(self.form_purpose)]}）")

    @property
    def day(self) -> date | None:
        """The date that places the drill in a year: held, else planned."""
        return self.held_on or self.planned_on


class DrillStep(db.Model):
    """One key moment of the timeline: time — event — action."""

    __tablename__ = "drill_steps"

    id: Mapped[int] = mapped_column(primary_key=True)
    drill_id: Mapped[int] = mapped_column(ForeignKey("drills.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    at: Mapped[str] = mapped_column(String(5))  # "09:03"
    event: Mapped[str] = mapped_column(Text)
    action: Mapped[str] = mapped_column(Text, default="")

    drill: Mapped[Drill] = relationship(back_populates="steps")


class DrillPhoto(db.Model):
    __tablename__ = "drill_photos"

    id: Mapped[int] = mapped_column(primary_key=True)
    drill_id: Mapped[int] = mapped_column(ForeignKey("drills.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(80))  # storage key of the resized JPEG
    thumb_key: Mapped[str] = mapped_column(String(80))
    width: Mapped[int]
    height: Mapped[int]
    size: Mapped[int]
    caption: Mapped[str] = mapped_column(String(100), default="")
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    drill: Mapped[Drill] = relationship(back_populates="photos")


class EvaluationItem(db.Model):
    """A line of the score sheet (评估项目), per drill form; shipped with AQ/T 9009-2015's items,
    editable by the drill officers. Items are retired (active=False), never deleted, because
    evaluations point at them."""

    __tablename__ = "drill_evaluation_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    form_org: Mapped[str] = mapped_column(String(16), index=True)  # FormOrg
    category: Mapped[str] = mapped_column(String(32))  # 评估要素, e.g. 指挥与协调
    title: Mapped[str] = mapped_column(String(300))  # what is checked
    max_score: Mapped[int]
    position: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(default=True, index=True)


class DrillEvaluation(db.Model):
    __tablename__ = "drill_evaluations"

    id: Mapped[int] = mapped_column(primary_key=True)
    drill_id: Mapped[int] = mapped_column(ForeignKey("drills.id", ondelete="CASCADE"), unique=True)
    evaluated_on: Mapped[date]
    evaluators: Mapped[str] = mapped_column(Text)  # 评估人员, one per line: 姓名（单位）
    summary: Mapped[str] = mapped_column(Text, default="")  # how it was carried out
    plan_assessment: Mapped[str] = mapped_column(Text, default="")  # was the plan reasonable and workable
    conclusion: Mapped[str] = mapped_column(Text, default="")
    suggestions: Mapped[str] = mapped_column(Text, default="")  # 预案修订建议
    total: Mapped[int] = mapped_column(default=0)
    max_total: Mapped[int] = mapped_column(default=0)
    grade: Mapped[str] = mapped_column(String(8), default="", index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    drill: Mapped[Drill] = relationship(back_populates="evaluation")
    scores: Mapped[list["EvaluationScore"]] = relationship(back_populates="evaluation",
                                                           cascade="all, delete-orphan",
                                                           order_by="EvaluationScore.position")


class EvaluationScore(db.Model):
    __tablename__ = "drill_evaluation_scores"
    __table_args__ = (UniqueConstraint("evaluation_id", "item_id", name="uq_drill_scores_item"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    evaluation_id: Mapped[int] = mapped_column(ForeignKey("drill_evaluations.id", ondelete="CASCADE"), index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("drill_evaluation_items.id"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    category: Mapped[str] = mapped_column(String(32))  # copied from the item when scored
    title: Mapped[str] = mapped_column(String(300))
    max_score: Mapped[int]
    score: Mapped[int]
    remark: Mapped[str] = mapped_column(String(300), default="")

    evaluation: Mapped[DrillEvaluation] = relationship(back_populates="scores")


class ProblemStatus(StrEnum):
    OPEN = "open"
    RECTIFYING = "rectifying"
    CLOSED = "closed"


PROBLEM_STATUS_LABELS = {ProblemStatus.OPEN: "待整改", ProblemStatus.RECTIFYING: "整改中",
                         ProblemStatus.CLOSED: "已整改"}


class DrillProblem(db.Model):
    """问题与整改: a problem the drill found, who fixes it, how and by when, and the evidence it was fixed."""

    __tablename__ = "drill_problems"
    __table_args__ = (Index("ix_drill_problems_status_due", "status", "due_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    drill_id: Mapped[int] = mapped_column(ForeignKey("drills.id", ondelete="CASCADE"), index=True)
    description: Mapped[str] = mapped_column(Text)
    responsible_unit: Mapped[str] = mapped_column(String(100))
    measure: Mapped[str] = mapped_column(Text)  # 整改措施
    due_on: Mapped[date]
    status: Mapped[str] = mapped_column(String(16), default=ProblemStatus.OPEN.value)
    # A problem that needs the plan changed flags that plan 需修订 through the plans module.
    plan_id: Mapped[int | None] = mapped_column(ForeignKey("plans.id"), index=True)
    revision_request_id: Mapped[int | None] = mapped_column(ForeignKey("plan_revision_requests.id"))
    closed_on: Mapped[date | None]
    closure_note: Mapped[str] = mapped_column(Text, default="")  # 整改情况
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    drill: Mapped[Drill] = relationship(back_populates="problems")
    plan = relationship("Plan")
    evidence: Mapped[list["ProblemEvidence"]] = relationship(back_populates="problem", cascade="all, delete-orphan",
                                                             order_by="ProblemEvidence.id")

    @property
    def status_label(self) -> str:
        return PROBLEM_STATUS_LABELS[ProblemStatus(self.status)]

    @property
    def requires_revision(self) -> bool:
        return self.plan_id is not None


class ProblemEvidence(db.Model):
    """Evidence of closure: a photo (resized, with a thumbnail) or a PDF scan."""

    __tablename__ = "drill_problem_evidence"

    id: Mapped[int] = mapped_column(primary_key=True)
    problem_id: Mapped[int] = mapped_column(ForeignKey("drill_problems.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(8))  # photo / pdf
    key: Mapped[str] = mapped_column(String(80))
    thumb_key: Mapped[str | None] = mapped_column(String(80))
    filename: Mapped[str] = mapped_column(String(200), default="")
    size: Mapped[int] = mapped_column(default=0)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    problem: Mapped[DrillProblem] = relationship(back_populates="evidence")
