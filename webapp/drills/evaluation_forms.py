"""Forms of the evaluation: the score sheet's text fields (the scores themselves are one input per
item, named score_<item id> and remark_<item id>, read by the view because the sheet's lines
vary), and a score-sheet item. Types and lengths here; the rules are in evaluation.py."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import Length, NumberRange, Optional

from webapp.common.choices import choices
from webapp.drills.models import FORM_ORG_LABELS

TEXT_MAX = 4000


class EvaluationForm(FlaskForm):
    evaluated_on = DateField(_l("评估日期"), validators=[Optional()])
    evaluators = TextAreaField(_l("评估人员（每行一人：姓名（单位））"), validators=[
        Length(max=TEXT_MAX, message=_l("评估人员不能超过 4000 字"))])
    summary = TextAreaField(_l("演练实施情况"), validators=[
        Length(max=TEXT_MAX, message=_l("演练实施情况不能超过 4000 字"))])
    plan_assessment = TextAreaField(_l("预案的合理性与可操作性"), validators=[
        Length(max=TEXT_MAX, message=_l("预案评估意见不能超过 4000 字"))])
    conclusion = TextAreaField(_l("评估结论"), validators=[
        Length(max=TEXT_MAX, message=_l("评估结论不能超过 4000 字"))])
    suggestions = TextAreaField(_l("改进建议（含预案修订建议）"), validators=[
        Length(max=TEXT_MAX, message=_l("改进建议不能超过 4000 字"))])


class ItemForm(FlaskForm):
    form_org = SelectField(_l("适用的演练形式"), validate_choice=False,
                           choices=choices([("", "（请选择）")] + [(f.value, label) for f, label in FORM_ORG_LABELS.items()]))
    category = StringField(_l("评估要素"), validators=[Length(max=32, message=_l("评估要素不能超过 32 字"))])
    title = TextAreaField(_l("评估内容"), validators=[Length(max=300, message=_l("评估内容不能超过 300 字"))])
    max_score = IntegerField(_l("分值"), validators=[Optional()])  # 1–100: evaluation.save_item
    position = IntegerField(_l("序号"), validators=[Optional(), NumberRange(0, 9999, message=_l("序号应在 0 至 9999 之间"))])
