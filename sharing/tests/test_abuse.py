"""Abuse checks: relations between organisations and their groups, each rule at its threshold
and not short of it, re-scans without duplicates, the command and the background job, the
bureau's review on the flags page and through the API."""

import datetime
import io
from contextlib import redirect_stderr
from decimal import Decimal

from django.core.management import CommandError, call_command
from django.db.models import F
from django.utils import timezone

from core.choices import AuditAction
from core.exceptions import InvalidTransition, NotAllowed, ServiceError
from core.factories import OrganisationFactory
from core.models import AuditEntry, Job
from core.services.jobs import execute_job
from sharing.choices import FlagStatus
from sharing.factories import ServiceProviderFactory, VoucherProgramFactory
from sharing.models import AbuseFlag, OrgRelation, Redemption, Voucher, VoucherProgram
from sharing.services import abuse

from .test_redemptions_base import RedemptionTestCase


def noon(days_ago: int) -> datetime.datetime:
    day = timezone.localdate() - datetime.timedelta(days=days_ago)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))


class AbuseTestCase(RedemptionTestCase):
    def make_redemption(self, voucher, amount, when, provider=None, contract=None) -> Redemption:
        """A redemption written directly (hand-made data), with the running totals kept."""
        amount = Decimal(amount)
        n = Redemption.objects.count() + 1
        redemption = Redemption.objects.create(
            voucher=voucher,
            provider=provider or self.provider,
            category="testing",
            contract_number=contract or f"HT-{n:03d}",
            contract_amount=amount * 2,
            signed_on=timezone.localtime(when).date(),
            service_description="检测服务",
            amount=amount,
            redeemed_by=self.broker,
        )
        Redemption.objects.filter(pk=redemption.pk).update(redeemed_at=when)
        Voucher.objects.filter(pk=voucher.pk).update(redeemed=F("redeemed") + amount)
        VoucherProgram.objects.filter(pk=voucher.program_id).update(redeemed=F("redeemed") + amount)
        return redemption

    def fresh_program(self):
        return VoucherProgramFactory(name="2026年长春市科技创新券（第二批）")

    def vouchers(self, n, program, face_value="10000"):
        return [
            self.make_voucher(
                holder=OrganisationFactory(), face_value=face_value, program=program,
                issued_at=noon(20),
            )
            for _ in range(n)
        ]  # fmt: skip

    def found(self, code, program):
        return list(abuse.FINDERS[code](program, abuse.parameters(code)))


