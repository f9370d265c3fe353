"""The dashboard at county scale: five years (2022–2026) of every module's records in the demo
county, and the leader's first page and annual summary on top of them.

Setup (timed and printed, not measured against a target; a fresh database: SQLite in a temp dir,
or --db postgresql, a scratch database created and dropped): the migrations, the demo county's
registry (registry.demo) and demo accounts (auth.demo: the leader is lingdao), then bulk inserts:
- plans: the units' plans (bench_drills.write_plans) with their status history (新建 → 送审 →
  发布 → 备案; some returned for revision and revised again, some still 需修订);
- drills: --drills over the years (bench_drills.drill_items: the drills demo's writer, its
  bulk() with steps, evaluations, problems);
- outreach: --events with the years' campaigns (the outreach demo's writer);
- training: the training demo's courses, sessions over the years with their slots, trainees of
  the registry's enterprises, exam results, attendance rows up to --attendance, certificates of
  those who passed (a few upcoming sessions, two this week);
- quiz: a bank of 68 questions, online competitions (and a few training exams) over the years
  with --attempts submitted attempts of 10 questions each (--attempts × 10 answer rows), two
  live and one upcoming; on-site contests with teams.
The big tables go in with COPY on PostgreSQL and executemany on SQLite; PostgreSQL's tables are
then ANALYZEd, as autovacuum would do after such a load (SQLite's are not: an app database that
nobody ANALYZEs is the usual case).

Timed in-process (the Flask test client, logged in as the leader; the time is the request's from
call to response, i.e. server time; SQL statements counted per request), --runs times each after
two warm-up runs, nothing cached between requests:
 1. GET /dashboard                      (this year)
 2. GET /dashboard?year=2025
 3. GET /dashboard?year=2025&town=<the town with most drills>
 4. GET /dashboard?from=2025-07-01&to=2026-06-30
 5. GET /dashboard/charts?part=1&year=2025 and …&from=…&to=… (the charts, which the page fetches
    once it has shown the figures and what is due)
 6. GET /dashboard/summary?year=2025    (the annual summary .docx; once the route exists)
and, below them, dashboard.figures.overview() and .charts() called directly for the same periods
(the page's figures without the page). Targets (issue 9): each dashboard request p95 < 300 ms,
the summary < 5 s (its slowest run). Exits 1 when a target is missed.
--explain N prints the plans (EXPLAIN QUERY PLAN on SQLite, EXPLAIN ANALYZE on PostgreSQL) of the
N slowest statements seen in the timed requests.

Run: .venv/bin/python benchmarks/bench_dashboard.py
     .venv/bin/python benchmarks/bench_dashboard.py --db postgresql
     … --drills 10000 --events 20000 --attendance 100000 --attempts 100000 --runs 20 --explain 8
     … --keep   (keep the SQLite file, or the PostgreSQL database: its URL is printed)
     … --database URL   (measure a kept database again, e.g. after a change: the migrations are
                         applied to it first; nothing is generated)
"SQL" is the time spent in the driver's execute() (SQLite computes a UNION's later parts while
the rows are fetched, so that part is under-counted there); the rest is Python and the template.
"""

import argparse
import logging
import os
import random
import secrets
import shutil
import sys
import tempfile
import time
from collections import defaultdict
from datetime import date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_drills import csrf, drill_items, pad, percentiles, write_plans  # noqa: E402
from bench_quiz import (  # noqa: E402
    GIVEN,
    PG_APP_URL,
    SURNAMES,
    create_pg_database,
    in_temp_database,
    question_drafts,
)

LEADER = "lingdao"  # auth.demo: 局长, Role.LEADER
TARGET_MS = 300
TARGET_SUMMARY_S = 5
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
QUESTIONS_PER_PAPER = 10
CHUNK = 50_000  # rows per bulk statement (and per COPY)


# --------------------------------------------------------------------------------- bulk writing


def bulk_rows(table: str, columns: tuple[str, ...], rows) -> int:
    """Rows (tuples in the columns' order) into a table: COPY on PostgreSQL, executemany on SQLite,
    inside the session's transaction. JSON values go in as their text."""
    from webapp.extensions import db

    conn = db.session.connection()
    count = 0
    if conn.dialect.name == "postgresql":
        raw = conn.connection.driver_connection
        with raw.cursor() as cursor, cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
                count += 1
        return count
    statement = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
    batch: list = []
    for row in rows:
        # as SQLAlchemy stores a DateTime on SQLite (with microseconds: the stored text is compared)
        batch.append(tuple(v.strftime("%Y-%m-%d %H:%M:%S.%f") if isinstance(v, datetime) else v for v in row))
        if len(batch) >= CHUNK:
            conn.exec_driver_sql(statement, batch)
            count, batch = count + len(batch), []
    if batch:
        conn.exec_driver_sql(statement, batch)
        count += len(batch)
    return count


