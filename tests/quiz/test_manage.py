"""The officer's side: setting a quiz from the form, its QR code and posters, rankings that agree
with the attempts, item analysis, and award certificates through the document engine."""

import io
from datetime import timedelta

import pytest
from docx import Document
from openpyxl import load_workbook
from PIL import Image

from tests.conftest import page_text, table_text
from tests.jobs.test_jobs import wait_finished
from tests.quiz.test_services import right_answers
from webapp.auth.permissions import Role
from webapp.common.time import utcnow
from webapp.extensions import db
from webapp.jobs.models import Job
from webapp.quiz import services
from webapp.quiz.models import Quiz


@pytest.fixture
def tree(factory):
    tree = factory.tree()
    tree["ent"].headcount = 10
    db.session.commit()
    return tree


def take(quiz, org, phone, name, correct: int, minutes: int = 5):
    """An attempt with the first `correct` questions right and the rest unanswered."""
    started = utcnow() - timedelta(minutes=30)
    attempt = services.join(quiz, services.Identity(name=name, phone=phone, organization_id=org.id), now=started)
    answers = dict(list(right_answers(attempt).items())[:correct])
    services.submit(attempt, answers, now=started + timedelta(minutes=minutes))
    db.session.commit()
    return attempt


def test_an_officer_sets_a_quiz_from_the_form_and_publishes_it(client, login, bank):
    login(Role.TRAINING)
    form = {"title": "2026年安全生产月知识竞赛", "kind": "competition", "bank_ids": [bank.id], "paper_mode": "random",
            "shuffle_questions": "y", "shuffle_options": "y", "time_limit_minutes": "15",
            "opens_at": "2026-06-01T08:00", "closes_at": "2026-06-30T18:00", "max_attempts": "1",
            "identity_mode": "public", "ask_organization": "y", "show_explanations": "y",
            "count_single": "10", "points_single": "5", "tags_single": "消防",
            "count_true_false": "5", "points_true_false": "10"}
    response = client.post("/quiz/new", data=form)
    assert response.status_code == 302
    quiz = db.session.execute(db.select(Quiz)).scalar_one()
    assert quiz.rules == [{"kind": "single", "count": 10, "points": 5.0, "bank_ids": [bank.id], "tags": ["消防"]},
                          {"kind": "true_false", "count": 5, "points": 10.0, "bank_ids": [bank.id], "tags": []}]
    assert quiz.opens_at.hour == 0  # 08:00 in Beijing is 00:00 UTC
    detail = client.get(f"/quiz/{quiz.id}")
    assert "未发布" in page_text(detail) and f"/q/{quiz.code}" in page_text(detail)
    client.post(f"/quiz/{quiz.id}/publish", data={"action": "publish"})
    assert db.session.get(Quiz, quiz.id).published


def test_the_form_names_what_the_banks_cannot_supply(client, login, bank):
    login(Role.TRAINING)
    response = client.post("/quiz/new", data={
        "title": "题目不够的竞赛", "kind": "competition", "bank_ids": [bank.id], "paper_mode": "random",
        "max_attempts": "1", "identity_mode": "public", "count_single": "12", "points_single": "5", "tags_single": "地震"})
    assert response.status_code == 200
    assert "单选题需要 12 题，地震中只有 5 题" in page_text(response)
    assert db.session.execute(db.select(db.func.count(Quiz.id))).scalar() == 0


def test_a_leader_sees_results_but_cannot_set_quizzes(client, login, make_quiz):
    quiz = make_quiz()
    login(Role.LEADER)
    assert client.get(f"/quiz/{quiz.id}").status_code == 200
    assert client.get("/quiz/new").status_code == 403
    assert client.post(f"/quiz/{quiz.id}/publish", data={"action": "unpublish"}).status_code == 403


def test_rankings_count_each_person_once_and_agree_with_the_attempts(client, login, make_quiz, tree):
    quiz = make_quiz(max_attempts=2)
    take(quiz, tree["ent"], "13800000001", "甲", correct=10, minutes=8)
    take(quiz, tree["ent"], "13800000002", "乙", correct=10, minutes=6)  # same score, faster: first
    take(quiz, tree["v2"], "13800000003", "丙", correct=3)
    take(quiz, tree["v2"], "13800000003", "丙", correct=5)  # a second try: the better one counts
    login(Role.LEADER)
    page = client.get(f"/quiz/{quiz.id}")
    leaders = table_text(page, "leaders")
    assert leaders.index("乙") < leaders.index("甲") < leaders.index("丙")
    assert leaders.count("丙") == 1
    organizations = table_text(page, "organizations")
    assert "东镇化工有限公司 2 10 20.0% 100" in organizations
    towns = table_text(page, "towns")
    assert "东镇 2" in towns and "西镇 1" in towns
    assert "参与人数 3" in page_text(page)

    workbook = load_workbook(io.BytesIO(client.get(f"/quiz/{quiz.id}/ranking?export=xlsx").data))
    rows = list(workbook.active.iter_rows(values_only=True))
    assert rows[0][:2] == ("名次", "姓名") and [r[1] for r in rows[1:]] == ["乙", "甲", "丙"]
    assert rows[1][2] == "138****0002"  # a leader's copy masks the phone numbers
    assert client.get(f"/quiz/{quiz.id}/ranking?screen=1").status_code == 200


