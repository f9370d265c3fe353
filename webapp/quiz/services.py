"""Quizzes and attempts: setting a quiz, drawing papers, joining, saving answers, scoring.

The server owns the clock and the scoring: a phone gets stems and options in the order it shows
them, never the answers, and every deadline is checked here against the server's time.

The training module sets exams through this module: create_quiz(kind=exam, identity_mode=roster),
set_roster(quiz, people), then join(quiz, Identity(person=…)) and result(attempt) /
best_results(quiz). Nothing else of this module is its business.
"""

import math
import random
import secrets
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from blinker import Namespace
from sqlalchemy import inspect as sa_inspect
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, load_only, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from webapp.common.identifiers import normalize_phone
from webapp.common.time import utcnow
from webapp.errors import FieldErrors, UserError
from webapp.extensions import db
from webapp.quiz.drafts import KIND_LABELS, MAX_FILL_ANSWER, OPTION_LETTERS, Kind, normalized
from webapp.quiz.models import (
    Attempt,
    AttemptItem,
    AttemptStatus,
    FixedPaperItem,
    IdentityMode,
    PaperMode,
    Question,
    QuestionTag,
    Quiz,
    QuizKind,
    RosterEntry,
)
from webapp.registry.models import Organization, Person

CODE_ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"  # no 0/o, 1/l/i: read aloud or typed from a poster
CODE_LENGTH = 6
MAX_QUESTIONS = 200
# A submission that set off before the deadline may arrive a little after it on a slow network.
SUBMIT_GRACE = timedelta(seconds=15)


INVALID_TOKEN = "答题凭证无效或已过期，请重新扫码进入"


class QuizClosed(UserError):
    """The quiz does not take answers now (not open yet, closed, not published)."""


class AttemptRefused(UserError):
    """This person may not start (another) attempt."""


class AttemptFinished(UserError):
    """The attempt was submitted or its time is up; answers are no longer taken."""


# ------------------------------------------------------------------------------------ quiz setup

@dataclass
class Rule:
    kind: Kind
    count: int
    points: float
    bank_ids: list[int]
    tags: list[str]

    @classmethod
    def of(cls, raw: Mapping) -> "Rule":
        return cls(Kind(raw["kind"]), int(raw["count"]), float(raw["points"]),
                   [int(b) for b in raw.get("bank_ids") or []], [str(t) for t in raw.get("tags") or []])

    def as_json(self) -> dict:
        return {"kind": self.kind.value, "count": self.count, "points": self.points,
                "bank_ids": self.bank_ids, "tags": self.tags}

    @property
    def label(self) -> str:
        return KIND_LABELS[self.kind]


def rules_of(quiz: Quiz) -> list[Rule]:
    return [Rule.of(r) for r in quiz.rules or []]


def total_points(rules: list[Rule]) -> float:
    return sum(r.count * r.points for r in rules)


def new_code() -> str:
    while True:
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        if not db.session.execute(db.select(Quiz.id).where(Quiz.code == code)).first():
            return code


QUIZ_FIELDS = ("title", "kind", "description", "paper_mode", "shuffle_questions", "shuffle_options",
               "partial_credit", "time_limit_minutes", "opens_at", "closes_at", "max_attempts",
               "identity_mode", "ask_organization", "show_explanations", "pass_mark")


def create_quiz(values: Mapping, rules: list[Rule], user=None) -> Quiz:
    quiz = Quiz(code=new_code(), created_by_id=getattr(user, "id", None))
    update_quiz(quiz, values, rules)
    db.session.add(quiz)
    db.session.flush()
    return quiz


