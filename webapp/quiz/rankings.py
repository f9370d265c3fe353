"""Leaderboards and item analysis, as aggregate queries (a city-wide competition has tens of
thousands of attempts and a million answers; no Python loop over them).

Each person counts once, with their best attempt: highest score, then the shortest time.
"""

import json
from dataclasses import dataclass, field

from sqlalchemy import String, case, cast, func

from webapp.extensions import db
from webapp.quiz.drafts import OPTION_LETTERS, Kind, normalized
from webapp.quiz.models import Attempt, AttemptItem, AttemptStatus, Question, Quiz
from webapp.registry.models import Organization

# Item analysis compares the top and bottom 27 % of participants by score (Kelley's groups, the
# usual choice for the discrimination index).
GROUP_SHARE = 0.27


def best_attempts(quiz: Quiz, town_id: int | None = None):
    """A subquery of each identity's best submitted attempt (rank = 1)."""
    rank = func.row_number().over(partition_by=Attempt.identity_key,
                                  order_by=(Attempt.score.desc(), Attempt.duration_seconds, Attempt.id)).label("rank")
    ranked = db.select(Attempt.id, Attempt.name, Attempt.phone, Attempt.organization_id, Attempt.town_id,
                       Attempt.score, Attempt.duration_seconds, Attempt.submitted_at, Attempt.passed, rank).where(
        Attempt.quiz_id == quiz.id, Attempt.status == AttemptStatus.SUBMITTED)
    if town_id:
        ranked = ranked.where(Attempt.town_id == town_id)
    ranked = ranked.subquery()
    return db.select(ranked).where(ranked.c.rank == 1).subquery("best")


@dataclass
class Row:
    rank: int
    name: str
    phone: str | None
    organization: str
    town: str
    score: float
    duration_seconds: int


def leaderboard(quiz: Quiz, town_id: int | None = None, limit: int | None = 100) -> list[Row]:
    best = best_attempts(quiz, town_id)
    org, town = db.aliased(Organization), db.aliased(Organization)
    query = (db.select(best.c.name, best.c.phone, org.name, town.name, best.c.score, best.c.duration_seconds)
             .outerjoin(org, org.id == best.c.organization_id).outerjoin(town, town.id == best.c.town_id)
             .order_by(best.c.score.desc(), best.c.duration_seconds, best.c.id))
    if limit:
        query = query.limit(limit)
    rows = []
    for i, (name, phone, org_name, town_name, score, duration) in enumerate(db.session.execute(query), 1):
        # equal score and time share a place
        same = rows and rows[-1].score == score and rows[-1].duration_seconds == duration
        rows.append(Row(rows[-1].rank if same else i, name, phone, org_name or "", town_name or "", score, duration or 0))
    return rows


@dataclass
class GroupRow:
    name: str
    participants: int
    headcount: int | None
    average: float
    top: float

    @property
    def rate(self) -> float | None:
        return self.participants / self.headcount if self.headcount else None


def by_organization(quiz: Quiz, town_id: int | None = None) -> list[GroupRow]:
    return _grouped(quiz, town_id, "organization_id")


def by_town(quiz: Quiz) -> list[GroupRow]:
    return _grouped(quiz, None, "town_id")


def _grouped(quiz: Quiz, town_id: int | None, column: str) -> list[GroupRow]:
    best = best_attempts(quiz, town_id)
    key = best.c[column]
    query = (db.select(Organization.name, Organization.headcount, func.count(), func.avg(best.c.score), func.max(best.c.score))
             .join(Organization, Organization.id == key).group_by(Organization.id, Organization.name, Organization.headcount))
    rows = [GroupRow(name, n, headcount, round(float(avg or 0), 1), float(top or 0))
            for name, headcount, n, avg, top in db.session.execute(query)]
    return sorted(rows, key=lambda r: (-(r.rate or 0), -r.participants, -r.average))


@dataclass
class Totals:
    participants: int = 0
    submitted: int = 0
    in_progress: int = 0
    average: float = 0.0
    passed: int = 0


