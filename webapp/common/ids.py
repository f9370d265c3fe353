"""Row ids from URLs and forms. INTEGER columns (int4 on PostgreSQL) hold nothing above MAX_ID,
and a larger number sent to the database is an overflow error, not "no such row"."""

import re

from flask import Flask, abort

MAX_ID = 2**31 - 1


def as_id(value) -> int | None:
    """Digits naming a possible row id, else None (so a bad or huge number finds nothing)."""
    text = str(value if value is not None else "").strip()
    if not re.fullmatch(r"[0-9]{1,10}", text):
        return None
    number = int(text)
    return number if 0 < number <= MAX_ID else None


def _ids_in_range(_endpoint, values) -> None:
    """/plans/99999999999 names no row anywhere in the app: a 404."""
    if values and any(isinstance(v, int) and v > MAX_ID for v in values.values()):
        abort(404)


def init_app(app: Flask) -> None:
    app.url_value_preprocessor(_ids_in_range)
