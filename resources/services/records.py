"""The lifecycle of every resource-library record.

draft → submitted → published | returned (with the reviewer's reason) → archived.
A published record that is edited stays as it is in public; the edit waits as a pending
version until a reviewer approves it. Each publication is kept as a numbered version, so the
history of what the public saw can be compared version by version.
"""

from __future__ import annotations

import datetime
import decimal
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import permissions
from core.choices import AuditAction
from core.exceptions import InvalidTransition, NotAllowed
from core.models import AuditEntry
from core.services import audit
from resources.choices import RecordStatus, VersionStatus
from resources.models import PublicRecord, RecordVersion
from resources.search import tokens_for
from resources.services import hooks

_BASE_FIELDS = {f.name for f in PublicRecord._meta.get_fields()} - {"region"}


def editable_fields(model) -> list[models.Field]:
    """The fields an owner fills in, in the model's order, with the shared region last."""
    fields = [
        f
        for f in model._meta.get_fields()
        if (f.concrete or f.many_to_many)
        and not f.auto_created
        and f.editable
        and f.name not in _BASE_FIELDS
        and f.name != "id"
    ]
    return sorted(fields, key=lambda f: f.name == "region")


def _plain(value: Any) -> Any:
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    if isinstance(value, models.Model):
        return value.pk
    return value


def record_data(record, m2m: dict[str, list] | None = None) -> dict[str, Any]:
    """Field values of a record as JSON data (foreign keys and many-to-many as primary keys)."""
    data: dict[str, Any] = {}
    for f in editable_fields(type(record)):
        if f.many_to_many:
            if m2m is not None and f.name in m2m:
                data[f.name] = sorted(_plain(v) for v in m2m[f.name])
            else:
                data[f.name] = (
                    sorted(getattr(record, f.name).values_list("pk", flat=True))
                    if record.pk
                    else []
                )
        else:
            data[f.name] = _plain(getattr(record, f.attname))
    return data


def readable(model, data: dict[str, Any]) -> dict[str, Any]:
    """The same data as people read it: names instead of keys, labels instead of codes."""
    out: dict[str, Any] = {}
    for f in editable_fields(model):
        if f.name not in data:
            continue
        value = data[f.name]
        if f.many_to_many:
            out[f.name] = sorted(str(o) for o in f.related_model.objects.filter(pk__in=value or []))
        elif f.is_relation:
            out[f.name] = (
                str(f.related_model.objects.filter(pk=value).first() or "") if value else None
            )
        elif f.choices:
            out[f.name] = (
                str(dict(f.flatchoices).get(value, value)) if value not in (None, "") else value
            )
        elif isinstance(value, list):
            out[f.name] = "；".join(
                " ".join(str(v) for v in item.values()) if isinstance(item, dict) else str(item)
                for item in value
            )
        else:
            out[f.name] = value
    return out


def _apply(record, data: dict[str, Any]) -> dict[str, list]:
    """Set plain fields on the record; return the many-to-many values to set after saving."""
    m2m: dict[str, list] = {}
    fields = {f.name: f for f in editable_fields(type(record))}
    unknown = set(data) - set(fields)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    for name, value in data.items():
        f = fields[name]
        if f.many_to_many:
            m2m[name] = [] if value is None else list(value)
        elif f.is_relation:
            setattr(record, f.attname, value.pk if isinstance(value, models.Model) else value)
        else:
            setattr(record, name, value)  # full_clean() converts text to the field's type
    return m2m


def _save(record, m2m: dict[str, list]) -> None:
    record.search_tokens = tokens_for(record)
    record.save()
    for name, values in m2m.items():
        getattr(record, name).set(values)


def create_record(actor, model, data: dict[str, Any]):
    """A new draft owned by the organisation the actor currently acts for."""
    permissions.require(
        actor, "resources.add_record", message=_("只有企业、高校院所等单位用户可以填报资源信息。")
    )
    membership = actor.current_membership
    record = model(owner=membership.organisation, created_by=actor, status=RecordStatus.DRAFT)
    data = dict(data)
    if not data.get("region"):
        data["region"] = membership.organisation.region
    m2m = _apply(record, data)
    record.full_clean(exclude=["search_tokens"])
    with transaction.atomic():
        _save(record, m2m)
        audit.record_create(actor, record)
    return record


