"""Registry forms: structure and lengths here; the rules (ID checksum, credit code, tree) live in
services.clean_* so that forms and spreadsheet imports agree."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional

from webapp.common.choices import choices
from webapp.registry.models import INDUSTRIES, KIND_LABELS, SCALES, SCHOOL_LEVELS


def _blank(options):
    return choices([("", "（未填）")] + [(o, o) for o in options])


class OrgForm(FlaskForm):
    name = StringField(_l("单位名称"), validators=[DataRequired(_l("请输入单位名称")), Length(max=128)])
    kind = SelectField(_l("类型"), choices=choices((k.value, label) for k, label in KIND_LABELS.items()))
    parent_id = SelectField(_l("上级单位"), coerce=int)
    industry = SelectField(_l("行业"), choices=_blank(INDUSTRIES), validators=[Optional()])
    credit_code = StringField(_l("统一社会信用代码"), validators=[Optional(), Length(max=32)])
    scale = SelectField(_l("规模"), choices=_blank(SCALES), validators=[Optional()])
    school_level = SelectField(_l("学段"), choices=_blank(SCHOOL_LEVELS), validators=[Optional()])
    address = StringField(_l("地址"), validators=[Optional(), Length(max=255)])
    contact_name = StringField(_l("联系人"), validators=[Optional(), Length(max=64)])
    contact_phone = StringField(_l("联系电话"), validators=[Optional(), Length(max=32)])
    headcount = StringField(_l("人数（从业人员/居民/师生）"), validators=[Optional(), Length(max=9)])


class PersonForm(FlaskForm):
    name = StringField(_l("姓名"), validators=[DataRequired(_l("请输入姓名")), Length(max=64)])
    id_number = StringField(_l("身份证号"), validators=[DataRequired(_l("请输入身份证号")), Length(max=32)])
    phone = StringField(_l("手机号码"), validators=[Optional(), Length(max=32)])
    organization_id = SelectField(_l("所属单位"), coerce=int)
    post = StringField(_l("岗位"), validators=[Optional(), Length(max=64)])


class ImportForm(FlaskForm):
    file = FileField(_l("Excel 文件（.xlsx）"), validators=[FileRequired(_l("请选择要导入的 Excel 文件"))])
