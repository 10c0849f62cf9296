"""Validators shared by forms, the API and the admin, so each says the same thing."""

from __future__ import annotations

import datetime
import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# GB 32100-2015: the code alphabet leaves out I, O, Z, S and V.
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_USCC_VALUE = {ch: i for i, ch in enumerate(USCC_ALPHABET)}


def uscc_check_character(first17: str) -> str:
    """The 18th character of a 统一社会信用代码 whose first 17 characters are given."""
    total = sum(_USCC_VALUE[ch] * w for ch, w in zip(first17, USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def normalise_uscc(value: str) -> str:
    return (value or "").strip().upper()


def validate_uscc(value: str) -> None:
    """Reject a 统一社会信用代码 with a message naming the wrong character or the check."""
    code = normalise_uscc(value)
    if len(code) != 18:
        raise ValidationError(
            _("统一社会信用代码应为18位，当前为%(n)d位。"),
            code="uscc_length",
            params={"n": len(code)},
        )
    for position, ch in enumerate(code, start=1):
        if ch not in _USCC_VALUE:
            raise ValidationError(
                _("统一社会信用代码第%(pos)d位“%(ch)s”不是有效字符（代码不使用 I、O、Z、S、V）。"),
                code="uscc_character",
                params={"pos": position, "ch": ch},
            )
        if 3 <= position <= 8 and not ch.isdigit():
            raise ValidationError(
                _("统一社会信用代码第%(pos)d位“%(ch)s”有误：第3–8位是行政区划代码，只能是数字。"),
                code="uscc_region",
                params={"pos": position, "ch": ch},
            )
    expected = uscc_check_character(code[:17])
    if code[17] != expected:
        raise ValidationError(
            _("统一社会信用代码校验位不符：第18位应为“%(expected)s”，实际为“%(actual)s”。"),
            code="uscc_checksum",
            params={"expected": expected, "actual": code[17]},
        )


# GB 11643-1999: ISO 7064 MOD 11-2 over the first 17 digits; a remainder of 10 is written X.
ID_NUMBER_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


def id_number_check_character(first17: str) -> str:
    """The 18th character of a 公民身份号码 whose first 17 digits are given."""
    total = sum(int(d) * w for d, w in zip(first17, ID_NUMBER_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11]


def normalise_id_number(value: str) -> str:
    return (value or "").strip().upper()


def validate_id_number(value: str) -> None:
    """Reject a 公民身份号码 with a message naming the wrong part: length, digits, birth date or
    check character."""
    number = normalise_id_number(value)
    if len(number) != 18:
        raise ValidationError(
            _("公民身份号码应为18位，当前为%(n)d位。"),
            code="id_number_length",
            params={"n": len(number)},
        )
    for position, ch in enumerate(number[:17], start=1):
        if not ch.isdigit():
            raise ValidationError(
                _("公民身份号码第%(pos)d位“%(ch)s”有误：前17位只能是数字。"),
                code="id_number_character",
                params={"pos": position, "ch": ch},
            )
    try:
        datetime.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise ValidationError(
            _("公民身份号码第7–14位是出生日期，“%(birth)s”不是有效日期。"),
            code="id_number_birth_date",
            params={"birth": number[6:14]},
        ) from None
    expected = id_number_check_character(number[:17])
    if number[17] != expected:
        raise ValidationError(
            _("公民身份号码校验位不符：第18位应为“%(expected)s”，实际为“%(actual)s”。"),
            code="id_number_checksum",
            params={"expected": expected, "actual": number[17]},
        )


class CharacterClassPasswordValidator:
    """Passwords mix letters and digits: the bureau's baseline for government systems."""

    def validate(self, password: str, user=None) -> None:
        if not (re.search(r"[A-Za-z]", password) and re.search(r"\d", password)):
            raise ValidationError(_("密码必须同时包含字母和数字。"), code="password_classes")

    def get_help_text(self) -> str:
        return _("密码必须同时包含字母和数字。")
