"""On-site contests (现场知识竞赛): setting one up, drawing questions, scoring, undoing, standings.

The scoring conventions (DOMAIN.md §7) are settings of each contest, defaulting to the local ones:
each team starts at 100 points; 必答题 +10 for a right answer and nothing off for a wrong one;
抢答题 +10 right, −10 for a wrong answer or an early buzz; 风险题 the team stakes 10, 20 or 30 and
wins or loses it, or waives; 加赛题 +10 to break a tie. A round may set its own points (a team
必答题 worth 20).

Services only flush; the request commits.
"""

import random
import secrets
from collections.abc import Mapping, Sequence
from copy import deepcopy
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError

from webapp.common.spreadsheets import workbook_bytes
from webapp.common.time import utcnow
from webapp.errors import FieldErrors, UserError
from webapp.extensions import db
from webapp.quiz.contest_models import (
    ACTION_LABELS,
    ROUND_KIND_LABELS,
    Action,
    Contest,
    ContestQuestion,
    ContestRound,
    ContestScore,
    ContestTeam,
    RoundKind,
)
from webapp.quiz.drafts import OPTION_LETTERS, Kind
from webapp.quiz.models import Question, QuestionTag
from webapp.registry.models import Organization

DEFAULT_START_POINTS = 100
DEFAULT_SETTINGS: dict = {
    "points": {
        RoundKind.REQUIRED.value: {"right": 10, "wrong": 0},
        RoundKind.BUZZER.value: {"right": 10, "wrong": 10},
        RoundKind.RISK.value: {"values": [10, 20, 30]},
        RoundKind.TIEBREAK.value: {"right": 10, "wrong": 0},
    },
    "seconds": {
        RoundKind.REQUIRED.value: 30,
        RoundKind.BUZZER.value: 20,
        RoundKind.RISK.value: 60,
        RoundKind.TIEBREAK.value: 30,
    },
}
MAX_TEAMS = 30
MAX_ROUNDS = 20
MAX_POINTS = 1000
MAX_TEAM_NAME = 64
TEAM_SEPARATORS = ("｜", "|", "\t")

# Which actions a round of each kind takes (a manual adjustment is taken anywhere).
ROUND_ACTIONS = {
    RoundKind.REQUIRED: (Action.RIGHT, Action.WRONG),
    RoundKind.BUZZER: (Action.RIGHT, Action.WRONG, Action.FOUL),
    RoundKind.RISK: (Action.RIGHT, Action.WRONG, Action.WAIVE),
    RoundKind.TIEBREAK: (Action.RIGHT, Action.WRONG),
}


# ------------------------------------------------------------------------------------ settings


def settings_of(contest: Contest) -> dict:
    """The contest's settings over the defaults, so a contest saved before a setting existed has it."""
    merged = deepcopy(DEFAULT_SETTINGS)
    saved = contest.settings or {}
    for kind, points in (saved.get("points") or {}).items():
        merged["points"].setdefault(kind, {}).update(points)
    merged["seconds"].update(saved.get("seconds") or {})
    return merged


def risk_values(contest: Contest) -> list[int]:
    return [int(v) for v in settings_of(contest)["points"][RoundKind.RISK.value]["values"]]


def seconds_for(round_: ContestRound) -> int:
    return int(settings_of(round_.contest)["seconds"].get(round_.kind, 30))


def round_points(round_: ContestRound) -> dict[str, int]:
    """{"right": points won, "wrong": points lost} for a right / wrong answer in the round (风险题:
    the team's stake decides, see score)."""
    kind = RoundKind(round_.kind)
    if kind is RoundKind.RISK:
        return {"right": 0, "wrong": 0}
    points = settings_of(round_.contest)["points"][kind.value]
    right, wrong = int(points.get("right", 0)), int(points.get("wrong", 0))
    if round_.points is not None:
        # 抢答题: "a wrong answer deducts the same"; the others keep their (usually 0) deduction.
        right, wrong = round_.points, (round_.points if kind is RoundKind.BUZZER else wrong)
    return {"right": right, "wrong": wrong}


