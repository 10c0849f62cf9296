"""兑付: a provider claims its unsettled redemptions of one program, the bureau approves (the
claim goes on the payment list) or refuses with a reason (the redemptions may be claimed again);
the payment list downloads with a total row."""

import csv
import io
from decimal import Decimal
from unittest.mock import patch

from openpyxl import load_workbook

from core.exceptions import InvalidTransition, NotAllowed, ServiceError
from core.models import AuditEntry, Notification
from sharing.choices import ClaimStatus
from sharing.factories import ServiceProviderFactory, VoucherProgramFactory
from sharing.models import Redemption, SettlementClaim, SettlementLine
from sharing.services import settlement

from .test_redemptions_base import RedemptionTestCase


class SettlementTestCase(RedemptionTestCase):
    def setUp(self):
        self.first = self.redeem(amount="10000")
        self.second = self.redeem(contract_number="JC-2026-002", amount="8000.50")


class ClaimTests(SettlementTestCase):
    def test_a_claim_takes_every_unsettled_redemption_of_the_program_by_default(self):
        claim = settlement.claim_settlement(self.broker, self.program)
        self.assertEqual(claim.total, Decimal("18000.50"))
        self.assertEqual(claim.status, ClaimStatus.SUBMITTED)
        self.assertEqual(
            set(claim.lines.filter(active=True).values_list("redemption_id", flat=True)),
            {self.first.pk, self.second.pk},
        )
        self.assertEqual(settlement.claim_number(claim), f"DF{self.program.year}-{claim.pk:05d}")
        self.assertFalse(settlement.unsettled(self.provider).exists())
        self.assertTrue(AuditEntry.objects.filter(object_id=str(claim.pk)).exists())
        with self.assertRaises(InvalidTransition) as caught:
            settlement.claim_settlement(self.broker, self.program)
        self.assertIn("没有待申请兑付的核销记录", caught.exception.message)

    def test_a_claim_for_chosen_redemptions(self):
        claim = settlement.claim_settlement(self.broker, self.program, [self.second.pk])
        self.assertEqual(claim.total, Decimal("8000.50"))
        self.assertEqual(list(settlement.unsettled(self.provider)), [self.first])
        totals = settlement.unsettled_by_program(self.provider)
        self.assertEqual(totals[0]["total"], Decimal("10000"))
        self.assertEqual(totals[0]["count"], 1)

    def test_a_redemption_on_another_claim_is_refused_and_nothing_is_written(self):
        settlement.claim_settlement(self.broker, self.program, [self.first.pk])
        with self.assertRaises(InvalidTransition) as caught:
            settlement.claim_settlement(self.broker, self.program, [self.first.pk, self.second.pk])
        self.assertEqual(caught.exception.message, "所选核销记录已在其他兑付申请中。")
        self.assertEqual(SettlementClaim.objects.count(), 1)
        self.assertEqual(SettlementLine.objects.count(), 1)

    def test_the_database_keeps_a_redemption_on_one_active_line(self):
        claim = settlement.claim_settlement(self.broker, self.program, [self.first.pk])
        # As if a second claim had read the unsettled redemptions before the first was written.
        stale = Redemption.objects.filter(pk=self.first.pk)
        with patch.object(settlement, "unsettled", lambda provider, program=None: stale):
            with self.assertRaises(InvalidTransition) as caught:
                settlement.claim_settlement(self.broker, self.program)
        self.assertEqual(caught.exception.message, "所选核销记录已在其他兑付申请中。")
        self.assertEqual(list(SettlementClaim.objects.all()), [claim])

    def test_redemptions_of_another_provider_or_program_cannot_be_claimed(self):
        other_program = VoucherProgramFactory()
        other_voucher = self.make_voucher(program=other_program)
        elsewhere = self.redeem(voucher=other_voucher, contract_number="Q-1", amount="1000")
        with self.assertRaises(ServiceError) as caught:
            settlement.claim_settlement(self.broker, self.program, [self.first.pk, elsewhere.pk])
        self.assertIn("不全是本单位在", caught.exception.message)
        self.assertFalse(SettlementClaim.objects.exists())

    def test_only_the_providers_members_claim(self):
        ServiceProviderFactory(organisation=self.university)
        for user in (self.enterprise, self.city_admin, self.district_admin):
            with self.assertRaises(NotAllowed):
                settlement.claim_settlement(user, self.program)
        # Another provider has nothing of its own to claim.
        with self.assertRaises(InvalidTransition):
            settlement.claim_settlement(self.institute, self.program)
        self.assertFalse(SettlementClaim.objects.exists())


