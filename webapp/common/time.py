"""Time: stored as naive UTC timestamps (the same on SQLite and PostgreSQL), shown in Asia/Shanghai."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

LOCAL_TZ = ZoneInfo("Asia/Shanghai")


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def to_local(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC).astimezone(LOCAL_TZ)


def local_today() -> date:
    return datetime.now(LOCAL_TZ).date()


def format_local(value: datetime | None, pattern: str = "%Y-%m-%d %H:%M") -> str:
    return to_local(value).strftime(pattern) if value else ""


def from_local(value: datetime | None) -> datetime | None:
    """A time typed in Asia/Shanghai (a form's datetime-local) as the naive UTC we store."""
    if value is None:
        return None
    return value.replace(tzinfo=LOCAL_TZ).astimezone(UTC).replace(tzinfo=None)
