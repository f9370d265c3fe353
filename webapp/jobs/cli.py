"""`flask --app webapp worker`: runs background jobs from Redis (only needed when REDIS_URL is set)."""

import click
from flask import Flask, current_app
from flask.cli import with_appcontext


def init_app(app: Flask) -> None:
    app.cli.add_command(worker)


@click.command("worker")
@click.option("--burst", is_flag=True, help="处理完队列中已有的任务后退出（用于测试和定时运行）。")
@click.option("--name", default=None, help="进程名称（默认随机生成），在 Redis 中用来区分多个 worker。")
@with_appcontext
def worker(burst: bool, name: str | None) -> None:
    """运行后台任务进程：从 Redis 队列取出任务并执行（需要设置 REDIS_URL）。"""
    from webapp.jobs.runner import AppWorker, rq_queue

    app = current_app._get_current_object()
    if not app.config.get("REDIS_URL"):
        raise click.ClickException("未设置 REDIS_URL。没有 Redis 时，后台任务在网站进程的线程中运行，不需要单独启动 worker。")
    queue = rq_queue(app)
    click.echo(f"后台任务进程已启动，队列“{queue.name}”。按 Ctrl+C 停止。")
    AppWorker([queue], connection=queue.connection, name=name, app=app).work(burst=burst, logging_level="INFO")