def first_id(table: str) -> int:
    """The next id of a table whose rows we number ourselves (bulk_rows writes them with their ids)."""
    from sqlalchemy import text

    from webapp.extensions import db

    return int(db.session.execute(text(f"SELECT COALESCE(MAX(id), 0) FROM {table}")).scalar()) + 1


def fix_sequence(table: str) -> None:
    """After rows written with their ids, PostgreSQL's sequence must move past them."""
    from sqlalchemy import text

    from webapp.extensions import db

    if db.session.connection().dialect.name == "postgresql":
        db.session.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                f"(SELECT COALESCE(MAX(id), 1) FROM {table}))"))


def local_instant(day: date, hour: int, minute: int = 0) -> datetime:
    from webapp.common.time import from_local

    return from_local(datetime.combine(day, datetime.min.time()) + timedelta(hours=hour, minutes=minute))


def spread_day(rng: random.Random, first: date, last: date, weekdays: bool = False) -> date:
    while True:
        day = first + timedelta(days=rng.randint(0, (last - first).days))
        if not weekdays or day.weekday() < 5:
            return day


# ------------------------------------------------------------------------------------ the modules


def write_plan_history(rng: random.Random, plans_of: dict[int, list], user_id: int, today: date) -> int:
    """Each plan's status changes as the plans module records them (新建, 送审, 发布, 备案), and a
    revision for about one plan in five issued more than a year ago (returned for revision, then
    sent for review again, published and filed); the plans written 需修订 were returned once."""
    from webapp.plans.models import PlanStatus

    rows = []
    draft, review, published = PlanStatus.DRAFT.value, PlanStatus.IN_REVIEW.value, PlanStatus.PUBLISHED.value
    filed, revision = PlanStatus.FILED.value, PlanStatus.NEEDS_REVISION.value

    def change(plan_id: int, before: str | None, after: str, day: date, note: str = "") -> None:
        rows.append((plan_id, before, after, note, user_id, local_instant(min(day, today), rng.randint(8, 17),
                                                                        rng.randint(0, 59))))

    for plans in plans_of.values():
        for plan_id, row in plans:
            issued, status = row["issued_on"], row["status"]
            if issued is None:
                change(plan_id, None, draft, today - timedelta(days=rng.randint(1, 200)), "新建")
                continue
            change(plan_id, None, draft, issued - timedelta(days=rng.randint(40, 90)), "新建")
            change(plan_id, draft, review, issued - timedelta(days=rng.randint(10, 30)), "送审")
            change(plan_id, review, published, issued, "发布")
            state = published
            if row["filed_on"]:
                change(plan_id, published, filed, row["filed_on"], "备案")
                state = filed
            if status == revision or ((today - issued).days > 400 and rng.random() < 0.2):
                returned = spread_day(rng, min(issued + timedelta(days=200), today - timedelta(days=1)),
                                      today - timedelta(days=1))
                change(plan_id, state, revision, returned, "评估后需修订")
                if status != revision:
                    again = min(returned + timedelta(days=rng.randint(15, 90)), today)
                    change(plan_id, revision, review, again, "修订后重新送审")
                    change(plan_id, review, published, again + timedelta(days=rng.randint(5, 20)), "发布")
                    if state == filed:
                        change(plan_id, published, filed, again + timedelta(days=rng.randint(20, 40)), "备案")
            elif status == PlanStatus.WITHDRAWN.value:
                change(plan_id, state, PlanStatus.WITHDRAWN.value, spread_day(rng, issued, today), "废止")
    return bulk_rows("plan_status_changes", ("plan_id", "from_status", "to_status", "note", "user_id", "created_at"),
                     rows)


def write_drills(rng: random.Random, orgs: list, officer, plans_of: dict, count: int, years: int, today: date) -> None:
    from webapp.drills import demo
    from webapp.extensions import db

    writer = demo.Writer(rng, today, officer, orgs, files=False)
    items = drill_items(writer, rng, orgs, plans_of, count, years)
    for start in range(0, len(items), 2000):
        writer.bulk(items[start:start + 2000])
        db.session.commit()


