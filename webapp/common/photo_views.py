"""The request side of field photos, shared by the drill and outreach pages (the phone's field
entry too): reading the uploads, attaching them all or none, cleaning up after a failed request,
the limits a form states, and serving a stored photo behind the login."""

from collections.abc import Callable, Sequence

from flask import abort, current_app, request, send_file

from webapp import storage
from webapp.common.photos import delete_photo
from webapp.common.spreadsheets import human_size
from webapp.errors import UserError

CACHE_SECONDS = 7 * 24 * 3600  # a photo's file never changes: its key is new for every upload


def uploaded(*names: str) -> list[tuple[str, bytes]]:
    """(file name, bytes) of every file sent in the named inputs (default: "photos")."""
    return [(f.filename or "照片", f.read()) for name in (names or ("photos",))
            for f in request.files.getlist(name) if f and f.filename]


def attach_all(uploads: Sequence[tuple[str, bytes]], attach: Callable[[bytes], object], stored: list,
               have: int, limit: int, what: str) -> None:
    """Attach the uploads in order with attach(bytes), appending each result to `stored`; the
    first bad one raises, naming which photo it was. The caller rolls back and discard()s `stored`.
    `what` is the record the limit counts per (演练, 活动)."""
    if have + len(uploads) > limit:
        already = f"：已有 {have} 张，" if have else "，"
        raise UserError(f"每次{what}最多保存 {limit} 张照片{already}本次选择了 {len(uploads)} 张", field="photos")
    for number, (name, data) in enumerate(uploads, 1):
        try:
            stored.append(attach(data))
        except UserError as exc:
            raise UserError(f"第 {number} 张照片（{name}）：{exc.message}", field="photos") from None


def discard(photos: Sequence) -> None:
    """Delete the files of photos stored for a request that then failed (their rows rolled back).
    Call it with the (key, thumb_key) pairs taken before the rollback expired the rows."""
    for key, thumb in photos:
        delete_photo(key, thumb)


def limits(per_record: int) -> dict:
    """What the photo inputs tell the user (templates/_photo_inputs.html)."""
    config = current_app.config
    return {"max_photo": human_size(config["PHOTO_MAX_BYTES"]), "max_request": human_size(config["MAX_CONTENT_LENGTH"]),
            "max_photos": per_record, "max_side": config["PHOTO_MAX_SIDE"]}


def send(photo, size: str, name: str):
    """The stored JPEG of a photo row (size full or thumb), private to the logged-in browser."""
    if photo is None or size not in ("full", "thumb"):
        abort(404)
    key = photo.key if size == "full" else photo.thumb_key
    if not key or not storage.exists(key):
        abort(404)
    response = send_file(storage.path(key), mimetype="image/jpeg", max_age=CACHE_SECONDS,
                         download_name=f"{name}{'' if size == 'full' else '-thumb'}.jpg")
    response.cache_control.public = False  # behind the login: a browser may keep it, a shared proxy may not
    response.cache_control.private = True
    return response
