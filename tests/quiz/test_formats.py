import io
from dataclasses import replace

import pytest
from openpyxl import load_workbook

from tests.conftest import xlsx_file
from webapp.quiz.drafts import TRUE_FALSE_OPTIONS, Kind, QuestionDraft
from webapp.quiz.formats import (
    EXAMPLES,
    HEADERS,
    FormatError,
    excel_template,
    read_aiken,
    read_excel,
    read_gift,
    read_questions,
    write_excel,
    write_gift,
)


def xlsx(headers, rows) -> io.BytesIO:
    return xlsx_file(headers, rows)


def csv_file(headers, rows, encoding) -> io.BytesIO:
    lines = [",".join(headers), *(",".join(row) for row in rows)]
    return io.BytesIO("\r\n".join(lines).encode(encoding))


def row(kind, stem, options=(), answer="", **extra) -> list[str]:
    """A full template row: kind, stem, up to six options, answer, then 解析/难度/标签/依据 by name."""
    options = [*options, *[""] * (6 - len(options))]
    return [kind, stem, *options, answer, extra.get("解析", ""), extra.get("难度", ""), extra.get("标签", ""),
            extra.get("依据", "")]


def content(draft: QuestionDraft) -> tuple:
    return draft.kind, draft.stem, draft.options, draft.answer, draft.explanation


# Excel and CSV -----------------------------------------------------------------------------------

def test_excel_reads_each_kind_with_columns_in_any_order(app):
    headers = ["答案", "题干", "题型", "选项A", "选项B", "选项C", "难度", "标签"]  # 解析, 依据 left out
    rows = [
        ["B", "地震时应当？", "单选", "乘电梯", "躲在桌下", "跳楼", "难", "地震；应急 避险"],
        ["a、c", "属于自然灾害的有？", "多选题", "地震", "火灾", "洪水", "", "自然灾害,地震"],
        ["×", "地震时可以乘坐电梯。", "判断题", "", "", "", "易", ""],
        ["119｜一一九", "火警电话是（  ）。", "填空", "", "", "", 1, ""],
    ]
    parsed = read_excel(xlsx(headers, rows))

    assert parsed.errors == []
    single, multiple, true_false, fill = parsed.drafts
    assert (single.kind, single.options, single.answer) == (Kind.SINGLE, ["乘电梯", "躲在桌下", "跳楼"], [1])
    assert (single.difficulty, single.tags, single.where) == (3, ["地震", "应急", "避险"], "第 2 行")
    assert (multiple.kind, multiple.answer, multiple.difficulty) == (Kind.MULTIPLE, [0, 2], 2)
    assert multiple.tags == ["自然灾害", "地震"]
    assert (true_false.kind, true_false.options, true_false.answer) == (Kind.TRUE_FALSE, TRUE_FALSE_OPTIONS, [1])
    assert (fill.kind, fill.options, fill.answer, fill.difficulty) == (Kind.FILL, [], ["119", "一一九"], 1)


@pytest.mark.parametrize("kind, answer, expected", [
    ("多选题", "ABD", [0, 1, 3]), ("多选题", "A,B,D", [0, 1, 3]), ("多选题", "A、B、D", [0, 1, 3]),
    ("多选题", "a b d", [0, 1, 3]), ("多选题", "Ｄ，Ａ，Ｂ", [0, 1, 3]),
    ("判断题", "正确", [0]), ("判断题", "对", [0]), ("判断题", "√", [0]), ("判断题", "true", [0]), ("判断题", "是", [0]),
    ("判断题", "错误", [1]), ("判断题", "错", [1]), ("判断题", "F", [1]), ("判断题", "FALSE", [1]), ("判断题", "否", [1]),
])
def test_answers_as_people_type_them(app, kind, answer, expected):
    parsed = read_excel(xlsx(HEADERS, [row(kind, "题干", ["甲", "乙", "丙", "丁"], answer)]))
    assert parsed.errors == []
    assert parsed.drafts[0].answer == expected


