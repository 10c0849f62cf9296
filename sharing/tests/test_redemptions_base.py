"""What the redemption, settlement and abuse tests share (no tests here).

The broker persona's agency (长春技术转移中心) is a registered testing and R&D provider; the
enterprise persona's organisation (长春华锐光电科技有限公司) holds a 30,000-yuan voucher of a
program that lets one redemption take at most 50% of a contract, issued ten days ago.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import timezone

from core.testing import PersonaTestCase
from sharing.factories import ServiceProviderFactory, VoucherFactory, VoucherProgramFactory
from sharing.models import Redemption, Voucher, VoucherProgram
from sharing.services import redemptions


def days_ago(n: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=n)


class RedemptionTestCase(PersonaTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.provider = ServiceProviderFactory(
            organisation=cls.agency, categories=["testing", "rd"], created_by=cls.broker
        )
        cls.program = VoucherProgramFactory(
            name="2026年长春市科技创新券（第一批）", max_share=Decimal("0.5")
        )
        cls.voucher = cls.make_voucher()

    @classmethod
    def make_voucher(cls, holder=None, face_value="30000", program=None, **kwargs) -> Voucher:
        kwargs.setdefault("issued_at", timezone.now() - datetime.timedelta(days=10))
        return VoucherFactory(
            program=program or cls.program,
            holder=holder or cls.enterprise_org,
            face_value=Decimal(face_value),
            **kwargs,
        )

    def redeem(self, user=None, voucher=None, **overrides) -> Redemption:
        voucher = voucher or self.voucher
        values = {
            "code": voucher.code,
            "holder_uscc": voucher.holder.uscc,
            "contract_number": "JC-2026-001",
            "signed_on": days_ago(2),
            "category": "testing",
            "contract_amount": "20000",
            "service_description": "新型光电传感器第三方检测（环境可靠性与电磁兼容）",
            "amount": "10000",
        }
        values.update(overrides)
        return redemptions.redeem(user or self.broker, **values)

    def redeem_input(self, **overrides) -> dict:
        """The redeem form's fields as a provider enters them on the page (the API takes the
        same): 10,000 of the voucher on a 20,000 contract."""
        data = {
            "code": self.voucher.code,
            "holder_uscc": self.enterprise_org.uscc,
            "contract_number": "JC-2026-001",
            "signed_on": days_ago(2).isoformat(),
            "category": "testing",
            "contract_amount": "20000",
            "service_description": "新型光电传感器第三方检测",
            "amount": "10000",
        }
        data.update(overrides)
        return data

    def totals(self, voucher=None) -> tuple[Decimal, Decimal, int]:
        """(voucher.redeemed, program.redeemed, number of redemptions) as stored now."""
        voucher = voucher or self.voucher
        return (
            Voucher.objects.get(pk=voucher.pk).redeemed,
            VoucherProgram.objects.get(pk=voucher.program_id).redeemed,
            Redemption.objects.count(),
        )