def write_outreach(rng: random.Random, officer, count: int, years: list[int], today: date) -> None:
    from sqlalchemy import select

    from webapp.extensions import db
    from webapp.outreach import demo
    from webapp.registry.models import Organization

    orgs = list(db.session.scalars(select(Organization).where(Organization.active.is_(True)).order_by(Organization.id)))
    writer = demo.Writer(rng, today, officer, orgs, files=False)
    items = writer.plan(years, count, count // len(years))
    specs = writer.specs(years)
    writer.assign(items, specs)
    campaigns = writer.campaigns(specs, items)
    for start in range(0, len(items), 2000):  # one transaction: the writer's places stay loaded
        writer.bulk(items[start:start + 2000], campaigns)
    db.session.commit()


def write_training(rng: random.Random, officer, first: date, today: date, attendance_rows: int) -> None:
    """Sessions of the training demo's courses (as often as the demo's year has them) on days from
    `first` to ten days ago until `attendance_rows` sign-ins are written; then a few upcoming ones,
    two of them this week. Trainees: the registry's people of enterprises."""
    from sqlalchemy import select

    from webapp.common.time import utcnow
    from webapp.extensions import db
    from webapp.registry.models import Organization, OrgKind, Person
    from webapp.training import certificates, services
    from webapp.training import demo as training_demo
    from webapp.training.models import CertificateCounter, Post, TimeSlot, TrainingSession

    services.ensure_catalogue()
    courses = training_demo._courses()  # the demo's twelve courses, with their exam rules
    specs = training_demo.COURSES
    weights = [training_demo.PAST_SESSIONS.get(s.key, 1) for s in specs]
    people = [pid for pid, in db.session.execute(
        select(Person.id).join(Organization, Organization.id == Person.organization_id)
        .where(Organization.kind == OrgKind.ENTERPRISE.value))]
    now = utcnow()
    session_rows, slot_rows, enrollment_rows, attendance, certificate_rows = [], [], [], [], []
    sequences: dict[int, int] = defaultdict(int)
    enrollment_id, slot_id = first_id("training_enrollments"), first_id("training_slots")
    certificate_id = first_id("training_certificates")
    session_id = first_id("training_sessions")
    numbers: dict[tuple[int, str], int] = defaultdict(int)
    signed = 0
    upcoming = [today - timedelta(days=today.weekday()) + timedelta(days=d) for d in (1, 3)] + \
        [today + timedelta(days=d) for d in (12, 20, 27, 33)]
    while signed < attendance_rows or upcoming:
        spec = rng.choices(specs, weights)[0]
        ahead = signed >= attendance_rows
        start = upcoming.pop(0) if ahead else spread_day(rng, first, today - timedelta(days=10), weekdays=True)
        course = courses[spec.key]
        numbers[start.year, spec.key] += 1
        days = max(d for d, *_ in spec.days) + 1
        size = rng.randint(25, 45)
        session_rows.append({"id": session_id, "course_id": course.id, "starts_on": start,
                             "ends_on": start + timedelta(days=days - 1),
                             "title": f"{start.year}年第{numbers[start.year, spec.key]}期{spec.name}班",
                             "venue": training_demo.HALL, "capacity": size + 5, "created_by_id": officer.id})
        slots = []
        for offset, begins, ends, hours in spec.days:
            day = start + timedelta(days=offset)
            h1, m1 = map(int, begins.split(":"))
            h2, m2 = map(int, ends.split(":"))
            slots.append((slot_id, local_instant(day, h1, m1), local_instant(day, h2, m2), hours))
            slot_rows.append({"id": slot_id, "session_id": session_id, "starts_at": slots[-1][1],
                              "ends_at": slots[-1][2], "hours": hours, "topic": "安全生产法律法规",
                              "trainer": "王建华", "venue": training_demo.HALL, "key": secrets.token_urlsafe(9)[:12],
                              "secret": secrets.token_hex(16), "static_code": False,
                              "static_token": secrets.token_hex(8)})
            slot_id += 1
        special = spec.post == Post.SPECIAL
        end = start + timedelta(days=days - 1)
        for person_id in rng.sample(people, size):
            queued = local_instant(start, 9) - timedelta(days=rng.uniform(3, 30))
            left = not ahead and rng.random() < 0.03
            result = {} if ahead or left else training_demo._result(rng, special)
            enrollment_rows.append((enrollment_id, session_id, person_id, "withdrawn" if left else "enrolled", queued,
                                    queued, queued + timedelta(days=1) if left else None, "roster",
                                    result.get("exam_score"), result.get("exam_passed"),
                                    result.get("practical_score")))
            if not ahead and not left:
                for (sid, begins, _, _), present in zip(slots, training_demo._present_slots(rng, len(slots)),
                                                        strict=True):
                    if present and begins <= now:
                        attendance.append((sid, enrollment_id, True, "qr", begins - timedelta(minutes=rng.randint(0, 20))))
                        signed += 1
                practical_ok = not special or (result.get("practical_score") or 0) >= course.pass_mark
                if result.get("exam_passed") and practical_ok:
                    issued = min(end + timedelta(days=rng.randint(3, 10)), today)
                    sequences[issued.year] += 1
                    validity = 6 if special else 3
                    certificate_rows.append((
                        certificate_id, certificates.format_number(issued.year, sequences[issued.year], course.post),
                        issued.year, sequences[issued.year], secrets.token_urlsafe(16), enrollment_id, person_id,
                        session_id, course.id, course.post, course.operation_category_id, spec.hours,
                        result["exam_score"], issued, issued.replace(year=issued.year + validity) - timedelta(days=1),
                        issued.replace(year=issued.year + 3) if special else None,
                        "revoked" if rng.random() < 0.01 else "valid", local_instant(issued, 10)))
                    certificate_id += 1
            enrollment_id += 1
        session_id += 1
    db.session.execute(TrainingSession.__table__.insert(), session_rows)
    db.session.execute(TimeSlot.__table__.insert(), slot_rows)
    bulk_rows("training_enrollments", ("id", "session_id", "person_id", "status", "queued_at", "enrolled_at",
                                       "withdrawn_at", "source", "exam_score", "exam_passed", "practical_score"),
              enrollment_rows)
    bulk_rows("training_attendance", ("slot_id", "enrollment_id", "present", "method", "signed_at"), attendance)
    bulk_rows("training_certificates", ("id", "number", "year", "sequence", "token", "enrollment_id", "person_id",
                                        "session_id", "course_id", "post", "operation_category_id", "hours", "score",
                                        "issued_on", "expires_on", "review_due_on", "status", "created_at"),
              certificate_rows)
    for year, last in sequences.items():
        db.session.merge(CertificateCounter(year=year, last=last))
    for table in ("training_sessions", "training_slots", "training_enrollments", "training_certificates"):
        fix_sequence(table)
    db.session.commit()


def write_quiz(rng: random.Random, user, years: list[int], today: date, attempts: int) -> None:
    """Online competitions (ten a year, and two training exams a year) with `attempts` submitted
    attempts among them, 2 % more left in progress, each with its 10 answered items; two
    competitions live now and one upcoming. On-site contests: two a year, 8–12 teams each."""
    import json

    from sqlalchemy import insert, select

    from webapp.common.time import utcnow
    from webapp.extensions import db
    from webapp.quiz import banks, services
    from webapp.quiz.contest_models import Contest, ContestTeam
    from webapp.quiz.drafts import Kind
    from webapp.quiz.models import Question
    from webapp.registry.models import Organization, OrgKind

    bank = banks.get_or_create_bank("压测题库", "bench_dashboard.py 生成")
    banks.save_drafts(bank, question_drafts({Kind.SINGLE: 36, Kind.MULTIPLE: 12, Kind.TRUE_FALSE: 12, Kind.FILL: 8}))
    questions = defaultdict(list)
    for qid, kind in db.session.execute(select(Question.id, Question.kind).where(Question.bank_id == bank.id)):
        questions[kind].append(qid)
    rules = [services.Rule(Kind.SINGLE, 6, 10, [bank.id], []), services.Rule(Kind.TRUE_FALSE, 4, 10, [bank.id], [])]
    kinds = [OrgKind.VILLAGE.value, OrgKind.COMMUNITY.value, OrgKind.SCHOOL.value, OrgKind.ENTERPRISE.value]
    units = db.session.execute(select(Organization.id, Organization.town_id)
                               .where(Organization.kind.in_(kinds), Organization.town_id.is_not(None))).all()
    now = utcnow()
    quizzes = []  # (quiz id, opens, closes, weight)
    for year in years:
        for n in range(12):
            exam = n >= 10
            if year == today.year and n in (7, 8, 9):  # two live now, one upcoming
                opens = now - timedelta(days=rng.randint(3, 9)) if n < 9 else now + timedelta(days=6)
            else:
                opens = local_instant(spread_day(rng, date(year, 1, 1), min(date(year, 12, 31), today)
                                                 - timedelta(days=35)), 8)
            closes = opens + timedelta(days=rng.randint(7, 30))
            title = (f"{year}年第{n - 9}期培训结业考试" if exam else f"{year}年云溪县应急知识网络竞赛（第{n + 1}场）")
            quiz = services.create_quiz({
                "title": title, "kind": "exam" if exam else "competition", "paper_mode": "random",
                "time_limit_minutes": 30, "opens_at": opens, "closes_at": closes, "max_attempts": 1,
                "identity_mode": "public", "ask_organization": True, "pass_mark": 80 if exam else None}, rules, user)
            services.publish(quiz)
            quizzes.append((quiz.id, opens, closes, 0.05 if exam else rng.uniform(0.4, 1.6)))
    db.session.flush()
    attempt_id = first_id("quiz_attempts")
    total_weight = sum(w for _, opens, _, w in quizzes if opens < now)
    attempt_columns = ("id", "quiz_id", "token", "identity_key", "number", "name", "phone", "organization_id",
                       "town_id", "status", "started_at", "deadline_at", "submitted_at", "score", "max_score",
                       "correct_count", "duration_seconds")
    item_columns = ("attempt_id", "position", "question_id", "points", '"order"', "response", "correct", "awarded")
    phone = 0
    for quiz_id, opens, closes, weight in quizzes:
        if opens >= now:
            continue
        count = round(attempts * 1.02 * weight / total_weight)
        last = min(closes, now)
        attempt_rows, item_rows = [], []
        for _ in range(count):
            unit, town = rng.choice(units)
            started = opens + timedelta(seconds=rng.uniform(0, (last - opens).total_seconds() - 1500))
            done = rng.random() > 0.02
            right = [rng.random() < 0.8 for _ in range(QUESTIONS_PER_PAPER)]
            seconds = rng.randint(240, 1500)
            phone += 1
            attempt_rows.append((attempt_id, quiz_id, secrets.token_hex(16), f"phone:139{phone:08d}", 1,
                                 rng.choice(SURNAMES) + rng.choice(GIVEN), f"139{phone:08d}", unit, town,
                                 "submitted" if done else "in_progress", started, started + timedelta(minutes=30),
                                 started + timedelta(seconds=seconds) if done else None,
                                 float(sum(right) * 10) if done else None, 100.0, sum(right) if done else None,
                                 seconds if done else None))
            kinds_of = [Kind.SINGLE.value] * 6 + [Kind.TRUE_FALSE.value] * 4
            for position, kind in enumerate(kinds_of, 1):
                options = 4 if kind == Kind.SINGLE.value else 2
                order = list(range(options))
                rng.shuffle(order)
                answer = rng.randrange(options)
                ok = right[position - 1]
                item_rows.append((attempt_id, position, rng.choice(questions[kind]), 10.0, json.dumps(order),
                                  json.dumps([answer]) if done else None, ok if done else None,
                                  (10.0 if ok else 0.0) if done else None))
            attempt_id += 1
        bulk_rows("quiz_attempts", attempt_columns, attempt_rows)
        bulk_rows("quiz_attempt_items", item_columns, item_rows)
    fix_sequence("quiz_attempts")
    teams = db.session.execute(select(Organization.id, Organization.name).where(
        Organization.kind.in_([OrgKind.ENTERPRISE.value, OrgKind.TOWN.value, OrgKind.STREET.value]))).all()
    for year in years:
        for n in range(2):
            day = spread_day(rng, date(year, 1, 1), min(date(year, 12, 31), today))
            contest = db.session.scalars(insert(Contest).returning(Contest.id), [{
                "title": f"{year}年云溪县安全生产知识竞赛{'决赛' if n else '初赛'}", "date": day, "settings": {},
                "created_by_id": user.id}]).one()
            db.session.execute(insert(ContestTeam), [
                {"contest_id": contest, "name": name[:60], "organization_id": org_id, "position": i}
                for i, (org_id, name) in enumerate(rng.sample(teams, rng.randint(8, 12)), 1)])
    db.session.commit()


def setup(args, rng: random.Random) -> None:
    """Everything, module by module, each step's time printed."""
    from sqlalchemy import select, text

    from webapp.auth import demo as auth_demo
    from webapp.auth.models import User
    from webapp.common.time import local_today
    from webapp.extensions import db
    from webapp.registry import demo as registry_demo
    from webapp.registry.models import Organization

    today = local_today()
    years = list(range(today.year - args.years + 1, today.year + 1))
    clock = [time.perf_counter()]

    def step(label: str) -> None:
        db.session.commit()
        now = time.perf_counter()
        print(f"  {label}: {now - clock[0]:.1f} s", flush=True)
        clock[0] = now

    registry_demo.seed(rng)
    auth_demo.seed()
    users = {u.username: u for u in db.session.scalars(select(User))}
    step("registry and demo accounts")
    orgs = list(db.session.scalars(select(Organization).order_by(Organization.id)))
    plans_of = write_plans(rng, orgs, users["yuan"].id, today)
    write_plan_history(rng, plans_of, users["yuan"].id, today)
    step("plans and their status changes")
    write_drills(rng, orgs, users["yanlian"], plans_of, args.drills, args.years, today)
    step("drills")
    write_outreach(rng, db.session.get(User, users["xuanchuan"].id), args.events, years, today)
    step("outreach events")
    write_training(rng, db.session.get(User, users["peixun"].id), date(years[0], 1, 1), today, args.attendance)
    step("training")
    write_quiz(rng, db.session.get(User, users["admin"].id), years, today, args.attempts)
    step("quiz")
    if db.session.connection().dialect.name == "postgresql":
        # what autovacuum does after such a load (statistics, and the visibility map that
        # index-only scans need); run here so that the figures do not depend on its timing
        db.session.commit()
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))
        step("VACUUM ANALYZE")


