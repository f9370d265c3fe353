"""Question files in and out: Excel (.xlsx) and CSV laid out like the template, Moodle's GIFT and
Aiken text. A reader returns every question it could read as a QuestionDraft, and one Chinese
message per problem naming where it is (第 5 行 / 第 3 题（标题）); a writer's file reads back
through its reader. No database here: only the upload limits come from the app's config.
"""

import csv
import html
import io
import re
import string
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import PurePath

from flask import current_app
from openpyxl.cell import Cell

from webapp.common.spreadsheets import SheetError, human_size, read_rows, read_upload, template_bytes
from webapp.errors import UserError
from webapp.quiz.drafts import (
    DIFFICULTY_LABELS,
    KIND_LABELS,
    MAX_FILL_ANSWER,
    MAX_OPTION,
    MAX_OPTIONS,
    MAX_STEM,
    OPTION_LETTERS,
    TRUE_FALSE_OPTIONS,
    Kind,
    QuestionDraft,
    problems,
)

MAX_QUESTIONS = 5000
BLANK = "（  ）"  # what a missing-word GIFT question shows where its answer block stood


class FormatError(UserError):
    """The file as a whole cannot be read; the message says why, in Chinese."""


@dataclass
class Parsed:
    """A row or question holding a value that cannot be read (an unknown 题型, an answer that is
    not a letter, an unsupported GIFT type) gives messages and no draft; every other one gives a
    draft, and what drafts.problems() finds in it is listed in errors too."""

    drafts: list[QuestionDraft] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def add(self, draft: QuestionDraft) -> None:
        self.drafts.append(draft)
        for problem in problems(draft):
            self.fail(draft.where, problem)

    def fail(self, where: str, problem: str) -> None:
        self.errors.append(f"{where}：{problem}")


class _Unreadable(ValueError):
    """One value of one question cannot be read; the message says which and why."""


def read_questions(filename: str, stream) -> Parsed:
    suffix = PurePath(filename or "").suffix.lower()
    if suffix in (".xlsx", ".xls"):  # an old .xls gets read_upload's “save it as .xlsx” hint
        return read_excel(stream)
    if suffix == ".csv":
        return read_csv(stream)
    if suffix in (".gift", ".txt"):
        text = _decode(_read_bounded(stream))
        if suffix == ".gift" or _text_format(text) == "gift":
            return read_gift(text)
        return read_aiken(text)
    named = f" {suffix}" if suffix else "（文件名没有扩展名）"
    raise FormatError(f"不支持的文件类型{named}，请上传 Excel（.xlsx）、CSV、GIFT 或 Aiken 文本")


def _text_format(text: str) -> str:
    """A .txt may be either: GIFT questions carry {…} answer blocks, Aiken ones end in ANSWER: lines."""
    blocks = len(re.findall(r"(?<!\\)\{[^{}]*(?<!\\)\}", text))
    answers = len(re.findall(r"^\s*ANSWER\s*[:：]", text, re.M | re.I))
    if not blocks and not answers:
        raise FormatError("无法识别文本题库的格式：GIFT 格式的题目带有 {…} 答案块，Aiken 格式的每道题以“ANSWER: 字母”一行结束")
    return "gift" if blocks >= answers else "aiken"


def _read_bounded(stream) -> bytes:
    """The whole upload, refused past the same limit, with the same words, as an Excel upload."""
    limit = current_app.config["IMPORT_MAX_BYTES"]
    data = stream.read(limit + 1)
    if not data:
        raise FormatError("上传的文件是空的")
    if len(data) > limit:
        raise FormatError(f"文件超过 {human_size(limit)} 的上限，请拆分后分批导入")
    return data


