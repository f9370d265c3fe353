"""Question banks: saving checked drafts, duplicates, the shipped banks.

Saving is all or nothing: every draft of a file is checked (its own rules, duplicates inside the
file, duplicates of questions already in the bank) before the first row is written.
"""

from dataclasses import dataclass
from pathlib import Path

from webapp.errors import UserError
from webapp.extensions import db
from webapp.quiz.drafts import Kind, QuestionDraft, fingerprint, problems
from webapp.quiz.models import Question, QuestionBank, QuestionTag

SHIPPED_DIR = Path(__file__).resolve().parents[2] / "question_banks"
MAX_TAG = 32


class QuestionsRefused(UserError):
    """An import with errors: nothing was saved; `errors` lists every problem, one per line."""

    def __init__(self, errors: list[str]):
        super().__init__(f"导入失败，共 {len(errors)} 处错误，未导入任何题目")
        self.errors = errors


@dataclass
class ImportReport:
    bank: QuestionBank
    added: int


def get_or_create_bank(name: str, description: str = "") -> QuestionBank:
    name = name.strip()
    if not name:
        raise UserError("请填写题库名称", field="name")
    if len(name) > 100:
        raise UserError("题库名称不能超过 100 字", field="name")
    bank = db.session.execute(db.select(QuestionBank).where(QuestionBank.name == name)).scalar_one_or_none()
    if bank is None:
        bank = QuestionBank(name=name, description=description or None)
        db.session.add(bank)
        db.session.flush()
    return bank


def save_drafts(bank: QuestionBank, drafts: list[QuestionDraft], errors: list[str] | None = None) -> ImportReport:
    """Add every draft to the bank, or none: raise QuestionsRefused listing all problems."""
    errors = list(errors or [])
    existing = set(db.session.execute(
        db.select(Question.fingerprint).where(Question.bank_id == bank.id)).scalars()) if bank.id else set()
    seen: dict[str, str] = {}
    for draft in drafts:
        where = draft.where or "题目"
        errors += [f"{where}：{p}" for p in problems(draft) if f"{where}：{p}" not in errors]
        errors += [f"{where}：标签“{t}”超过 {MAX_TAG} 字" for t in draft.tags if len(t) > MAX_TAG]
        key = fingerprint(draft.stem, draft.options)
        if not key:
            continue
        if key in existing:
            errors.append(f"{where}：与题库“{bank.name}”中已有的题目重复（{_short(draft.stem)}）")
        elif key in seen:
            errors.append(f"{where}：与{seen[key]}的题目重复（{_short(draft.stem)}）")
        else:
            seen[key] = where
    if errors:
        raise QuestionsRefused(errors)
    if not drafts:
        raise QuestionsRefused(["文件中没有题目"])
    for draft in drafts:
        db.session.add(_new_question(bank, draft))
    db.session.flush()
    return ImportReport(bank, len(drafts))


def add_question(bank: QuestionBank, draft: QuestionDraft) -> Question:
    draft.where = draft.where or "该题"
    save_drafts(bank, [draft])
    return db.session.execute(db.select(Question).where(
        Question.bank_id == bank.id, Question.fingerprint == fingerprint(draft.stem, draft.options))).scalar_one()


def update_question(question: Question, draft: QuestionDraft) -> None:
    """Change a question in place. Attempts already made keep their scores: they stored the
    points they were given; only later papers see the new text."""
    found = problems(draft)
    key = fingerprint(draft.stem, draft.options)
    if key != question.fingerprint and db.session.execute(db.select(Question.id).where(
            Question.bank_id == question.bank_id, Question.fingerprint == key)).first():
        found.append("与本题库中已有的题目重复")
    if found:
        raise UserError("；".join(found))
    _fill(question, draft)


def set_active(question: Question, active: bool) -> None:
    question.active = active


def draft_of(question: Question) -> QuestionDraft:
    return QuestionDraft(kind=Kind(question.kind), stem=question.stem, options=list(question.options),
                         answer=list(question.answer), explanation=question.explanation,
                         difficulty=question.difficulty, tags=question.tags, source=question.source)


def bank_drafts(bank: QuestionBank) -> list[QuestionDraft]:
    return [draft_of(q) for q in bank.questions if q.active]


