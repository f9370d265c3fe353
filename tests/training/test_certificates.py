"""Certificates as the officer issues, prints, finds and revokes them: only to trainees who met the
hours and passed; numbered by a per-year sequence that never repeats, also when issued at once."""

import io
import re
import threading
from datetime import date, timedelta

import pytest
from docx import Document
from openpyxl import load_workbook

from tests.conftest import page_text, table_text
from tests.jobs.test_jobs import wait_finished
from tests.training.conftest import attend_all, take_exam
from webapp.auth.permissions import Role
from webapp.common.time import local_today
from webapp.extensions import db
from webapp.jobs.models import Job
from webapp.training import attendance, certificates, exams, services
from webapp.training.models import Certificate, CertificateCounter, Enrollment, TrainingSession

THREE_DAYS = 3


def full_slots(start: date):
    """48 hours: three 16-hour days (the high-risk principal course needs 48)."""
    return [(start + timedelta(days=i), "08:00", "20:00", 16) for i in range(THREE_DAYS)]


def fresh(session) -> TrainingSession:
    db.session.expire_all()
    return db.session.get(TrainingSession, session.id)


def certificate_rows() -> list[Certificate]:
    db.session.expire_all()
    return list(db.session.scalars(db.select(Certificate).order_by(Certificate.sequence)))


@pytest.fixture
def ready_session(make_session):
    """A session whose exam exists: make(trainees, attended=True) → session."""
    def make(trainees=3, attended=True, **kw):
        session = make_session(trainees=trainees, slots=full_slots(local_today()), **kw)
        exams.create_exam(session)
        db.session.commit()
        if attended:
            attend_all(session)
        return fresh(session)

    return make


def category(name: str):
    return next(c for c in services.categories() if c.name == name)


def passed(enrollment: Enrollment, score: float = 90) -> Enrollment:
    """Mark an exam result directly (numbering tests are not about the exam)."""
    enrollment.exam_score, enrollment.exam_passed = score, score >= 80
    return enrollment


# -------------------------------------------------------------------------------- eligibility


def test_issuing_to_a_trainee_short_of_hours_is_refused_and_saves_nothing(client, login, make_session):
    session = make_session(trainees=1, slots=full_slots(local_today()))
    exams.create_exam(session)
    db.session.commit()
    enrollment = services.enrollments(session)[0]
    take_exam(fresh(session), enrollment.person, 20)
    slot = fresh(session).slots[0]  # only the first day: 16 of 48 hours
    attendance.correct(slot, enrollment, True, "测试：只来了一天")
    db.session.commit()
    login(Role.TRAINING)
    response = client.post(f"/training/enrollments/{enrollment.id}/issue", follow_redirects=True)
    text = page_text(response)
    assert f"{enrollment.person.name} 不能发证：学时不足：已完成 16 学时，要求 48 学时" in text
    assert certificate_rows() == []
    assert db.session.scalar(db.select(CertificateCounter.last)) in (None, 0)
    eligibility = table_text(response, "eligibility")
    assert "16 / 48" in eligibility and "学时不足" in eligibility


def test_issuing_to_a_trainee_who_failed_the_exam_is_refused(client, login, ready_session):
    session = ready_session(trainees=1)
    enrollment = services.enrollments(session)[0]
    take_exam(session, enrollment.person, 0)
    login(Role.TRAINING)
    response = client.post(f"/training/enrollments/{enrollment.id}/issue", follow_redirects=True)
    assert "考试未通过：最好成绩 0 分，80 分及格" in page_text(response)
    assert certificate_rows() == []