def tally() -> dict:
    """What the database holds, and the town with most drills (the town measured)."""
    from sqlalchemy import text

    from webapp.extensions import db
    from webapp.registry.models import Organization

    def count(table: str, where: str = "") -> int:
        return int(db.session.execute(text(f"SELECT count(*) FROM {table} {where}")).scalar())

    counts = {
        "organizations": count("organizations"), "people": count("people"), "plans": count("plans"),
        "plan status changes": count("plan_status_changes"), "drills": count("drills"),
        "drills held": count("drills", "WHERE held_on IS NOT NULL"), "outreach events": count("outreach_events"),
        "training sessions": count("training_sessions"), "enrollments": count("training_enrollments"),
        "attendance rows": count("training_attendance"), "certificates": count("training_certificates"),
        "quizzes": count("quizzes"), "submitted attempts": count("quiz_attempts", "WHERE status = 'submitted'"),
        "answer rows": count("quiz_attempt_items"), "contests": count("contests")}
    busiest = db.session.execute(text(
        "SELECT town_id, count(*) FROM drills WHERE town_id IS NOT NULL GROUP BY town_id ORDER BY 2 DESC LIMIT 1")).first()
    counts["town"] = busiest[0] if busiest else None
    counts["town_name"] = db.session.get(Organization, busiest[0]).name if busiest else ""
    return counts


