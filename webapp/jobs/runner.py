"""Running a job: the context a work function receives, and the two ways to run one.

A work function is named by a dotted path ("webapp.documents.batch:print_certificates") so that an
RQ worker in another process can import it; it is called as func(ctx, **payload) inside an app
context of its own (its own db.session). Its database work is committed together with the
"done" mark, so a failed or cancelled job leaves nothing half-saved. Progress is written on a
separate connection in its own short transaction so the page polling it sees it at once.

With REDIS_URL the job goes to the RQ queue (JOBS_QUEUE, default "workbench") and `flask worker`
runs it; without, it runs in one of a few daemon threads of the web process.
"""

import importlib
import json
import logging
import queue
import re
import shutil
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from flask import Flask, current_app, has_app_context
from redis import Redis
from rq import Queue, Worker
from rq.timeouts import JobTimeoutException
from sqlalchemy import select, update
from sqlalchemy.exc import OperationalError

from webapp import storage
from webapp.common.time import utcnow
from webapp.errors import UserError
from webapp.extensions import db
from webapp.jobs.models import Job, JobStatus

log = logging.getLogger(__name__)

DEFAULT_QUEUE = "workbench"
DEFAULT_TIMEOUT = 3600
DEFAULT_THREADS = 2
# Writing progress for each of thousands of certificates would be thousands of transactions; the
# page polls once a second, so twice a second is plenty (and the cancel check rides along).
PROGRESS_INTERVAL = 0.5
# On SQLite a progress write waits at most this long for the write lock and is otherwise skipped:
# the lock is often held by the job's own session (an import writing its rows), which lets go only
# when the job ends. For a job running in a thread of this process the page then reads the
# progress (and sets the cancel flag) in memory instead; see Live.
SQLITE_PROGRESS_WAIT_MS = 200

GENERIC_ERROR = "任务执行时出现系统错误，已记录。请稍后重试；若问题持续，请联系系统管理员。"
TIMEOUT_ERROR = "任务运行超过时限（{minutes} 分钟），已停止。请缩小范围（例如分批处理）后重试。"
KILLED_ERROR = "后台任务进程意外退出（可能是内存不足或被强制结束）。请稍后重试；若问题持续，请联系系统管理员。"
QUEUE_DOWN_ERROR = "无法连接后台任务服务（Redis），任务未能开始。请稍后重试，或联系系统管理员。"

_FUNC_PATH = re.compile(r"^[A-Za-z_][\w.]*:[A-Za-z_]\w*$")
_SUFFIX = re.compile(r"^\.[A-Za-z0-9]{1,8}$")


class JobCancelled(Exception):
    """Raised by ctx.progress() once the job should stop (the user cancelled it, or it was given up
    as stale): the work function unwinds from there and its transaction is rolled back."""


def import_function(path: str) -> Callable:
    if not _FUNC_PATH.match(path):
        raise ValueError(f"job function must be 'package.module:function', got {path!r}")
    module_name, name = path.split(":")
    func = getattr(importlib.import_module(module_name), name, None)
    if not callable(func):
        raise ValueError(f"{path!r} is not a function")
    return func


def job_timeout(app: Flask) -> int:
    return int(app.config.get("JOB_TIMEOUT_SECONDS") or DEFAULT_TIMEOUT)


def check_payload(payload: dict) -> dict:
    """A JSON round trip: RQ pickles the payload into Redis, so a payload holding ORM objects or
    open files would work in thread mode and break on the server. Refuse it in both."""
    return json.loads(json.dumps(payload, ensure_ascii=False))


@dataclass
class Live:
    """A job running in a thread of this process, as the pages of this process see it: its latest
    progress even when SQLite is too busy to take it, and a cancel flag that needs no write."""

    progress: int = 0
    total: int = 0
    message: str = ""
    cancel: threading.Event = field(default_factory=threading.Event)


_live: dict[str, Live] = {}


def live(job_id: str) -> Live | None:
    return _live.get(job_id)


