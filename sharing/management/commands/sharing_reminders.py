from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from sharing.services.bookings import send_reminders


class Command(BaseCommand):
    help = (
        "提醒即将开始的仪器预约：对在 KECHUANG_SHARING_REMINDER_HOURS 小时内开始的已确认预约，"
        "通知预约人和仪器所属单位，每个预约只提醒一次（建议每小时运行一次，例如由 cron 调用）。"
    )

    def handle(self, *args, **options):
        count = send_reminders()
        self.stdout.write(
            _("已发送 %(n)d 个预约的提醒（%(h)d 小时内开始的已确认预约）。")
            % {"n": count, "h": settings.SHARING_REMINDER_HOURS}
        )