def update_quiz(quiz: Quiz, values: Mapping, rules: list[Rule]) -> None:
    errors = check_settings(values, rules)
    if errors:
        raise FieldErrors(errors)
    new_rules = [r.as_json() for r in rules]
    paper_changes = new_rules != (quiz.rules or []) or values.get("paper_mode", quiz.paper_mode) != quiz.paper_mode
    if quiz.id and paper_changes and _has_attempts(quiz):
        raise FieldErrors({"rules": "已有人答题，不能再修改组卷规则或组卷方式（可新建一场）"})
    for name in QUIZ_FIELDS:
        if name in values:
            setattr(quiz, name, values[name])
    quiz.rules = new_rules
    if paper_changes:
        quiz.fixed_items = []  # a fixed paper is drawn again from the new rules
    if quiz.published and quiz.paper_mode == PaperMode.FIXED and not quiz.fixed_items:
        draw_fixed_paper(quiz)


def _has_attempts(quiz: Quiz) -> bool:
    return db.session.execute(db.select(Attempt.id).where(Attempt.quiz_id == quiz.id).limit(1)).first() is not None


def check_settings(values: Mapping, rules: list[Rule]) -> dict[str, str]:
    errors = {}
    opens, closes = values.get("opens_at"), values.get("closes_at")
    if opens and closes and closes <= opens:
        errors["closes_at"] = "结束时间应晚于开始时间"
    if not rules:
        errors["rules"] = "请至少设置一条组卷规则（题型、题数、每题分值）"
    elif sum(r.count for r in rules) > MAX_QUESTIONS:
        errors["rules"] = f"一份试卷最多 {MAX_QUESTIONS} 题"
    else:
        shortages = [m for m in (_shortage(r) for r in rules) if m]
        if shortages:
            errors["rules"] = "；".join(shortages)
    if values.get("kind") == QuizKind.EXAM and values.get("pass_mark") is not None and rules:
        if values["pass_mark"] > total_points(rules):
            errors["pass_mark"] = f"及格分不能高于试卷总分 {total_points(rules):g} 分"
    return errors


def _shortage(rule: Rule) -> str | None:
    if rule.count <= 0 or rule.points <= 0:
        return f"{rule.label}的题数和分值应大于 0"
    available = len(candidate_ids(rule))
    if available < rule.count:
        where = "、".join(rule.tags) if rule.tags else "所选题库"
        return f"{rule.label}需要 {rule.count} 题，{where}中只有 {available} 题"
    return None


# Every join of a random-paper quiz draws from the same pools: each process keeps them briefly
# (a question retired or added shows in new papers within POOL_SECONDS).
POOL_SECONDS = 30.0
_pools: dict[tuple, tuple[float, list[int]]] = {}


def candidate_ids(rule: Rule, cached: bool = False) -> list[int]:
    """Ids of the active questions a rule may draw from, in id order."""
    key = (db.engine.url.render_as_string(), rule.kind.value, tuple(rule.bank_ids), tuple(rule.tags))
    if cached and (hit := _pools.get(key)) and time.monotonic() - hit[0] < POOL_SECONDS:
        return hit[1]
    query = db.select(Question.id).where(Question.kind == rule.kind.value, Question.active)
    if rule.bank_ids:
        query = query.where(Question.bank_id.in_(rule.bank_ids))
    if rule.tags:
        query = query.where(Question.id.in_(db.select(QuestionTag.question_id).where(QuestionTag.tag.in_(rule.tags))))
    ids = list(db.session.execute(query.order_by(Question.id)).scalars())
    if len(_pools) > 1000:
        _pools.clear()
    _pools[key] = (time.monotonic(), ids)
    return ids


def draw(rules: list[Rule], rng: random.Random, cached: bool = False) -> list[tuple[int, float]]:
    """(question id, points) for a paper: each rule's questions drawn without repeats, grouped by
    rule in the order the organizer set (single choice first, as papers usually are)."""
    taken: set[int] = set()
    paper = []
    for rule in rules:
        pool = [i for i in candidate_ids(rule, cached) if i not in taken]
        if len(pool) < rule.count:
            raise UserError(f"{rule.label}的题目不足：需要 {rule.count} 题，只有 {len(pool)} 题")
        chosen = rng.sample(pool, rule.count)
        taken.update(chosen)
        paper += [(qid, rule.points) for qid in chosen]
    return paper


