from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from transfer.services.listings import NEGOTIATION_GRACE_DAYS, close_ended_listings


class Command(BaseCommand):
    help = (
        "结束已截止的挂牌：公开竞价按最高出价成交（通知竞得单位并生成合同草稿），无人出价的流拍；"
        "协议转让挂牌期满若干天仍未录入成交结果的流拍（建议每小时运行一次，例如由 cron 调用）。"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--negotiation-grace-days",
            type=int,
            default=NEGOTIATION_GRACE_DAYS,
            help="协议转让挂牌期满后保留多少天供录入成交结果（默认 30）",
        )

    def handle(self, *args, **options):
        grace = options["negotiation_grace_days"]
        if grace < 0:
            raise CommandError(_("--negotiation-grace-days 不能为负数。"))
        counts = close_ended_listings(grace_days=grace)
        sold, unsold = counts.get("sold", 0), counts.get("unsold", 0)
        self.stdout.write(
            _("已结束 %(n)d 个挂牌：成交 %(sold)d 个，流拍 %(unsold)d 个。")
            % {"n": sold + unsold, "sold": sold, "unsold": unsold}
        )
