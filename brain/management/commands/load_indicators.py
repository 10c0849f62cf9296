from django.core.management.base import BaseCommand, CommandError

from brain.services import catalog
from core.services.imports import ImportRejected


class Command(BaseCommand):
    help = "从 brain/data/indicators.json 加载或更新科创大脑指标目录（按指标代码，可重复运行）。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--file", default=str(catalog.CATALOG_FILE), help="指标目录文件（默认随程序提供的文件）"
        )

    def handle(self, *args, file, **options):
        try:
            counts = catalog.load_catalog(None, file)
        except ImportRejected as exc:
            for error in exc.errors:
                self.stderr.write(error)
            raise CommandError(exc.message) from None
        self.stdout.write(catalog.summary(counts))
