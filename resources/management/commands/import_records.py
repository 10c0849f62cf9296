from django.core.management.base import BaseCommand

from core.services.imports import import_file_from_command
from resources.registry import KINDS
from resources.services.imports import import_records


class Command(BaseCommand):
    help = "从 Excel/CSV 导入资源记录（与网页导入相同的校验：全部成功或全部不导入）。"

    def add_arguments(self, parser):
        parser.add_argument("file", help=".xlsx 或 UTF-8 编码的 .csv 文件")
        parser.add_argument("--kind", required=True, choices=sorted(KINDS), help="资源类型")
        parser.add_argument("--user", required=True, help="以哪个用户（及其当前单位）的身份导入")
        parser.add_argument("--submit", action="store_true", help="导入后直接提交审核")

    def handle(self, *args, file, kind, user, submit, **options):
        result = import_file_from_command(
            self,
            file,
            user,
            lambda actor, rows, progress: import_records(
                actor, KINDS[kind], rows, submit=submit, progress=progress
            ),
        )
        self.stdout.write(f"已导入 {result['imported']} 条{KINDS[kind].label}。")