def _decode(data: bytes) -> str:
    """UTF-8 (Excel's “CSV UTF-8” adds a BOM), else GB18030: what Chinese Windows and Excel write."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):  # Notepad's “Unicode” is UTF-16 with a BOM
        return data.decode("utf-16")
    if b"\x00" in data:
        raise FormatError("上传的文件不是文本文件，请检查文件类型（Excel 文件请以 .xlsx 上传）")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise FormatError("无法识别文件的文字编码，请另存为 UTF-8 编码后重试")


def _check_count(count: int) -> None:
    if count > MAX_QUESTIONS:
        raise FormatError(f"题目超过 {MAX_QUESTIONS} 道的上限，请拆分后分批导入")


# Excel and CSV -----------------------------------------------------------------------------------

HEADERS = ["题型", "题干", *(f"选项{letter}" for letter in OPTION_LETTERS), "答案", "解析", "难度", "标签", "依据"]
REQUIRED = ["题型", "题干", "答案"]
KINDS = {label: kind for kind, label in KIND_LABELS.items()} | {
    label[:2]: kind for kind, label in KIND_LABELS.items()  # 单选, 多选, 判断, 填空
}
DIFFICULTIES = {"": 2, "易": 1, "简单": 1, "1": 1, "中": 2, "一般": 2, "中等": 2, "2": 2, "难": 3, "困难": 3, "3": 3}
TRUE_WORDS = {"正确", "对", "√", "✓", "✔", "T", "TRUE", "是"}
FALSE_WORDS = {"错误", "错", "×", "✗", "✘", "F", "FALSE", "否"}
CHOICE = (Kind.SINGLE, Kind.MULTIPLE)


def read_excel(stream) -> Parsed:
    try:
        sheet = read_upload(stream, HEADERS, REQUIRED)
    except SheetError as exc:
        raise FormatError(str(exc)) from None
    return _from_rows(sheet.rows)


def read_csv(stream) -> Parsed:
    text = _decode(_read_bounded(stream))
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        sheet = read_rows(reader, HEADERS, REQUIRED, current_app.config["IMPORT_MAX_ROWS"])
    except SheetError as exc:
        raise FormatError(str(exc)) from None
    except csv.Error:
        raise FormatError(f"CSV 文件第 {reader.line_num} 行无法读取，请用 Excel 或 WPS 重新另存为 CSV 后重试") from None
    return _from_rows(sheet.rows)


def _from_rows(rows: list[tuple[int, dict[str, str]]]) -> Parsed:
    _check_count(len(rows))
    parsed = Parsed()
    for number, record in rows:
        where = f"第 {number} 行"
        draft, unreadable = _draft_from_record(record)
        for problem in unreadable:
            parsed.fail(where, problem)
        if draft:
            draft.where = where
            parsed.add(draft)
    return parsed


def _draft_from_record(record: dict[str, str]) -> tuple[QuestionDraft | None, list[str]]:
    """The draft, or None and every value that cannot be read (a bad 题型 and a bad 难度 both show)."""
    unreadable = []

    def read(parse, *args):
        try:
            return parse(*args)
        except _Unreadable as exc:
            unreadable.append(str(exc))

    kind = read(_kind, record["题型"])
    difficulty = read(_difficulty, record["难度"])
    answer = read(_answer, kind, record["答案"]) if kind else None
    if unreadable:
        return None, unreadable
    options = _options(record) if kind in CHOICE else list(TRUE_FALSE_OPTIONS) if kind is Kind.TRUE_FALSE else []
    return QuestionDraft(kind, record["题干"], options, answer, explanation=record["解析"], difficulty=difficulty,
                         tags=_tags(record["标签"]), source=record["依据"]), []


def _kind(text: str) -> Kind:
    if text in KINDS:
        return KINDS[text]
    told = f"“{text}”无法识别" if text else "没有填写"
    raise _Unreadable(f"题型{told}（应为 单选题、多选题、判断题 或 填空题）")


def _difficulty(text: str) -> int:
    if text in DIFFICULTIES:
        return DIFFICULTIES[text]
    raise _Unreadable(f"难度“{text}”无法识别（应为 易、中 或 难）")


def _options(record: dict[str, str]) -> list[str]:
    # A gap (A, B, D filled) stays as an empty option, so problems() asks for consecutive options.
    options = [record[f"选项{letter}"] for letter in OPTION_LETTERS]
    while options and not options[-1]:
        options.pop()
    return options


def _answer(kind: Kind, text: str) -> list:
    text = text.strip()
    if not text:
        return []  # problems() says 没有答案
    if kind is Kind.FILL:
        return [a.strip() for a in re.split(r"[|｜]", text) if a.strip()]
    word = unicodedata.normalize("NFKC", text).upper()  # full-width Ａ, ，, ； as typed on Chinese keyboards
    if kind is Kind.TRUE_FALSE:
        if word in TRUE_WORDS or word in FALSE_WORDS:
            return [0 if word in TRUE_WORDS else 1]
        raise _Unreadable(f"判断题答案“{text}”无法识别（应为 正确 或 错误）")
    letters = re.sub(r"[\s,、;]+", "", word)
    if not (letters.isascii() and letters.isalpha()):
        raise _Unreadable(f"答案“{text}”无法识别（应为选项字母，如 B 或 ABD）")
    # A letter past F stays as text, so problems() names it: 答案 G 不在选项中.
    known = sorted({OPTION_LETTERS.index(c) for c in letters if c in OPTION_LETTERS})
    return known + sorted({c for c in letters if c not in OPTION_LETTERS})


def _tags(text: str) -> list[str]:
    return list(dict.fromkeys(t for t in re.split(r"[；;，,、\s]+", text) if t))


EXAMPLES = [
    QuestionDraft(Kind.SINGLE, "生产经营单位的主要负责人对本单位的安全生产工作（  ）。",
                  ["全面负责", "部分负责", "不负责任", "协助负责"], [0],
                  explanation="主要负责人是本单位安全生产第一责任人，对本单位的安全生产工作全面负责。",
                  difficulty=1, tags=["安全生产法", "主要负责人"], source="《中华人民共和国安全生产法》第五条"),
    QuestionDraft(Kind.MULTIPLE, "发现火灾时，下列做法正确的有（  ）。",
                  ["立即拨打 119 报警", "乘坐电梯快速下楼", "用湿毛巾捂住口鼻，低姿撤离", "沿疏散指示标志撤离"], [0, 2, 3],
                  explanation="火灾时电梯可能断电，井道还会成为烟囱，不能乘坐。", tags=["消防", "应急避险"],
                  source="《中华人民共和国消防法》第四十四条"),
    QuestionDraft(Kind.TRUE_FALSE, "从业人员发现直接危及人身安全的紧急情况时，有权停止作业或者在采取可能的应急措施后撤离作业场所。",
                  list(TRUE_FALSE_OPTIONS), [0], tags=["安全生产法", "从业人员权利"],
                  source="《中华人民共和国安全生产法》第五十五条"),
    QuestionDraft(Kind.FILL, "安全生产工作坚持安全第一、（  ）、综合治理的方针。", [], ["预防为主"],
                  difficulty=1, tags=["安全生产法"], source="《中华人民共和国安全生产法》第三条"),
]

NOTES = [
    "第 1 行为表头，请勿修改列名；列的顺序可以调整。题型、题干、答案三列必须有，其余各列不需要时可以整列删除。",
    "每行一道题，一个文件至多 5000 道题。“数据”表中的 4 行是示例，可直接覆盖。",
    "题型：单选题、多选题、判断题、填空题（也可写 单选、多选、判断、填空）。",
    f"题干：题目正文，不超过 {MAX_STEM} 字；空位写成（  ）。",
    f"选项A～选项F：单选题、多选题的选项，从选项A开始连续填写，至少 2 个、至多 {MAX_OPTIONS} 个，每个不超过 {MAX_OPTION} 字；"
    "判断题、填空题不填选项。",
    "答案：单选题填一个字母，如 B；多选题填两个或以上字母，如 ABD（也可写成 A,B,D 或 A、B、D）；"
    "判断题填 正确 或 错误（也可写 对/错、√/×）；"
    f"填空题填可接受的答案，有几种说法都算对时用 | 分隔，如 119|一一九，每个不超过 {MAX_FILL_ANSWER} 字。",
    "解析：答题后显示的讲解，可不填。",
    "难度：易、中、难（也可写 简单/一般/困难 或 1/2/3），不填按“中”。",
    "标签：用于组卷和统计，多个标签用“；”“，”或“、”分隔，如 安全生产法；主要负责人。",
    "依据：题目出处，写明法规或标准及条款，如 《中华人民共和国安全生产法》第五条。",
    "也可以上传 CSV 文件（列同本表，UTF-8 或 GBK 编码均可），以及 Moodle 的 GIFT 文本或 Aiken 文本。",
]


def excel_template() -> bytes:
    return write_excel(EXAMPLES)


def write_excel(drafts: Iterable[QuestionDraft]) -> bytes:
    """The template filled in, notes sheet included, so an exported bank can be edited and re-imported."""
    return template_bytes(HEADERS, [_row(d) for d in drafts], NOTES, ())


def _row(draft: QuestionDraft) -> list:
    options = draft.options[:MAX_OPTIONS] if draft.kind in CHOICE else []
    values = [KIND_LABELS[draft.kind], draft.stem, *options, *[""] * (MAX_OPTIONS - len(options)),
              _answer_text(draft), draft.explanation, DIFFICULTY_LABELS.get(draft.difficulty, ""),
              "；".join(draft.tags), draft.source]
    return [_text_cell(v) for v in values]


def _answer_text(draft: QuestionDraft) -> str:
    if draft.kind is Kind.FILL:
        return "|".join(draft.answer)
    if draft.kind is Kind.TRUE_FALSE:
        return "".join(TRUE_FALSE_OPTIONS[i] for i in draft.answer)
    return "".join(OPTION_LETTERS[i] for i in draft.answer)


def _text_cell(value: str):
    """Text starting with '=' would be written as a formula, which reads back empty (and runs in Excel)."""
    if not value.startswith("="):
        return value
    cell = Cell(None, value=value)
    cell.data_type = "s"
    return cell


# GIFT --------------------------------------------------------------------------------------------

# Escaped characters are swapped for private-use stand-ins before parsing, so every {, =, ~, #, :
# left in the text is syntax; the stand-ins become the plain characters again in the final text.
_HIDDEN = {"\\": "\ue000", "~": "\ue001", "=": "\ue002", "#": "\ue003", "{": "\ue004", "}": "\ue005",
           ":": "\ue006", "n": "\ue007"}
_SHOWN = str.maketrans({v: ("\n" if k == "n" else k) for k, v in _HIDDEN.items()})
_FORMAT = re.compile(r"\[(html|moodle|markdown|plain)\]\s*", re.I)


def read_gift(text: str) -> Parsed:
    parsed = Parsed()
    tag, number = "", 0
    for lines in _gift_chunks(text):
        question = []
        for line_no, line in lines:
            category = re.match(r"\s*\$CATEGORY:\s*(.*)", line)
            if category:
                tag = _category_tag(category.group(1))  # it applies to every question after it
            else:
                question.append((line_no, line))
        if not question:
            continue
        number += 1
        _check_count(number)
        _read_gift_question(parsed, number, question, tag)
    return parsed


def _gift_chunks(text: str) -> Iterator[list[tuple[int, str]]]:
    """Questions are separated by blank lines; lines starting with // are comments."""
    chunk: list[tuple[int, str]] = []
    for line_no, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            if chunk:
                yield chunk
            chunk = []
        elif not line.lstrip().startswith("//"):
            chunk.append((line_no, line))
    if chunk:
        yield chunk


