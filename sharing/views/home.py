"""共享服务 home: what is open to everyone (instruments with free slots, voucher programs
taking applications, registered providers) and what waits for the signed-in user."""

from __future__ import annotations

from django.shortcuts import render
from django.utils import timezone

from core import permissions
from resources.choices import RecordStatus
from resources.models import Instrument
from sharing.choices import (
    ApplicationStatus,
    BookingStatus,
    ClaimStatus,
    FlagStatus,
    ProgramStatus,
    ProviderStatus,
    UsageStatus,
)
from sharing.models import (
    AbuseFlag,
    Booking,
    ServiceProvider,
    SettlementClaim,
    SubsidyClaim,
    UsageRecord,
    Voucher,
    VoucherApplication,
    VoucherProgram,
)
from sharing.services.common import own_organisation_id
from sharing.views.common import tabs


def home(request):
    user = request.user
    now = timezone.now()
    today = timezone.localdate()
    open_instruments = Instrument.objects.filter(
        status=RecordStatus.PUBLISHED,
        sharing_slots__starts_at__gt=now,
        sharing_slots__withdrawn_at__isnull=True,
    ).distinct()
    context = {
        "sharing_tabs": tabs(user, "home"),
        "open_instruments": open_instruments.count(),
        "open_programs": list(
            VoucherProgram.objects.filter(
                status=ProgramStatus.OPEN, apply_from__lte=today, apply_until__gte=today
            ).order_by("apply_until")[:5]
        ),
        "providers": ServiceProvider.objects.filter(status=ProviderStatus.REGISTERED).count(),
    }
    org = own_organisation_id(user)
    if org is not None and permissions.can(user, "sharing.book"):
        context["mine"] = {
            "bookings": Booking.objects.filter(
                organisation_id=org, status__in=(BookingStatus.REQUESTED, BookingStatus.APPROVED)
            ).count(),
            "to_confirm": UsageRecord.objects.filter(
                booking__organisation_id=org, status=UsageStatus.RECORDED
            ).count(),
            "to_decide": Booking.objects.filter(
                instrument__owner_id=org, status=BookingStatus.REQUESTED
            ).count(),
            "vouchers": Voucher.objects.filter(holder_id=org, expires_on__gte=today)
            .exclude(status__in=("used_up", "cancelled"))
            .count(),
        }
    if permissions.can(user, "sharing.manage"):
        context["bureau"] = {
            "applications": VoucherApplication.objects.filter(
                status=ApplicationStatus.SUBMITTED
            ).count(),
            "subsidy_claims": SubsidyClaim.objects.filter(status=ClaimStatus.SUBMITTED).count(),
            "settlements": SettlementClaim.objects.filter(status=ClaimStatus.SUBMITTED).count(),
            "providers": ServiceProvider.objects.filter(status=ProviderStatus.PENDING).count(),
            "flags": AbuseFlag.objects.filter(status=FlagStatus.OPEN).count(),
        }
    return render(request, "sharing/home.html", context)
