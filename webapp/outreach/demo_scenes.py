"""Pictures for the outreach demo: small drawn scenes of publicity work — a safety lecture, a
consultation desk under a campaign banner (“安全生产月”), a school evacuation, leaflets handed out
at a village door, a row of display boards, an extinguisher demonstration. Real JPEG files, never
blank, drawn once per seed-demo (a few variants, and the desk and lecture once per campaign
banner) and stored under a new key for every row that shows them.

The people, buildings and flames are the drills demo's (webapp.drills.demo_scenes).
"""

import random

from PIL import Image, ImageDraw

from webapp.drills.demo_scenes import (
    HEIGHT,
    RED,
    WIDTH,
    Picture,
    _building,
    _crowd,
    _draw,
    _flame,
    _font,
    _jpeg,
    _person,
    _picture,
)

SCENES = ("lecture", "desk", "school", "leaflets", "boards", "demo")
BLUE = (24, 86, 160)
BODIES = [(40, 60, 120), (180, 60, 60), (90, 90, 90), (60, 120, 80), (200, 170, 60), (230, 230, 235)]
VEST = (235, 90, 30)  # the volunteers' and staff's orange-red vests


def _banner(draw: ImageDraw.ImageDraw, text: str) -> None:
    if len(text) <= 12:
        text = f"{text}　人人讲安全　个个会应急"
    draw.rectangle((0, 0, WIDTH, 44), fill=RED)
    draw.text((WIDTH / 2, 22), text, fill="white", font=_font(22), anchor="mm")


def _caption(draw: ImageDraw.ImageDraw, text: str) -> None:
    draw.rectangle((0, HEIGHT - 40, WIDTH, HEIGHT), fill=(30, 30, 35))
    draw.text((14, HEIGHT - 20), text, fill="white", font=_font(20), anchor="lm")


def _lines(draw, rng, x0, y0, x1, rows, color=(150, 150, 150), step=16) -> None:
    for i in range(rows):
        draw.rectangle((x0, y0 + i * step, x0 + rng.randint((x1 - x0) // 2, x1 - x0), y0 + i * step + 6), fill=color)


def _lecture(rng: random.Random, banner: str) -> Image.Image:
    image = Image.new("RGB", (WIDTH, HEIGHT), (236, 228, 210))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 330, WIDTH, HEIGHT), fill=(160, 120, 85))
    draw.rectangle((190, 70, 560, 250), fill=(250, 250, 252), outline=(70, 70, 70), width=4)  # the screen
    draw.text((375, 112), "安全知识讲座", fill=RED, font=_font(30), anchor="mm")
    _lines(draw, rng, 220, 150, 530, 5, (120, 140, 170), 18)
    _person(draw, 120, 270, (40, 50, 80), scale=1.6)  # the speaker at the lectern
    draw.rectangle((80, 262, 160, 330), fill=(120, 80, 50))
    for row in range(3):  # the audience, seen from behind
        y = 365 + row * 34
        for col in range(11):
            x = 40 + col * 55 + (row % 2) * 20 + rng.randint(-4, 4)
            draw.rectangle((x - 14, y, x + 14, y + 26), fill=rng.choice(BODIES))
            draw.ellipse((x - 9, y - 18, x + 9, y), fill=(40, 35, 30))
    _banner(draw, banner)
    return image


def _desk(rng: random.Random, banner: str) -> Image.Image:
    image = Image.new("RGB", (WIDTH, HEIGHT), (175, 210, 240))
    draw = ImageDraw.Draw(image)
    _building(draw, rng, 0, 90, 200, 250, (210, 205, 195))
    _building(draw, rng, 470, 70, WIDTH, 250, (200, 190, 180))
    draw.rectangle((0, 250, WIDTH, HEIGHT), fill=(185, 180, 170))  # the square's paving
    draw.polygon([(140, 150), (500, 150), (540, 190), (100, 190)], fill=RED)  # the tent
    for x in (110, 530):
        draw.line((x, 190, x, 330), fill=(200, 200, 200), width=5)
    draw.rectangle((120, 196, 520, 236), fill=(250, 250, 250))  # the hanging banner
    draw.text((320, 216), banner, fill=RED, font=_font(22), anchor="mm")
    for i in range(3):  # staff behind the desk
        _person(draw, 200 + i * 120, 290, VEST, scale=1.2)
    draw.rectangle((130, 290, 510, 340), fill=BLUE)  # the desk with its cloth
    for x in range(150, 500, 46):  # leaflets and brochures on it
        draw.rectangle((x, 280, x + 30, 292), fill=(250, 250, 250), outline=(200, 60, 60))
    draw.text((320, 318), "安全宣传咨询台", fill="white", font=_font(18), anchor="mm")
    for x in (30, 570):  # display boards at both ends
        draw.rectangle((x, 230, x + 50, 330), fill=(250, 250, 250), outline=BLUE, width=4)
        _lines(draw, rng, x + 6, 246, x + 44, 5, (120, 140, 170), 14)
    _crowd(draw, rng, 12, 380, HEIGHT - 50, BODIES, scale=1.1)
    _banner(draw, "安全宣传咨询日")
    return image


def _school(rng: random.Random, banner: str) -> Image.Image:
    image = _draw("school", rng)  # the drills demo's playground: pupils lined up after the evacuation
    draw = ImageDraw.Draw(image)
    _banner(draw, banner)
    return image


def _leaflets(rng: random.Random, banner: str) -> Image.Image:
    image = Image.new("RGB", (WIDTH, HEIGHT), (180, 212, 235))
    draw = ImageDraw.Draw(image)
    draw.polygon([(0, 260), (160, 140), (330, 250), (520, 130), (WIDTH, 230), (WIDTH, 300), (0, 300)], fill=(90, 150, 90))
    draw.rectangle((0, 300, WIDTH, HEIGHT), fill=(170, 160, 140))
    for x in (40, 250, 450):  # whitewashed houses with dark roofs
        draw.rectangle((x, 200, x + 170, 330), fill=(245, 243, 238))
        draw.polygon([(x - 14, 204), (x + 85, 150), (x + 184, 204)], fill=(70, 72, 80))
        draw.rectangle((x + 70, 262, x + 100, 330), fill=(130, 90, 60))
        draw.rectangle((x + 18, 226, x + 48, 250), fill=(120, 150, 180))
        draw.rectangle((x + 122, 226, x + 152, 250), fill=(120, 150, 180))
    _person(draw, 285, 370, (120, 100, 90), scale=1.5)  # the resident at the door
    _person(draw, 340, 372, VEST, scale=1.5)  # the officer handing a leaflet
    draw.rectangle((300, 330, 324, 346), fill=(255, 255, 255), outline=RED)
    _person(draw, 400, 376, VEST, scale=1.5)
    draw.rectangle((390, 340, 430, 366), fill=(250, 250, 250), outline=(60, 60, 60))  # a bag of brochures
    _banner(draw, banner)
    return image


def _boards(rng: random.Random, banner: str) -> Image.Image:
    image = Image.new("RGB", (WIDTH, HEIGHT), (190, 220, 240))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 300, WIDTH, HEIGHT), fill=(150, 170, 120))
    titles = ("安全生产 人人有责", "防灾减灾 从我做起", "火灾逃生 自救常识", "燃气安全 用气常识", "防汛防台 避险转移")
    for i in range(5):
        x = 20 + i * 124
        draw.rectangle((x, 90, x + 110, 290), fill=(250, 250, 252), outline=BLUE, width=5)
        draw.rectangle((x, 90, x + 110, 118), fill=BLUE)
        draw.text((x + 55, 104), titles[i][:4], fill="white", font=_font(16), anchor="mm")
        draw.rectangle((x + 10, 128, x + 100, 184), fill=rng.choice([(230, 200, 160), (200, 220, 200), (220, 200, 210)]))
        _lines(draw, rng, x + 10, 194, x + 100, 5, (120, 120, 130), 16)
        draw.line((x + 20, 290, x + 20, 320), fill=(80, 80, 80), width=4)
        draw.line((x + 90, 290, x + 90, 320), fill=(80, 80, 80), width=4)
    _crowd(draw, rng, 10, 360, HEIGHT - 50, BODIES, scale=1.2)
    _banner(draw, banner)
    return image