def test_each_mistake_is_named_by_its_row(app):
    four = ["甲", "乙", "丙", "丁"]
    rows = [
        row("单选题", "没有答案的题", four),
        row("单选题", "答案超出选项的题", four, "E"),
        row("单选题", "两个答案的单选题", four, "AB"),
        row("问答题", "论述应急预案的作用", answer="略"),
        row("单选题", "好题", four, "C"),
        row("单选题", "难度和答案都写错的题", four, "甲", 难度="很难"),
        row("判断题", "答案写错的判断题", answer="也许"),
    ]
    parsed = read_excel(xlsx(HEADERS, rows))

    assert parsed.errors == [
        "第 2 行：没有答案",
        "第 3 行：答案 E 不在选项中",
        "第 4 行：单选题只能有一个答案",
        "第 5 行：题型“问答题”无法识别（应为 单选题、多选题、判断题 或 填空题）",
        "第 7 行：难度“很难”无法识别（应为 易、中 或 难）",
        "第 7 行：答案“甲”无法识别（应为选项字母，如 B 或 ABD）",
        "第 8 行：判断题答案“也许”无法识别（应为 正确 或 错误）",
    ]
    # Rows with a value that cannot be read give no draft; the rest are there, good or not.
    assert [d.where for d in parsed.drafts] == ["第 2 行", "第 3 行", "第 4 行", "第 6 行"]


def test_a_wrong_header_is_refused_with_the_same_words_for_excel_and_csv(app):
    headers = ["题型", "题干", "正确答案"]
    expected = "表头与模板不一致（缺少列：答案；无法识别的列：正确答案），请使用下载的模板"
    with pytest.raises(FormatError, match=expected):
        read_questions("题库.xlsx", xlsx(headers, [["单选题", "题干", "A"]]))
    with pytest.raises(FormatError, match=expected):
        read_questions("题库.csv", csv_file(headers, [["单选题", "题干", "A"]], "utf-8"))


@pytest.mark.parametrize("encoding", ["gb18030", "utf-8-sig", "utf-8"])
def test_csv_as_chinese_excel_saves_it(app, encoding):
    headers = ["题型", "题干", "选项A", "选项B", "答案", "标签"]
    data = csv_file(headers, [["单选题", "发现火灾应拨打？", "119", "110", "A", "消防；报警"],
                              ["判断题", "地震时可乘电梯。", "", "", "错误", ""]], encoding)
    if encoding == "gb18030":
        with pytest.raises(UnicodeDecodeError):  # the test means something only if UTF-8 cannot read it
            data.getvalue().decode("utf-8")

    parsed = read_questions("题库.csv", data)

    assert parsed.errors == []
    assert [content(d) for d in parsed.drafts] == [
        (Kind.SINGLE, "发现火灾应拨打？", ["119", "110"], [0], ""),
        (Kind.TRUE_FALSE, "地震时可乘电梯。", TRUE_FALSE_OPTIONS, [1], ""),
    ]
    assert parsed.drafts[0].tags == ["消防", "报警"]
    assert parsed.drafts[1].where == "第 3 行"


def test_the_template_downloads_with_notes_and_its_examples_import(app):
    data = excel_template()
    workbook = load_workbook(io.BytesIO(data))
    assert workbook.sheetnames == ["数据", "填写说明"]
    sheet = workbook["数据"]
    assert [c.value for c in sheet[1]] == HEADERS
    assert [r[0] for r in sheet.iter_rows(min_row=2, values_only=True)] == ["单选题", "多选题", "判断题", "填空题"]
    notes = "\n".join(r[0] for r in workbook["填写说明"].iter_rows(values_only=True))
    for column in ["题型", "题干", "选项A～选项F", "答案", "解析", "难度", "标签", "依据"]:
        assert f"{column}：" in notes

    parsed = read_questions("题目导入模板.xlsx", io.BytesIO(data))
    assert parsed.errors == []
    assert [replace(d, where="") for d in parsed.drafts] == EXAMPLES


def test_excel_export_reads_back_as_it_was(app):
    formula_like = QuestionDraft(Kind.FILL, "=号开头的题干不能变成公式（  ）", [], ["=5", "五"], explanation="=解析",
                                 difficulty=3, tags=["计算"], source="自编")
    drafts = [*EXAMPLES, formula_like]
    parsed = read_excel(io.BytesIO(write_excel(drafts)))
    assert parsed.errors == []
    assert [replace(d, where="") for d in parsed.drafts] == drafts


# GIFT --------------------------------------------------------------------------------------------

