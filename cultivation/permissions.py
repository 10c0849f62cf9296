"""Who may do what in enterprise cultivation.

An enterprise's own users keep its figures and run its self-assessments; the bureau and the
district administrators (for enterprises in their region) read them. Pools, spot checks and
post-subsidies are the bureau's; district administrators read the pools of their region.
"""

from __future__ import annotations

import rules

from core.choices import OrgType, Role
from core.permissions import _membership, is_bureau, is_district_admin, is_district_admin_of_region


@rules.predicate
def is_member_of(user, org) -> bool:
    m = _membership(user)
    return m is not None and org is not None and m.organisation_id == org.pk


@rules.predicate
def is_enterprise(user, org) -> bool:
    return org is None or org.type == OrgType.ENTERPRISE


@rules.predicate
def acts_for_enterprise(user) -> bool:
    """An enterprise user (the role is given only for an enterprise's own staff)."""
    m = _membership(user)
    return m is not None and m.role == Role.ENTERPRISE


# obj: the Organisation whose figures are concerned.
readers = is_bureau | is_district_admin_of_region | is_member_of
rules.add_perm("cultivation.view_figures", is_enterprise & readers)
rules.add_perm("cultivation.change_figures", is_enterprise & (is_member_of | is_bureau))
rules.add_perm("cultivation.self_assess", acts_for_enterprise | is_bureau | is_district_admin)

rules.add_perm("cultivation.view_pools", is_bureau | is_district_admin)
rules.add_perm("cultivation.manage_pools", is_bureau)
rules.add_perm("cultivation.manage_spot_checks", is_bureau)
rules.add_perm("cultivation.manage_subsidies", is_bureau)

# The back office: the same people, the same rules.
for model in ("enterpriseyear", "enterpriseprofile", "assessment", "poolmembership"):
    rules.add_perm(f"cultivation.view_{model}", is_bureau)
for model in ("inspector", "spotcheck", "subsidyscheme"):
    rules.add_perm(f"cultivation.view_{model}", is_bureau)
    rules.add_perm(f"cultivation.change_{model}", is_bureau)
rules.add_perm("cultivation.add_inspector", is_bureau)
