"""Quiz fixtures: a bank of known questions and a quiz factory (CTFd-style: one call builds it)."""

from datetime import timedelta

import pytest

from webapp.common.time import utcnow
from webapp.extensions import db
from webapp.quiz import banks, services
from webapp.quiz.drafts import TRUE_FALSE_OPTIONS, Kind, QuestionDraft
from webapp.quiz.models import IdentityMode, PaperMode, QuizKind


def single(n: int, tags=("消防",)) -> QuestionDraft:
    # the right answer is always option B ("对{n}")
    return QuestionDraft(Kind.SINGLE, f"单选题第{n}题：火警电话是多少？（{n}）", [f"错{n}", f"对{n}", f"误{n}", f"非{n}"],
                         [1], explanation=f"解析{n}", tags=list(tags))


def multiple(n: int) -> QuestionDraft:
    return QuestionDraft(Kind.MULTIPLE, f"多选题第{n}题：哪些是灭火器类型？（{n}）", ["干粉", "二氧化碳", "木头", "水基"],
                         [0, 1, 3], explanation=f"多选解析{n}", tags=["消防"])


def true_false(n: int, right: bool = True) -> QuestionDraft:
    return QuestionDraft(Kind.TRUE_FALSE, f"判断题第{n}题：发生火灾应拨打119。（{n}）", list(TRUE_FALSE_OPTIONS),
                         [0 if right else 1], tags=["应急常识"])


def fill(n: int) -> QuestionDraft:
    return QuestionDraft(Kind.FILL, f"填空题第{n}题：全国防灾减灾日是5月（  ）日。（{n}）", [], ["12", "十二"])


@pytest.fixture
def bank(app):
    bank = banks.get_or_create_bank("测试题库")
    drafts = ([single(n) for n in range(1, 11)] + [single(n, ("地震",)) for n in range(11, 16)]
              + [multiple(n) for n in range(1, 6)] + [true_false(n) for n in range(1, 6)] + [fill(n) for n in range(1, 4)])
    for i, d in enumerate(drafts, 1):
        d.where = f"第 {i} 行"
    banks.save_drafts(bank, drafts)
    db.session.commit()
    return bank


@pytest.fixture
def make_quiz(bank):
    def build(rules=None, publish=True, **values):
        rules = rules or [{"kind": "single", "count": 5, "points": 10, "bank_ids": [bank.id]},
                          {"kind": "multiple", "count": 2, "points": 15, "bank_ids": [bank.id]},
                          {"kind": "true_false", "count": 2, "points": 5, "bank_ids": [bank.id]},
                          {"kind": "fill", "count": 1, "points": 10, "bank_ids": [bank.id]}]
        settings = {"title": "2026年全民应急知识网络竞赛", "kind": QuizKind.COMPETITION.value,
                    "paper_mode": PaperMode.RANDOM.value, "time_limit_minutes": 20,
                    "opens_at": utcnow() - timedelta(hours=1), "closes_at": utcnow() + timedelta(days=7),
                    "max_attempts": 1, "identity_mode": IdentityMode.PUBLIC.value} | values
        quiz = services.create_quiz(settings, [services.Rule.of(r) for r in rules])
        if publish:
            services.publish(quiz)
        db.session.commit()
        return quiz

    return build
