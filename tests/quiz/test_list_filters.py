"""The quiz list filtered by type and state (the dashboard's live and upcoming competitions link
to it): the query's rule is services.state()'s, case by case, at the edges too."""

from datetime import timedelta

from sqlalchemy import select

from tests.conftest import table_text
from webapp.auth.permissions import Role
from webapp.common.time import utcnow
from webapp.extensions import db
from webapp.quiz import services
from webapp.quiz.models import IdentityMode, Quiz, QuizKind


def test_in_state_agrees_with_state_in_every_case(app, make_quiz):
    now = utcnow().replace(microsecond=0)
    hour = timedelta(hours=1)
    cases = {  # title: (opens_at, closes_at, published)
        "未发布": (now - hour, now + hour, False),
        "未发布且已过期": (now - 3 * hour, now - hour, False),
        "一小时后开始": (now + hour, now + 2 * hour, True),
        "一小时后开始、不设结束": (now + hour, None, True),
        "此刻开始": (now, now + hour, True),
        "进行中": (now - hour, now + hour, True),
        "不设开始": (None, now + hour, True),
        "不设起止": (None, None, True),
        "此刻结束": (now - hour, now, True),
        "已结束": (now - 2 * hour, now - hour, True),
        "不设开始、已结束": (None, now - hour, True),
    }
    for title, (opens, closes, published) in cases.items():
        make_quiz(title=title, opens_at=opens, closes_at=closes, publish=published)
    quizzes = {q.title: q for q in db.session.scalars(select(Quiz))}
    by_query = {}
    for key, label in services.STATES.items():
        for title in db.session.scalars(select(Quiz.title).where(services.in_state(key, now))):
            assert title not in by_query, f"{title} in two states"
            by_query[title] = label
    assert by_query == {title: services.state(quiz, now) for title, quiz in quizzes.items()}
    assert by_query["此刻开始"] == "进行中" and by_query["此刻结束"] == "已结束"


def test_the_list_filters_by_type_and_state(app, client, login, make_quiz):
    now = utcnow()
    make_quiz(title="进行中的竞赛")
    make_quiz(title="下周的竞赛", opens_at=now + timedelta(days=7), closes_at=now + timedelta(days=8))
    make_quiz(title="进行中的考试", kind=QuizKind.EXAM.value, identity_mode=IdentityMode.ROSTER.value)
    login(Role.LEADER)
    live = table_text(client.get("/quiz/?kind=competition&state=live"), "quizzes")
    assert "进行中的竞赛" in live and "下周" not in live and "考试" not in live
    exams = table_text(client.get("/quiz/?kind=exam"), "quizzes")
    assert "进行中的考试" in exams and "竞赛" not in exams
    upcoming = table_text(client.get("/quiz/?state=upcoming"), "quizzes")
    assert "下周的竞赛" in upcoming and "进行中" not in upcoming
    assert "没有符合条件的竞赛或考试" in table_text(client.get("/quiz/?state=draft"), "quizzes")
    everything = table_text(client.get("/quiz/?state=nonsense"), "quizzes")  # an unknown state is ignored
    assert all(t in everything for t in ("进行中的竞赛", "下周的竞赛", "进行中的考试"))
