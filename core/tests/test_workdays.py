import datetime

from django.test import TestCase

from core.models import CalendarDay
from core.services.workdays import UnknownCalendar, add_working_days, is_workday


class WorkdayTests(TestCase):
    def test_a_publicity_over_national_day_counts_the_make_up_saturday(self):
        # 10-01…10-07 are holidays in 2026; Saturday 10-10 is a make-up working day.
        self.assertTrue(is_workday(datetime.date(2026, 10, 10)))
        self.assertEqual(
            add_working_days(datetime.date(2026, 9, 30), 5), datetime.date(2026, 10, 13)
        )

    def test_an_ordinary_week_skips_the_weekend(self):
        self.assertEqual(
            add_working_days(datetime.date(2026, 11, 26), 5), datetime.date(2026, 12, 3)
        )

    def test_a_year_without_an_official_schedule_is_refused_until_the_bureau_enters_it(self):
        with self.assertRaisesMessage(UnknownCalendar, "系统尚无2027年的法定节假日安排"):
            add_working_days(datetime.date(2026, 12, 28), 5)
        for day in range(1, 8):
            date = datetime.date(2027, 1, day)
            CalendarDay.objects.create(date=date, is_workday=date.weekday() < 5 and day != 1)
        self.assertEqual(
            add_working_days(datetime.date(2026, 12, 28), 5), datetime.date(2027, 1, 5)
        )
