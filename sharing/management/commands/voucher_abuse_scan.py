from django.core.management.base import BaseCommand, CommandError

from core.exceptions import ServiceError
from core.services.jobs import TqdmProgress
from sharing.models import AbuseFlag, VoucherProgram
from sharing.services.abuse import scan


class Command(BaseCommand):
    help = "按异常规则（sharing/data/abuse.json）扫描创新券核销情况，新发现的异常列入异常核查；重复扫描不会重复提示。"

    def add_arguments(self, parser):
        parser.add_argument("--program", type=int, help="只扫描该创新券项目（编号），默认全部项目")

    def handle(self, *args, program=None, **options):
        chosen = None
        if program is not None:
            chosen = VoucherProgram.objects.filter(pk=program).first()
            if chosen is None:
                raise CommandError(f"创新券项目不存在：{program}")
        progress = TqdmProgress("异常扫描")
        try:
            created = scan(chosen, progress)
        except ServiceError as exc:
            raise CommandError(exc.message) from None
        finally:
            progress.close()
        scope = chosen.name if chosen else "全部项目"
        open_count = AbuseFlag.objects.filter(status="open").count()
        self.stdout.write(
            f"扫描完成（{scope}）：新发现 {created} 条异常；待核查共 {open_count} 条。"
        )
