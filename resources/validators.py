"""中国专利申请号 (CNIPA application numbers), with their check digit.

Since 2003: 12 digits — year (4), type (1: 1 发明, 2 实用新型, 3 外观设计, 8 PCT 发明进入国家阶段,
9 PCT 实用新型), serial (7) — then '.' and a check digit. Before 2003: 8 digits — year (2), type
(1), serial (5) — then '.' and a check digit. The check digit is Σ digit × weight mod 11, weights
2,3,4,5,6,7,8,9 repeating; 10 is written X.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

_WEIGHTS = (2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5)
_TYPES_NEW = {"1": "invention", "2": "utility", "3": "design", "8": "invention", "9": "utility"}
_TYPES_OLD = {"1": "invention", "2": "utility", "3": "design"}
_SHAPE = re.compile(r"^(?:CN|ZL)?\s*(\d{8}|\d{12})\.?([0-9X])$")


def patent_check_digit(digits: str) -> str:
    total = sum(int(d) * w for d, w in zip(digits, _WEIGHTS, strict=False))
    remainder = total % 11
    return "X" if remainder == 10 else str(remainder)


def normalise_patent_number(value: str) -> str:
    return re.sub(r"\s+", "", (value or "").upper())


def patent_type_of(number: str) -> str:
    """The patent type ('invention', 'utility', 'design') that a valid number encodes."""
    digits = _SHAPE.match(normalise_patent_number(number)).group(1)
    return (_TYPES_NEW if len(digits) == 12 else _TYPES_OLD)[digits[4 if len(digits) == 12 else 2]]


def validate_patent_number(value: str) -> None:
    """Reject a malformed Chinese patent application number with a precise message."""
    number = normalise_patent_number(value)
    match = _SHAPE.match(number)
    if not match:
        raise ValidationError(
            _(
                "专利申请号“%(value)s”格式有误：应为12位数字（2003年起）或8位数字（2003年前），加“.”和1位校验位，如 200310102344.5。"
            ),
            code="patent_shape",
            params={"value": value},
        )
    digits, check = match.groups()
    types = _TYPES_NEW if len(digits) == 12 else _TYPES_OLD
    type_digit = digits[4] if len(digits) == 12 else digits[2]
    if type_digit not in types:
        raise ValidationError(
            _(
                "专利申请号第%(pos)d位是专利类型，“%(digit)s”不是有效类型（1 发明、2 实用新型、3 外观设计、8/9 PCT）。"
            ),
            code="patent_type",
            params={"pos": 5 if len(digits) == 12 else 3, "digit": type_digit},
        )
    if len(digits) == 12 and not 1985 <= int(digits[:4]) <= 2100:
        raise ValidationError(
            _("专利申请号前4位是申请年份，“%(year)s”不是有效年份。"),
            code="patent_year",
            params={"year": digits[:4]},
        )
    expected = patent_check_digit(digits)
    if check != expected:
        raise ValidationError(
            _("专利申请号校验位不符：“.”后应为“%(expected)s”，实际为“%(actual)s”。"),
            code="patent_checksum",
            params={"expected": expected, "actual": check},
        )


def format_patent_number(value: str) -> str:
    """The canonical written form: digits, '.', check digit (no CN/ZL prefix)."""
    match = _SHAPE.match(normalise_patent_number(value))
    return f"{match.group(1)}.{match.group(2)}"
