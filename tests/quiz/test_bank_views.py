"""The question bank pages: list, questions and filters, the question form, import and export."""

import io
import re
from urllib.parse import quote

import pytest
from openpyxl import load_workbook

from tests.conftest import page_text, table_text, xlsx_file
from tests.quiz.conftest import single
from webapp.auth.permissions import Role
from webapp.extensions import db
from webapp.quiz import banks
from webapp.quiz.models import Question, QuestionBank

HEADERS = ["题型", "题干", "选项A", "选项B", "选项C", "选项D", "选项E", "选项F", "答案", "解析", "难度", "标签", "依据"]
GOOD_ROWS = [
    ["单选题", "火灾报警电话是（  ）。", "110", "119", "120", "122", "", "", "B", "119 是火警电话", "易", "消防",
     "《中华人民共和国消防法》第四十四条"],
    ["多选题", "下列属于自然灾害的有（  ）。", "地震", "洪水", "火灾", "台风", "", "", "ABD", "", "中", "防灾减灾；自然灾害", ""],
    ["判断题", "电梯可以在火灾时用于疏散。", "", "", "", "", "", "", "错误", "", "中", "消防", ""],
    ["填空题", "全国防灾减灾日是每年5月（  ）日。", "", "", "", "", "", "", "12|十二", "", "难", "防灾减灾", ""],
]


def xlsx(rows, headers=HEADERS) -> io.BytesIO:
    return xlsx_file(headers, rows)


def upload(client, data: io.BytesIO, filename: str, bank_id=0, new_bank=""):
    return client.post("/quiz/banks/import", data={"bank_id": str(bank_id), "new_bank": new_bank, "file": (data, filename)},
                       content_type="multipart/form-data")


def count_questions(bank_id: int) -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(Question).where(Question.bank_id == bank_id))


def bank_named(name: str) -> QuestionBank | None:
    return db.session.execute(db.select(QuestionBank).where(QuestionBank.name == name)).scalar_one_or_none()


def question_rows(response) -> int:
    html = response.get_data(as_text=True)
    body = html.split('data-testid="question-table"', 1)[1].split("</table>", 1)[0].split("<tbody>", 1)[1]
    return 0 if "没有符合条件的题目" in body else body.count("<tr>")


# ---------------------------------------------------------------- banks and questions


def test_bank_list_counts_questions_of_each_kind(client, login, bank):
    login()
    first = db.session.execute(db.select(Question).where(Question.bank_id == bank.id).order_by(Question.id)).scalars().first()
    banks.set_active(first, False)  # a retired single choice leaves the 单选 count
    db.session.commit()

    response = client.get("/quiz/banks")

    assert response.status_code == 200
    text = table_text(response, "bank-table")
    # 单选 多选 判断 填空 合计 已停用
    assert "测试题库 14 5 5 3 27 1" in text
    assert "导入题目" in text and "导出 Excel" in text and "导出 GIFT" in text


def test_create_bank_and_refuse_a_taken_name(client, login, bank):
    login()
    response = client.post("/quiz/banks", data={"name": "消防知识题库", "description": "2026 年消防月"})
    created = bank_named("消防知识题库")
    assert created is not None and created.description == "2026 年消防月"
    assert response.headers["Location"].endswith(f"/quiz/banks/{created.id}")

    response = client.post("/quiz/banks", data={"name": "测试题库"})
    assert response.status_code == 200
    assert "题库“测试题库”已存在" in page_text(response)
    assert db.session.scalar(db.select(db.func.count()).select_from(QuestionBank)) == 2


def test_bank_page_shows_questions_and_filters_narrow_them(client, login, bank):
    login()
    response = client.get(f"/quiz/banks/{bank.id}")
    assert response.status_code == 200
    assert question_rows(response) == 28
    text = table_text(response, "question-table")
    assert "单选题第1题：火警电话是多少？（1） B 中 消防" in text  # kind, stem, answer letter, difficulty, tags
    assert "判断题第1题：发生火灾应拨打119。（1） 正确" in text
    assert "12 | 十二" in text

    assert question_rows(client.get(f"/quiz/banks/{bank.id}?kind=multiple")) == 5
    assert question_rows(client.get(f"/quiz/banks/{bank.id}?tag=地震")) == 5
    assert question_rows(client.get(f"/quiz/banks/{bank.id}?kind=single&tag=消防")) == 10
    assert question_rows(client.get(f"/quiz/banks/{bank.id}?q=防灾减灾日")) == 3
    assert question_rows(client.get(f"/quiz/banks/{bank.id}?difficulty=3")) == 0
    narrowed = client.get(f"/quiz/banks/{bank.id}?q=第12题")
    assert question_rows(narrowed) == 1 and "火警电话是多少？（12）" in table_text(narrowed, "question-table")


