"""A session's exam: create it, its join link and QR code, results per trainee, the make-up exam
(补考) and the practical scores of special operations."""

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from webapp.auth.permissions import require
from webapp.common.ids import as_id
from webapp.errors import UserError
from webapp.extensions import db
from webapp.training import bp, exams
from webapp.training.models import TrainingSession
from webapp.training.services import enrollments
from webapp.training.views import session_or_404

PRACTICAL = "practical-"  # the score inputs are named practical-<enrollment id>


@bp.get("/sessions/<int:session_id>/exam")
@require("training.view")
def exam(session_id: int):
    return _exam_page(session_or_404(session_id))


def _exam_page(session: TrainingSession, typed: dict | None = None, error: str | None = None):
    """typed: the practical scores as the officer typed them, shown again after a refusal."""
    rows = []
    if session.exam_quiz is not None:
        exams.collect_results(session)  # the page shows the latest results (and keeps them for figures)
        used = exams.attempts_used(session)
        allowed = exams.attempts_allowed(session)
        rows = [{"enrollment": e, "person": e.person, "used": used.get(e.person_id, 0),
                 "allowed": allowed.get(e.person_id, session.exam_quiz.max_attempts)}
                for e in enrollments(session)]
    return render_template("training/exam.html", session=session, course=session.course, rows=rows,
                           state=exams.exam_state(session), typed=typed or {}, error=error)


@bp.post("/sessions/<int:session_id>/exam/create")
@require("training.manage")
def exam_create(session_id: int):
    session = session_or_404(session_id)
    try:
        quiz = exams.create_exam(session, current_user)
    except UserError as exc:
        db.session.rollback()
        flash(exc.message, "danger")
    else:
        flash(f"已创建考试“{quiz.title}”，{len(enrollments(session))} 名学员可扫码参加", "success")
    return redirect(url_for("training.exam", session_id=session_id))


@bp.post("/sessions/<int:session_id>/exam/makeup")
@require("training.manage")
def exam_makeup(session_id: int):
    session = session_or_404(session_id)
    try:
        failed = exams.allow_makeup(session)
    except UserError as exc:
        db.session.rollback()
        flash(exc.message, "danger")
    else:
        names = "、".join(e.person.name for e in failed)
        flash(f"已安排补考：{names}（共 {len(failed)} 人，可用同一链接或二维码再考一次）", "success")
    return redirect(url_for("training.exam", session_id=session_id))


@bp.post("/sessions/<int:session_id>/exam/practical")
@require("training.manage")
def practical(session_id: int):
    """All or nothing: one bad score refuses the whole form, naming the trainee."""
    session = session_or_404(session_id)
    typed = {eid: value for name, value in request.form.items()
             if name.startswith(PRACTICAL) and (eid := as_id(name.removeprefix(PRACTICAL)))}
    try:
        saved = exams.set_practicals(session, typed)
    except UserError as exc:
        db.session.rollback()
        typed = {k: v for k, v in request.form.items() if k.startswith(PRACTICAL)}
        return _exam_page(session, typed, exc.message)
    flash(f"已保存 {saved} 名学员的实际操作考核成绩", "success")
    return redirect(url_for("training.exam", session_id=session_id))