def _risk_message(values: Sequence[int]) -> str:
    text = "、".join(str(v) for v in values[:-1]) + f" 或 {values[-1]}" if len(values) > 1 else str(values[0])
    return f"风险题分值只能是 {text}"


def check_settings(settings: Mapping) -> tuple[dict, dict[str, str]]:
    """Cleaned settings over the defaults, and the problems found (field → message)."""
    errors: dict[str, str] = {}
    merged = deepcopy(DEFAULT_SETTINGS)
    for kind, points in (settings.get("points") or {}).items():
        if kind not in merged["points"]:
            continue
        for name, value in points.items():
            if name == "values":
                values = _int_list(value)
                if not values or any(v <= 0 or v > MAX_POINTS for v in values) or len(values) > 6:
                    errors["risk_values"] = f"风险题分值应为 1 到 6 个 1～{MAX_POINTS} 的整数，用逗号分隔"
                else:
                    merged["points"][kind]["values"] = sorted(set(values))
            else:
                number = _int_or_none(value)
                if number is None or not 0 <= number <= MAX_POINTS:
                    errors[f"{kind}_{name}"] = f"{ROUND_KIND_LABELS[RoundKind(kind)]}分值应为 0～{MAX_POINTS} 的整数"
                else:
                    merged["points"][kind][name] = number
    for kind, value in (settings.get("seconds") or {}).items():
        number = _int_or_none(value)
        if kind not in merged["seconds"]:
            continue
        if number is None or not 5 <= number <= 600:
            errors[f"seconds_{kind}"] = f"{ROUND_KIND_LABELS[RoundKind(kind)]}答题时间应为 5～600 秒"
        else:
            merged["seconds"][kind] = number
    return merged, errors


def _int_or_none(value) -> int | None:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return None


def _int_list(value) -> list[int]:
    if isinstance(value, str):
        value = value.replace("，", ",").replace("、", ",").replace(" ", ",").split(",")
    out = []
    for item in value or []:
        if str(item).strip():
            number = _int_or_none(item)
            if number is None:
                return []
            out.append(number)
    return out


# ------------------------------------------------------------------------------------ setting up


@dataclass
class RoundSpec:
    kind: RoundKind
    title: str = ""
    bank_ids: list[int] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    points: int | None = None

    @classmethod
    def of(cls, raw: "RoundSpec | Mapping") -> "RoundSpec":
        if isinstance(raw, RoundSpec):
            return raw
        return cls(RoundKind(raw["kind"]), str(raw.get("title") or "").strip(),
                   [int(b) for b in raw.get("bank_ids") or []],
                   [str(t).strip() for t in raw.get("tags") or [] if str(t).strip()],
                   None if raw.get("points") in (None, "") else int(raw["points"]))


def parse_teams(text: str) -> list[dict]:
    """Teams typed one per line: "东镇代表队", or "东镇代表队｜东镇" to tie the team to the
    organization of that name. Raises FieldErrors(teams=…) naming the lines that are wrong."""
    teams, errors = [], []
    for number, line in enumerate((text or "").splitlines(), 1):
        line = line.strip()
        if not line:
            continue
        name, org_name = line, ""
        for sep in TEAM_SEPARATORS:
            if sep in line:
                name, _, org_name = line.partition(sep)
                break
        name, org_name = name.strip(), org_name.strip()
        organization_id = None
        if org_name:
            found = list(db.session.execute(db.select(Organization.id).where(
                Organization.name == org_name, Organization.active)).scalars())
            if not found:
                errors.append(f"第 {number} 行：找不到单位“{org_name}”")
            elif len(found) > 1:
                errors.append(f"第 {number} 行：有 {len(found)} 个单位叫“{org_name}”，请只写队伍名称")
            else:
                organization_id = found[0]
        teams.append({"name": name, "organization_id": organization_id})
    if errors:
        raise FieldErrors({"teams": "；".join(errors)})
    return teams