class DecisionTests(SettlementTestCase):
    def setUp(self):
        super().setUp()
        self.claim = settlement.claim_settlement(self.broker, self.program)

    def test_the_bureau_approves_and_the_provider_is_told(self):
        approved = settlement.approve_claim(self.city_admin, self.claim)
        self.assertEqual(approved.status, ClaimStatus.APPROVED)
        self.assertEqual(approved.decided_by, self.city_admin)
        note = Notification.objects.get(user=self.broker, title__contains="已批准")
        self.assertIn("18,000.50元", note.title)
        with self.assertRaises(InvalidTransition) as caught:
            settlement.refuse_claim(self.city_admin, self.claim, "重复")
        self.assertIn("该兑付申请已处理（已批准）", caught.exception.message)

    def test_a_refusal_needs_a_reason_and_frees_the_redemptions(self):
        with self.assertRaises(ServiceError) as caught:
            settlement.refuse_claim(self.city_admin, self.claim, "  ")
        self.assertEqual(caught.exception.message, "请填写不予兑付的理由。")
        self.assertEqual(SettlementClaim.objects.get().status, ClaimStatus.SUBMITTED)
        refused = settlement.refuse_claim(self.city_admin, self.claim, "合同金额与发票不符")
        self.assertEqual(refused.status, ClaimStatus.REFUSED)
        self.assertFalse(SettlementLine.objects.filter(active=True).exists())
        self.assertIn(
            "合同金额与发票不符",
            Notification.objects.get(user=self.broker, title__contains="未获批准").title,
        )
        again = settlement.claim_settlement(self.broker, self.program)
        self.assertEqual(again.total, Decimal("18000.50"))

    def test_only_the_bureau_decides(self):
        for user in (self.broker, self.enterprise, self.district_admin, self.leader):
            with self.assertRaises(NotAllowed):
                settlement.approve_claim(user, self.claim)
            with self.assertRaises(NotAllowed):
                settlement.refuse_claim(user, self.claim, "理由")
        self.assertEqual(SettlementClaim.objects.get().status, ClaimStatus.SUBMITTED)


class PaymentListTests(SettlementTestCase):
    def test_approved_claims_with_a_total_row(self):
        other = ServiceProviderFactory(organisation=self.university, categories=["testing"])
        voucher = self.make_voucher(holder=self.other_enterprise_org, face_value="10000")
        self.redeem(user=self.institute, voucher=voucher, contract_number="JL-1", amount="4000")
        mine = settlement.claim_settlement(self.broker, self.program)
        theirs = settlement.claim_settlement(self.institute, self.program)
        settlement.approve_claim(self.city_admin, mine)
        settlement.approve_claim(self.city_admin, theirs)
        pending = self.redeem(contract_number="JC-2026-003", amount="1000")
        settlement.claim_settlement(self.broker, self.program, [pending.pk])  # not approved
        rows, total = settlement.payment_rows(self.program)
        self.assertEqual(
            [r[:6] for r in rows],
            [
                (1, "长春技术转移中心", self.agency.uscc, settlement.claim_number(mine), 2,
                 Decimal("18000.50")),
                (2, "吉林大学", self.university.uscc, settlement.claim_number(theirs), 1,
                 Decimal("4000")),
            ],
        )  # fmt: skip
        self.assertEqual(total[0], "合计")
        self.assertEqual(total[4:6], (3, Decimal("22000.50")))
        self.assertTrue(other.pk)

        self.login(self.city_admin)
        url = f"/sharing/settlements/payments/?program={self.program.pk}"
        page = self.client.get(url)
        self.assertContains(page, "22,000.50")
        self.assertContains(page, settlement.claim_number(theirs))
        book = load_workbook(io.BytesIO(self.client.get(url + "&export=xlsx").content))
        sheet = list(book.active.values)
        self.assertEqual(
            sheet[0],
            (
                "序号",
                "服务机构",
                "统一社会信用代码",
                "兑付申请编号",
                "核销笔数",
                "兑付金额（元）",
                "审核时间",
            ),
        )
        self.assertEqual(sheet[1][1], "长春技术转移中心")
        self.assertEqual(sheet[-1][0], "合计")
        self.assertEqual(sheet[-1][5], Decimal("22000.50"))
        self.assertEqual(len(sheet), 4)
        response = self.client.get(url + "&export=csv")
        text = b"".join(response.streaming_content).decode("utf-8-sig")
        lines = list(csv.reader(io.StringIO(text)))
        self.assertEqual(lines[-1][0], "合计")
        self.assertEqual(lines[-1][5], "22000.50")

    def test_only_the_bureau_reads_the_payment_list(self):
        for user in (self.broker, self.enterprise, self.district_admin):
            self.login(user)
            self.assertEqual(self.client.get("/sharing/settlements/payments/").status_code, 403)