def draw_fixed_paper(quiz: Quiz) -> None:
    paper = draw(rules_of(quiz), random.Random(secrets.randbits(64)))
    quiz.fixed_items = [FixedPaperItem(position=i, question_id=qid, points=points)
                        for i, (qid, points) in enumerate(paper, 1)]


def publish(quiz: Quiz) -> None:
    errors = check_settings({"kind": quiz.kind, "opens_at": quiz.opens_at, "closes_at": quiz.closes_at,
                             "pass_mark": quiz.pass_mark}, rules_of(quiz))
    if errors:
        raise UserError("无法发布：" + "；".join(errors.values()))
    quiz.published = True
    if quiz.paper_mode == PaperMode.FIXED and not quiz.fixed_items:
        draw_fixed_paper(quiz)


def unpublish(quiz: Quiz) -> None:
    quiz.published = False


STATES = {"draft": "未发布", "upcoming": "未开始", "live": "进行中", "closed": "已结束"}


def state(quiz: Quiz, now: datetime | None = None) -> str:
    now = now or utcnow()
    if not quiz.published:
        return "未发布"
    if quiz.opens_at and now < quiz.opens_at:
        return "未开始"
    if quiz.closes_at and now >= quiz.closes_at:
        return "已结束"
    return "进行中"


def in_state(key: str, now: datetime | None = None):
    """state() as a query condition, for a list filtered by state and for counting (the two must
    agree: tests/quiz/test_list_filters.py checks every case against state()). key: a STATES key."""
    now = now or utcnow()
    opened = Quiz.opens_at.is_(None) | (Quiz.opens_at <= now)
    ended = Quiz.closes_at.is_not(None) & (Quiz.closes_at <= now)
    return {"draft": Quiz.published.is_(False),
            "upcoming": Quiz.published.is_(True) & Quiz.opens_at.is_not(None) & (Quiz.opens_at > now),
            "live": Quiz.published.is_(True) & opened & ~ended,
            "closed": Quiz.published.is_(True) & opened & ended}[key]


def set_roster(quiz: Quiz, people: list[Person], max_attempts: int | None = None) -> None:
    """Who may take a roster quiz; max_attempts overrides the quiz's (2 for a make-up exam)."""
    current = {r.person_id: r for r in db.session.execute(
        db.select(RosterEntry).where(RosterEntry.quiz_id == quiz.id)).scalars()}
    for person in people:
        entry = current.get(person.id) or RosterEntry(quiz_id=quiz.id, person_id=person.id)
        entry.max_attempts = max_attempts
        db.session.add(entry)
    db.session.flush()


def remove_from_roster(quiz: Quiz, person_ids: list[int]) -> None:
    """A trainee who withdrew may no longer start the exam (attempts already made stay)."""
    if person_ids:
        db.session.execute(db.delete(RosterEntry).where(RosterEntry.quiz_id == quiz.id,
                                                        RosterEntry.person_id.in_(person_ids)))
        db.session.flush()


# ------------------------------------------------------------------------------------- identity

@dataclass
class Identity:
    """Who is answering: typed on the phone (public quizzes) or a person on the roster."""

    name: str = ""
    phone: str = ""
    organization_id: int | None = None
    id_last6: str = ""  # roster quizzes: the last six characters of the ID number
    person: Person | None = None


def identify(quiz: Quiz, identity: Identity) -> tuple[str, dict]:
    """(identity key, attempt fields), or FieldErrors naming each missing or wrong field."""
    errors: dict[str, str] = {}
    name = " ".join(identity.name.split())
    if identity.person is None and not name:
        errors["name"] = "请填写姓名"
    elif len(name) > 32:
        errors["name"] = "姓名不能超过 32 字"
    if quiz.identity_mode == IdentityMode.ROSTER:
        person = identity.person or (_roster_person(quiz, name, identity.id_last6, errors) if not errors else None)
        if errors:
            raise FieldErrors(errors)
        if person is None or not _on_roster(quiz, person):
            raise AttemptRefused("您不在本场考试的名单中，请核对姓名和身份证号后六位，或联系培训管理员")
        org = person.organization
        return f"person:{person.id}", {"name": person.name, "person_id": person.id, "phone": person.phone,
                                        "organization_id": org.id if org else None,
                                        "town_id": org.town_id if org else None}
    try:
        phone = normalize_phone(identity.phone)
    except ValueError as exc:
        errors["phone"] = "请填写手机号" if not identity.phone.strip() else str(exc)
        phone = ""
    org = None
    if quiz.ask_organization:
        org = db.session.get(Organization, identity.organization_id) if identity.organization_id else None
        if org is None or not org.active:
            errors["organization_id"] = "请选择所在单位"
    if errors:
        raise FieldErrors(errors)
    return f"phone:{phone}", {"name": name, "phone": phone, "organization_id": org.id if org else None,
                              "town_id": org.town_id if org else None}


