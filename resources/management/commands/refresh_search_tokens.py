from django.core.management.base import BaseCommand
from django.db import transaction

from core.services.jobs import TqdmProgress
from resources.registry import KINDS
from resources.search import tokens_for


class Command(BaseCommand):
    help = "重新计算全部资源记录的检索词（分词规则或分面字段变化后运行）。"

    def handle(self, *args, **options):
        for kind in KINDS.values():
            model = kind.model
            progress = TqdmProgress(str(kind.label))
            progress.start(model.objects.count(), str(kind.label))
            batch = []
            for record in model.objects.order_by("pk").iterator(chunk_size=2000):
                record.search_tokens = tokens_for(record)
                batch.append(record)
                if len(batch) == 2000:
                    self._write(model, batch)
                    progress.advance(len(batch))
                    batch = []
            self._write(model, batch)
            progress.advance(len(batch))
            progress.close()
        self.stdout.write("检索词已全部更新。")

    def _write(self, model, batch):
        with transaction.atomic():
            model.objects.bulk_update(batch, ["search_tokens"])
