"""Quiz forms. The paper rules are one row per question type (count, points, optional tags) over
the banks chosen for the quiz: the way an organizer says 单选 20 题每题 2 分."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from webapp.common.choices import choices
from webapp.quiz.drafts import KIND_LABELS
from webapp.quiz.models import QUIZ_KIND_LABELS, IdentityMode, PaperMode

RULE_KINDS = list(KIND_LABELS)


class QuizForm(FlaskForm):
    title = StringField(_l("名称"), validators=[DataRequired(_l("请填写名称")), Length(max=200)])
    kind = SelectField(_l("类型"), choices=choices((k.value, v) for k, v in QUIZ_KIND_LABELS.items()))
    description = TextAreaField(_l("说明（显示在答题首页）"), validators=[Optional(), Length(max=2000)])
    bank_ids = SelectMultipleField(_l("题库"), coerce=int, validators=[DataRequired(_l("请至少选择一个题库"))])
    paper_mode = SelectField(_l("组卷方式"), choices=choices([
        (PaperMode.RANDOM.value, "每人随机抽题"), (PaperMode.FIXED.value, "统一试卷（发布时抽定）")]))
    shuffle_questions = BooleanField(_l("打乱题目顺序"), default=True)
    shuffle_options = BooleanField(_l("打乱选项顺序"), default=True)
    partial_credit = BooleanField(_l("多选题少选得一半分（有错选不得分）"))
    time_limit_minutes = IntegerField(_l("答题限时（分钟，空为不限）"), validators=[Optional(), NumberRange(1, 600)])
    opens_at = DateTimeLocalField(_l("开始时间"), format="%Y-%m-%dT%H:%M", validators=[Optional()])
    closes_at = DateTimeLocalField(_l("结束时间"), format="%Y-%m-%dT%H:%M", validators=[Optional()])
    max_attempts = IntegerField(_l("每人可答次数"), default=1, validators=[NumberRange(1, 20, _l("每人可答次数应在 1 到 20 之间"))])
    identity_mode = SelectField(_l("参与方式"), choices=choices([
        (IdentityMode.PUBLIC.value, "公开：填写姓名、手机号"), (IdentityMode.ROSTER.value, "限定名单：姓名 + 身份证号后六位")]))
    ask_organization = BooleanField(_l("要求选择所在单位（用于单位排名）"), default=True)
    show_explanations = BooleanField(_l("公布答案与解析（答题结束后，交卷者可在成绩页查看）"), default=True)
    pass_mark = IntegerField(_l("及格分（考试）"), validators=[Optional(), NumberRange(0, 1000)])


for _kind in RULE_KINDS:
    setattr(QuizForm, f"count_{_kind.value}", IntegerField(
        _l("题数"), default=0, validators=[Optional(), NumberRange(0, 200, _l("题数应在 0 到 200 之间"))]))
    setattr(QuizForm, f"points_{_kind.value}", StringField(_l("每题分值"), default="", validators=[Optional(), Length(max=8)]))
    setattr(QuizForm, f"tags_{_kind.value}", StringField(_l("限定标签"), validators=[Optional(), Length(max=200)]))


class JoinForm(FlaskForm):
    """The phone's identity form. CSRF is on: the join page sets the token before the post."""

    name = StringField(_l("姓名"), validators=[Length(max=32)])
    phone = StringField(_l("手机号"), validators=[Optional(), Length(max=20)])
    id_last6 = StringField(_l("身份证号后六位"), validators=[Optional(), Length(max=6)])
    organization_id = SelectField(_l("所在单位"), coerce=int, validate_choice=False)


class AwardsForm(FlaskForm):
    tiers = StringField(_l("奖项与人数"), default="一等奖 3，二等奖 5，三等奖 10", validators=[Length(max=200)])
    min_score = IntegerField(_l("其余达到此分数的也发证（可空）"), validators=[Optional(), NumberRange(0, 1000)])
    min_award = StringField(_l("其名称"), default="优秀奖", validators=[Optional(), Length(max=20)])
    output = SelectField(_l("输出"), choices=choices([("pdf", "合并为一个 PDF 打印文件"), ("docx", "合并为一个 Word 打印文件"),
                                                      ("zip", "每份一个 Word 文件（.zip）")]))
