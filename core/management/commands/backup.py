from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from core.services.backup import BackupError, backup


class Command(BaseCommand):
    help = "备份数据库、上传文件与推荐索引到一个新目录，附带校验和清单（backup.json）。"

    def add_arguments(self, parser):
        parser.add_argument("--out", required=True, help="备份目录（须不存在或为空）")

    def handle(self, *args, out: str, **options):
        try:
            summary = backup(Path(out))
        except BackupError as exc:
            raise CommandError(exc.message) from None
        index = (
            "无推荐索引"
            if summary.index_generation is None
            else f"推荐索引第 {summary.index_generation} 代"
        )
        self.stdout.write(
            f"已备份到 {summary.folder}：{summary.tables} 张表共 {summary.rows} 行，"
            f"上传文件 {summary.media_files} 个，{index}。"
        )
