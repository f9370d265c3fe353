"""Demo data for seed-demo: the shipped question banks, and a county-wide competition under way
with a few hundred participants from the demo county's villages, schools and enterprises, so the
rankings and the item analysis have something to show."""

import random
from datetime import timedelta

from webapp.common.time import utcnow
from webapp.extensions import db
from webapp.quiz import banks, services
from webapp.quiz.drafts import Kind
from webapp.quiz.models import IdentityMode, PaperMode, QuestionBank, Quiz, QuizKind
from webapp.registry.demo import GIVEN, SURNAMES
from webapp.registry.models import Organization, OrgKind

COMPETITION = "2026年云溪县全民应急知识网络竞赛"
PARTICIPANTS = 400


def seed(rng: random.Random) -> str:
    loaded = banks.sync_shipped_banks()
    lines = [f"题库：已载入 {sum(r.added for r in loaded)} 道题。" if loaded else "题库已存在，未重复载入。"]
    if db.session.execute(db.select(Quiz.id).where(Quiz.title == COMPETITION)).first():
        return "\n".join(lines + ["演示竞赛已存在。"])
    bank_ids = list(db.session.execute(db.select(QuestionBank.id).where(QuestionBank.shipped_file.is_not(None))).scalars())
    if not bank_ids:
        return "\n".join(lines)
    now = utcnow()
    rules = [services.Rule(kind, count, points, bank_ids, []) for kind, count, points in
             [(Kind.SINGLE, 15, 4), (Kind.MULTIPLE, 5, 4), (Kind.TRUE_FALSE, 10, 2)]]
    quiz = services.create_quiz({
        "title": COMPETITION, "kind": QuizKind.COMPETITION.value, "paper_mode": PaperMode.RANDOM.value,
        "description": "安全生产月主题活动：以《安全生产法》和应急避险常识为主，每人一次机会，限时 20 分钟。",
        "time_limit_minutes": 20, "opens_at": now - timedelta(days=10), "closes_at": now + timedelta(days=20),
        "max_attempts": 1, "identity_mode": IdentityMode.PUBLIC.value, "ask_organization": True,
        "show_explanations": True}, rules)
    services.publish(quiz)
    _participants(quiz, rng, now)
    return "\n".join(lines + [f"演示竞赛“{COMPETITION}”：{PARTICIPANTS} 人参加。"])


def _participants(quiz: Quiz, rng: random.Random, now) -> None:
    kinds = [OrgKind.VILLAGE.value, OrgKind.COMMUNITY.value, OrgKind.SCHOOL.value, OrgKind.ENTERPRISE.value]
    orgs = list(db.session.execute(db.select(Organization).where(Organization.kind.in_(kinds))).scalars())
    # uneven participation, as in real life: a few keen units bring many people
    keen = rng.sample(orgs, min(len(orgs), 40))
    for i in range(PARTICIPANTS):
        org = rng.choice(keen) if rng.random() < 0.7 else rng.choice(orgs)
        started = now - timedelta(days=rng.uniform(0.1, 9.5))
        identity = services.Identity(name=rng.choice(SURNAMES) + "".join(rng.sample(GIVEN, rng.choice((1, 2)))),
                                     phone=f"13{rng.randint(0, 9)}{i:08d}", organization_id=org.id)
        attempt = services.join(quiz, identity, now=started)
        skill = rng.uniform(0.45, 0.97)
        answers = {item.position: _answer(item, skill, rng) for item in attempt.items}
        services.submit(attempt, answers, now=started + timedelta(seconds=rng.randint(240, 1150)))


def _answer(item, skill: float, rng: random.Random):
    question = item.question
    shown_right = [item.order.index(i) for i in question.answer]
    if rng.random() < skill:
        chosen = shown_right
    else:
        wrong = [i for i in range(len(item.order)) if i not in shown_right]
        if not wrong:  # every option is right: a wrong answer leaves one out
            chosen = shown_right[:-1]
        elif question.kind == "multiple":
            chosen = shown_right[:-1] + [rng.choice(wrong)]
        else:
            chosen = [rng.choice(wrong)]
    return sorted(chosen) if question.kind == "multiple" else chosen[0]
