"""Three-post training: courses, sessions (班次) and their time slots, enrollments, attendance,
certificates.

The rules (hours, pass mark, validity, review cycle) are configuration (webapp/config.py, with
their sources); these tables hold what happened. Hours are never stored per trainee while a
session runs: they are the sum of the attended slots' hours, one GROUP BY away, so a correction
of attendance can never leave a stale total behind. A certificate copies the hours and score it
was issued on, because it must not change afterwards.
"""

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.common.time import utcnow
from webapp.extensions import db


class Post(StrEnum):
    PRINCIPAL = "principal"
    SAFETY_MANAGER = "safety_manager"
    SPECIAL = "special"


POST_LABELS = {Post.PRINCIPAL: "主要负责人", Post.SAFETY_MANAGER: "安全生产管理人员", Post.SPECIAL: "特种作业人员"}
# The {post} part of a certificate number.
POST_CODES = {Post.PRINCIPAL: "ZY", Post.SAFETY_MANAGER: "AQ", Post.SPECIAL: "TZ"}


class CourseType(StrEnum):
    INITIAL = "initial"
    REFRESHER = "refresher"


COURSE_TYPE_LABELS = {CourseType.INITIAL: "初训", CourseType.REFRESHER: "复训"}


class OperationCategory(db.Model):
    """The special-operations catalogue (特种作业目录): editable data, DOMAIN.md §5."""

    __tablename__ = "operation_categories"
    __table_args__ = (UniqueConstraint("group_name", "name", name="uq_operation_categories_group_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    group_name: Mapped[str] = mapped_column(String(64))  # 电工作业
    name: Mapped[str] = mapped_column(String(64))  # 低压电工作业
    active: Mapped[bool] = mapped_column(default=True)

    @property
    def label(self) -> str:
        return f"{self.group_name}·{self.name}"


class Course(db.Model):
    __tablename__ = "training_courses"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(128), unique=True)
    post: Mapped[str] = mapped_column(String(16), index=True)
    course_type: Mapped[str] = mapped_column(String(16), index=True)
    # The industry group: principal persons and safety managers of the high-risk industries get the
    # longer hours (TRAINING_HOURS).
    high_risk: Mapped[bool] = mapped_column(default=False)
    operation_category_id: Mapped[int | None] = mapped_column(ForeignKey("operation_categories.id"), index=True)
    required_hours: Mapped[float]
    syllabus: Mapped[str] = mapped_column(Text, default="")
    # The default exam: quiz.services.Rule dicts, a time limit and the pass mark (of 100).
    exam_rules: Mapped[list] = mapped_column(JSON, default=list)
    exam_minutes: Mapped[int] = mapped_column(default=60)
    pass_mark: Mapped[int] = mapped_column(default=80)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    operation_category: Mapped[OperationCategory | None] = relationship()

    @property
    def post_label(self) -> str:
        return POST_LABELS[Post(self.post)]

    @property
    def type_label(self) -> str:
        return COURSE_TYPE_LABELS[CourseType(self.course_type)]

    @property
    def needs_practical(self) -> bool:
        # Special operations are examined in theory and in practice (令第30号 art. 13).
        return self.post == Post.SPECIAL


class TrainingSession(db.Model):
    """A 班次: one run of a course, with its time slots, trainees, exam and certificates."""

    __tablename__ = "training_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("training_courses.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    starts_on: Mapped[date] = mapped_column(index=True)
    ends_on: Mapped[date] = mapped_column(index=True)
    venue: Mapped[str] = mapped_column(String(200))
    capacity: Mapped[int]
    trainers: Mapped[str] = mapped_column(String(200), default="")  # the session's main trainers, shown in the notice
    audience: Mapped[str] = mapped_column(String(500), default="")  # 参训对象, for the notice
    bring: Mapped[str] = mapped_column(String(500), default="")  # 携带材料, for the notice
    contact: Mapped[str] = mapped_column(String(200), default="")
    exam_quiz_id: Mapped[int | None] = mapped_column(ForeignKey("quizzes.id"), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    course: Mapped[Course] = relationship()
    slots: Mapped[list["TimeSlot"]] = relationship(
        back_populates="session", cascade="all, delete-orphan", order_by="TimeSlot.starts_at")
    exam_quiz = relationship("Quiz")


class TimeSlot(db.Model):
    """One lesson of a session; attendance is taken per slot by QR code."""

    __tablename__ = "training_slots"
    __table_args__ = (Index("ix_training_slots_time", "starts_at", "ends_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("training_sessions.id"), index=True)
    starts_at: Mapped[datetime]  # UTC
    ends_at: Mapped[datetime]  # UTC
    topic: Mapped[str] = mapped_column(String(200), default="")
    trainer: Mapped[str] = mapped_column(String(64), default="", index=True)
    venue: Mapped[str] = mapped_column(String(200), default="", index=True)
    hours: Mapped[float]  # credited to those present (学时; a 45-minute lesson is often 1 学时)
    # The public key in the sign-in address (/t/<key>) and the secret the changing codes derive from.
    key: Mapped[str] = mapped_column(String(16), unique=True)
    secret: Mapped[str] = mapped_column(String(64))
    # A printed code that does not change, for rooms without a screen; refused unless chosen.
    static_code: Mapped[bool] = mapped_column(default=False)
    static_token: Mapped[str] = mapped_column(String(32))

    session: Mapped[TrainingSession] = relationship(back_populates="slots")


class EnrollmentStatus(StrEnum):
    ENROLLED = "enrolled"
    WAITLISTED = "waitlisted"
    WITHDRAWN = "withdrawn"


ENROLLMENT_STATUS_LABELS = {EnrollmentStatus.ENROLLED: "已报名", EnrollmentStatus.WAITLISTED: "候补",
                            EnrollmentStatus.WITHDRAWN: "已退出"}


class Enrollment(db.Model):
    __tablename__ = "training_enrollments"
    __table_args__ = (
        # One row per person and session: enrolling twice meets here, whatever the path.
        UniqueConstraint("session_id", "person_id", name="uq_training_enrollments_session_person"),
        Index("ix_training_enrollments_session_status", "session_id", "status", "queued_at"),
        # figures (trained, examined, passed per session) from the index alone
        Index("ix_training_enrollments_figures", "session_id", "status", "person_id", "exam_score", "exam_passed"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("training_sessions.id"))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    status: Mapped[str] = mapped_column(String(16), default=EnrollmentStatus.ENROLLED.value)
    queued_at: Mapped[datetime] = mapped_column(default=utcnow)  # the waiting list's order
    enrolled_at: Mapped[datetime] = mapped_column(default=utcnow)
    withdrawn_at: Mapped[datetime | None]
    source: Mapped[str] = mapped_column(String(16), default="manual")  # manual / roster / renewal
    # Copied from the exam (quiz) when results are collected, so figures are one query.
    exam_score: Mapped[float | None]
    exam_passed: Mapped[bool | None]
    practical_score: Mapped[float | None]  # special operations: the practical test, entered by hand

    session: Mapped[TrainingSession] = relationship()
    person = relationship("Person")

    @property
    def status_label(self) -> str:
        return ENROLLMENT_STATUS_LABELS[EnrollmentStatus(self.status)]


class Attendance(db.Model):
    __tablename__ = "training_attendance"
    __table_args__ = (
        # A second scan finds this row instead of adding one: each sign-in counted once.
        UniqueConstraint("slot_id", "enrollment_id", name="uq_training_attendance_slot_enrollment"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slot_id: Mapped[int] = mapped_column(ForeignKey("training_slots.id"), index=True)
    enrollment_id: Mapped[int] = mapped_column(ForeignKey("training_enrollments.id"), index=True)
    present: Mapped[bool] = mapped_column(default=True)
    method: Mapped[str] = mapped_column(String(16))  # qr / code / static / manual
    signed_at: Mapped[datetime] = mapped_column(default=utcnow)
    ip: Mapped[str | None] = mapped_column(String(45))


class AttendanceCorrection(db.Model):
    """A hand correction by the officer: kept, with its reason, never overwritten."""

    __tablename__ = "training_attendance_corrections"

    id: Mapped[int] = mapped_column(primary_key=True)
    slot_id: Mapped[int] = mapped_column(ForeignKey("training_slots.id"), index=True)
    enrollment_id: Mapped[int] = mapped_column(ForeignKey("training_enrollments.id"), index=True)
    present: Mapped[bool]  # what it was set to
    reason: Mapped[str] = mapped_column(String(200))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    enrollment: Mapped[Enrollment] = relationship()
    user = relationship("User")


class CertificateStatus(StrEnum):
    VALID = "valid"
    REVOKED = "revoked"


class Certificate(db.Model):
    __tablename__ = "training_certificates"
    __table_args__ = (
        UniqueConstraint("year", "sequence", name="uq_training_certificates_year_sequence"),
        Index("ix_training_certificates_expiry", "status", "expires_on"),
        Index("ix_training_certificates_issued", "issued_on", "post", "person_id"),  # figures: certified per period
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(40), unique=True)
    year: Mapped[int]
    sequence: Mapped[int]
    # The verification address /verify/<token>: random, so serial numbers say nothing about it.
    token: Mapped[str] = mapped_column(String(32), unique=True)
    enrollment_id: Mapped[int] = mapped_column(ForeignKey("training_enrollments.id"), unique=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("training_sessions.id"), index=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("training_courses.id"), index=True)
    post: Mapped[str] = mapped_column(String(16), index=True)
    operation_category_id: Mapped[int | None] = mapped_column(ForeignKey("operation_categories.id"))
    hours: Mapped[float]
    score: Mapped[float]
    issued_on: Mapped[date]
    expires_on: Mapped[date]
    review_due_on: Mapped[date | None] = mapped_column(index=True)  # special operations: every 3 years
    status: Mapped[str] = mapped_column(String(16), default=CertificateStatus.VALID.value)
    revoked_at: Mapped[datetime | None]
    revoked_reason: Mapped[str | None] = mapped_column(String(200))
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    person = relationship("Person")
    course: Mapped[Course] = relationship()
    session: Mapped[TrainingSession] = relationship()
    operation_category: Mapped[OperationCategory | None] = relationship()

    @property
    def post_label(self) -> str:
        return POST_LABELS[Post(self.post)]

    def state(self, today: date) -> str:
        if self.status == CertificateStatus.REVOKED:
            return "已注销"
        return "已过期" if self.expires_on < today else "有效"


class CertificateCounter(db.Model):
    """The last sequence number used in a year: incremented in one UPDATE, so two officers issuing
    at the same moment never get the same number (the row lock orders them)."""

    __tablename__ = "training_certificate_counters"

    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    last: Mapped[int] = mapped_column(default=0)
