"""The banks this project ships (question_banks/): they load cleanly and meet the issue's bar."""

from webapp.extensions import db
from webapp.quiz import banks
from webapp.quiz.models import Question, QuestionBank


def test_the_shipped_banks_load_whole_with_explanations_and_sources(app):
    reports = banks.sync_shipped_banks()
    db.session.commit()
    assert {r.bank.name for r in reports} == {"安全生产法", "应急常识", "三项岗位人员", "应急管理综合"}
    questions = db.session.execute(db.select(Question)).scalars().all()
    assert len(questions) >= 300
    assert all(q.explanation for q in questions)
    legal = [q for q in questions if "法律法规" in q.tags or q.bank.name == "安全生产法"]
    assert legal and all(q.source for q in legal)
    law = [q for q in questions if q.bank.name == "安全生产法"]
    assert all(q.source.startswith("《中华人民共和国安全生产法》第") for q in law)
    assert {q.kind for q in questions} == {"single", "multiple", "true_false", "fill"}

    assert banks.sync_shipped_banks() == []  # loaded once; a bank the bureau edited is left alone
    assert db.session.execute(db.select(db.func.count(QuestionBank.id))).scalar() == 4
