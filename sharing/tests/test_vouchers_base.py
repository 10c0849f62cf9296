"""What the voucher and provider tests share (no tests here): an open program of this year and
helpers to put an enterprise in a cultivation pool, apply, and issue through the services."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import timezone

from core.testing import PersonaTestCase
from cultivation.models import PoolMembership
from integrity.factories import IntegrityRecordFactory
from sharing.factories import VoucherProgramFactory
from sharing.models import Voucher, VoucherApplication, VoucherProgram
from sharing.services import vouchers


def today() -> datetime.date:
    return timezone.localdate()


class VoucherTestCase(PersonaTestCase):
    """`self.program` is open now: budget 1,000,000 yuan, 10,000 / 30,000 / 50,000 yuan vouchers
    for testing, R&D and instrument use, valid 180 days, one per enterprise, any enterprise."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.program = VoucherProgramFactory(name="2026年长春市科技创新券（第一批）")

    def pool(self, organisation=None, tier: str = "sme_tech", **extra) -> PoolMembership:
        return PoolMembership.objects.create(
            organisation=organisation or self.enterprise_org,
            tier=tier,
            entered_on=today() - datetime.timedelta(days=100),
            entry_reason="科技型中小企业评价入库",
            entered_by=self.city_admin,
            **extra,
        )

    def restrict(self, organisation=None):
        return IntegrityRecordFactory(
            organisation=organisation or self.enterprise_org,
            decision_number="长科诚〔2026〕7号",
            restricted_from=today() - datetime.timedelta(days=30),
            restricted_until=today() + datetime.timedelta(days=365),
        )

    def apply(
        self, user=None, program: VoucherProgram | None = None, face="30000", category="testing"
    ) -> VoucherApplication:
        return vouchers.apply_for_voucher(
            user or self.enterprise,
            program or self.program,
            face_value=face,
            category=category,
            purpose="新产品电磁兼容检测认证",
        )

    def issue(self, user=None, program=None, face="30000") -> Voucher:
        application = self.apply(user, program, face)
        return vouchers.approve_application(self.city_admin, application)

    def reload(self, obj):
        obj.refresh_from_db()
        return obj

    @staticmethod
    def yuan(value) -> Decimal:
        return Decimal(value).quantize(Decimal("0.01"))