def _category_tag(path: str) -> str:
    # $course$/top/安全生产/地震 → 地震; “top” and $course$ are Moodle's roots, not names.
    last = [part.strip() for part in path.split("/") if part.strip()][-1:]
    return "" if not last or last[0] == "top" or last[0].startswith("$") else last[0]


def _read_gift_question(parsed: Parsed, number: int, lines: list[tuple[int, str]], tag: str) -> None:
    text = _hide_escapes("\n".join(line for _, line in lines)).strip()
    title = re.match(r"::(.*?)::\s*", text, re.S)
    name = _shown(title.group(1)).strip() if title else ""
    where = f"第 {number} 题（{name or f'第 {lines[0][0]} 行'}）"
    try:
        draft = _gift_draft(text[title.end():] if title else text)
    except _Unreadable as exc:
        parsed.fail(where, str(exc))
        return
    draft.tags = [tag] if tag else []
    draft.where = where
    parsed.add(draft)


def _hide_escapes(text: str) -> str:
    text = re.sub("[\ue000-\ue007]", "", text)  # the stand-ins themselves never occur in a question
    return re.sub(r"\\([\\~=#{}:n])", lambda m: _HIDDEN[m.group(1)], text)


def _gift_draft(text: str) -> QuestionDraft:
    fmt = _FORMAT.match(text)
    is_html = bool(fmt) and fmt.group(1).lower() == "html"
    text = text[fmt.end():] if fmt else text
    start = text.find("{")
    if start < 0:
        raise _Unreadable("GIFT 说明文字（description，没有答案）本系统不支持")
    end = text.find("}", start)
    if end < 0:
        raise _Unreadable("答案块缺少右花括号 }")
    before, block, after = text[:start], text[start + 1:end], text[end + 1:]
    if "{" in after:
        raise _Unreadable("一道题只能有一个 {…} 答案块")
    stem = before + BLANK + after if after.strip() else before  # missing-word format
    block, _, feedback = block.partition("####")  # general feedback is shown after answering
    kind, options, answer = _gift_answers(block.strip())
    if kind is Kind.FILL:
        answer = [_gift_text(a, is_html) for a in answer]
    return QuestionDraft(kind, _gift_text(stem, is_html), [_gift_text(o, is_html) for o in options], answer,
                         explanation=_gift_text(feedback, is_html))