def test_one_eligible_trainee_gets_a_numbered_certificate(client, login, ready_session):
    session = ready_session(trainees=1)
    enrollment = services.enrollments(session)[0]
    take_exam(session, enrollment.person, 20)
    login(Role.TRAINING)
    page = client.get(f"/training/sessions/{session.id}/certificates")
    assert f'action="/training/enrollments/{enrollment.id}/issue"' in page.get_data(as_text=True)
    response = client.post(f"/training/enrollments/{enrollment.id}/issue", follow_redirects=True)
    [cert] = certificate_rows()
    assert cert.number == f"YJPX{local_today().year}ZY00001" and cert.hours == 48 and cert.score == 100
    assert f"已为 {enrollment.person.name} 发证，证书编号 {cert.number}" in page_text(response)
    assert cert.number in table_text(response, "eligibility")
    twice = client.post(f"/training/enrollments/{enrollment.id}/issue", follow_redirects=True)
    assert "已取得本班证书，不能重复发证" in page_text(twice) and len(certificate_rows()) == 1


def test_batch_issue_issues_only_to_the_eligible_and_names_the_others(client, login, ready_session):
    session = ready_session(trainees=3)
    good, failed, short = services.enrollments(session)
    take_exam(session, good.person, 20)
    take_exam(fresh(session), failed.person, 0)
    take_exam(fresh(session), short.person, 20)
    attendance.correct(fresh(session).slots[2], short, False, "测试：第三天缺课")
    db.session.commit()

    login(Role.TRAINING)
    response = client.post(f"/training/sessions/{session.id}/certificates/issue", follow_redirects=True)
    text = page_text(response)
    [cert] = certificate_rows()
    assert cert.person_id == good.person_id
    assert f"已发证 1 张（证书编号 {cert.number} 起）" in text
    assert "未发证 2 人" in text
    assert f"{failed.person.name}（考试未通过" in text and f"{short.person.name}（学时不足：已完成 32 学时" in text
    eligibility = table_text(response, "eligibility")
    assert cert.number in eligibility and "32 / 48" in eligibility and "考试未通过" in eligibility

    again = client.post(f"/training/sessions/{session.id}/certificates/issue", follow_redirects=True)
    assert "没有可以发证的学员" in page_text(again) and len(certificate_rows()) == 1


def test_a_special_operations_trainee_also_needs_the_practical(client, login, make_session, exam_bank):
    services.ensure_catalogue()
    course = services.save_course(None, {
        "name": "低压电工作业初训", "post": "special", "course_type": "initial",
        "operation_category_id": category("低压电工作业").id, "required_hours": 40,
        "exam_rules": [{"kind": "single", "count": 10, "points": 6, "bank_ids": [exam_bank.id]},
                       {"kind": "true_false", "count": 10, "points": 4, "bank_ids": [exam_bank.id]}],
        "pass_mark": 80})
    db.session.commit()
    session = make_session(trainees=1, course_=course, slots=full_slots(local_today()))
    exams.create_exam(session)
    db.session.commit()
    attend_all(session)
    enrollment = services.enrollments(session)[0]
    take_exam(fresh(session), enrollment.person, 20)
    login(Role.TRAINING)
    refused = client.post(f"/training/enrollments/{enrollment.id}/issue", follow_redirects=True)
    assert "尚未登记实际操作考核成绩" in page_text(refused) and certificate_rows() == []
    client.post(f"/training/sessions/{session.id}/exam/practical", data={f"practical-{enrollment.id}": "88"})
    client.post(f"/training/enrollments/{enrollment.id}/issue")
    [cert] = certificate_rows()
    assert cert.number.startswith(f"YJPX{local_today().year}TZ")
    assert cert.review_due_on == certificates.add_years(cert.issued_on, 3)
    assert cert.expires_on == certificates.add_years(cert.issued_on, 6) - timedelta(days=1)


# ---------------------------------------------------------------------------------- numbering


def test_numbers_follow_the_pattern_and_the_sequence_restarts_each_year(make_session):
    session = make_session(trainees=4)
    es = [passed(e) for e in services.enrollments(session)]
    late_2026 = [certificates.issue(e, today=date(2026, 12, 31), hours=48) for e in es[:3]]
    early_2027 = certificates.issue(es[3], today=date(2027, 1, 1), hours=48)
    db.session.commit()
    assert [c.number for c in late_2026] == ["YJPX2026ZY00001", "YJPX2026ZY00002", "YJPX2026ZY00003"]
    assert early_2027.number == "YJPX2027ZY00001" and (early_2027.year, early_2027.sequence) == (2027, 1)
    assert early_2027.expires_on == date(2029, 12, 31)


