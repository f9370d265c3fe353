"""2,000 phones take a county-wide quiz against the full app under gunicorn, on loopback.

Each simulated phone opens the join page (CSRF form, session cookie), joins (name, a unique phone
number, a random unit of the demo county), loads its paper (20 questions drawn for it, options
shuffled), saves answers 5 times (4 at a time, JSON with the X-Attempt-Token header) and submits
all 20. The app runs as in production (APP_ENV=production: sessions, CSRF, rate limiter, security
headers, gunicorn access log) with 2 sync workers. Two changes only: the per-address join limit is
raised, because every phone here comes from 127.0.0.1, and a /healthz route is added (below). The
session cookie is Secure in production; the load generator sends it over plain HTTP on loopback, as
the phone's browser would over HTTPS to the proxy.

In the same run, with the same load generator and concurrency:
- hello world: GET /healthz, a route answering "ok" that this benchmark adds at start-up (gunicorn
  serves bench_quiz:served_app() = webapp.create_app() plus that one route, so every hook of the app
  runs; the app has no trivial endpoint of its own); then GET /static/favicon.svg (the app's cheapest
  own endpoint) and GET of the quiz's join page; ~5 s each;
- a submit burst: --submit-burst more phones join and load a paper on a second quiz, then all submit
  at once; submissions/s of that burst is the figure compared with hello world (the issue's bare
  app: 6,900 hello/s against 560 submissions/s of 20 answers in one transaction, 12.3×).

After the run the database is counted: one submitted, scored attempt per phone, 20 items each, every
item answered, no identity twice. Targets (issue): the 2,000 phones within 60 s, zero errors,
exactly once, p95 of submit < 300 ms, hello/submission ≤ 15×. Exits 1 when a target is missed.

Run: .venv/bin/python benchmarks/bench_quiz.py                       (SQLite, in a temp dir)
     .venv/bin/python benchmarks/bench_quiz.py --db postgresql       (a fresh database, dropped after)
     … --phones 2000 --concurrency 64 --workers 2 --time-limit 300 --submit-burst 500
     … --profile DIR   (each gunicorn worker under cProfile; stats in DIR/worker-<pid>.prof; slower)
Besides client latencies it prints each endpoint's time inside the worker (gunicorn's access log,
%(D)s) and where the CPU went (gunicorn, load generator, postgres, other processes: the machine
is shared, so figures taken while other processes were busy are flagged).
"""

import argparse
import http.client
import json
import multiprocessing
import os
import queue
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
PG_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
PG_APP_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
JOIN_LIMIT = "100000 per minute"
QUESTIONS = 20
SAVES = 5
REQUEST_TIMEOUT = 30  # seconds per request; gunicorn's worker timeout is 30 s too
KINDS = ("join_get", "join_post", "paper", "answers", "submit")
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁蔡蒋余于杜叶程魏苏吕丁任沈姚卢傅钟"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰涛明超秀霞平刚桂英华建国文辉鹏飞燕玲红志宏斌波俊丹萍云海峰亮晨浩宇欣怡子涵梓轩"


class BenchTimeout(BaseException):
    """The hard time limit (--time-limit) ran out: everything is stopped and cleaned up."""


# ---------------------------------------------------------------------------- load generator
# Runs in child processes (spawned: they import nothing of the app). Each thread plays one phone
# at a time with its own HTTPConnection and cookie jar. gunicorn's sync workers close the
# connection after every response, so http.client reconnects for each request (a TCP connect on
# loopback, included in the latencies).

class Phone:
    def __init__(self, port: int):
        self.conn = http.client.HTTPConnection(HOST, port, timeout=REQUEST_TIMEOUT)
        self.cookies: dict[str, str] = {}

    def close(self) -> None:
        self.conn.close()

    def request(self, method: str, path: str, body: bytes | None = None, content_type: str | None = None,
                headers: dict | None = None) -> tuple[int, dict, bytes, float]:
        sent = {"User-Agent": "bench_quiz", "Accept-Encoding": "identity"}
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if content_type:
            sent["Content-Type"] = content_type
        sent.update(headers or {})
        started = time.perf_counter()
        try:
            self.conn.request(method, path, body=body, headers=sent)
            response = self.conn.getresponse()
            data = response.read()
        except BaseException:
            self.conn.close()
            raise
        elapsed = time.perf_counter() - started
        for line in response.msg.get_all("Set-Cookie") or []:
            pair, _, attrs = line.partition(";")
            name, _, value = pair.strip().partition("=")
            if not value or re.search(r"max-age=0\b|expires=thu, 01 jan 1970", attrs, re.I):
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = value
        return response.status, {k.lower(): v for k, v in response.getheaders()}, data, elapsed


