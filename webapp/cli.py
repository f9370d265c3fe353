"""flask commands: seed-demo, create-user; each module adds its own (render, worker). Each command
is one transaction."""

import random

import click
from flask import Flask

from webapp.errors import UserError
from webapp.extensions import db


def init_app(app: Flask) -> None:
    from webapp.documents import cli as documents_cli
    from webapp.jobs import cli as jobs_cli
    from webapp.quiz import cli as quiz_cli

    app.cli.add_command(seed_demo)
    app.cli.add_command(create_user)
    documents_cli.init_app(app)
    jobs_cli.init_app(app)
    quiz_cli.init_app(app)


@click.command("seed-demo")
@click.option("--if-empty", is_flag=True, help="只在数据库为空（没有任何用户和单位）时写入演示数据。")
def seed_demo(if_empty: bool) -> None:
    """写入演示县的数据（可重复运行，已有的数据不会重复写入）。"""
    from webapp.auth import demo as auth_demo
    from webapp.auth.models import User
    from webapp.drills import demo as drills_demo
    from webapp.outreach import demo as outreach_demo
    from webapp.plans import demo as plans_demo
    from webapp.quiz import demo as quiz_demo
    from webapp.registry import demo as registry_demo
    from webapp.registry.models import Organization
    from webapp.training import demo as training_demo

    if if_empty and (db.session.scalar(db.select(User.id).limit(1)) or db.session.scalar(db.select(Organization.id).limit(1))):
        click.echo("数据库已有数据，跳过演示数据。")
        return
    rng = random.Random(2026)
    created = registry_demo.seed(rng)
    logins = auth_demo.seed()
    quiz_report = quiz_demo.seed(rng)
    training_report = training_demo.seed(rng)
    plans_report = plans_demo.seed(rng)
    drills_report = drills_demo.seed(rng)
    outreach_report = outreach_demo.seed(rng)
    db.session.commit()
    click.echo("演示县“云溪县”已写入。" if created else "演示县已存在，未重复写入。")
    click.echo(quiz_report)
    click.echo(training_report)
    click.echo(plans_report)
    click.echo(drills_report)
    click.echo(outreach_report)
    click.echo("演示账号（密码相同，正式使用前请修改）：")
    for username, name, password in logins:
        click.echo(f"  {username:<10} {name:<16} 密码 {password}")


@click.command("create-user")
@click.argument("username")
@click.option("--name", "display_name", required=True, help="姓名")
@click.option("--role", "roles", multiple=True, required=True,
              type=click.Choice(["admin", "training_officer", "plan_reviewer", "drill_officer", "outreach_officer", "leader"]),
              help="角色，可重复指定")
@click.password_option(help="密码（不给出时会提示输入）")
def create_user(username: str, display_name: str, roles: tuple[str, ...], password: str) -> None:
    """创建用户。"""
    from webapp.auth import services

    try:
        services.create_user(username, display_name, password, roles)
    except UserError as exc:
        db.session.rollback()
        raise click.ClickException(exc.message) from None
    db.session.commit()
    click.echo(f"已创建用户 {username}")