def _roster_person(quiz: Quiz, name: str, last6: str, errors: dict) -> Person | None:
    last6 = last6.strip().upper()
    if len(last6) != 6:
        errors["id_last6"] = "请填写身份证号后六位"
        return None
    return db.session.execute(
        db.select(Person).join(RosterEntry, RosterEntry.person_id == Person.id)
        .where(RosterEntry.quiz_id == quiz.id, Person.name == name,
               Person.id_number.endswith(last6, autoescape=True))  # "%" or "_" typed must not match anyone
    ).scalars().first()


def _on_roster(quiz: Quiz, person: Person) -> bool:
    return db.session.get(RosterEntry, (quiz.id, person.id)) is not None


def _allowed_attempts(quiz: Quiz, person_id: int | None) -> int:
    if person_id is not None:
        entry = db.session.get(RosterEntry, (quiz.id, person_id))
        if entry is not None and entry.max_attempts:
            return entry.max_attempts
    return quiz.max_attempts


# ------------------------------------------------------------------------------------- attempts

def join(quiz: Quiz, identity: Identity, *, ip: str | None = None, now: datetime | None = None) -> Attempt:
    """The attempt this person is on, resumed with its clock still running, or a new one. Two
    taps, a retried request or a second scan never make a second attempt."""
    now = now or utcnow()
    _check_open(quiz, now)
    key, fields = identify(quiz, identity)
    previous = _attempts_of(quiz, key)
    for attempt in previous:
        if attempt.status == AttemptStatus.IN_PROGRESS:
            if time_is_up(attempt, now, SUBMIT_GRACE):
                finish(attempt, now)
            else:
                return attempt
    allowed = _allowed_attempts(quiz, fields.get("person_id"))
    if len(previous) >= allowed:
        raise AttemptRefused(f"您已参加过本次{quiz.kind_label}（每人限 {allowed} 次），不能再次答题")
    number = len(previous) + 1
    attempt, items = _new_attempt(quiz, key, number, fields, ip, now)
    _no_wait_for_disk()  # a join lost to a database crash is a rejoin with a new paper
    db.session.add(attempt)
    try:
        db.session.flush()
    except IntegrityError:
        # The same person's other request got there first, and that attempt is this one. Joining
        # is the request's first write, so rolling the whole session back loses nothing.
        db.session.rollback()
        return next(a for a in _attempts_of(quiz, key) if a.number == number)
    # The paper's rows in one executemany: as ORM objects they were most of a join's work.
    db.session.execute(db.insert(AttemptItem), [row | {"attempt_id": attempt.id} for row in items])
    return attempt


def _attempts_of(quiz: Quiz, key: str) -> list[Attempt]:
    return list(db.session.execute(db.select(Attempt).where(
        Attempt.quiz_id == quiz.id, Attempt.identity_key == key).order_by(Attempt.number)).scalars())


def _check_open(quiz: Quiz, now: datetime) -> None:
    current = state(quiz, now)
    if current == "未发布":
        raise QuizClosed("本次答题尚未发布")
    if current == "未开始":
        raise QuizClosed("本次答题尚未开始")
    if current == "已结束":
        raise QuizClosed("本次答题已结束，不再接受作答")


