"""Question banks, quizzes (competitions and exams), and the attempts people make at them.

An attempt holds its own paper (AttemptItem rows: which questions, in which order, options in
which order, for how many points), so a quiz can draw a different paper for every participant and
a question edited later never changes a result already given. Answers are stored as indexes of
the question's own options, whatever order the phone showed them in, so item analysis can count
how often each wrong option was picked.
"""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.common.time import utcnow
from webapp.extensions import db
from webapp.quiz.drafts import DIFFICULTY_LABELS, KIND_LABELS, Kind


class QuestionBank(db.Model):
    __tablename__ = "question_banks"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    description: Mapped[str | None] = mapped_column(String(500))
    # Shipped banks come from question_banks/ (this project); the file name ties them together.
    shipped_file: Mapped[str | None] = mapped_column(String(100), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    questions: Mapped[list["Question"]] = relationship(back_populates="bank", order_by="Question.id")


class Question(db.Model):
    __tablename__ = "questions"
    __table_args__ = (
        UniqueConstraint("bank_id", "fingerprint", name="uq_questions_bank_fingerprint"),
        Index("ix_questions_bank_kind_active", "bank_id", "kind", "active"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    bank_id: Mapped[int] = mapped_column(ForeignKey("question_banks.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    stem: Mapped[str] = mapped_column(Text)
    options: Mapped[list] = mapped_column(JSON, default=list)
    answer: Mapped[list] = mapped_column(JSON, default=list)  # see drafts.QuestionDraft.answer
    explanation: Mapped[str] = mapped_column(Text, default="")
    difficulty: Mapped[int] = mapped_column(default=2)
    source: Mapped[str] = mapped_column(String(255), default="")
    fingerprint: Mapped[str] = mapped_column(String(40))  # drafts.fingerprint
    # Retired questions stay (old attempts point at them) but are never drawn again.
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    bank: Mapped[QuestionBank] = relationship(back_populates="questions")
    tag_rows: Mapped[list["QuestionTag"]] = relationship(cascade="all, delete-orphan", order_by="QuestionTag.tag")

    @property
    def tags(self) -> list[str]:
        return [t.tag for t in self.tag_rows]

    @property
    def kind_label(self) -> str:
        return KIND_LABELS[Kind(self.kind)]

    @property
    def difficulty_label(self) -> str:
        return DIFFICULTY_LABELS.get(self.difficulty, "")


class QuestionTag(db.Model):
    """One tag of a question, in a table of its own so a paper rule "10 questions tagged 消防" is
    one indexed query."""

    __tablename__ = "question_tags"

    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id"), primary_key=True)
    tag: Mapped[str] = mapped_column(String(32), primary_key=True, index=True)


class QuizKind(StrEnum):
    COMPETITION = "competition"
    EXAM = "exam"


QUIZ_KIND_LABELS = {QuizKind.COMPETITION: "知识竞赛", QuizKind.EXAM: "考试"}


class PaperMode(StrEnum):
    RANDOM = "random"  # a paper drawn for each participant
    FIXED = "fixed"  # one paper drawn when the quiz is published, the same for everyone


class IdentityMode(StrEnum):
    PUBLIC = "public"  # name, phone and organization, typed on the phone
    ROSTER = "roster"  # only people on the quiz's roster (enrolled trainees): name + last 6 of ID


class Quiz(db.Model):
    __tablename__ = "quizzes"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(12), unique=True)  # the short join address /q/<code>
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16), default=QuizKind.COMPETITION.value, index=True)
    description: Mapped[str] = mapped_column(Text, default="")
    # [{"kind": "single", "count": 10, "points": 2, "bank_ids": [1, 2], "tags": ["消防"]}, …]
    rules: Mapped[list] = mapped_column(JSON, default=list)
    paper_mode: Mapped[str] = mapped_column(String(16), default=PaperMode.RANDOM.value)
    shuffle_questions: Mapped[bool] = mapped_column(default=True)
    shuffle_options: Mapped[bool] = mapped_column(default=True)
    # DOMAIN.md §7: a multiple-choice answer with some correct options and no wrong one earns half
    # the points where the organizer allows it; otherwise all or nothing.
    partial_credit: Mapped[bool] = mapped_column(default=False)
    time_limit_minutes: Mapped[int | None]
    opens_at: Mapped[datetime | None]  # UTC
    closes_at: Mapped[datetime | None]  # UTC
    max_attempts: Mapped[int] = mapped_column(default=1)  # per phone number / person
    identity_mode: Mapped[str] = mapped_column(String(16), default=IdentityMode.PUBLIC.value)
    ask_organization: Mapped[bool] = mapped_column(default=True)
    show_explanations: Mapped[bool] = mapped_column(default=True)
    pass_mark: Mapped[int | None]  # exams: DOMAIN.md §5, 80 of 100
    published: Mapped[bool] = mapped_column(default=False, index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    fixed_items: Mapped[list["FixedPaperItem"]] = relationship(
        cascade="all, delete-orphan", order_by="FixedPaperItem.position")

    @property
    def kind_label(self) -> str:
        return QUIZ_KIND_LABELS[QuizKind(self.kind)]


class FixedPaperItem(db.Model):
    __tablename__ = "quiz_fixed_items"

    quiz_id: Mapped[int] = mapped_column(ForeignKey("quizzes.id"), primary_key=True)
    position: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id"), index=True)
    points: Mapped[float]


class RosterEntry(db.Model):
    """Who may take a roster quiz (an exam of a training session): the training module fills it
    through quiz.services.set_roster."""

    __tablename__ = "quiz_roster"

    quiz_id: Mapped[int] = mapped_column(ForeignKey("quizzes.id"), primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), primary_key=True, index=True)
    max_attempts: Mapped[int | None]  # overrides the quiz's (a make-up exam allows a second)


class AttemptStatus(StrEnum):
    IN_PROGRESS = "in_progress"
    SUBMITTED = "submitted"


class Attempt(db.Model):
    __tablename__ = "quiz_attempts"
    __table_args__ = (
        # One row per try: two taps on 开始答题 or a retried request meet here, not in Python.
        UniqueConstraint("quiz_id", "identity_key", "number", name="uq_quiz_attempts_identity_number"),
        Index("ix_quiz_attempts_ranking", "quiz_id", "status", "score", "duration_seconds"),
        # figures: each quiz's attempts handed in during a period, per town, from the index alone
        Index("ix_quiz_attempts_submitted", "status", "quiz_id", "submitted_at", "town_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    quiz_id: Mapped[int] = mapped_column(ForeignKey("quizzes.id"), index=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)  # the participant's secret
    identity_key: Mapped[str] = mapped_column(String(64))  # "phone:138…", "person:12"
    number: Mapped[int] = mapped_column(default=1)  # 1st, 2nd … try of this identity
    name: Mapped[str] = mapped_column(String(64))
    phone: Mapped[str | None] = mapped_column(String(24))
    organization_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id"), index=True)
    town_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id"), index=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"), index=True)
    status: Mapped[str] = mapped_column(String(16), default=AttemptStatus.IN_PROGRESS.value)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    deadline_at: Mapped[datetime | None]  # UTC; the server's clock decides
    submitted_at: Mapped[datetime | None]
    score: Mapped[float | None]
    max_score: Mapped[float] = mapped_column(default=0)
    correct_count: Mapped[int | None]
    duration_seconds: Mapped[int | None]
    passed: Mapped[bool | None]
    ip: Mapped[str | None] = mapped_column(String(45))

    quiz: Mapped[Quiz] = relationship()
    items: Mapped[list["AttemptItem"]] = relationship(
        cascade="all, delete-orphan", order_by="AttemptItem.position", back_populates="attempt")
    organization = relationship("Organization", foreign_keys=[organization_id])
    person = relationship("Person")


class AttemptItem(db.Model):
    __tablename__ = "quiz_attempt_items"

    attempt_id: Mapped[int] = mapped_column(ForeignKey("quiz_attempts.id"), primary_key=True)
    position: Mapped[int] = mapped_column(primary_key=True)  # 1-based, as shown
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id"), index=True)
    points: Mapped[float]
    order: Mapped[list] = mapped_column(JSON, default=list)  # option indexes in the order shown
    response: Mapped[list | None] = mapped_column(JSON)  # option indexes, or [text] for fill-in
    correct: Mapped[bool | None]
    awarded: Mapped[float | None]

    attempt: Mapped[Attempt] = relationship(back_populates="items")
    question: Mapped[Question] = relationship()
