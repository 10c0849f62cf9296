"""先用后补 services: hand-checked amounts, every refusal, decisions, the payment list."""

from __future__ import annotations

import datetime
from decimal import Decimal
from unittest import mock

from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from core.exceptions import InvalidTransition, NotAllowed, NotFound, ServiceError
from core.models import AuditEntry, Notification
from integrity.factories import IntegrityRecordFactory
from integrity.services import IntegrityRestricted
from sharing.choices import ClaimStatus, UsageStatus
from sharing.factories import SubsidyPolicyFactory
from sharing.models import SubsidyClaim, SubsidyClaimLine, SubsidyPolicy
from sharing.services import subsidies

from .test_subsidies_base import SubsidyTestCase


class QuoteArithmeticTests(SubsidyTestCase):
    def test_rate_times_fees_rounded_half_up_to_the_fen(self):
        # 100.10 × 25% = 25.025 → 25.03 (half up; half-even would give 25.02).
        quote = subsidies.compute_quote(
            [Decimal("100.10")], Decimal("0.25"), Decimal("200000"), Decimal(0), Decimal(0)
        )
        self.assertEqual(quote.computed, Decimal("25.03"))
        self.assertEqual(quote.amount, Decimal("25.03"))
        self.assertFalse(quote.capped)

    def test_the_working_shows_every_number(self):
        # 1,200.00 + 800.50 = 2,000.50; × 30% = 600.15; cap 200,000 − (10,000 + 5,000) = 185,000.
        quote = subsidies.compute_quote(
            [Decimal("1200"), Decimal("800.50")],
            Decimal("0.3"),
            Decimal("200000"),
            Decimal("10000"),
            Decimal("5000"),
        )
        self.assertEqual(quote.amount, Decimal("600.15"))
        self.assertEqual(
            quote.working[0],
            "所选 2 条使用记录的服务收费合计 2,000.50 元 × 补贴比例 30% = 600.15 元。",
        )
        self.assertEqual(
            quote.working[1],
            "本年度单位补贴上限 200,000.00 元；已批准 10,000.00 元，待审核 5,000.00 元，"
            "合计 15,000.00 元，尚可申请 185,000.00 元。",
        )
        self.assertIn("未超过尚可申请额度，本次申请补贴 600.15 元", quote.working[2])


