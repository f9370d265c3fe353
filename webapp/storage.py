"""Files (uploads, generated documents) go through here, never straight to a path.

By default a folder under instance/ (STORAGE_DIR); in a multi-server setup STORAGE_DIR points at a
shared volume that every app server and the RQ worker mount. Keys are generated here, so an
uploaded file's own name never becomes a path.
"""

import re
import shutil
import uuid
from pathlib import Path
from typing import BinaryIO

from flask import current_app

_KEY = re.compile(r"^[a-z0-9_-]+/\d{6}/[0-9a-f]{32}(\.[a-z0-9]{1,8})?$")


def _root() -> Path:
    return Path(current_app.config["STORAGE_DIR"])


def save(data: bytes | BinaryIO, folder: str, suffix: str = "") -> str:
    """Store bytes or a stream; returns the key to keep in the database (folder/YYYYMM/uuid.suffix)."""
    from webapp.common.time import local_today

    if not re.fullmatch(r"[a-z0-9_-]+", folder):
        raise ValueError(f"bad storage folder {folder!r}")
    suffix = suffix.lower().lstrip(".")
    if suffix and not re.fullmatch(r"[a-z0-9]{1,8}", suffix):
        raise ValueError(f"bad suffix {suffix!r}")
    key = f"{folder}/{local_today():%Y%m}/{uuid.uuid4().hex}" + (f".{suffix}" if suffix else "")
    target = path(key)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".part")
    with partial.open("wb") as out:
        if isinstance(data, bytes):
            out.write(data)
        else:
            shutil.copyfileobj(data, out)
    partial.replace(target)  # readers never see a half-written file
    return key


def path(key: str) -> Path:
    if not _KEY.match(key):
        raise ValueError(f"bad storage key {key!r}")
    return _root() / key


def open_file(key: str) -> BinaryIO:
    return path(key).open("rb")


def exists(key: str) -> bool:
    return path(key).is_file()


def delete(key: str) -> None:
    path(key).unlink(missing_ok=True)
