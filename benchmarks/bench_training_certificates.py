"""Issuing and printing the 500 certificates of a large session: ≤ 10 s to the merged .docx.

Setup (not timed; a fresh database: SQLite in a temp dir, or --db postgresql): the migrations, a
course (安全生产管理人员初训, 32 hours), a session of four days (8 slots of 4 hours) with 500
trainees, their attendance (every slot) and exam results (passed) written directly, as the
session would have them after its exam.

Timed, as the officer's two clicks run them:
1. certificates.issue_session(session): collects exam results, sums the hours, checks each trainee
   and issues 500 certificates with numbers from the year's counter; then the commit;
2. certificates.print_session(session, "docx"): the records (holder, course, hours, number, dates,
   verify URL) stored for a batch job, the commit that starts it, and the job itself: without
   REDIS_URL it runs in a worker thread of this process (as in the web process), rendering each
   certificate with its own QR code and the seal and merging them into one .docx. The clock stops
   when the job is marked done (polled every 20 ms).
Then the .docx is opened with python-docx and must hold the 500 certificate numbers, once each.

Run: .venv/bin/python benchmarks/bench_training_certificates.py
     .venv/bin/python benchmarks/bench_training_certificates.py --db postgresql
     … --trainees 500 --keep
"""

import argparse
import logging
import os
import random
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_quiz import in_temp_database  # noqa: E402
from docx.oxml.ns import qn  # noqa: E402

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁蔡蒋余于杜叶程魏苏吕丁任沈姚卢傅钟"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰涛明超秀霞平刚桂英华建国文辉鹏飞燕玲红志宏斌波俊丹萍云海峰亮晨浩宇欣怡子涵梓轩"
TARGET_SECONDS = 10


def setup(trainees: int):
    """The session, its trainees, their attendance and results (written directly: not timed)."""
    from sqlalchemy import insert, select

    from webapp.common.identifiers import id_check_char
    from webapp.common.time import from_local, local_today
    from webapp.extensions import db
    from webapp.registry.models import Organization, OrgKind, Person
    from webapp.training import services
    from webapp.training.models import Attendance, Enrollment, Post

    rng = random.Random(500)
    org = Organization(name="云溪县恒安机械制造有限公司", kind=OrgKind.ENTERPRISE.value, industry="工贸")
    db.session.add(org)
    course = services.save_course(None, {
        "name": "安全生产管理人员初训", "post": Post.SAFETY_MANAGER.value, "course_type": "initial",
        "high_risk": False, "required_hours": 32, "exam_rules": [], "pass_mark": 80})
    start = local_today() - timedelta(days=10)
    session = services.save_session(None, {
        "course_id": course.id, "title": "2026年第9期安全生产管理人员初训班", "starts_on": start,
        "ends_on": start + timedelta(days=3), "venue": "县应急管理局培训中心三楼报告厅", "capacity": trainees})
    slots = []
    for day in range(4):
        for begin, end in (("08:30", "12:00"), ("14:00", "17:30")):
            def at(hm, d=day):
                return from_local(datetime.combine(start + timedelta(days=d), datetime.strptime(hm, "%H:%M").time()))
            slots.append(services.save_slot(session, None, {"starts_at": at(begin), "ends_at": at(end), "hours": 4,
                                                             "topic": "安全生产法律法规", "trainer": "王建华"}))
    people, numbers = [], set()
    while len(people) < trainees:
        birth = date(1970, 1, 1) + timedelta(days=rng.randint(0, 365 * 30))
        body = "331181" + birth.strftime("%Y%m%d") + f"{rng.randint(0, 999):03d}"
        number = body + id_check_char(body)
        if number in numbers:
            continue
        numbers.add(number)
        people.append({"name": rng.choice(SURNAMES) + "".join(rng.sample(GIVEN, rng.choice((1, 2)))),
                       "id_number": number, "organization_id": org.id, "post": "安全管理员"})
    ids = db.session.scalars(insert(Person).returning(Person.id, sort_by_parameter_order=True), people).all()
    enrolled = db.session.scalars(insert(Enrollment).returning(Enrollment.id, sort_by_parameter_order=True), [
        {"session_id": session.id, "person_id": pid, "status": "enrolled", "exam_score": float(rng.randint(80, 99)),
         "exam_passed": True} for pid in ids]).all()
    db.session.execute(insert(Attendance), [
        {"slot_id": slot.id, "enrollment_id": eid, "present": True, "method": "qr", "signed_at": slot.starts_at}
        for eid in enrolled for slot in slots])
    db.session.commit()
    return db.session.scalar(select(type(session)).where(type(session).id == session.id))


