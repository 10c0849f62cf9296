from django.core.management.base import BaseCommand

from core.services.jobs import recover_interrupted_jobs


class Command(BaseCommand):
    help = (
        "处理任务进程意外退出后仍显示“进行中”的后台任务：可重复执行的重新排队，其余标记为失败。"
        "任务进程重启后或由 cron 定时运行。"
    )

    def handle(self, *args, **options):
        settled = recover_interrupted_jobs()
        self.stdout.write(f"已处理中断的任务 {len(settled)} 个：{settled}")
