from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from core.exceptions import ServiceError
from core.models import User
from core.services.imports import ImportRejected, read_rows
from core.services.jobs import TqdmProgress
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
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"找不到文件：{file}")
        actor = User.objects.filter(username=username).first()
        if actor is None:
            raise CommandError(f"没有用户名为“{username}”的用户。")
        progress = TqdmProgress("导入")
        try:
            rows = read_rows(path.name, path.read_bytes())
            result = import_records(actor, rows, progress)
        except ImportRejected as exc:
            progress.close()
            for error in exc.errors:
                self.stderr.write(error)
            raise CommandError(exc.message) from None
        except ServiceError as exc:
            progress.close()
            raise CommandError(exc.message) from None
        progress.close()
        self.stdout.write(f"已导入 {result['imported']} 条科研失信记录。")
