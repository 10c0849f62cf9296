"""Who may do what in sharing and vouchers.

Hosts are the members of the organisation that owns an instrument: they open slots, decide
bookings and record usage. Users of other organisations book and confirm usage. The bureau sets
the 先用后补 policy, approves claims, evaluates hosts, runs voucher programs, registers service
providers and reviews abuse flags; district administrators and leaders read the statistics.
Members of a registered provider redeem vouchers and claim settlement.
"""

from __future__ import annotations

import rules

from core.choices import Role
from core.permissions import _membership, is_bureau, is_district_admin, is_leader
from sharing.choices import ProviderStatus

# Roles that act for an organisation's own work (not for the bureau, not as reviewers).
ORGANISATION_ROLES = {Role.ENTERPRISE, Role.INSTITUTE, Role.BROKER}


@rules.predicate
def acts_for_organisation(user) -> bool:
    m = _membership(user)
    return m is not None and m.role in ORGANISATION_ROLES


@rules.predicate
def acts_for_enterprise(user) -> bool:
    m = _membership(user)
    return m is not None and m.role == Role.ENTERPRISE


@rules.predicate
def hosts_instrument(user, instrument) -> bool:
    """A member of the organisation that owns the instrument (any object with `owner_id`)."""
    m = _membership(user)
    return (
        m is not None
        and m.role in ORGANISATION_ROLES
        and instrument is not None
        and m.organisation_id == instrument.owner_id
    )


@rules.predicate
def acts_for_provider(user, provider=None) -> bool:
    """A member of a registered service provider (of `provider`, when one is given)."""
    m = _membership(user)
    if m is None or m.role not in ORGANISATION_ROLES:
        return False
    if provider is not None:
        return m.organisation_id == provider.organisation_id and (
            provider.status == ProviderStatus.REGISTERED
        )
    from sharing.models import ServiceProvider

    return ServiceProvider.objects.filter(
        organisation_id=m.organisation_id, status=ProviderStatus.REGISTERED
    ).exists()


rules.add_perm("sharing.book", acts_for_organisation)
rules.add_perm("sharing.host", hosts_instrument | is_bureau)
rules.add_perm("sharing.claim_subsidy", acts_for_organisation)
rules.add_perm("sharing.manage", is_bureau)
rules.add_perm("sharing.view_statistics", is_bureau | is_district_admin | is_leader)
rules.add_perm("sharing.apply_voucher", acts_for_enterprise)
rules.add_perm("sharing.register_provider", acts_for_organisation)
rules.add_perm("sharing.redeem", acts_for_provider)

# The back office: the bureau.
for model in (
    "serviceprovider",
    "orgrelation",
    "sharingslot",
    "booking",
    "usagerecord",
    "subsidypolicy",
    "subsidyclaim",
    "sharingevaluation",
    "voucherprogram",
    "voucherapplication",
    "voucher",
    "redemption",
    "settlementclaim",
    "abuseflag",
):
    rules.add_perm(f"sharing.view_{model}", is_bureau)