class RelationTests(AbuseTestCase):
    def test_the_bureau_records_a_relation_with_the_smaller_id_first(self):
        relation = abuse.record_relation(
            self.city_admin,
            self.enterprise_org.uscc.lower(),
            self.agency.uscc,
            "control",
            "长春技术转移中心持有华锐光电30%股权",
        )
        self.assertLess(relation.first_id, relation.second_id)
        self.assertEqual(
            {relation.first_id, relation.second_id}, {self.enterprise_org.pk, self.agency.pk}
        )
        self.assertTrue(
            AuditEntry.objects.filter(
                action=AuditAction.CREATE, object_id=str(relation.pk)
            ).exists()
        )
        with self.assertRaises(InvalidTransition) as caught:
            abuse.record_relation(
                self.city_admin, self.agency.uscc, self.enterprise_org.uscc, "group"
            )
        self.assertIn("的关联关系已登记（控股或参股）", caught.exception.message)
        self.assertEqual(OrgRelation.objects.count(), 1)

    def test_bad_relations_are_refused_with_the_reason(self):
        cases = [
            ((self.agency.uscc, self.agency.uscc, "group"), "两个不同的单位"),
            ((self.agency.uscc, "91220101MA00000000", "group"), "没有统一社会信用代码为"),
            ((self.agency.uscc, "", "group"), "请填写单位二的统一社会信用代码"),
            ((self.agency.uscc, self.university.uscc, "cousins"), "请选择关联类型"),
        ]
        for args, message in cases:
            with self.assertRaises(ServiceError) as caught:
                abuse.record_relation(self.city_admin, *args)
            self.assertIn(message, caught.exception.message)
        for user in (self.district_admin, self.broker, self.enterprise):
            with self.assertRaises(NotAllowed):
                abuse.record_relation(user, self.agency.uscc, self.university.uscc, "group")
        self.assertFalse(OrgRelation.objects.exists())

    def test_groups_are_connected_over_declared_relations(self):
        a, b, c, d = self.enterprise_org, self.agency, self.university, self.other_enterprise_org
        abuse.record_relation(self.city_admin, a.uscc, b.uscc, "group")
        abuse.record_relation(self.city_admin, b.uscc, c.uscc, "control")
        self.assertEqual(abuse.group_of(a), {a.pk, b.pk, c.pk})
        self.assertEqual(abuse.group_of(c), {a.pk, b.pk, c.pk})
        self.assertEqual(abuse.group_of(d), {d.pk})
        reason = abuse.related(a, c)
        self.assertIn("已登记关联关系：同一集团、控股或参股", reason)
        self.assertIn("经长春技术转移中心", reason)
        self.assertEqual(abuse.related(a, b), "已登记关联关系：同一集团")
        self.assertIsNone(abuse.related(a, d))

    def test_the_same_phone_or_address_is_a_suspected_relation(self):
        a, d = self.enterprise_org, self.other_enterprise_org
        a.contact_phone, d.contact_phone = "0431-8555 1234", "043185551234"
        a.save()
        d.save()
        self.assertEqual(abuse.related(a, d), "疑似关联：联系电话相同")
        a.address = d.address = "长春市高新区硅谷大街 3355 号"
        a.save()
        d.save()
        self.assertEqual(abuse.related(a, d), "疑似关联：联系电话相同、注册地址相同")
        a.contact_phone = d.contact_phone = ""
        a.save()
        d.save()
        self.assertEqual(abuse.related(a, d), "疑似关联：注册地址相同")
        a.address = d.address = ""
        a.save()
        d.save()
        self.assertIsNone(abuse.related(a, d))  # empty values are not a match

    def test_deleting_a_relation_is_audited(self):
        relation = abuse.record_relation(
            self.city_admin, self.agency.uscc, self.university.uscc, "legal_rep"
        )
        with self.assertRaises(NotAllowed):
            abuse.delete_relation(self.broker, relation)
        abuse.delete_relation(self.city_admin, relation)
        self.assertFalse(OrgRelation.objects.exists())
        self.assertTrue(AuditEntry.objects.filter(action=AuditAction.DELETE).exists())


