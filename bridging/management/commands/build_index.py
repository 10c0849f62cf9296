from django.conf import settings
from django.core.management.base import BaseCommand

from bridging.services.index import rebuild
from core.services.jobs import TqdmProgress


class Command(BaseCommand):
    help = "重建供需对接的推荐索引（已发布的成果、需求和专家）；未改动文本的向量会复用。"

    def handle(self, *args, **options):
        progress = TqdmProgress("建立推荐索引")
        try:
            n = rebuild(progress)
        finally:
            progress.close()
        where = (
            "词语存于 PostgreSQL（bridging_lexical_* 表），向量存于索引目录"
            if settings.MATCH_LEXICAL == "postgresql"
            else "词语和向量均存于索引目录"
        )
        self.stdout.write(f"推荐索引已建立，共 {n} 条记录；{where} {settings.INDEX_DIR}。")
