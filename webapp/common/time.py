"""Time: stored as naive UTC timestamps (the same on SQLite and PostgreSQL), shown in Asia/Shanghai."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import String
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import ColumnElement
from sqlalchemy.sql.visitors import InternalTraversal

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


# Asia/Shanghai has kept UTC+8 all year since 1991, so a stored UTC time is local time + 8 hours.
LOCAL_OFFSET_HOURS = 8


def utc_bounds(first: date, last: date) -> tuple[datetime, datetime]:
    """The stored (naive UTC) instants [start, end) of the local days first … last."""
    start = datetime.combine(first, datetime.min.time())
    end = datetime.combine(last, datetime.min.time()) + timedelta(days=1)
    return from_local(start), from_local(end)


class month_of(ColumnElement):
    """SQL for the month 'YYYY-MM' of a date column, or of a stored UTC timestamp in local time
    (utc=True), on SQLite and PostgreSQL: figures group by it."""

    inherit_cache = True
    type = String()
    # what SQLAlchemy's statement cache compares, so statements using it are compiled once
    _traverse_internals = [("column", InternalTraversal.dp_clauseelement), ("utc", InternalTraversal.dp_boolean)]

    def __init__(self, column, utc: bool = False):
        self.column = column
        self.utc = utc


@compiles(month_of, "sqlite")
def _month_sqlite(element, compiler, **kw):
    shift = f", '+{LOCAL_OFFSET_HOURS} hours'" if element.utc else ""
    return f"strftime('%Y-%m', {compiler.process(element.column, **kw)}{shift})"


@compiles(month_of, "postgresql")
def _month_postgresql(element, compiler, **kw):
    value = compiler.process(element.column, **kw)
    if element.utc:
        value = f"({value} + interval '{LOCAL_OFFSET_HOURS} hours')"
    return f"to_char({value}, 'YYYY-MM')"
