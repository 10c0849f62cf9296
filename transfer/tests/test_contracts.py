import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils import timezone

from core.exceptions import InvalidTransition, NotAllowed
from core.models import AuditEntry, Notification
from transfer.choices import ContractKind, ContractStatus
from transfer.models import TechContract
from transfer.services import contracts, statistics

from .trading_base import TradingTestCase

K = ContractKind


class SellerTests(TradingTestCase):
    def test_the_seller_drafts_a_contract_for_its_own_organisation(self):
        contract = self.contract()
        self.assertEqual(contract.seller, self.university)
        self.assertEqual(contract.status, ContractStatus.DRAFT)
        self.assertTrue(
            AuditEntry.objects.filter(
                content_type__model="techcontract", object_id=str(contract.pk), action="create"
            ).exists()
        )

    def test_other_organisations_cannot_open_or_edit_a_sellers_draft(self):
        contract = self.contract()
        for user in (self.enterprise, self.other_enterprise, self.public, self.district_admin):
            with self.assertRaises(NotAllowed):
                contracts.get_contract_for_user(user, contract.pk)
            with self.assertRaises(NotAllowed):
                contracts.update_contract(user, contract, title="改名")
        contract.refresh_from_db()
        self.assertEqual(contract.title, "激光器封装技术转让合同")
        self.assertNotIn(contract, contracts.contracts_for(self.enterprise))

    def test_the_buyer_reads_but_does_not_edit(self):
        contract = self.contract(buyer=self.enterprise_org)
        self.assertEqual(contract.buyer_name, "长春华锐光电科技有限公司")
        self.assertTrue(contract.buyer_in_city)
        self.assertEqual(contracts.get_contract_for_user(self.enterprise, contract.pk), contract)
        with self.assertRaisesMessage(NotAllowed, "只有卖方（登记方）单位的用户"):
            contracts.update_contract(self.enterprise, contract, title="改名")

    def test_declared_technology_amount_cannot_exceed_the_total(self):
        with self.assertRaises(ValidationError) as refused:
            self.contract(total_amount="100000", declared_tech_amount="120000")
        self.assertIn(
            "申报技术交易额（120,000.00元）不能超过合同总金额（100,000.00元）",
            refused.exception.message_dict["declared_tech_amount"][0],
        )
        self.assertFalse(TechContract.objects.exists())

    def test_submission_lists_what_is_missing(self):
        contract = self.contract(
            field=None, signed_on=None, payment_terms="", declared_tech_amount="800000"
        )
        with self.assertRaises(contracts.ContractIncomplete) as refused:
            contracts.submit_contract(self.institute, contract)
        message = refused.exception.message
        for missing in ("支付方式与期限", "技术领域", "签订日期", "非技术性内容"):
            self.assertIn(missing, message)
        contract.refresh_from_db()
        self.assertEqual(contract.status, ContractStatus.DRAFT)

    def test_a_signing_date_in_the_future_is_refused(self):
        with self.assertRaises(ValidationError) as refused:
            self.contract(signed_on=timezone.localdate() + datetime.timedelta(days=1))
        self.assertIn("签订日期不能晚于今天", refused.exception.message_dict["signed_on"][0])


