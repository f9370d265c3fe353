from datetime import date

import pytest

from webapp.common.identifiers import (
    mask_id_number,
    mask_phone,
    normalize_credit_code,
    normalize_phone,
    parse_id_number,
)


def test_a_valid_id_number_gives_birth_date_and_sex():
    info = parse_id_number("11010519491231002X")  # the example number of GB 11643-1999
    assert info.birth_date == date(1949, 12, 31)
    assert info.sex == "女"
    assert parse_id_number(" 110101199003074514 ").sex == "男"


@pytest.mark.parametrize(
    ("number", "message"),
    [
        ("", "不能为空"),
        ("11010519491231002", "应为 18 位"),
        ("11010519491231002Y", "前 17 位应为数字"),
        ("110105194912310021", "校验位不正确"),
        ("110105194913310023", "不是有效日期"),
        ("110105189912310026", "不合理"),
    ],
)
def test_bad_id_numbers_are_refused_with_the_reason(number, message):
    with pytest.raises(ValueError, match=message):
        parse_id_number(number)


def test_lowercase_x_is_accepted():
    assert parse_id_number("11010519491231002x").number == "11010519491231002X"


def test_credit_code_check_character():
    # 91350100M000100Y43 is the worked example of GB 32100-2015.
    assert normalize_credit_code("91350100m000100y43") == "91350100M000100Y43"
    with pytest.raises(ValueError, match="校验位不正确"):
        normalize_credit_code("91350100M000100Y44")
    with pytest.raises(ValueError, match="不允许的字符：I"):
        normalize_credit_code("91350100I000100Y43")
    with pytest.raises(ValueError, match="应为 18 位"):
        normalize_credit_code("9135")


def test_phone_numbers():
    assert normalize_phone("138 0013 8000") == "13800138000"
    assert normalize_phone("+8613800138000") == "13800138000"
    assert normalize_phone("0571-88880000") == "0571-88880000"
    for bad in ("12800138000", "1380013800", "88880000", "abc"):
        with pytest.raises(ValueError, match="电话号码格式不正确"):
            normalize_phone(bad)


def test_masks_hide_the_middle():
    assert mask_id_number("330102199001011234") == "3301**********1234"
    assert mask_phone("13800138000") == "138****8000"
    assert mask_id_number(None) == ""
