"""flask import-questions FILE --bank NAME: a good file is loaded whole, a bad one not at all."""

from webapp.extensions import db
from webapp.quiz.models import Question, QuestionBank

HEADER = "题型,题干,选项A,选项B,选项C,选项D,答案,解析\n"


def test_import_questions_loads_a_file_into_a_new_bank(app, tmp_path):
    good = tmp_path / "消防.csv"
    good.write_text(HEADER + "单选题,火警电话是（  ）。,110,119,120,122,B,119 是火警电话\n"
                             "判断题,电梯可以用于火灾疏散。,,,,,错误,火灾时电梯可能断电\n", encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["import-questions", str(good), "--bank", "消防知识"])
    assert result.exit_code == 0, result.output
    assert "已导入 2 道题到题库“消防知识”" in result.output
    bank = db.session.execute(db.select(QuestionBank).where(QuestionBank.name == "消防知识")).scalar_one()
    assert [q.kind for q in bank.questions] == ["single", "true_false"]


def test_a_bad_file_is_refused_with_every_error_and_nothing_saved(app, tmp_path):
    bad = tmp_path / "有错.csv"
    bad.write_text(HEADER + "单选题,火警电话是（  ）。,110,119,,,E,\n多选题,哪些是灭火器？,干粉,水基,,,A,\n",
                   encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["import-questions", str(bad), "--bank", "不该有的题库"])
    assert result.exit_code == 1
    assert "第 2 行：答案 E 不在选项中" in result.output and "第 3 行" in result.output
    assert db.session.execute(db.select(db.func.count(Question.id))).scalar() == 0
    assert db.session.execute(db.select(db.func.count(QuestionBank.id))).scalar() == 0