def _demo(rng: random.Random, banner: str) -> Image.Image:
    image = Image.new("RGB", (WIDTH, HEIGHT), (185, 215, 240))
    draw = ImageDraw.Draw(image)
    _building(draw, rng, 60, 80, 580, 240, (225, 215, 200))
    draw.rectangle((0, 240, WIDTH, HEIGHT), fill=(175, 175, 170))
    draw.ellipse((260, 330, 360, 356), fill=(60, 60, 60))  # the oil pan
    _flame(draw, rng, 310, 342, 30)
    _person(draw, 430, 350, (30, 40, 90), (240, 200, 30), scale=1.6)  # a firefighter with the extinguisher
    draw.rounded_rectangle((392, 312, 408, 346), radius=5, fill=RED)
    draw.line((400, 312, 360, 330), fill=(30, 30, 30), width=3)
    for _ in range(4):
        x, y, r = rng.randint(300, 370), rng.randint(300, 330), rng.randint(8, 14)
        draw.ellipse((x - r, y - r, x + r, y + r), fill=(245, 245, 245))
    _crowd(draw, rng, 11, 395, HEIGHT - 50, BODIES, scale=1.1)
    _banner(draw, banner)
    return image


DRAW = {"lecture": _lecture, "desk": _desk, "school": _school, "leaflets": _leaflets, "boards": _boards, "demo": _demo}
CAPTIONS = {"lecture": "安全知识讲座", "desk": "宣传咨询台", "school": "校园应急疏散演练", "leaflets": "入户发放宣传资料",
            "boards": "安全宣传展板", "demo": "灭火器使用现场演示"}


def scene(kind: str, banner: str, rng: random.Random) -> Picture:
    image = DRAW[kind](rng, banner)
    _caption(ImageDraw.Draw(image), CAPTIONS[kind])
    return _picture(image)


def phone_photo(kind: str, banner: str, rng: random.Random, width: int = 960, height: int = 720) -> bytes:
    """A larger scene, as a phone sends it (for the events recorded through the services)."""
    image = DRAW[kind](rng, banner)
    _caption(ImageDraw.Draw(image), CAPTIONS[kind])
    return _jpeg(image.resize((width, height), Image.Resampling.BILINEAR), 85)
