"""Photos taken in the field (drills, outreach events): checked as untrusted pictures, turned
upright, resized and stored as JPEG with a thumbnail for the lists.

A phone photo is 3–10 MB and 4000 pixels wide; a bureau's pages and reports need 1600 pixels at
most, so the original is never kept: storing the resized copy keeps the instance folder small and
strips the EXIF block (with its GPS position) as a side effect.
"""

import io
from dataclasses import dataclass

from flask import current_app
from PIL import Image, ImageOps

from webapp import storage
from webapp.documents.images import ImageError, check_picture


@dataclass(frozen=True)
class StoredPhoto:
    key: str
    thumb_key: str
    width: int
    height: int
    size: int  # bytes of the stored (resized) photo


def _jpeg(image: Image.Image, side: int, quality: int) -> tuple[bytes, tuple[int, int]]:
    copy = image.copy()
    copy.thumbnail((side, side), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    copy.save(out, format="JPEG", quality=quality, optimize=True)
    return out.getvalue(), copy.size


def store_photo(data: bytes, folder: str, what: str = "照片") -> StoredPhoto:
    """Check, resize and store one photo; raises ImageError (a UserError) naming what is wrong."""
    config = current_app.config
    check_picture(data, what, max_bytes=config["PHOTO_MAX_BYTES"], max_pixels=config["PHOTO_MAX_PIXELS"])
    try:
        with Image.open(io.BytesIO(data)) as opened:
            image = ImageOps.exif_transpose(opened)  # phones store portrait shots rotated, with a flag
            if image.mode not in ("RGB", "L"):
                background = Image.new("RGB", image.size, "white")  # transparency has no JPEG meaning
                rgba = image.convert("RGBA")
                background.paste(rgba, mask=rgba.getchannel("A"))
                image = background
            full, (width, height) = _jpeg(image, config["PHOTO_MAX_SIDE"], 82)
            thumb, _ = _jpeg(image, config["PHOTO_THUMB_SIDE"], 75)
    except OSError:
        raise ImageError(f"{what}已损坏，无法读取（请重新拍摄或选择其他照片）") from None
    key = storage.save(full, folder, "jpg")
    thumb_key = storage.save(thumb, folder, "jpg")
    return StoredPhoto(key, thumb_key, width, height, len(full))


def delete_photo(key: str, thumb_key: str | None) -> None:
    storage.delete(key)
    if thumb_key:
        storage.delete(thumb_key)
