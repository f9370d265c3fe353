"""Pictures for the drills demo: small drawn field scenes (a fire, a leak, a flood rescue, a school
evacuation, a tabletop meeting …) with a banner and a caption, and the rectification evidence
(a photo after the fix, a stamped report scanned to PDF). Real JPEG and PDF files, never blank,
drawn once per seed-demo and stored under a new key for every row that shows them."""

import io
import random
from dataclasses import dataclass
from functools import lru_cache

from PIL import Image, ImageDraw, ImageFont

FONT = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
RED = (200, 22, 29)
WIDTH, HEIGHT = 640, 480
THUMB = (360, 270)
SCENES = ("fire", "leak", "water", "hill", "forest", "school", "meeting", "site", "road")
CAPTIONS = {"fire": "初起火灾扑救", "leak": "泄漏事故现场处置", "water": "转移避险与水上救援", "hill": "地质灾害避险转移",
            "forest": "森林火灾扑救", "school": "应急疏散", "meeting": "桌面推演", "site": "现场救援处置", "road": "交通事故救援"}


@dataclass(frozen=True)
class Picture:
    full: bytes
    thumb: bytes
    width: int
    height: int


@lru_cache(maxsize=8)
def _font(size: int):
    try:
        return ImageFont.truetype(FONT, size)
    except OSError:  # no CJK font installed: the scene still shows, the caption in the default font
        return ImageFont.load_default()


def _jpeg(image: Image.Image, quality: int = 72) -> bytes:
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=quality, optimize=True)
    return out.getvalue()


def _person(draw: ImageDraw.ImageDraw, x: int, y: int, body, helmet=None, scale: float = 1.0) -> None:
    s = scale
    draw.ellipse((x - 6 * s, y - 30 * s, x + 6 * s, y - 18 * s), fill=(236, 196, 160))
    if helmet:
        draw.pieslice((x - 7 * s, y - 33 * s, x + 7 * s, y - 21 * s), 180, 360, fill=helmet)
    draw.rectangle((x - 7 * s, y - 18 * s, x + 7 * s, y), fill=body)
    draw.line((x - 4 * s, y, x - 4 * s, y + 12 * s), fill=(40, 40, 60), width=max(1, int(3 * s)))
    draw.line((x + 4 * s, y, x + 4 * s, y + 12 * s), fill=(40, 40, 60), width=max(1, int(3 * s)))


def _crowd(draw, rng, count, y0, y1, bodies, helmet=None, scale=1.0) -> None:
    for _ in range(count):
        _person(draw, rng.randint(30, WIDTH - 30), rng.randint(y0, y1), rng.choice(bodies), helmet, scale)


def _building(draw, rng, x0, y0, x1, y1, wall, lit=(250, 240, 200)) -> None:
    draw.rectangle((x0, y0, x1, y1), fill=wall)
    for wy in range(y0 + 12, y1 - 20, 30):
        for wx in range(x0 + 10, x1 - 16, 28):
            draw.rectangle((wx, wy, wx + 14, wy + 16), fill=lit if rng.random() < 0.7 else (90, 110, 130))


def _flame(draw, rng, x, y, size) -> None:
    for color, k in (((235, 90, 20), 1.0), ((250, 170, 30), 0.65), ((255, 230, 120), 0.35)):
        w, h = size * k, size * 1.6 * k
        draw.polygon([(x - w, y), (x - w * 0.4, y - h * 0.6), (x, y - h), (x + w * 0.5, y - h * 0.55), (x + w, y)],
                     fill=color)


