"""Training officer forms: courses (with the default exam rules), operation categories, sessions,
time slots, enrollment, rosters and the training notice. Lengths and types here; the rules (legal
hours, dates within the session, exam totalling 100) are in services.py and exams.py."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    FloatField,
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from webapp.common.choices import choices
from webapp.quiz.drafts import KIND_LABELS
from webapp.training.models import COURSE_TYPE_LABELS, POST_LABELS

RULE_KINDS = list(KIND_LABELS)


class CourseForm(FlaskForm):
    name = StringField(_l("课程名称"), validators=[DataRequired(_l("请填写课程名称")), Length(max=128)])
    post = SelectField(_l("岗位类别"), choices=choices((k.value, v) for k, v in POST_LABELS.items()))
    course_type = SelectField(_l("培训类型"), choices=choices((k.value, v) for k, v in COURSE_TYPE_LABELS.items()))
    high_risk = BooleanField(_l("高危行业（煤矿、非煤矿山、危险化学品、烟花爆竹、金属冶炼）：学时要求更长"))
    operation_category_id = SelectField(_l("作业类别（特种作业人员）"), coerce=int, validate_choice=False)
    required_hours = FloatField(_l("学时"), validators=[InputRequired(_l("请填写学时")),
                                                     NumberRange(0.5, 1000, _l("学时应在 0.5 到 1000 之间"))])
    syllabus = TextAreaField(_l("培训大纲"), validators=[Optional(), Length(max=5000)])
    bank_ids = SelectMultipleField(_l("考试题库"), coerce=int, validators=[Optional()])
    exam_minutes = IntegerField(_l("考试时长（分钟）"), default=60,
                                validators=[InputRequired(_l("请填写考试时长")), NumberRange(5, 600, _l("考试时长应在 5 到 600 分钟之间"))])
    pass_mark = IntegerField(_l("及格分（百分制）"), validators=[InputRequired(_l("请填写及格分")),
                                                         NumberRange(1, 100, _l("及格分应在 1 到 100 之间（百分制）"))])
    active = BooleanField(_l("启用（可用于新开班次）"), default=True)


# One row per question type, as the quiz form has it: 单选 10 题每题 6 分.
for _kind in RULE_KINDS:
    setattr(CourseForm, f"count_{_kind.value}", IntegerField(
        _l("题数"), default=0, validators=[Optional(), NumberRange(0, 200, _l("题数应在 0 到 200 之间"))]))
    setattr(CourseForm, f"points_{_kind.value}", StringField(_l("每题分值"), default="", validators=[Optional(), Length(max=8)]))


class CategoryForm(FlaskForm):
    group_name = StringField(_l("作业类别"), validators=[Length(max=64)])
    name = StringField(_l("操作项目"), validators=[Length(max=64)])


class SessionForm(FlaskForm):
    course_id = SelectField(_l("课程"), coerce=int, validate_choice=False)
    title = StringField(_l("班次名称"), validators=[DataRequired(_l("请填写班次名称")), Length(max=200)])
    starts_on = DateField(_l("开班日期"), validators=[DataRequired(_l("请填写开班日期"))])
    ends_on = DateField(_l("结业日期"), validators=[DataRequired(_l("请填写结业日期"))])
    venue = StringField(_l("培训地点"), validators=[DataRequired(_l("请填写培训地点")), Length(max=200)])
    capacity = IntegerField(_l("名额"), validators=[InputRequired(_l("请填写名额")),
                                                  NumberRange(1, 5000, _l("名额应在 1 到 5000 之间"))])
    trainers = StringField(_l("授课教师"), validators=[Optional(), Length(max=200)])
    audience = TextAreaField(_l("参训对象"), validators=[Optional(), Length(max=500)])
    bring = TextAreaField(_l("携带材料"), validators=[Optional(), Length(max=500)])
    contact = StringField(_l("联系人及电话"), validators=[Optional(), Length(max=200)])


class SlotForm(FlaskForm):
    day = DateField(_l("日期"), validators=[DataRequired(_l("请填写上课日期"))])
    start = TimeField(_l("上课时间"), validators=[DataRequired(_l("请填写上课时间"))])
    end = TimeField(_l("下课时间"), validators=[DataRequired(_l("请填写下课时间"))])
    topic = StringField(_l("课程内容"), validators=[Optional(), Length(max=200)])
    trainer = StringField(_l("授课人"), validators=[Optional(), Length(max=64)])
    venue = StringField(_l("地点（空为班次地点）"), validators=[Optional(), Length(max=200)])
    hours = FloatField(_l("学时"), validators=[InputRequired(_l("请填写学时")), NumberRange(0.5, 24, _l("学时应在 0.5 到 24 之间"))])
    static_code = BooleanField(_l("使用固定签到码（无屏幕的教室，打印张贴）"))


class EnrollForm(FlaskForm):
    person_id = HiddenField()


class RosterForm(FlaskForm):
    file = FileField(_l("报名名单（.xlsx）"), validators=[FileRequired(_l("请选择要导入的 Excel 名单"))])


class NoticeForm(FlaskForm):
    issuer = StringField(_l("发文机关"), validators=[DataRequired(_l("请填写发文机关")), Length(max=100)])
    doc_number = StringField(_l("发文字号"), validators=[Length(max=40)], description=_l("如：洪应急〔2026〕12号"))
    recipients = StringField(_l("主送机关"), validators=[DataRequired(_l("请填写主送机关")), Length(max=300)])
    extra = TextAreaField(_l("其他要求（可空，每行一条，列在“携带材料及要求”中）"), validators=[Optional(), Length(max=2000)])
    signer = StringField(_l("落款"), validators=[DataRequired(_l("请填写落款")), Length(max=100)])
    date = DateField(_l("成文日期"), validators=[DataRequired(_l("请填写成文日期"))])
    contact = StringField(_l("联系人及电话"), validators=[Optional(), Length(max=200)])
    cc = StringField(_l("抄送"), validators=[Optional(), Length(max=300)])
    printer = StringField(_l("印发机关"), validators=[DataRequired(_l("请填写印发机关")), Length(max=100)])
    print_date = DateField(_l("印发日期"), validators=[DataRequired(_l("请填写印发日期"))])
    output = SelectField(_l("输出格式"), choices=choices([("docx", "Word（.docx）"), ("pdf", "PDF")]))


class SigninSheetForm(FlaskForm):
    day = DateField(_l("签到日期"), validators=[DataRequired(_l("请选择签到日期"))])
    output = SelectField(_l("输出格式"), choices=choices([("docx", "Word（.docx）"), ("pdf", "PDF")]))