class ClaimAmountTests(SubsidyTestCase):
    def test_a_claim_is_thirty_percent_of_the_selected_confirmed_fees(self):
        a = self.usage(self.enterprise, "1200")
        b = self.usage(self.enterprise, "800.50")
        claim = subsidies.submit_claim(self.enterprise, self.year)
        # (1,200.00 + 800.50) × 30% = 600.15
        self.assertEqual(claim.fee_total, Decimal("2000.50"))
        self.assertEqual(claim.computed, Decimal("600.15"))
        self.assertEqual(claim.amount, Decimal("600.15"))
        self.assertEqual(claim.status, ClaimStatus.SUBMITTED)
        self.assertEqual(claim.organisation, self.enterprise_org)
        self.assertEqual(
            sorted(claim.lines.values_list("usage_id", flat=True)), sorted([a.pk, b.pk])
        )
        self.assertTrue(all(line.active for line in claim.lines.all()))
        self.assertIn("2,000.50 元 × 补贴比例 30% = 600.15 元", claim.working[0])
        entry = AuditEntry.objects.get(content_type__model="subsidyclaim", object_id=str(claim.pk))
        self.assertEqual(entry.actor, self.enterprise)
        self.assertIn("申请补贴 600.15 元", entry.note)

    def test_only_the_chosen_records_are_claimed(self):
        a = self.usage(self.enterprise, "1000")
        b = self.usage(self.enterprise, "3000")
        claim = subsidies.submit_claim(self.enterprise, self.year, [b.pk])
        self.assertEqual(claim.amount, Decimal("900.00"))  # 3,000 × 30%
        self.assertEqual(list(subsidies.claimable_records(self.enterprise_org, self.year)), [a])

    def test_zero_fee_unconfirmed_other_year_and_other_organisation_records_are_not_claimable(
        self,
    ):
        paid = self.usage(self.enterprise, "1500")
        self.usage(self.enterprise, "0")  # free service
        self.usage(self.enterprise, "2000", status=UsageStatus.RECORDED)  # not confirmed
        self.usage(self.enterprise, "2000", status=UsageStatus.DISPUTED)
        self.usage(self.enterprise, "2000", year=self.year - 1)  # last year's slot
        self.usage(self.other_enterprise, "9000")  # another organisation's
        self.assertEqual(list(subsidies.claimable_records(self.enterprise_org, self.year)), [paid])
        claim = subsidies.submit_claim(self.enterprise, self.year)
        self.assertEqual(claim.fee_total, Decimal("1500.00"))
        self.assertEqual(claim.amount, Decimal("450.00"))

    def test_the_cap_cuts_a_claim_and_the_working_says_so(self):
        self.usage(self.enterprise, "700000")
        claim = subsidies.submit_claim(self.enterprise, self.year)
        # 700,000 × 30% = 210,000 > cap 200,000 → 200,000
        self.assertEqual(claim.computed, Decimal("210000.00"))
        self.assertEqual(claim.amount, Decimal("200000.00"))
        self.assertIn("受单位上限限制，本次申请补贴 200,000.00 元", claim.working[2])

    def test_a_pending_claim_counts_against_the_cap(self):
        self.usage(self.enterprise, "500000")
        first = subsidies.submit_claim(self.enterprise, self.year)
        self.assertEqual(first.amount, Decimal("150000.00"))  # 500,000 × 30%
        self.usage(self.enterprise, "300000")
        second = subsidies.submit_claim(self.enterprise, self.year)
        # 300,000 × 30% = 90,000; 200,000 − 150,000 pending = 50,000 left → 50,000
        self.assertEqual(second.computed, Decimal("90000.00"))
        self.assertEqual(second.amount, Decimal("50000.00"))
        self.assertIn("待审核 150,000.00 元", second.working[1])

    def test_an_approved_amount_counts_against_the_cap_not_the_claimed_one(self):
        self.usage(self.enterprise, "500000")
        first = subsidies.submit_claim(self.enterprise, self.year)
        subsidies.approve_claim(self.city_admin, first, "120000", "部分收费凭证不全")
        self.usage(self.enterprise, "400000")
        second = subsidies.submit_claim(self.enterprise, self.year)
        # 400,000 × 30% = 120,000; 200,000 − 120,000 approved = 80,000 → 80,000
        self.assertEqual(second.amount, Decimal("80000.00"))
        self.assertIn("已批准 120,000.00 元", second.working[1])

    def test_a_refused_claim_does_not_count_and_its_records_may_be_claimed_again(self):
        record = self.usage(self.enterprise, "10000")
        first = subsidies.submit_claim(self.enterprise, self.year)
        subsidies.refuse_claim(self.city_admin, first, "收费凭证与使用记录不符")
        self.assertFalse(first.lines.get().active)
        self.assertEqual(
            list(subsidies.claimable_records(self.enterprise_org, self.year)), [record]
        )
        again = subsidies.submit_claim(self.enterprise, self.year)
        self.assertEqual(again.amount, Decimal("3000.00"))
        self.assertIn("已批准 0.00 元，待审核 0.00 元", again.working[1])
        self.assertEqual(SubsidyClaimLine.objects.filter(usage=record).count(), 2)


