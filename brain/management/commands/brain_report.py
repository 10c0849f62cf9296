from django.core.management.base import BaseCommand, CommandError

from brain.models import Report
from brain.services import reports
from core.exceptions import ServiceError
from core.services.jobs import TqdmProgress


class Command(BaseCommand):
    help = "生成科创大脑月度或季度通报（PDF 与 Excel，生成后固定）；--due 补齐上一个已结束月度和季度的通报。"

    def add_arguments(self, parser):
        parser.add_argument("--kind", choices=[k for k, _label in Report.Kind.choices])
        parser.add_argument("--period", help="期别：月度 2026-10，季度 2026Q3")
        parser.add_argument("--as", dest="username", help="记为生成人的用户名")
        parser.add_argument(
            "--due",
            action="store_true",
            help="生成上一个已结束月度和季度尚未生成的通报（供定时任务）",
        )

    def handle(self, *args, kind, period, username, due, **options):
        if not due and not (kind and period):
            raise CommandError("请给出 --kind 与 --period，或使用 --due。")
        progress = TqdmProgress("生成通报")
        try:
            actor = reports.actor_for(username)
            if due:
                made = reports.due(actor, progress)
            else:
                made = [reports.generate_now(kind, period, actor, progress)]
        except ServiceError as exc:
            raise CommandError(exc.message) from None
        finally:
            progress.close()
        if not made:
            self.stdout.write("上一个已结束的月度和季度通报均已生成，无需补齐。")
        for r in made:
            self.stdout.write(
                f"已生成：{r.title}（第 {r.version} 版，数据版本 {r.data_tag}）{r.pdf.name}"
            )
