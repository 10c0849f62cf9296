"""Who may see and keep records of dishonest conduct in research.

The bureau (city administrators) keeps the records; district administrators read them, with
citizens' ID numbers masked; nobody else sees the list. Gates in other apps do not need these
permissions: they ask `integrity.services.check_integrity` about one subject.
"""

from __future__ import annotations

import rules
from django.db.models import QuerySet

from core.permissions import is_bureau, is_district_admin

readers = is_bureau | is_district_admin

rules.add_perm("integrity.view_record", readers)
rules.add_perm("integrity.add_record", is_bureau)
rules.add_perm("integrity.change_record", is_bureau)
rules.add_perm("integrity.revoke_record", is_bureau)
rules.add_perm("integrity.view_id_number", is_bureau)

# The back office: the same people, the same rules; records are revoked, never deleted.
rules.add_perm("integrity.view_integrityrecord", readers)
rules.add_perm("integrity.add_integrityrecord", is_bureau)
rules.add_perm("integrity.change_integrityrecord", is_bureau)


def visible(queryset: QuerySet, user) -> QuerySet:
    """All records for those who may read them, none for anyone else."""
    return queryset if rules.has_perm("integrity.view_record", user) else queryset.none()