def create_contest(values: Mapping, teams: Sequence[Mapping | str], rounds: Sequence[RoundSpec | Mapping],
                   user=None) -> Contest:
    """values: title, date, start_points, settings ({"points": …, "seconds": …}, over the defaults)."""
    errors: dict[str, str] = {}
    title = str(values.get("title") or "").strip()
    if not title:
        errors["title"] = "请填写竞赛名称"
    elif len(title) > 200:
        errors["title"] = "竞赛名称不能超过 200 字"
    start_points = values.get("start_points")
    start_points = DEFAULT_START_POINTS if start_points in (None, "") else _int_or_none(start_points)
    if start_points is None or not 0 <= start_points <= 10000:
        errors["start_points"] = "基础分应为 0～10000 的整数"
    held_on = values.get("date")
    if held_on is not None and not isinstance(held_on, date):
        errors["date"] = "比赛日期格式不正确"
    settings, setting_errors = check_settings(values.get("settings") or {})
    errors |= setting_errors

    team_rows = [{"name": t, "organization_id": None} if isinstance(t, str) else dict(t) for t in teams]
    team_problem = _team_problem(team_rows)
    if team_problem:
        errors["teams"] = team_problem
    specs = [RoundSpec.of(r) for r in rounds]
    round_problem = _round_problem(specs)
    if round_problem:
        errors["rounds"] = round_problem
    if errors:
        raise FieldErrors(errors)

    contest = Contest(title=title, date=held_on, start_points=start_points, settings=settings,
                      created_by_id=getattr(user, "id", None))
    contest.teams = [ContestTeam(name=t["name"].strip(), organization_id=t.get("organization_id"), position=i)
                     for i, t in enumerate(team_rows, 1)]
    contest.rounds = [ContestRound(kind=s.kind.value, title=s.title or ROUND_KIND_LABELS[s.kind], position=i,
                                   bank_ids=s.bank_ids, tags=s.tags, points=s.points)
                      for i, s in enumerate(specs, 1)]
    db.session.add(contest)
    db.session.flush()
    return contest


def _team_problem(teams: list[dict]) -> str | None:
    names = [str(t.get("name") or "").strip() for t in teams]
    if len(names) < 2:
        return "请至少填写两支参赛队伍，每行一支"
    if len(names) > MAX_TEAMS:
        return f"参赛队伍最多 {MAX_TEAMS} 支"
    if any(not n for n in names):
        return "有队伍没有名称"
    long = [n for n in names if len(n) > MAX_TEAM_NAME]
    if long:
        return f"队伍名称不能超过 {MAX_TEAM_NAME} 字：{long[0][:20]}…"
    repeated = sorted({n for n in names if names.count(n) > 1}, key=names.index)
    if repeated:
        return "队伍名称重复：" + "、".join(repeated)
    return None


def _round_problem(specs: list[RoundSpec]) -> str | None:
    if not specs:
        return "请至少设置一轮比赛（题型和题库）"
    if len(specs) > MAX_ROUNDS:
        return f"比赛最多 {MAX_ROUNDS} 轮"
    problems = []
    for number, spec in enumerate(specs, 1):
        name = f"第 {number} 轮（{spec.title or ROUND_KIND_LABELS[spec.kind]}）"
        if len(spec.title) > 100:
            problems.append(f"{name}：名称不能超过 100 字")
        if spec.points is not None and not 0 < spec.points <= MAX_POINTS:
            problems.append(f"{name}：每题分值应为 1～{MAX_POINTS} 的整数")
        if db.session.execute(_pool_query(spec.bank_ids, spec.tags).limit(1)).first() is None:
            where = "、".join(spec.tags) if spec.tags else "所选题库"
            problems.append(f"{name}：{where}中没有可用的题目")
    return "；".join(problems) or None


# ------------------------------------------------------------------------------------ questions


def _pool_query(bank_ids: Sequence[int], tags: Sequence[str]):
    query = db.select(Question.id).where(Question.active)
    if bank_ids:
        query = query.where(Question.bank_id.in_(list(bank_ids)))
    if tags:
        query = query.where(Question.id.in_(db.select(QuestionTag.question_id).where(QuestionTag.tag.in_(list(tags)))))
    return query


