"""Pictures in documents: QR codes, seals (公章) and photos, as specs the engine turns into docxtpl
InlineImages at render time. Sizes are in millimetres, as on paper.

Uploaded pictures are untrusted: they are opened with Pillow before use, their pixel count and
byte size are bounded, and anything that is not a PNG, JPEG, GIF or BMP is refused.
"""

import io
import math
import re
from dataclasses import dataclass
from functools import lru_cache

import qrcode
from PIL import Image, ImageDraw, ImageFont, UnidentifiedImageError
from qrcode.constants import ERROR_CORRECT_M

from webapp.common.spreadsheets import human_size
from webapp.errors import UserError

MAX_IMAGE_BYTES = 5 * 1024 * 1024
MAX_IMAGE_PIXELS = 25_000_000  # a 5000×5000 photo; more is a decompression bomb, not a photo
IMAGE_FORMATS = {"PNG", "JPEG", "GIF", "BMP"}
CJK_FONT = "/usr/share/fonts/opentype/noto/NotoSerifCJK-Bold.ttc"


class ImageError(UserError):
    pass


class NotAPicture(ImageError):
    """The bytes are no picture at all (as opposed to a picture too big or of a refused format)."""


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


def check_picture(data: bytes, what: str = "图片", *, max_bytes: int = MAX_IMAGE_BYTES,
                  max_pixels: int = MAX_IMAGE_PIXELS) -> bytes:
    """Return data if it is a usable picture, else raise ImageError naming what is wrong."""
    if not data:
        raise ImageError(f"{what}是空文件")
    if len(data) > max_bytes:
        raise ImageError(f"{what}超过 {human_size(max_bytes)} 的上限，请压缩后再上传")
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.format not in IMAGE_FORMATS:
                raise ImageError(f"{what}格式为 {image.format}，请使用 PNG 或 JPG")
            if image.width * image.height > max_pixels:
                raise ImageError(f"{what}像素过大（{image.width}×{image.height}），请缩小后再上传")
            image.verify()
    except ImageError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise NotAPicture(f"{what}不是有效的图片文件（请使用 PNG 或 JPG）") from None
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
    """The issuing organization's seal (公章), a PNG with transparency, pressed over the signer and
    the date: it floats in front of the text, centred where {{ seal }} stands (templates put it in
    a 1-pt centred paragraph between the signer and the date) and raised raise_mm above that
    line, so that the signer and the date sit a little below its centre."""

    width_mm: float | None = 40
    what: str = "印章图片"
    raise_mm: float = 3

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


# A seal is pressed over the signer and the date (GB/T 9704-2012 7.3.5.1: 印章端正、居中下压发文机关署名
# 和成文日期，使发文机关署名和成文日期居印章中心偏下位置). docxtpl places pictures inline, which would put
# the seal on a line of its own above the text; a Word anchor lets it float over the text instead.
_INLINE_OPEN = re.compile(r"<wp:inline\b[^>]*>")
_EXTENT = re.compile(r'<wp:extent cx="(\d+)" cy="(\d+)"/>')


def float_over_text(inline_xml: str, raise_emu: int) -> str:
    """Turn a <wp:inline> picture into a <wp:anchor> that floats in front of the text, its centre
    on the place it stands in the line (in an empty centred paragraph: the middle of the column),
    raised raise_emu. The picture's own XML (blip, size) is kept."""
    extent = _EXTENT.search(inline_xml)
    if not extent or not _INLINE_OPEN.search(inline_xml):
        raise ValueError("not an inline picture")
    cx, cy = int(extent.group(1)), int(extent.group(2))
    opening = _INLINE_OPEN.search(inline_xml).group(0)
    namespaces = " ".join(re.findall(r'xmlns:\w+="[^"]+"', opening))
    anchor = (
        f'<wp:anchor distT="0" distB="0" distL="0" distR="0" simplePos="0" relativeHeight="251659264" '
        f'behindDoc="0" locked="0" layoutInCell="0" allowOverlap="1" {namespaces}>'
        '<wp:simplePos x="0" y="0"/>'
        f'<wp:positionH relativeFrom="character"><wp:posOffset>{-cx // 2}</wp:posOffset></wp:positionH>'
        f'<wp:positionV relativeFrom="paragraph"><wp:posOffset>{-cy // 2 - raise_emu}</wp:posOffset></wp:positionV>'
    )
    xml = inline_xml.replace(opening, anchor, 1)
    xml = xml.replace(extent.group(0), extent.group(0) + '<wp:effectExtent l="0" t="0" r="0" b="0"/><wp:wrapNone/>', 1)
    return xml.replace("</wp:inline>", "</wp:anchor>")
