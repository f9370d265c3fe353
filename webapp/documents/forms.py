"""Forms of the template registry. The render form is built per kind from its fields."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import DateField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from webapp.common.choices import choices
from webapp.documents.kinds import KINDS, DocumentKind
from webapp.documents.printing import OUTPUTS


class TemplateUploadForm(FlaskForm):
    kind = SelectField(_l("文书类型"), choices=choices((k.key, k.label) for k in KINDS.values()))
    name = StringField(_l("模板名称"), validators=[DataRequired(_l("请填写模板名称")), Length(max=100)])
    file = FileField(_l("Word 模板（.docx）"), validators=[FileRequired(_l("请选择 .docx 模板文件"))])
    note = StringField(_l("说明"), validators=[Optional(), Length(max=200)])


class VersionUploadForm(FlaskForm):
    file = FileField(_l("新版本（.docx）"), validators=[FileRequired(_l("请选择 .docx 模板文件"))])
    note = StringField(_l("修改说明"), validators=[Optional(), Length(max=200)])


class EmptyForm(FlaskForm):
    """A CSRF token alone, for POST buttons (restore a version)."""


def render_form_class(kind: DocumentKind) -> type[FlaskForm]:
    """A form with one input per text, date, number and list field of the kind. Images use the
    sample seal; rows and rich text come from the modules, not from this form."""

    class RenderForm(FlaskForm):
        pass

    for f in kind.fields:
        validators = [DataRequired(_l("请填写%(label)s", label=f.label))] if f.required else [Optional()]
        if f.type == "date":
            field = DateField(f.label, validators=validators)
        elif f.type == "number":
            field = IntegerField(f.label, validators=validators)
        elif f.type == "list":
            field = TextAreaField(f.label, validators=validators, description=_l("每行一项"))
        elif f.type == "text":
            field = StringField(f.label, validators=[*validators, Length(max=500)])
        else:
            continue
        setattr(RenderForm, f.name, field)
    RenderForm.output = SelectField(_l("输出格式"), choices=choices([("docx", "Word（.docx）"), ("pdf", "PDF")]))
    return RenderForm


class BatchForm(FlaskForm):
    title = StringField(_l("名称"), validators=[Optional(), Length(max=80)], description=_l("如：2026年第四期培训班结业证书"))
    file = FileField(_l("数据表（.xlsx）"), validators=[FileRequired(_l("请选择数据表"))])
    output = SelectField(_l("输出"), choices=choices(OUTPUTS.items()))


class SealForm(FlaskForm):
    file = FileField(_l("印章图片（背景透明的 PNG）"), validators=[FileRequired(_l("请选择印章图片"))])