class Flow:
    """One phone's way through a quiz; every request goes into the recorder; the first wrong answer
    from the server raises Failed (that phone stops, as a person would be stuck)."""

    class Failed(Exception):
        pass

    def __init__(self, port: int, code: str, person: dict, record, rng: random.Random):
        self.phone = Phone(port)
        self.code, self.person, self.record, self.rng = code, person, record, rng
        self.token = None
        self.questions: list[tuple[int, str, int]] = []  # (position, kind, options)

    def call(self, kind: str, method: str, path: str, check, **kwargs):
        try:
            status, headers, data, elapsed = self.phone.request(method, path, **kwargs)
        except Exception as exc:  # a refused or dropped connection, a timeout
            self.record(kind, None, False, f"{kind}: {type(exc).__name__}: {exc}")
            raise self.Failed() from None
        problem = None if 200 <= status < 400 else f"{kind}: HTTP {status}: {data[:160]!r}"
        if problem is None:
            try:
                problem = check(status, headers, data)
            except Exception as exc:
                problem = f"{kind}: unreadable answer ({type(exc).__name__}: {exc}): {data[:160]!r}"
        self.record(kind, elapsed, problem is None, problem)
        if problem:
            raise self.Failed()
        return status, headers, data

    def join(self) -> None:
        base = f"/q/{self.code}"
        found = {}

        def join_page(status, headers, data):
            match = re.search(rb'name="csrf_token"[^>]*value="([^"]+)"', data)
            if status != 200 or not match:
                return f"join_get: HTTP {status} without a csrf_token: {data[:160]!r}"
            found["csrf"] = match.group(1).decode()
            return None

        self.call("join_get", "GET", base, join_page)
        form = urllib.parse.urlencode({"csrf_token": found["csrf"], "name": self.person["name"],
                                       "phone": self.person["phone"], "organization_id": self.person["org"]})

        def joined(status, headers, data):
            location = headers.get("location", "")
            if status != 302 or not location.endswith(f"{base}/paper"):
                return f"join_post: HTTP {status} to {location!r}, not 302 to {base}/paper: {data[-300:]!r}"
            if not any(name.startswith("qz") for name in self.phone.cookies):
                return "join_post: no attempt cookie"
            return None

        self.call("join_post", "POST", base, joined, body=form.encode(),
                  content_type="application/x-www-form-urlencoded")

        def paper(status, headers, data):
            if status != 200:
                return f"paper: HTTP {status} (to {headers.get('location')!r}), not the paper"
            token = re.search(rb'data-token="([^"]+)"', data)
            if not token:
                return "paper: no data-token on the form"
            self.token = token.group(1).decode()
            for block in data.split(b"<fieldset")[1:]:
                head = re.search(rb'data-position="(\d+)" data-kind="(\w+)"', block)
                position, kind = int(head.group(1)), head.group(2).decode()
                self.questions.append((position, kind, len(re.findall(rb'name="q%d"' % position, block))))
            if len(self.questions) != QUESTIONS:
                return f"paper: {len(self.questions)} questions, not {QUESTIONS}"
            return None

        self.call("paper", "GET", f"{base}/paper", paper)

    def answers(self) -> dict:
        out = {}
        for position, kind, options in self.questions:
            if kind == "fill":
                out[str(position)] = self.rng.choice(["答案", "安全第一", "119", "预防为主"])
            elif kind == "multiple":
                out[str(position)] = sorted(self.rng.sample(range(options), self.rng.randint(2, options)))
            else:
                out[str(position)] = self.rng.randrange(options)
        return out

    def save(self, given: dict) -> None:
        def saved(status, headers, data):
            body = json.loads(data)
            return None if status == 200 and body.get("saved") == len(given) else f"answers: {status} {body}"

        self.call("answers", "POST", f"/q/{self.code}/answers", saved, body=json.dumps({"answers": given}).encode(),
                  content_type="application/json", headers={"X-Attempt-Token": self.token})

    def submit(self, given: dict) -> None:
        def submitted(status, headers, data):
            body = json.loads(data)
            return None if status == 200 and body.get("score") is not None else f"submit: {status} {body}"

        self.call("submit", "POST", f"/q/{self.code}/submit", submitted, body=json.dumps({"answers": given}).encode(),
                  content_type="application/json", headers={"X-Attempt-Token": self.token})

    def whole(self) -> None:
        self.join()
        given = self.answers()
        keys = list(given)
        chunk = -(-len(keys) // SAVES)
        for i in range(SAVES):
            self.save({k: given[k] for k in keys[i * chunk:(i + 1) * chunk]})
        self.submit(given)


class Recorder:
    def __init__(self):
        self.cpu0 = sum(os.times()[:2])  # this process's CPU seconds, counted from here
        self.lock = threading.Lock()
        self.latencies: dict[str, list[float]] = defaultdict(list)
        self.errors: dict[str, int] = defaultdict(int)
        self.samples: list[str] = []
        self.done = 0

    def __call__(self, kind: str, elapsed: float | None, ok: bool, problem: str | None) -> None:
        with self.lock:
            if elapsed is not None:
                self.latencies[kind].append(elapsed)
            if not ok:
                self.errors[kind] += 1
                if len(self.samples) < 8:
                    self.samples.append(problem or kind)

    def payload(self, **extra) -> dict:
        return {"latencies": dict(self.latencies), "errors": dict(self.errors), "samples": self.samples,
                "done": self.done, "cpu": sum(os.times()[:2]) - self.cpu0, "end": time.monotonic(), **extra}


def run_threads(count: int, target) -> None:
    threads = [threading.Thread(target=target, daemon=True) for _ in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def child(spec: dict, results, go) -> None:
    """One load-generator process: spec["mode"] is "loop" (GET one path until a deadline),
    "scenario" (whole phones) or "burst" (join and load papers, wait, then all submit)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C and stops us
    recorder = Recorder()
    rng = random.Random(spec["seed"])
    port, threads = spec["port"], spec["threads"]
    if spec["mode"] == "loop":
        results.put(("ready", spec["id"], None))
        go.wait()
        recorder.cpu0 = sum(os.times()[:2])
        deadline = time.monotonic() + spec["seconds"]

        def loop():
            phone = Phone(port)
            while time.monotonic() < deadline:
                try:
                    status, _, data, elapsed = phone.request("GET", spec["path"])
                except Exception as exc:
                    recorder("hello", None, False, f"{type(exc).__name__}: {exc}")
                    continue
                recorder("hello", elapsed, status == 200, None if status == 200 else f"HTTP {status}: {data[:100]!r}")
            phone.close()

        run_threads(threads, loop)
        results.put(("done", spec["id"], recorder.payload()))
        return

    people = queue.SimpleQueue()
    for person in spec["people"]:
        people.put(person)
    if spec["mode"] == "scenario":
        results.put(("ready", spec["id"], None))
        go.wait()
        recorder.cpu0 = sum(os.times()[:2])

        def play():
            while True:
                try:
                    person = people.get_nowait()
                except queue.Empty:
                    return
                flow = Flow(port, spec["code"], person, recorder, random.Random(rng.random()))
                try:
                    flow.whole()
                    with recorder.lock:
                        recorder.done += 1
                except Flow.Failed:
                    pass
                finally:
                    flow.phone.close()

        run_threads(threads, play)
        results.put(("done", spec["id"], recorder.payload()))
        return

    # burst: prepare every phone (join + paper), then wait for the word and submit all at once
    ready: queue.SimpleQueue = queue.SimpleQueue()

    def prepare():
        while True:
            try:
                person = people.get_nowait()
            except queue.Empty:
                return
            flow = Flow(port, spec["code"], person, recorder, random.Random(rng.random()))
            try:
                flow.join()
                ready.put((flow, flow.answers()))
            except Flow.Failed:
                pass
            finally:
                flow.phone.close()

    run_threads(threads, prepare)
    prepared = recorder.payload()
    submit_recorder = Recorder()
    results.put(("ready", spec["id"], prepared))
    go.wait()
    started = time.monotonic()
    submit_recorder.cpu0 = sum(os.times()[:2])

    def submit():
        while True:
            try:
                flow, given = ready.get_nowait()
            except queue.Empty:
                return
            flow.record = submit_recorder
            try:
                flow.submit(given)
                with submit_recorder.lock:
                    submit_recorder.done += 1
            except Flow.Failed:
                pass
            finally:
                flow.phone.close()

    run_threads(threads, submit)
    results.put(("done", spec["id"], submit_recorder.payload(started=started)))


class LoadGenerator:
    """Spawns the child processes of one phase and gathers what they measured."""

    def __init__(self, processes: int, concurrency: int):
        self.ctx = multiprocessing.get_context("spawn")
        self.processes, self.concurrency = processes, concurrency
        self.alive: list = []

    def run(self, specs: list[dict], on_ready=None) -> tuple[float, list[dict], list[dict]]:
        """(monotonic start, ready payloads, done payloads). Every child waits at `go` until all
        are ready, so the phase's clock starts when they start together."""
        results, go = self.ctx.Queue(), self.ctx.Event()
        per = [self.concurrency // len(specs) + (i < self.concurrency % len(specs)) for i in range(len(specs))]
        for i, spec in enumerate(specs):
            spec.update(id=i, threads=per[i], seed=1000 + i)
            process = self.ctx.Process(target=child, args=(spec, results, go), daemon=True)
            process.start()
            self.alive.append(process)
        ready, done = [], []
        while len(ready) < len(specs):
            ready.append(self._get(results, "ready"))
        if on_ready:
            on_ready(ready)
        started = time.monotonic()
        go.set()
        while len(done) < len(specs):
            done.append(self._get(results, "done"))
        for process in self.alive:
            process.join(5)
        self.alive = [p for p in self.alive if p.is_alive()]
        return started, [r for r in ready if r is not None], done

    def _get(self, results, what: str):
        while True:
            try:
                kind, _, payload = results.get(timeout=1)
            except queue.Empty:
                dead = [p for p in self.alive if p.exitcode not in (None, 0)]
                if dead:
                    raise RuntimeError(f"a load-generator process died (exit code {dead[0].exitcode})") from None
                continue
            if kind != what:
                raise RuntimeError(f"load generator said {kind!r}, expected {what!r}")
            return payload

    def stop(self) -> None:
        for process in self.alive:
            if process.is_alive():
                process.terminate()
        for process in self.alive:
            process.join(3)
            if process.is_alive():
                process.kill()
        self.alive = []


def split(items: list, parts: int) -> list[list]:
    return [items[i::parts] for i in range(parts)]


def merge(payloads: list[dict]) -> dict:
    out = {"latencies": defaultdict(list), "errors": defaultdict(int), "samples": [], "done": 0, "cpu": 0.0,
           "end": 0.0}
    for p in payloads:
        for kind, values in p["latencies"].items():
            out["latencies"][kind] += values
        for kind, n in p["errors"].items():
            out["errors"][kind] += n
        out["samples"] += p["samples"]
        out["done"] += p["done"]
        out["cpu"] += p["cpu"]
        out["end"] = max(out["end"], p["end"])
    return out


# ---------------------------------------------------------------------------- setup and server

def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def create_pg_database(name: str) -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN_URL, autocommit=True, connect_timeout=10) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')


def drop_pg_database(name: str) -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN_URL, autocommit=True, connect_timeout=10) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def in_temp_database(prefix: str, db_kind: str, keep: bool, run) -> int:
    """run(tmp, database_url) against a fresh SQLite file or PostgreSQL database, removed afterwards
    (the temp dir stays with keep)."""
    tmp = Path(tempfile.mkdtemp(prefix=f"{prefix}_"))
    pg_name = f"{prefix}_{os.getpid()}" if db_kind == "postgresql" else None
    try:
        if pg_name:
            create_pg_database(pg_name)
            database_url = PG_APP_URL.format(name=pg_name)
        else:
            database_url = f"sqlite:///{tmp / 'bench.db'}"
        return run(tmp, database_url)
    finally:
        if pg_name:
            try:
                drop_pg_database(pg_name)
            except Exception as exc:
                print(f"could not drop PostgreSQL database {pg_name}: {exc}", flush=True)
        if keep:
            print(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


def question_drafts(count: dict) -> list:
    from webapp.quiz.drafts import TRUE_FALSE_OPTIONS, Kind, QuestionDraft

    topics = ["安全生产法", "消防安全", "防汛防台", "地震避险", "危险化学品", "有限空间作业", "用电安全", "燃气安全"]
    out = []
    for kind, n in count.items():
        for i in range(n):
            topic = topics[i % len(topics)]
            stem = (f"【{topic}·{kind.value}{i + 1:02d}】根据应急管理的有关规定，在{topic}工作中，"
                    f"发现第 {i + 1} 类隐患或险情时，下列做法{'正确' if i % 2 else '符合要求'}的是（  ）")
            if kind is Kind.FILL:
                draft = QuestionDraft(kind=kind, stem=stem.replace("下列做法", "应当首先") + "，请填写。",
                                      answer=["安全第一", "预防为主"][i % 2:])
            elif kind is Kind.TRUE_FALSE:
                draft = QuestionDraft(kind=kind, stem=stem.replace("（  ）", "，说法对吗？"),
                                      options=list(TRUE_FALSE_OPTIONS), answer=[i % 2])
            else:
                options = [f"{topic}方案{letter}：立即报告、撤离人员并设置警戒区域（{i + 1}{letter}）" for letter in "ABCDE"]
                options = options[:4] if kind is Kind.SINGLE else options
                answer = [i % 4] if kind is Kind.SINGLE else sorted({i % 5, (i + 2) % 5, (i + 3) % 5})[: 2 + i % 2]
                draft = QuestionDraft(kind=kind, stem=stem, options=options, answer=answer)
            draft.explanation = f"依据《{topic}》有关条款。"
            draft.source = f"《{topic}》第{i + 1}条"
            out.append(draft)
    return out


def setup(database_url: str, storage: str, phones: int, burst: int) -> dict:
    """Schema by the migrations, the demo county, a bank of 68 questions, two published quizzes
    (the scenario's and the burst's); returns their codes and the people who will join."""
    from datetime import timedelta

    from flask_migrate import upgrade

    from webapp import create_app
    from webapp.common.time import utcnow
    from webapp.extensions import db
    from webapp.quiz import banks, services
    from webapp.quiz.drafts import Kind
    from webapp.registry import demo as registry_demo
    from webapp.registry.models import Organization, OrgKind

    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "bench-setup", "STORAGE_DIR": storage})
    with app.app_context():
        upgrade()
        registry_demo.seed(random.Random(2026))
        bank = banks.get_or_create_bank("压测题库", "bench_quiz.py 生成")
        counts = {Kind.SINGLE: 36, Kind.MULTIPLE: 12, Kind.TRUE_FALSE: 12, Kind.FILL: 8}
        banks.save_drafts(bank, question_drafts(counts))
        rules = [services.Rule(kind, n, points, [bank.id], []) for kind, n, points in
                 [(Kind.SINGLE, 10, 4), (Kind.MULTIPLE, 4, 5), (Kind.TRUE_FALSE, 4, 5), (Kind.FILL, 2, 10)]]
        now = utcnow()
        codes = []
        for title in ("压测竞赛", "压测竞赛（集中交卷）"):
            quiz = services.create_quiz({
                "title": title, "kind": "competition", "paper_mode": "random", "description": "压测用竞赛。",
                "shuffle_questions": True, "shuffle_options": True, "time_limit_minutes": 30,
                "opens_at": now - timedelta(hours=1), "closes_at": now + timedelta(days=1), "max_attempts": 1,
                "identity_mode": "public", "ask_organization": True, "show_explanations": True}, rules)
            services.publish(quiz)
            codes.append(quiz.code)
        db.session.commit()
        kinds = [OrgKind.VILLAGE.value, OrgKind.COMMUNITY.value, OrgKind.SCHOOL.value, OrgKind.ENTERPRISE.value]
        org_ids = list(db.session.scalars(db.select(Organization.id).where(
            Organization.town_id.is_not(None), Organization.active, Organization.kind.in_(kinds))))
        question_count = db.session.scalar(db.select(db.func.count()).select_from(db.text("questions")))
        db.session.remove()
        db.engine.dispose()
    rng = random.Random(7)

    def people(prefix: str, n: int) -> list[dict]:
        return [{"name": rng.choice(SURNAMES) + "".join(rng.sample(GIVEN, rng.choice((1, 2)))),
                 "phone": f"{prefix}{i:08d}", "org": rng.choice(org_ids)} for i in range(n)]

    return {"codes": codes, "people": people("139", phones), "burst": people("138", burst),
            "orgs": len(org_ids), "questions": question_count}


