"""Question bank forms: a bank, one question, an import. The forms check what a field can hold
(letters, lengths); what makes a question valid (drafts.problems) is checked when it is saved, so a
form and an imported file get the same messages."""

import re
import unicodedata

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from webapp.common.choices import choices
from webapp.quiz.banks import MAX_TAG
from webapp.quiz.drafts import (
    DIFFICULTY_LABELS,
    KIND_LABELS,
    MAX_FILL_ANSWER,
    MAX_OPTION,
    MAX_STEM,
    OPTION_LETTERS,
    TRUE_FALSE_OPTIONS,
    Kind,
    QuestionDraft,
)

IMPORT_EXTENSIONS = ["xlsx", "csv", "txt", "gift"]
TRUE_FALSE_WORDS = {"A": 0, "正确": 0, "对": 0, "√": 0, "B": 1, "错误": 1, "错": 1, "×": 1}
_TAG_SPLIT = re.compile(r"[；;，,、]")
_FILL_SPLIT = re.compile(r"[|｜]")
_ANSWER_NOISE = re.compile(r"[\s,，、;；/]")


class BankForm(FlaskForm):
    name = StringField(_l("题库名称"), validators=[DataRequired(_l("请填写题库名称")), Length(max=100)])
    description = StringField(_l("说明"), validators=[Optional(), Length(max=500)])


class QuestionForm(FlaskForm):
    kind = SelectField(_l("题型"), choices=choices((k.value, label) for k, label in KIND_LABELS.items()))
    stem = TextAreaField(_l("题干"), validators=[DataRequired(_l("请填写题干")), Length(max=MAX_STEM)])
    option_a = StringField("A", validators=[Optional(), Length(max=MAX_OPTION)])
    option_b = StringField("B", validators=[Optional(), Length(max=MAX_OPTION)])
    option_c = StringField("C", validators=[Optional(), Length(max=MAX_OPTION)])
    option_d = StringField("D", validators=[Optional(), Length(max=MAX_OPTION)])
    option_e = StringField("E", validators=[Optional(), Length(max=MAX_OPTION)])
    option_f = StringField("F", validators=[Optional(), Length(max=MAX_OPTION)])
    answer = StringField(_l("答案"), validators=[DataRequired(_l("请填写答案")), Length(max=1000)])
    explanation = TextAreaField(_l("解析"), validators=[Optional(), Length(max=2000)])
    difficulty = SelectField(_l("难度"), coerce=int, default=2,
                             choices=choices(DIFFICULTY_LABELS.items()))
    tags = StringField(_l("标签"), validators=[Optional(), Length(max=300)])
    source = StringField(_l("依据"), validators=[Optional(), Length(max=255)])

    def option_fields(self):
        return [self[f"option_{letter.lower()}"] for letter in OPTION_LETTERS]

    def validate_answer(self, field):
        self._answer()  # raises ValidationError with the message for the field

    def validate_tags(self, field):
        long = [t for t in split_tags(field.data or "") if len(t) > MAX_TAG]
        if long:
            raise ValidationError(f"标签“{long[0]}”超过 {MAX_TAG} 字")

    def fill_from(self, draft: QuestionDraft) -> None:
        """Show a saved question (GET of the edit page)."""
        self.kind.data = draft.kind.value
        self.stem.data = draft.stem
        options = draft.options if draft.kind in (Kind.SINGLE, Kind.MULTIPLE) else []
        for field, text in zip(self.option_fields(), options + [""] * len(OPTION_LETTERS), strict=False):
            field.data = text
        if draft.kind is Kind.FILL:
            self.answer.data = " | ".join(draft.answer)
        else:
            self.answer.data = "".join(OPTION_LETTERS[i] for i in draft.answer)
        self.explanation.data = draft.explanation
        self.difficulty.data = draft.difficulty
        self.tags.data = "；".join(draft.tags)
        self.source.data = draft.source

    def draft(self) -> QuestionDraft:
        """The question as typed (call after validate): options A–F up to the last one filled in —
        a blank one before it stays, so the rules can say options must be consecutive."""
        kind = Kind(self.kind.data)
        if kind is Kind.TRUE_FALSE:
            options = list(TRUE_FALSE_OPTIONS)
        elif kind is Kind.FILL:
            options = []
        else:
            options = [(f.data or "").strip() for f in self.option_fields()]
            while options and not options[-1]:
                options.pop()
        return QuestionDraft(kind=kind, stem=(self.stem.data or "").strip(), options=options, answer=self._answer(),
                             explanation=(self.explanation.data or "").strip(), difficulty=self.difficulty.data,
                             tags=split_tags(self.tags.data or ""), source=(self.source.data or "").strip())

    def _answer(self) -> list:
        text = unicodedata.normalize("NFKC", self.answer.data or "").strip()
        kind = self.kind.data
        if kind == Kind.FILL.value:
            answers = [a.strip() for a in _FILL_SPLIT.split(text) if a.strip()]
            if any(len(a) > MAX_FILL_ANSWER for a in answers):
                raise ValidationError(f"每个答案不能超过 {MAX_FILL_ANSWER} 字")
            return answers
        if kind == Kind.TRUE_FALSE.value:
            word = text.upper()
            if word not in TRUE_FALSE_WORDS:
                raise ValidationError("判断题答案请填写 A（正确）或 B（错误）")
            return [TRUE_FALSE_WORDS[word]]
        letters = _ANSWER_NOISE.sub("", text).upper()
        if not letters or any(ch not in OPTION_LETTERS for ch in letters):
            raise ValidationError(f"答案请填写选项字母（{OPTION_LETTERS[0]}–{OPTION_LETTERS[-1]}），如 A 或 ABD")
        return sorted({OPTION_LETTERS.index(ch) for ch in letters})


def split_tags(text: str) -> list[str]:
    return list(dict.fromkeys(t.strip() for t in _TAG_SPLIT.split(text) if t.strip()))


class ImportForm(FlaskForm):
    bank_id = SelectField(_l("导入到题库"), coerce=int)
    new_bank = StringField(_l("或新建题库，名称"), validators=[Length(max=100)])
    file = FileField(_l("题目文件（.xlsx、.csv、.txt 或 .gift）"), validators=[
        FileRequired(_l("请选择要导入的文件")),
        FileAllowed(IMPORT_EXTENSIONS, _l("只能导入 .xlsx、.csv、.txt 或 .gift 文件")),
    ])

    def validate_new_bank(self, field):
        if not self.bank_id.data and not (field.data or "").strip():
            raise ValidationError("请选择一个题库，或填写新题库的名称")
