"""The audit trail: every service that changes data writes one entry through `record`."""

from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models

from core.choices import AuditAction
from core.models import AuditEntry


def _display(obj: models.Model, field: models.Field) -> Any:
    if field.many_to_many:
        if obj.pk is None:
            return []
        return sorted(str(o) for o in getattr(obj, field.name).all())
    value = getattr(obj, field.attname)
    if value is None:
        return None
    if field.is_relation:
        return str(getattr(obj, field.name))
    if field.choices:
        labels = dict(field.flatchoices)
        if isinstance(value, list):  # a list of choices, e.g. integrity's ChoiceListField
            return [str(labels.get(v, v)) for v in value]
        return str(labels.get(value, value))
    if isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


def audited_fields(obj: models.Model) -> list[models.Field]:
    skip = {"password", "last_login", "created_at", "updated_at", "failed_logins", "locked_until"}
    return [
        f
        for f in obj._meta.get_fields()
        if f.concrete and not f.auto_created and f.name not in skip and not f.primary_key
    ]


def snapshot(obj: models.Model) -> dict[str, Any]:
    """Readable values of an object's fields, for comparing before and after a change."""
    return {f.name: _display(obj, f) for f in audited_fields(obj)}


def diff(old: dict[str, Any], new: dict[str, Any]) -> dict[str, list[Any]]:
    return {
        k: [old.get(k), new.get(k)] for k in new.keys() | old.keys() if old.get(k) != new.get(k)
    }


def record(
    actor,
    action: str,
    obj: models.Model | None = None,
    changes: dict[str, list[Any]] | None = None,
    *,
    note: str = "",
    ip_address: str | None = None,
    object_repr: str | None = None,
) -> AuditEntry:
    actor_ok = actor is not None and getattr(actor, "is_authenticated", False)
    return AuditEntry.objects.create(
        actor=actor if actor_ok else None,
        actor_name=(str(actor) if actor_ok else "")[:150],
        action=action,
        content_type=ContentType.objects.get_for_model(obj) if obj is not None else None,
        object_id=str(obj.pk) if obj is not None and obj.pk is not None else "",
        object_repr=(object_repr or (str(obj) if obj is not None else ""))[:200],
        changes=changes or {},
        note=note[:300],
        ip_address=ip_address,
    )


def record_create(actor, obj: models.Model, **kwargs) -> AuditEntry:
    new = snapshot(obj)
    changes = {k: [None, v] for k, v in new.items() if v not in (None, "", [])}
    return record(actor, AuditAction.CREATE, obj, changes, **kwargs)


def record_update(actor, obj: models.Model, before: dict[str, Any], **kwargs) -> AuditEntry | None:
    changes = diff(before, snapshot(obj))
    if not changes:
        return None
    return record(actor, AuditAction.UPDATE, obj, changes, **kwargs)


def record_delete(actor, obj: models.Model, before: dict[str, Any], **kwargs) -> AuditEntry:
    changes = {k: [v, None] for k, v in before.items() if v not in (None, "", [])}
    return record(actor, AuditAction.DELETE, obj, changes, **kwargs)


def field_label(entry: AuditEntry, name: str) -> str:
    model = entry.content_type.model_class() if entry.content_type_id else None
    if model is None:
        return name
    try:
        return str(model._meta.get_field(name).verbose_name)
    except Exception:
        return name