def create_records(
    actor, model, items: list[dict[str, Any]], *, submit: bool = False, progress=None
) -> int:
    """Many new drafts at once (imports): the same rules as `create_record`, written in bulk.

    `items` must already be validated by the record form, which runs the model's validation;
    each record still gets its own audit entry (and a transition entry when submitted).
    """
    permissions.require(
        actor, "resources.add_record", message=_("只有企业、高校院所等单位用户可以填报资源信息。")
    )
    membership = actor.current_membership
    now = timezone.now()
    m2m_fields = [f for f in editable_fields(model) if f.many_to_many]
    content_type = ContentType.objects.get_for_model(model)
    status = RecordStatus.SUBMITTED if submit else RecordStatus.DRAFT
    batch = 1000
    with transaction.atomic():
        for start in range(0, len(items), batch):
            chunk = items[start : start + batch]
            built, links = [], []
            for data in chunk:
                data = dict(data)
                if not data.get("region"):
                    data["region"] = membership.organisation.region
                record = model(owner=membership.organisation, created_by=actor, status=status)
                if submit:
                    record.submitted_at = now
                links.append(_apply(record, data))
                record.search_tokens = tokens_for(record)
                record.derive()  # bulk_create does not call save()
                built.append(record)
            model.objects.bulk_create(built)
            for f in m2m_fields:
                through = f.remote_field.through
                src, dst = f.m2m_field_name(), f.m2m_reverse_field_name()
                through.objects.bulk_create(
                    [
                        through(**{f"{src}_id": r.pk, f"{dst}_id": getattr(v, "pk", v)})
                        for r, m2m in zip(built, links, strict=True)
                        for v in m2m.get(f.name, [])
                    ]
                )
            entries = []
            for record, data in zip(built, chunk, strict=True):
                changes = {
                    k: [None, _shown(model, k, v)]
                    for k, v in data.items()
                    if v not in (None, "", [])
                }
                entries.append(_entry(actor, AuditAction.CREATE, content_type, record, changes, ""))
                if submit:
                    entries.append(
                        _entry(
                            actor,
                            AuditAction.TRANSITION,
                            content_type,
                            record,
                            {"status": ["草稿", "待审核"]},
                            "",
                        )
                    )
            AuditEntry.objects.bulk_create(entries)
            if progress is not None:
                progress.advance(len(chunk))
    return len(items)


def _shown(model, name: str, value: Any) -> Any:
    """How a validated form value reads in the audit trail, without asking the database."""
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, (list, tuple)) or hasattr(value, "model"):
        return sorted(str(v) for v in value)
    field = model._meta.get_field(name)
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    return _plain(value)


def _entry(actor, action, content_type, record, changes, note) -> AuditEntry:
    return AuditEntry(
        actor=actor,
        actor_name=str(actor)[:150],
        action=action,
        content_type=content_type,
        object_id=str(record.pk),
        object_repr=str(record)[:200],
        changes=changes,
        note=note,
    )


def _locked(record):
    return type(record).objects.select_for_update().get(pk=record.pk)


def pending_version(record) -> RecordVersion | None:
    return RecordVersion.objects.filter(
        content_type=ContentType.objects.get_for_model(record),
        object_id=record.pk,
        status=VersionStatus.PENDING,
    ).first()


def _next_number(record) -> int:
    last = (
        RecordVersion.objects.filter(
            content_type=ContentType.objects.get_for_model(record), object_id=record.pk
        )
        .order_by("-number")
        .values_list("number", flat=True)
        .first()
    )
    return (last or 0) + 1


def update_record(actor, record, data: dict[str, Any]):
    """Edit a record. Drafts and returned records change in place; a published record keeps
    its public content and the edit waits as a pending version for review."""
    permissions.require(
        actor, "resources.change_record", record, _("您不能修改其他单位的资源信息。")
    )
    with transaction.atomic():
        record = _locked(record)
        if "region" in data and not data["region"]:
            data = {**data, "region": record.region}
        if record.status in (RecordStatus.DRAFT, RecordStatus.RETURNED):
            before = audit.snapshot(record)
            m2m = _apply(record, data)
            record.full_clean(exclude=["search_tokens"])
            _save(record, m2m)
            audit.record_update(actor, record, before)
            return record
        if record.status != RecordStatus.PUBLISHED:
            raise InvalidTransition(
                _("“%(status)s”状态的记录不能修改。") % {"status": record.get_status_display()}
            )
        proposed = type(record).objects.get(pk=record.pk)
        m2m = _apply(proposed, data)
        proposed.full_clean(exclude=["search_tokens"])
        new_data = record_data(proposed, m2m)
        if new_data == record_data(record):
            return record
        version = pending_version(record)
        if version is None:
            version = RecordVersion(
                content_type=ContentType.objects.get_for_model(record),
                object_id=record.pk,
                number=_next_number(record),
                status=VersionStatus.PENDING,
            )
        version.data, version.created_by = new_data, actor
        version.save()
        audit.record(
            actor,
            AuditAction.UPDATE,
            record,
            audit.diff(
                readable(type(record), record_data(record)), readable(type(record), new_data)
            ),
            note=_("提交修改，待审核（第%(n)d版）") % {"n": version.number},
        )
        return version


def _transition(actor, record, to: str, reason: str = "") -> None:
    old = record.get_status_display()
    record.status = to
    record.save(
        update_fields=["status", "return_reason", "submitted_at", "published_at", "updated_at"]
    )
    audit.record(
        actor,
        AuditAction.TRANSITION,
        record,
        {"status": [old, record.get_status_display()]},
        note=reason,
    )


