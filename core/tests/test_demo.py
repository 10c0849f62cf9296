from io import StringIO

from django.core.management import call_command
from django.test import TestCase

from core.models import Organisation, User
from core.validators import validate_uscc


class DemoDataTests(TestCase):
    def run_demo(self, *args):
        out = StringIO()
        call_command(
            "demo", "--seed", "3", "--scale", "small", *args, stdout=out, stderr=StringIO()
        )
        return out.getvalue()

    def test_demo_is_idempotent_and_prints_the_logins(self):
        first = self.run_demo()
        orgs, users = Organisation.objects.count(), User.objects.count()
        self.assertIn("demo_city", first)
        self.assertIn("市科技局管理员", first)
        second = self.run_demo()
        self.assertIn("单位 0 条", second)
        self.assertNotRegex(second, r"[1-9]\d* 条")
        self.assertEqual((Organisation.objects.count(), User.objects.count()), (orgs, users))

    def test_demo_records_are_flagged_and_have_valid_codes(self):
        self.run_demo("--quiet-logins")
        self.assertFalse(Organisation.objects.filter(is_demo=False).exists())
        for uscc in Organisation.objects.values_list("uscc", flat=True)[:200]:
            validate_uscc(uscc)
        self.assertTrue(Organisation.objects.filter(name="吉林大学").exists())

    def test_every_role_has_a_demo_login(self):
        self.run_demo("--quiet-logins")
        roles = {u.role for u in User.objects.filter(username__startswith="demo_")}
        self.assertEqual(
            roles,
            {
                "public",
                "enterprise",
                "institute",
                "expert",
                "broker",
                "district_admin",
                "city_admin",
                "leader",
            },
        )

    def test_same_seed_gives_the_same_organisations(self):
        from core.demo import build_organisations

        a = [o.name for o, _ in build_organisations(11, "small")]
        b = [o.name for o, _ in build_organisations(11, "small")]
        c = [o.name for o, _ in build_organisations(12, "small")]
        self.assertEqual(a, b)
        self.assertNotEqual(a, c)

    def test_unknown_scale_is_refused(self):
        from django.core.management.base import CommandError

        with self.assertRaisesMessage(CommandError, "未知的规模“huge”"):
            call_command("demo", "--scale", "huge", stdout=StringIO())
