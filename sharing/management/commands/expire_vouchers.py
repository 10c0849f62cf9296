import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from sharing.services.vouchers import expire_vouchers


class Command(BaseCommand):
    help = (
        "创新券到期处理：有效期已过的创新券标记为已过期，未使用的额度退回项目预算，并通知持券企业"
        "（可重复运行，已处理的不会重复退回；建议每天运行一次，例如由 cron 调用）。"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--date",
            help="按哪一天处理（YYYY-MM-DD，默认今天）：有效期早于该日的创新券视为已过期",
        )

    def handle(self, *args, **options):
        today = None
        if options.get("date"):
            try:
                today = datetime.date.fromisoformat(options["date"])
            except ValueError:
                raise CommandError(_("--date 须为日期，如 2026-12-31。")) from None
        count = expire_vouchers(today)
        self.stdout.write(_("已处理 %(n)d 张到期创新券，未使用额度已退回项目预算。") % {"n": count})
