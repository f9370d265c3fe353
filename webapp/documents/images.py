"""Pictures in documents: QR codes, seals (公章) and photos, as specs the engine turns into docxtpl
InlineImages at render time. Sizes are in millimetres, as on paper.

Uploaded pictures are untrusted: they are opened with Pillow before use, their pixel count and
byte size are bounded, and anything that is not a PNG, JPEG, GIF or BMP is refused.
"""

import io
import math
from dataclasses import dataclass
from functools import lru_cache

import qrcode
from PIL import Image, ImageDraw, ImageFont, UnidentifiedImageError
from qrcode.constants import ERROR_CORRECT_M

from webapp.errors import UserError

MAX_IMAGE_BYTES = 5 * 1024 * 1024
MAX_IMAGE_PIXELS = 25_000_000  # a 5000×5000 photo; more is a decompression bomb, not a photo
IMAGE_FORMATS = {"PNG", "JPEG", "GIF", "BMP"}
CJK_FONT = "/usr/share/fonts/opentype/noto/NotoSerifCJK-Bold.ttc"


class ImageError(UserError):
    pass


def qr_png(text: str, box_size: int = 8) -> bytes:
    """A QR code as PNG. Error correction M (15 %) survives a printed certificate's wear. The mask
    pattern is fixed: qrcode's search over all eight costs about seven times the encoding itself,
    and any mask gives a readable code."""
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, box_size=box_size, border=2, mask_pattern=0)
    code.add_data(text)
    code.make(fit=True)
    image = code.make_image().get_image()
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=False)
    return out.getvalue()


def check_picture(data: bytes, what: str = "图片") -> bytes:
    """Return data if it is a usable picture, else raise ImageError naming what is wrong."""
    if not data:
        raise ImageError(f"{what}是空文件")
    if len(data) > MAX_IMAGE_BYTES:
        raise ImageError(f"{what}超过 {MAX_IMAGE_BYTES // 1024 // 1024} MB 的上限，请压缩后再上传")
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.format not in IMAGE_FORMATS:
                raise ImageError(f"{what}格式为 {image.format}，请使用 PNG 或 JPG")
            if image.width * image.height > MAX_IMAGE_PIXELS:
                raise ImageError(f"{what}像素过大（{image.width}×{image.height}），请缩小后再上传")
            image.verify()
    except ImageError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise ImageError(f"{what}不是有效的图片文件（请使用 PNG 或 JPG）") from None
    return data


@dataclass(frozen=True)
class QRCode:
    """A QR code of a verification URL or any text, size_mm wide and high on paper."""

    text: str
    size_mm: float = 25

    def png(self) -> bytes:
        return qr_png(self.text)

    @property
    def width_mm(self) -> float:
        return self.size_mm

    height_mm = None


@dataclass(frozen=True)
class Picture:
    """A photo or other picture; give the width or the height (the other follows the aspect)."""

    data: bytes
    width_mm: float | None = 30
    height_mm: float | None = None
    what: str = "照片"

    def png(self) -> bytes:
        return check_picture(self.data, self.what)


@dataclass(frozen=True)
class Seal(Picture):
    """The issuing organization's seal (公章), printed over the date. A PNG with transparency."""

    width_mm: float | None = 40
    what: str = "印章图片"

    @classmethod
    def sample(cls) -> "Seal":
        return cls(sample_seal_png())


@lru_cache(maxsize=1)
def sample_seal_png() -> bytes:
    """A red round stamp marked 样章 (specimen) for previews and the demo: never a real seal."""
    size = 400
    image = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    red = (200, 22, 29, 230)
    draw.ellipse((8, 8, size - 8, size - 8), outline=red, width=14)
    # a five-pointed star in the middle
    cx, cy, outer, inner = size / 2, size / 2, 70, 28
    points = []
    for i in range(10):
        radius = outer if i % 2 == 0 else inner
        angle = math.pi / 2 + i * math.pi / 5
        points.append((cx + radius * math.cos(angle), cy - radius * math.sin(angle)))
    draw.polygon(points, fill=red)
    try:
        font = ImageFont.truetype(CJK_FONT, 64)
        draw.text((cx, cy + 115), "样章", fill=red, font=font, anchor="mm")
    except OSError:
        pass  # no CJK font on this machine: the star alone still reads as a specimen stamp
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()