GIFT = r"""
// 地震应急题库（注释行不算题目）
$CATEGORY: $course$/top/应急/地震

::地震-单选::[html]<p>地震发生时，在室内&nbsp;<b>应当</b></p>{
  =躲在坚固的桌子下 #对，伏地、遮挡、手抓牢
  ~跑到阳台 #危险
  ~乘电梯逃生
  ####室内避震：伏地、遮挡、手抓牢。
}

::地震-多选::下列属于地震次生灾害的有{~%50%火灾 ~%50%滑坡 ~%-100%台风}

::地震-判断::地震时可以乘坐电梯逃生。{FALSE####电梯可能断电困人。}

::地震-填空::我国的地震应急电话同火警电话一样是{=119 =一一九}，遇险时拨打。

$CATEGORY: $course$/top/应急/消防

::消防-转义::比分 3\:1\, 式子 1\=1、\{花括号\} 与 \#号\~ 都是文字 {=对 ~错}

::消防-短答::火警电话 {=119}
"""


def test_gift_reads_each_kind():
    parsed = read_gift(GIFT)

    assert parsed.errors == []
    assert [content(d) for d in parsed.drafts] == [
        (Kind.SINGLE, "地震发生时，在室内 应当", ["躲在坚固的桌子下", "跑到阳台", "乘电梯逃生"], [0], "室内避震：伏地、遮挡、手抓牢。"),
        (Kind.MULTIPLE, "下列属于地震次生灾害的有", ["火灾", "滑坡", "台风"], [0, 1], ""),
        (Kind.TRUE_FALSE, "地震时可以乘坐电梯逃生。", TRUE_FALSE_OPTIONS, [1], "电梯可能断电困人。"),
        (Kind.FILL, "我国的地震应急电话同火警电话一样是（  ），遇险时拨打。", [], ["119", "一一九"], ""),
        (Kind.SINGLE, r"比分 3:1\, 式子 1=1、{花括号} 与 #号~ 都是文字", ["对", "错"], [0], ""),
        (Kind.FILL, "火警电话", [], ["119"], ""),
    ]
    assert [d.tags for d in parsed.drafts] == [["地震"]] * 4 + [["消防"]] * 2
    assert parsed.drafts[0].where == "第 1 题（地震-单选）"


def test_gift_questions_this_system_cannot_hold_are_named_and_left_out():
    text = """::地震-单选::地震时应当{=躲避 ~乘电梯}

::地震-论述::论述地震应急预案的要点。{}

::地震-匹配::把灾种与报警电话配对{=火灾 -> 119 =急救 -> 120}

::地震-数值::我国地震烈度分为几度？{#12}

::地震-说明::以下各题考查地震避险常识。

没有标题的选择题{~甲 ~乙}

::部分得分::下列正确的是{=甲 ~%50%乙 ~丙}

::填空部分得分::火警电话是{=119 =%50%110}
"""
    parsed = read_gift(text)

    assert parsed.errors == [
        "第 2 题（地震-论述）：GIFT 论述题（essay）本系统不支持",
        "第 3 题（地震-匹配）：GIFT 匹配题（matching）本系统不支持",
        "第 4 题（地震-数值）：GIFT 数值题（numerical）本系统不支持",
        "第 5 题（地震-说明）：GIFT 说明文字（description，没有答案）本系统不支持",
        "第 6 题（第 11 行）：没有答案",
        "第 7 题（部分得分）：部分得分的选项（如 %50% 单独出现）本系统不支持：正确选项的分值合计应为 100%",
        "第 8 题（填空部分得分）：部分得分的填空答案（=%50%）本系统不支持：每个可接受的答案都应得满分",
    ]
    assert [d.stem for d in parsed.drafts] == ["地震时应当", "没有标题的选择题"]


def test_gift_export_reads_back_as_it_was():
    drafts = [
        *EXAMPLES,
        QuestionDraft(Kind.SINGLE, "符号 {}=~#: 与 \\ 不是语法\n第二行", ["a:b", "c=d"], [1], explanation="#解析~"),
        QuestionDraft(Kind.MULTIPLE, "三个正确答案", ["甲", "乙", "丙", "丁"], [0, 1, 3]),
        QuestionDraft(Kind.TRUE_FALSE, "错误的说法", list(TRUE_FALSE_OPTIONS), [1], explanation="因为……"),
        QuestionDraft(Kind.FILL, "空位在最后（  ）", [], ["甲", "乙"]),
    ]
    parsed = read_gift(write_gift(drafts))

    assert parsed.errors == []
    assert [content(d) for d in parsed.drafts] == [content(d) for d in drafts]
    assert [d.tags for d in parsed.drafts] == [d.tags[:1] for d in drafts]  # the first tag travels as $CATEGORY


