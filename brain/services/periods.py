"""Periods of indicator values: a year "2025", a quarter "2025Q3" or a month "2025-07".

An indicator's frequency fixes which form its periods take; `parse` checks a period against it
and gives its first and last day. Periods of one frequency sort as text.
"""

from __future__ import annotations

import calendar
import datetime
import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

from brain.choices import Frequency

MIN_YEAR, MAX_YEAR = 1990, 2100

_FORMS = {
    Frequency.YEAR: re.compile(r"^(\d{4})$"),
    Frequency.QUARTER: re.compile(r"^(\d{4})Q([1-4])$"),
    Frequency.MONTH: re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$"),
}


class PeriodError(ValueError):
    """A period that does not fit the indicator's frequency; the message says what would."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Period:
    text: str
    frequency: str
    year: int
    start: datetime.date
    end: datetime.date

    def __str__(self) -> str:
        return self.text


def example(frequency: str) -> str:
    return {Frequency.YEAR: "2025", Frequency.QUARTER: "2025Q3", Frequency.MONTH: "2025-07"}[
        frequency
    ]


def format_hint(frequency: str) -> str:
    return {
        Frequency.YEAR: _("年度指标的期别写作四位年份，如 2025"),
        Frequency.QUARTER: _("季度指标的期别写作年份加 Q 和季度，如 2025Q3"),
        Frequency.MONTH: _("月度指标的期别写作年份-两位月份，如 2025-07"),
    }[frequency]


def parse(text: str, frequency: str) -> Period:
    """The period `text` of an indicator of `frequency`, or PeriodError saying the right form."""
    text = (text or "").strip().upper()
    if frequency not in _FORMS:
        raise PeriodError(_("未知的指标频率“%(f)s”。") % {"f": frequency})
    found = _FORMS[frequency].match(text)
    if not found:
        raise PeriodError(
            _("期别“%(p)s”格式不对：%(hint)s。") % {"p": text, "hint": format_hint(frequency)}
        )
    year = int(found.group(1))
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise PeriodError(
            _("期别“%(p)s”的年份应在 %(a)d—%(b)d 之间。")
            % {"p": text, "a": MIN_YEAR, "b": MAX_YEAR}
        )
    if frequency == Frequency.YEAR:
        first, last = 1, 12
    elif frequency == Frequency.QUARTER:
        q = int(found.group(2))
        first, last = 3 * q - 2, 3 * q
    else:
        first = last = int(found.group(2))
    start = datetime.date(year, first, 1)
    end = datetime.date(year, last, calendar.monthrange(year, last)[1])
    return Period(text, frequency, year, start, end)


def containing(day: datetime.date, frequency: str) -> Period:
    """The period of `frequency` that contains `day` (the current period, for today)."""
    if frequency == Frequency.YEAR:
        text = f"{day.year}"
    elif frequency == Frequency.QUARTER:
        text = f"{day.year}Q{(day.month - 1) // 3 + 1}"
    else:
        text = f"{day.year}-{day.month:02d}"
    return parse(text, frequency)


def previous(period: Period, n: int = 1) -> list[Period]:
    """The `n` periods ending with `period`, oldest first."""
    out = [period]
    while len(out) < n:
        first = out[0].start - datetime.timedelta(days=1)
        if first.year < MIN_YEAR:
            break
        out.insert(0, containing(first, period.frequency))
    return out
