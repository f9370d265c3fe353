"""What the modules' figures share (drills, outreach, training, and the dashboard over them): the
period asked for (a year, or dates from … to), the period's words in a report sentence, the change
against the same period a year earlier (同比), and a town's name."""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from webapp.common.time import local_today
from webapp.errors import UserError
from webapp.extensions import db
from webapp.registry.models import Organization


@dataclass(frozen=True)
class Period:
    """A span of days, both ends counted. A year is Period.of_year(2026)."""

    first: date
    last: date

    @classmethod
    def of_year(cls, year: int) -> "Period":
        return cls(date(year, 1, 1), date(year, 12, 31))

    @property
    def whole_year(self) -> int | None:
        """The year, when the period is exactly one calendar year."""
        if (self.first.month, self.first.day, self.last.month, self.last.day) == (1, 1, 12, 31) \
                and self.first.year == self.last.year:
            return self.first.year
        return None

    @property
    def label(self) -> str:
        if self.whole_year:
            return f"{self.whole_year}年"
        return f"{self.first.isoformat()} 至 {self.last.isoformat()}"

    def months(self) -> list[tuple[int, int]]:
        months, (year, month) = [], (self.first.year, self.first.month)
        while (year, month) <= (self.last.year, self.last.month):
            months.append((year, month))
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        return months

    def previous(self) -> "Period":
        """The same days a year earlier, for 同比 (29 February becomes the 28th)."""
        return Period(_year_earlier(self.first), _year_earlier(self.last))

    @property
    def against(self) -> str:
        """What the previous period is called in a comparison: 上年, or 上年同期 for a span of days."""
        return "上年" if self.whole_year else "上年同期"

    def words(self, today: date | None = None) -> str:
        """The period in a report sentence: 2025年全年, 2026年1月1日至12月1日 (a year under way),
        or 2026年3月1日至2026年6月30日."""
        if self.whole_year:
            return period_words(self.whole_year, today)
        return f"{_day_words(self.first)}至{_day_words(self.last)}"


def _year_earlier(day: date) -> date:
    return day.replace(year=day.year - 1) if (day.month, day.day) != (2, 29) else date(day.year - 1, 2, 28)


def _day_words(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def as_period(when: "int | Period") -> Period:
    """The modules' figures take a year (their pages) or a Period (the dashboard)."""
    return Period.of_year(when) if isinstance(when, int) else when


def _date(text: str, what: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise UserError(f"{what}“{text}”不是日期，请写成 2026-01-31") from None


def period_from(args: Mapping[str, str], today: date | None = None) -> Period:
    """?from=&to= (dates) or ?year= (default this year); a Chinese message for anything wrong."""
    first, last = (args.get("from") or "").strip(), (args.get("to") or "").strip()
    if first or last:
        if not (first and last):
            raise UserError("请同时填写开始日期和结束日期")
        period = Period(_date(first, "开始日期"), _date(last, "结束日期"))
        if period.last < period.first:
            raise UserError("结束日期不能早于开始日期")
        if (period.last - period.first).days > 366 * 10:
            raise UserError("统计期间不能超过 10 年")
        if period.first.year < 2000 or period.last.year > 2100:
            raise UserError("统计期间应在 2000 年至 2100 年之间")
        return period
    return Period.of_year(year_from(args, today))


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


def change(current: int, previous: int, unit: str, against: str = "上年") -> str:
    """较上年（822 次）增加 21 次（+2.6%）: the change against the previous year (against="上年同期"
    for a span of days compared with the same days a year earlier)."""
    if not previous:
        return f"{against}无记录" if not current else f"{against}无记录，无法比较"
    diff = current - previous
    if diff == 0:
        return f"与{against}持平（{previous:,} {unit}）"
    word = "增加" if diff > 0 else "减少"
    return f"较{against}（{previous:,} {unit}）{word} {abs(diff):,} {unit}（{diff / previous * 100:+.1f}%）"


def town_name(town_id: int | None) -> str | None:
    if not town_id:
        return None
    town = db.session.get(Organization, town_id)
    return town.name if town is not None else None