def next_question(round_: ContestRound, rng: random.Random | None = None) -> ContestQuestion:
    """Draw a question for the round from its banks that no round of the contest has used yet."""
    used = db.select(ContestQuestion.question_id).where(ContestQuestion.contest_id == round_.contest_id)
    pool = list(db.session.execute(
        _pool_query(round_.bank_ids or [], round_.tags or []).where(Question.id.not_in(used)).order_by(Question.id)
    ).scalars())
    if not pool:
        raise UserError(f"题库中没有可用的题目了（{round_.title}的题目已全部出过）")
    rng = rng or random.Random(secrets.randbits(64))
    position = (db.session.execute(db.select(func.max(ContestQuestion.position)).where(
        ContestQuestion.round_id == round_.id)).scalar() or 0) + 1
    drawn = ContestQuestion(contest_id=round_.contest_id, round=round_, question_id=rng.choice(pool), position=position)
    db.session.add(drawn)
    try:
        db.session.flush()
    except IntegrityError:
        raise UserError("刚才已有人抽出一道题，请刷新页面后再试") from None
    return drawn


def show(question: ContestQuestion, now: datetime | None = None) -> None:
    """Put the question on the projector; its countdown starts now (again, if it was shown)."""
    question.shown_at = now or utcnow()


def current_question(contest: Contest) -> ContestQuestion | None:
    """The question on the projector: the one shown last."""
    return db.session.execute(db.select(ContestQuestion).where(
        ContestQuestion.contest_id == contest.id, ContestQuestion.shown_at.is_not(None)
    ).order_by(ContestQuestion.shown_at.desc(), ContestQuestion.id.desc()).limit(1)).scalar_one_or_none()


def latest_question(round_: ContestRound) -> ContestQuestion | None:
    return db.session.execute(db.select(ContestQuestion).where(ContestQuestion.round_id == round_.id)
                              .order_by(ContestQuestion.position.desc()).limit(1)).scalar_one_or_none()


def used_count(contest: Contest) -> int:
    return db.session.execute(db.select(func.count()).select_from(ContestQuestion).where(
        ContestQuestion.contest_id == contest.id)).scalar_one()


def remaining_count(round_: ContestRound) -> int:
    used = db.select(ContestQuestion.question_id).where(ContestQuestion.contest_id == round_.contest_id)
    query = _pool_query(round_.bank_ids or [], round_.tags or []).where(Question.id.not_in(used))
    return db.session.execute(db.select(func.count()).select_from(query.subquery())).scalar_one()


def seconds_left(question: ContestQuestion, now: datetime | None = None) -> float | None:
    """Seconds left to answer since the question went on the projector (the server's clock)."""
    if question.shown_at is None:
        return None
    elapsed = ((now or utcnow()) - question.shown_at).total_seconds()
    return round(max(0.0, seconds_for(question.round) - elapsed), 2)


def answer_text(question: Question) -> str:
    """The right answer as the host reads it out: option letters and texts, or the accepted answers."""
    if question.kind == Kind.FILL:
        return " / ".join(str(a) for a in question.answer)
    if question.kind == Kind.TRUE_FALSE:
        return "、".join(question.options[i] for i in question.answer)
    return "、".join(f"{OPTION_LETTERS[i]}. {question.options[i]}" for i in question.answer)


def lettered_options(question: Question) -> list[tuple[str, str]]:
    return [(OPTION_LETTERS[i], text) for i, text in enumerate(question.options)]


# ------------------------------------------------------------------------------------ scoring


def _check_belongs(contest: Contest, team: ContestTeam, round_: ContestRound | None,
                   question: ContestQuestion | None) -> None:
    if team.contest_id != contest.id:
        raise UserError("该队伍不属于本场竞赛")
    if round_ is not None and round_.contest_id != contest.id:
        raise UserError("该轮次不属于本场竞赛")
    if question is not None and (round_ is None or question.round_id != round_.id):
        raise UserError("该题不属于本轮")


