"""300 trainees sign in to one time slot by QR code, against the full app under gunicorn on loopback.

Setup (in this process, on a fresh database: SQLite in a temp dir, or --db postgresql): the
migrations, a course, a session with one slot open now (started 10 minutes ago, 50 more to go) and
300 enrolled trainees with valid ID numbers. The app then runs as in production (APP_ENV=production:
sessions, CSRF, rate limiter, security headers) under gunicorn with 2 sync workers.

The trainees arrive at random moments over --spread seconds (default 20: 15 a second, three times
the pace of the 60 s target; --spread 0 sends them all at once as a closed-loop burst), at most
--concurrency (30) in flight, each with its own connection and cookies. Each does what a phone
does after scanning the screen: GET /t/<key>?k=<token> (the token the
screen shows now: attendance.qr_token of the slot's secret and the current 30-second window, computed
here from the same database as the screen computes it), reads the form's hidden fields (CSRF token,
the signed pass), then POSTs name + the last 6 characters of the ID number. Then 30 of them do it all
again: the second sign-in must say "already signed in" (200), not fail and not count twice.

Afterwards the database is counted: exactly one Attendance row per trainee. Targets (issue): the
300 within 60 s, zero errors, each counted exactly once, p95 of the sign-in POST < 300 ms. Exits 1
when a target is missed.

One change to the app's settings: SIGNIN_RATE_LIMIT_PER_ADDRESS is raised through the environment
(FLASK_SIGNIN_RATE_LIMIT_PER_ADDRESS), because every virtual phone here comes from 127.0.0.1; the
limiter still runs on every POST. (A real training room behind one NAT address sends about these
330 POSTs a minute, within the default "600 per minute".)

Run: .venv/bin/python benchmarks/bench_training_signin.py
     .venv/bin/python benchmarks/bench_training_signin.py --db postgresql
     … --trainees 300 --concurrency 30 --spread 20 --workers 2 --repeat 30 --keep
"""

import argparse
import html
import os
import random
import re
import shutil
import signal
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_quiz import (  # noqa: E402  (the same server harness and figures as the quiz benchmark)
    PG_APP_URL,
    CpuMeter,
    Phone,
    Server,
    create_pg_database,
    drop_pg_database,
    latency_line,
    pct,
)

RATE_LIMIT = "100000 per minute"
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁蔡蒋余于杜叶程魏苏吕丁任沈姚卢傅钟"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰涛明超秀霞平刚桂英华建国文辉鹏飞燕玲红志宏斌波俊丹萍云海峰亮晨浩宇欣怡子涵梓轩"


class BenchTimeout(BaseException):
    pass


# ---------------------------------------------------------------------------------- setup

def setup(database_url: str, storage: str, trainees: int) -> dict:
    """Schema by the migrations; a session with one slot open now and `trainees` enrolled."""
    from datetime import date, timedelta

    from flask_migrate import upgrade
    from sqlalchemy import insert, select

    from webapp import create_app
    from webapp.common.identifiers import id_check_char
    from webapp.common.time import local_today, utcnow
    from webapp.extensions import db
    from webapp.registry.models import Person
    from webapp.training import services
    from webapp.training.models import Post

    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "bench-setup", "STORAGE_DIR": storage})
    rng = random.Random(300)
    with app.app_context():
        upgrade()
        course = services.save_course(None, {
            "name": "安全生产管理人员初训（压测）", "post": Post.SAFETY_MANAGER.value, "course_type": "initial",
            "high_risk": False, "required_hours": 32, "exam_rules": [], "pass_mark": 80})
        today = local_today()
        session = services.save_session(None, {
            "course_id": course.id, "title": "签到压测班", "starts_on": today, "ends_on": today + timedelta(days=3),
            "venue": "县应急管理局培训中心三楼报告厅", "capacity": trainees})
        now = utcnow()
        slot = services.save_slot(session, None, {
            "starts_at": now - timedelta(minutes=10), "ends_at": now + timedelta(minutes=50), "hours": 1,
            "topic": "安全生产法律法规", "trainer": "王建华"})
        people, numbers, idents = [], set(), set()
        while len(people) < trainees:
            birth = date(1970, 1, 1) + timedelta(days=rng.randint(0, 365 * 30))
            body = "331181" + birth.strftime("%Y%m%d") + f"{rng.randint(0, 999):03d}"
            number = body + id_check_char(body)
            name = rng.choice(SURNAMES) + "".join(rng.sample(GIVEN, rng.choice((1, 2))))
            if number in numbers or (name, number[-6:]) in idents:  # each trainee names exactly one person
                continue
            numbers.add(number)
            idents.add((name, number[-6:]))
            people.append({"name": name, "id_number": number, "phone": f"139{len(people):08d}"})
        db.session.execute(insert(Person), people)
        for person in db.session.scalars(select(Person).order_by(Person.id)):
            services.enroll(session, person)
        db.session.commit()
        out = {"key": slot.key, "secret": slot.secret, "slot_id": slot.id, "period": app.config["SIGNIN_CODE_SECONDS"],
               "people": [(p["name"], p["id_number"][-6:]) for p in people],
               "enrolled": services.enrolled_count(session)}
        db.session.remove()
        db.engine.dispose()
    return out