def test_retire_and_restore_keep_the_filters(client, login, bank):
    login()
    question = db.session.execute(db.select(Question).where(Question.kind == "fill")).scalars().first()

    response = client.post(f"/quiz/questions/{question.id}/status?kind=fill&page=1", data={"active": "0"})

    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/quiz/banks/{bank.id}?kind=fill&page=1")
    db.session.refresh(question)
    assert question.active is False
    assert question_rows(client.get(f"/quiz/banks/{bank.id}?status=retired")) == 1
    assert question_rows(client.get(f"/quiz/banks/{bank.id}?status=active")) == 27

    client.post(f"/quiz/questions/{question.id}/status", data={"active": "1"})
    db.session.refresh(question)
    assert question.active is True


def test_questions_are_paginated_fifty_a_page(client, login, bank):
    login()
    more = [single(n) for n in range(100, 140)]  # 15 + 40 single choice
    for i, draft in enumerate(more):
        draft.where = f"第 {i} 行"
    banks.save_drafts(bank, more)
    db.session.commit()

    first = client.get(f"/quiz/banks/{bank.id}?kind=single")
    second = client.get(f"/quiz/banks/{bank.id}?kind=single&page=2")

    assert question_rows(first) == 50 and question_rows(second) == 5
    assert f"/quiz/banks/{bank.id}?page=2&amp;kind=single" in first.get_data(as_text=True)


# ---------------------------------------------------------------- the question form


def test_add_questions_through_the_form(client, login, bank):
    login()
    response = client.post(f"/quiz/banks/{bank.id}/questions/new", data={
        "kind": "multiple", "stem": "危险化学品企业应当建立哪些制度？", "option_a": "安全生产责任制", "option_b": "吸烟制度",
        "option_c": "隐患排查治理制度", "option_d": "", "answer": "a，c", "explanation": "见条文",
        "difficulty": "3", "tags": "危化品；安全生产法,制度", "source": "《中华人民共和国安全生产法》第四条"})

    assert response.status_code == 302
    question = db.session.execute(db.select(Question).where(Question.stem == "危险化学品企业应当建立哪些制度？")).scalar_one()
    assert (question.kind, question.options, question.answer) == ("multiple", ["安全生产责任制", "吸烟制度", "隐患排查治理制度"], [0, 2])
    assert (question.difficulty, question.source, question.explanation) == (3, "《中华人民共和国安全生产法》第四条", "见条文")
    assert sorted(question.tags) == sorted(["危化品", "安全生产法", "制度"])

    client.post(f"/quiz/banks/{bank.id}/questions/new", data={
        "kind": "true_false", "stem": "可以用水扑灭电气火灾。", "option_a": "被忽略", "answer": "B", "difficulty": "1"})
    client.post(f"/quiz/banks/{bank.id}/questions/new", data={
        "kind": "fill", "stem": "我国的火警电话是（  ）。", "answer": "119 | 一一九", "difficulty": "2"})
    tf = db.session.execute(db.select(Question).where(Question.stem == "可以用水扑灭电气火灾。")).scalar_one()
    assert (tf.options, tf.answer) == (["正确", "错误"], [1])
    fill = db.session.execute(db.select(Question).where(Question.stem == "我国的火警电话是（  ）。")).scalar_one()
    assert (fill.options, fill.answer) == ([], ["119", "一一九"])


@pytest.mark.parametrize(("values", "message"), [
    ({"kind": "multiple", "option_a": "甲", "option_b": "乙", "option_c": "丙", "answer": "B"},
     "多选题至少要有两个正确答案（只有一个时请改为单选题）"),
    ({"kind": "single", "option_a": "甲", "option_b": "乙", "answer": "D"}, "答案 D 不在选项中"),
    ({"kind": "single", "option_a": "甲", "option_c": "丙", "answer": "A"}, "有空白选项（选项须从 A 开始连续填写）"),
    ({"kind": "single", "option_a": "甲", "option_b": "乙", "answer": "甲"}, "答案请填写选项字母"),
    ({"kind": "true_false", "answer": "也许"}, "判断题答案请填写 A（正确）或 B（错误）"),
])
def test_a_wrong_question_shows_the_problem_and_saves_nothing(client, login, bank, values, message):
    login()
    before = count_questions(bank.id)

    response = client.post(f"/quiz/banks/{bank.id}/questions/new",
                           data={"stem": "一道有问题的题目", "difficulty": "2"} | values)

    assert response.status_code == 200
    assert message in page_text(response)
    assert count_questions(bank.id) == before