# Aiken -------------------------------------------------------------------------------------------

def test_aiken_reads_single_choice_questions_and_names_mistakes():
    text = """发生火灾时应拨打的电话是？
A. 110
B) 119
C、120
ANSWER: B

地震时在室内应当？
A. 躲在桌下
B. 乘电梯

化学品泄漏时应当？
A. 逆风撤离
B. 顺风撤离
ANSWER: E

只有一个选项的题
A. 唯一
ANSWER: A
"""
    parsed = read_aiken(text)

    assert [content(d) for d in parsed.drafts][0] == (Kind.SINGLE, "发生火灾时应拨打的电话是？", ["110", "119", "120"], [1], "")
    assert parsed.errors == [
        "第 2 题（第 7 行）：没有 ANSWER 行（Aiken 格式每道题的最后一行应为“ANSWER: 正确选项的字母”）",
        "第 3 题（第 11 行）：答案 E 不在选项中",
        "第 4 题（第 16 行）：选项少于 2 个",
    ]


# Whole files -------------------------------------------------------------------------------------

def test_a_txt_file_is_read_as_gift_or_aiken_by_what_it_holds(app):
    gift = read_questions("题库.txt", io.BytesIO("地震时应当{=躲避 ~乘电梯}".encode()))
    aiken = read_questions("题库.txt", io.BytesIO("地震时应当？\nA. 躲避\nB. 乘电梯\nANSWER: A\n".encode("gb18030")))
    assert [content(d) for d in gift.drafts + aiken.drafts] == [
        (Kind.SINGLE, "地震时应当", ["躲避", "乘电梯"], [0], ""),
        (Kind.SINGLE, "地震时应当？", ["躲避", "乘电梯"], [0], ""),
    ]
    with pytest.raises(FormatError, match="无法识别文本题库的格式"):
        read_questions("题库.txt", io.BytesIO("只是一段文字".encode()))


@pytest.mark.parametrize("filename, data, message", [
    ("题库.pdf", b"%PDF-1.7", "不支持的文件类型 .pdf，请上传 Excel（.xlsx）、CSV、GIFT 或 Aiken 文本"),
    ("题库", b"x", "不支持的文件类型（文件名没有扩展名），请上传"),
    ("题库.xlsx", "题型,题干,答案".encode(), r"上传的不是 Excel 文件（\.xlsx），请使用下载的模板填写"),
    ("题库.xls", b"\xd0\xcf\x11\xe0" + bytes(100), r"这是旧版 \.xls 文件，请用 Office 或 WPS 另存为 \.xlsx 后再上传"),
    ("题库.csv", b"", "上传的文件是空的"),
])
def test_a_file_of_the_wrong_type_is_refused_with_a_reason(app, filename, data, message):
    with pytest.raises(FormatError, match=message):
        read_questions(filename, io.BytesIO(data))


def test_an_excel_file_named_csv_is_not_read_as_text(app):
    with pytest.raises(FormatError, match="上传的文件不是文本文件"):
        read_questions("题库.csv", io.BytesIO(excel_template()))


@pytest.mark.parametrize("filename", ["题库.xlsx", "题库.csv", "题库.gift", "题库.txt"])
def test_an_oversize_file_is_refused(app, filename):
    app.config["IMPORT_MAX_BYTES"] = 1024
    with pytest.raises(FormatError, match="文件超过 1 KB 的上限，请拆分后分批导入"):
        read_questions(filename, io.BytesIO(b"x" * 1025))


def test_at_most_5000_questions_per_file():
    questions = [f"第{n}题{{T}}" for n in range(5000)]
    assert len(read_gift("\n\n".join(questions)).drafts) == 5000
    with pytest.raises(FormatError, match="题目超过 5000 道的上限，请拆分后分批导入"):
        read_gift("\n\n".join([*questions, "多出的一题{T}"]))
