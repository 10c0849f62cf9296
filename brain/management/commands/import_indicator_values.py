from django.core.management.base import BaseCommand

from brain.services.imports import import_values, summary
from core.services.imports import import_file_from_command


class Command(BaseCommand):
    help = (
        "从 Excel/CSV 导入科创大脑指标数值（列：指标代码、区域代码、期别、数值、说明；"
        "与网页导入相同的校验：全部成功或全部不导入）。"
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help=".xlsx 或 UTF-8 编码的 .csv 文件")
        parser.add_argument("--as", dest="username", required=True, help="以哪个用户的身份导入")

    def handle(self, *args, file, username, **options):
        result = import_file_from_command(self, file, username, import_values)
        self.stdout.write(summary(result))