def test_concurrent_issuing_never_repeats_a_number(app, make_session):
    workers = 6
    session = make_session(trainees=workers)
    ids = [passed(e).id for e in services.enrollments(session)]
    db.session.commit()
    barrier = threading.Barrier(workers)
    numbers, errors = [], []

    def issue(enrollment_id: int) -> None:
        with app.app_context():
            try:
                enrollment = db.session.get(Enrollment, enrollment_id)
                barrier.wait(timeout=10)
                numbers.append(certificates.issue(enrollment, today=date(2026, 6, 1), hours=48).number)
                db.session.commit()
            except Exception as exc:  # reported below, with its message
                errors.append(repr(exc))
                db.session.rollback()
            finally:
                db.session.remove()

    threads = [threading.Thread(target=issue, args=(i,)) for i in ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    rows = certificate_rows()
    assert len(rows) == workers and len(set(numbers)) == workers
    assert sorted(c.sequence for c in rows) == list(range(1, workers + 1))
    assert sorted(numbers) == [f"YJPX2026ZY{n:05d}" for n in range(1, workers + 1)]


# ----------------------------------------------------------------------------------- printing


def test_a_sessions_certificates_print_as_one_merged_docx(client, login, ready_session):
    session = ready_session(trainees=2)
    for e in services.enrollments(session):
        take_exam(fresh(session), e.person, 20)
    certificates.issue_session(fresh(session))
    db.session.commit()
    login(Role.TRAINING)
    started = client.post(f"/training/sessions/{session.id}/certificates/print", data={"output": "docx"})
    assert started.status_code == 302 and "/jobs/" in started.headers["Location"]
    job = db.session.execute(db.select(Job)).scalar_one()
    status = wait_finished(client, job.id)
    assert status["status"] == "done", status
    response = client.get(f"/jobs/{job.id}/download")
    data = response.get_data()
    response.close()
    document = Document(io.BytesIO(data))
    text = "\n".join([p.text for p in document.paragraphs]
                     + [c.text for t in document.tables for row in t.rows for c in row.cells])
    for cert in certificate_rows():
        assert cert.number in text and cert.person.name in text
        assert cert.person.masked_id in text and cert.person.id_number not in text
        assert f"/verify/{cert.token}" in text
    assert text.count("培训合格证明") >= 2


def test_printing_before_any_certificate_is_refused(client, login, ready_session):
    session = ready_session(trainees=1)
    login(Role.TRAINING)
    response = client.post(f"/training/sessions/{session.id}/certificates/print", data={"output": "docx"})
    assert response.status_code == 200 and "本班还没有可打印的证书，请先发证" in page_text(response)
    assert db.session.scalar(db.select(db.func.count()).select_from(Job)) == 0


# --------------------------------------------------------------------------- register, revoke


@pytest.fixture
def issued(make_session, factory):
    """Three certificates: two in 东镇 (2022, now expired; this year), one in 西镇 (this year)."""
    tree = factory.tree()
    west_ent = factory.org("西镇机械厂", "enterprise", tree["v2"])
    session = make_session(trainees=2, org=tree["ent"])
    other = make_session(trainees=1, org=west_ent, title="西镇班")
    first, second = [passed(e) for e in services.enrollments(session)]
    third = passed(services.enrollments(other)[0])
    third.person.name = "王西镇"
    certs = [certificates.issue(first, today=date(2022, 3, 1), hours=48),
             certificates.issue(second, today=local_today(), hours=48),
             certificates.issue(third, today=local_today(), hours=48)]
    db.session.commit()
    return {"tree": tree, "certs": certs}


def test_the_register_searches_and_filters(client, login, issued):
    old, east, west = issued["certs"]
    login(Role.LEADER)
    everything = table_text(client.get("/training/certificates"), "certificates")
    assert all(c.number in everything for c in issued["certs"])
    assert old.person.masked_id in everything and old.person.id_number not in everything

    def found(**args) -> set[str]:
        text = table_text(client.get("/training/certificates", query_string=args), "certificates")
        return {c.number for c in issued["certs"] if c.number in text}

    assert found(q=west.person.name) == {west.number}
    assert found(q=east.number.lower()) == {east.number}
    assert found(q=old.person.id_number[-4:]) == {old.number}
    assert found(year="2022") == {old.number}
    assert found(status="已过期") == {old.number}
    assert found(status="有效") == {east.number, west.number}
    assert found(town=str(issued["tree"]["west"].id)) == {west.number}
    assert found(post="special") == set()

    certificates.revoke(db.session.get(Certificate, east.id), "测试注销")
    db.session.commit()
    assert found(status="已注销") == {east.number}
    assert east.number not in found(status="有效")


def test_the_register_exports_masked_ids_unless_the_user_may_see_them(client, login, issued):
    login(Role.LEADER)
    masked = client.get("/training/certificates", query_string={"format": "xlsx"})
    sheet = load_workbook(io.BytesIO(masked.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("证书编号", "姓名", "身份证号") and len(rows) == 4
    by_number = {r[0]: r for r in rows[1:]}
    old = issued["certs"][0]
    assert by_number[old.number][2] == old.person.masked_id and by_number[old.number][4] == "东镇"

    client.post("/logout")
    login(Role.TRAINING)
    full = client.get("/training/certificates", query_string={"format": "xlsx", "town": issued["tree"]["east"].id})
    rows = list(load_workbook(io.BytesIO(full.data)).active.iter_rows(values_only=True))
    assert len(rows) == 3 and old.person.id_number in [r[2] for r in rows]


def test_a_certificate_page_shows_its_details_and_verification_qr(client, login, issued):
    cert = issued["certs"][1]
    login(Role.LEADER)
    page = client.get(f"/training/certificates/{cert.id}")
    details = page_text(page)
    assert cert.number in details and cert.person.masked_id in details and cert.person.id_number not in details
    assert cert.course.name in details and cert.session.title in details and "有效" in details
    assert f"/verify/{cert.token}" in page.get_data(as_text=True)
    assert f"/certificates/{cert.id}/revoke" not in page.get_data(as_text=True)  # a leader may not revoke
    qr = client.get(f"/training/certificates/{cert.id}/qr.png")
    assert qr.status_code == 200 and qr.data.startswith(b"\x89PNG")


def test_revoking_needs_a_reason_which_is_kept(client, login, issued):
    cert = issued["certs"][1]
    user = login(Role.TRAINING)
    refused = client.post(f"/training/certificates/{cert.id}/revoke", data={"reason": "  "})
    assert refused.status_code == 200 and "请填写注销原因" in page_text(refused)
    assert certificate_rows()[1].status == "valid"

    done = client.post(f"/training/certificates/{cert.id}/revoke", data={"reason": "持证人提供虚假材料"},
                       follow_redirects=True)
    text = page_text(done)
    assert f"已注销证书 {cert.number}" in text and "已注销" in text
    assert re.search(r"持证人提供虚假材料（测试用户，\d{4}-\d\d-\d\d \d\d:\d\d）", text)
    revoked = db.session.get(Certificate, cert.id)
    assert revoked.status == "revoked" and revoked.revoked_by_id == user.id
    assert f"/certificates/{cert.id}/revoke" not in done.get_data(as_text=True)  # no second revocation form

    twice = client.post(f"/training/certificates/{cert.id}/revoke", data={"reason": "再注销一次"})
    assert "该证书已注销" in page_text(twice)
    assert db.session.get(Certificate, cert.id).revoked_reason == "持证人提供虚假材料"