# --profile DIR: each worker runs under cProfile and writes DIR/worker-<pid>.prof when it stops.
PROFILE_HOOKS = """
import cProfile, os
def post_worker_init(worker):
    worker.profiler = cProfile.Profile()
    worker.profiler.enable()
def worker_exit(server, worker):
    worker.profiler.disable()
    worker.profiler.dump_stats(os.path.join({directory!r}, f"worker-{{os.getpid()}}.prof"))
"""


def served_app():
    """What gunicorn serves: the app exactly as `webapp:create_app()` builds it (config from the
    environment, every extension and hook), plus GET /healthz answering "ok". The app has no
    trivial endpoint; this one is added here, at start-up, so no app code changes for the benchmark."""
    sys.path.insert(0, str(ROOT))
    from webapp import create_app

    app = create_app()
    app.add_url_rule("/healthz", "bench_healthz", lambda: "ok")
    return app


class Server:
    def __init__(self, workers: int, env: dict, tmp: Path, profile: str | None = None):
        self.port = free_port()
        self.log = tmp / "gunicorn.log"
        self.access = tmp / "access.log"
        command = [str(ROOT / ".venv/bin/gunicorn"), "-w", str(workers), "-k", "sync", "-b", f"{HOST}:{self.port}",
                   "--access-logfile", str(self.access), "--error-logfile", str(self.log),
                   "--access-logformat", '%(m)s %(U)s %(s)s %(D)s',
                   "--pythonpath", str(ROOT / "benchmarks"), "bench_quiz:served_app()"]
        if profile:
            Path(profile).mkdir(parents=True, exist_ok=True)
            hooks = tmp / "gunicorn_profile.py"
            hooks.write_text(PROFILE_HOOKS.format(directory=str(Path(profile).resolve())))
            command[1:1] = ["-c", str(hooks)]
        self.command = command
        self.process = subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True,
                                        stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)

    def wait(self, seconds: float = 60) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}:\n{self.tail()}")
            try:
                conn = http.client.HTTPConnection(HOST, self.port, timeout=2)
                conn.request("GET", "/static/favicon.svg")
                if conn.getresponse().status == 200:
                    conn.close()
                    return
                conn.close()
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"gunicorn did not answer within {seconds} s:\n{self.tail()}")

    def tail(self, chars: int = 3000) -> str:
        return self.log.read_text(errors="replace")[-chars:] if self.log.exists() else ""

    def workers(self) -> list[int]:
        try:
            children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children").read_text().split()
        except OSError:
            return []
        return [int(c) for c in children]

    def cpu_seconds(self) -> float:
        return sum(process_cpu(pid) for pid in [self.process.pid, *self.workers()])

    def stop(self) -> None:
        if self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGTERM)
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(5)
            except ProcessLookupError:
                pass


