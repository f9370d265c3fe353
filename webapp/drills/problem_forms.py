"""Forms of problems and their rectification: the problem, its closure (整改情况, date, evidence)
and a single piece of evidence. Types and lengths here; the rules are in problems.py."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, MultipleFileField
from wtforms import DateField, SelectField, StringField, TextAreaField
from wtforms.validators import Length, Optional


class ProblemForm(FlaskForm):
    description = TextAreaField(_l("发现的问题"), validators=[
        Length(max=1000, message=_l("问题描述不能超过 1000 字"))])
    responsible_unit = StringField(_l("责任单位"), validators=[
        Length(max=100, message=_l("责任单位不能超过 100 字"))])
    measure = TextAreaField(_l("整改措施"), validators=[Length(max=2000, message=_l("整改措施不能超过 2000 字"))])
    due_on = DateField(_l("整改期限"), validators=[Optional()])
    # The drill's own plans; a withdrawn one stays listed so the refusal can say why.
    plan_id = SelectField(_l("需要修订预案"), validate_choice=False)


class CloseForm(FlaskForm):
    closure_note = TextAreaField(_l("整改情况"), validators=[
        Length(max=2000, message=_l("整改情况不能超过 2000 字"))])
    closed_on = DateField(_l("整改完成日期"), validators=[Optional()])
    # Two inputs, read together: the camera on a phone, and files (photos or PDF scans).
    camera = MultipleFileField(_l("拍照"))
    evidence = MultipleFileField(_l("整改佐证材料"))


class EvidenceForm(FlaskForm):
    camera = FileField(_l("拍照"))
    evidence = FileField(_l("照片或 PDF"))
