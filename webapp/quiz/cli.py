"""flask import-questions FILE --bank NAME: load a question file (Excel, CSV, GIFT, Aiken)."""

from pathlib import Path

import click
from flask import Flask

from webapp.errors import UserError
from webapp.extensions import db


def init_app(app: Flask) -> None:
    app.cli.add_command(import_questions)


@click.command("import-questions")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--bank", "bank_name", required=True, help="题库名称（不存在时新建）")
def import_questions(file: Path, bank_name: str) -> None:
    """把题目文件（.xlsx、.csv、GIFT 或 Aiken 文本）导入题库；有任何错误时一题也不导入。"""
    from webapp.quiz import banks, formats
    from webapp.quiz.banks import QuestionsRefused

    try:
        with file.open("rb") as stream:
            parsed = formats.read_questions(file.name, stream)
        bank = banks.get_or_create_bank(bank_name)
        report = banks.save_drafts(bank, parsed.drafts, parsed.errors)
    except QuestionsRefused as exc:
        db.session.rollback()
        for line in exc.errors:
            click.echo(f"  {line}", err=True)
        raise click.ClickException(exc.message) from None
    except UserError as exc:
        db.session.rollback()
        raise click.ClickException(exc.message) from None
    db.session.commit()
    click.echo(f"已导入 {report.added} 道题到题库“{bank.name}”。")