def _gift_answers(body: str) -> tuple[Kind, list[str], list]:
    if not body:
        raise _Unreadable("GIFT 论述题（essay）本系统不支持")
    if body.startswith("#"):
        raise _Unreadable("GIFT 数值题（numerical）本系统不支持")
    if "->" in body:
        raise _Unreadable("GIFT 匹配题（matching）本系统不支持")
    true_false = re.fullmatch(r"(TRUE|FALSE|T|F)\s*(#.*)?", body, re.I | re.S)  # #… is per-answer feedback
    if true_false:
        return Kind.TRUE_FALSE, list(TRUE_FALSE_OPTIONS), [0 if true_false.group(1).upper()[0] == "T" else 1]
    if body[0] not in "=~":
        raise _Unreadable("答案块无法识别（选择题、填空题的每个答案应以 = 或 ~ 开头）")
    items = [_gift_item(marker, rest) for marker, rest in re.findall(r"([=~])([^=~]*)", body)]
    if all(marker == "=" for marker, _, _ in items):  # short answer: every = is an accepted answer
        if any(weight != 100 for _, weight, _ in items):
            raise _Unreadable("部分得分的填空答案（=%50%）本系统不支持：每个可接受的答案都应得满分")
        return Kind.FILL, [], [text for _, _, text in items if text]
    correct = [i for i, (_, weight, _) in enumerate(items) if weight > 0]
    # A right answer here is all-or-nothing: one option worth 100 %, or several whose shares make
    # 100 % together (Moodle's multiple answer). Other partial credit cannot be kept faithfully.
    if correct and abs(sum(items[i][1] for i in correct) - 100) > 0.5:
        raise _Unreadable("部分得分的选项（如 %50% 单独出现）本系统不支持：正确选项的分值合计应为 100%")
    return Kind.MULTIPLE if len(correct) > 1 else Kind.SINGLE, [text for _, _, text in items], correct