def wait_for_job(job_id: str, timeout: float = 120):
    from webapp.extensions import db
    from webapp.jobs.models import Job, JobStatus

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        db.session.rollback()  # see the job thread's commits
        job = db.session.get(Job, job_id)
        db.session.refresh(job)
        if job.status not in (JobStatus.QUEUED.value, JobStatus.RUNNING.value):
            return job
        time.sleep(0.02)
    raise RuntimeError(f"the print job did not finish within {timeout:g} s")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--trainees", type=int, default=500)
    parser.add_argument("--keep", action="store_true", help="keep the temp dir (SQLite file, the .docx)")
    args = parser.parse_args()

    return in_temp_database("bench_certificates", args.db, args.keep, lambda tmp, url: run(args, tmp, url))

def run(args, tmp: Path, database_url: str) -> int:
    from webapp import create_app
    from webapp.extensions import db

    logging.getLogger("alembic").setLevel(logging.WARNING)
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "bench-certificates",
                      "STORAGE_DIR": str(tmp / "files"), "SERVER_NAME": "yj.yunxi.gov.cn",
                      "PREFERRED_URL_SCHEME": "https", "REDIS_URL": None})
    with app.app_context():
        try:
            return measure(args, tmp)
        finally:
            db.session.remove()
            db.engine.dispose()


def measure(args, tmp: Path) -> int:
    from docx import Document
    from flask_migrate import upgrade

    from webapp import storage
    from webapp.extensions import db
    from webapp.jobs.models import JobStatus
    from webapp.training import certificates
    from webapp.training.models import Certificate

    dialect = "PostgreSQL" if db.engine.dialect.name == "postgresql" else "SQLite"
    print(f"bench_training_certificates: {args.trainees} trainees, {dialect}, {os.cpu_count()} CPUs", flush=True)
    started = time.perf_counter()
    upgrade()
    session = setup(args.trainees)
    print(f"setup (not timed): flask db upgrade, a session with {args.trainees} trainees, 8 slots of 4 hours "
          f"attended, exams passed: {time.perf_counter() - started:.1f} s", flush=True)

    started = time.perf_counter()
    report = certificates.issue_session(session, today=session.ends_on)
    db.session.commit()
    issue_seconds = time.perf_counter() - started
    print(f"\n1. issue_session: {len(report.issued)} certificates issued, {len(report.skipped)} skipped, "
          f"committed: {issue_seconds:.2f} s ({len(report.issued) / issue_seconds:.0f}/s)", flush=True)

    started = time.perf_counter()
    job_id = certificates.print_session(session, "docx").id
    db.session.commit()  # the job starts here, in a worker thread of this process
    submitted = time.perf_counter() - started
    job = wait_for_job(job_id)
    print_seconds = time.perf_counter() - started
    print(f"2. print_session to one merged .docx: {print_seconds:.2f} s (records and submit {submitted:.2f} s, "
          f"the job {print_seconds - submitted:.2f} s), job {job.status}{': ' + job.error if job.error else ''}",
          flush=True)
    total = issue_seconds + print_seconds

    numbers = set(db.session.scalars(db.select(Certificate.number).where(Certificate.session_id == session.id)))
    seen, opened, size = {}, False, 0
    if job.status == JobStatus.DONE.value and job.result_key:
        out = tmp / "print.docx"
        with storage.open_file(job.result_key) as f:
            out.write_bytes(f.read())
        size = out.stat().st_size
        document = Document(str(out))  # python-docx opens it
        opened = True
        text = "\n".join(t.text or "" for t in document.element.body.iter(qn("w:t")))
        seen = {number: text.count(number) for number in numbers}
    once = sum(n == 1 for n in seen.values())
    print(f"\nthe .docx: {size / 1024 / 1024:.1f} MB, opens with python-docx: {'yes' if opened else 'no'}; of the "
          f"{len(numbers)} issued certificate numbers, {once} appear in its text exactly once")

    targets = [
        (f"issue + print ≤ {TARGET_SECONDS} s", total <= TARGET_SECONDS,
         f"{total:.2f} s (issue {issue_seconds:.2f} s + print {print_seconds:.2f} s)"),
        (f"{args.trainees} certificates, each number once in the .docx",
         opened and len(report.issued) == len(numbers) == once == args.trainees,
         f"{len(report.issued)} issued, {once} found once in the file"),
    ]
    print(f"\n{dialect}, {args.trainees} certificates:")
    for label, ok, figure in targets:
        print(f"  {'PASS' if ok else 'FAIL'}  {label:44s} {figure}")
    return 0 if all(ok for _, ok, _ in targets) else 1


if __name__ == "__main__":
    sys.exit(main())
