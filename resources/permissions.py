"""Who may see and change resource-library records.

Published records are public. Anything else is seen only by its organisation's members, the
person who entered it, and the bureau (a district admin for records in their district).
"""

from __future__ import annotations

import rules
from django.db.models import Q, QuerySet

from core.choices import Role
from core.permissions import _membership, is_bureau, is_district_admin_of_region
from resources.choices import RecordStatus

CREATOR_ROLES = {Role.ENTERPRISE, Role.INSTITUTE, Role.EXPERT, Role.BROKER}


@rules.predicate
def is_published(user, record) -> bool:
    return record is not None and record.status == RecordStatus.PUBLISHED


@rules.predicate
def is_owner_member(user, record) -> bool:
    m = _membership(user)
    if m is None or record is None:
        return False
    return m.organisation_id == record.owner_id or record.created_by_id == user.pk


@rules.predicate
def may_create_records(user) -> bool:
    m = _membership(user)
    return m is not None and m.role in CREATOR_ROLES


reviewer = is_bureau | is_district_admin_of_region

rules.add_perm("resources.view_record", is_published | is_owner_member | reviewer)
rules.add_perm("resources.add_record", may_create_records)
rules.add_perm("resources.change_record", is_owner_member)
rules.add_perm("resources.review_record", reviewer)
rules.add_perm("resources.archive_record", is_owner_member | reviewer)
rules.add_perm("resources.view_contact", is_owner_member | reviewer)
rules.add_perm("resources.view_record_history", is_published | is_owner_member | reviewer)


def visible(queryset: QuerySet, user) -> QuerySet:
    """The records of `queryset` this user may see: published ones, plus their own and, for the
    bureau, those they review. Done in SQL so that lists never load what they may not show."""
    published = Q(status=RecordStatus.PUBLISHED)
    if getattr(user, "is_superuser", False):
        return queryset
    m = _membership(user)
    if m is None:
        return queryset.filter(published)
    if m.role == Role.CITY_ADMIN:
        return queryset
    mine = Q(owner_id=m.organisation_id) | Q(created_by_id=user.pk)
    if m.role == Role.DISTRICT_ADMIN:
        return queryset.filter(published | mine | Q(region_id=m.region_id))
    return queryset.filter(published | mine)


def review_scope(queryset: QuerySet, user) -> QuerySet:
    """Records this user reviews: all for the city, their district for a district admin."""
    m = _membership(user)
    if getattr(user, "is_superuser", False) or (m and m.role == Role.CITY_ADMIN):
        return queryset
    if m and m.role == Role.DISTRICT_ADMIN:
        return queryset.filter(region_id=m.region_id)
    return queryset.none()


# The back office lists records for the bureau; changes go through the review pages' services.
for _model in (
    "achievement",
    "demand",
    "expert",
    "platform",
    "instrument",
    "patent",
    "recordversion",
    "subscription",
):
    rules.add_perm(f"resources.view_{_model}", is_bureau)
