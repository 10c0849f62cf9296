from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from core.services.backup import BackupError, read_backup, restore


class Command(BaseCommand):
    help = (
        "用备份目录替换数据库、上传文件与推荐索引，并核对恢复结果与备份清单一致。"
        "恢复前请停止网站进程和任务进程。"
    )

    def add_arguments(self, parser):
        parser.add_argument("folder", help="`kechuang backup --out` 写出的备份目录")
        parser.add_argument(
            "--no-input",
            "--noinput",
            action="store_false",
            dest="interactive",
            help="不询问确认",
        )

    def handle(self, *args, folder: str, interactive: bool, **options):
        try:
            manifest = read_backup(Path(folder))
        except BackupError as exc:
            raise CommandError(exc.message) from None
        if interactive:
            answer = input(
                f"将用 {manifest['created']} 的备份替换当前数据库、上传文件和推荐索引，"
                "现有数据会被覆盖。输入 yes 继续："
            )
            if answer.strip().lower() != "yes":
                raise CommandError("已取消，没有恢复任何内容。")
        try:
            summary = restore(Path(folder))
        except BackupError as exc:
            raise CommandError(exc.message) from None
        index = (
            "无推荐索引"
            if summary.index_generation is None
            else f"推荐索引已发布为第 {summary.index_generation} 代"
        )
        self.stdout.write(
            f"已恢复并核对一致：{summary.tables} 张表共 {summary.rows} 行，"
            f"上传文件 {summary.media_files} 个，{index}。"
        )
