"""On-site contests (现场知识竞赛): teams on a stage, rounds of a kind, a host who scores each answer.

Every change of a score is a ContestScore row (an action), never an edit of a total: a team's total
is its contest's start points plus the sum of its actions that were not undone, so 撤销上一步 only
stamps undone_at on the latest action and the log keeps what happened. The scoring rules of the
local conventions (DOMAIN.md §7) live in Contest.settings, so a contest can change them.
"""

from datetime import date as date_type
from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.common.time import utcnow
from webapp.extensions import db
from webapp.quiz.models import Question


class RoundKind(StrEnum):
    REQUIRED = "required"  # 必答题: each team answers its own question
    BUZZER = "buzzer"  # 抢答题: the first team to buzz answers
    RISK = "risk"  # 风险题: the team stakes 10/20/30 points, may waive
    TIEBREAK = "tiebreak"  # 加赛题: breaks a tie


ROUND_KIND_LABELS = {
    RoundKind.REQUIRED: "必答题",
    RoundKind.BUZZER: "抢答题",
    RoundKind.RISK: "风险题",
    RoundKind.TIEBREAK: "加赛题",
}


class Action(StrEnum):
    RIGHT = "right"  # 答对
    WRONG = "wrong"  # 答错
    FOUL = "foul"  # 抢答犯规 (an early buzz): deducts as a wrong answer
    WAIVE = "waive"  # 风险题 放弃: no points either way
    ADJUST = "adjust"  # 手动调整: ±n with a reason


ACTION_LABELS = {
    Action.RIGHT: "答对",
    Action.WRONG: "答错",
    Action.FOUL: "抢答犯规",
    Action.WAIVE: "放弃",
    Action.ADJUST: "手动调整",
}


class Contest(db.Model):
    __tablename__ = "contests"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    date: Mapped[date_type | None]  # the day it is held
    start_points: Mapped[int] = mapped_column(default=100)
    # contest.DEFAULT_SETTINGS: {"points": {kind: {...}}, "seconds": {kind: n}}
    settings: Mapped[dict] = mapped_column(JSON, default=dict)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    teams: Mapped[list["ContestTeam"]] = relationship(
        back_populates="contest", cascade="all, delete-orphan", order_by="ContestTeam.position")
    rounds: Mapped[list["ContestRound"]] = relationship(
        back_populates="contest", cascade="all, delete-orphan", order_by="ContestRound.position")


class ContestTeam(db.Model):
    __tablename__ = "contest_teams"
    __table_args__ = (UniqueConstraint("contest_id", "name", name="uq_contest_teams_contest_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contest_id: Mapped[int] = mapped_column(ForeignKey("contests.id"), index=True)
    name: Mapped[str] = mapped_column(String(64))
    organization_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id"), index=True)
    position: Mapped[int] = mapped_column(default=1)  # the order on stage, 1-based

    contest: Mapped[Contest] = relationship(back_populates="teams")
    organization = relationship("Organization", lazy="joined")  # every team list shows its unit


class ContestRound(db.Model):
    __tablename__ = "contest_rounds"

    id: Mapped[int] = mapped_column(primary_key=True)
    contest_id: Mapped[int] = mapped_column(ForeignKey("contests.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # RoundKind
    title: Mapped[str] = mapped_column(String(100))
    position: Mapped[int] = mapped_column(default=1)
    bank_ids: Mapped[list] = mapped_column(JSON, default=list)  # [] = every bank
    tags: Mapped[list] = mapped_column(JSON, default=list)  # [] = any tag
    # Points of a right answer in this round, over the contest's setting for the kind (必答题 of a
    # team question is worth 20 where the usual one is worth 10); not used by 风险题.
    points: Mapped[int | None]

    contest: Mapped[Contest] = relationship(back_populates="rounds")
    questions: Mapped[list["ContestQuestion"]] = relationship(
        back_populates="round", cascade="all, delete-orphan", order_by="ContestQuestion.position")

    @property
    def kind_label(self) -> str:
        return ROUND_KIND_LABELS[RoundKind(self.kind)]


class ContestQuestion(db.Model):
    """A question drawn for a round. contest_id repeats the round's so that "no question twice in a
    contest" is a unique constraint, which two taps on 下一题 meet in the database."""

    __tablename__ = "contest_questions"
    __table_args__ = (
        UniqueConstraint("contest_id", "question_id", name="uq_contest_questions_contest_question"),
        UniqueConstraint("round_id", "position", name="uq_contest_questions_round_position"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    contest_id: Mapped[int] = mapped_column(ForeignKey("contests.id"), index=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("contest_rounds.id"), index=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id"), index=True)
    position: Mapped[int]  # 1-based within the round: 第 n 题
    drawn_at: Mapped[datetime] = mapped_column(default=utcnow)
    shown_at: Mapped[datetime | None]  # UTC; on the projector since then (the countdown starts)

    round: Mapped[ContestRound] = relationship(back_populates="questions")
    question: Mapped[Question] = relationship()


class ContestScore(db.Model):
    __tablename__ = "contest_scores"
    __table_args__ = (Index("ix_contest_scores_contest_undone", "contest_id", "undone_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contest_id: Mapped[int] = mapped_column(ForeignKey("contests.id"), index=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("contest_teams.id"), index=True)
    round_id: Mapped[int | None] = mapped_column(ForeignKey("contest_rounds.id"), index=True)
    question_id: Mapped[int | None] = mapped_column(ForeignKey("contest_questions.id"), index=True)
    action: Mapped[str] = mapped_column(String(16))  # Action
    delta: Mapped[int]
    reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    undone_at: Mapped[datetime | None]

    team: Mapped[ContestTeam] = relationship()
    round: Mapped[ContestRound | None] = relationship()
    question: Mapped[ContestQuestion | None] = relationship()
    created_by = relationship("User")

    @property
    def action_label(self) -> str:
        return ACTION_LABELS[Action(self.action)]
