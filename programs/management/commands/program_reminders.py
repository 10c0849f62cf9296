from django.core.management.base import BaseCommand

from programs.services.execution import send_reminders


class Command(BaseCommand):
    help = "提醒项目承担单位一周内到期和已逾期的进展报告（每天运行一次，例如由 cron 调用）。"

    def handle(self, *args, **options):
        n = send_reminders()
        self.stdout.write(f"已提醒 {n} 份进展报告。")
