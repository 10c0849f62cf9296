import datetime
import json

from django.core.management.base import BaseCommand, CommandError

from core.exceptions import ServiceError
from core.services.jobs import TqdmProgress
from cultivation.choices import TIER_RULESET
from cultivation.services.pools import scan


class Command(BaseCommand):
    help = "按培育库的评价规则批量评价全部企业：列出符合条件未入库的企业和不再符合条件的在库企业（不做任何修改）。"

    def add_arguments(self, parser):
        parser.add_argument("--tier", required=True, choices=[str(t) for t in TIER_RULESET])
        parser.add_argument("--on", help="评价基准日 YYYY-MM-DD（默认今天）")
        parser.add_argument("--json", action="store_true", help="以 JSON 输出全部结果")

    def handle(self, *args, tier, on, **options):
        try:
            day = datetime.date.fromisoformat(on) if on else datetime.date.today()
        except ValueError:
            raise CommandError(f"日期格式应为 YYYY-MM-DD：{on}") from None
        progress = TqdmProgress("批量评价")
        try:
            result = scan(tier, day, progress)
        except ServiceError as exc:
            raise CommandError(exc.message) from None
        finally:
            progress.close()
        if options["json"]:
            self.stdout.write(_dumps(result))
            return
        self.stdout.write(
            f"评价 {result['assessed']} 家企业（{result['ruleset']} {result['version']}，"
            f"{result['on']}）：在库 {result['members']} 家；符合条件未入库 "
            f"{len(result['candidates'])} 家；待专家评审 {len(result['needs_review'])} 家；"
            f"不再符合条件的在库企业 {len(result['failing_members'])} 家；"
            f"数据不全无法判断的在库企业 {len(result['incomplete_members'])} 家。"
        )
        for row in result["failing_members"]:
            self.stdout.write(f"  不再符合：{row['name']}")
        for row in result["incomplete_members"]:
            self.stdout.write(f"  数据不全：{row['name']}")


def _dumps(value) -> str:
    return json.dumps(value, ensure_ascii=False, indent=1)