def process_cpu(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def postgres_cpu() -> float:
    total = 0.0
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "comm").read_text().strip() == "postgres":
                    total += process_cpu(int(entry.name))
            except OSError:
                pass
    return total


def machine_busy() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine since boot, from /proc/stat."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = values[3] + values[4]
    tick = os.sysconf("SC_CLK_TCK")
    return (sum(values[:8]) - idle) / tick, sum(values[:8]) / tick


class CpuMeter:
    def __init__(self, server: Server, pg: bool):
        self.server, self.pg = server, pg

    def read(self) -> tuple:
        return (time.monotonic(), self.server.cpu_seconds(), postgres_cpu() if self.pg else 0.0, *machine_busy())

    @staticmethod
    def describe(before: tuple, after: tuple, client_cpu: float) -> str:
        wall = after[0] - before[0]
        machine = (after[3] - before[3]) / wall * 100
        ours = [(after[1] - before[1]) / wall * 100, client_cpu / wall * 100, (after[2] - before[2]) / wall * 100]
        text = (f"CPU over {wall:.1f} s ({os.cpu_count()} cores = {os.cpu_count() * 100} %): gunicorn {ours[0]:.0f} %, "
                f"load generator {ours[1]:.0f} %")
        if after[2] or before[2]:
            text += f", postgres {ours[2]:.0f} %"
        return text + f", other processes {max(0.0, machine - sum(ours)):.0f} %, whole machine {machine:.0f} %"