def outcome(round_: ContestRound, action: Action, value: int | None = None) -> tuple[int, str]:
    """(points won or lost, what the log says) of an answer in the round, by the contest's rules."""
    kind = RoundKind(round_.kind)
    if action not in ROUND_ACTIONS[kind]:
        raise UserError(f"{ROUND_KIND_LABELS[kind]}没有“{ACTION_LABELS[action]}”这一计分方式")
    if kind is RoundKind.RISK:
        if action is Action.WAIVE:
            return 0, "放弃作答"
        values = risk_values(round_.contest)
        if value not in values:
            raise UserError(_risk_message(values), field="value")
        return (value if action is Action.RIGHT else -value), f"选择 {value} 分"
    points = round_points(round_)
    if action is Action.RIGHT:
        return points["right"], ""
    if action is Action.FOUL:
        return -points["wrong"], "提前抢答"
    return -points["wrong"], ""


def score(contest: Contest, team: ContestTeam, round_: ContestRound | None, question: ContestQuestion | None,
          action: Action | str, value: int | None = None, reason: str = "", user=None,
          now: datetime | None = None) -> ContestScore:
    """Record one action of the host. Answers follow the round's rules (value: the stake of a
    风险题); Action.ADJUST takes value as the ±n to add and needs a reason."""
    action = Action(action)
    _check_belongs(contest, team, round_, question)
    reason = (reason or "").strip()
    if action is Action.ADJUST:
        if value is None or value == 0:
            raise UserError("请填写调整的分值（正数加分，负数扣分，不能为 0）", field="delta")
        if abs(value) > MAX_POINTS:
            raise UserError(f"一次调整不能超过 {MAX_POINTS} 分", field="delta")
        if not reason:
            raise UserError("请填写调整原因", field="reason")
        if len(reason) > 200:
            raise UserError("调整原因不能超过 200 字", field="reason")
        delta = value
    else:
        if round_ is None:
            raise UserError("请先选择轮次")
        delta, note = outcome(round_, action, value)
        reason = reason or note
        if question is not None:
            earlier = db.session.execute(db.select(ContestScore).where(
                ContestScore.team_id == team.id, ContestScore.question_id == question.id,
                ContestScore.action != Action.ADJUST.value, ContestScore.undone_at.is_(None))).scalars().first()
            if earlier is not None:
                raise UserError(f"“{team.name}”本题已记为“{earlier.action_label}”；如需更正，请先撤销上一步")
    row = ContestScore(contest_id=contest.id, team=team, round=round_, question=question, action=action.value,
                       delta=delta, reason=reason, created_at=now or utcnow(), created_by_id=getattr(user, "id", None))
    db.session.add(row)
    db.session.flush()
    return row


def adjust(contest: Contest, team: ContestTeam, delta: int, reason: str, user=None) -> ContestScore:
    return score(contest, team, None, None, Action.ADJUST, delta, reason, user)


def undo_last(contest: Contest, now: datetime | None = None) -> ContestScore:
    """Undo the latest action not yet undone; a second call undoes the one before it."""
    last = db.session.execute(db.select(ContestScore).where(
        ContestScore.contest_id == contest.id, ContestScore.undone_at.is_(None)
    ).order_by(ContestScore.id.desc()).limit(1)).scalar_one_or_none()
    if last is None:
        raise UserError("没有可以撤销的计分")
    last.undone_at = now or utcnow()
    db.session.flush()
    return last


def last_action(contest: Contest) -> ContestScore | None:
    return db.session.execute(db.select(ContestScore).where(
        ContestScore.contest_id == contest.id, ContestScore.undone_at.is_(None)
    ).order_by(ContestScore.id.desc()).limit(1)).scalar_one_or_none()


def action_log(contest: Contest, limit: int | None = 50) -> list[ContestScore]:
    query = db.select(ContestScore).where(ContestScore.contest_id == contest.id).order_by(ContestScore.id.desc())
    if limit:
        query = query.limit(limit)
    return list(db.session.execute(query).scalars())


