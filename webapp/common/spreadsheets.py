"""Reading untrusted .xlsx uploads and writing .xlsx downloads (openpyxl).

An upload is checked before openpyxl sees it: its size, that it is a zip holding a workbook, and its
unpacked size and entry count (a zip bomb is refused, not unpacked).
"""

import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from flask import current_app, send_file
from openpyxl import Workbook, load_workbook
from openpyxl.cell import Cell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from webapp.common.packages import PackageError, check_package


class SheetError(ValueError):
    """The file as a whole cannot be read; the message says why, in Chinese."""


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    value: str
    reason: str


@dataclass(frozen=True)
class Sheet:
    headers: list[str]
    rows: list[tuple[int, dict[str, str]]]  # (row number in Excel, header → cleaned text)


def read_upload(stream, expected: Sequence[str], required: Sequence[str]) -> Sheet:
    """Read the first worksheet. Row 1 holds headers in any order: every required one must be
    there, optional ones may be left out, and an unknown one is refused (it is usually a typo)."""
    cfg = current_app.config
    data = stream.read(cfg["IMPORT_MAX_BYTES"] + 1)
    if not data:
        raise SheetError("上传的文件是空的")
    if len(data) > cfg["IMPORT_MAX_BYTES"]:
        raise SheetError(f"文件超过 {human_size(cfg['IMPORT_MAX_BYTES'])} 的上限，请拆分后分批导入")
    _check_xlsx_container(data, cfg["IMPORT_MAX_UNPACKED_BYTES"])
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:
        raise SheetError("无法读取该 Excel 文件，文件可能已损坏；请用 Excel 或 WPS 另存为 .xlsx 后重试") from None
    try:
        return read_rows(workbook.worksheets[0].iter_rows(values_only=True), expected, required, cfg["IMPORT_MAX_ROWS"])
    finally:
        workbook.close()


def human_size(n: int) -> str:
    return f"{n / 1024 / 1024:g} MB" if n >= 1024 * 1024 else f"{n // 1024} KB"


def _check_xlsx_container(data: bytes, max_unpacked: int) -> None:
    try:
        check_package(data, what="Excel 文件", suffix=".xlsx", main_part="xl/workbook.xml",
                      max_unpacked=max_unpacked, legacy=".xls").close()
    except PackageError as exc:
        hint = "，请使用下载的模板填写" if exc.wrong_kind else ""
        raise SheetError(f"{exc}{hint}") from None


def read_rows(rows: Iterable[Sequence], expected: Sequence[str], required: Sequence[str], max_rows: int) -> Sheet:
    """Header row, then data rows, checked as read_upload checks them; CSV readers share it so a CSV
    with a wrong header gets the same message as a workbook."""
    rows = iter(rows)
    header_row = next(rows, None)
    headers = [cell_text(v) for v in (header_row or ())]
    while headers and not headers[-1]:
        headers.pop()
    if not headers:
        raise SheetError("表格是空的：第 1 行应为表头，请使用下载的模板")
    missing = [h for h in required if h not in headers]
    unknown = [h for h in headers if h and h not in expected]
    if missing or unknown:
        parts = []
        if missing:
            parts.append("缺少列：" + "、".join(missing))
        if unknown:
            parts.append("无法识别的列：" + "、".join(unknown))
        raise SheetError("表头与模板不一致（" + "；".join(parts) + "），请使用下载的模板")
    out: list[tuple[int, dict[str, str]]] = []
    for number, values in enumerate(rows, start=2):
        record = {h: cell_text(v) for h, v in zip(headers, values, strict=False) if h}
        if not any(record.values()):
            continue
        if len(out) >= max_rows:
            raise SheetError(f"数据超过 {max_rows} 行的上限，请拆分后分批导入")
        for h in expected:
            record.setdefault(h, "")
        out.append((number, record))
    if not out:
        raise SheetError("表格中没有数据行：请在表头下方填写数据")
    return Sheet(headers=headers, rows=out)


def cell_text(value) -> str:
    """A cell as the text a person typed: whole numbers without '.0', dates as 2026-11-22."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d") if value.time() == datetime.min.time() else value.isoformat(" ")
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def workbook_bytes(headers: Sequence[str], rows: Iterable[Sequence]) -> bytes:
    """A one-sheet workbook with a bold header row; text cells so ID numbers keep every digit."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("数据")
    for index, header in enumerate(headers, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = max(12, len(header) * 2 + 4)
    sheet.freeze_panes = "A2"
    sheet.append([_header_cell(sheet, h) for h in headers])
    for row in rows:
        sheet.append(["" if v is None else v for v in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def template_bytes(
    headers: Sequence[str], examples: Iterable[Sequence], notes: Sequence[str], text_columns: Sequence[str]
) -> bytes:
    """An import template: headers, example rows, and text format on the columns holding ID and
    phone numbers, because Excel turns an 18-digit number into 3.30102E+17 and loses its last digits."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "数据"
    sheet.freeze_panes = "A2"
    for index, header in enumerate(headers, start=1):
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = max(12, len(header) * 2 + 6)
        cell = sheet.cell(row=1, column=index, value=header)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
        if header in text_columns:
            for row in range(2, 2002):
                sheet.cell(row=row, column=index).number_format = "@"
    # cell() by row number: append() would go below the 2,000 pre-formatted rows
    for row, example in enumerate(examples, start=2):
        for column, value in enumerate(example, start=1):
            cell = sheet.cell(row=row, column=column)
            if isinstance(value, Cell):  # a value forced to text (see quiz.formats): keep its type
                cell.value, cell.data_type = value.value, value.data_type
            else:
                cell.value = value
    help_sheet = workbook.create_sheet("填写说明")
    help_sheet.column_dimensions["A"].width = 100
    for line in notes:
        help_sheet.append([line])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _header_cell(sheet, text: str):
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(sheet, value=text)
    cell.font = Font(bold=True)
    cell.fill = PatternFill("solid", fgColor="DDEBF7")
    cell.alignment = Alignment(horizontal="center")
    return cell


def xlsx_response(filename: str, data: bytes):
    return send_file(
        io.BytesIO(data),
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        as_attachment=True,
        download_name=filename,
    )
