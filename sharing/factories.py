"""Factories for sharing and vouchers. They write rows directly (for tests that start in the
middle of a flow); the services are the way the platform itself makes them."""

from __future__ import annotations

import datetime
from decimal import Decimal

import factory
from django.db.models import F
from django.utils import timezone

from core.factories import OrganisationFactory
from sharing.choices import (
    ApplicationStatus,
    BookingStatus,
    ProgramStatus,
    ProviderStatus,
    ServiceCategory,
    UsageStatus,
)
from sharing.models import (
    Booking,
    ServiceProvider,
    SharingSlot,
    SubsidyPolicy,
    UsageRecord,
    Voucher,
    VoucherApplication,
    VoucherProgram,
)
from sharing.services.codes import new_code


def _tomorrow_at(hour: int) -> datetime.datetime:
    day = timezone.localdate() + datetime.timedelta(days=1)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


class SlotFactory(factory.django.DjangoModelFactory):
    """A four-hour slot, one a day from tomorrow 09:00."""

    class Meta:
        model = SharingSlot

    instrument = factory.SubFactory("resources.factories.InstrumentFactory")
    starts_at = factory.Sequence(lambda n: _tomorrow_at(9) + datetime.timedelta(days=n))
    ends_at = factory.LazyAttribute(lambda s: s.starts_at + datetime.timedelta(hours=4))


class BookingFactory(factory.django.DjangoModelFactory):
    """An approved booking of a slot by `requester` (a user with a current membership)."""

    class Meta:
        model = Booking

    slot = factory.SubFactory(SlotFactory)
    instrument = factory.LazyAttribute(lambda b: b.slot.instrument)
    organisation = factory.LazyAttribute(lambda b: b.requester.current_membership.organisation)
    sample_description = "锂电池正极材料粉末，约5克"
    service_requested = "表面形貌观察与能谱分析"
    sample_count = 3
    status = BookingStatus.APPROVED


class UsageFactory(factory.django.DjangoModelFactory):
    """A usage record both sides confirmed (the booking marked used)."""

    class Meta:
        model = UsageRecord

    booking = factory.SubFactory(BookingFactory, status=BookingStatus.USED)
    hours = Decimal("4")
    samples = 3
    fee = Decimal("1200")
    service_summary = "完成3个样品的形貌观察与能谱分析，出具测试报告。"
    status = UsageStatus.CONFIRMED
    recorded_by = factory.LazyAttribute(lambda u: u.booking.requester)
    confirmed_by = factory.LazyAttribute(lambda u: u.booking.requester)
    confirmed_at = factory.LazyFunction(timezone.now)
    satisfaction = 5


class SubsidyPolicyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SubsidyPolicy
        django_get_or_create = ("year",)

    year = factory.LazyFunction(lambda: timezone.localdate().year)
    rate = Decimal("0.3")
    cap_per_user = Decimal("200000")
    budget = Decimal("5000000")
    claims_from = factory.LazyAttribute(lambda p: datetime.date(p.year, 1, 1))
    claims_until = factory.LazyAttribute(lambda p: datetime.date(p.year + 1, 3, 31))


class ServiceProviderFactory(factory.django.DjangoModelFactory):
    """A registered testing and R&D provider."""

    class Meta:
        model = ServiceProvider

    organisation = factory.SubFactory(
        OrganisationFactory, name=factory.Sequence(lambda n: f"长春检测技术服务有限公司{n}")
    )
    categories = factory.LazyFunction(
        lambda: [ServiceCategory.TESTING.value, ServiceCategory.RD.value]
    )
    services = "材料成分分析、力学性能测试、失效分析。"
    qualifications = factory.LazyFunction(
        lambda: [
            {
                "name": "检验检测机构资质认定（CMA）",
                "number": "220012345678",
                "valid_until": "2029-12-31",
            }
        ]
    )
    contact_name = "孙联系"
    contact_phone = "0431-85550000"
    status = ProviderStatus.REGISTERED
    registered_at = factory.LazyFunction(timezone.now)
    created_by = factory.SubFactory("core.factories.UserFactory")


class VoucherProgramFactory(factory.django.DjangoModelFactory):
    """An open program this year: budget 1,000,000 yuan, vouchers of 10,000 / 30,000 / 50,000
    yuan for testing, R&D and instrument use, valid 180 days."""

    class Meta:
        model = VoucherProgram

    name = factory.Sequence(lambda n: f"长春市科技创新券（第{n + 1}批）")
    year = factory.LazyFunction(lambda: timezone.localdate().year)
    budget = Decimal("1000000")
    face_values = factory.LazyFunction(lambda: [10000, 30000, 50000])
    max_share = Decimal("1")
    eligible_tiers = factory.LazyFunction(list)
    categories = factory.LazyFunction(
        lambda: [
            ServiceCategory.TESTING.value,
            ServiceCategory.RD.value,
            ServiceCategory.INSTRUMENT.value,
        ]
    )
    apply_from = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=30))
    apply_until = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=60))
    valid_days = 180
    status = ProgramStatus.OPEN


class VoucherFactory(factory.django.DjangoModelFactory):
    """An issued, unused voucher of `holder` (an Organisation); its face value is committed in
    the program's budget as issuing would."""

    class Meta:
        model = Voucher

    program = factory.SubFactory(VoucherProgramFactory)
    holder = factory.SubFactory(OrganisationFactory)
    face_value = Decimal("30000")
    application = factory.LazyAttribute(
        lambda v: VoucherApplication.objects.create(
            program=v.program,
            organisation=v.holder,
            applicant=v.issued_by,
            face_value=v.face_value,
            category=ServiceCategory.TESTING,
            purpose="新产品检测认证",
            status=ApplicationStatus.APPROVED,
            decided_by=v.issued_by,
            decided_at=timezone.now(),
        )
    )
    code = factory.LazyAttribute(lambda v: new_code(v.program.year))
    issued_at = factory.LazyFunction(timezone.now)
    expires_on = factory.LazyAttribute(
        lambda v: timezone.localdate() + datetime.timedelta(days=v.program.valid_days)
    )
    issued_by = factory.SubFactory("core.factories.UserFactory")

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        voucher = super()._create(model_class, *args, **kwargs)
        VoucherProgram.objects.filter(pk=voucher.program_id).update(
            committed=F("committed") + voucher.face_value
        )
        voucher.program.refresh_from_db()
        return voucher
