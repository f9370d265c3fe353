"""The join address of a quiz, its QR code, and a poster to print or post in a WeChat group."""

import io
from functools import lru_cache

from flask import url_for
from PIL import Image, ImageDraw, ImageFont

from webapp.common.time import to_local
from webapp.documents import services as documents
from webapp.documents.filters import cn_date
from webapp.documents.images import QRCode
from webapp.documents.images import qr_png as make_qr
from webapp.quiz.models import Quiz

FONT = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
FONT_BOLD = "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc"
RED = (200, 22, 29)


def join_url(quiz: Quiz) -> str:
    return url_for("quiz_phone.join", code=quiz.code, _external=True)


def qr_png(quiz: Quiz) -> bytes:
    return make_qr(join_url(quiz), box_size=10)


@lru_cache(maxsize=8)
def _font(path: str, size: int):
    try:
        return ImageFont.truetype(path, size)
    except OSError:  # no CJK font installed: a plain font still gives a scannable poster
        return ImageFont.load_default()


def poster_png(quiz: Quiz) -> bytes:
    """An A4-proportioned poster (1240×1754, 150 dpi): title, the QR code, the address, how to join."""
    width, height = 1240, 1754
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, width, 260), fill=RED)
    draw.text((width / 2, 130), quiz.kind_label, fill="white", font=_font(FONT_BOLD, 96), anchor="mm")
    y = 340
    for line in _wrap(quiz.title, 16):
        draw.text((width / 2, y), line, fill=(30, 30, 30), font=_font(FONT_BOLD, 68), anchor="mm")
        y += 96
    with Image.open(io.BytesIO(qr_png(quiz))) as code:
        code = code.convert("RGB").resize((760, 760), Image.NEAREST)
        image.paste(code, ((width - 760) // 2, y + 30))
    y += 830
    draw.text((width / 2, y + 20), "微信扫一扫，参加答题", fill=RED, font=_font(FONT_BOLD, 60), anchor="mm")
    draw.text((width / 2, y + 110), join_url(quiz), fill=(80, 80, 80), font=_font(FONT, 36), anchor="mm")
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def _wrap(text: str, per_line: int) -> list[str]:
    return [text[i:i + per_line] for i in range(0, len(text), per_line)] or [""]


def poster_context(quiz: Quiz) -> dict:
    period = ""
    if quiz.opens_at or quiz.closes_at:
        start = cn_date(to_local(quiz.opens_at).date()) if quiz.opens_at else "即日"
        end = cn_date(to_local(quiz.closes_at).date()) if quiz.closes_at else "另行通知"
        period = f"{start}至{end}"
    url = join_url(quiz)
    return {"kind_label": quiz.kind_label, "title": quiz.title, "description": quiz.description or None,
            "period": period or None, "join_url": url, "qr": QRCode(url, size_mm=110),
            "organizer": documents.bureau_name()}


def poster_document(quiz: Quiz, user=None):
    """The printable poster through the document engine (kept among the generated documents)."""
    return documents.render_for("quiz_poster", poster_context(quiz), title=f"{quiz.title}-二维码海报", user=user,
                                source=f"quiz:{quiz.id}")
