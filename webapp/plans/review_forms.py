"""Forms of the review page: comments and replies, suggestions and decisions, the expert review
record, status moves, filing and returning for revision. Lengths and types here; the rules are in
review.py and services.py."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional

from webapp.common.choices import choices
from webapp.plans.review import CONCLUSIONS, MAX_BODY, MAX_EXPERTS, MAX_OPINIONS, REVIEW_FORMS

EXPERT_ROWS = 7


class CommentForm(FlaskForm):
    section_key = StringField(validators=[Length(max=16)])
    parent_id = IntegerField(validators=[Optional()])
    # Length is checked by the service (its message names the count); the bound here stops abuse.
    body = TextAreaField(_l("评论"), validators=[Length(max=MAX_BODY * 4, message=_l("评论内容过长"))])
    next = HiddenField()


class ProposeForm(FlaskForm):
    content = TextAreaField(_l("建议修改后的内容"), validators=[Length(max=2_000_000)])
    note = TextAreaField(_l("修改说明"), validators=[Length(max=MAX_BODY * 4)])
    next = HiddenField()


class DecideForm(FlaskForm):
    decision = SelectField(choices=choices([("accept", "采纳"), ("reject", "拒绝")]),
                           validators=[DataRequired(_l("请选择采纳或拒绝"))])
    reason = TextAreaField(_l("拒绝理由"), validators=[Length(max=MAX_BODY * 4)])
    next = HiddenField()


class ResolveForm(FlaskForm):
    action = SelectField(choices=choices([("resolve", "标记为已解决"), ("reopen", "重新打开")]),
                         validators=[DataRequired()])
    next = HiddenField()


class ExpertRow(Form):
    name = StringField(_l("姓名"), validators=[Length(max=32, message=_l("专家姓名不能超过 32 字"))])
    title = StringField(_l("职称/职务"), validators=[Length(max=64, message=_l("职称不能超过 64 字"))])
    unit = StringField(_l("工作单位"), validators=[Length(max=100, message=_l("工作单位不能超过 100 字"))])


class ReviewForm(FlaskForm):
    held_on = DateField(_l("评审日期"), validators=[DataRequired(_l("请填写评审日期（年-月-日）"))])
    form = SelectField(_l("形式"), choices=choices((f, f) for f in REVIEW_FORMS), default="评审")
    experts = FieldList(FormField(ExpertRow), min_entries=EXPERT_ROWS, max_entries=MAX_EXPERTS)
    opinions = TextAreaField(_l("评审意见"), validators=[
        Length(max=MAX_OPINIONS, message=_l("评审意见不能超过 5000 字"))])
    conclusion = SelectField(_l("评审结论"), choices=choices([("", "（请选择）")] + [(c, c) for c in CONCLUSIONS]))


class StatusForm(FlaskForm):
    to = StringField(validators=[DataRequired(_l("请选择要变更的状态"))])
    note = StringField(_l("说明"), validators=[Length(max=500, message=_l("说明不能超过 500 字"))])
    issued_on = DateField(_l("发布日期"), validators=[Optional()])


class FilingForm(FlaskForm):
    filing_number = StringField(_l("备案编号"), validators=[Length(max=64, message=_l("备案编号不能超过 64 字"))])
    filed_on = DateField(_l("备案日期"), validators=[Optional()])
    note = StringField(_l("说明"), validators=[Length(max=500, message=_l("说明不能超过 500 字"))])


class ReturnForm(FlaskForm):
    problems = TextAreaField(_l("发现的问题（整改意见，每行一条）"), validators=[
        Length(max=10000, message=_l("整改意见不能超过 10000 字"))])
    assignee = StringField(_l("负责整改的单位或人员"), validators=[
        Length(max=100, message=_l("负责整改的单位或人员不能超过 100 字"))])
    due_on = DateField(_l("整改期限"), validators=[Optional()])
