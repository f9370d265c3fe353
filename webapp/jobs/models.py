import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.common.time import utcnow
from webapp.extensions import db


class JobStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    CANCELLED = "cancelled"


STATUS_LABELS = {
    JobStatus.QUEUED: "排队中",
    JobStatus.RUNNING: "进行中",
    JobStatus.DONE: "已完成",
    JobStatus.FAILED: "失败",
    JobStatus.CANCELLED: "已取消",
}
FINISHED = frozenset({JobStatus.DONE, JobStatus.FAILED, JobStatus.CANCELLED})


def percent(progress: int, total: int, status: str) -> int:
    if total > 0:
        return max(0, min(100, progress * 100 // total))
    return 100 if status == JobStatus.DONE else 0


def _new_id() -> str:
    # Random rather than sequential: the id is in the page address and must not let anyone guess
    # (or count) other people's jobs; it is also the RQ job id, so both sides name the job alike.
    return uuid.uuid4().hex


class Job(db.Model):
    __tablename__ = "jobs"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=_new_id)
    kind: Mapped[str] = mapped_column(String(32), index=True)  # e.g. "documents.batch", for filtering
    title: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(16), default=JobStatus.QUEUED.value, index=True)
    progress: Mapped[int] = mapped_column(default=0)
    total: Mapped[int] = mapped_column(default=0)  # 0: not known yet
    message: Mapped[str] = mapped_column(String(255), default="")
    error: Mapped[str | None] = mapped_column(Text)
    result_key: Mapped[str | None] = mapped_column(String(128))
    result_name: Mapped[str | None] = mapped_column(String(255))
    cancel_requested: Mapped[bool] = mapped_column(default=False)
    # Nullable so a job started from the command line (no user) can exist; only admins see those.
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]

    created_by = relationship("User")

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[JobStatus(self.status)]

    @hybrid_property
    def finished(self) -> bool:
        return self.status in FINISHED

    @finished.inplace.expression
    @classmethod
    def _finished_expression(cls):
        return cls.status.in_([s.value for s in FINISHED])

    @property
    def percent(self) -> int:
        return percent(self.progress, self.total, self.status)

    @property
    def has_result(self) -> bool:
        return self.status == JobStatus.DONE and bool(self.result_key)
