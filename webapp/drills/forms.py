"""Drill officer forms: the drill itself (one form for planning and recording it), the status
buttons and the photo upload. Lengths and types here; the rules (a held drill is dated and not in
the future, no withdrawn plan, counts not negative) are in services.py, which reports them in
Chinese. Numbers and times arrive as text so that services name what is wrong, with its rules."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, Optional

from webapp.drills.models import (
    FORM_CONTENT_LABELS,
    FORM_ORG_LABELS,
    FORM_PURPOSE_LABELS,
    STATUS_LABELS,
    DrillStatus,
)
from webapp.plans.forms import hazard_choices, subtype_choices
from webapp.registry.models import INDUSTRIES

# A new drill is planned, being prepared or already held; evaluation comes after it is recorded.
NEW_STATUSES = (DrillStatus.PLANNED, DrillStatus.PREPARING, DrillStatus.CONDUCTED)


def _choices(labels: dict, blank: str | None = None) -> list[SelectChoice]:
    head = [SelectChoice("", blank)] if blank else []
    return head + [SelectChoice(key.value, label) for key, label in labels.items()]


class DrillForm(FlaskForm):
    title = StringField(_l("演练名称"), validators=[Length(max=200)])
    organization_id = SelectField(_l("组织单位"), coerce=int, validate_choice=False)
    plan_ids = SelectMultipleField(_l("演练的预案"), validate_choice=False)  # ids checked by services
    industry = SelectField(_l("行业类型"), validate_choice=False)
    hazard = SelectField(_l("事件类别"), validate_choice=False)
    hazard_subtype = SelectField(_l("事件子类"), validate_choice=False)
    form_org = SelectField(_l("组织形式"), validate_choice=False)
    form_content = SelectField(_l("演练内容"), validate_choice=False)
    form_purpose = SelectField(_l("演练目的类型"), validate_choice=False)
    status = SelectField(_l("演练状态"), validate_choice=False)
    planned_on = DateField(_l("计划日期"), validators=[Optional()], format=["%Y-%m-%d", "%Y/%m/%d"])
    held_on = DateField(_l("实施日期"), validators=[Optional()], format=["%Y-%m-%d", "%Y/%m/%d"])
    start_time = StringField(_l("开始时间"), validators=[Length(max=5)])
    duration_minutes = StringField(_l("时长（分钟）"), validators=[Length(max=6)])
    location = StringField(_l("演练地点"), validators=[Length(max=200)])
    purpose = TextAreaField(_l("演练目的"), validators=[Length(max=2000)])
    scenario = TextAreaField(_l("演练情景"), validators=[Length(max=4000)])
    safety_measures = TextAreaField(_l("安全保障措施"), validators=[Length(max=2000)])
    commander = StringField(_l("总指挥"), validators=[Length(max=64)])
    recorder = StringField(_l("记录人"), validators=[Length(max=64)])
    participants = StringField(_l("参演人数"), validators=[Length(max=8)])
    participant_units = StringField(_l("参演单位数"), validators=[Length(max=8)])
    units = TextAreaField(_l("参演单位（每行一个）"), validators=[Length(max=4000)])
    observers = TextAreaField(_l("观摩人员"), validators=[Length(max=2000)])
    resources = TextAreaField(_l("动用的装备物资"), validators=[Length(max=2000)])

    def __init__(self, *args, statuses=NEW_STATUSES, **kwargs):
        super().__init__(*args, **kwargs)
        self.industry.choices = [SelectChoice("", "（与组织单位相同）")] + [SelectChoice(i, i) for i in INDUSTRIES]
        self.hazard.choices = hazard_choices()
        self.hazard_subtype.choices = subtype_choices()
        self.form_org.choices = _choices(FORM_ORG_LABELS, "（请选择）")
        self.form_content.choices = _choices(FORM_CONTENT_LABELS, "（请选择）")
        self.form_purpose.choices = _choices(FORM_PURPOSE_LABELS, "（请选择）")
        self.status.choices = _choices({DrillStatus(s): STATUS_LABELS[DrillStatus(s)] for s in statuses})


class PhotoForm(FlaskForm):
    caption = StringField(_l("照片说明"), validators=[Length(max=100)])
