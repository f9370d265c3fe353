"""Field photos: checked as untrusted pictures, turned upright, resized, stripped of EXIF."""

import io

import pytest
from PIL import Image

from webapp import storage
from webapp.common.photos import delete_photo, store_photo
from webapp.documents.images import ImageError


def _jpeg(width, height, exif_orientation=None) -> bytes:
    image = Image.new("RGB", (width, height), (200, 30, 30))
    out = io.BytesIO()
    if exif_orientation:
        exif = Image.Exif()
        exif[0x0112] = exif_orientation
        image.save(out, format="JPEG", exif=exif)
    else:
        image.save(out, format="JPEG")
    return out.getvalue()


def test_a_phone_photo_is_resized_and_turned_upright_and_its_exif_dropped(app):
    # A portrait shot as phones store it: landscape pixels with "rotate 90°" in EXIF.
    stored = store_photo(_jpeg(4000, 3000, exif_orientation=6), "drill-photos")
    with Image.open(storage.path(stored.key)) as image:
        assert image.format == "JPEG"
        assert (image.width, image.height) == (1200, 1600) == (stored.width, stored.height)
        assert not image.getexif()
    with Image.open(storage.path(stored.thumb_key)) as thumb:
        assert max(thumb.size) == app.config["PHOTO_THUMB_SIDE"]
    assert stored.size == storage.path(stored.key).stat().st_size
    delete_photo(stored.key, stored.thumb_key)
    assert not storage.exists(stored.key) and not storage.exists(stored.thumb_key)


def test_a_transparent_png_becomes_a_white_backed_jpeg(app):
    image = Image.new("RGBA", (300, 200), (0, 0, 0, 0))
    out = io.BytesIO()
    image.save(out, format="PNG")
    stored = store_photo(out.getvalue(), "drill-photos")
    with Image.open(storage.path(stored.key)) as saved:
        assert saved.size == (300, 200)  # small photos are not enlarged
        assert saved.convert("RGB").getpixel((10, 10)) == (255, 255, 255)


@pytest.mark.parametrize(("data", "message"), [
    (b"", "是空文件"),
    (b"GIF89a not really", "不是有效的图片文件"),
    ("现场照片".encode() * 100, "不是有效的图片文件"),
])
def test_what_is_not_a_photo_is_refused_by_name(app, data, message):
    with pytest.raises(ImageError, match=message) as caught:
        store_photo(data, "drill-photos", "演练照片")
    assert caught.value.message.startswith("演练照片")


def test_a_photo_over_the_size_limit_is_refused_before_it_is_opened(app):
    app.config["PHOTO_MAX_BYTES"] = 50_000
    with pytest.raises(ImageError, match="超过 48 KB 的上限"):
        store_photo(_jpeg(2000, 2000) + b"\0" * 60_000, "drill-photos")
    assert not list((storage._root()).rglob("*.jpg"))