# ------------------------------------------------------------------------------------------ timing


class Statements:
    """Counts and times the SQL statements sent through the engine while on."""

    def __init__(self, engine):
        from sqlalchemy import event

        self.engine, self.on = engine, False
        self.count, self.seen = 0, []  # seen: (seconds, statement, parameters)
        event.listen(engine, "before_cursor_execute", self.before)
        event.listen(engine, "after_cursor_execute", self.after)

    def before(self, conn, cursor, statement, parameters, context, executemany):
        conn.info["bench_started"] = time.perf_counter()

    def after(self, conn, cursor, statement, parameters, context, executemany):
        if self.on:
            self.count += 1
            self.seen.append((time.perf_counter() - conn.info.pop("bench_started", time.perf_counter()), statement,
                              parameters))

    def remove(self) -> None:
        from sqlalchemy import event

        event.remove(self.engine, "before_cursor_execute", self.before)
        event.remove(self.engine, "after_cursor_execute", self.after)


def timed(label: str, call, runs: int, statements: Statements, problems: list) -> tuple | None:
    """Two warm-up runs, then `runs` timed ones: (label, p50, p95, max, statements per run, SQL ms)."""
    times, counts, sql = [], [], []
    for run in range(runs + 2):
        statements.count, statements.on, before = 0, True, len(statements.seen)
        began = time.perf_counter()
        try:
            ok, note = call()
        except Exception as exc:  # a crash is a finding: reported, and the rest still measured
            ok, note = False, f"{type(exc).__name__}: {exc}"
        elapsed = (time.perf_counter() - began) * 1000
        statements.on = False
        if not ok:
            problems.append(f"{label}: {note}")
            return None
        if run >= 2:
            times.append(elapsed)
            counts.append(statements.count)
            sql.append(sum(s for s, _, _ in statements.seen[before:]) * 1000)
        else:
            del statements.seen[before:]
    p50, p95, top = percentiles(times)
    return label, p50, p95, top, max(counts), sorted(sql)[len(sql) // 2]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument("--drills", type=int, default=10_000)
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--attendance", type=int, default=100_000, help="training sign-in rows")
    parser.add_argument("--attempts", type=int, default=100_000, help="submitted quiz attempts (×10 answer rows)")
    parser.add_argument("--runs", type=int, default=20, help="timed runs of each request (the summary: a quarter)")
    parser.add_argument("--explain", type=int, default=0, metavar="N", help="print the plans of the N slowest statements")
    parser.add_argument("--keep", action="store_true",
                        help="keep the temp dir (SQLite file, the summary .docx), or the PostgreSQL database")
    parser.add_argument("--database", metavar="URL",
                        help="measure this database instead (one kept by --keep): upgraded, not generated again")
    args = parser.parse_args()
    if args.database or (args.db == "postgresql" and args.keep):
        url = args.database
        if not url:
            name = f"bench_dashboard_{os.getpid()}"
            create_pg_database(name)
            url = PG_APP_URL.format(name=name)
            print(f"keeping PostgreSQL database {name} (drop it when done): --database {url}", flush=True)
        tmp = Path(tempfile.mkdtemp(prefix="bench_dashboard_"))
        try:
            return run(args, tmp, url, kept_files(url))
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    return in_temp_database("bench_dashboard", args.db, args.keep, lambda tmp, url: run(args, tmp, url))


def kept_files(url: str) -> Path:
    """The stored files of a kept database (uploaded templates …), which its rows point to: the
    folder beside a SQLite file, as in_temp_database lays it out, or one named after the
    PostgreSQL database."""
    if url.startswith("sqlite:///"):
        return Path(url.removeprefix("sqlite:///")).parent / "files"
    return Path(tempfile.gettempdir()) / f"bench_dashboard_files_{url.rsplit('/', 1)[-1]}"


def run(args, tmp: Path, database_url: str, files: Path | None = None) -> int:
    from flask_migrate import upgrade

    from webapp import create_app
    from webapp.extensions import db

    logging.getLogger("alembic").setLevel(logging.WARNING)
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "bench-dashboard",
                      "STORAGE_DIR": str(files or tmp / "files"), "REDIS_URL": None})
    dialect = "PostgreSQL" if database_url.startswith("postgresql") else "SQLite"
    print(f"bench_dashboard: {args.years} years of the demo county, {dialect}, {os.cpu_count()} CPUs", flush=True)
    started = time.perf_counter()
    with app.app_context():
        logging.disable(logging.INFO)
        upgrade()
        logging.disable(logging.NOTSET)
        generate = not db.session.execute(db.text("SELECT 1 FROM drills LIMIT 1")).first()
        if generate:
            setup(args, random.Random(2026))
        counts = tally()
        db.session.remove()
    print(f"{'generation' if generate else 'upgrade of the given database'} in {time.perf_counter() - started:.1f} s: "
          + ", ".join(
        f"{v:,} {k}" for k, v in counts.items() if isinstance(v, int) and k != "town"), flush=True)
    try:
        return measure(args, app, counts, tmp, dialect)
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def measure(args, app, counts: dict, tmp: Path, dialect: str) -> int:
    from webapp.auth.demo import DEMO_PASSWORD
    from webapp.common.figures import Period
    from webapp.common.time import local_today
    from webapp.dashboard import figures
    from webapp.extensions import db

    today = local_today()
    last_year = today.year - 1
    town, town_name = counts["town"], counts["town_name"]
    span = Period(date(last_year, 7, 1), date(today.year, 6, 30))
    client = app.test_client()
    login = client.post("/login", data={"username": LEADER, "password": DEMO_PASSWORD,
                                        "csrf_token": csrf(client.get("/login").get_data(as_text=True))})
    if login.status_code != 302:
        print(f"FAIL  login as the leader: HTTP {login.status_code}")
        return 1
    with app.app_context():
        engine = db.engine
        summary = "dashboard.summary" in {rule.endpoint for rule in app.url_map.iter_rules()}
    statements = Statements(engine)
    saved: dict[str, bytes] = {}

    def get(url: str, kind: str = "text/html", follow: bool = False):
        def call():
            response = client.get(url, follow_redirects=follow)
            ok = response.status_code == 200 and response.mimetype.startswith(kind)
            if ok and kind == DOCX:
                saved["summary"] = response.get_data()
            return ok, f"HTTP {response.status_code} {response.mimetype}"
        return call

    def direct(function, period: Period, town_id: int | None):
        def call():
            with app.test_request_context():
                function(period, town_id)
                db.session.remove()
            return True, ""
        return call

    pages = [
        (f"GET /dashboard ({today.year}, this year)", get("/dashboard")),
        (f"GET /dashboard?year={last_year}", get(f"/dashboard?year={last_year}")),
        (f"GET /dashboard?year={last_year}&town= ({town_name})", get(f"/dashboard?year={last_year}&town={town}")),
        (f"GET /dashboard?from={span.first}&to={span.last}", get(f"/dashboard?from={span.first}&to={span.last}")),
        # the charts, which the page fetches right after it has shown the figures and what is due
        (f"GET /dashboard/charts?part=1&year={last_year}", get(f"/dashboard/charts?part=1&year={last_year}")),
        (f"GET /dashboard/charts?part=1&from={span.first}&to={span.last}",
         get(f"/dashboard/charts?part=1&from={span.first}&to={span.last}")),
    ]
    parts = []
    for label, period, town_id in ((f"{today.year}", Period.of_year(today.year), None),
                                   (f"{last_year}", Period.of_year(last_year), None),
                                   (f"{last_year}, {town_name}", Period.of_year(last_year), town),
                                   (f"{span.first}…{span.last}", span, None)):
        parts.append((f"figures.overview({label})", direct(figures.overview, period, town_id)))
        parts.append((f"figures.charts({label})", direct(figures.charts, period, town_id)))

    problems: list[str] = []
    page_results = [r for r in (timed(label, call, args.runs, statements, problems) for label, call in pages) if r]
    summary_result = None
    if summary:
        summary_result = timed(f"GET /dashboard/summary?year={last_year} (.docx)",
                               get(f"/dashboard/summary?year={last_year}", DOCX, follow=True),
                               max(3, args.runs // 4), statements, problems)
    part_results = [r for r in (timed(label, call, args.runs, statements, problems) for label, call in parts) if r]
    statements.remove()

    print(f"\n{dialect}, {args.runs} runs each after 2 warm-up runs (the summary: {max(3, args.runs // 4)}); "
          "server time from call to response; SQL statements per request and their time (median run)")
    for label, p50, p95, top, queries, sql in page_results + ([summary_result] if summary_result else []):
        print(f"  {pad(label, 58)} p50 {p50:7.1f} ms  p95 {p95:7.1f} ms  max {top:7.1f} ms  "
              f"{queries:3d} queries ({sql:6.1f} ms SQL)")
    print("  the figures alone (dashboard.figures, no page):")
    for label, p50, p95, top, queries, sql in part_results:
        print(f"  {pad('  ' + label, 58)} p50 {p50:7.1f} ms  p95 {p95:7.1f} ms  max {top:7.1f} ms  "
              f"{queries:3d} queries ({sql:6.1f} ms SQL)")
    if "summary" in saved:
        (tmp / f"summary_{last_year}.docx").write_bytes(saved["summary"])
        print(f"  the summary: {len(saved['summary']) / 1024:.0f} KB")

    slowest = sorted(statements.seen, key=lambda s: -s[0])
    print("\n  slowest statements (one line each):")
    shown = set()
    for seconds, statement, _ in slowest:
        key = " ".join(statement.split())
        if key in shown:
            continue
        shown.add(key)
        print(f"  {seconds * 1000:7.1f} ms  {key[:150]}")
        if len(shown) >= max(5, args.explain):
            break
    if args.explain:
        explain(app, slowest, args.explain, dialect)

    targets = [(label, p95 < TARGET_MS, f"p95 {p95:.0f} ms (target < {TARGET_MS} ms)")
               for label, _, p95, *_ in page_results]
    if summary_result:
        targets.append((summary_result[0], summary_result[3] < TARGET_SUMMARY_S * 1000,
                        f"slowest {summary_result[3] / 1000:.2f} s (target < {TARGET_SUMMARY_S} s)"))
    print(f"\n{dialect}:")
    for label, ok, figure in targets:
        print(f"  {'PASS' if ok else 'FAIL'}  {pad(label, 58)} {figure}")
    if not summary:
        print(f"  ----  {pad('GET /dashboard/summary', 58)} not measured: no dashboard.summary route yet")
    for problem in problems:
        print(f"  FAIL  {problem}")
    return 0 if all(ok for _, ok, _ in targets) and not problems else 1


def explain(app, slowest: list, count: int, dialect: str) -> None:
    from webapp.extensions import db

    shown = set()
    with app.app_context():
        conn = db.session.connection()
        for seconds, statement, parameters in slowest:
            key = " ".join(statement.split())
            if key in shown:
                continue
            shown.add(key)
            prefix = "EXPLAIN (ANALYZE, BUFFERS) " if dialect == "PostgreSQL" else "EXPLAIN QUERY PLAN "
            print(f"\n--- {seconds * 1000:.1f} ms: {key}\n    parameters: {parameters}")
            for row in conn.exec_driver_sql(prefix + statement, parameters):
                print("    " + " | ".join(str(v) for v in row))
            if len(shown) >= count:
                break
        db.session.rollback()


if __name__ == "__main__":
    sys.exit(main())
