"""A question as read from a file or a form, before it is saved: the one shape every importer
(Excel, CSV, GIFT, Aiken) produces and every exporter consumes, and the rules a question must meet.
"""

import hashlib
import unicodedata
from dataclasses import dataclass, field
from enum import StrEnum


class Kind(StrEnum):
    SINGLE = "single"
    MULTIPLE = "multiple"
    TRUE_FALSE = "true_false"
    FILL = "fill"


KIND_LABELS = {Kind.SINGLE: "单选题", Kind.MULTIPLE: "多选题", Kind.TRUE_FALSE: "判断题", Kind.FILL: "填空题"}
TRUE_FALSE_OPTIONS = ["正确", "错误"]
DIFFICULTY_LABELS = {1: "易", 2: "中", 3: "难"}
OPTION_LETTERS = "ABCDEF"
MAX_OPTIONS = len(OPTION_LETTERS)
MAX_STEM = 2000
MAX_OPTION = 500
MAX_FILL_ANSWER = 200


@dataclass
class QuestionDraft:
    kind: Kind
    stem: str
    # choice questions: option texts in order (A, B, …); true/false: TRUE_FALSE_OPTIONS; fill: []
    options: list[str] = field(default_factory=list)
    # choice and true/false: 0-based indexes of the correct options, ascending; fill: accepted answers
    answer: list = field(default_factory=list)
    explanation: str = ""
    difficulty: int = 2
    tags: list[str] = field(default_factory=list)
    source: str = ""  # 依据: the law or standard and its article, e.g. 《中华人民共和国安全生产法》第二十一条
    where: str = ""  # where it came from, for messages: "第 5 行", "第 3 题（安全生产法-01）"


def problems(draft: QuestionDraft) -> list[str]:
    """What is wrong with a draft, in Chinese, as a user would fix it; [] when it can be saved."""
    out = []
    stem = draft.stem.strip()
    if not stem:
        out.append("题干为空")
    elif len(stem) > MAX_STEM:
        out.append(f"题干超过 {MAX_STEM} 字")
    if draft.difficulty not in DIFFICULTY_LABELS:
        out.append("难度应为 易、中 或 难")
    if draft.kind is Kind.FILL:
        answers = [a.strip() for a in draft.answer if str(a).strip()]
        if not answers:
            out.append("没有答案（填空题至少要有一个可接受的答案）")
        elif any(len(a) > MAX_FILL_ANSWER for a in answers):
            out.append(f"填空题答案超过 {MAX_FILL_ANSWER} 字")
        return out
    options = draft.options
    if draft.kind is Kind.TRUE_FALSE:
        if options != TRUE_FALSE_OPTIONS:
            out.append("判断题的选项应为 正确、错误")
    elif len(options) < 2:
        out.append("选项少于 2 个")
    elif len(options) > MAX_OPTIONS:
        out.append(f"选项多于 {MAX_OPTIONS} 个")
    else:
        if any(not o.strip() for o in options):
            out.append("有空白选项（选项须从 A 开始连续填写）")
        if any(len(o) > MAX_OPTION for o in options):
            out.append(f"选项超过 {MAX_OPTION} 字")
        if len({o.strip() for o in options}) < len(options):
            out.append("有重复的选项")
    if not draft.answer:
        out.append("没有答案")
        return out
    outside = [i for i in draft.answer if not isinstance(i, int) or not 0 <= i < len(options)]
    if outside:
        letters = "、".join(OPTION_LETTERS[i] if isinstance(i, int) and 0 <= i < MAX_OPTIONS else str(i)
                           for i in outside)
        out.append(f"答案 {letters} 不在选项中")
    elif draft.kind in (Kind.SINGLE, Kind.TRUE_FALSE) and len(draft.answer) != 1:
        out.append(f"{KIND_LABELS[draft.kind]}只能有一个答案")
    elif draft.kind is Kind.MULTIPLE and len(draft.answer) < 2:
        out.append("多选题至少要有两个正确答案（只有一个时请改为单选题）")
    return out


def normalized(text: str) -> str:
    """Text reduced to what makes two texts the same: no spaces or punctuation, full-width and
    half-width alike, case ignored."""
    text = unicodedata.normalize("NFKC", text).lower()
    return "".join(ch for ch in text if ch.isalnum())


def fingerprint(stem: str, options: list[str] | tuple = ()) -> str:
    """A fixed-size key of the normalized stem and options: two questions are the same when both
    match (a generic stem such as 下列说法正确的是（  ） is shared by different questions). A
    digest, because an index on a long stem would overflow PostgreSQL's index row limit."""
    text = normalized(stem)
    if not text:
        return ""
    key = text + "|" + "|".join(sorted(normalized(o) for o in options))
    return hashlib.sha1(key.encode()).hexdigest()
