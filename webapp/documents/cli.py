"""flask render TEMPLATE --data FILE.json|FILE.xlsx --out OUT.docx|OUT.pdf|OUT.zip

TEMPLATE is a .docx file or a document kind (notice, training_certificate …: the current template
of that kind). One document per JSON object or spreadsheet row; several records are merged into
one print file when OUT is .docx or .pdf, or written as separate files into OUT.zip.

Values: JSON strings, numbers and lists as they are; ISO dates ("2026-11-22") work with the date
filters. {"qr": "text", "size_mm": 25} is a QR code; {"image": "seal.png", "width_mm": 40} a
picture (path relative to the data file). In a spreadsheet, a column named qr or ending in _qr is
made into a QR code of its text.
"""

import json
import shutil
import tempfile
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from webapp.common.spreadsheets import SheetError, cell_text
from webapp.documents.images import Picture, QRCode
from webapp.errors import UserError


def init_app(app) -> None:
    app.cli.add_command(render_command)


@click.command("render")
@click.argument("template")
@click.option("--data", "data_path", required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="数据文件：.json（一个对象或对象数组）或 .xlsx（第 1 行为字段名）")
@click.option("--out", "out_path", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="输出文件：.docx、.pdf 或 .zip")
@with_appcontext
def render_command(template: str, data_path: Path, out_path: Path) -> None:
    """用模板生成文档（多条记录时合并为一个打印文件，或打包为 .zip）。"""
    from webapp.documents import batch, pdf, services
    from webapp.extensions import db

    suffix = out_path.suffix.lower()
    if suffix not in (".docx", ".pdf", ".zip"):
        raise click.UsageError("输出文件应为 .docx、.pdf 或 .zip")
    try:
        template_data = _template_bytes(template, services)
        records = load_records(data_path)
        compiled = batch.compile_template(template_data)
        with tempfile.TemporaryDirectory() as tmp:
            work = Path(tmp) / ("out.zip" if suffix == ".zip" else "out.docx")
            context = {"bureau": services.bureau_name()}
            rows = ({**context, **record} for record in records)
            if suffix == ".zip":
                batch.write_zip(compiled, rows, work)
            else:
                batch.write_merged(compiled, rows, work)
            if suffix == ".pdf":
                work = Path(pdf.convert_file(work, Path(tmp), "pdf"))
            out_path.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(work, out_path)
        db.session.commit()  # templates registered on first use
    except (UserError, SheetError) as exc:
        raise click.ClickException(getattr(exc, "message", str(exc))) from None
    click.echo(f"已生成 {out_path}（{len(records)} 条记录）")


def _template_bytes(template: str, services) -> bytes:
    path = Path(template)
    if path.suffix.lower() == ".docx":
        if not path.is_file():
            raise UserError(f"找不到模板文件 {template}")
        return path.read_bytes()
    from webapp.documents.kinds import KINDS

    if template not in KINDS:
        raise UserError(f"“{template}”既不是 .docx 文件，也不是文书类型（{'、'.join(KINDS)}）")
    return services.version_data(services.template_for(template).current_version)


def load_records(path: Path) -> list[dict]:
    if path.suffix.lower() == ".json":
        try:
            loaded = json.loads(path.read_text(encoding="utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise UserError(f"数据文件不是有效的 JSON：{exc}") from None
        items = loaded if isinstance(loaded, list) else [loaded]
        if not items or not all(isinstance(i, dict) for i in items):
            raise UserError("JSON 数据应为一个对象，或对象组成的数组")
        return [{k: _value(v, path.parent) for k, v in item.items()} for item in items]
    if path.suffix.lower() == ".xlsx":
        return _sheet_records(path)
    raise UserError("数据文件应为 .json 或 .xlsx")


def _value(value, folder: Path):
    if isinstance(value, dict) and "qr" in value:
        return QRCode(str(value["qr"]), size_mm=float(value.get("size_mm", 25)))
    if isinstance(value, dict) and "image" in value:
        image = folder / str(value["image"])
        if not image.is_file():
            raise UserError(f"找不到图片 {image}")
        return Picture(image.read_bytes(), width_mm=value.get("width_mm", 30), height_mm=value.get("height_mm"),
                       what=f"图片 {image.name} ")
    if isinstance(value, list):
        return [_value(v, folder) for v in value]
    if isinstance(value, dict):
        return {k: _value(v, folder) for k, v in value.items()}
    return value


def _sheet_records(path: Path) -> list[dict]:
    from openpyxl import load_workbook

    from webapp.common.packages import PackageError, check_package

    data = path.read_bytes()
    try:
        check_package(data, what="Excel 文件", suffix=".xlsx", main_part="xl/workbook.xml",
                      max_unpacked=current_app.config["IMPORT_MAX_UNPACKED_BYTES"], legacy=".xls").close()
    except PackageError as exc:
        raise UserError(str(exc)) from None
    workbook = load_workbook(path, read_only=True, data_only=True)
    try:
        rows = workbook.worksheets[0].iter_rows(values_only=True)
        headers = [cell_text(h) for h in next(rows, ())]
        records = []
        for values in rows:
            if not any(v not in (None, "") for v in values):
                continue
            record = {}
            for header, value in zip(headers, values, strict=False):
                if not header:
                    continue
                text = value if isinstance(value, int) else cell_text(value)
                record[header] = QRCode(str(text)) if header == "qr" or header.endswith("_qr") else text
            records.append(record)
    finally:
        workbook.close()
    if not records:
        raise UserError("表格中没有数据行")
    return records
