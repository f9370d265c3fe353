"""Certificates: issued only to those who met the hours and passed; numbered from a per-year
sequence that never repeats; printed through the document engine; revoked with a reason; and
verified in public by an unguessable token.

Every completion of a course earns a certificate (培训合格证明). Its validity is by post
(CERTIFICATE_VALIDITY_YEARS); a special-operations certificate is also reviewed every
SPECIAL_REVIEW_YEARS. When a person holds several for the same post (and operation), the latest
is the one renewals look at.
"""

import secrets
from dataclasses import dataclass
from datetime import date, timedelta

from flask import current_app, url_for
from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError

from webapp.common.identifiers import mask_id_number, mask_name
from webapp.common.time import local_today, utcnow
from webapp.documents import printing
from webapp.documents import services as documents
from webapp.errors import UserError
from webapp.extensions import db
from webapp.training import attendance, exams
from webapp.training.models import (
    POST_CODES,
    Certificate,
    CertificateCounter,
    CertificateStatus,
    Enrollment,
    EnrollmentStatus,
    Post,
    TrainingSession,
)
from webapp.training.services import enrollments

MAX_REASON = 200


def add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


# -------------------------------------------------------------------------------- eligibility


def shortfalls(enrollment: Enrollment, hours: float) -> list[str]:
    """Why this trainee may not (yet) have a certificate; empty when they may."""
    course = enrollment.session.course
    problems = []
    if enrollment.status != EnrollmentStatus.ENROLLED:
        problems.append(f"不是本班正式学员（{enrollment.status_label}）")
    if hours + 1e-9 < course.required_hours:
        problems.append(f"学时不足：已完成 {hours:g} 学时，要求 {course.required_hours:g} 学时")
    if enrollment.exam_score is None:
        problems.append("尚未参加考试")
    elif not enrollment.exam_passed:
        problems.append(f"考试未通过：最好成绩 {enrollment.exam_score:g} 分，{course.pass_mark} 分及格")
    if course.needs_practical:
        if enrollment.practical_score is None:
            problems.append("尚未登记实际操作考核成绩")
        elif enrollment.practical_score < course.pass_mark:
            problems.append(f"实际操作考核未通过：{enrollment.practical_score:g} 分，{course.pass_mark} 分及格")
    return problems


def certificate_of(enrollment: Enrollment) -> Certificate | None:
    return db.session.scalar(select(Certificate).where(Certificate.enrollment_id == enrollment.id))


# ---------------------------------------------------------------------------------- numbering


def next_sequence(year: int) -> int:
    """The year's next number: one UPDATE … RETURNING on the counter row. Concurrent issuers queue
    on its row lock, so no two get the same number; a rolled-back issue leaves a gap, never a
    repeat."""
    table = CertificateCounter.__table__
    dialect = db.session.get_bind().dialect.name
    if dialect in ("postgresql", "sqlite"):
        if dialect == "postgresql":
            from sqlalchemy.dialects.postgresql import insert as upsert
        else:
            from sqlalchemy.dialects.sqlite import insert as upsert
        db.session.execute(upsert(table).values(year=year, last=0).on_conflict_do_nothing(index_elements=["year"]))
    else:  # pragma: no cover - other databases
        try:
            with db.session.begin_nested():
                db.session.execute(insert(table).values(year=year, last=0))
        except IntegrityError:
            pass
    return db.session.execute(update(table).where(table.c.year == year).values(last=table.c.last + 1)
                              .returning(table.c.last)).scalar_one()


def format_number(year: int, sequence: int, post: str) -> str:
    pattern = current_app.config["CERTIFICATE_NUMBER_PATTERN"]
    return pattern.format(year=year, seq=sequence, post=POST_CODES[Post(post)])


# ------------------------------------------------------------------------------------- issuing


def issue(enrollment: Enrollment, user=None, today: date | None = None, hours: float | None = None) -> Certificate:
    if certificate_of(enrollment) is not None:
        raise UserError(f"{enrollment.person.name} 已取得本班证书，不能重复发证")
    if hours is None:
        hours = attendance.hours_by_enrollment(enrollment.session).get(enrollment.id, 0.0)
    problems = shortfalls(enrollment, hours)
    if problems:
        raise UserError(f"{enrollment.person.name} 不能发证：" + "；".join(problems))
    today = today or local_today()
    course = enrollment.session.course
    config = current_app.config
    sequence = next_sequence(today.year)
    certificate = Certificate(
        number=format_number(today.year, sequence, course.post), year=today.year, sequence=sequence,
        token=secrets.token_urlsafe(16), enrollment_id=enrollment.id, person_id=enrollment.person_id,
        session_id=enrollment.session_id, course_id=course.id, post=course.post,
        operation_category_id=course.operation_category_id, hours=hours,
        score=enrollment.exam_score, issued_on=today,
        expires_on=add_years(today, config["CERTIFICATE_VALIDITY_YEARS"][course.post]) - timedelta(days=1),
        review_due_on=add_years(today, config["SPECIAL_REVIEW_YEARS"]) if course.post == Post.SPECIAL else None,
        issued_by_id=getattr(user, "id", None))
    try:
        with db.session.begin_nested():
            db.session.add(certificate)
    except IntegrityError:  # another officer issued this trainee's certificate a moment earlier
        raise UserError(f"{enrollment.person.name} 已取得本班证书，不能重复发证") from None
    return certificate