def test_item_analysis_shows_hard_questions_first_with_option_counts(client, login, make_quiz, tree):
    quiz = make_quiz()
    for i in range(4):
        take(quiz, tree["ent"], f"1380000001{i}", f"参赛者{i}", correct=10 if i < 2 else 0)
    login(Role.TRAINING)
    page = client.get(f"/quiz/{quiz.id}/analysis")
    items = table_text(page, "items")
    assert "50%" in items and "1.00" in items  # half got each question right; top group all, bottom none


def test_qr_code_and_posters(client, login, make_quiz):
    quiz = make_quiz()
    login(Role.OUTREACH)
    png = client.get(f"/quiz/{quiz.id}/poster.png")
    with Image.open(io.BytesIO(png.data)) as image:
        assert image.size == (1240, 1754)
    docx = client.get(f"/quiz/{quiz.id}/poster.docx")
    assert docx.status_code == 200
    text = "\n".join(p.text for p in Document(io.BytesIO(docx.data)).paragraphs)
    assert quiz.title in text and f"/q/{quiz.code}" in text and "微信扫一扫，参加答题" in text


def test_award_certificates_for_the_top_places_are_batch_printed(client, login, make_quiz, tree):
    quiz = make_quiz()
    for i, correct in enumerate([10, 9, 9, 5, 2]):
        take(quiz, tree["ent"], f"1390000000{i}", f"选手{i}", correct=correct, minutes=5)
    login(Role.OUTREACH)
    preview = client.post(f"/quiz/{quiz.id}/awards", data={"tiers": "一等奖 1，二等奖 2", "min_score": "40",
                                                           "min_award": "优秀奖", "output": "docx", "action": "preview"})
    winners = table_text(preview, "winners")
    assert "选手0" in winners and "一等奖" in winners and winners.count("二等奖") == 2 and "优秀奖" in winners
    assert "选手4" not in winners

    bad = client.post(f"/quiz/{quiz.id}/awards", data={"tiers": "一等奖很多", "output": "docx", "action": "preview"})
    assert "看不懂" in page_text(bad)

    started = client.post(f"/quiz/{quiz.id}/awards", data={"tiers": "一等奖 1，二等奖 2", "output": "docx",
                                                           "action": "print"})
    assert started.status_code == 302 and "/jobs/" in started.headers["Location"]
    job = db.session.execute(db.select(Job)).scalar_one()
    assert job.title.endswith("（3 份）")
    printed = printed_text(client, job.id)
    assert printed.count("荣誉证书") == 3 and "选手0" in printed and "选手3" not in printed
    assert "一等奖" in printed and printed.count("二等奖") == 2


def printed_text(client, job_id: str) -> str:
    """Wait for the batch job, download its merged .docx, and return its text."""
    status = wait_finished(client, job_id)
    assert status["status"] == "done", status
    response = client.get(f"/jobs/{job_id}/download")
    data = response.get_data()
    response.close()
    document = Document(io.BytesIO(data))
    cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


def test_the_quiz_list_shows_each_quiz_with_its_state_and_participants(client, login, make_quiz, tree):
    live = make_quiz(title="进行中的竞赛")
    make_quiz(title="未发布的考试", publish=False)
    take(live, tree["ent"], "13800000009", "丁", correct=5)
    login(Role.LEADER)
    page = client.get("/quiz/")
    assert page.status_code == 200
    rows = table_text(page, "quizzes")
    assert "进行中的竞赛 知识竞赛 进行中" in rows and "未发布的考试 知识竞赛 未发布" in rows
    assert rows.split("进行中的竞赛")[1].split("未发布的考试")[0].strip().endswith("1")


def test_the_poster_as_pdf_for_printing(client, login, make_quiz):
    from tests.documents.test_pdf import _require
    from webapp.documents import pdf

    _require(pdf.soffice_path(), "LibreOffice (soffice)", "libreoffice-writer-nogui")
    quiz = make_quiz()
    login(Role.OUTREACH)
    response = client.get(f"/quiz/{quiz.id}/poster.pdf")
    assert response.status_code == 200 and response.data.startswith(b"%PDF-")
    assert response.headers["Content-Disposition"].startswith("attachment")
