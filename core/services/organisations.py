"""Creating and changing organisations."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import ProtectedError, RestrictedError
from django.utils.translation import gettext as _

from core import permissions
from core.exceptions import InvalidTransition
from core.models import Organisation
from core.services import audit

EDITABLE_FIELDS = (
    "name",
    "type",
    "uscc",
    "region",
    "industry",
    "size",
    "address",
    "contact_phone",
    "introduction",
)


def _apply(org: Organisation, data: dict[str, Any]) -> list:
    chain_nodes = data.pop("chain_nodes", None)
    unknown = set(data) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    for name, value in data.items():
        setattr(org, name, value)
    org.full_clean()
    return chain_nodes


def _region_message(actor) -> str | None:
    """A district admin is told why, rather than the generic refusal."""
    if permissions.is_district_admin.test(actor):
        return _("您只能管理本辖区内的单位。")
    return None


def create_organisation(actor, **data: Any) -> Organisation:
    org = Organisation()
    chain_nodes = _apply(org, data)
    permissions.require(actor, "core.add_organisation", org, _region_message(actor))
    with transaction.atomic():
        org.save()
        if chain_nodes is not None:
            org.chain_nodes.set(chain_nodes)
        audit.record_create(actor, org)
    return org


def update_organisation(actor, org: Organisation, **data: Any) -> Organisation:
    permissions.require(actor, "core.change_organisation", org)
    with transaction.atomic():
        org = Organisation.objects.select_for_update().get(pk=org.pk)
        before = audit.snapshot(org)
        original_region = org.region
        chain_nodes = _apply(org, data)
        # Moving an organisation out of one's own district is also an edit of the target region.
        if org.region_id != original_region.pk:
            permissions.require(actor, "core.change_organisation", org, _region_message(actor))
        org.save()
        if chain_nodes is not None:
            org.chain_nodes.set(chain_nodes)
        audit.record_update(actor, org, before)
    return org


def delete_organisation(actor, org: Organisation) -> None:
    """Delete an organisation nothing else refers to; one with records, members or projects is
    refused with the kinds of rows that keep it (rather than a server error)."""
    permissions.require(actor, "core.delete_organisation", org)
    try:
        with transaction.atomic():
            before = audit.snapshot(org)
            audit.record_delete(actor, org, before)
            org.delete()
    except (ProtectedError, RestrictedError) as exc:
        rows = getattr(exc, "protected_objects", None) or getattr(exc, "restricted_objects", ())
        kinds = sorted({str(type(row)._meta.verbose_name) for row in rows})
        raise InvalidTransition(
            _("该单位仍有关联的%(kinds)s，不能删除。") % {"kinds": "、".join(kinds)}
        ) from None
