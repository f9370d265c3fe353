"""Plan reviewer forms: the registry fields of a plan, a section's text, an attachment. Lengths
and types here; the rules (which kinds fit which owner, the hazard's subtypes) are in services.py."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import IntegerField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from webapp.common.identifiers import normalize_phone
from webapp.plans.models import GOVERNMENT_KINDS, HAZARD_LABELS, HAZARD_SUBTYPES, KIND_LABELS


def kind_choices() -> list[SelectChoice]:
    """Plan kinds grouped as the two regimes name them: 政府 (国办发〔2024〕5号) and 企业 (2019 办法)."""
    return [SelectChoice("", "（请选择预案类型）")] + [
        SelectChoice(kind.value, label, optgroup="政府及部门、基层单位" if kind in GOVERNMENT_KINDS else "生产经营单位（企业）")
        for kind, label in KIND_LABELS.items()]


def hazard_choices() -> list[SelectChoice]:
    return [SelectChoice("", "（请选择突发事件类别）")] + [SelectChoice(h.value, label) for h, label in HAZARD_LABELS.items()]


def subtype_choices() -> list[SelectChoice]:
    """Every subtype under its hazard's optgroup; the form's script shows only the chosen hazard's."""
    return [SelectChoice("", "（不细分）")] + [
        SelectChoice(subtype, subtype, render_kw={"data-hazard": hazard.value}, optgroup=HAZARD_LABELS[hazard])
        for hazard, subtypes in HAZARD_SUBTYPES.items() for subtype in subtypes]


def _phone(form, field) -> None:
    if field.data and field.data.strip():
        try:
            field.data = normalize_phone(field.data)
        except ValueError as exc:
            raise ValidationError(str(exc)) from None


class PlanForm(FlaskForm):
    title = StringField(_l("预案名称"), validators=[DataRequired(_l("请填写预案名称")), Length(max=200)])
    organization_id = SelectField(_l("编制单位"), coerce=int, validate_choice=False)
    kind = SelectField(_l("预案类型"), validate_choice=False)
    hazard = SelectField(_l("突发事件类别"), validate_choice=False)
    hazard_subtype = SelectField(_l("事件子类"), validate_choice=False)
    response_levels = StringField(_l("响应分级"), validators=[Optional(), Length(max=100)])
    responsible_person = StringField(_l("责任人"), validators=[Optional(), Length(max=64)])
    responsible_phone = StringField(_l("责任人电话"), validators=[Optional(), Length(max=24), _phone])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = kind_choices()
        self.hazard.choices = hazard_choices()
        self.hazard_subtype.choices = subtype_choices()


class SectionForm(FlaskForm):
    title = StringField(_l("章节标题"), validators=[DataRequired(_l("章节标题不能为空")), Length(max=200)])
    content = TextAreaField(_l("正文"), validators=[Optional(), Length(max=2_000_000)])
    base_revision = IntegerField(validators=[InputRequired(_l("缺少本节的修订号，请刷新页面后重试"))])


class AttachmentTitleForm(FlaskForm):
    title = StringField(_l("附件名称"), validators=[DataRequired(_l("请填写附件名称")), Length(max=200)])


class AttachmentFileForm(FlaskForm):
    file = FileField(_l("文件"), validators=[FileRequired(_l("请选择要上传的文件"))])

