from django.core.management.base import BaseCommand

from core.services.imports import import_file_from_command
from cultivation.services.imports import import_figures


class Command(BaseCommand):
    help = "从 Excel/CSV 导入企业年度数据（与网页导入相同的校验：全部成功或全部不导入）。"

    def add_arguments(self, parser):
        parser.add_argument("file", help=".xlsx 或 UTF-8 编码的 .csv 文件")
        parser.add_argument("--as", dest="username", required=True, help="以哪个用户的身份导入")

    def handle(self, *args, file, username, **options):
        result = import_file_from_command(self, file, username, import_figures)
        self.stdout.write(
            f"已导入 {result['imported']} 行：新增 {result['created']} 个年度，"
            f"更新 {result['updated']} 个年度。"
        )