class ClaimRefusalTests(SubsidyTestCase):
    def test_at_the_cap_a_claim_is_refused(self):
        self.usage(self.enterprise, "700000")
        full = subsidies.submit_claim(self.enterprise, self.year)
        subsidies.approve_claim(self.city_admin, full)
        self.usage(self.enterprise, "1000")
        with self.assertRaisesMessage(InvalidTransition, "本年度补贴已达单位上限（200,000.00元）"):
            subsidies.submit_claim(self.enterprise, self.year)
        self.assertEqual(SubsidyClaim.objects.count(), 1)

    def test_no_policy_for_the_year(self):
        self.usage(self.enterprise, "1000", year=self.year - 3)
        with self.assertRaisesMessage(
            InvalidTransition, f"{self.year - 3}年度先用后补政策尚未发布，暂不能申请"
        ):
            subsidies.submit_claim(self.enterprise, self.year - 3)

    def test_outside_the_claims_window(self):
        self.usage(self.enterprise, "1000")
        later = timezone.localdate() + datetime.timedelta(days=10)
        SubsidyPolicy.objects.filter(pk=self.policy.pk).update(claims_from=later)
        with self.assertRaisesMessage(InvalidTransition, "当前不在受理期内"):
            subsidies.submit_claim(self.enterprise, self.year)
        self.assertFalse(SubsidyClaim.objects.exists())

    def test_an_organisation_with_an_integrity_record_is_refused(self):
        self.usage(self.enterprise, "1000")
        IntegrityRecordFactory(
            organisation=self.enterprise_org,
            restricted_from=timezone.localdate() - datetime.timedelta(days=30),
            restricted_until=timezone.localdate() + datetime.timedelta(days=300),
        )
        with self.assertRaisesMessage(
            IntegrityRestricted, "长春华锐光电科技有限公司存在科研失信记录"
        ):
            subsidies.submit_claim(self.enterprise, self.year)
        self.assertFalse(SubsidyClaim.objects.exists())

    def test_nothing_to_claim(self):
        self.usage(self.enterprise, "0")
        with self.assertRaisesMessage(InvalidTransition, "没有可申请补贴的使用记录"):
            subsidies.submit_claim(self.enterprise, self.year)

    def test_nothing_chosen(self):
        self.usage(self.enterprise, "1000")
        with self.assertRaisesMessage(ServiceError, "请至少选择一条使用记录"):
            subsidies.submit_claim(self.enterprise, self.year, [])

    def test_another_organisations_record_cannot_be_chosen(self):
        mine = self.usage(self.enterprise, "1000")
        theirs = self.usage(self.other_enterprise, "1000")
        with self.assertRaisesMessage(ServiceError, "所选使用记录中有 1 条不能申请"):
            subsidies.submit_claim(self.enterprise, self.year, [mine.pk, theirs.pk])
        self.assertFalse(SubsidyClaim.objects.exists())

    def test_a_record_in_a_live_claim_cannot_be_claimed_again(self):
        record = self.usage(self.enterprise, "1000")
        subsidies.submit_claim(self.enterprise, self.year)
        with self.assertRaisesMessage(InvalidTransition, "所选使用记录已在其他申请中"):
            subsidies.submit_claim(self.enterprise, self.year, [record.pk])
        self.assertEqual(SubsidyClaim.objects.count(), 1)

    def test_the_database_refuses_a_record_in_two_live_claims(self):
        # Were the check bypassed (two claims at once), the unique constraint refuses.
        record = self.usage(self.enterprise, "1000")
        subsidies.submit_claim(self.enterprise, self.year)
        with (
            mock.patch.object(subsidies, "_select", return_value=[record]),
            self.assertRaisesMessage(InvalidTransition, "所选使用记录已在其他申请中"),
        ):
            subsidies.submit_claim(self.enterprise, self.year)
        self.assertEqual(SubsidyClaim.objects.count(), 1)

    def test_who_may_claim(self):
        self.usage(self.enterprise, "1000")
        for user in (self.district_admin, self.city_admin, self.leader, self.expert, self.public):
            with self.assertRaises(NotAllowed, msg=user.username):
                subsidies.submit_claim(user, self.year)
        with self.assertRaisesMessage(NotAllowed, "请先登录"):
            subsidies.submit_claim(AnonymousUser(), self.year)
        # The institute (the host) and the broker may claim for their own organisations' use.
        self.usage(self.broker, "2000")
        claim = subsidies.submit_claim(self.broker, self.year)
        self.assertEqual(claim.organisation, self.agency)
        self.assertEqual(claim.amount, Decimal("600.00"))

    def test_using_ones_own_instrument_is_not_claimable(self):
        self.usage(self.institute, "5000")  # 吉林大学 on its own microscope
        self.assertFalse(subsidies.claimable_records(self.university, self.year).exists())