class JobContext:
    def __init__(self, job_id: str, live: Live | None = None):
        self.job_id = job_id
        self.result_key: str | None = None
        self.result_name: str | None = None
        self.done = self.total = 0
        self._live = live
        self._last_write = 0.0
        self._tmpdir: Path | None = None
        self._paths = 0

    def progress(self, done: int, total: int, message: str = "") -> None:
        self.done, self.total, message = int(done), int(total), message[:255]
        if self._live is not None:
            self._live.progress, self._live.total, self._live.message = self.done, self.total, message
            if self._live.cancel.is_set():
                raise JobCancelled
        now = time.monotonic()
        if done < total and now - self._last_write < PROGRESS_INTERVAL:
            return
        self._last_write = now
        if _write_progress(self.job_id, self.done, self.total, message):
            raise JobCancelled

    def result_path(self, suffix: str = "") -> Path:
        """A fresh temporary file path to stream the output into (removed when the job ends)."""
        if self._tmpdir is None:
            # JOB_TMP_DIR: put it on the storage volume when /tmp is a small tmpfs.
            folder = current_app.config.get("JOB_TMP_DIR")
            self._tmpdir = Path(tempfile.mkdtemp(prefix=f"job-{self.job_id}-", dir=folder))
        self._paths += 1
        return self._tmpdir / f"result{self._paths}{suffix}"

    def save_result(self, path: str | Path, filename: str) -> None:
        """Keep the file as the job's download, offered under `filename` (Chinese is fine)."""
        suffix = Path(filename).suffix
        with open(path, "rb") as fh:
            key = storage.save(fh, "jobs", suffix if _SUFFIX.match(suffix) else "")
        Path(path).unlink(missing_ok=True)
        if self.result_key:  # a second call replaces the first result
            storage.delete(self.result_key)
        self.result_key, self.result_name = key, filename[:255]

    def _discard_result(self) -> None:
        if self.result_key:
            storage.delete(self.result_key)
            self.result_key = self.result_name = None

    def _cleanup(self) -> None:
        if self._tmpdir is not None:
            shutil.rmtree(self._tmpdir, ignore_errors=True)


def _write_progress(job_id: str, done: int, total: int, message: str) -> bool:
    """Write progress in its own transaction; return True if the job should stop."""
    with db.engine.connect() as conn:
        sqlite = conn.dialect.name == "sqlite"
        if sqlite:
            saved_wait = conn.exec_driver_sql("PRAGMA busy_timeout").scalar()
            conn.exec_driver_sql(f"PRAGMA busy_timeout={SQLITE_PROGRESS_WAIT_MS}")
            conn.commit()
        try:
            conn.execute(
                update(Job)
                .where(Job.id == job_id, Job.status == JobStatus.RUNNING.value)
                .values(progress=done, total=total, message=message)
            )
            conn.commit()
        except OperationalError:
            if not sqlite:
                raise
            conn.rollback()  # busy: skip this one
        finally:
            if sqlite:
                conn.exec_driver_sql(f"PRAGMA busy_timeout={int(saved_wait)}")
                conn.commit()
        row = conn.execute(select(Job.status, Job.cancel_requested).where(Job.id == job_id)).one_or_none()
        conn.rollback()
    return row is None or row.cancel_requested or row.status != JobStatus.RUNNING.value


def _mark_running(job_id: str) -> bool:
    with db.engine.begin() as conn:
        result = conn.execute(
            update(Job)
            .where(Job.id == job_id, Job.status == JobStatus.QUEUED.value, Job.cancel_requested.is_(False))
            .values(status=JobStatus.RUNNING.value, started_at=utcnow())
        )
        return result.rowcount == 1


def finish(job_id: str, status: JobStatus, error: str | None = None) -> None:
    """Mark a job that has not finished yet as ended, in its own transaction."""
    with db.engine.begin() as conn:
        conn.execute(
            update(Job)
            .where(Job.id == job_id, Job.status.in_([JobStatus.QUEUED.value, JobStatus.RUNNING.value]))
            .values(status=status.value, error=error, finished_at=utcnow())
        )


