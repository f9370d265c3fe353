"""Forms of the certificate pages: batch printing and revocation."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, TextAreaField
from wtforms.validators import DataRequired, Length

from webapp.common.choices import choices
from webapp.training.certificates import MAX_REASON

PRINT_OUTPUTS = {"docx": "合并为一个 Word 打印文件", "pdf": "合并为一个 PDF 打印文件"}


class PrintForm(FlaskForm):
    output = SelectField(_l("输出格式"), choices=choices(PRINT_OUTPUTS.items()), default="docx")


class RevokeForm(FlaskForm):
    reason = TextAreaField(_l("注销原因"), validators=[
        DataRequired(_l("请填写注销原因")), Length(max=MAX_REASON, message=_l("注销原因不能超过 200 字"))])
