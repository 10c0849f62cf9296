"""Who may see and keep the brain's figures.

Leaders, the bureau and district admins read the dashboards (district admins: the city and
their own district); the bureau keeps the catalog and enters or imports any region's values;
district admins enter their own district's values.
"""

from __future__ import annotations

import rules

from core.choices import Role
from core.permissions import _membership, is_bureau, is_district_admin, is_leader


@rules.predicate
def is_district_admin_for(user, region) -> bool:
    """A district admin entering a value for their own district (region: a core Region)."""
    m = _membership(user)
    if m is None or m.role != Role.DISTRICT_ADMIN:
        return False
    return region is None or region.pk == m.region_id


rules.add_perm("brain.view", is_bureau | is_leader | is_district_admin)
rules.add_perm("brain.manage_catalog", is_bureau)
# obj: the Region whose value is entered (None: "somewhere").
rules.add_perm("brain.enter_value", is_bureau | is_district_admin_for)