def _new_attempt(quiz: Quiz, key: str, number: int, fields: dict, ip: str | None,
                 now: datetime) -> tuple[Attempt, list[dict]]:
    """The attempt and the rows of its paper (position, question, points, option order)."""
    deadline = now + timedelta(minutes=quiz.time_limit_minutes) if quiz.time_limit_minutes else None
    if quiz.closes_at and (deadline is None or quiz.closes_at < deadline):
        deadline = quiz.closes_at
    attempt = Attempt(quiz_id=quiz.id, token=secrets.token_urlsafe(32), identity_key=key, number=number,
                      started_at=now, deadline_at=deadline, ip=ip, **fields)
    rng = random.Random(secrets.randbits(64))
    if quiz.paper_mode == PaperMode.FIXED:
        paper = [(item.question_id, item.points) for item in quiz.fixed_items]
        questions = _questions([qid for qid, _ in paper])
    else:
        paper = draw(rules_of(quiz), rng, cached=True)
        questions = _questions([qid for qid, _ in paper])
        if len(questions) < len(paper) or not all(q.active for q in questions.values()):
            paper = draw(rules_of(quiz), rng)  # the pool kept was stale: draw from the database
            questions = _questions([qid for qid, _ in paper])
    if quiz.shuffle_questions and quiz.paper_mode == PaperMode.FIXED:
        rng.shuffle(paper)
    items = []
    for position, (qid, points) in enumerate(paper, 1):
        order = list(range(len(questions[qid].options)))
        if quiz.shuffle_options and questions[qid].kind in (Kind.SINGLE, Kind.MULTIPLE):
            rng.shuffle(order)
        items.append({"position": position, "question_id": qid, "points": points, "order": order})
    attempt.max_score = sum(points for _, points in paper)
    return attempt, items


def _questions(ids: list[int]) -> dict[int, Question]:
    """What drawing a paper needs of its questions (not their text)."""
    query = db.select(Question).where(Question.id.in_(ids)).options(
        load_only(Question.id, Question.kind, Question.options, Question.active))
    return {q.id: q for q in db.session.execute(query).scalars()}


def by_token(token: str | None, for_update: bool = False, review: bool = False) -> Attempt | None:
    """The attempt of a participant's secret token, with its paper (items and their questions)
    loaded in two more queries, not one per question: of the questions what the paper and the
    scoring use, or everything with `review` (explanations, sources). for_update locks the
    attempt's row (a submit), so an autosave of the same attempt cannot slip in between scoring
    and commit."""
    if not token or len(token) > 64:
        return None
    questions = selectinload(Attempt.items).selectinload(AttemptItem.question)
    if not review:
        questions = questions.load_only(Question.kind, Question.stem, Question.options, Question.answer)
    query = db.select(Attempt).where(Attempt.token == token).options(questions)
    if for_update:
        query = query.with_for_update(of=Attempt)
    return db.session.execute(query).scalar_one_or_none()


def time_is_up(attempt: Attempt, now: datetime, grace: timedelta = timedelta(0)) -> bool:
    return attempt.deadline_at is not None and now >= attempt.deadline_at + grace


def seconds_left(attempt: Attempt, now: datetime | None = None) -> int | None:
    return _seconds_until(attempt.deadline_at, now or utcnow())


def _seconds_until(deadline: datetime | None, now: datetime) -> int | None:
    return None if deadline is None else max(0, math.floor((deadline - now).total_seconds()))


def paper(attempt: Attempt) -> list[dict]:
    """What the phone shows: stems and options in the attempt's order, its saved answers mapped to
    that order, and nothing that gives the answer away."""
    out = []
    for item in attempt.items:
        q = item.question
        shown = {original: i for i, original in enumerate(item.order)}
        response = item.response or []
        if q.kind == Kind.FILL:
            answer = response[0] if response else ""
        else:
            answer = sorted(shown[i] for i in response if i in shown)
        out.append({"position": item.position, "kind": q.kind, "kind_label": q.kind_label, "stem": q.stem,
                    "options": [q.options[i] for i in item.order], "points": item.points, "answer": answer})
    return out