class DecisionTests(SubsidyTestCase):
    def setUp(self):
        self.usage(self.enterprise, "10000")
        self.claim = subsidies.submit_claim(self.enterprise, self.year)  # 3,000.00

    def test_approving_the_claimed_amount_updates_the_budget_and_tells_the_organisation(self):
        decided = subsidies.approve_claim(self.city_admin, self.claim)
        self.assertEqual(decided.status, ClaimStatus.APPROVED)
        self.assertEqual(decided.approved_amount, Decimal("3000.00"))
        self.assertEqual(decided.decided_by, self.city_admin)
        self.policy.refresh_from_db()
        self.assertEqual(self.policy.approved_total, Decimal("3000.00"))
        note = Notification.objects.get(user=self.enterprise)
        self.assertIn("批准补贴 3,000.00 元", note.title)
        self.assertEqual(note.url, f"/sharing/subsidies/claims/{self.claim.pk}/")
        self.assertFalse(Notification.objects.filter(user=self.other_enterprise).exists())
        entry = AuditEntry.objects.get(
            content_type__model="subsidyclaim", object_id=str(self.claim.pk), action="transition"
        )
        self.assertEqual(entry.changes["status"], ["待审核", "已批准"])

    def test_a_reduced_amount_needs_a_reason(self):
        with self.assertRaisesMessage(
            ServiceError, "核减补贴金额（申请 3,000.00 元，批准 2,000.00 元）须填写理由"
        ):
            subsidies.approve_claim(self.city_admin, self.claim, "2000")
        self.claim.refresh_from_db()
        self.assertEqual(self.claim.status, ClaimStatus.SUBMITTED)
        decided = subsidies.approve_claim(
            self.city_admin, self.claim, "2000", "一项收费不属于检测服务"
        )
        self.assertEqual(decided.approved_amount, Decimal("2000.00"))
        self.assertEqual(decided.reason, "一项收费不属于检测服务")
        self.assertIn("申请 3,000.00 元，核定 2,000.00 元", Notification.objects.get().title)

    def test_the_amount_cannot_be_raised_or_be_nonsense(self):
        with self.assertRaisesMessage(ServiceError, "不能高于申请金额（3,000.00元）"):
            subsidies.approve_claim(self.city_admin, self.claim, "3000.01")
        for bad, message in (("0", "须大于0元"), ("abc", "须为金额"), ("10.001", "两位小数")):
            with self.assertRaisesMessage(ServiceError, message):
                subsidies.approve_claim(self.city_admin, self.claim, bad, "理由")
        self.policy.refresh_from_db()
        self.assertEqual(self.policy.approved_total, Decimal("0"))

    def test_the_budget_is_never_exceeded(self):
        SubsidyPolicy.objects.filter(pk=self.policy.pk).update(
            budget=Decimal("202000"), approved_total=Decimal("200000")
        )
        with self.assertRaisesMessage(InvalidTransition, "年度补贴预算余额不足：剩余 2,000.00 元"):
            subsidies.approve_claim(self.city_admin, self.claim)
        self.claim.refresh_from_db()
        self.assertEqual(self.claim.status, ClaimStatus.SUBMITTED)
        # 2,000 fits
        subsidies.approve_claim(self.city_admin, self.claim, "2000", "年度预算余额不足，按余额核定")
        self.policy.refresh_from_db()
        self.assertEqual(self.policy.approved_total, Decimal("202000.00"))

    def test_the_check_constraint_backs_the_budget_with_the_same_message(self):
        SubsidyPolicy.objects.filter(pk=self.policy.pk).update(
            budget=Decimal("201000"), approved_total=Decimal("200000")
        )
        stale = SubsidyPolicy.objects.get(pk=self.policy.pk)
        stale.budget = Decimal("9999999")  # what a racing reader might have believed
        with (
            mock.patch.object(subsidies.SubsidyPolicy.objects, "select_for_update") as locked,
            self.assertRaisesMessage(InvalidTransition, "年度补贴预算余额不足：剩余 1,000.00 元"),
        ):
            locked.return_value.get.return_value = stale
            subsidies.approve_claim(self.city_admin, self.claim)
        self.assertEqual(
            SubsidyPolicy.objects.get(pk=self.policy.pk).approved_total, Decimal("200000")
        )

    def test_the_cap_is_checked_again_on_approval(self):
        other = SubsidyClaim.objects.create(
            policy=self.policy,
            organisation=self.enterprise_org,
            fee_total=Decimal("700000"),
            computed=Decimal("210000"),
            amount=Decimal("199000"),
            status=ClaimStatus.APPROVED,
            approved_amount=Decimal("199000"),
            submitted_by=self.enterprise,
        )
        self.assertTrue(other.pk)
        with self.assertRaisesMessage(InvalidTransition, "超过单位上限（200,000.00元）"):
            subsidies.approve_claim(self.city_admin, self.claim)

    def test_a_decided_claim_cannot_be_decided_again(self):
        subsidies.approve_claim(self.city_admin, self.claim)
        with self.assertRaisesMessage(InvalidTransition, "该申请已处理（已批准）"):
            subsidies.approve_claim(self.city_admin, self.claim)
        with self.assertRaisesMessage(InvalidTransition, "该申请已处理（已批准）"):
            subsidies.refuse_claim(self.city_admin, self.claim, "重复")
        self.policy.refresh_from_db()
        self.assertEqual(self.policy.approved_total, Decimal("3000.00"))

    def test_refusal_needs_a_reason_and_tells_the_organisation(self):
        with self.assertRaisesMessage(ServiceError, "请填写不予批准的理由"):
            subsidies.refuse_claim(self.city_admin, self.claim, "  ")
        decided = subsidies.refuse_claim(self.city_admin, self.claim, "收费凭证不全")
        self.assertEqual(decided.status, ClaimStatus.REFUSED)
        self.assertEqual(Notification.objects.get().title, "先用后补申请未获批准：收费凭证不全")
        self.policy.refresh_from_db()
        self.assertEqual(self.policy.approved_total, Decimal("0"))

    def test_only_the_bureau_decides(self):
        for user in (self.district_admin, self.leader, self.enterprise, self.institute):
            with self.assertRaisesMessage(NotAllowed, "只有市科技局可以审核先用后补申请"):
                subsidies.approve_claim(user, self.claim)
            with self.assertRaisesMessage(NotAllowed, "只有市科技局可以审核先用后补申请"):
                subsidies.refuse_claim(user, self.claim, "不行")
        self.claim.refresh_from_db()
        self.assertEqual(self.claim.status, ClaimStatus.SUBMITTED)