class SettlementPageTests(SettlementTestCase):
    def test_the_provider_sees_its_unsettled_total_and_claims_from_the_page(self):
        self.login(self.broker)
        page = self.client.get("/sharing/redemptions/")
        self.assertContains(page, "未申请兑付的核销：2 笔，共 <strong>18,000.50</strong> 元")
        none = self.client.post(
            "/sharing/settlements/new/", {"program": self.program.pk, "choose": "1"}, follow=True
        )
        self.assertContains(none, "请至少选择一笔核销记录")
        self.assertFalse(SettlementClaim.objects.exists())
        response = self.client.post(
            "/sharing/settlements/new/",
            {"program": self.program.pk, "choose": "1", "redemptions": [self.first.pk]},
            follow=True,
        )
        claim = SettlementClaim.objects.get()
        self.assertContains(response, f"兑付申请 {settlement.claim_number(claim)} 已提交")
        self.assertContains(response, "10,000.00")
        page = self.client.get("/sharing/redemptions/")
        self.assertContains(page, "未申请兑付的核销：1 笔，共 <strong>8,000.50</strong> 元")
        self.assertContains(page, settlement.claim_number(claim))

    def test_the_bureau_approves_and_refuses_from_the_queue(self):
        claim = settlement.claim_settlement(self.broker, self.program, [self.first.pk])
        self.login(self.broker)
        url = f"/sharing/settlements/{claim.pk}/"
        self.assertContains(self.client.get(url), "兑付明细")
        self.assertEqual(self.client.post(f"{url}approve/").status_code, 403)
        self.login(self.other_enterprise)
        self.assertEqual(self.client.get(url).status_code, 403)
        self.login(self.city_admin)
        queue = self.client.get("/sharing/redemptions/")
        self.assertContains(queue, settlement.claim_number(claim))
        self.assertContains(queue, "批准兑付")
        empty = self.client.post(f"{url}refuse/", {"reason": "", "next": "queue"}, follow=True)
        self.assertContains(empty, "请填写不予兑付的理由")
        self.assertEqual(SettlementClaim.objects.get().status, ClaimStatus.SUBMITTED)
        done = self.client.post(f"{url}approve/", {"next": "queue"}, follow=True)
        self.assertContains(done, "已批准")
        self.assertContains(done, "没有待审核的兑付申请")
        self.assertEqual(SettlementClaim.objects.get().status, ClaimStatus.APPROVED)


class SettlementApiTests(SettlementTestCase):
    API = "/api/sharing/settlements/"

    def test_claim_approve_and_refuse_through_the_api(self):
        self.login(self.broker)
        created = self.client.post(
            self.API,
            {"program": self.program.pk, "redemptions": [self.first.pk]},
            "application/json",
        )
        self.assertEqual(created.status_code, 201, created.json())
        self.assertEqual(created.json()["total"], "10000.00")
        claim_id = created.json()["id"]
        twice = self.client.post(
            self.API,
            {"program": self.program.pk, "redemptions": [self.first.pk]},
            "application/json",
        )
        self.assertEqual(twice.status_code, 409)
        self.assertEqual(twice.json()["message"], "所选核销记录已在其他兑付申请中。")
        rest = self.client.post(self.API, {"program": self.program.pk}, "application/json")
        self.assertEqual(rest.json()["total"], "8000.50")
        self.assertEqual(self.client.post(f"{self.API}{claim_id}/approve/").status_code, 403)
        self.assertEqual(self.client.get(self.API).json()["count"], 2)

        self.login(self.city_admin)
        approved = self.client.post(f"{self.API}{claim_id}/approve/")
        self.assertEqual(approved.json()["status"], "approved")
        no_reason = self.client.post(
            f"{self.API}{rest.json()['id']}/refuse/", {}, "application/json"
        )
        self.assertEqual(no_reason.status_code, 400)
        self.assertEqual(no_reason.json()["message"], "请填写不予兑付的理由。")
        refused = self.client.post(
            f"{self.API}{rest.json()['id']}/refuse/", {"reason": "材料不全"}, "application/json"
        )
        self.assertEqual(refused.json()["status"], "refused")
        self.login(self.other_enterprise)
        self.assertEqual(self.client.get(self.API).json()["count"], 0)
        self.assertEqual(self.client.get(f"{self.API}{claim_id}/").status_code, 403)
