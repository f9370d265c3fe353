"""Background jobs: long work (batch printing, big imports) with a progress bar the user can watch.

    job = jobs.services.submit("documents.batch", "批量打印结业证书（1200 份）",
                               "webapp.documents.batch:print_certificates", {"session_id": 7}, current_user)
    # … the request commits; the job starts then; redirect to url_for("jobs.detail", job_id=job.id)

The work function is called as func(ctx, **payload) and uses
    ctx.progress(done, total, message="")   visible at once; raises JobCancelled when it should stop
    ctx.result_path(".zip")                 a temp file to stream the output into
    ctx.save_result(path, "结业证书.zip")    that file becomes the job's download
    ctx.job_id

A job starts only when the transaction that submitted it commits: the work may need rows written in
that same transaction, and if it rolls back there is no job to run. Payloads must be JSON-like
(ids, not ORM objects), because on the server they travel through Redis.
"""

import re
from datetime import timedelta

from flask import abort, current_app
from sqlalchemy import event, update

from webapp.auth.permissions import Role
from webapp.common.time import utcnow
from webapp.errors import UserError
from webapp.extensions import db
from webapp.jobs import runner
from webapp.jobs.models import Job, JobStatus, percent
from webapp.jobs.runner import JobCancelled, JobContext  # noqa: F401  (the API work functions use)

_PENDING = "jobs.pending"
_ID = re.compile(r"^[0-9a-f]{32}$")
# How long past its time limit a job may go without finishing before the page stops waiting for it
# (a thread-mode job dies with its web process; an RQ horse killed without its worker noticing).
STALE_GRACE = timedelta(minutes=5)
STALE_ERROR = "任务长时间没有完成，可能因服务重启或进程退出而中断。请重新提交。"


def submit(kind: str, title: str, func: str, payload: dict, user) -> Job:
    runner.import_function(func)  # a typo in the path fails here, in the request, not in the worker
    payload = runner.check_payload(payload)
    job = Job(kind=kind, title=title[:200], created_by_id=user.id if user is not None else None)
    db.session.add(job)
    db.session.flush()
    db.session.info.setdefault(_PENDING, []).append(
        (current_app._get_current_object(), job.id, func, payload, job.title)
    )
    return job


@event.listens_for(db.session, "after_commit")
def _start_pending(session) -> None:
    for app, job_id, func, payload, title in session.info.pop(_PENDING, []):
        runner.dispatch(app, job_id, func, payload, title)


@event.listens_for(db.session, "after_rollback")
def _drop_pending(session) -> None:
    # The job rows are gone with the transaction. (A rolled-back savepoint cannot be told apart
    # here; its jobs are still dispatched and the runner skips them, finding no row.)
    session.info.pop(_PENDING, None)


def is_admin(user) -> bool:
    return Role.ADMIN in user.role_set


def get_for_user(job_id: str, user) -> Job:
    """The job if this user may see it: 404 if there is none, 403 unless the creator or an admin."""
    job = db.session.get(Job, job_id) if _ID.match(job_id) else None
    if job is None:
        abort(404)
    if job.created_by_id != user.id and not is_admin(user):
        abort(403)
    _give_up_if_stale(job)
    return job


def query_for_user(user):
    query = db.select(Job).order_by(Job.created_at.desc(), Job.id)
    return query if is_admin(user) else query.where(Job.created_by_id == user.id)


def state(job: Job) -> dict:
    """What the job page shows. For a job running in a thread of this process the progress comes
    from memory: on SQLite the job's own writes can keep its progress rows from being saved."""
    progress, total, message = job.progress, job.total, job.message
    running_here = runner.live(job.id) if job.status == JobStatus.RUNNING else None
    if running_here is not None and running_here.total:
        progress, total, message = running_here.progress, running_here.total, running_here.message
    return {
        "id": job.id,
        "title": job.title,
        "status": job.status,
        "status_label": job.status_label,
        "finished": job.finished,
        "progress": progress,
        "total": total,
        "percent": percent(progress, total, job.status),
        "message": message,
        "error": job.error,
        "has_result": job.has_result,
        "result_name": job.result_name if job.has_result else None,
    }


def cancel(job: Job, user) -> bool:
    """Cancel a job: at once if it is still queued (returns True), else ask the running work to
    stop at its next progress report (returns False). The updates are conditional because the
    runner may change the status at the same moment."""
    if job.created_by_id != user.id and not is_admin(user):
        abort(403)
    if job.finished:
        raise UserError("任务已经结束，无法取消。")
    running_here = runner.live(job.id)
    if running_here is not None:
        # A thread of this process runs it: raise its flag and write nothing, because on SQLite
        # the running job may hold the write lock until it ends.
        running_here.cancel.set()
        return False
    stopped = _conditional_update(
        job, JobStatus.QUEUED, status=JobStatus.CANCELLED.value, cancel_requested=True, finished_at=utcnow()
    )
    if stopped:
        return True
    if not _conditional_update(job, JobStatus.RUNNING, cancel_requested=True):
        raise UserError("任务已经结束，无法取消。")
    return False


def _conditional_update(job: Job, only_if: JobStatus, **values) -> bool:
    result = db.session.execute(
        update(Job).where(Job.id == job.id, Job.status == only_if.value).values(**values)
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(job)
    return result.rowcount == 1


def _give_up_if_stale(job: Job) -> None:
    limit = timedelta(seconds=runner.job_timeout(current_app)) + STALE_GRACE
    if job.status == JobStatus.RUNNING:
        since = job.started_at
    elif job.status == JobStatus.QUEUED and not current_app.config.get("REDIS_URL"):
        since = job.created_at  # in thread mode nothing waits that long in the queue
    else:
        return  # finished, or waiting in Redis for a worker (which may just be busy)
    if since is not None and utcnow() - since > limit:
        _conditional_update(job, JobStatus(job.status), status=JobStatus.FAILED.value, error=STALE_ERROR,
                            finished_at=utcnow())