class RuleTests(AbuseTestCase):
    def test_the_rules_are_data(self):
        rules = abuse.rules()
        self.assertEqual(
            list(rules),
            ["same_group", "quick_full_use", "provider_concentration", "burst", "split_contracts"],
        )
        self.assertEqual(abuse.parameters("quick_full_use"), {"days": 3})
        self.assertEqual(
            abuse.parameters("provider_concentration"), {"share": 0.5, "min_vouchers": 5}
        )
        self.assertEqual(abuse.parameters("burst"), {"count": 5})
        self.assertEqual(rules["split_contracts"]["name"], "疑似拆分合同")

    def test_quick_full_use_fires_within_three_days_of_issue_and_not_after(self):
        program = self.fresh_program()
        quick, slow, partial = self.vouchers(3, program)
        self.make_redemption(quick, "4000", noon(19))
        self.make_redemption(quick, "6000", noon(17))  # fully used on the third day
        self.make_redemption(slow, "10000", noon(16))  # the fourth day
        self.make_redemption(partial, "9999.99", noon(20))  # not fully used
        findings = self.found("quick_full_use", program)
        self.assertEqual([f.voucher for f in findings], [quick])
        self.assertEqual(findings[0].details["days"], 3)
        self.assertEqual(findings[0].details["redemptions"], 2)
        self.assertIn("发券后3天内即全部核销", findings[0].message)

    def test_provider_concentration_fires_above_half_with_five_vouchers(self):
        program = self.fresh_program()
        rival = ServiceProviderFactory()
        mine = self.vouchers(5, program)
        for v in mine:
            self.make_redemption(v, "1000", noon(5))
        other = self.vouchers(1, program)[0]
        self.make_redemption(other, "5000", noon(5), provider=rival)
        self.assertEqual(self.found("provider_concentration", program), [])  # exactly 50%
        extra = self.make_redemption(mine[0], "0.01", noon(4))
        findings = self.found("provider_concentration", program)
        self.assertEqual([f.provider for f in findings], [self.provider])
        self.assertEqual(findings[0].details["vouchers"], 5)
        self.assertEqual(findings[0].details["amount"], "5000.01")
        self.assertIn("50.0%", findings[0].message)
        # With four vouchers the same share does not count.
        Redemption.objects.filter(voucher=mine[4]).update(voucher=mine[3], contract_number="X-9")
        self.assertEqual(self.found("provider_concentration", program), [])
        self.assertTrue(extra.pk)

    def test_burst_fires_at_five_vouchers_on_one_day(self):
        program = self.fresh_program()
        vouchers = self.vouchers(5, program)
        for v in vouchers[:4]:
            self.make_redemption(v, "1000", noon(2))
        self.make_redemption(vouchers[4], "1000", noon(1))
        self.make_redemption(vouchers[0], "1000", noon(2))  # a fifth redemption, same voucher
        self.assertEqual(self.found("burst", program), [])
        Redemption.objects.filter(voucher=vouchers[4]).update(redeemed_at=noon(2))
        findings = self.found("burst", program)
        self.assertEqual(len(findings), 1)
        self.assertEqual(findings[0].details["vouchers"], 5)
        self.assertEqual(
            findings[0].details["day"],
            (timezone.localdate() - datetime.timedelta(days=2)).isoformat(),
        )

    def test_split_contracts_fire_at_two_contracts_on_one_day(self):
        program = self.fresh_program()
        voucher, other = self.vouchers(2, program)
        self.make_redemption(voucher, "3000", noon(3), contract="HT-A")
        self.make_redemption(voucher, "3000", noon(2), contract="HT-B")
        self.make_redemption(other, "3000", noon(2), contract="HT-C")
        self.assertEqual(self.found("split_contracts", program), [])
        Redemption.objects.filter(contract_number="HT-A").update(redeemed_at=noon(2))
        findings = self.found("split_contracts", program)
        self.assertEqual([f.voucher for f in findings], [voucher])
        self.assertEqual(findings[0].details["contracts"], ["HT-A", "HT-B"])
        self.assertIn("以2份合同分别核销（HT-A、HT-B）", findings[0].message)


class ScanTests(AbuseTestCase):
    def setUp(self):
        self.program2 = self.fresh_program()
        voucher = self.vouchers(1, self.program2)[0]
        self.make_redemption(voucher, "5000", noon(19), contract="HT-A")
        self.make_redemption(voucher, "5000", noon(19), contract="HT-B")

    def test_a_scan_flags_once_and_a_rescan_adds_nothing(self):
        created = abuse.scan()
        self.assertEqual(created, 2)  # quick_full_use and split_contracts
        self.assertEqual(
            sorted(AbuseFlag.objects.values_list("rule", flat=True)),
            ["quick_full_use", "split_contracts"],
        )
        flag = AbuseFlag.objects.get(rule="quick_full_use")
        self.assertEqual(flag.details["face_value"], "10000.00")
        self.assertEqual(flag.status, FlagStatus.OPEN)
        self.assertEqual(abuse.scan(), 0)
        self.assertEqual(abuse.scan(self.program2), 0)
        self.assertEqual(AbuseFlag.objects.count(), 2)

    def test_a_relation_declared_later_is_found_by_the_scan(self):
        redemption = self.redeem()
        self.assertFalse(AbuseFlag.objects.filter(rule="same_group").exists())
        abuse.record_relation(self.city_admin, self.agency.uscc, self.enterprise_org.uscc, "group")
        self.assertEqual(abuse.scan(self.program), 1)
        flag = AbuseFlag.objects.get(rule="same_group")
        self.assertEqual(flag.redemption, redemption)
        self.assertEqual(abuse.scan(self.program), 0)

    def test_the_command_scans_with_a_progress_bar(self):
        out, err = io.StringIO(), io.StringIO()
        with redirect_stderr(err):  # the bar goes to the terminal's stderr
            call_command("voucher_abuse_scan", "--program", str(self.program2.pk), stdout=out)
        self.assertIn("新发现 2 条异常", out.getvalue())
        self.assertIn("疑似拆分合同: 100%", err.getvalue())
        out = io.StringIO()
        call_command("voucher_abuse_scan", stdout=out, stderr=io.StringIO())
        self.assertIn("新发现 0 条异常；待核查共 2 条", out.getvalue())
        with self.assertRaises(CommandError):
            call_command("voucher_abuse_scan", "--program", "999999", stderr=io.StringIO())

    def test_the_scan_runs_as_a_background_job_with_progress(self):
        self.login(self.city_admin)
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post("/sharing/flags/scan/", {"program": self.program2.pk})
        job = Job.objects.get(kind=abuse.SCAN_JOB)
        self.assertRedirects(response, f"/jobs/{job.pk}/", fetch_redirect_response=False)
        job.refresh_from_db()
        self.assertEqual(job.status, "succeeded")
        self.assertEqual(job.result["created"], 2)
        self.assertEqual(job.done, job.total)
        self.assertIn("新发现 2 条异常", job.message)
        rerun = Job.objects.create(
            kind=abuse.SCAN_JOB, title="再次扫描", params={}, created_by=self.city_admin
        )
        self.assertEqual(execute_job(rerun.pk).result["created"], 0)
        self.login(self.broker)
        self.assertEqual(self.client.post("/sharing/flags/scan/").status_code, 403)