def sync_shipped_banks() -> list[ImportReport]:
    """Load each file of question_banks/ into the bank named after it, once: a bank already loaded
    (shipped_file set) is left as the bureau has edited it."""
    from webapp.quiz import formats

    reports = []
    for path in sorted(SHIPPED_DIR.glob("*.csv")):
        loaded = db.session.execute(
            db.select(QuestionBank).where(QuestionBank.shipped_file == path.name)).scalar_one_or_none()
        if loaded is not None:
            continue
        with path.open("rb") as stream:
            parsed = formats.read_questions(path.name, stream)
        bank = get_or_create_bank(path.stem, "随系统提供的题库")
        bank.shipped_file = path.name
        reports.append(save_drafts(bank, parsed.drafts, parsed.errors))
    return reports


def all_banks() -> list[QuestionBank]:
    return list(db.session.execute(db.select(QuestionBank).order_by(QuestionBank.id)).scalars())


def create_bank(name: str, description: str = "") -> QuestionBank:
    """A new, empty bank; a name already taken is refused (get_or_create_bank would reuse it)."""
    if db.session.execute(db.select(QuestionBank.id).where(QuestionBank.name == name.strip())).first():
        raise UserError(f"题库“{name.strip()}”已存在", field="name")
    return get_or_create_bank(name, description.strip())


def bank_counts() -> dict[int, dict[str, int]]:
    """bank id → {kind value: active questions, …, "total": active, "retired": retired questions}."""
    counts: dict[int, dict[str, int]] = {}
    rows = db.session.execute(db.select(Question.bank_id, Question.kind, Question.active, db.func.count())
                              .group_by(Question.bank_id, Question.kind, Question.active))
    for bank_id, kind, active, n in rows:
        bank = counts.setdefault(bank_id, {})
        for key in (kind, "total") if active else ("retired",):
            bank[key] = bank.get(key, 0) + n
    return counts


def question_query(bank: QuestionBank, args):
    """The questions of a bank, narrowed by ?kind=, ?tag=, ?difficulty=, ?status= and ?q= (in the stem)."""
    query = db.select(Question).where(Question.bank_id == bank.id).order_by(Question.id)
    if args.get("kind") in {k.value for k in Kind}:
        query = query.where(Question.kind == args["kind"])
    if args.get("tag"):
        query = query.where(Question.id.in_(db.select(QuestionTag.question_id).where(QuestionTag.tag == args["tag"])))
    if args.get("difficulty", "") in {"1", "2", "3"}:
        query = query.where(Question.difficulty == int(args["difficulty"]))
    if args.get("status") in ("active", "retired"):
        query = query.where(Question.active.is_(args["status"] == "active"))
    if args.get("q", "").strip():
        query = query.where(Question.stem.icontains(args["q"].strip(), autoescape=True))
    return query


def bank_tags(bank: QuestionBank) -> list[str]:
    return list(db.session.execute(db.select(QuestionTag.tag).join(Question).where(Question.bank_id == bank.id)
                                   .distinct().order_by(QuestionTag.tag)).scalars())


def tag_counts() -> list[tuple[str, int]]:
    rows = db.session.execute(
        db.select(QuestionTag.tag, db.func.count()).join(Question).where(Question.active)
        .group_by(QuestionTag.tag).order_by(db.func.count().desc())).all()
    return [(tag, n) for tag, n in rows]


def _new_question(bank: QuestionBank, draft: QuestionDraft) -> Question:
    question = Question(bank=bank)
    _fill(question, draft)
    return question


def _fill(question: Question, draft: QuestionDraft) -> None:
    question.kind = draft.kind.value
    question.stem = draft.stem.strip()
    question.options = [o.strip() for o in draft.options]
    question.answer = sorted(draft.answer) if draft.kind is not Kind.FILL else [a.strip() for a in draft.answer if a.strip()]
    question.explanation = draft.explanation.strip()
    question.difficulty = draft.difficulty
    question.source = draft.source.strip()[:255]
    question.fingerprint = fingerprint(draft.stem, draft.options)
    tags = list(dict.fromkeys(t.strip() for t in draft.tags if t.strip()))
    # keep the rows of tags that stay: deleting and re-adding one key in a flush would collide
    kept = [row for row in question.tag_rows if row.tag in tags]
    question.tag_rows = kept + [QuestionTag(tag=t) for t in tags if t not in {r.tag for r in kept}]


def _short(stem: str) -> str:
    stem = stem.strip()
    return stem if len(stem) <= 20 else stem[:20] + "…"