def _gift_item(marker: str, rest: str) -> tuple[str, float, str]:
    """(marker, weight, text): = is right unless weighted; ~%50% is one of several right answers."""
    weight = re.match(r"\s*%(-?\d+(?:\.\d+)?)%", rest)
    text = rest[weight.end():] if weight else rest
    value = float(weight.group(1)) if weight else 100.0 if marker == "=" else 0.0
    return marker, value, text.partition("#")[0].strip()  # what follows # is per-answer feedback


def _gift_text(text: str, is_html: bool) -> str:
    fmt = _FORMAT.match(text.strip())
    if fmt:  # an answer may carry its own [html] prefix
        is_html = is_html or fmt.group(1).lower() == "html"
        text = text.strip()[fmt.end():]
    if is_html:
        text = re.sub(r"<br\s*/?>|</p>", "\n", text, flags=re.I)
        text = html.unescape(re.sub(r"<[^>]*>", "", text)).replace("\xa0", " ")  # &nbsp; is a plain space here
    return _shown(text).strip()


def _shown(text: str) -> str:
    return text.translate(_SHOWN)


def write_gift(drafts: Iterable[QuestionDraft]) -> str:
    """One question per paragraph; a question's first tag becomes its $CATEGORY (read back as its tag)."""
    out, category = [], ""
    for draft in drafts:
        tag = draft.tags[0] if draft.tags else ""
        if tag != category:
            out.append(f"$CATEGORY: $course$/top/{tag}" if tag else "$CATEGORY: $course$/top")
            category = tag
        out.append(_gift_question(draft))
    return "\n\n".join(out) + "\n"


