from django.core.management.base import BaseCommand

from bridging.services.matches import due_reminders


class Command(BaseCommand):
    help = "提醒技术经纪人今天到期或已逾期的对接下一步（每天运行一次，例如由 cron 调用）。"

    def handle(self, *args, **options):
        n = due_reminders()
        self.stdout.write(f"已发送 {n} 条提醒。")
