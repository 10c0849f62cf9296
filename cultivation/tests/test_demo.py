from io import StringIO

from django.core.management import call_command
from django.test import TestCase

from core.models import User
from cultivation.choices import Tier
from cultivation.models import EnterpriseYear, PoolMembership, SpotCheck, SubsidyScheme
from cultivation.services import assessment, spotchecks


class CultivationDemoTests(TestCase):
    def run_demo(self) -> str:
        out = StringIO()
        call_command("demo", "--seed", "3", "--quiet-logins", stdout=out, stderr=StringIO())
        return out.getvalue()

    def test_demo_fills_pools_a_draw_and_a_subsidy_and_runs_once(self):
        self.assertIn("检查人员 12 条", self.run_demo())
        self.assertTrue(PoolMembership.objects.filter(tier=Tier.SME_TECH).exists())
        check = SpotCheck.objects.get()
        self.assertTrue(spotchecks.reproduces(check))
        self.assertTrue(SubsidyScheme.objects.get().lines.filter(amount__gt=0).exists())
        # The demo enterprise qualifies as 科技型中小企业 and is shown how far it is from 高企.
        user = User.objects.get(username="demo_enterprise")
        org = user.current_membership.organisation
        from django.utils import timezone

        a = assessment.assess_enterprise(user, org, "hte", timezone.localdate())
        self.assertIs(a.eligible, False)
        self.assertIn("研发费用占销售收入比例", a.result["gaps"][0])
        years = EnterpriseYear.objects.count()
        self.assertNotIn("检查人员", self.run_demo())
        self.assertEqual(EnterpriseYear.objects.count(), years)