# ---------------------------------------------------------------------------- figures

def pct(sorted_values: list[float], q: float) -> float:
    if not sorted_values:
        return float("nan")
    return sorted_values[min(len(sorted_values) - 1, max(0, int(q * len(sorted_values) + 0.999999) - 1))]


def latency_line(label: str, values: list[float], errors: int = 0) -> str:
    v = sorted(values)
    ms = [pct(v, q) * 1000 for q in (0.5, 0.95, 0.99)] + [(v[-1] if v else float("nan")) * 1000]
    return (f"  {label:10s} {len(v):6d} req  p50 {ms[0]:7.1f}  p95 {ms[1]:7.1f}  p99 {ms[2]:7.1f}  "
            f"max {ms[3]:7.1f} ms  errors {errors}")


def access_log_kind(method: str, path: str) -> str:
    if path.startswith("/static/") or path == "/healthz":
        return "hello"
    parts = path.strip("/").split("/")
    if len(parts) == 2 and parts[0] == "q":
        return "join_get" if method == "GET" else "join_post"
    return parts[-1] if parts[0] == "q" and len(parts) == 3 else "other"


def server_times(path: Path, start: int) -> tuple[dict, int]:
    """Per endpoint kind, the time gunicorn's worker spent on each request (%(D)s, µs), from the
    access log lines written since byte `start`; and the new end offset."""
    with path.open("rb") as f:
        f.seek(start)
        data = f.read()
    times: dict[str, list[float]] = defaultdict(list)
    for line in data.decode(errors="replace").splitlines():
        parts = line.split()
        if len(parts) == 4:
            times[access_log_kind(parts[0], parts[1])].append(int(parts[3]) / 1e6)
    return times, start + len(data)