def _gift_question(draft: QuestionDraft) -> str:
    title = _gift_escape(" ".join(draft.stem.split())[:30])  # the question's name in Moodle, and in messages
    block = _gift_block(draft)
    before, blank, after = draft.stem.partition(BLANK)
    if blank and after.strip() and BLANK not in after:  # missing-word: the block stands in the blank
        return f"::{title}::{_gift_escape(before)}{block}{_gift_escape(after)}"
    return f"::{title}::{_gift_escape(draft.stem)} {block}"


def _gift_block(draft: QuestionDraft) -> str:
    if draft.kind is Kind.TRUE_FALSE:
        lines = ["TRUE" if draft.answer == [0] else "FALSE"]
    elif draft.kind is Kind.FILL:
        lines = [f"={_gift_escape(a)}" for a in draft.answer]
    elif draft.kind is Kind.SINGLE:
        lines = [("=" if i in draft.answer else "~") + _gift_escape(o) for i, o in enumerate(draft.options)]
    else:  # right answers share 100%; a wrong one costs the question, as all-or-nothing marking does
        share = f"{100 / max(len(draft.answer), 1):.5f}".rstrip("0").rstrip(".")
        lines = [f"~%{share if i in draft.answer else '-100'}%{_gift_escape(o)}" for i, o in enumerate(draft.options)]
    if draft.explanation:
        lines.append(f"####{_gift_escape(draft.explanation)}")
    return "{\n" + "\n".join(f"\t{line}" for line in lines) + "\n}"


def _gift_escape(text: str) -> str:
    text = re.sub(r"([\\~=#{}:])", r"\\\1", text)
    return text.replace("\r\n", "\n").replace("\n", "\\n")


# Aiken -------------------------------------------------------------------------------------------

_AIKEN_OPTION = re.compile(r"([A-ZＡ-Ｚ])\s*[.．)）、]\s*(.*)")
_AIKEN_ANSWER = re.compile(r"ANSWER\s*[:：]\s*(.*)", re.I)
NO_ANSWER = "没有 ANSWER 行（Aiken 格式每道题的最后一行应为“ANSWER: 正确选项的字母”）"


@dataclass
class _AikenQuestion:
    number: int
    line_no: int
    stem: list[str]
    labels: str = ""
    options: list[str] = field(default_factory=list)

    @property
    def where(self) -> str:
        return f"第 {self.number} 题（第 {self.line_no} 行）"


def read_aiken(text: str) -> Parsed:
    """A stem line (or lines), options “A. …”, then “ANSWER: B”; every question is a single choice."""
    parsed = Parsed()
    question, count = None, 0
    for line_no, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        answer = _AIKEN_ANSWER.fullmatch(line)
        option = _AIKEN_OPTION.fullmatch(line)
        if question and answer:
            _add_aiken(parsed, question, answer.group(1))
            question = None
        elif question and option:
            question.labels += unicodedata.normalize("NFKC", option.group(1))
            question.options.append(option.group(2).strip())
        elif question and not question.options:
            if line:
                question.stem.append(line)  # a stem may run over several lines
        elif line:
            if question:  # a new stem after options: the question before it lost its ANSWER line
                parsed.fail(question.where, NO_ANSWER)
            if answer:
                parsed.fail(f"第 {line_no} 行", "ANSWER 行前面没有题目")
                question = None
                continue
            count += 1
            _check_count(count)
            question = _AikenQuestion(count, line_no, [line])
        elif question:  # a blank line after the options ends the question
            parsed.fail(question.where, NO_ANSWER)
            question = None
    if question:
        parsed.fail(question.where, NO_ANSWER)
    return parsed


def _add_aiken(parsed: Parsed, question: _AikenQuestion, answer_text: str) -> None:
    if question.labels != string.ascii_uppercase[:len(question.labels)]:
        parsed.fail(question.where, f"选项字母 {'、'.join(question.labels)} 应从 A 开始依次排列")
        return
    try:
        answer = _answer(Kind.SINGLE, answer_text)
    except _Unreadable as exc:
        parsed.fail(question.where, str(exc))
        return
    parsed.add(QuestionDraft(Kind.SINGLE, "\n".join(question.stem), question.options, answer, where=question.where))