class RegistrarTests(TradingTestCase):
    def submitted(self, **overrides):
        contract = self.contract(**overrides)
        return contracts.submit_contract(self.institute, contract)

    def test_a_non_technical_part_must_be_taken_out_or_explained(self):
        contract = self.submitted(
            total_amount="1000000",
            declared_tech_amount="1000000",
            non_tech_part="配套检测设备一台，约20万元",
        )
        with self.assertRaises(ValidationError) as refused:
            contracts.register_contract(self.city_admin, contract)
        self.assertIn(
            "认定技术交易额应低于合同总金额", refused.exception.message_dict["tech_amount"][0]
        )
        with self.assertRaises(ValidationError):
            contracts.register_contract(self.city_admin, contract, tech_amount="1200000")
        contract.refresh_from_db()
        self.assertEqual(contract.status, ContractStatus.SUBMITTED)
        registered = contracts.register_contract(
            self.city_admin, contract, tech_amount="800000", note="扣除设备款20万元"
        )
        self.assertEqual(registered.status, ContractStatus.REGISTERED)
        self.assertEqual(registered.tech_amount, Decimal("800000"))
        self.assertEqual(registered.registered_kind, K.TRANSFER)
        stats = statistics.contract_statistics()
        self.assertEqual(stats["totals"]["tech_amount"], Decimal("800000"))
        self.assertEqual(stats["totals"]["total_amount"], Decimal("1000000"))
        entry = AuditEntry.objects.filter(
            content_type__model="techcontract", object_id=str(contract.pk), action="update"
        ).latest("pk")
        self.assertEqual(entry.actor, self.city_admin)
        self.assertEqual(entry.changes["tech_amount"], [None, "800000.00"])
        self.assertTrue(
            Notification.objects.filter(user=self.institute, title__startswith="技术合同已登记")
        )

    def test_full_amount_with_a_non_technical_part_needs_the_registrars_reason(self):
        contract = self.submitted(non_tech_part="随合同提供的技术资料印刷费")
        registered = contracts.register_contract(
            self.city_admin, contract, note="印刷费金额甚微，已含在技术服务费中，全额认定"
        )
        self.assertEqual(registered.tech_amount, registered.total_amount)

    def test_the_registrar_may_reclassify(self):
        contract = self.submitted(kind=K.CONSULTING)
        registered = contracts.register_contract(
            self.city_admin, contract, registered_kind=K.SERVICE
        )
        self.assertEqual(registered.registered_kind, K.SERVICE)
        self.assertEqual(statistics.contract_statistics()["groups"]["kind"][0]["label"], "技术服务")

    def test_refusal_requires_reasons_and_the_seller_may_resubmit(self):
        contract = self.submitted()
        with self.assertRaises(ValidationError) as refused:
            contracts.refuse_contract(self.city_admin, contract, "  ")
        self.assertIn("不予登记须填写理由", refused.exception.message_dict["reasons"][0])
        contract.refresh_from_db()
        self.assertEqual(contract.status, ContractStatus.SUBMITTED)
        refused_contract = contracts.refuse_contract(
            self.city_admin, contract, "合同未载明技术成果的权属，请补充。"
        )
        self.assertEqual(refused_contract.status, ContractStatus.REFUSED)
        self.assertIsNone(refused_contract.registration_number)
        self.assertTrue(
            Notification.objects.filter(user=self.institute, title__contains="合同未载明")
        )
        contracts.update_contract(self.institute, contract, subject="补充：成果权属归吉林大学。")
        again = contracts.submit_contract(self.institute, contract)
        self.assertEqual(again.status, ContractStatus.SUBMITTED)

    def test_only_the_registrar_registers(self):
        contract = self.submitted()
        for user in (self.institute, self.enterprise, self.district_admin):
            with self.assertRaises(NotAllowed):
                contracts.register_contract(user, contract)
            with self.assertRaises(NotAllowed):
                contracts.refuse_contract(user, contract, "理由")

    def test_registration_numbers_are_unique_and_sequential_within_the_year(self):
        year = timezone.localdate().year
        numbers = [self.registered(title=f"合同{n}").registration_number for n in range(3)]
        self.assertEqual(
            numbers, [f"22010{year}000001", f"22010{year}000002", f"22010{year}000003"]
        )
        self.assertEqual(contracts.next_registration_number(year + 1), f"22010{year + 1}000001")

    def test_a_registered_contract_no_longer_changes(self):
        contract = self.registered()
        with self.assertRaisesMessage(InvalidTransition, "合同已登记（登记编号"):
            contracts.update_contract(self.institute, contract, title="改名")
        with self.assertRaisesMessage(InvalidTransition, "合同已登记"):
            contracts.register_contract(self.city_admin, contract, tech_amount="1")
        with self.assertRaisesMessage(InvalidTransition, "合同已登记"):
            contracts.refuse_contract(self.city_admin, contract, "重新审查")
        contract.refresh_from_db()
        self.assertEqual(contract.tech_amount, Decimal("1000000"))

    def test_a_draft_cannot_be_registered(self):
        contract = self.contract()
        with self.assertRaisesMessage(InvalidTransition, "只有待认定的合同可以办理"):
            contracts.register_contract(self.city_admin, contract)


class TaxBenefitTests(TradingTestCase):
    def lines(self, kind, amount="1000000", **overrides):
        contract = self.registered(
            kind=kind, total_amount=amount, declared_tech_amount=amount, **overrides
        )
        return {line.key: line for line in contracts.tax_benefits(contract)}

    def test_technology_transfer_is_vat_exempt_and_splits_income_at_five_million(self):
        lines = self.lines(K.TRANSFER, "6000000")
        self.assertTrue(lines["vat"].eligible)
        self.assertIn("财税〔2016〕36号", lines["vat"].source)
        self.assertTrue(lines["cit"].eligible)
        self.assertEqual(lines["cit"].exempt, Decimal("5000000"))
        self.assertEqual(lines["cit"].half_rate, Decimal("1000000"))
        self.assertIn("免征部分5,000,000.00元", lines["cit"].text)
        self.assertNotIn("rd", lines)

    def test_a_licence_under_five_million_is_wholly_exempt_with_the_licence_condition(self):
        lines = self.lines(K.LICENSE, "3000000")
        self.assertTrue(lines["vat"].eligible)
        self.assertEqual(lines["cit"].exempt, Decimal("3000000"))
        self.assertEqual(lines["cit"].half_rate, Decimal("0"))
        self.assertIn("5年以上（含）非独占许可", lines["cit"].text)

    def test_development_is_vat_exempt_without_the_income_relief_and_the_buyer_deducts(self):
        lines = self.lines(K.DEVELOPMENT)
        self.assertTrue(lines["vat"].eligible)
        self.assertFalse(lines["cit"].eligible)
        self.assertIsNone(lines["cit"].exempt)
        self.assertIn("800,000.00元", lines["rd"].text)

    def test_consulting_and_service_are_exempt_only_when_related_to_a_transfer(self):
        self.assertFalse(self.lines(K.CONSULTING)["vat"].eligible)
        self.assertTrue(self.lines(K.SERVICE, related_to_transfer=True)["vat"].eligible)
        self.assertFalse(self.lines(K.SERVICE)["cit"].eligible)

    def test_the_registered_amount_not_the_declared_one_is_used(self):
        contract = self.registered(
            total_amount="7000000",
            declared_tech_amount="7000000",
            non_tech_part="设备",
            tech_amount="5500000",
        )
        cit = next(t for t in contracts.tax_benefits(contract) if t.key == "cit")
        self.assertEqual(cit.half_rate, Decimal("500000"))