def server_line(label: str, values: list[float]) -> str:
    v = sorted(values)
    mean = sum(v) / len(v) * 1000 if v else float("nan")
    return (f"  {label:10s} {len(v):6d} req  mean {mean:6.1f}  p50 {pct(v, .5) * 1000:6.1f}  "
            f"p95 {pct(v, .95) * 1000:6.1f}  max {(v[-1] if v else float('nan')) * 1000:7.1f} ms  "
            f"worker-seconds {sum(v):6.1f}")


def count_rows(database_url: str, codes: list[str]) -> dict:
    from sqlalchemy import create_engine, text

    engine = create_engine(database_url)
    out = {}
    with engine.connect() as conn:
        for code in codes:
            quiz_id = conn.execute(text("SELECT id FROM quizzes WHERE code = :c"), {"c": code}).scalar_one()
            q = {"q": quiz_id}
            out[code] = {
                "attempts": conn.execute(text("SELECT count(*) FROM quiz_attempts WHERE quiz_id = :q"), q).scalar(),
                "submitted_scored": conn.execute(text(
                    "SELECT count(*) FROM quiz_attempts WHERE quiz_id = :q AND status = 'submitted' "
                    "AND score IS NOT NULL AND submitted_at IS NOT NULL"), q).scalar(),
                "items": conn.execute(text(
                    "SELECT count(*) FROM quiz_attempt_items i JOIN quiz_attempts a ON a.id = i.attempt_id "
                    "WHERE a.quiz_id = :q"), q).scalar(),
                "answered_items": conn.execute(text(
                    "SELECT count(*) FROM quiz_attempt_items i JOIN quiz_attempts a ON a.id = i.attempt_id "
                    "WHERE a.quiz_id = :q AND i.response IS NOT NULL AND i.awarded IS NOT NULL"), q).scalar(),
                "duplicate_identities": conn.execute(text(
                    "SELECT count(*) FROM (SELECT identity_key FROM quiz_attempts WHERE quiz_id = :q "
                    "GROUP BY identity_key HAVING count(*) > 1) d"), q).scalar(),
                "distinct_phones": conn.execute(text(
                    "SELECT count(DISTINCT phone) FROM quiz_attempts WHERE quiz_id = :q"), q).scalar(),
            }
    engine.dispose()
    return out


# ---------------------------------------------------------------------------- the run

