from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from core.exceptions import ServiceError
from core.services.jobs import TqdmProgress
from sharing.services.evaluation import distribution, run_evaluation


class Command(BaseCommand):
    help = (
        "按 sharing/data/evaluation.json 的指标和等级，对大型科研仪器管理单位开展年度开放共享评价，"
        "结果保存为该年度的评价草稿（替换原草稿；已发布的年度不能重新评价）。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, help="评价年度（默认上一年度）")

    def handle(self, *args, year, **options):
        year = year or timezone.localdate().year - 1
        progress = TqdmProgress("开放共享评价")
        try:
            evaluation = run_evaluation(None, year, progress)
        except ServiceError as exc:
            raise CommandError(exc.message) from None
        finally:
            progress.close()
        counts = "，".join(f"{row['label']} {row['count']} 家" for row in distribution(evaluation))
        total = evaluation.grades.count()
        self.stdout.write(
            f"{evaluation.year}年度开放共享评价草稿已生成（编号 {evaluation.pk}）：评价 {total} 家单位"
            + (f"：{counts}。" if total else "。")
        )