class VisibilityTests(SubsidyTestCase):
    def test_the_claimant_organisation_and_the_bureau_see_a_claim_others_do_not(self):
        self.usage(self.enterprise, "1000")
        claim = subsidies.submit_claim(self.enterprise, self.year)
        self.assertEqual(subsidies.get_claim_for(self.enterprise, claim.pk), claim)
        self.assertEqual(subsidies.get_claim_for(self.city_admin, claim.pk), claim)
        for user in (self.other_enterprise, self.institute, self.district_admin, self.public):
            with self.assertRaisesMessage(NotAllowed, "只有申请单位和市科技局可以查看该申请"):
                subsidies.get_claim_for(user, claim.pk)
        with self.assertRaises(NotFound):
            subsidies.get_claim_for(self.city_admin, claim.pk + 100)
        self.assertEqual(list(subsidies.claims_for(self.other_enterprise)), [])
        self.assertEqual(list(subsidies.claims_for(self.city_admin)), [claim])
        self.assertEqual(list(subsidies.claims_for(self.district_admin)), [])


class PolicyTests(SubsidyTestCase):
    def values(self, **changes):
        values = {
            "year": self.year + 1,
            "rate": "0.4",
            "cap_per_user": "100000",
            "budget": "3000000",
            "claims_from": datetime.date(self.year + 1, 1, 1),
            "claims_until": datetime.date(self.year + 2, 3, 31),
            "note": "长春市大型科研仪器开放共享补贴办法",
        }
        values.update(changes)
        return values

    def test_the_bureau_sets_a_policy_and_it_is_audited(self):
        policy = subsidies.save_policy(self.city_admin, **self.values())
        self.assertEqual(policy.rate, Decimal("0.400"))
        self.assertEqual(policy.created_by, self.city_admin)
        entry = AuditEntry.objects.get(
            content_type__model="subsidypolicy", object_id=str(policy.pk)
        )
        self.assertEqual(entry.action, "create")
        changed = subsidies.save_policy(self.city_admin, **self.values(budget="3500000"))
        self.assertEqual(changed.pk, policy.pk)
        update = AuditEntry.objects.get(
            content_type__model="subsidypolicy", object_id=str(policy.pk), action="update"
        )
        self.assertEqual(update.changes["budget"], ["3000000.00", "3500000.00"])

    def test_bad_terms_are_refused_and_change_nothing(self):
        cases = [
            ({"rate": "1.2"}, "补贴比例须大于0且不超过100%"),
            ({"rate": "0"}, "补贴比例须大于0且不超过100%"),
            ({"rate": "0.3333"}, "补贴比例最多精确到0.1%"),
            ({"cap_per_user": "-1"}, "单位年度补贴上限须大于0元"),
            ({"budget": ""}, "请填写年度补贴总额"),
            ({"claims_until": datetime.date(self.year, 12, 1)}, "受理截止日期"),
            ({"year": 1999}, "年度须在2000至2100之间"),
        ]
        for change, message in cases:
            with self.assertRaisesMessage(ServiceError, message, msg=str(change)):
                subsidies.save_policy(self.city_admin, **self.values(**change))
        self.assertFalse(SubsidyPolicy.objects.filter(year=self.year + 1).exists())

    def test_once_claimed_rate_and_cap_stay_and_the_budget_stays_above_approvals(self):
        self.usage(self.enterprise, "10000")
        claim = subsidies.submit_claim(self.enterprise, self.year)
        subsidies.approve_claim(self.city_admin, claim)  # 3,000 approved
        current = {
            "year": self.year,
            "rate": "0.3",
            "cap_per_user": "200000",
            "budget": "5000000",
            "claims_from": self.policy.claims_from,
            "claims_until": self.policy.claims_until,
        }
        for change in ({"rate": "0.35"}, {"cap_per_user": "150000"}):
            with self.assertRaisesMessage(
                InvalidTransition, "已有申请，不能修改补贴比例和单位上限"
            ):
                subsidies.save_policy(self.city_admin, **{**current, **change})
        with self.assertRaisesMessage(InvalidTransition, "不能低于已批准金额（3,000.00元）"):
            subsidies.save_policy(self.city_admin, **{**current, "budget": "2999.99"})
        raised = subsidies.save_policy(self.city_admin, **{**current, "budget": "6000000"})
        self.assertEqual(raised.budget, Decimal("6000000.00"))
        lowered = subsidies.save_policy(self.city_admin, **{**current, "budget": "200000"})
        self.assertEqual(lowered.budget, Decimal("200000.00"))
        self.assertEqual(lowered.rate, Decimal("0.300"))

    def test_only_the_bureau_sets_policies(self):
        for user in (self.enterprise, self.district_admin, self.leader):
            with self.assertRaisesMessage(NotAllowed, "只有市科技局可以设置先用后补政策"):
                subsidies.save_policy(user, **self.values())
        self.assertFalse(SubsidyPolicy.objects.filter(year=self.year + 1).exists())