def test_a_duplicate_stem_is_refused_on_the_form(client, login, bank):
    login()
    response = client.post(f"/quiz/banks/{bank.id}/questions/new", data={
        "kind": "fill", "stem": "填空题第1题：全国防灾减灾日是5月（  ）日。（1）", "answer": "12", "difficulty": "2"})
    assert "与题库“测试题库”中已有的题目重复" in page_text(response)


def test_edit_a_question(client, login, bank):
    login()
    question = db.session.execute(db.select(Question).where(Question.kind == "single").order_by(Question.id)).scalars().first()

    form = client.get(f"/quiz/questions/{question.id}/edit").get_data(as_text=True)
    assert 'value="对1"' in form and 'value="B"' in form and 'value="消防"' in form

    response = client.post(f"/quiz/questions/{question.id}/edit", data={
        "kind": "single", "stem": "火警电话是？", "option_a": "119", "option_b": "110", "answer": "A", "difficulty": "1",
        "tags": "消防"})
    assert response.status_code == 302
    db.session.refresh(question)
    assert (question.stem, question.options, question.answer, question.difficulty) == ("火警电话是？", ["119", "110"], [0], 1)

    response = client.post(f"/quiz/questions/{question.id}/edit", data={
        "kind": "multiple", "stem": "改坏了", "option_a": "119", "option_b": "110", "answer": "A", "difficulty": "1"})
    assert "多选题至少要有两个正确答案" in page_text(response)
    db.session.refresh(question)
    assert (question.stem, question.kind) == ("火警电话是？", "single")


# ---------------------------------------------------------------- import and export


def test_import_an_excel_file_into_a_bank(client, login, bank):
    login()
    response = upload(client, xlsx(GOOD_ROWS), "新题目.xlsx", bank_id=bank.id)

    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/quiz/banks/{bank.id}")
    assert "已导入 4 道题到题库“测试题库”" in page_text(client.get(response.headers["Location"]))
    assert count_questions(bank.id) == 32
    multiple = db.session.execute(db.select(Question).where(Question.stem == "下列属于自然灾害的有（  ）。")).scalar_one()
    assert (multiple.answer, sorted(multiple.tags)) == ([0, 1, 3], ["自然灾害", "防灾减灾"])


def test_import_into_a_new_bank(client, login):
    login()
    response = upload(client, xlsx(GOOD_ROWS), "新题目.xlsx", new_bank="防灾减灾题库")

    created = bank_named("防灾减灾题库")
    assert created is not None and count_questions(created.id) == 4
    assert response.headers["Location"].endswith(f"/quiz/banks/{created.id}")


def test_import_with_errors_lists_every_one_and_saves_nothing(client, login, bank):
    login()
    rows = [GOOD_ROWS[0],
            ["单选题", "发生地震时应当（  ）。", "跳楼", "躲在坚固的桌下", "乘电梯", "", "", "", "E", "", "中", "", ""],
            ["单选题", "火灾报警电话是（  ）。", "120", "110", "122", "119", "", "", "D", "", "中", "", ""],  # row 2 again
            GOOD_ROWS[1]]

    response = upload(client, xlsx(rows), "有错.xlsx", new_bank="不该出现的题库")

    assert response.status_code == 200
    text = table_text(response, "import-errors")
    assert "第 3 行 答案 E 不在选项中" in text
    assert "第 4 行 与第 2 行的题目重复" in text
    assert "发现 2 处错误，本次没有导入任何题目" in page_text(response)
    assert bank_named("不该出现的题库") is None
    assert db.session.scalar(db.select(db.func.count()).select_from(Question).where(Question.bank_id != bank.id)) == 0

    response = upload(client, xlsx(rows), "有错.xlsx", bank_id=bank.id)
    assert "第 3 行 答案 E 不在选项中" in table_text(response, "import-errors")
    assert count_questions(bank.id) == 28


def test_import_errors_of_a_gift_file_name_the_question(client, login, bank):
    login()
    gift = "::提问：年份::安全生产法哪年施行？ {#2002}\n\n::火警::火警电话是？ {=119 ~110}\n"

    response = upload(client, io.BytesIO(gift.encode()), "题目.gift", bank_id=bank.id)

    assert "第 1 题（提问：年份） GIFT 数值题（numerical）本系统不支持" in table_text(response, "import-errors")
    assert count_questions(bank.id) == 28


