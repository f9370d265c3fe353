"""seed-demo writes a year of three-post training: sessions, enrollments, attendance, exams and
certificates (some expired, some revoked), and a second run adds nothing."""

from datetime import timedelta

from sqlalchemy import func, select

from webapp.common.time import local_today, to_local
from webapp.extensions import db
from webapp.quiz.models import Attempt, AttemptStatus
from webapp.training import attendance, certificates, services
from webapp.training.models import (
    Attendance,
    AttendanceCorrection,
    Certificate,
    CertificateStatus,
    Enrollment,
    EnrollmentStatus,
    TimeSlot,
    TrainingSession,
)


def _count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def _rows() -> tuple:
    return tuple(_count(m) for m in (TrainingSession, TimeSlot, Enrollment, Attendance, AttendanceCorrection,
                                     Certificate, Attempt))


def test_seed_demo_writes_a_year_of_training_once(app):
    result = app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    assert "三项岗位培训：" in result.output
    today = local_today()

    # ≥ 40 sessions over the past twelve months, one this week with slots today, some still to come
    past = _count(TrainingSession, TrainingSession.starts_on >= today - timedelta(days=365),
                  TrainingSession.ends_on < today)
    assert past >= 40
    assert _count(TrainingSession, TrainingSession.starts_on > today) >= 3
    today_slots = [s for s in db.session.scalars(select(TimeSlot))
                   if to_local(s.starts_at).date() == today]
    assert len(today_slots) >= 2
    # the one deliberate double booking shows as a conflict, and no other
    conflicts = services.conflicts(list(db.session.scalars(select(TimeSlot))))
    assert conflicts and {c.what for c in conflicts} == {"场地"}
    assert {c.slot.venue for c in conflicts} == {"县应急管理局培训中心三楼报告厅"}

    # ≥ 3,000 enrollments, some withdrawn, a waiting list on a full upcoming session
    assert _count(Enrollment) >= 3000
    assert _count(Enrollment, Enrollment.status == EnrollmentStatus.WITHDRAWN) > 0
    waiting = db.session.scalars(select(Enrollment).where(Enrollment.status == EnrollmentStatus.WAITLISTED)).all()
    assert waiting
    full = waiting[0].session
    assert full.starts_on > today and services.enrolled_count(full) == full.capacity

    # attendance, with hand corrections that keep their reasons
    assert _count(Attendance) > 10000
    assert _count(AttendanceCorrection, AttendanceCorrection.reason != "") >= 10

    # exams: real attempts for a few sessions (with make-ups), a pass rate around 85–92 %
    exam_sessions = db.session.scalars(select(TrainingSession).where(TrainingSession.exam_quiz_id.is_not(None))).all()
    assert len(exam_sessions) >= 3
    assert _count(Attempt, Attempt.status == AttemptStatus.SUBMITTED, Attempt.number == 2) > 0
    scored = _count(Enrollment, Enrollment.exam_score.is_not(None))
    assert 0.85 <= _count(Enrollment, Enrollment.exam_passed.is_(True)) / scored <= 0.92

    # certificates: every one earned (hours and exam), some expired, some due for review, some revoked
    assert _count(Certificate) >= 2000
    assert _count(Certificate, Certificate.status == CertificateStatus.VALID, Certificate.expires_on < today) > 0
    assert _count(Certificate, Certificate.review_due_on < today + timedelta(days=60)) > 0
    revoked = db.session.scalars(select(Certificate).where(Certificate.status == CertificateStatus.REVOKED)).all()
    assert revoked and all(c.revoked_reason for c in revoked)
    assert _count(Certificate, Certificate.issued_on < today - timedelta(days=3 * 365)) > 0
    for session in exam_sessions + db.session.scalars(select(TrainingSession).limit(5)).all():
        hours = attendance.hours_by_enrollment(session)
        for certificate in certificates.session_certificates(session):
            enrollment = db.session.get(Enrollment, certificate.enrollment_id)
            assert certificates.shortfalls(enrollment, hours.get(enrollment.id, 0.0)) == []
            assert certificate.issued_on >= session.ends_on

    before = _rows()
    again = app.test_cli_runner().invoke(args=["seed-demo"])
    assert again.exit_code == 0, again.output
    assert "培训演示数据已存在" in again.output
    assert _rows() == before