def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--phones", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=64, help="phones in flight at once")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers")
    parser.add_argument("--processes", type=int, default=2, help="load-generator processes")
    parser.add_argument("--submit-burst", type=int, default=500, help="phones of the submissions/s burst")
    parser.add_argument("--hello-seconds", type=float, default=5)
    parser.add_argument("--time-limit", type=float, default=300, help="hard bound: everything stopped after it")
    parser.add_argument("--keep", action="store_true", help="keep the temp dir (logs, SQLite file)")
    parser.add_argument("--profile", metavar="DIR", help="run the workers under cProfile (slower!), stats into DIR")
    args = parser.parse_args()

    def on_alarm(signum, frame):
        raise BenchTimeout()

    def on_term(signum, frame):
        raise KeyboardInterrupt()

    signal.signal(signal.SIGALRM, on_alarm)
    signal.signal(signal.SIGTERM, on_term)
    signal.signal(signal.SIGINT, on_term)  # even when started in the background, where SIGINT comes ignored
    signal.setitimer(signal.ITIMER_REAL, args.time_limit)
    started_all = time.monotonic()

    tmp = Path(tempfile.mkdtemp(prefix="bench_quiz_"))
    pg_name = f"bench_quiz_{os.getpid()}" if args.db == "postgresql" else None
    generator = LoadGenerator(args.processes, args.concurrency)
    try:
        if pg_name:
            create_pg_database(pg_name)
            database_url = PG_APP_URL.format(name=pg_name)
        else:
            database_url = f"sqlite:///{tmp / 'bench.db'}"
        return run(args, tmp, database_url, generator, lambda s: server_holder.__setitem__(0, s), started_all)
    except BenchTimeout:
        print(f"\nFAIL: hard time limit of {args.time_limit:g} s reached; everything stopped.", flush=True)
        return 2
    except KeyboardInterrupt:
        print("\ninterrupted; cleaning up.", flush=True)
        return 130
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C must not cut the clean-up short
        generator.stop()
        server = server_holder[0]
        if server is not None:
            server.stop()
        if pg_name:
            try:
                drop_pg_database(pg_name)
            except Exception as exc:  # reported, never hidden: a database may be left behind
                print(f"could not drop PostgreSQL database {pg_name}: {exc}", flush=True)
        if args.keep:
            print(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


server_holder: list = [None]


def run(args, tmp: Path, database_url: str, generator: LoadGenerator, keep_server, started_all: float) -> int:
    dialect = "PostgreSQL" if database_url.startswith("postgresql") else "SQLite"
    print(f"bench_quiz: {args.phones} phones, concurrency {args.concurrency} "
          f"({args.processes} load-generator processes), gunicorn -w {args.workers} -k sync, {dialect}, "
          f"{os.cpu_count()} CPUs", flush=True)
    first = machine_busy()
    time.sleep(1)
    idle_busy, idle_total = (a - b for a, b in zip(machine_busy(), first, strict=True))
    print(f"before the run, other processes keep the machine {idle_busy / idle_total * 100:.0f} % busy"
          + ("  — WARNING: the figures below share the CPUs with them" if idle_busy / idle_total > 0.1 else ""))
    started = time.monotonic()
    data = setup(database_url, str(tmp / "files"), args.phones, args.submit_burst)
    code, burst_code = data["codes"]
    print(f"setup: flask db upgrade, demo county ({data['orgs']} units with a town), {data['questions']} "
          f"questions, quizzes /q/{code} and /q/{burst_code} (20 random questions, options shuffled, 30 min, "
          f"1 attempt, unit asked): {time.monotonic() - started:.1f} s", flush=True)

    env = {k: v for k, v in os.environ.items() if not k.startswith(("FLASK_", "RATELIMIT_"))}
    env.update(APP_ENV="production", SECRET_KEY=os.urandom(32).hex(), DATABASE_URL=database_url,
               STORAGE_DIR=str(tmp / "files"), FLASK_QUIZ_JOIN_RATE_LIMIT_PER_ADDRESS=JOIN_LIMIT)
    for name in ("REDIS_URL", "TRUSTED_PROXIES"):
        env.pop(name, None)
    procs = args.processes
    server = Server(args.workers, env, tmp, args.profile)
    keep_server(server)
    server.wait()
    # every worker imports the app when it boots: warm them all up before any clock runs
    generator.run([{"mode": "loop", "port": server.port, "path": f"/q/{code}", "seconds": 2} for _ in range(procs)])
    print(f"server: {' '.join(server.command[1:])}")
    print("        APP_ENV=production (secure cookies, HSTS, security headers), sessions, CSRF on the join form, "
          "Flask-Limiter (memory://), gunicorn access log")
    print(f"        QUIZ_JOIN_RATE_LIMIT_PER_ADDRESS raised from '120 per minute' to '{JOIN_LIMIT}' "
          f"(FLASK_QUIZ_JOIN_RATE_LIMIT_PER_ADDRESS): every simulated phone comes from 127.0.0.1, which "
          f"a real county's phones do not; the limit is still checked on every join", flush=True)
    meter = CpuMeter(server, dialect == "PostgreSQL")
    log_offset = server.access.stat().st_size

    # 1. hello world and the join page, same generator, same concurrency
    rates = {}
    baseline_errors = 0
    for label, path in (("hello", "/healthz"), ("favicon", "/static/favicon.svg"), ("join page", f"/q/{code}")):
        before = meter.read()
        t0, _, done = generator.run([{"mode": "loop", "port": server.port, "path": path,
                                      "seconds": args.hello_seconds} for _ in range(procs)])
        m = merge(done)
        wall = m["end"] - t0
        n = len(m["latencies"].get("hello", []))
        rates[label] = n / wall
        errors = sum(m["errors"].values())
        baseline_errors += errors
        print(f"\n{label}: GET {path}: {n} requests in {wall:.1f} s = {rates[label]:.0f} req/s, errors {errors}"
              + {"hello": "  (a route returning 'ok', added by this benchmark: the app has no trivial endpoint)",
                 "favicon": "  (a static file served by Flask: the app's cheapest endpoint of its own)"}.get(label, ""))
        print(latency_line(label.replace(" ", "_"), m["latencies"].get("hello", []), errors))
        print("  " + CpuMeter.describe(before, meter.read(), m["cpu"]))
        for s in m["samples"][:3]:
            print(f"    e.g. {s}")
        times, log_offset = server_times(server.access, log_offset)
        print(server_line(label.replace(" ", "_"), times.get("join_get" if label == "join page" else "hello", []))
              + "  (server time)")

    # 2. the scenario
    print(f"\nscenario: {args.phones} phones × (join page, join, paper, {SAVES} saves, submit) at concurrency "
          f"{args.concurrency} …", flush=True)
    before = meter.read()
    t0, _, done = generator.run([{"mode": "scenario", "port": server.port, "code": code, "people": part}
                                 for part in split(data["people"], procs)])
    m = merge(done)
    scenario_wall = m["end"] - t0
    after = meter.read()
    requests = sum(len(v) for v in m["latencies"].values())
    scenario_errors = sum(m["errors"].values())
    print(f"  wall time {scenario_wall:.1f} s; {m['done']} of {args.phones} phones finished; {requests} requests "
          f"= {requests / scenario_wall:.0f} req/s; submissions {m['done'] / scenario_wall:.1f}/s; "
          f"errors {scenario_errors}")
    print("  client latency (connect + request + response):")
    for kind in KINDS:
        print(latency_line(kind, m["latencies"].get(kind, []), m["errors"].get(kind, 0)))
    print("  " + CpuMeter.describe(before, after, m["cpu"]))
    times, log_offset = server_times(server.access, log_offset)
    print("  server time per request (gunicorn access log %(D)s, inside the worker):")
    for kind in KINDS:
        print(server_line(kind, times.get(kind, [])))
    busy = sum(sum(v) for v in times.values())
    print(f"  workers busy {busy:.1f} of {scenario_wall * args.workers:.1f} worker-seconds "
          f"({busy / (scenario_wall * args.workers) * 100:.0f} %)")
    for s in m["samples"]:
        print(f"    error: {s}")
    submit_p95 = pct(sorted(m["latencies"].get("submit", [])), 0.95)

    # 3. the submit burst: submissions/s of the endpoint alone
    print(f"\nsubmit burst: {args.submit_burst} phones join and load a paper on /q/{burst_code}, then all submit "
          f"20 answers at once at concurrency {args.concurrency} …", flush=True)
    marks = {}
    t0, prepared, done = generator.run(
        [{"mode": "burst", "port": server.port, "code": burst_code, "people": part}
         for part in split(data["burst"], procs)],
        on_ready=lambda ready: marks.update(before=meter.read(), offset=server_times(server.access, log_offset)[1]))
    after = meter.read()
    prep = merge(prepared)
    b = merge(done)
    burst_wall = b["end"] - t0
    burst_rate = b["done"] / burst_wall
    burst_errors = sum(b["errors"].values()) + sum(prep["errors"].values())
    print(f"  {b['done']} submissions in {burst_wall:.2f} s = {burst_rate:.0f} submissions/s; errors {burst_errors} "
          f"(preparing {sum(prep['errors'].values())}, submitting {sum(b['errors'].values())})")
    print(latency_line("submit", b["latencies"].get("submit", []), b["errors"].get("submit", 0)))
    print("  " + CpuMeter.describe(marks["before"], after, b["cpu"]))
    times, log_offset = server_times(server.access, marks["offset"])
    print(server_line("submit", times.get("submit", [])) + "  (server time)")
    for s in prep["samples"] + b["samples"]:
        print(f"    error: {s}")

    # 4. the rows
    errors_log = [line for line in server.tail(10**9).splitlines() if "Traceback" in line or "ERROR" in line]
    server.stop()
    rows = count_rows(database_url, [code, burst_code])
    print("\nrows after the run:")
    for c, expected in ((code, args.phones), (burst_code, args.submit_burst)):
        r = rows[c]
        print(f"  /q/{c}: quiz_attempts {r['attempts']} (expected {expected}), submitted and scored "
              f"{r['submitted_scored']}, quiz_attempt_items {r['items']} (expected {expected * QUESTIONS}), "
              f"answered and marked {r['answered_items']}, identities twice {r['duplicate_identities']}, "
              f"distinct phones {r['distinct_phones']}")
    if errors_log:
        print(f"  gunicorn error log: {len(errors_log)} error lines, e.g. {errors_log[0][:200]}")

    # 5. the verdict
    ratio = rates["hello"] / burst_rate if burst_rate else float("inf")
    favicon_ratio = rates["favicon"] / burst_rate if burst_rate else float("inf")
    scenario_ratio = rates["hello"] / (m["done"] / scenario_wall) if m["done"] else float("inf")
    exact = all(rows[c]["attempts"] == rows[c]["submitted_scored"] == n and rows[c]["items"] == n * QUESTIONS
                and rows[c]["answered_items"] == n * QUESTIONS and rows[c]["duplicate_identities"] == 0
                for c, n in ((code, args.phones), (burst_code, args.submit_burst)))
    print(f"\nhello world (/healthz) {rates['hello']:.0f} req/s, favicon {rates['favicon']:.0f} req/s, join page "
          f"{rates['join page']:.0f} req/s (hello/join page {rates['hello'] / rates['join page']:.1f}×; "
          f"bare app 6,900/1,180 = 5.8×)")
    print(f"submissions/s: burst {burst_rate:.0f}/s → hello/submission {ratio:.1f}× (bare app 6,900/560 = 12.3×), "
          f"favicon/submission {favicon_ratio:.1f}×; whole scenario {m['done'] / scenario_wall:.1f} phones/s → "
          f"hello/phone {scenario_ratio:.0f}× (9 requests per phone, for information)")
    targets = [
        (f"{args.phones} phones within 60 s", scenario_wall <= 60, f"{scenario_wall:.1f} s"),
        ("zero errors", scenario_errors == burst_errors == baseline_errors == 0 and not errors_log,
         f"{scenario_errors} in the scenario, {burst_errors} in the burst, {baseline_errors} in hello/favicon/join "
         f"page, {len(errors_log)} in the server log"),
        ("every submission stored exactly once", exact, "row counts above"),
        ("p95 of submit < 300 ms", submit_p95 < 0.3, f"{submit_p95 * 1000:.0f} ms in the scenario"),
        ("hello/submission ≤ 15×", ratio <= 15,
         f"{ratio:.1f}× with /healthz ({favicon_ratio:.1f}× if the favicon stood for hello world)"),
    ]
    print(f"\n{dialect}, {args.phones} phones, concurrency {args.concurrency}:")
    for label, ok, figure in targets:
        print(f"  {'PASS' if ok else 'FAIL'}  {label:40s} {figure}")
    print(f"(whole run {time.monotonic() - started_all:.0f} s)")
    return 0 if all(ok for _, ok, _ in targets) else 1


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.exit(main())