def _draw(kind: str, rng: random.Random) -> Image.Image:
    sky = {"fire": (95, 95, 110), "leak": (196, 214, 226), "water": (150, 170, 190), "hill": (170, 205, 235),
           "forest": (200, 180, 160), "school": (175, 215, 245), "meeting": (232, 222, 200), "site": (185, 215, 240),
           "road": (180, 200, 220)}[kind]
    image = Image.new("RGB", (WIDTH, HEIGHT), sky)
    draw = ImageDraw.Draw(image)
    ground = HEIGHT - 150
    if kind == "fire":
        draw.rectangle((0, ground, WIDTH, HEIGHT), fill=(110, 110, 110))
        _building(draw, rng, 140, 120, 470, ground, (150, 140, 130))
        for _ in range(4):
            _flame(draw, rng, rng.randint(170, 440), rng.randint(170, ground - 10), rng.randint(18, 34))
        for _ in range(6):
            x, y, r = rng.randint(150, 470), rng.randint(50, 140), rng.randint(25, 45)
            draw.ellipse((x - r, y - r, x + r, y + r), fill=(70, 70, 75))
        draw.rectangle((20, ground + 40, 200, ground + 95), fill=(205, 30, 30))
        draw.rectangle((150, ground + 20, 200, ground + 60), fill=(220, 50, 40))
        for wx in (50, 160):
            draw.ellipse((wx, ground + 85, wx + 26, ground + 111), fill=(30, 30, 30))
        draw.line((200, ground + 60, 330, ground + 10), fill=(240, 240, 240), width=4)
        _crowd(draw, rng, 9, ground + 40, HEIGHT - 60, [(40, 60, 120), (210, 160, 40)], (240, 200, 30))
    elif kind == "leak":
        draw.rectangle((0, ground, WIDTH, HEIGHT), fill=(150, 150, 140))
        for x in (60, 230, 400):
            draw.rectangle((x, ground - 170, x + 140, ground), fill=(225, 228, 232))
            draw.ellipse((x, ground - 190, x + 140, ground - 150), fill=(238, 240, 242))
        draw.line((0, ground - 40, WIDTH, ground - 40), fill=(120, 120, 130), width=8)
        haze = Image.new("RGBA", (WIDTH, HEIGHT), (0, 0, 0, 0))
        hd = ImageDraw.Draw(haze)
        cx = rng.randint(250, 420)
        hd.ellipse((cx - 120, ground - 130, cx + 120, ground + 10), fill=(245, 245, 200, 150))
        image.paste(Image.alpha_composite(image.convert("RGBA"), haze).convert("RGB"))
        draw = ImageDraw.Draw(image)
        for x in range(0, WIDTH, 40):  # warning tape
            draw.polygon([(x, ground + 20), (x + 20, ground + 20), (x + 30, ground + 30), (x + 10, ground + 30)],
                         fill=RED)
        draw.line((0, ground + 20, WIDTH, ground + 20), fill=(240, 240, 240), width=1)
        _crowd(draw, rng, 7, ground + 60, HEIGHT - 60, [(230, 170, 30), (40, 130, 60)], (240, 240, 240))
    elif kind == "water":
        draw.rectangle((0, ground - 40, WIDTH, HEIGHT), fill=(70, 110, 150))
        for y in range(ground - 30, HEIGHT, 18):
            for x in range(rng.randint(0, 30), WIDTH, 60):
                draw.arc((x, y, x + 40, y + 12), 200, 340, fill=(160, 190, 220), width=2)
        bx = rng.randint(180, 380)
        draw.polygon([(bx, ground + 30), (bx + 150, ground + 30), (bx + 125, ground + 65), (bx + 20, ground + 65)],
                     fill=(240, 120, 30))
        for i in range(4):
            _person(draw, bx + 30 + i * 28, ground + 30, (245, 130, 30), (240, 240, 240))
        for row in range(3):  # sandbags on the bank
            for x in range(0, WIDTH, 46):
                draw.ellipse((x + row * 12, ground - 60 - row * 14, x + 44 + row * 12, ground - 40 - row * 14),
                             fill=(170, 140, 90))
    elif kind in ("hill", "forest"):
        for i, color in enumerate(((80, 140, 70), (60, 120, 60), (95, 155, 80))):
            x = i * 220 - 60
            draw.polygon([(x, ground + 40), (x + 190, 120 + rng.randint(0, 60)), (x + 380, ground + 40)], fill=color)
        draw.rectangle((0, ground + 40, WIDTH, HEIGHT), fill=(120, 150, 90))
        if kind == "forest":
            for _ in range(5):
                _flame(draw, rng, rng.randint(200, 460), rng.randint(200, ground + 30), rng.randint(14, 26))
            for _ in range(5):
                x, y, r = rng.randint(200, 470), rng.randint(90, 180), rng.randint(20, 40)
                draw.ellipse((x - r, y - r, x + r, y + r), fill=(150, 140, 135))
            _crowd(draw, rng, 8, ground + 70, HEIGHT - 60, [(230, 120, 30)], (240, 200, 30))
        else:
            draw.polygon([(300, 170), (380, 160), (470, ground + 40), (260, ground + 40)], fill=(150, 110, 70))
            for _ in range(8):
                x, y = rng.randint(280, 460), rng.randint(200, ground + 30)
                draw.ellipse((x, y, x + 14, y + 10), fill=(110, 90, 70))
            _crowd(draw, rng, 10, ground + 70, HEIGHT - 60, [(60, 90, 160), (180, 60, 60), (90, 90, 90)])
    elif kind == "school":
        _building(draw, rng, 60, 70, 580, 230, (235, 225, 205))
        draw.rectangle((0, 230, WIDTH, HEIGHT), fill=(90, 160, 90))
        draw.ellipse((40, 260, 600, 460), outline=(200, 80, 60), width=14)
        for row in range(4):
            for col in range(12):
                _person(draw, 100 + col * 38 + rng.randint(-3, 3), 300 + row * 34, (40, 80, 170) if row % 2 else
                        (230, 230, 235), scale=0.8)
    elif kind == "meeting":
        draw.rectangle((0, ground, WIDTH, HEIGHT), fill=(150, 110, 80))
        draw.rectangle((170, 70, 470, 230), fill=(245, 245, 250), outline=(60, 60, 60), width=4)
        draw.text((320, 130), "应急桌面推演", fill=RED, font=_font(30), anchor="mm")
        draw.text((320, 180), "情景 → 研判 → 处置 → 总结", fill=(60, 60, 60), font=_font(18), anchor="mm")
        draw.ellipse((90, ground - 20, 550, ground + 90), fill=(120, 80, 50))
        for i in range(10):
            x = 110 + i * 46
            _person(draw, x, ground - 10 if i % 2 else ground + 110, rng.choice([(40, 50, 80), (80, 80, 90)]), scale=0.9)
    elif kind == "site":
        draw.rectangle((0, ground, WIDTH, HEIGHT), fill=(160, 120, 80))
        for x in range(100, 360, 40):
            draw.line((x, 110, x, ground), fill=(120, 120, 130), width=4)
        for y in range(110, ground, 36):
            draw.line((100, y, 340, y), fill=(120, 120, 130), width=3)
        draw.line((470, ground, 470, 70), fill=(240, 190, 30), width=10)
        draw.line((380, 80, 620, 80), fill=(240, 190, 30), width=8)
        draw.line((560, 80, 560, 190), fill=(60, 60, 60), width=2)
        draw.polygon([(380, ground), (520, ground), (480, ground - 60), (420, ground - 50)], fill=(130, 100, 70))
        _crowd(draw, rng, 9, ground + 40, HEIGHT - 60, [(230, 120, 30), (40, 60, 120)], (240, 200, 30))
    else:  # road
        draw.polygon([(0, HEIGHT), (WIDTH, HEIGHT), (420, 180), (220, 180)], fill=(90, 90, 95))
        for y in range(200, HEIGHT, 50):
            draw.rectangle((315, y, 325, y + 24), fill=(240, 240, 240))
        draw.rectangle((230, 260, 330, 320), fill=(60, 100, 170))
        draw.polygon([(340, 300), (450, 280), (470, 330), (360, 350)], fill=(200, 200, 205))
        draw.rectangle((470, 330, 600, 400), fill=(245, 245, 245))
        draw.rectangle((525, 345, 545, 385), fill=RED)
        draw.rectangle((515, 355, 555, 375), fill=RED)
        for x in (120, 170, 220):
            draw.polygon([(x, 420), (x + 20, 420), (x + 10, 390)], fill=(245, 120, 30))
        _crowd(draw, rng, 6, 380, HEIGHT - 60, [(40, 60, 120), (240, 200, 40)], (240, 240, 240))
    draw.rectangle((0, 0, WIDTH, 44), fill=RED)
    draw.text((WIDTH / 2, 22), "应急演练  安全第一  预防为主", fill="white", font=_font(22), anchor="mm")
    draw.rectangle((0, HEIGHT - 40, WIDTH, HEIGHT), fill=(30, 30, 35))
    draw.text((14, HEIGHT - 20), CAPTIONS[kind], fill="white", font=_font(20), anchor="lm")
    return image


