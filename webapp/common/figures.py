"""What the modules' yearly figures share (drills, outreach, and the dashboard after them): the
year asked for, the period's words in a report sentence, the change against the previous year,
and a town's name."""

from collections.abc import Mapping
from datetime import date

from webapp.common.time import local_today
from webapp.errors import UserError
from webapp.extensions import db
from webapp.registry.models import Organization


def year_from(args: Mapping[str, str], today: date | None = None) -> int:
    """?year= (default this year), or UserError with a Chinese message."""
    text = (args.get("year") or "").strip()
    if not text:
        return (today or local_today()).year
    if not text.isdigit() or not 2000 <= int(text) <= 2100:
        raise UserError(f"年份“{text}”不正确，请选择 2000 至 2100 年之间的年份")
    return int(text)


def period_words(year: int, today: date | None = None) -> str:
    """2025年全年, or 2026年1月1日至12月1日 for the year under way."""
    today = today or local_today()
    return f"{year}年" + (f"1月1日至{today.month}月{today.day}日" if year == today.year else "全年")


def change(current: int, previous: int, unit: str) -> str:
    """较上年（822 次）增加 21 次（+2.6%）: the change against the previous year."""
    if not previous:
        return "上年无记录" if not current else "上年无记录，无法比较"
    diff = current - previous
    if diff == 0:
        return f"与上年持平（{previous:,} {unit}）"
    word = "增加" if diff > 0 else "减少"
    return f"较上年（{previous:,} {unit}）{word} {abs(diff):,} {unit}（{diff / previous * 100:+.1f}%）"


def town_name(town_id: int | None) -> str | None:
    if not town_id:
        return None
    town = db.session.get(Organization, town_id)
    return town.name if town is not None else None