def describe(row: ContestScore) -> str:
    """One line of the log, as the host would say it: 东镇代表队 风险题 答对 +20（选择 20 分）."""
    parts = [row.team.name]
    if row.round is not None:
        parts.append(row.round.title)
    if row.question is not None:
        parts.append(f"第 {row.question.position} 题")
    parts.append(f"{row.action_label} {row.delta:+d}")
    text = " ".join(parts)
    return f"{text}（{row.reason}）" if row.reason else text


# ------------------------------------------------------------------------------------ standings


@dataclass
class Standing:
    team: ContestTeam
    total: int
    rank: int = 0
    tied: bool = False  # another team has the same total (a 加赛题 decides)
    by_round: dict[int, int] = field(default_factory=dict)  # round id → points won or lost in it
    adjusted: int = 0  # manual adjustments outside any round


def standings(contest: Contest) -> list[Standing]:
    """Every team with its total (start points + actions not undone), ranked: highest first, equal
    totals share a rank (1, 1, 3), ties listed in stage order."""
    sums = db.session.execute(db.select(ContestScore.team_id, ContestScore.round_id, func.sum(ContestScore.delta))
                              .where(ContestScore.contest_id == contest.id, ContestScore.undone_at.is_(None))
                              .group_by(ContestScore.team_id, ContestScore.round_id)).all()
    rows = {team.id: Standing(team, contest.start_points) for team in contest.teams}
    for team_id, round_id, total in sums:
        row = rows.get(team_id)
        if row is None:
            continue
        row.total += int(total or 0)
        if round_id is None:
            row.adjusted += int(total or 0)
        else:
            row.by_round[round_id] = row.by_round.get(round_id, 0) + int(total or 0)
    ordered = sorted(rows.values(), key=lambda s: (-s.total, s.team.position, s.team.id))
    totals = [s.total for s in ordered]
    for s in ordered:
        s.rank = 1 + sum(1 for t in totals if t > s.total)
        s.tied = totals.count(s.total) > 1
    return ordered


def ranking_workbook(contest: Contest) -> bytes:
    rows = standings(contest)
    headers = ["名次", "队伍", "所属单位", "基础分", *[r.title for r in contest.rounds], "手动调整", "总分"]
    data = [[s.rank, s.team.name, s.team.organization.name if s.team.organization else "", contest.start_points,
             *[s.by_round.get(r.id, 0) for r in contest.rounds], s.adjusted, s.total] for s in rows]
    return workbook_bytes(headers, data)


# ------------------------------------------------------------------------------------ screens


def board_data(contest: Contest) -> dict:
    """What the big-screen scoreboard polls: teams and totals, never a question or an answer."""
    shown = current_question(contest)
    last = last_action(contest)
    return {
        "title": contest.title,
        "round": shown.round.title if shown else None,
        "teams": [{"id": s.team.id, "name": s.team.name, "position": s.team.position,
                   "organization": s.team.organization.name if s.team.organization else "",
                   "total": s.total, "rank": s.rank, "tied": s.tied} for s in standings(contest)],
        "last": {"id": last.id, "team_id": last.team_id, "delta": last.delta} if last else None,
    }


def screen_data(contest: Contest, now: datetime | None = None) -> dict:
    """What the projector polls: the question shown now, its options and countdown, never its
    answer or explanation."""
    shown = current_question(contest)
    if shown is None:
        return {"title": contest.title, "question": None}
    q = shown.question
    return {
        "title": contest.title,
        "question": {
            "id": shown.id,
            "round": shown.round.title,
            "kind": shown.round.kind_label,
            "position": shown.position,
            "type": q.kind_label,
            "stem": q.stem,
            "options": [{"letter": letter, "text": text} for letter, text in lettered_options(q)]
            if q.kind != Kind.FILL else [],
            "seconds": seconds_for(shown.round),
            "remaining": seconds_left(shown, now),
        },
    }