class FlagPageTests(AbuseTestCase):
    def setUp(self):
        program = self.fresh_program()
        voucher = self.vouchers(1, program)[0]
        self.make_redemption(voucher, "5000", noon(19), contract="HT-A")
        self.make_redemption(voucher, "5000", noon(19), contract="HT-B")
        abuse.scan()
        self.reviewed = AbuseFlag.objects.get(rule="split_contracts")
        abuse.review_flag(
            self.city_admin,
            self.reviewed,
            FlagStatus.CLEARED,
            "同日分别签订检测与研发合同，属正常。",
        )
        self.open = AbuseFlag.objects.get(rule="quick_full_use")
        self.url = "/sharing/flags/"

    def test_the_bureau_sees_open_flags_first_with_their_numbers_and_links(self):
        self.login(self.city_admin)
        page = self.client.get(self.url)
        text = page.content.decode()
        self.assertLess(text.index("发券后短期内用完"), text.index("疑似拆分合同"))
        self.assertContains(page, "发券后天数")
        self.assertContains(page, f"/sharing/vouchers/{self.open.voucher_id}/")
        self.assertContains(page, "同日分别签订检测与研发合同，属正常。")
        only = self.client.get(self.url, {"rule": "split_contracts"})
        self.assertNotContains(only, "发券后短期内用完</h2>")
        status = self.client.get(self.url, {"status": "open"})
        self.assertNotContains(status, "属正常")

    def test_a_review_needs_a_conclusion_and_a_note(self):
        self.login(self.city_admin)
        url = f"{self.url}{self.open.pk}/review/"
        prefix = f"f{self.open.pk}"
        bad = self.client.post(url, {f"{prefix}-status": "confirmed", f"{prefix}-note": ""})
        self.assertEqual(bad.status_code, 400)
        self.assertContains(bad, "核查未保存", status_code=400)
        self.assertEqual(AbuseFlag.objects.get(pk=self.open.pk).status, FlagStatus.OPEN)
        ok = self.client.post(
            url,
            {f"{prefix}-status": "confirmed", f"{prefix}-note": "企业与机构串通虚开合同"},
            follow=True,
        )
        self.assertContains(ok, "已核查：确认异常")
        flag = AbuseFlag.objects.get(pk=self.open.pk)
        self.assertEqual((flag.status, flag.reviewed_by), (FlagStatus.CONFIRMED, self.city_admin))
        self.assertTrue(
            AuditEntry.objects.filter(
                action=AuditAction.TRANSITION, object_id=str(flag.pk)
            ).exists()
        )
        with self.assertRaises(InvalidTransition):
            abuse.review_flag(self.city_admin, flag, FlagStatus.CLEARED, "改判")

    def test_the_service_names_what_is_missing(self):
        with self.assertRaises(ServiceError) as caught:
            abuse.review_flag(self.city_admin, self.open, FlagStatus.CLEARED, " ")
        self.assertEqual(caught.exception.message, "请填写核查意见。")
        with self.assertRaises(ServiceError) as caught:
            abuse.review_flag(self.city_admin, self.open, FlagStatus.OPEN, "看过了")
        self.assertIn("请选择核查结论", caught.exception.message)
        with self.assertRaises(NotAllowed):
            abuse.review_flag(self.district_admin, self.open, FlagStatus.CLEARED, "看过了")

    def test_only_the_bureau_opens_the_flags_and_relations_pages(self):
        for user in (self.broker, self.enterprise, self.district_admin, self.leader):
            self.login(user)
            self.assertEqual(self.client.get(self.url).status_code, 403)
            self.assertEqual(self.client.get("/sharing/relations/").status_code, 403)


