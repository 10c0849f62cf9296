"""Who sees and works a match: the broker on it, both sides' organisations, and the bureau
(a district admin for demands in their district)."""

from __future__ import annotations

import rules
from django.db.models import Q, QuerySet

from core.choices import Role
from core.permissions import _membership, is_broker, is_bureau, is_leader


@rules.predicate
def is_match_broker(user, match) -> bool:
    return (
        match is not None
        and match.broker_id is not None
        and match.broker_id == getattr(user, "pk", None)
    )


@rules.predicate
def is_demand_side(user, match) -> bool:
    m = _membership(user)
    return m is not None and match is not None and match.demand.owner_id == m.organisation_id


@rules.predicate
def is_supply_side(user, match) -> bool:
    m = _membership(user)
    return m is not None and match is not None and match.supply_org_id == m.organisation_id


@rules.predicate
def is_district_admin_of_demand(user, match) -> bool:
    m = _membership(user)
    if m is None or m.role != Role.DISTRICT_ADMIN:
        return False
    return match is None or match.demand.region_id == m.region_id


bureau = is_bureau | is_district_admin_of_demand

rules.add_perm("bridging.view_match", is_match_broker | is_demand_side | is_supply_side | bureau)
rules.add_perm("bridging.work_match", is_match_broker | bureau)
rules.add_perm("bridging.give_feedback", is_demand_side | is_supply_side)
rules.add_perm("bridging.use_workbench", is_broker | bureau)
rules.add_perm("bridging.view_funnel", is_bureau | is_leader | is_district_admin_of_demand)
rules.add_perm("bridging.view_matchnote", is_bureau)


def visible_matches(queryset: QuerySet, user) -> QuerySet:
    """The matches this user may open, in SQL: the same people as `bridging.view_match`."""
    m = _membership(user)
    if getattr(user, "is_superuser", False) or (m and m.role == Role.CITY_ADMIN):
        return queryset
    if m is None:
        return queryset.none()
    org = m.organisation_id
    condition = (
        Q(broker_id=user.pk)
        | Q(demand__owner_id=org)
        | Q(achievement__owner_id=org)
        | Q(expert__owner_id=org)
        | Q(institute_id=org)
    )
    if m.role == Role.DISTRICT_ADMIN:
        condition |= Q(demand__region_id=m.region_id)
    return queryset.filter(condition)


def counted_matches(queryset: QuerySet, user) -> QuerySet:
    """The matches this user's funnel counts: leaders count the whole city's, without opening
    any one match (its notes and contacts are for the people working it)."""
    if is_leader(user):
        return queryset
    return visible_matches(queryset, user)
