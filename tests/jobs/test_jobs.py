"""Background jobs, as a user sees them: the progress page and its JSON, cancel, the download, the
messages of a failed job, who may see a job; in a worker thread (no Redis) and through RQ."""

import os
import re
import tempfile
import time
import uuid
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote

import pytest
import redis
from rq import SimpleWorker

from tests.conftest import PASSWORD, page_text, table_text
from webapp.auth.permissions import Role
from webapp.common.time import utcnow
from webapp.extensions import db
from webapp.jobs import runner, services
from webapp.jobs.models import Job, JobStatus
from webapp.registry.models import Organization

WORK = "tests.jobs.work"
REDIS_TEST_URL = "redis://127.0.0.1:6379/15"


# ---------------------------------------------------------------- helpers


def login_as(client, user) -> None:
    client.post("/logout")
    response = client.post("/login", data={"username": user.username, "password": PASSWORD})
    assert response.status_code == 302


def status_of(client, job_id: str) -> dict:
    response = client.get(f"/jobs/{job_id}.json")
    assert response.status_code == 200, response.status_code
    return response.get_json()


def download(client, url: str):
    """GET a file and close it (send_file keeps the file open until the response is closed)."""
    response = client.get(url)
    response.get_data()
    response.close()
    return response


def wait_until(check, timeout: float = 30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError("the job did not get there in time")


def wait_finished(client, job_id: str) -> dict:
    return wait_until(lambda: (data := status_of(client, job_id))["finished"] and data)


def org_named(name: str) -> Organization | None:
    db.session.expire_all()
    return db.session.scalar(db.select(Organization).where(Organization.name == name))


def stored_files(app) -> list[Path]:
    root = Path(app.config["STORAGE_DIR"]) / "jobs"
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def leftover_temp_dirs(job_id: str) -> list[Path]:
    return list(Path(tempfile.gettempdir()).glob(f"job-{job_id}-*"))


@pytest.fixture
def officer(factory, client):
    user = factory.user(Role.TRAINING)
    login_as(client, user)
    return user


def submit(user, func: str, title: str = "批量打印结业证书", **payload) -> str:
    job = services.submit("test.print", title, f"{WORK}:{func}", payload, user)
    db.session.commit()  # the job starts when the submitting transaction commits
    return job.id


# ---------------------------------------------------------------- thread mode (no REDIS_URL)


def test_job_runs_to_done_and_downloads_with_its_chinese_name(app, client, officer):
    name = "结业证书（第一期）.txt"
    job_id = submit(officer, "write_file", "批量打印结业证书（5 份）", steps=5, filename=name, org_name="任务里新建的县")

    data = wait_finished(client, job_id)
    assert data["status"] == "done" and data["status_label"] == "已完成"
    assert (data["progress"], data["total"], data["percent"]) == (5, 5, 100)
    assert data["error"] is None
    assert data["download_url"] == f"/jobs/{job_id}/download" and data["download_name"] == name

    response = download(client, data["download_url"])
    assert response.status_code == 200
    assert response.get_data(as_text=True).splitlines()[-1] == "证书批量打印结果 第 5 份"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment") and f"filename*=UTF-8''{quote(name)}" in disposition

    # The job's own database work was committed with its success.
    assert org_named("任务里新建的县") is not None
    assert leftover_temp_dirs(job_id) == []

    page = client.get(f"/jobs/{job_id}")
    text = page_text(page)
    assert "批量打印结业证书（5 份）" in text and "已完成" in text and "100%" in text
    html = page.get_data(as_text=True)
    assert re.search(r'<a class="btn btn-primary" data-job-download href="/jobs/\w+/download"\s*>', html)  # not hidden
    assert re.search(r"data-job-cancel hidden", html)


def test_running_job_page_and_cancel_stops_it(app, client, officer):
    job_id = submit(officer, "write_file", steps=400, filename="证书.txt", delay=0.02, org_name="不该留下的县")
    wait_until(lambda: status_of(client, job_id)["progress"] > 0)

    page = client.get(f"/jobs/{job_id}")
    html = page.get_data(as_text=True)
    assert 'role="progressbar"' in html and "progress-bar-animated" in html
    assert f'data-status-url="/jobs/{job_id}.json"' in html
    assert '<script src="/static/js/jobs.js" defer></script>' in html
    assert re.search(r'data-job-cancel\s*>', html) and "取消任务" in html  # cancel offered while running
    assert re.search(r"data-job-download href=\S+\s+hidden", html)
    assert "进行中" in page_text(page)

    response = client.post(f"/jobs/{job_id}/cancel", follow_redirects=True)
    assert "已请求取消" in page_text(response)

    data = wait_finished(client, job_id)
    assert data["status"] == "cancelled" and data["status_label"] == "已取消"
    assert data["progress"] < 400
    assert data["download_url"] is None
    assert client.get(f"/jobs/{job_id}/download").status_code == 404
    assert stored_files(app) == []
    assert org_named("不该留下的县") is None  # the half-done work was rolled back
    assert leftover_temp_dirs(job_id) == []

    response = client.post(f"/jobs/{job_id}/cancel", follow_redirects=True)
    assert "任务已经结束，无法取消。" in page_text(response)


def test_user_error_is_shown_as_it_is(app, client, officer):
    message = "第 3 行“身份证号”：校验位不正确，请核对。"
    job_id = submit(officer, "refuse", message=message, org_name="失败任务的县")

    data = wait_finished(client, job_id)
    assert data["status"] == "failed" and data["status_label"] == "失败"
    assert data["error"] == message
    assert message in page_text(client.get(f"/jobs/{job_id}"))
    assert org_named("失败任务的县") is None


def test_unexpected_error_shows_a_generic_message_and_logs_the_traceback(app, client, officer, caplog):
    job_id = submit(officer, "crash", org_name="崩溃任务的县")

    data = wait_finished(client, job_id)
    assert data["status"] == "failed"
    assert data["error"] == runner.GENERIC_ERROR
    assert "secret internal detail" not in page_text(client.get(f"/jobs/{job_id}"))
    assert data["download_url"] is None and stored_files(app) == []  # the half result was removed
    assert org_named("崩溃任务的县") is None
    failures = [r for r in caplog.records if r.exc_info and job_id in r.getMessage()]
    assert failures and "secret internal detail" in str(failures[0].exc_info[1])


def test_only_the_creator_and_admins_see_a_job(app, client, factory, officer):
    job_id = submit(officer, "write_file", steps=1, filename="名单.txt")
    wait_finished(client, job_id)

    stranger = factory.user(Role.TRAINING)
    login_as(client, stranger)
    for url in (f"/jobs/{job_id}", f"/jobs/{job_id}.json", f"/jobs/{job_id}/download"):
        assert client.get(url).status_code == 403, url
    assert client.post(f"/jobs/{job_id}/cancel").status_code == 403
    assert client.get(f"/jobs/{uuid.uuid4().hex}").status_code == 404
    assert client.get("/jobs/not-a-job-id.json").status_code == 404
    assert "还没有后台任务" in page_text(client.get("/jobs/"))

    login_as(client, factory.user(Role.ADMIN))
    assert download(client, f"/jobs/{job_id}/download").status_code == 200
    listing = table_text(client.get("/jobs/"), "jobs-table")
    assert "批量打印结业证书" in listing and "测试用户" in listing  # admins see who submitted it

    anonymous = app.test_client()
    for url in (f"/jobs/{job_id}", f"/jobs/{job_id}.json", f"/jobs/{job_id}/download", "/jobs/"):
        response = anonymous.get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"], url


def test_list_shows_my_jobs_newest_first(app, client, officer):
    first = submit(officer, "write_file", "第一批证书", steps=1, filename="一.txt")
    wait_finished(client, first)
    second = submit(officer, "refuse", "第二批证书", message="模板缺少占位符“姓名”。")
    wait_finished(client, second)

    listing = table_text(client.get("/jobs/"), "jobs-table")
    assert listing.index("第二批证书") < listing.index("第一批证书")
    assert "失败" in listing and "已完成" in listing and "下载" in listing
    assert "提交人" not in page_text(client.get("/jobs/"))


def test_a_running_job_that_went_silent_is_given_up(app, client, officer):
    job = Job(kind="test", title="中断的任务", created_by_id=officer.id, status=JobStatus.RUNNING.value,
              started_at=utcnow() - timedelta(hours=3))
    db.session.add(job)
    db.session.commit()

    data = status_of(client, job.id)
    assert data["status"] == "failed" and data["error"] == services.STALE_ERROR


def test_submit_refuses_what_a_worker_could_not_run(app, officer):
    with pytest.raises(ValueError):
        services.submit("test", "路径写错", "tests.jobs.work.write_file", {}, officer)
    with pytest.raises(ValueError):
        services.submit("test", "函数不存在", f"{WORK}:no_such_function", {}, officer)
    with pytest.raises(TypeError):
        services.submit("test", "参数不能放进队列", f"{WORK}:write_file", {"user": officer}, officer)


# ---------------------------------------------------------------- RQ mode (REDIS_URL set)


@pytest.fixture
def rq_app(app):
    """The test app switched to Redis, on a queue of its own; its keys are removed afterwards."""
    conn = redis.Redis.from_url(REDIS_TEST_URL, socket_connect_timeout=1)
    try:
        conn.ping()
    except redis.exceptions.ConnectionError:
        conn.close()
        if os.environ.get("CI"):
            raise
        pytest.skip("Redis 没有运行（127.0.0.1:6379），跳过 RQ 测试")
    token = f"test-jobs-{uuid.uuid4().hex[:12]}"
    app.config.update(REDIS_URL=REDIS_TEST_URL, JOBS_QUEUE=token)
    yield token
    job_ids = [j for (j,) in db.session.execute(db.select(Job.id))]
    for pattern in [f"*{token}*", *(f"*{j}*" for j in job_ids)]:
        for key in conn.scan_iter(match=pattern):
            conn.delete(key)
    for name in ("rq:queues", "rq:workers"):
        for member in conn.smembers(name):
            if token.encode() in member:
                conn.srem(name, member)
    conn.close()
    app.extensions.pop("jobs.redis").close()


def work_off(app, token: str) -> None:
    queue = runner.rq_queue(app)
    SimpleWorker([queue], connection=queue.connection, name=f"{token}-worker").work(burst=True)


def test_rq_job_waits_for_the_worker_then_finishes(app, client, officer, rq_app):
    job_id = submit(officer, "write_file", "批量打印（队列）", steps=3, filename="结业证书.txt", org_name="队列任务的县")
    assert status_of(client, job_id)["status"] == "queued"
    assert runner.rq_queue(app).job_ids == [job_id]  # the same id on both sides

    work_off(app, rq_app)

    data = status_of(client, job_id)
    assert data["status"] == "done" and data["percent"] == 100 and data["total"] == 3
    response = download(client, data["download_url"])
    assert response.status_code == 200 and "第 3 份" in response.get_data(as_text=True)
    assert f"filename*=UTF-8''{quote('结业证书.txt')}" in response.headers["Content-Disposition"]
    assert org_named("队列任务的县") is not None


def test_rq_job_cancelled_while_queued_never_runs(app, client, officer, rq_app):
    job_id = submit(officer, "write_file", steps=2, filename="证书.txt", org_name="取消的县")
    response = client.post(f"/jobs/{job_id}/cancel", follow_redirects=True)
    assert "任务已取消。" in page_text(response)
    assert status_of(client, job_id)["status"] == "cancelled"

    work_off(app, rq_app)

    data = status_of(client, job_id)
    assert data["status"] == "cancelled" and data["download_url"] is None
    assert org_named("取消的县") is None


def test_rq_job_user_error(app, client, officer, rq_app):
    job_id = submit(officer, "refuse", message="导入文件第 2 行缺少“姓名”。")
    work_off(app, rq_app)
    data = status_of(client, job_id)
    assert data["status"] == "failed" and data["error"] == "导入文件第 2 行缺少“姓名”。"


@pytest.mark.filterwarnings("ignore:This process .* is multi-threaded:DeprecationWarning")
def test_flask_worker_command_runs_jobs_in_a_forked_horse(app, client, officer, rq_app):
    from webapp.jobs import cli

    if "worker" not in app.cli.commands:
        cli.init_app(app)
    job_id = submit(officer, "write_file", steps=2, filename="证书.txt")

    result = app.test_cli_runner().invoke(args=["worker", "--burst", "--name", f"{rq_app}-cli"])
    assert result.exit_code == 0, result.output

    assert status_of(client, job_id)["status"] == "done"


def test_worker_command_needs_redis(app):
    from webapp.jobs import cli

    if "worker" not in app.cli.commands:
        cli.init_app(app)
    result = app.test_cli_runner().invoke(args=["worker", "--burst"])
    assert result.exit_code != 0 and "未设置 REDIS_URL" in result.output


def test_unreachable_redis_fails_the_job_with_a_clear_message(app, client, officer):
    app.config.update(REDIS_URL="redis://127.0.0.1:1/0")  # nothing listens on port 1
    try:
        job_id = submit(officer, "write_file", steps=1, filename="证书.txt")
    finally:
        app.config.update(REDIS_URL=None)
        app.extensions.pop("jobs.redis").close()
    data = status_of(client, job_id)
    assert data["status"] == "failed" and data["error"] == runner.QUEUE_DOWN_ERROR
