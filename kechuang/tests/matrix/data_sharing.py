"""Matrix objects of sharing and vouchers.

The enterprise persona's organisation hosts an instrument that a third organisation books, and
itself booked a third organisation's instrument (its usage is what its 先用后补 claim is made
of). The broker persona's agency is a registered provider that redeemed the enterprise's
voucher and claimed settlement for it.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import timezone


def build(tc, d) -> None:
    _bookings(tc, d)
    _subsidies(tc, d)
    _vouchers(tc, d)


def _bookings(tc, d) -> None:
    from resources.factories import InstrumentFactory
    from sharing.choices import BookingStatus, UsageStatus
    from sharing.factories import BookingFactory, SlotFactory, UsageFactory

    d.shared_instrument = InstrumentFactory(
        title="共享场发射电镜", owner=tc.enterprise_org, created_by=tc.enterprise
    )
    d.slot = SlotFactory(instrument=d.shared_instrument)
    d.booking = BookingFactory(
        slot=SlotFactory(instrument=d.shared_instrument),
        requester=d.third_user,
        status=BookingStatus.REQUESTED,
    )
    used = UsageFactory(
        booking__slot=SlotFactory(
            instrument=d.shared_instrument,
            starts_at=timezone.now() - datetime.timedelta(days=3),
            ends_at=timezone.now() - datetime.timedelta(days=3, hours=-4),
        ),
        booking__requester=d.third_user,
        status=UsageStatus.RECORDED,
        recorded_by=tc.enterprise,
        confirmed_by=None,
        confirmed_at=None,
        satisfaction=None,
    )
    d.used_booking = used.booking


def _subsidies(tc, d) -> None:
    from resources.factories import InstrumentFactory
    from sharing.choices import EvaluationStatus
    from sharing.factories import SlotFactory, SubsidyPolicyFactory, UsageFactory
    from sharing.models import SharingEvaluation
    from sharing.services import subsidies

    hosted = InstrumentFactory(title="第三方的X射线衍射仪", owner=d.third_org)
    UsageFactory(
        booking__slot=SlotFactory(
            instrument=hosted,
            starts_at=timezone.now() - datetime.timedelta(days=5),
            ends_at=timezone.now() - datetime.timedelta(days=5, hours=-4),
        ),
        booking__requester=tc.enterprise,
    )
    d.subsidy_policy = SubsidyPolicyFactory()
    d.subsidy_claim = subsidies.submit_claim(tc.enterprise, d.subsidy_policy.year)
    d.draft_evaluation = SharingEvaluation.objects.create(
        year=timezone.localdate().year - 1,
        status=EvaluationStatus.DRAFT,
        computed_by=tc.city_admin,
    )


def _vouchers(tc, d) -> None:
    from sharing.choices import ApplicationStatus, ProgramStatus, ProviderStatus, RelationKind
    from sharing.factories import ServiceProviderFactory, VoucherFactory, VoucherProgramFactory
    from sharing.models import AbuseFlag, OrgRelation, VoucherApplication
    from sharing.services import redemptions, settlement

    d.provider = ServiceProviderFactory(
        organisation=tc.agency, categories=["testing", "rd"], created_by=tc.broker
    )
    d.pending_provider = ServiceProviderFactory(
        organisation=d.third_org,
        status=ProviderStatus.PENDING,
        registered_at=None,
        created_by=d.third_user,
    )
    d.voucher_program = VoucherProgramFactory(name="矩阵测试创新券", max_share=Decimal("0.5"))
    d.draft_program = VoucherProgramFactory(name="未开放的创新券", status=ProgramStatus.DRAFT)
    d.voucher = VoucherFactory(
        program=d.voucher_program,
        holder=tc.enterprise_org,
        issued_by=tc.city_admin,
        issued_at=timezone.now() - datetime.timedelta(days=10),
    )
    d.voucher_application = VoucherApplication.objects.create(
        program=d.voucher_program,
        organisation=tc.enterprise_org,
        applicant=tc.enterprise,
        face_value=Decimal("10000"),
        category="testing",
        purpose="新产品第三方检测",
        status=ApplicationStatus.SUBMITTED,
    )
    d.redemption = redemptions.redeem(
        tc.broker,
        code=d.voucher.code,
        holder_uscc=tc.enterprise_org.uscc,
        contract_number="JC-2026-001",
        signed_on=timezone.localdate() - datetime.timedelta(days=2),
        category="testing",
        contract_amount="20000",
        service_description="新型光电传感器第三方检测",
        amount="10000",
    )
    d.settlement = settlement.claim_settlement(tc.broker, d.voucher_program, [d.redemption.pk])
    d.flag = AbuseFlag.objects.create(
        rule="same_group",
        key=f"matrix:{d.redemption.pk}",
        program=d.voucher_program,
        voucher=d.voucher,
        redemption=d.redemption,
        provider=d.provider,
        message="服务机构与持券单位属同一集团",
    )
    first, second = sorted((tc.enterprise_org, d.third_org), key=lambda o: o.pk)
    d.relation = OrgRelation.objects.create(
        first=first, second=second, kind=RelationKind.GROUP, created_by=tc.city_admin
    )