class RelationPageTests(AbuseTestCase):
    def test_the_bureau_records_checks_and_deletes_relations_on_the_page(self):
        self.login(self.city_admin)
        bad = self.client.post(
            "/sharing/relations/new/",
            {"first": self.agency.uscc, "second": self.agency.uscc, "kind": "group"},
        )
        self.assertContains(bad, "两个不同的单位", status_code=400)
        ok = self.client.post(
            "/sharing/relations/new/",
            {
                "first": self.agency.uscc,
                "second": self.university.uscc,
                "kind": "group",
                "note": "同一集团",
            },
            follow=True,
        )
        self.assertContains(ok, "已登记关联关系")
        abuse.record_relation(
            self.city_admin, self.university.uscc, self.enterprise_org.uscc, "control"
        )
        check = self.client.get(
            "/sharing/relations/", {"a": self.agency.uscc, "b": self.enterprise_org.uscc}
        )
        self.assertContains(check, "已登记关联关系：同一集团、控股或参股（经吉林大学）")
        self.assertContains(check, "所在的关联单位组（3 家）")
        relation = OrgRelation.objects.get(kind="group")
        gone = self.client.post(f"/sharing/relations/{relation.pk}/delete/", follow=True)
        self.assertContains(gone, "已删除关联关系")
        self.assertEqual(OrgRelation.objects.count(), 1)


class AbuseApiTests(AbuseTestCase):
    def test_flags_and_relations_through_the_api(self):
        program = self.fresh_program()
        voucher = self.vouchers(1, program)[0]
        self.make_redemption(voucher, "10000", noon(20))
        abuse.scan()
        flag = AbuseFlag.objects.get()
        self.login(self.broker)
        self.assertEqual(self.client.get("/api/sharing/flags/").status_code, 403)
        self.assertEqual(self.client.get("/api/sharing/relations/").status_code, 403)
        self.login(self.city_admin)
        listed = self.client.get("/api/sharing/flags/", {"status": "open"}).json()
        self.assertEqual(listed["count"], 1)
        self.assertEqual(listed["results"][0]["rule_name"], "发券后短期内用完")
        url = f"/api/sharing/flags/{flag.pk}/review/"
        bad = self.client.post(url, {"status": "cleared"}, "application/json")
        self.assertEqual(bad.status_code, 400)
        self.assertEqual(bad.json()["message"], "请填写核查意见。")
        ok = self.client.post(
            url, {"status": "cleared", "note": "首次检测即完成"}, "application/json"
        )
        self.assertEqual(ok.json()["status"], "cleared")
        self.assertEqual(
            self.client.post(
                url, {"status": "confirmed", "note": "再看"}, "application/json"
            ).status_code,
            409,
        )

        created = self.client.post(
            "/api/sharing/relations/",
            {"first": self.agency.uscc, "second": self.enterprise_org.uscc, "kind": "group"},
            "application/json",
        )
        self.assertEqual(created.status_code, 201, created.json())
        self.assertLess(created.json()["first"], created.json()["second"])
        again = self.client.post(
            "/api/sharing/relations/",
            {"first": self.enterprise_org.uscc, "second": self.agency.uscc, "kind": "control"},
            "application/json",
        )
        self.assertEqual(again.status_code, 409)
        self.assertEqual(self.client.get("/api/sharing/relations/").json()["count"], 1)
        gone = self.client.delete(f"/api/sharing/relations/{created.json()['id']}/")
        self.assertEqual(gone.status_code, 204)
        self.assertFalse(OrgRelation.objects.exists())
