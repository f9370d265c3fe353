"""Outreach officer forms: an event, a campaign (its targets grid is read from the request, one
input per venue type and town), a venue type, a photo upload. Lengths and types here; the rules
(a place of the event's venue type, counts not negative, a campaign ending on or after its start,
no event in the future) are in services.py, which names them in Chinese. Counts and ids arrive as
text so that services name what is wrong."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, Optional

from webapp.auth.forms import MultiCheckboxField
from webapp.outreach.models import ACTIVITY_FORMS
from webapp.registry.models import KIND_LABELS

DATE_FORMATS = ["%Y-%m-%d", "%Y/%m/%d"]
# Campaign moments (DOMAIN.md §6); "其他" opens a text box for a region's own.
MOMENTS = ("安全生产月", "全国防灾减灾日", "《安全生产法》宣传周", "消防宣传月", "常态化")
OTHER_MOMENT = "其他"


class EventForm(FlaskForm):
    venue_type_id = StringField(_l("宣传场所类型"))  # a hidden input: the type is chosen first (?type=)
    place_id = SelectField(_l("宣传地点"), validate_choice=False)
    place_name = StringField(_l("地点名称"), validators=[Length(max=200)])
    town_id = SelectField(_l("所在乡镇（街道）"), validate_choice=False)  # for a named place; a registry place has its own
    held_on = DateField(_l("活动日期"), validators=[Optional()], format=DATE_FORMATS)
    campaign_id = SelectField(_l("所属宣传活动"), validate_choice=False)
    organizer_id = SelectField(_l("组织单位"), validate_choice=False)
    partners = TextAreaField(_l("协办单位（每行一个）"), validators=[Length(max=2000)])
    forms = MultiCheckboxField(_l("活动形式"), choices=[SelectChoice(f, f) for f in ACTIVITY_FORMS], validate_choice=False)
    quiz_id = SelectField(_l("关联的知识竞赛"), validate_choice=False)
    audience = StringField(_l("受众人数"), validators=[Length(max=8)])
    households = StringField(_l("入户户数"), validators=[Length(max=8)])
    note = TextAreaField(_l("活动简况"), validators=[Length(max=2000)])
    client_token = StringField()  # hidden: a second submission of the same form finds the saved event


class CampaignForm(FlaskForm):
    name = StringField(_l("活动名称"), validators=[Length(max=200)])
    theme = StringField(_l("活动主题"), validators=[Length(max=200)])
    moment = SelectField(_l("活动时段"), validate_choice=False)
    moment_other = StringField(_l("其他时段名称"), validators=[Length(max=32)])
    starts_on = DateField(_l("开始日期"), validators=[Optional()], format=DATE_FORMATS)
    ends_on = DateField(_l("结束日期"), validators=[Optional()], format=DATE_FORMATS)
    note = TextAreaField(_l("备注"), validators=[Length(max=4000)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.moment.choices = ([SelectChoice("", "（请选择）")] + [SelectChoice(m, m) for m in MOMENTS]
                               + [SelectChoice(OTHER_MOMENT, "其他（自行填写）")])

    def set_moment(self, value: str) -> None:
        """Show a saved moment: one of the list, or 其他 with its text."""
        if not value or value in MOMENTS:
            self.moment.data, self.moment_other.data = value or "", ""
        else:
            self.moment.data, self.moment_other.data = OTHER_MOMENT, value

    @property
    def moment_value(self) -> str:
        if self.moment.data == OTHER_MOMENT:
            return (self.moment_other.data or "").strip() or OTHER_MOMENT
        return self.moment.data or ""


class VenueTypeForm(FlaskForm):
    key = StringField(_l("代码"), validators=[Length(max=24)])
    label = StringField(_l("名称"), validators=[Length(max=16)])
    place_label = StringField(_l("地点称为"), validators=[Length(max=16)])
    org_kinds = MultiCheckboxField(_l("地点取自组织机构中的"), validate_choice=False)
    households = BooleanField(_l("按入户户数统计（进家庭）"))
    position = StringField(_l("排列顺序"), validators=[Length(max=4)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.org_kinds.choices = [SelectChoice(kind.value, label) for kind, label in KIND_LABELS.items()]
