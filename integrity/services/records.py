"""Keeping records of dishonest conduct: register, correct and revoke, each checked and audited.

Only the bureau keeps records. A record is never deleted: a wrong or annulled finding is
revoked with a reason, and the revoked record stays visible with who revoked it and why.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _

from core import permissions
from core.choices import AuditAction
from core.exceptions import InvalidTransition
from core.services import audit
from core.services.jobs import Progress
from integrity import permissions as integrity_permissions
from integrity.models import IntegrityRecord

EDITABLE_FIELDS = (
    "subject_kind",
    "organisation",
    "person_name",
    "person_id_number",
    "user",
    "finding",
    "severity",
    "decision_number",
    "decision_date",
    "issued_by",
    "decision_document",
    "restricted_from",
    "restricted_until",
    "activities",
)


def records_for(user) -> QuerySet:
    """The records this user may read (all for the bureau and district admins, else none)."""
    queryset = IntegrityRecord.objects.select_related("organisation", "user", "revoked_by")
    return integrity_permissions.visible(queryset, user)


def get_record_for_user(user, pk: int) -> IntegrityRecord:
    """One record the user may read; anyone else gets a 404, so records do not reveal themselves."""
    return get_object_or_404(records_for(user), pk=pk)


def _apply(record: IntegrityRecord, data: dict[str, Any]) -> None:
    unknown = set(data) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    for name, value in data.items():
        if name == "decision_document":
            # As in forms: None keeps the current file, False removes it.
            IntegrityRecord._meta.get_field(name).save_form_data(record, value)
        else:
            setattr(record, name, value)
    record.full_clean()


def create_record(actor, data: dict[str, Any]) -> IntegrityRecord:
    permissions.require(
        actor, "integrity.add_record", message=_("只有市科技局可以登记科研失信记录。")
    )
    record = IntegrityRecord(created_by=actor)
    _apply(record, data)
    with transaction.atomic():
        record.save()
        audit.record_create(actor, record)
    return record


def create_records(actor, items: list[dict[str, Any]], progress: Progress | None = None) -> int:
    """Many records at once (imports), all or none; each gets its own audit entry.

    `items` are already validated by the record form, which runs the model's validation.
    """
    permissions.require(
        actor, "integrity.add_record", message=_("只有市科技局可以登记科研失信记录。")
    )
    progress = progress or Progress()
    with transaction.atomic():
        for data in items:
            record = IntegrityRecord(created_by=actor)
            _apply(record, data)
            record.save()
            audit.record_create(actor, record, note=_("批量导入"))
            progress.advance(1)
    return len(items)


def _locked(record: IntegrityRecord) -> IntegrityRecord:
    return IntegrityRecord.objects.select_for_update().get(pk=record.pk)


def update_record(actor, record: IntegrityRecord, data: dict[str, Any]) -> IntegrityRecord:
    permissions.require(
        actor, "integrity.change_record", record, _("只有市科技局可以修改科研失信记录。")
    )
    with transaction.atomic():
        record = _locked(record)
        if record.is_revoked:
            raise InvalidTransition(_("该记录已撤销，不能再修改。"))
        before = audit.snapshot(record)
        _apply(record, data)
        record.save()
        audit.record_update(actor, record, before)
    return record


def revoke_record(actor, record: IntegrityRecord, reason: str) -> IntegrityRecord:
    """Annul a record (the finding was overturned or entered in error); it no longer bars anyone."""
    permissions.require(
        actor, "integrity.revoke_record", record, _("只有市科技局可以撤销科研失信记录。")
    )
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("撤销时必须填写原因。")})
    with transaction.atomic():
        record = _locked(record)
        if record.is_revoked:
            raise InvalidTransition(
                _("该记录已于%(date)s撤销。")
                % {"date": timezone.localtime(record.revoked_at).strftime("%Y-%m-%d")}
            )
        before = audit.snapshot(record)
        record.revoked_at, record.revoked_by, record.revoke_reason = timezone.now(), actor, reason
        record.save(update_fields=["revoked_at", "revoked_by", "revoke_reason", "updated_at"])
        changes = audit.diff(before, audit.snapshot(record))
        audit.record(actor, AuditAction.TRANSITION, record, changes, note=reason)
    return record