def test_import_of_an_unreadable_file_says_why(client, login, bank):
    login()
    response = upload(client, xlsx(GOOD_ROWS, headers=["题目", *HEADERS[1:]]), "表头错.xlsx", bank_id=bank.id)
    assert "缺少列：题型" in page_text(response)

    response = upload(client, io.BytesIO(b"not a question"), "题目.docx", bank_id=bank.id)
    assert "只能导入 .xlsx、.csv、.txt 或 .gift 文件" in page_text(response)

    response = upload(client, xlsx(GOOD_ROWS), "新题目.xlsx")
    assert "请选择一个题库，或填写新题库的名称" in page_text(response)
    assert count_questions(bank.id) == 28


def test_gift_export_downloads_and_imports_into_a_new_bank(client, login, bank):
    login()
    retired = db.session.execute(db.select(Question).where(Question.kind == "multiple")).scalars().first()
    banks.set_active(retired, False)
    db.session.commit()

    response = client.get(f"/quiz/banks/{bank.id}/export.gift")

    assert response.status_code == 200
    assert response.mimetype == "text/plain"
    assert f"filename*=UTF-8''{quote('测试题库.gift')}" in response.headers["Content-Disposition"]
    gift = response.get_data()
    assert "::单选题第1题".encode() in gift

    response = upload(client, io.BytesIO(gift), "测试题库.gift", new_bank="再导入的题库")

    assert response.status_code == 302, page_text(response)
    copy = bank_named("再导入的题库")
    copied = db.session.execute(db.select(Question).where(Question.bank_id == copy.id)).scalars().all()
    originals = db.session.execute(db.select(Question).where(Question.bank_id == bank.id, Question.active)).scalars().all()
    assert len(copied) == 27
    assert {(q.kind, q.stem, tuple(q.options), tuple(q.answer)) for q in copied} == \
        {(q.kind, q.stem, tuple(q.options), tuple(q.answer)) for q in originals}


def test_excel_export_and_template_download(client, login, bank):
    login(Role.LEADER)  # reading is enough to download
    response = client.get(f"/quiz/banks/{bank.id}/export.xlsx")
    assert response.status_code == 200
    assert f"filename*=UTF-8''{quote('测试题库.xlsx')}" in response.headers["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.get_data())).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0][:len(HEADERS)]) == HEADERS and len(rows) == 29
    assert rows[1][:2] == ("单选题", "单选题第1题：火警电话是多少？（1）")

    response = client.get("/quiz/banks/template.xlsx")
    assert response.status_code == 200
    assert load_workbook(io.BytesIO(response.get_data())).worksheets[0]["A1"].value == "题型"


def test_import_page_links_the_template_and_preselects_the_bank(client, login, bank):
    login()
    html = client.get(f"/quiz/banks/import?bank={bank.id}").get_data(as_text=True)
    assert 'href="/quiz/banks/template.xlsx"' in html and "下载 Excel 模板" in html
    assert re.search(rf'<option selected value="{bank.id}">测试题库</option>', html)


# ---------------------------------------------------------------- permissions


def test_a_leader_reads_banks_but_changes_nothing(client, login, bank):
    login(Role.LEADER)
    listing = client.get("/quiz/banks")
    assert listing.status_code == 200 and "测试题库" in page_text(listing)
    assert 'data-testid="import-link"' not in listing.get_data(as_text=True)
    assert 'data-testid="bank-form"' not in listing.get_data(as_text=True)
    detail = client.get(f"/quiz/banks/{bank.id}")
    assert detail.status_code == 200 and "添加题目" not in page_text(detail)

    assert client.get("/quiz/banks/import").status_code == 403
    assert upload(client, xlsx(GOOD_ROWS), "新题目.xlsx", bank_id=bank.id).status_code == 403
    assert client.post("/quiz/banks", data={"name": "领导的题库"}).status_code == 403
    assert client.get(f"/quiz/banks/{bank.id}/questions/new").status_code == 403
    question_id = db.session.scalar(db.select(Question.id).where(Question.bank_id == bank.id))
    assert client.get(f"/quiz/questions/{question_id}/edit").status_code == 403
    assert client.post(f"/quiz/questions/{question_id}/status", data={"active": "0"}).status_code == 403
    assert count_questions(bank.id) == 28 and bank_named("领导的题库") is None
    assert db.session.get(Question, question_id).active

