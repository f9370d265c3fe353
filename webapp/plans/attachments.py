"""A plan's attachments (附件, GB/T 29639-2020 annex for enterprise plans): a list of titles, each
with an optional uploaded file. Any file type is accepted (drawings, spreadsheets, scans); its
size is bounded by PLAN_ATTACHMENT_MAX_BYTES. Files are stored under instance/ with generated
names (webapp.storage); the user's file name is kept only for the download."""

import re

from flask import current_app
from sqlalchemy import func, select

from webapp import storage
from webapp.common.spreadsheets import human_size
from webapp.errors import FieldErrors, UserError
from webapp.extensions import db
from webapp.plans.models import Plan, PlanAttachment, PlanStatus


def _not_withdrawn(plan: Plan) -> None:
    if plan.status == PlanStatus.WITHDRAWN:
        raise UserError("预案已废止，附件不能再修改")


def add_attachment(plan: Plan, title: str) -> PlanAttachment:
    _not_withdrawn(plan)
    title = (title or "").strip()
    if not title:
        raise FieldErrors({"title": "请填写附件名称"})
    if len(title) > 200:
        raise FieldErrors({"title": "附件名称不能超过 200 字"})
    if any(a.title == title for a in plan.attachments):
        raise FieldErrors({"title": f"附件“{title}”已在列表中"})
    last = db.session.scalar(select(func.max(PlanAttachment.position)).where(PlanAttachment.plan_id == plan.id))
    attachment = PlanAttachment(plan_id=plan.id, position=(last or 0) + 1, title=title)
    db.session.add(attachment)
    db.session.flush()
    return attachment


def remove_attachment(attachment: PlanAttachment) -> str | None:
    """Delete the row; returns the stored file's key for the caller to delete once committed."""
    _not_withdrawn(attachment.plan)
    key = attachment.storage_key
    db.session.delete(attachment)
    db.session.flush()
    return key


def upload(attachment: PlanAttachment, stream, filename: str) -> str | None:
    """Store the file (replacing an earlier one); returns the replaced file's key, if any, to be
    deleted once the request has committed."""
    _not_withdrawn(attachment.plan)
    limit = current_app.config["PLAN_ATTACHMENT_MAX_BYTES"]
    data = stream.read(limit + 1)
    if not data:
        raise UserError("上传的文件是空的，请重新选择文件", field="file")
    if len(data) > limit:
        raise UserError(f"文件超过 {human_size(limit)} 的上限，请压缩或拆分后上传", field="file")
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1].strip() or "附件"
    suffix = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if not re.fullmatch(r"[a-z0-9]{1,8}", suffix):
        suffix = ""
    old = attachment.storage_key
    attachment.storage_key = storage.save(data, "plans", suffix)
    attachment.filename = name[-200:]
    attachment.size = len(data)
    db.session.flush()
    return old
