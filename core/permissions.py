"""Who may do what to which object: one place, asked by services, views, the API and the admin.

Predicates read the membership the user currently acts through. A district admin's reach is the
region on that membership; an organisation's own administrator manages that organisation.
"""

from __future__ import annotations

import rules

from core.choices import Role


def _membership(user):
    if not getattr(user, "is_authenticated", False):
        return None
    m = user.current_membership
    return m if m is not None and m.is_active else None


def _role(user) -> str | None:
    m = _membership(user)
    return m.role if m else None


@rules.predicate
def is_superuser(user) -> bool:
    return bool(getattr(user, "is_superuser", False))


@rules.predicate
def is_city_admin(user) -> bool:
    return _role(user) == Role.CITY_ADMIN


@rules.predicate
def is_leader(user) -> bool:
    return _role(user) == Role.LEADER


@rules.predicate
def is_broker(user) -> bool:
    return _role(user) == Role.BROKER


@rules.predicate
def is_district_admin(user) -> bool:
    return _role(user) == Role.DISTRICT_ADMIN


@rules.predicate
def is_district_admin_of_region(user, obj) -> bool:
    """A district admin acting on something located in their own region.

    Without an object the question is "may they do this somewhere", which the list pages ask.
    """
    m = _membership(user)
    if m is None or m.role != Role.DISTRICT_ADMIN:
        return False
    if obj is None:
        return True
    return getattr(obj, "region_id", None) == m.region_id


@rules.predicate
def is_org_admin_of(user, org) -> bool:
    m = _membership(user)
    if m is None or not m.is_org_admin or org is None:
        return False
    return m.organisation_id == org.pk


@rules.predicate
def is_job_owner(user, job) -> bool:
    return job is not None and job.created_by_id == getattr(user, "pk", None)


is_bureau = is_superuser | is_city_admin

rules.add_perm("core.view_organisation", rules.always_allow)
rules.add_perm("core.add_organisation", is_bureau | is_district_admin_of_region)
rules.add_perm(
    "core.change_organisation", is_bureau | is_district_admin_of_region | is_org_admin_of
)
rules.add_perm("core.delete_organisation", is_bureau)
rules.add_perm(
    "core.view_organisation_contact", is_bureau | is_district_admin_of_region | is_org_admin_of
)

rules.add_perm("core.view_auditentry", is_bureau)
rules.add_perm("core.view_job", is_bureau | is_job_owner)
rules.add_perm("core.run_demo_job", is_bureau)

for model in (
    "region",
    "discipline",
    "industrysection",
    "hightechfield",
    "industrychain",
    "chainnode",
    "calendarday",
):
    rules.add_perm(f"core.view_{model}", rules.always_allow)
    for action in ("add", "change", "delete"):
        rules.add_perm(f"core.{action}_{model}", is_bureau)

rules.add_perm("core.view_user", is_bureau)
rules.add_perm("core.add_user", is_bureau)
rules.add_perm("core.change_user", is_bureau)
rules.add_perm("core.view_membership", is_bureau)
rules.add_perm("core.add_membership", is_bureau)
rules.add_perm("core.change_membership", is_bureau)
rules.add_perm("core.delete_membership", is_bureau)

# Back-office (Django admin) access: the bureau's own staff.
rules.add_perm("core.use_backoffice", is_bureau | is_district_admin)
rules.add_perm("core.view_dashboards", is_bureau | is_leader | is_district_admin)


def can(user, perm: str, obj=None) -> bool:
    return rules.has_perm(perm, user, obj)


def require(user, perm: str, obj=None, message: str | None = None) -> None:
    from django.utils.translation import gettext as _

    from core.exceptions import NotAllowed

    if not can(user, perm, obj):
        raise NotAllowed(message or _("您没有权限执行此操作。"))