def current_token(data: dict) -> str:
    """What the screen shows now (attendance.qr_token over the current 30-second window)."""
    from webapp.training import attendance

    return attendance.qr_token(SimpleNamespace(secret=data["secret"]), int(time.time()) // data["period"])


# ---------------------------------------------------------------------------- the trainees

HIDDEN = re.compile(r'<input[^>]*type="hidden"[^>]*>')


def hidden_fields(page: str) -> dict:
    """Every hidden input of the sign-in form (the CSRF token, the signed pass), whatever its name."""
    out = {}
    for tag in HIDDEN.findall(page):
        name = re.search(r'name="([^"]+)"', tag)
        value = re.search(r'value="([^"]*)"', tag)
        if name:
            out[name.group(1)] = html.unescape(value.group(1)) if value else ""
    return out


class Recorder:
    def __init__(self):
        self.lock = threading.Lock()
        self.latencies: dict[str, list[float]] = defaultdict(list)
        self.errors: dict[str, int] = defaultdict(int)
        self.samples: list[str] = []
        self.done = 0

    def __call__(self, kind: str, elapsed: float | None, problem: str | None) -> None:
        with self.lock:
            if elapsed is not None:
                self.latencies[kind].append(elapsed)
            if problem:
                self.errors[kind] += 1
                if len(self.samples) < 8:
                    self.samples.append(problem)


def sign_in(port: int, data: dict, person: tuple[str, str], record: Recorder, again: bool) -> None:
    name, last6 = person
    phone = Phone(port)
    suffix = "_again" if again else ""
    try:
        path = f"/t/{data['key']}"
        try:
            status, _, body, elapsed = phone.request("GET", f"{path}?k={current_token(data)}")
        except Exception as exc:
            record("get" + suffix, None, f"GET: {type(exc).__name__}: {exc}")
            return
        page = body.decode(errors="replace")
        fields = hidden_fields(page)
        if status != 200 or "csrf_token" not in fields:
            record("get" + suffix, elapsed, f"GET: HTTP {status}, hidden fields {sorted(fields)}: {page[:200]!r}")
            return
        record("get" + suffix, elapsed, None)
        form = urllib.parse.urlencode(fields | {"name": name, "ident": last6}).encode()
        try:
            status, _, body, elapsed = phone.request("POST", path, body=form,
                                                     content_type="application/x-www-form-urlencoded")
        except Exception as exc:
            record("post" + suffix, None, f"POST: {type(exc).__name__}: {exc}")
            return
        page = body.decode(errors="replace")
        expected = "无需重复签到" if again else f"签到成功：{name}"
        if status != 200 or expected not in page:
            text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))[:240]
            record("post" + suffix, elapsed, f"POST {name}: HTTP {status}, not “{expected}”: {text!r}")
            return
        record("post" + suffix, elapsed, None)
        with record.lock:
            record.done += 1
    finally:
        phone.close()


def run_phase(port: int, data: dict, people: list, concurrency: int, again: bool,
              spread: float = 0.0) -> tuple[Recorder, float]:
    """Each trainee arrives at a random moment within `spread` seconds (0: all at once, each thread
    starting the next trainee as soon as it is done); at most `concurrency` are in flight."""
    record = Recorder()
    rng = random.Random(len(people))
    arrivals = sorted(rng.uniform(0, spread) for _ in people)
    started = time.monotonic()

    def arrive(person, at):
        time.sleep(max(0.0, started + at - time.monotonic()))
        sign_in(port, data, person, record, again)

    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        for person, at in zip(people, arrivals, strict=True):
            pool.submit(arrive, person, at)
    return record, time.monotonic() - started


def count_rows(database_url: str, slot_id: int) -> dict:
    from sqlalchemy import create_engine, text

    engine = create_engine(database_url)
    with engine.connect() as conn:
        row = conn.execute(text(
            "SELECT count(*), count(DISTINCT enrollment_id), sum(CASE WHEN present THEN 1 ELSE 0 END) "
            "FROM training_attendance WHERE slot_id = :s"), {"s": slot_id}).one()
        twice = conn.execute(text(
            "SELECT count(*) FROM (SELECT enrollment_id FROM training_attendance WHERE slot_id = :s "
            "GROUP BY enrollment_id HAVING count(*) > 1) d"), {"s": slot_id}).scalar()
    engine.dispose()
    return {"rows": row[0], "distinct": row[1], "present": row[2] or 0, "twice": twice}


