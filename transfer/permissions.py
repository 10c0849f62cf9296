"""Who may do what in technology transfer.

Achievement owners (members of the owning organisation) self-assess TRL, ask for valuations,
list and negotiate; experts confirm TRL and score screenings they are assigned to; the bureau
runs screening, catalogs, listings' results and 技术合同认定登记 (as registrar); district admins
read their district's statistics. Verified organisations (any registered organisation acting
through a member) bid on open listings.
"""

from __future__ import annotations

import rules

from core.permissions import _membership, is_bureau, is_district_admin


@rules.predicate
def owns_achievement(user, achievement) -> bool:
    m = _membership(user)
    return m is not None and achievement is not None and m.organisation_id == achievement.owner_id


@rules.predicate
def is_expert(user) -> bool:
    return hasattr(user, "expert_profile") and user.expert_profile is not None


@rules.predicate
def acts_for_organisation(user) -> bool:
    m = _membership(user)
    return m is not None and m.organisation_id is not None


rules.add_perm("transfer.self_assess_trl", owns_achievement | is_bureau)
rules.add_perm("transfer.confirm_trl", is_expert | is_bureau)
rules.add_perm("transfer.manage_screening", is_bureau)
rules.add_perm("transfer.manage_catalogs", is_bureau)
rules.add_perm("transfer.value", owns_achievement | is_bureau)
rules.add_perm("transfer.list", owns_achievement | is_bureau)
rules.add_perm("transfer.bid", acts_for_organisation)
rules.add_perm("transfer.register_contract", acts_for_organisation)
rules.add_perm("transfer.registrar", is_bureau)
rules.add_perm("transfer.view_statistics", is_bureau | is_district_admin)