def save_answers(attempt: Attempt, answers: Mapping, now: datetime | None = None,
                 grace: timedelta = timedelta(0)) -> int:
    """Store answers given as {position: shown option indexes | text}; returns how many changed.
    Refused as a whole when one is not a question of this attempt or not a valid answer. `grace`:
    a submit sent before the deadline may arrive a little after it."""
    now = now or utcnow()
    _check_taking_answers(attempt.status, attempt.deadline_at, now, grace)
    items = _items_at(attempt, {_position(key) for key in answers})
    parsed = _parsed_answers(answers, {p: (item.question.kind, item.order) for p, item in items.items()})
    for position, response in parsed.items():
        items[position].response = response
    return len(parsed)


def _items_at(attempt: Attempt, positions: set) -> dict[int, AttemptItem]:
    """The attempt's items at these positions, from its paper when that is loaded (a submit),
    else only those rows."""
    if "items" not in sa_inspect(attempt).unloaded:
        return {item.position: item for item in attempt.items if item.position in positions}
    wanted = [p for p in positions if p is not None]
    if not wanted:
        return {}
    query = (db.select(AttemptItem).where(AttemptItem.attempt_id == attempt.id, AttemptItem.position.in_(wanted))
             .options(joinedload(AttemptItem.question).load_only(Question.kind)))
    return {item.position: item for item in db.session.execute(query).scalars()}


def _position(key) -> int | None:
    try:
        return int(key)
    except (TypeError, ValueError):
        return None


def _response(position: int, kind: str, order: list[int], value) -> list | None:
    """The answer in the question's own option indexes, from what the phone sent (indexes of the
    options as shown, or the text of a fill-in)."""
    if value is None or value == "" or value == []:
        return None
    if kind == Kind.FILL:
        if not isinstance(value, str):
            raise UserError(f"第 {position} 题的答案格式不正确")
        text = " ".join(value.split())
        if len(text) > MAX_FILL_ANSWER:
            raise UserError(f"第 {position} 题的答案超过 {MAX_FILL_ANSWER} 字")
        return [text]
    chosen = value if isinstance(value, list) else [value]
    if not all(isinstance(i, int) and not isinstance(i, bool) and 0 <= i < len(order) for i in chosen):
        raise UserError(f"第 {position} 题的答案不是本题的选项")
    if kind != Kind.MULTIPLE and len(chosen) > 1:
        raise UserError(f"第 {position} 题只能选一个答案")
    return sorted({order[i] for i in chosen})


def _parsed_answers(answers: Mapping, found: Mapping[int, tuple[str, list[int]]]) -> dict[int, list | None]:
    """{position: response} for every answer, or a UserError for the first one that is not a
    question of the attempt (found: position → (kind, option order)) or not a valid answer."""
    parsed = {}
    for key, value in answers.items():
        position = _position(key)
        if position not in found:
            raise UserError(f"第 {key} 题不在本答卷中")
        kind, order = found[position]
        parsed[position] = _response(position, kind, order, value)
    return parsed


def _check_taking_answers(status: str, deadline: datetime | None, now: datetime, grace: timedelta) -> None:
    if status != AttemptStatus.IN_PROGRESS:
        raise AttemptFinished("答卷已提交，不能再修改答案")
    if deadline is not None and now >= deadline + grace:
        raise AttemptFinished("答题时间已到，答案未保存；系统已按到时前保存的答案交卷")


