from django.core.management.base import BaseCommand

from core.services.imports import import_file_from_command
from integrity.services.imports import import_records


class Command(BaseCommand):
    help = "从 Excel/CSV 导入科研失信记录（与网页导入相同的校验：全部成功或全部不导入）。"

    def add_arguments(self, parser):
        parser.add_argument("file", help=".xlsx 或 UTF-8 编码的 .csv 文件")
        parser.add_argument(
            "--as",
            dest="username",
            required=True,
            help="以哪个用户（须为市科技局管理员）的身份导入",
        )

    def handle(self, *args, file, username, **options):
        result = import_file_from_command(self, file, username, import_records)
        self.stdout.write(f"已导入 {result['imported']} 条科研失信记录。")
