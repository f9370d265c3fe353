"""Jinja filters for Chinese official documents, available in every .docx template.

    {{ date|cn_date }}          2026年11月22日        (成文日期 in Arabic numerals, GB/T 9704-2012 7.3.5.1)
    {{ date|cn_date_upper }}    二〇二六年十一月二十二日
    {{ id_number|mask_id }}     3311**********6613
    {{ phone|mask_phone }}      139****1234
    {{ 12|cn_number }}          十二                  (counts written out: 共十二人)
    {{ 1280.5|cn_amount }}      壹仟贰佰捌拾元伍角      (大写金额)
    {{ "云应急"|doc_number(2026, 12) }}   云应急〔2026〕12号  (发文字号: 六角括号, no 第, no leading zeros)
"""

from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from webapp.common.identifiers import mask_id_number, mask_phone

DIGITS = "〇一二三四五六七八九"
UPPER_DIGITS = "零壹贰叁肆伍陆柒捌玖"


def _as_date(value) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        return date.fromisoformat(value.strip())
    raise ValueError(f"不是日期：{value!r}")


def cn_date(value) -> str:
    d = _as_date(value)
    return f"{d.year}年{d.month}月{d.day}日"


def cn_date_upper(value) -> str:
    d = _as_date(value)
    year = "".join(DIGITS[int(c)] for c in str(d.year))
    return f"{year}年{cn_number(d.month)}月{cn_number(d.day)}日"


def cn_number(value) -> str:
    """A whole number 0 … 99,999,999 in Chinese numerals as used in running text (十二, 一百零五)."""
    n = int(value)
    if n < 0:
        return "负" + cn_number(-n)
    if n == 0:
        return "零"
    if n >= 100_000_000:
        raise ValueError(f"数字过大：{n}")
    if n < 100_000_000 and n >= 10_000:
        high, low = divmod(n, 10_000)
        text = _below_10k(high, "一二三四五六七八九", "十百千") + "万"
        if low:
            text += ("零" if low < 1000 else "") + _below_10k(low, "一二三四五六七八九", "十百千")
        return text
    text = _below_10k(n, "一二三四五六七八九", "十百千")
    return text[1:] if text.startswith("一十") else text  # 十二, not 一十二


def _below_10k(n: int, digits: str, units: str) -> str:
    out, zero = [], False
    for power, unit in ((1000, units[2]), (100, units[1]), (10, units[0]), (1, "")):
        digit, n = divmod(n, power)
        if digit:
            if zero and out:
                out.append("零")
            out.append(digits[digit - 1] + unit)
            zero = False
        else:
            zero = True
    return "".join(out)


def cn_amount(value) -> str:
    """An amount of money in capital numerals (大写金额), to the fen: 壹仟贰佰捌拾元伍角."""
    try:
        amount = Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    except InvalidOperation:
        raise ValueError(f"不是金额：{value!r}") from None
    if amount < 0:
        return "负" + cn_amount(-amount)
    yuan, cents = divmod(int(amount * 100), 100)
    jiao, fen = divmod(cents, 10)
    text = ""
    if yuan:
        high, low = divmod(yuan, 10_000)
        if high >= 10_000:
            raise ValueError(f"金额过大：{value}")
        if high:
            text = _below_10k(high, UPPER_DIGITS[1:], "拾佰仟") + "万"
            if low and low < 1000:
                text += "零"
        if low:
            text += _below_10k(low, UPPER_DIGITS[1:], "拾佰仟")
        text += "元"
    if not jiao and not fen:
        return (text or "零元") + "整"
    if jiao:
        text += UPPER_DIGITS[jiao] + "角"
    elif yuan:
        text += "零"
    if fen:
        text += UPPER_DIGITS[fen] + "分"
    return text


def doc_number(prefix: str, year: int, serial: int) -> str:
    """发文字号: 机关代字 + 〔年份〕 + 序号 + 号 (GB/T 9704-2012 7.2.4: no 第, no leading zeros)."""
    return f"{prefix}〔{int(year)}〕{int(serial)}号"


def mask_id(value) -> str:
    return mask_id_number(str(value)) if value else ""


FILTERS = {
    "cn_date": cn_date,
    "cn_date_upper": cn_date_upper,
    "cn_number": cn_number,
    "cn_amount": cn_amount,
    "doc_number": doc_number,
    "mask_id": mask_id,
    "mask_phone": lambda value: mask_phone(str(value)) if value else "",
}