def totals(quiz: Quiz) -> Totals:
    counts = dict(db.session.execute(db.select(Attempt.status, func.count()).where(
        Attempt.quiz_id == quiz.id).group_by(Attempt.status)).all())
    best = best_attempts(quiz)
    people, average, passed = db.session.execute(db.select(
        func.count(), func.avg(best.c.score), func.sum(case((best.c.passed.is_(True), 1), else_=0)))).one()
    return Totals(people or 0, counts.get(AttemptStatus.SUBMITTED.value, 0), counts.get(AttemptStatus.IN_PROGRESS.value, 0),
                  round(float(average or 0), 1), int(passed or 0))


@dataclass
class ItemStats:
    question: Question
    answered: int
    correct_rate: float
    discrimination: float | None  # top-group correct rate minus bottom-group correct rate
    picks: list[tuple[str, str, int, bool]] = field(default_factory=list)  # (letter, option, times, is right)
    wrong_answers: list[tuple[str, int]] = field(default_factory=list)  # fill-in: common wrong texts


def item_analysis(quiz: Quiz) -> list[ItemStats]:
    """Every question of the quiz's submitted attempts, hardest (lowest correct rate) first."""
    submitted = db.select(Attempt.score).where(Attempt.quiz_id == quiz.id, Attempt.status == AttemptStatus.SUBMITTED)
    scores = sorted(s for (s,) in db.session.execute(submitted))
    if not scores:
        return []
    cut = max(1, int(len(scores) * GROUP_SHARE))
    low_cut, high_cut = scores[cut - 1], scores[-cut]
    right = case((AttemptItem.correct.is_(True), 1), else_=0)
    in_top = case((Attempt.score >= high_cut, 1), else_=0)
    in_bottom = case((Attempt.score <= low_cut, 1), else_=0)
    base = db.select(AttemptItem.question_id).join(Attempt, Attempt.id == AttemptItem.attempt_id).where(
        Attempt.quiz_id == quiz.id, Attempt.status == AttemptStatus.SUBMITTED)
    stats = db.session.execute(base.add_columns(
        func.count(), func.sum(right), func.sum(in_top), func.sum(in_top * right), func.sum(in_bottom),
        func.sum(in_bottom * right)).group_by(AttemptItem.question_id)).all()
    responses = db.session.execute(base.add_columns(cast(AttemptItem.response, String), func.count())
                                   .group_by(AttemptItem.question_id, cast(AttemptItem.response, String))).all()
    questions = {q.id: q for q in db.session.execute(
        db.select(Question).where(Question.id.in_([s[0] for s in stats]))).scalars()}
    out = {}
    for qid, n, n_right, top, top_right, bottom, bottom_right in stats:
        discrimination = (top_right / top - bottom_right / bottom) if top and bottom and high_cut > low_cut else None
        out[qid] = ItemStats(questions[qid], n, (n_right or 0) / n, discrimination)
    _add_picks(out, responses)
    return sorted(out.values(), key=lambda s: (s.correct_rate, s.question.id))


def _add_picks(out: dict[int, ItemStats], responses) -> None:
    counts: dict[int, dict[int, int]] = {}
    wrong_texts: dict[int, dict[str, int]] = {}
    for qid, raw, n in responses:
        value = json.loads(raw) if raw and raw != "null" else None
        if not value:
            continue
        question = out[qid].question
        if question.kind == Kind.FILL:
            if normalized(value[0]) not in {normalized(a) for a in question.answer}:
                wrong_texts.setdefault(qid, {}).setdefault(value[0], 0)
                wrong_texts[qid][value[0]] += n
            continue
        for option in value:
            counts.setdefault(qid, {}).setdefault(option, 0)
            counts[qid][option] += n
    for qid, stats in out.items():
        q = stats.question
        if q.kind != Kind.FILL:
            stats.picks = [(OPTION_LETTERS[i], text, counts.get(qid, {}).get(i, 0), i in q.answer)
                           for i, text in enumerate(q.options)]
        stats.wrong_answers = sorted(wrong_texts.get(qid, {}).items(), key=lambda kv: -kv[1])[:5]


def participant_counts(quiz_ids: list[int]) -> dict[int, int]:
    """quiz id → people who handed in (one per identity), as the quiz's own page counts them."""
    if not quiz_ids:
        return {}
    rows = db.session.execute(db.select(Attempt.quiz_id, func.count(func.distinct(Attempt.identity_key)))
                              .where(Attempt.quiz_id.in_(quiz_ids), Attempt.status == AttemptStatus.SUBMITTED)
                              .group_by(Attempt.quiz_id))
    return dict(rows.all())
