from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from brain.services.comparisons import load_comparisons
from core.services.imports import ImportRejected


class Command(BaseCommand):
    help = (
        "加载省、全国对比数据 CSV（表头 province,year,indicator,value,unit），"
        "全部成功或全部不导入；按地区、年份和指标名更新，可重复运行。"
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="UTF-8 编码的 CSV 文件")
        parser.add_argument(
            "--source", default="", help="数据来源说明（默认取文件旁 SOURCE.md 中的 Source）"
        )

    def handle(self, *args, file, source, **options):
        try:
            counts = load_comparisons(file, source)
        except ImportRejected as exc:
            for error in exc.errors:
                self.stderr.write(error)
            raise CommandError(exc.message) from None
        self.stdout.write(
            _("对比数据已加载：新增 %(c)d 条，更新 %(u)d 条，未变 %(s)d 条。")
            % {"c": counts["created"], "u": counts["updated"], "s": counts["unchanged"]}
        )