def server_times(path: Path) -> dict[str, list[float]]:
    """Time inside the worker per request (gunicorn access log %(D)s, µs) by method, for /t/."""
    times: dict[str, list[float]] = defaultdict(list)
    for line in path.read_text(errors="replace").splitlines():
        parts = line.split()
        if len(parts) == 4 and parts[1].startswith("/t/"):
            times[parts[0]].append(int(parts[3]) / 1e6)
    return times


# ---------------------------------------------------------------------------------- the run

def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--trainees", type=int, default=300)
    parser.add_argument("--concurrency", type=int, default=30, help="trainees signing in at the same moment")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers")
    parser.add_argument("--repeat", type=int, default=30, help="trainees who sign in a second time")
    parser.add_argument("--spread", type=float, default=20,
                        help="seconds over which the trainees arrive (0: all at once, a closed-loop burst)")
    parser.add_argument("--time-limit", type=float, default=240, help="hard bound: everything stopped after it")
    parser.add_argument("--keep", action="store_true", help="keep the temp dir (logs, SQLite file)")
    args = parser.parse_args()

    def on_alarm(signum, frame):
        raise BenchTimeout()

    def on_term(signum, frame):
        raise KeyboardInterrupt()

    signal.signal(signal.SIGALRM, on_alarm)
    signal.signal(signal.SIGTERM, on_term)
    signal.signal(signal.SIGINT, on_term)
    signal.setitimer(signal.ITIMER_REAL, args.time_limit)
    tmp = Path(tempfile.mkdtemp(prefix="bench_signin_"))
    pg_name = f"bench_signin_{os.getpid()}" if args.db == "postgresql" else None
    server = None
    try:
        if pg_name:
            create_pg_database(pg_name)
            database_url = PG_APP_URL.format(name=pg_name)
        else:
            database_url = f"sqlite:///{tmp / 'bench.db'}"
        dialect = "PostgreSQL" if pg_name else "SQLite"
        print(f"bench_training_signin: {args.trainees} trainees, concurrency {args.concurrency}, "
              f"gunicorn -w {args.workers} -k sync, {dialect}, {os.cpu_count()} CPUs", flush=True)
        started = time.monotonic()
        data = setup(database_url, str(tmp / "files"), args.trainees)
        print(f"setup: flask db upgrade, a session with {data['enrolled']} enrolled trainees, one slot open now "
              f"(/t/{data['key']}): {time.monotonic() - started:.1f} s", flush=True)

        env = {k: v for k, v in os.environ.items() if not k.startswith(("FLASK_", "RATELIMIT_"))}
        env.update(APP_ENV="production", SECRET_KEY=os.urandom(32).hex(), DATABASE_URL=database_url,
                   STORAGE_DIR=str(tmp / "files"), FLASK_SIGNIN_RATE_LIMIT_PER_ADDRESS=RATE_LIMIT)
        for name in ("REDIS_URL", "TRUSTED_PROXIES"):
            env.pop(name, None)
        server = Server(args.workers, env, tmp)
        server.wait()
        # the first request of each worker compiles templates: warm both up with page loads (GET only)
        warm = Recorder()
        with ThreadPoolExecutor(max_workers=4) as pool:
            for _ in range(8):
                pool.submit(lambda: warm("warm", *_get_page(server.port, data)))
        print(f"server: {' '.join(server.command[1:])}")
        print("        APP_ENV=production (secure cookies, security headers), sessions, CSRF on the sign-in form, "
              "Flask-Limiter (memory://)")
        print(f"        SIGNIN_RATE_LIMIT_PER_ADDRESS raised from '600 per minute' to '{RATE_LIMIT}' "
              f"(FLASK_SIGNIN_RATE_LIMIT_PER_ADDRESS): every virtual phone comes from 127.0.0.1; the limit is "
              f"still checked on every POST", flush=True)
        if warm.errors:
            print(f"        warm-up errors: {warm.samples[:2]}")

        meter = CpuMeter(server, bool(pg_name))
        before, cpu0 = meter.read(), sum(os.times()[:2])
        arrival = (f"arriving at random over {args.spread:g} s ({args.trainees / args.spread:.0f}/s on average, "
                   f"{60 / args.spread:.0f}× the 60 s target's pace)" if args.spread else
                   "all at once (closed loop: each thread starts the next trainee when one is done)")
        print(f"\nsign-in: {args.trainees} trainees × (GET /t/<key>?k=<token>, POST name + last 6 of ID), {arrival}, "
              f"at most {args.concurrency} at a time …", flush=True)
        first, wall = run_phase(server.port, data, data["people"], args.concurrency, again=False, spread=args.spread)
        after = meter.read()
        errors = sum(first.errors.values())
        print(f"  wall time {wall:.2f} s; {first.done} of {args.trainees} signed in "
              f"= {first.done / wall:.1f} sign-ins/s; errors {errors}")
        print(latency_line("GET page", first.latencies["get"], first.errors["get"]))
        print(latency_line("POST", first.latencies["post"], first.errors["post"]))
        print("  " + CpuMeter.describe(before, after, sum(os.times()[:2]) - cpu0))
        for sample in first.samples:
            print(f"    error: {sample}")

        repeat = random.Random(1).sample(data["people"], min(args.repeat, len(data["people"])))
        print(f"\nsecond sign-in of {len(repeat)} of them (must say “already signed in”, count once) …", flush=True)
        second, wall2 = run_phase(server.port, data, repeat, args.concurrency, again=True)
        errors2 = sum(second.errors.values())
        print(f"  wall time {wall2:.2f} s; {second.done} of {len(repeat)} answered “无需重复签到”; errors {errors2}")
        print(latency_line("POST again", second.latencies["post_again"], second.errors["post_again"]))
        for sample in second.samples:
            print(f"    error: {sample}")

        times = server_times(server.access)
        print("  server time per request (gunicorn access log, inside the worker):")
        for method in ("GET", "POST"):
            v = sorted(times.get(method, []))
            print(f"  {method:10s} {len(v):6d} req  p50 {pct(v, .5) * 1000:7.1f}  p95 {pct(v, .95) * 1000:7.1f}  "
                  f"max {(v[-1] if v else float('nan')) * 1000:7.1f} ms")
        log_errors = [line for line in server.tail(10**9).splitlines() if "Traceback" in line or "ERROR" in line]
        server.stop()

        rows = count_rows(database_url, data["slot_id"])
        print(f"\nrows: training_attendance for the slot {rows['rows']} (expected {args.trainees}), distinct trainees "
              f"{rows['distinct']}, present {rows['present']}, trainees counted twice {rows['twice']}")
        if log_errors:
            print(f"  gunicorn error log: {len(log_errors)} error lines, e.g. {log_errors[0][:200]}")

        p95 = pct(sorted(first.latencies["post"]), 0.95)
        targets = [
            (f"{args.trainees} sign-ins within 60 s", wall <= 60 and first.done == args.trainees, f"{wall:.1f} s"),
            ("zero errors", errors == errors2 == 0 and not log_errors,
             f"{errors} first, {errors2} second, {len(log_errors)} in the server log"),
            ("each counted exactly once", rows["rows"] == rows["distinct"] == rows["present"] == args.trainees
             and rows["twice"] == 0, f"{rows['rows']} rows for {args.trainees} trainees"),
            ("second sign-in idempotent", second.done == len(repeat), f"{second.done} of {len(repeat)}"),
            ("p95 of the sign-in POST < 300 ms", p95 < 0.3, f"{p95 * 1000:.0f} ms"),
        ]
        print(f"\n{dialect}, {args.trainees} trainees, concurrency {args.concurrency}:")
        for label, ok, figure in targets:
            print(f"  {'PASS' if ok else 'FAIL'}  {label:36s} {figure}")
        return 0 if all(ok for _, ok, _ in targets) else 1
    except BenchTimeout:
        print(f"\nFAIL: hard time limit of {args.time_limit:g} s reached; everything stopped.", flush=True)
        return 2
    except KeyboardInterrupt:
        print("\ninterrupted; cleaning up.", flush=True)
        return 130
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        if server is not None:
            server.stop()
        if pg_name:
            try:
                drop_pg_database(pg_name)
            except Exception as exc:
                print(f"could not drop PostgreSQL database {pg_name}: {exc}", flush=True)
        if args.keep:
            print(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


def _get_page(port: int, data: dict) -> tuple[float | None, str | None]:
    phone = Phone(port)
    try:
        status, _, body, elapsed = phone.request("GET", f"/t/{data['key']}?k={current_token(data)}")
        return elapsed, None if status == 200 else f"HTTP {status}: {body[:120]!r}"
    except Exception as exc:
        return None, f"{type(exc).__name__}: {exc}"
    finally:
        phone.close()


if __name__ == "__main__":
    sys.exit(main())
