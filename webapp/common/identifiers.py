"""Chinese identifiers: 居民身份证号, 统一社会信用代码, phone numbers.

Each validator returns the normalized value or raises ValueError with a Chinese message that says
what is wrong, so forms and spreadsheet imports show the same words.
"""

import re
from dataclasses import dataclass
from datetime import date

# GB 11643-1999 §6: ISO 7064 MOD 11-2 over the first 17 digits.
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_ID_PATTERN = re.compile(r"^[1-9]\d{16}[\dX]$")

# GB 32100-2015 §4: 31 characters (no I, O, Z, S, V), MOD 31 with these weights.
_USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)

_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_LANDLINE = re.compile(r"^0\d{2,3}-?\d{7,8}(-\d{1,6})?$")


@dataclass(frozen=True)
class IdInfo:
    number: str
    birth_date: date
    sex: str  # "男" / "女"


def id_check_char(first17: str) -> str:
    total = sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11]


def parse_id_number(raw: str, today: date | None = None) -> IdInfo:
    """Validate an 18-character 居民身份证号 and derive birth date and sex from it."""
    number = (raw or "").strip().upper().replace(" ", "")
    if not number:
        raise ValueError("身份证号不能为空")
    if len(number) != 18:
        raise ValueError(f"身份证号应为 18 位，这里是 {len(number)} 位")
    if not _ID_PATTERN.match(number):
        raise ValueError("身份证号前 17 位应为数字，最后一位为数字或 X")
    try:
        birth = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise ValueError(f"身份证号中的出生日期 {number[6:14]} 不是有效日期") from None
    if birth.year < 1900 or birth > (today or date.today()):
        raise ValueError(f"身份证号中的出生日期 {birth:%Y-%m-%d} 不合理")
    expected = id_check_char(number[:17])
    if number[17] != expected:
        raise ValueError("身份证号校验位不正确，请核对号码是否抄错")
    sex = "男" if int(number[16]) % 2 == 1 else "女"
    return IdInfo(number=number, birth_date=birth, sex=sex)


def credit_code_check_char(first17: str) -> str:
    total = sum(_USCC_CHARS.index(c) * w for c, w in zip(first17, _USCC_WEIGHTS, strict=True))
    return _USCC_CHARS[(31 - total % 31) % 31]


def normalize_credit_code(raw: str) -> str:
    """Validate a 统一社会信用代码 (GB 32100-2015) including its check character."""
    code = (raw or "").strip().upper().replace(" ", "")
    if len(code) != 18:
        raise ValueError(f"统一社会信用代码应为 18 位，这里是 {len(code)} 位")
    bad = sorted({c for c in code if c not in _USCC_CHARS})
    if bad:
        raise ValueError(f"统一社会信用代码含有不允许的字符：{''.join(bad)}（不使用 I、O、Z、S、V）")
    if code[17] != credit_code_check_char(code[:17]):
        raise ValueError("统一社会信用代码校验位不正确，请核对代码是否抄错")
    return code


def normalize_phone(raw: str) -> str:
    """A mainland mobile number (11 digits) or a landline with area code (0571-88888888)."""
    phone = re.sub(r"[\s()()]", "", (raw or "").strip()).removeprefix("+86")
    if _MOBILE.match(phone) or _LANDLINE.match(phone):
        return phone
    raise ValueError("电话号码格式不正确：手机号为 11 位数字，固定电话请带区号，如 0571-88888888")


def mask_id_number(number: str | None) -> str:
    """3301**********1234: enough to tell people apart on a list, not enough to misuse."""
    if not number:
        return ""
    if len(number) < 8:
        return "*" * len(number)
    return number[:4] + "*" * (len(number) - 8) + number[-4:]


def mask_name(name: str) -> str:
    """张建国 → 张*国, 李强 → 李*, 欧阳明月 → 欧**月: enough to recognize, not to collect."""
    if len(name) <= 1:
        return name
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def mask_phone(phone: str | None) -> str:
    if not phone:
        return ""
    if len(phone) == 11 and phone.isdigit():
        return phone[:3] + "****" + phone[-4:]
    return phone[:-4] + "****" if len(phone) > 4 else "****"