def submit_record(actor, record):
    permissions.require(
        actor, "resources.change_record", record, _("您不能提交其他单位的资源信息。")
    )
    with transaction.atomic():
        record = _locked(record)
        if record.status not in (RecordStatus.DRAFT, RecordStatus.RETURNED):
            raise InvalidTransition(_("只有草稿或被退回的记录可以提交审核。"))
        record.submitted_at = timezone.now()
        _transition(actor, record, RecordStatus.SUBMITTED)
    return record


def _publish_version(actor, record) -> RecordVersion:
    return RecordVersion.objects.create(
        content_type=ContentType.objects.get_for_model(record),
        object_id=record.pk,
        number=_next_number(record),
        status=VersionStatus.APPROVED,
        data=record_data(record),
        created_by=record.created_by,
        reviewed_by=actor,
        reviewed_at=timezone.now(),
    )


def approve_record(actor, record):
    """Publish a submitted record, or apply the pending edit of a published one."""
    permissions.require(
        actor, "resources.review_record", record, _("您无权审核该记录（不在您的管辖范围内）。")
    )
    from resources.services.subscriptions import notify_later

    with transaction.atomic():
        record = _locked(record)
        version = pending_version(record) if record.status == RecordStatus.PUBLISHED else None
        if version is not None:
            before = audit.snapshot(record)
            m2m = _apply(record, version.data)
            record.full_clean(exclude=["search_tokens"])
            _save(record, m2m)
            version.status, version.reviewed_by, version.reviewed_at = (
                VersionStatus.APPROVED,
                actor,
                timezone.now(),
            )
            version.save()
            audit.record_update(
                actor, record, before, note=_("审核通过第%(n)d版") % {"n": version.number}
            )
            hooks.record_changed(record)
            return record
        if record.status != RecordStatus.SUBMITTED:
            raise InvalidTransition(_("该记录没有待审核的内容。"))
        record.published_at, record.return_reason = timezone.now(), ""
        _transition(actor, record, RecordStatus.PUBLISHED)
        _publish_version(actor, record)
        notify_later(record)
        hooks.record_changed(record)
    return record


def return_record(actor, record, reason: str):
    """Send a submission or a pending edit back to its owner, with the reason."""
    permissions.require(
        actor, "resources.review_record", record, _("您无权审核该记录（不在您的管辖范围内）。")
    )
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("退回时必须填写原因。")})
    with transaction.atomic():
        record = _locked(record)
        version = pending_version(record) if record.status == RecordStatus.PUBLISHED else None
        if version is not None:
            version.status, version.reason = VersionStatus.RETURNED, reason
            version.reviewed_by, version.reviewed_at = actor, timezone.now()
            version.save()
            audit.record(
                actor,
                AuditAction.TRANSITION,
                record,
                {"version": [version.number, None]},
                note=reason,
            )
            return record
        if record.status != RecordStatus.SUBMITTED:
            raise InvalidTransition(_("该记录没有待审核的内容。"))
        record.return_reason = reason
        _transition(actor, record, RecordStatus.RETURNED, reason)
    return record


def archive_record(actor, record, reason: str = ""):
    permissions.require(actor, "resources.archive_record", record)
    with transaction.atomic():
        record = _locked(record)
        if record.status != RecordStatus.PUBLISHED:
            raise InvalidTransition(_("只有已发布的记录可以归档。"))
        _transition(actor, record, RecordStatus.ARCHIVED, reason)
        hooks.record_changed(record)
    return record


def bulk_review(actor, records, action: str, reason: str = "") -> tuple[int, list[str]]:
    """Approve or return several records; each is checked on its own. Returns (done, errors)."""
    done, errors = 0, []
    for record in records:
        try:
            if action == "approve":
                approve_record(actor, record)
            else:
                return_record(actor, record, reason)
            done += 1
        except (NotAllowed, InvalidTransition) as exc:
            errors.append(f"{record}：{exc.message}")
        except ValidationError as exc:
            errors.append(f"{record}：{'；'.join(exc.messages)}")
    return done, errors


def history(record) -> list[dict[str, Any]]:
    """Versions of a record, newest first, each with its differences from the one before."""
    versions = list(
        RecordVersion.objects.filter(
            content_type=ContentType.objects.get_for_model(record), object_id=record.pk
        )
        .select_related("created_by", "reviewed_by")
        .order_by("number")
    )
    model = type(record)
    labels = {f.name: str(f.verbose_name) for f in editable_fields(model)}
    out, previous = [], None
    for version in versions:
        shown = readable(model, version.data)
        changes = []
        if previous is not None:
            for name, new in shown.items():
                old = previous.get(name)
                if old != new:
                    changes.append({"field": labels.get(name, name), "old": old, "new": new})
        out.append({"version": version, "changes": changes})
        if version.status == VersionStatus.APPROVED:
            previous = shown
    return list(reversed(out))
