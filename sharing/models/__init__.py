from sharing.models.instruments import Booking, SharingSlot, UsageRecord
from sharing.models.providers import OrgRelation, ServiceProvider
from sharing.models.subsidies import (
    HostGrade,
    SharingEvaluation,
    SubsidyClaim,
    SubsidyClaimLine,
    SubsidyPolicy,
)
from sharing.models.vouchers import (
    AbuseFlag,
    Redemption,
    SettlementClaim,
    SettlementLine,
    Voucher,
    VoucherApplication,
    VoucherProgram,
)

__all__ = [
    "AbuseFlag",
    "Booking",
    "HostGrade",
    "OrgRelation",
    "Redemption",
    "ServiceProvider",
    "SettlementClaim",
    "SettlementLine",
    "SharingEvaluation",
    "SharingSlot",
    "SubsidyClaim",
    "SubsidyClaimLine",
    "SubsidyPolicy",
    "UsageRecord",
    "Voucher",
    "VoucherApplication",
    "VoucherProgram",
]
