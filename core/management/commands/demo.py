from django.core.management.base import BaseCommand, CommandError

from core.demo import DEMO_LOGINS, SCALES, generate
from core.factories import DEMO_PASSWORD
from core.services.jobs import TqdmProgress


class Command(BaseCommand):
    help = "生成示例数据（可重复运行：相同种子不会重复生成，也不会删除已有数据）。"

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=1, help="随机种子，决定生成的内容")
        parser.add_argument("--scale", default="small", help=f"规模：{'、'.join(SCALES)}")
        parser.add_argument("--quiet-logins", action="store_true", help="不打印示例账号")

    def handle(self, *args, seed: int, scale: str, quiet_logins: bool, **options):
        if scale not in SCALES:
            raise CommandError(f"未知的规模“{scale}”，可选：{'、'.join(SCALES)}。")
        progress = TqdmProgress("生成示例数据")
        try:
            result = generate(seed, scale, progress)
        finally:
            progress.close()
        self.stdout.write(f"示例数据新增：{result.summary()}。")
        if not quiet_logins:
            self.stdout.write(f"示例账号（密码均为 {DEMO_PASSWORD}）：")
            for username, display, role, _org, _region, _admin in DEMO_LOGINS:
                self.stdout.write(f"  {role.label:<10} {username:<16} {display}")
