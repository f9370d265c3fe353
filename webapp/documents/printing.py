"""Batch printing: one template over many records, as a background job.

The records come from a module (every certificate of a training session) or from a spreadsheet
an officer uploads (one row per document, headed with the kind's field labels). They are checked
in the request, stored as JSON, and the job renders them into one merged print file (.docx, or
.pdf through one LibreOffice call over that file) or a .zip of separate .docx files.
"""

import json
from datetime import date

from webapp import storage
from webapp.common.spreadsheets import RowError, read_upload, template_bytes
from webapp.documents.images import QRCode
from webapp.documents.kinds import DocumentKind
from webapp.documents.models import DocumentTemplate, GeneratedDocument, TemplateVersion
from webapp.errors import UserError
from webapp.extensions import db

OUTPUTS = {"docx": "合并为一个 Word 打印文件", "pdf": "合并为一个 PDF 打印文件", "zip": "每份一个 Word 文件（.zip）"}
TYPED_FIELDS = ("text", "date", "number", "list")


class RowsRefused(UserError):
    def __init__(self, errors: list[RowError]):
        super().__init__(f"发现 {len(errors)} 处错误")
        self.errors = errors


def sheet_fields(kind: DocumentKind):
    return [f for f in kind.fields if f.type in TYPED_FIELDS]


def data_template(kind: DocumentKind) -> bytes:
    """The spreadsheet an officer fills in: one column per field a person can type, with the sample row."""
    fields = sheet_fields(kind)
    example = []
    for f in fields:
        value = kind.sample.get(f.name, "")
        example.append("；".join(value) if isinstance(value, list) else value)
    notes = ["每行生成一份文档；第 1 行为表头，请勿修改。", "日期写成 2026-11-22。列表类字段（如附件）用“；”分隔多项。",
             "带 * 的列必须填写。印章使用“公文模板”页面上传的本单位印章。"]
    headers = [_header(f) for f in fields]
    return template_bytes(headers, [tuple(example)], notes, ())


def _header(field) -> str:
    return f"{field.label}*" if field.required else field.label


def records_from_sheet(kind: DocumentKind, stream) -> list[dict]:
    """Every row checked first; RowsRefused lists all errors (row, column, value, why)."""
    fields = sheet_fields(kind)
    by_header = {_header(f): f for f in fields}
    sheet = read_upload(stream, list(by_header), [h for h, f in by_header.items() if f.required])
    records, errors = [], []
    needs_qr = any(f.name == "qr" and f.required for f in kind.fields)
    for row_no, raw in sheet.rows:
        record = {}
        for header, f in by_header.items():
            value = (raw.get(header) or "").strip()
            if f.required and not value:
                errors.append(RowError(row_no, header, "", f"请填写{f.label}"))
                continue
            if f.type == "list":
                record[f.name] = [v.strip() for v in value.replace(";", "；").split("；") if v.strip()]
            elif f.type == "date" and value:
                try:
                    date.fromisoformat(value)
                except ValueError:
                    errors.append(RowError(row_no, header, value, "日期格式应为 2026-11-22"))
                record[f.name] = value
            else:
                record[f.name] = value
        if needs_qr and not record.get("verify_url"):
            errors.append(RowError(row_no, "核验网址", "", "请填写核验网址（证书上的二维码由它生成）"))
        records.append(record)
    if errors:
        raise RowsRefused(errors)
    return records


def submit(template: DocumentTemplate, records: list[dict], output: str, title: str, user, source: str | None = None):
    """Store the records and start the job; returns the Job. Images (QR codes, seal) are made in
    the job from each record, so the stored data stays plain JSON."""
    from webapp.jobs import services as jobs

    if output not in OUTPUTS:
        raise UserError("请选择输出方式")
    if not records:
        raise UserError("没有要打印的记录")
    key = storage.save(json.dumps(records, ensure_ascii=False, default=str).encode(), "batch-data", "json")
    payload = {"version_id": template.current_version_id, "data_key": key, "output": output, "title": title,
               "source": source, "user_id": user.id if user is not None else None}
    return jobs.submit("documents.batch", f"{title}（{len(records)} 份）", "webapp.documents.printing:run", payload, user)


def run(ctx, version_id: int, data_key: str, output: str, title: str, source: str | None, user_id: int | None):
    """The job: render every record into the chosen output, then keep it as a generated document."""
    from webapp.documents import batch, pdf, services

    version = db.session.get(TemplateVersion, version_id)
    kind = services.kind_of(version.template)
    with storage.open_file(data_key) as f:
        records = json.load(f)
    total = len(records)
    ctx.progress(0, total, "正在准备模板")
    compiled = batch.compile_template(services.version_data(version))
    seal = services.bureau_seal()
    rows = (_with_pictures(kind, record, services.bureau_name(), seal) for record in records)

    def progress(done: int) -> None:
        ctx.progress(done, total, f"已生成 {done} / {total} 份")

    suffix = ".zip" if output == "zip" else ".docx"
    out = ctx.result_path(suffix)
    if output == "zip":
        batch.write_zip(compiled, rows, out, progress=progress)
    else:
        batch.write_merged(compiled, rows, out, progress=progress)
    filename = f"{title}{suffix}"
    with open(out, "rb") as f:  # the print file is also kept among the generated documents
        key = storage.save(f, "documents", suffix.lstrip("."))
    if output == "pdf":
        ctx.progress(total, total, "正在转换为 PDF（一次转换全部页面）")
        # LibreOffice converts about 8 ms a page after a ~2 s start: allow for the size of the batch.
        pdf_path = pdf.convert_file(out, out.parent, "pdf", timeout=max(120, total))
        ctx.save_result(pdf_path, f"{title}.pdf")
    else:
        ctx.save_result(out, filename)
    ctx.progress(total, total, f"已生成 {total} 份")
    db.session.add(GeneratedDocument(version_id=version.id, title=title, source=source, storage_key=key,
                                     filename=filename, record_count=total, created_by_id=user_id))
    # The runner commits this row together with marking the job done.
    storage.delete(data_key)


def _with_pictures(kind: DocumentKind, record: dict, bureau: str, seal) -> dict:
    """A sheet row holds text; the pictures are made here: the QR code from the row's verify URL,
    the bureau's seal, no photo."""
    values = kind.complete({"bureau": bureau} | dict(record))
    if record.get("verify_url"):
        values["qr"] = QRCode(record["verify_url"], size_mm=28)
    if "seal" in kind.names and values.get("seal") is None:
        values["seal"] = seal
    return values