@dataclass(frozen=True)
class IssueReport:
    issued: list[Certificate]
    skipped: list[tuple[Enrollment, list[str]]]  # not eligible, with why


def issue_session(session: TrainingSession, user=None, today: date | None = None) -> IssueReport:
    """Issue to every eligible trainee of the session who has none yet; list the others and why."""
    exams.collect_results(session)
    hours = attendance.hours_by_enrollment(session)
    have = set(db.session.scalars(select(Certificate.enrollment_id).where(Certificate.session_id == session.id)))
    issued, skipped = [], []
    for enrollment in enrollments(session):
        if enrollment.id in have:
            continue
        earned = hours.get(enrollment.id, 0.0)
        problems = shortfalls(enrollment, earned)
        if problems:
            skipped.append((enrollment, problems))
        else:
            issued.append(issue(enrollment, user, today, hours=earned))
    return IssueReport(issued, skipped)


def revoke(certificate: Certificate, reason: str, user=None) -> None:
    reason = " ".join((reason or "").split())
    if certificate.status == CertificateStatus.REVOKED:
        raise UserError("该证书已注销")
    if not reason:
        raise UserError("请填写注销原因", field="reason")
    if len(reason) > MAX_REASON:
        raise UserError(f"注销原因不能超过 {MAX_REASON} 字", field="reason")
    certificate.status = CertificateStatus.REVOKED
    certificate.revoked_reason = reason
    certificate.revoked_at = utcnow()
    certificate.revoked_by_id = getattr(user, "id", None)
    db.session.flush()


def session_certificates(session: TrainingSession) -> list[Certificate]:
    return list(db.session.scalars(select(Certificate).where(Certificate.session_id == session.id)
                                   .order_by(Certificate.sequence)))


# ------------------------------------------------------------------------------------ printing


def verify_url(certificate: Certificate) -> str:
    return url_for("verify.show", token=certificate.token, _external=True)


def print_record(certificate: Certificate) -> dict:
    """One certificate as the training_certificate kind's fields (the batch job adds the QR code
    from verify_url and the bureau's seal)."""
    person = certificate.person
    category = certificate.operation_category
    return {
        "holder_name": person.name, "id_number": person.id_number,
        "organization": person.organization.name if person.organization else "",
        "post": certificate.post_label, "operation_category": category.label if category else "",
        "course": certificate.course.name, "hours": f"{certificate.hours:g}", "score": f"{certificate.score:g}",
        "certificate_no": certificate.number, "issue_date": certificate.issued_on.isoformat(),
        "expiry_date": certificate.expires_on.isoformat(), "issuer": documents.bureau_name(),
        "verify_url": verify_url(certificate),
    }


def print_session(session: TrainingSession, output: str, user=None):
    """Batch-print the session's valid certificates as one merged .docx or .pdf; returns the job."""
    valid = [c for c in session_certificates(session) if c.status == CertificateStatus.VALID]
    if not valid:
        raise UserError("本班还没有可打印的证书，请先发证")
    template = documents.template_for("training_certificate")
    return printing.submit(template, [print_record(c) for c in valid], output, f"{session.title}-培训合格证明",
                           user, source=f"training-session:{session.id}")


# -------------------------------------------------------------------------------- verification


def by_token(token: str) -> Certificate | None:
    token = (token or "").strip()
    if not 16 <= len(token) <= 32:
        return None
    return db.session.scalar(select(Certificate).where(Certificate.token == token))


@dataclass(frozen=True)
class PublicView:
    """All the verification page may show: nothing else about the holder leaves the server."""

    name: str
    id_number: str
    post: str
    operation: str
    course: str
    number: str
    issued_on: date
    expires_on: date
    review_due_on: date | None
    status: str
    issuer: str


def public_view(certificate: Certificate, today: date | None = None) -> PublicView:
    category = certificate.operation_category
    return PublicView(mask_name(certificate.person.name), mask_id_number(certificate.person.id_number),
                      certificate.post_label, category.label if category else "", certificate.course.name,
                      certificate.number, certificate.issued_on, certificate.expires_on, certificate.review_due_on,
                      certificate.state(today or local_today()), documents.bureau_name())
