from django.db import models
from django.utils.translation import gettext_lazy as _


class CalendarDay(models.Model):
    """A day whose working status the bureau sets itself: a year the official calendar package
    does not know yet (the State Council publishes each year's holidays in the autumn before),
    or a local exception. Entries here win over the package."""

    date = models.DateField(_("日期"), unique=True)
    is_workday = models.BooleanField(_("是否工作日"))
    note = models.CharField(_("说明"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("工作日安排")
        verbose_name_plural = _("工作日安排")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {'工作日' if self.is_workday else '休息日'}"