class PaymentListTests(SubsidyTestCase):
    def test_approved_claims_of_the_year_with_a_total_row(self):
        self.usage(self.enterprise, "10000")
        self.usage(self.enterprise, "2000")
        first = subsidies.submit_claim(self.enterprise, self.year)  # 12,000 → 3,600
        subsidies.approve_claim(self.city_admin, first, "3000", "核减")
        self.usage(self.broker, "5000")
        second = subsidies.submit_claim(self.broker, self.year)  # 1,500
        subsidies.approve_claim(self.city_admin, second)
        self.usage(self.other_enterprise, "1000")
        subsidies.submit_claim(self.other_enterprise, self.year)  # pending: not on the list
        rows = subsidies.payment_rows(self.city_admin, self.year)
        self.assertEqual(len(rows), 3)
        self.assertEqual(rows[0][:2], [1, "长春华锐光电科技有限公司"])
        self.assertEqual(rows[0][2], self.enterprise_org.uscc)
        self.assertEqual(rows[0][3], f"XYHB{self.year}-{first.pk:05d}")
        self.assertEqual(rows[0][4:7], [2, Decimal("12000.00"), Decimal("3000.00")])
        self.assertEqual(rows[1][1], "长春技术转移中心")
        self.assertEqual(rows[2][0], "合计")
        self.assertEqual(rows[2][4:7], [3, Decimal("17000.00"), Decimal("4500.00")])
        with self.assertRaisesMessage(NotAllowed, "只有市科技局可以导出补贴拨付清单"):
            subsidies.payment_rows(self.district_admin, self.year)

    def test_an_older_policy_year_is_its_own_list(self):
        SubsidyPolicyFactory(year=self.year - 1)
        rows = subsidies.payment_rows(self.city_admin, self.year - 1)
        self.assertEqual(rows, [["合计", "", "", "", 0, Decimal("0.00"), Decimal("0.00"), ""]])
