"""Forms of attendance: the trainee's sign-in (after a scan, or with the typed code) and the
officer's hand correction. The rules (who may sign in, when) are in attendance.py; these only
bound what is typed. CSRF is on: the phone's form page sets the token in the session cookie before
the post, as the quiz's join form does."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, SelectField, StringField
from wtforms.validators import DataRequired, Length

from webapp.common.choices import choices


class SignInForm(FlaskForm):
    """Name + the last 6 characters of the ID number or the phone number; the hidden pass says
    which slot and how it was opened (attendance.form_pass)."""

    name = StringField(_l("姓名"), validators=[Length(max=32, message=_l("姓名不能超过 32 个字"))])
    ident = StringField(_l("身份证号后 6 位或手机号"),
                        validators=[Length(max=20, message=_l("请填写身份证号后 6 位，或 11 位手机号"))])
    signin_pass = HiddenField()


class CodeForm(FlaskForm):
    """The fallback for a phone whose camera fails: the 6-digit code under the QR on the screen."""

    code = StringField(_l("签到码"), validators=[Length(max=12, message=_l("请输入屏幕上显示的 6 位签到码"))])
    name = StringField(_l("姓名"), validators=[Length(max=32, message=_l("姓名不能超过 32 个字"))])
    ident = StringField(_l("身份证号后 6 位或手机号"),
                        validators=[Length(max=20, message=_l("请填写身份证号后 6 位，或 11 位手机号"))])


class CorrectionForm(FlaskForm):
    """One trainee's hand correction on the roll: present or absent, with the reason kept."""

    enrollment_id = IntegerField(validators=[DataRequired(_l("请选择学员"))])
    present = SelectField(_l("更正为"), choices=choices([("1", "到课"), ("0", "缺勤")]),
                          validators=[DataRequired(_l("请选择到课或缺勤"))])
    reason = StringField(_l("更正原因"), validators=[Length(max=200, message=_l("更正原因不能超过 200 字"))])
