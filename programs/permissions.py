"""Who may do what in the science programs.

Calls: the bureau manages every call, a district admin only their district's calls. Published
calls are public. Applications: members of the applying organisation prepare them, its
administrator confirms them (单位审核); the bureau, or a district admin for applicants in their
district, does the formal check; panels are built by whoever manages the call. Experts reach an
application only through an assignment they have accepted — `services.review` checks that.
"""

from __future__ import annotations

import rules
from django.db.models import Q, QuerySet

from core.choices import Role
from core.permissions import _membership, is_bureau, is_org_admin_of
from programs.choices import ApplicationStatus, CallStatus

APPLICANT_ROLES = {Role.ENTERPRISE, Role.INSTITUTE}
EDITABLE = {ApplicationStatus.DRAFT, ApplicationStatus.RETURNED}


def _district(user):
    m = _membership(user)
    return m.region_id if m is not None and m.role == Role.DISTRICT_ADMIN else None


@rules.predicate
def is_district_call_admin(user, call) -> bool:
    region = _district(user)
    if region is None:
        return False
    return call is None or call.region_id == region


@rules.predicate
def is_published_call(user, call) -> bool:
    return call is not None and call.status == CallStatus.PUBLISHED


@rules.predicate
def may_apply(user) -> bool:
    m = _membership(user)
    return m is not None and m.role in APPLICANT_ROLES


@rules.predicate
def is_applicant_member(user, application) -> bool:
    m = _membership(user)
    return (
        application is not None
        and m is not None
        and m.role in APPLICANT_ROLES
        and m.organisation_id == application.organisation_id
    )


@rules.predicate
def is_editable(user, application) -> bool:
    return application is not None and application.status in EDITABLE


@rules.predicate
def is_applicant_admin(user, application) -> bool:
    return application is not None and is_org_admin_of(user, application.organisation)


@rules.predicate
def is_district_checker(user, application) -> bool:
    """A district admin for an applicant in their district, or for their district's call."""
    region = _district(user)
    if region is None:
        return False
    if application is None:
        return True
    return application.region_id == region or application.call.region_id == region


@rules.predicate
def manages_the_call(user, application) -> bool:
    return application is not None and (
        is_bureau(user) or is_district_call_admin(user, application.call)
    )


call_manager = is_bureau | is_district_call_admin

rules.add_perm("programs.view_call", is_published_call | call_manager)
rules.add_perm("programs.manage_call", call_manager)
rules.add_perm("programs.add_application", may_apply)
rules.add_perm("programs.view_application", is_applicant_member | is_bureau | is_district_checker)
rules.add_perm("programs.change_application", is_applicant_member & is_editable)
rules.add_perm("programs.confirm_application", is_applicant_admin)
rules.add_perm("programs.check_application", is_bureau | is_district_checker)
rules.add_perm("programs.review_application", is_bureau | manages_the_call)


def visible_calls(queryset: QuerySet, user) -> QuerySet:
    if getattr(user, "is_superuser", False) or is_bureau(user):
        return queryset
    published = Q(status=CallStatus.PUBLISHED)
    region = _district(user)
    if region is not None:
        return queryset.filter(published | Q(region_id=region))
    return queryset.filter(published)


def visible_applications(queryset: QuerySet, user) -> QuerySet:
    """Applications this user may open as applicant or administrator (experts: see review)."""
    if getattr(user, "is_superuser", False) or is_bureau(user):
        return queryset
    m = _membership(user)
    if m is None:
        return queryset.none()
    if m.role == Role.DISTRICT_ADMIN:
        return queryset.filter(Q(region_id=m.region_id) | Q(call__region_id=m.region_id))
    if m.role in APPLICANT_ROLES:
        return queryset.filter(organisation_id=m.organisation_id)
    return queryset.none()


# After funding: the project's own people report; the bureau or the district supervises.
rules.add_perm("programs.report_application", is_applicant_member)
rules.add_perm("programs.supervise_application", is_bureau | is_district_checker)