def save_by_token(code: str, token: str | None, answers: Mapping, now: datetime | None = None) -> tuple[int, int | None]:
    """The phone's frequent save, in three small statements and no ORM objects: (answers saved,
    seconds left). Same rules as save_answers; a token not of this quiz is refused."""
    now = now or utcnow()
    if not token or len(token) > 64:
        raise UserError(INVALID_TOKEN)
    # FOR UPDATE: a save that meets the same attempt's submit waits for it and then sees it closed
    row = db.session.execute(db.select(Attempt.id, Attempt.status, Attempt.deadline_at).join(Quiz).where(
        Attempt.token == token, Quiz.code == code).with_for_update(of=Attempt)).first()
    if row is None:
        raise UserError(INVALID_TOKEN)
    attempt_id, status, deadline = row
    _check_taking_answers(status, deadline, now, timedelta(0))
    wanted = [p for p in (_position(k) for k in answers) if p is not None]
    found = {position: (kind, order) for position, kind, order in db.session.execute(
        db.select(AttemptItem.position, Question.kind, AttemptItem.order).join(Question).where(
            AttemptItem.attempt_id == attempt_id, AttemptItem.position.in_(wanted)))} if wanted else {}
    parsed = _parsed_answers(answers, found)
    if parsed:
        _no_wait_for_disk()
        db.session.execute(db.update(AttemptItem), [
            {"attempt_id": attempt_id, "position": position, "response": response}
            for position, response in parsed.items()])
    return len(parsed), _seconds_until(deadline, now)


