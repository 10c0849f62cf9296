"""Working days of China's official calendar (法定节假日 and 调休 make-up days).

`chinese_calendar` knows the State Council's schedule up to its last published year and raises
for later years; the `holidays` package would silently guess without make-up days. So: days the
bureau entered (`CalendarDay`) first, then the package, and for a year neither knows, a clear
refusal asking the admin to enter that year's schedule — never a guess.
"""

from __future__ import annotations

import datetime

import chinese_calendar
from django.utils.translation import gettext as _

from core.exceptions import ServiceError
from core.models import CalendarDay

# The years whose official schedule the installed package carries (2004–2026 in 1.11).
KNOWN_YEARS = (
    min(chinese_calendar.holidays).year,
    max(max(chinese_calendar.holidays), max(chinese_calendar.workdays)).year,
)


class UnknownCalendar(ServiceError):
    code = "unknown_calendar"
    status = 409


def is_workday(day: datetime.date, overrides: dict[datetime.date, bool] | None = None) -> bool:
    if overrides is None:
        overrides = dict(CalendarDay.objects.filter(date=day).values_list("date", "is_workday"))
    if day in overrides:
        return overrides[day]
    if not KNOWN_YEARS[0] <= day.year <= KNOWN_YEARS[1]:
        raise UnknownCalendar(
            _("系统尚无%(year)d年的法定节假日安排，请管理员在“工作日安排”中录入后再试。")
            % {"year": day.year}
        )
    return chinese_calendar.is_workday(day)


def add_working_days(start: datetime.date, n: int) -> datetime.date:
    """The n-th working day after `start` (start itself not counted): a 5-working-day 公示
    starting 2026-09-30 ends on 2026-10-13."""
    if n < 1:
        raise ValueError("n must be at least 1")
    overrides = dict(
        CalendarDay.objects.filter(
            date__gt=start, date__lte=start + datetime.timedelta(days=n * 3 + 30)
        ).values_list("date", "is_workday")
    )
    day, counted = start, 0
    while counted < n:
        day += datetime.timedelta(days=1)
        if is_workday(day, overrides):
            counted += 1
    return day
