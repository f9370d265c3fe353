"""A session's exam, through the quiz module: a roster quiz drawn by the course's rules, taken on
a phone (QR) or a PC at /q/<code>, one make-up for those who failed, and the practical test of
special operations entered by hand."""

from collections.abc import Mapping

from flask import current_app
from sqlalchemy import func, select

from webapp.errors import FieldErrors, UserError
from webapp.extensions import db
from webapp.quiz import services as quiz
from webapp.quiz.models import Attempt, AttemptStatus, IdentityMode, PaperMode, QuizKind, RosterEntry
from webapp.training.models import Course, Enrollment, EnrollmentStatus, TrainingSession
from webapp.training.services import enrollments

FULL_MARKS = 100  # exams are out of 100 (DOMAIN.md §5)


def check_rules(rules: list[quiz.Rule]) -> str | None:
    """A course's exam rules must make a paper of 100 points the banks can fill."""
    if not rules:
        return None
    total = quiz.total_points(rules)
    if abs(total - FULL_MARKS) > 1e-6:
        return f"考试按百分制：各题型分值合计应为 100 分，现在是 {total:g} 分"
    return quiz.check_settings({"kind": QuizKind.EXAM.value, "pass_mark": None}, rules).get("rules")


def create_exam(session: TrainingSession, user=None):
    """The session's exam quiz, published, with every enrolled trainee on its roster."""
    if session.exam_quiz_id:
        raise UserError("本班已创建考试")
    course: Course = session.course
    rules = [quiz.Rule.of(r) for r in course.exam_rules or []]
    if not rules:
        raise UserError(f"课程“{course.name}”还没有设置考试组卷规则，请先在课程中设置")
    problem = check_rules(rules)
    if problem:
        raise FieldErrors({"rules": problem})
    exam = quiz.create_quiz({
        "title": f"{session.title}结业考试", "kind": QuizKind.EXAM.value, "paper_mode": PaperMode.RANDOM.value,
        "description": f"{course.name}。闭卷，满分 100 分，{course.pass_mark} 分及格。",
        "time_limit_minutes": course.exam_minutes, "max_attempts": 1,
        "identity_mode": IdentityMode.ROSTER.value, "ask_organization": False, "show_explanations": True,
        "shuffle_questions": True, "shuffle_options": True, "partial_credit": False,
        "pass_mark": course.pass_mark}, rules, user)
    quiz.publish(exam)
    session.exam_quiz = exam
    db.session.flush()
    quiz.set_roster(exam, [e.person for e in enrollments(session)])
    return exam


def attempts_used(session: TrainingSession) -> dict[int, int]:
    """person id → exam attempts made (in progress or handed in)."""
    if not session.exam_quiz_id:
        return {}
    rows = db.session.execute(select(Attempt.person_id, func.count()).where(
        Attempt.quiz_id == session.exam_quiz_id, Attempt.person_id.is_not(None)).group_by(Attempt.person_id))
    return dict(rows.all())


def attempts_allowed(session: TrainingSession) -> dict[int, int]:
    """person id → exam attempts allowed: the quiz's, or more once a make-up was granted."""
    exam = session.exam_quiz
    if exam is None:
        return {}
    rows = db.session.execute(select(RosterEntry.person_id, RosterEntry.max_attempts)
                              .where(RosterEntry.quiz_id == exam.id))
    return {pid: (most or exam.max_attempts) for pid, most in rows}


def collect_results(session: TrainingSession) -> int:
    """Copy each trainee's best exam result onto their enrollment; returns how many have one."""
    if not session.exam_quiz_id:
        return 0
    best = quiz.best_results(session.exam_quiz)
    for enrollment in enrollments(session):
        result = best.get(enrollment.person_id)
        enrollment.exam_score = result.score if result else None
        enrollment.exam_passed = result.passed if result else None
    db.session.flush()
    return len(best)


@quiz.attempt_finished.connect
def keep_exam_result(attempt: Attempt, **_) -> None:
    """A trainee's exam, just scored: their enrollment keeps the better of this and any earlier
    result (collect_results would copy the same best result later)."""
    if attempt.quiz.kind != QuizKind.EXAM or attempt.person_id is None or attempt.score is None:
        return
    enrollment = db.session.scalar(
        select(Enrollment).join(TrainingSession, Enrollment.session_id == TrainingSession.id)
        .where(TrainingSession.exam_quiz_id == attempt.quiz_id, Enrollment.person_id == attempt.person_id,
               Enrollment.status == EnrollmentStatus.ENROLLED))
    if enrollment is not None and (enrollment.exam_score is None or attempt.score > enrollment.exam_score):
        enrollment.exam_score = attempt.score
        enrollment.exam_passed = attempt.passed


def allow_makeup(session: TrainingSession) -> list[Enrollment]:
    """One make-up (补考) for each trainee whose first exam failed (令第30号 art. 13)."""
    if not session.exam_quiz_id:
        raise UserError("本班还没有考试")
    collect_results(session)
    used = attempts_used(session)
    allowed = 1 + current_app.config["TRAINING_MAKEUP_EXAMS"]
    failed = [e for e in enrollments(session) if e.exam_passed is False and used.get(e.person_id, 0) < allowed]
    if not failed:
        raise UserError("没有需要补考的学员（补考只给考试未通过且尚未补考的学员）")
    quiz.set_roster(session.exam_quiz, [e.person for e in failed], max_attempts=allowed)
    return failed


def set_practicals(session: TrainingSession, typed: Mapping[int, str]) -> int:
    """The practical scores typed for the session's trainees (enrollment id → text), all or
    nothing: the first bad one refuses the lot, naming the trainee. Returns how many were saved."""
    saved = 0
    for enrollment in enrollments(session):
        if enrollment.id not in typed:
            continue
        try:
            set_practical(enrollment, typed[enrollment.id])
        except UserError as exc:
            raise UserError(f"{enrollment.person.name}：{exc.message}。所有实操成绩均未保存，请改正后重新提交") from None
        saved += 1
    return saved


def set_practical(enrollment: Enrollment, raw: str) -> None:
    """The practical test of special operations, out of 100."""
    if not enrollment.session.course.needs_practical:
        raise UserError("该课程没有实际操作考核")
    if enrollment.status != EnrollmentStatus.ENROLLED:
        raise UserError("只能为正式学员登记成绩")
    text = (raw or "").strip()
    if not text:
        enrollment.practical_score = None
    else:
        try:
            score = float(text)
        except ValueError:
            raise UserError(f"实操成绩“{text}”不是数字") from None
        if not 0 <= score <= FULL_MARKS:
            raise UserError(f"实操成绩应在 0 到 100 之间，这里是 {score:g}")
        enrollment.practical_score = score
    db.session.flush()


def exam_state(session: TrainingSession) -> str:
    exam = session.exam_quiz
    if exam is None:
        return "未创建"
    submitted = db.session.scalar(select(func.count(func.distinct(Attempt.person_id))).where(
        Attempt.quiz_id == exam.id, Attempt.status == AttemptStatus.SUBMITTED)) or 0
    return f"已有 {submitted} 人交卷"