def _no_wait_for_disk() -> None:
    """On PostgreSQL, let this transaction's commit return before its WAL reaches the disk
    (SET LOCAL synchronous_commit = off): a crash of the database server could lose the last
    fraction of a second of autosaves and joins, never corrupt anything; a submit still waits for
    the disk. With thousands of phones saving every few seconds that wait is most of a save."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SET LOCAL synchronous_commit = off"))


def submit(attempt: Attempt, answers: Mapping | None = None, now: datetime | None = None) -> Attempt:
    """Hand in: the last answers (if still in time) are saved, then everything is scored. A
    second submit of the same attempt returns it as it is."""
    now = now or utcnow()
    if attempt.status == AttemptStatus.SUBMITTED:
        return attempt
    # No flush before the commit: on SQLite the first write takes the database's write lock, and
    # scoring should not run while holding it (every other phone's save would wait).
    with db.session.no_autoflush:
        if answers and not time_is_up(attempt, now, SUBMIT_GRACE):
            save_answers(attempt, answers, now, grace=SUBMIT_GRACE)
        finish(attempt, now)
    return attempt


# Sent with the attempt once it is scored, whether handed in or closed when its time ran out. The
# training module keeps an exam's result on the trainee's enrollment at that moment, so its
# figures never wait for an officer to open the results page.
attempt_finished = Namespace().signal("quiz-attempt-finished")


def finish(attempt: Attempt, now: datetime | None = None) -> None:
    """Score and close an attempt (a submit, or its time ran out)."""
    now = now or utcnow()
    quiz = attempt.quiz
    score = correct = 0
    rows = []
    for item in attempt.items:
        right, awarded = mark(item.question, item.response, item.points, quiz.partial_credit)
        rows.append({"attempt_id": attempt.id, "position": item.position, "response": item.response,
                     "correct": right, "awarded": awarded})
        score += awarded
        correct += right
    # The whole paper in one executemany (the ORM would group the rows by which columns changed);
    # the objects take the stored values without becoming dirty again.
    db.session.execute(db.update(AttemptItem), rows)
    for item, row in zip(attempt.items, rows, strict=True):
        for name in ("response", "correct", "awarded"):
            set_committed_value(item, name, row[name])
    attempt.status = AttemptStatus.SUBMITTED
    end = min(now, attempt.deadline_at) if attempt.deadline_at else now
    attempt.submitted_at = end
    attempt.duration_seconds = max(0, int((end - attempt.started_at).total_seconds()))
    attempt.score = round(score, 2)
    attempt.correct_count = correct
    attempt.passed = None if quiz.pass_mark is None else attempt.score >= quiz.pass_mark
    attempt_finished.send(attempt)


def mark(question: Question, response: list | None, points: float, partial: bool) -> tuple[bool, float]:
    """(right?, points earned). Multiple choice: all correct options and no wrong one for full
    marks; with partial credit a subset with no wrong option earns half (DOMAIN.md §7)."""
    if not response:
        return False, 0.0
    if question.kind == Kind.FILL:
        given = normalized(response[0])
        right = bool(given) and any(given == normalized(a) for a in question.answer)
        return right, points if right else 0.0
    chosen, answer = set(response), set(question.answer)
    if chosen == answer:
        return True, points
    if partial and question.kind == Kind.MULTIPLE and chosen < answer:
        return False, points / 2
    return False, 0.0


def finish_expired(quiz: Quiz, now: datetime | None = None) -> int:
    """Close the attempts whose time ran out without a submit (the phone was put away)."""
    now = now or utcnow()
    # after the grace a phone's own submit at 0:00 may still need; with their papers in 3 queries
    expired = db.session.execute(db.select(Attempt).where(
        Attempt.quiz_id == quiz.id, Attempt.status == AttemptStatus.IN_PROGRESS,
        Attempt.deadline_at.is_not(None), Attempt.deadline_at <= now - SUBMIT_GRACE)
        .options(selectinload(Attempt.items).selectinload(AttemptItem.question))).scalars().all()
    for attempt in expired:
        finish(attempt, now)
    return len(expired)


def answers_public(quiz: Quiz, now: datetime | None = None) -> bool:
    """Whether a participant who handed in may see the right answers and explanations: when the
    quiz allows it and has closed (or has no closing time). While it is open, the first to finish
    could pass the answers to everyone still answering."""
    if not quiz.show_explanations:
        return False
    return quiz.closes_at is None or (now or utcnow()) >= quiz.closes_at


def review(attempt: Attempt) -> list[dict]:
    """After submission: each question with the participant's answer, the right one and the
    explanation, in the order it was shown."""
    out = []
    for item in attempt.items:
        q = item.question
        shown = {original: i for i, original in enumerate(item.order)}
        letters = OPTION_LETTERS
        if q.kind == Kind.FILL:
            given = (item.response or [""])[0]
            right = " 或 ".join(q.answer)
        else:
            given = "".join(sorted(letters[shown[i]] for i in item.response or [] if i in shown))
            right = "".join(sorted(letters[shown[i]] for i in q.answer))
            if q.kind == Kind.TRUE_FALSE:
                given = q.options[item.response[0]] if item.response else ""
                right = q.options[q.answer[0]]
        out.append({"position": item.position, "kind_label": q.kind_label, "stem": q.stem,
                    "options": [q.options[i] for i in item.order], "given": given or "未作答",
                    "right": right, "correct": item.correct, "awarded": item.awarded, "points": item.points,
                    "explanation": q.explanation, "source": q.source})
    return out


@dataclass
class Result:
    score: float
    max_score: float
    passed: bool | None
    correct: int
    questions: int
    duration_seconds: int
    submitted_at: datetime


def result(attempt: Attempt) -> Result | None:
    if attempt.status != AttemptStatus.SUBMITTED:
        return None
    return Result(attempt.score, attempt.max_score, attempt.passed, attempt.correct_count, len(attempt.items),
                  attempt.duration_seconds, attempt.submitted_at)


def best_results(quiz: Quiz) -> dict[int, Result]:
    """person id → their best submitted result on a roster quiz (the training module's view)."""
    finish_expired(quiz)
    best: dict[int, Attempt] = {}
    for attempt in db.session.execute(db.select(Attempt).where(
            Attempt.quiz_id == quiz.id, Attempt.status == AttemptStatus.SUBMITTED,
            Attempt.person_id.is_not(None))).scalars():
        current = best.get(attempt.person_id)
        if current is None or attempt.score > current.score:
            best[attempt.person_id] = attempt
    # The number of questions in one GROUP BY, not len(attempt.items) per attempt (one query each).
    ids = [a.id for a in best.values()]
    questions = dict(db.session.execute(db.select(AttemptItem.attempt_id, db.func.count()).where(
        AttemptItem.attempt_id.in_(ids)).group_by(AttemptItem.attempt_id)).all()) if ids else {}
    return {pid: Result(a.score, a.max_score, a.passed, a.correct_count, questions.get(a.id, 0),
                        a.duration_seconds, a.submitted_at) for pid, a in best.items()}