def execute(job_id: str, func_path: str, payload: dict, live: Live | None = None) -> None:
    """Run one job; call inside an app context of the job's own. Never raises for the job's errors."""
    try:
        started = _mark_running(job_id)
    except Exception:  # database down or locked for too long: say so rather than stay "queued"
        current_app.logger.exception("could not start background job %s", job_id)
        _give_up(JobContext(job_id), JobStatus.FAILED, GENERIC_ERROR)
        return
    if not started:
        log.info("job %s not started: cancelled before it began, or no longer exists", job_id)
        return
    ctx = JobContext(job_id, live)
    try:
        import_function(func_path)(ctx, **payload)
        # The work and the "done" mark are committed together. The status condition matters only
        # if the job was given up as stale meanwhile; then the work is thrown away like a cancel.
        done = db.session.execute(
            update(Job)
            .where(Job.id == job_id, Job.status == JobStatus.RUNNING.value)
            .values(
                status=JobStatus.DONE.value,
                finished_at=utcnow(),
                result_key=ctx.result_key,
                result_name=ctx.result_name,
                # The last report may have been skipped (throttled, or SQLite busy); a job that
                # never said how much there was is one step, so the bar still ends at 100%.
                progress=ctx.total or 1,
                total=ctx.total or 1,
            )
            .execution_options(synchronize_session=False)
        )
        if done.rowcount != 1:
            raise JobCancelled
        db.session.commit()
    except JobCancelled:
        _give_up(ctx, JobStatus.CANCELLED, None)
    except UserError as exc:
        _give_up(ctx, JobStatus.FAILED, exc.message)
    except JobTimeoutException:
        _give_up(ctx, JobStatus.FAILED, TIMEOUT_ERROR.format(minutes=job_timeout(current_app) // 60))
    except Exception:
        current_app.logger.exception("background job %s (%s) failed", job_id, func_path)
        _give_up(ctx, JobStatus.FAILED, GENERIC_ERROR)
    finally:
        ctx._cleanup()


def _give_up(ctx: JobContext, status: JobStatus, error: str | None) -> None:
    try:
        db.session.rollback()
        ctx._discard_result()
        finish(ctx.job_id, status, error)
    except Exception:  # the database itself is gone: nothing left to record it in but the log
        current_app.logger.exception("could not record the end of background job %s", ctx.job_id)


# ---------------------------------------------------------------- thread mode (no Redis)

_queue: queue.SimpleQueue = queue.SimpleQueue()
_threads: list[threading.Thread] = []
_threads_lock = threading.Lock()


def start_in_thread(app: Flask, job_id: str, func_path: str, payload: dict) -> None:
    _queue.put((app, job_id, func_path, payload))
    with _threads_lock:
        _threads[:] = [t for t in _threads if t.is_alive()]
        if len(_threads) < int(app.config.get("JOB_THREADS") or DEFAULT_THREADS):
            # Daemon threads: stopping the web server should not wait for a long job. A job cut
            # off that way stays "running" until services.get_for_user gives it up as stale.
            thread = threading.Thread(target=_thread_main, name=f"job-worker-{len(_threads) + 1}", daemon=True)
            _threads.append(thread)
            thread.start()


def _thread_main() -> None:
    while True:
        app, job_id, func_path, payload = _queue.get()
        try:
            _live[job_id] = Live()
            with app.app_context():
                execute(job_id, func_path, payload, _live[job_id])
        except Exception:  # keep the thread alive for the next job
            log.exception("background job %s crashed its runner", job_id)
        finally:
            _live.pop(job_id, None)


# ---------------------------------------------------------------- RQ mode (REDIS_URL set)


def redis_connection(app: Flask) -> Redis:
    conn = app.extensions.get("jobs.redis")
    if conn is None:
        conn = app.extensions["jobs.redis"] = Redis.from_url(app.config["REDIS_URL"])
    return conn


def rq_queue(app: Flask) -> Queue:
    return Queue(
        app.config.get("JOBS_QUEUE") or DEFAULT_QUEUE, connection=redis_connection(app), default_timeout=job_timeout(app)
    )


def enqueue(app: Flask, job_id: str, func_path: str, payload: dict, title: str) -> None:
    rq_queue(app).enqueue(
        "webapp.jobs.runner.run_rq",
        job_id,
        func_path,
        payload,
        job_id=job_id,  # the same id on both sides
        job_timeout=job_timeout(app),
        description=title,
        result_ttl=0,  # the outcome lives in the jobs table
        failure_ttl=7 * 24 * 3600,
    )


def run_rq(job_id: str, func_path: str, payload: dict) -> None:
    """What RQ calls. Under `flask worker` the app's context is already there; under a plain
    `rq worker` the app is built from the environment once per process."""
    app = current_app._get_current_object() if has_app_context() else _standalone_app()
    with app.app_context():  # a context (and session) of the job's own
        execute(job_id, func_path, payload)


_standalone: Flask | None = None


def _standalone_app() -> Flask:
    global _standalone
    if _standalone is None:
        from webapp import create_app

        _standalone = create_app()
    return _standalone


class AppWorker(Worker):
    """An RQ worker that knows the Flask app: used by `flask worker`."""

    def __init__(self, *args, app: Flask | None = None, **kwargs):
        # Optional because RQ itself rebuilds workers from Redis (Worker.all()) without it.
        super().__init__(*args, **kwargs)
        self._flask_app = app

    @property
    def flask_app(self) -> Flask:
        return self._flask_app or current_app._get_current_object()

    def main_work_horse(self, job, queue):
        # The horse is a fork of this process: pooled database connections it inherited are
        # shared sockets and must not be used from both sides; drop them without closing.
        with self.flask_app.app_context():
            db.engine.dispose(close=False)
        super().main_work_horse(job, queue)

    def handle_work_horse_killed(self, job, retpid, ret_val, rusage):
        # The horse died without reaching our except clauses (killed, out of memory, hard
        # timeout): record it, or the page would show "running" for ever.
        super().handle_work_horse_killed(job, retpid, ret_val, rusage)
        try:
            with self.flask_app.app_context():
                finish(job.id, JobStatus.FAILED, KILLED_ERROR)
        except Exception:
            log.exception("could not record the death of background job %s", job.id)


def dispatch(app: Flask, job_id: str, func_path: str, payload: dict, title: str) -> None:
    """Start a committed job (called after the submitting transaction commits)."""
    if not app.config.get("REDIS_URL"):
        start_in_thread(app, job_id, func_path, payload)
        return
    try:
        enqueue(app, job_id, func_path, payload, title)
    except Exception:
        app.logger.exception("could not enqueue background job %s", job_id)
        try:
            with app.app_context():
                finish(job_id, JobStatus.FAILED, QUEUE_DOWN_ERROR)
        except Exception:
            app.logger.exception("could not record that background job %s was not enqueued", job_id)