def _picture(image: Image.Image) -> Picture:
    return Picture(_jpeg(image), _jpeg(image.resize(THUMB, Image.Resampling.LANCZOS), 70), image.width, image.height)


def scenes(rng: random.Random, variants: int = 2) -> dict[str, list[Picture]]:
    """kind → a few variants of that scene."""
    return {kind: [_picture(_draw(kind, rng)) for _ in range(variants)] for kind in SCENES}


def field_photo(kind: str, rng: random.Random, width: int = 960, height: int = 720) -> bytes:
    """A larger scene, as a phone would send it (for the drills recorded through the services)."""
    return _jpeg(_draw(kind, rng).resize((width, height), Image.Resampling.BILINEAR), 85)


def evidence_photo(rng: random.Random) -> Picture:
    """After the fix: a new extinguisher cabinet, a cleared passage, a new sign."""
    image = Image.new("RGB", (WIDTH, HEIGHT), (226, 222, 214))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, HEIGHT - 130, WIDTH, HEIGHT), fill=(170, 165, 160))
    x = rng.randint(60, 240)
    draw.rectangle((x, 120, x + 140, 330), fill=RED, outline=(120, 10, 10), width=4)
    draw.rectangle((x + 15, 140, x + 125, 250), fill=(240, 240, 240))
    for i in range(2):
        draw.rounded_rectangle((x + 30 + i * 45, 150, x + 60 + i * 45, 245), radius=10, fill=(210, 30, 30))
    draw.text((x + 70, 290), "灭火器箱", fill="white", font=_font(22), anchor="mm")
    draw.rectangle((420, 150, 600, 210), fill=(20, 140, 70))
    draw.text((510, 180), "安全出口 →", fill="white", font=_font(24), anchor="mm")
    draw.rectangle((0, HEIGHT - 40, WIDTH, HEIGHT), fill=(30, 30, 35))
    draw.text((14, HEIGHT - 20), "整改完成  复查合格", fill="white", font=_font(20), anchor="lm")
    return _picture(image)


def evidence_pdf(rng: random.Random, title: str = "整改情况报告") -> bytes:
    """A one-page stamped report, as a scanner would produce it (an image in a PDF)."""
    page = Image.new("RGB", (620, 877), (250, 250, 247))
    draw = ImageDraw.Draw(page)
    draw.text((310, 80), title, fill=(20, 20, 20), font=_font(34), anchor="mm")
    y = 150
    for _ in range(14):
        draw.rectangle((70, y, 70 + rng.randint(380, 480), y + 10), fill=(150, 150, 150))
        y += 34
    draw.text((430, 700), "（盖章）", fill=(60, 60, 60), font=_font(22), anchor="mm")
    draw.ellipse((370, 640, 510, 780), outline=RED, width=6)
    draw.regular_polygon((440, 710, 22), 5, fill=RED)
    out = io.BytesIO()
    page.save(out, format="PDF", resolution=72)
    return out.getvalue()
