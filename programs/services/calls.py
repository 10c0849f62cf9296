"""Calls (申报指南): drafted and published by whoever manages them, then open by their dates."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import permissions
from core.exceptions import InvalidTransition, NotAllowed
from core.services import audit
from programs.choices import AttachmentKind, CallKind, CallStatus
from programs.models import Call, Topic
from programs.permissions import visible_calls


def get_call_for_user(user, pk: int, *, manage: bool = False) -> Call:
    call = Call.objects.filter(pk=pk).select_related("region").first()
    perm = "programs.manage_call" if manage else "programs.view_call"
    if call is None or not permissions.can(user, perm, call):
        raise NotAllowed(_("指南不存在或您无权访问。"))
    return call


def calls_for(user):
    return visible_calls(Call.objects.select_related("region"), user)


def validate_criteria(criteria: list[dict]) -> None:
    if not criteria:
        raise InvalidTransition(_("评分指标不能为空。"))
    keys = [c.get("key") for c in criteria]
    if len(set(keys)) != len(keys) or not all(keys):
        raise InvalidTransition(_("评分指标的代码必须填写且不能重复。"))
    if sum(int(c.get("points", 0)) for c in criteria) != 100:
        raise InvalidTransition(_("评分指标的分值合计必须为100分。"))


FIELD_TYPES = {"text": "文本", "number": "数字", "choice": "选项"}


def validate_form_fields(fields: list[dict]) -> None:
    """Extra questions of a call: [{key, label, type: text|number|choice, required, choices}]."""
    seen = set()
    for n, field in enumerate(fields, start=1):
        key = str(field.get("key", ""))
        if not key.isidentifier() or key in seen:
            raise InvalidTransition(
                _("附加栏目第%(n)d项的代码须为字母、数字或下划线且不重复。") % {"n": n}
            )
        seen.add(key)
        if not str(field.get("label", "")).strip():
            raise InvalidTransition(_("附加栏目第%(n)d项缺少名称。") % {"n": n})
        if field.get("type") not in FIELD_TYPES:
            raise InvalidTransition(
                _("附加栏目“%(l)s”的类型须为：%(t)s。")
                % {"l": field["label"], "t": "、".join(FIELD_TYPES.values())}
            )
        if field["type"] == "choice" and not field.get("choices"):
            raise InvalidTransition(_("附加栏目“%(l)s”须列出可选项。") % {"l": field["label"]})


def validate_attachment_kinds(kinds: list[str]) -> None:
    unknown = set(kinds) - set(AttachmentKind.values)
    if unknown:
        raise InvalidTransition(_("附件类型无效：%(k)s。") % {"k": "、".join(sorted(unknown))})


def _validate(call: Call) -> None:
    call.full_clean()
    validate_criteria(call.criteria)
    validate_form_fields(call.form_fields)
    validate_attachment_kinds(call.required_attachments)


def create_call(actor, *, topics: list[dict] | None = None, **data: Any) -> Call:
    region = data.get("region")
    permissions.require(
        actor,
        "programs.manage_call",
        Call(region=region),
        _("您只能为本区县组织指南。") if region else _("只有市科技局可以组织市级指南。"),
    )
    regions = data.pop("eligible_regions", None)
    with transaction.atomic():
        call = Call(created_by=actor, **data)
        _validate(call)
        call.save()
        if regions is not None:
            call.eligible_regions.set(regions)
        for position, topic in enumerate(topics or []):
            add_topic(actor, call, sort_order=position, **topic)
        audit.record_create(actor, call)
    return call


def update_call(actor, call: Call, **data: Any) -> Call:
    permissions.require(actor, "programs.manage_call", call)
    regions = data.pop("eligible_regions", None)
    with transaction.atomic():
        call = Call.objects.select_for_update().get(pk=call.pk)
        before = audit.snapshot(call)
        if call.status == CallStatus.PUBLISHED and call.applications.exists():
            locked = {
                "kind",
                "max_funding",
                "eligible_org_types",
                "criteria",
                "form_fields",
                "required_attachments",
            } & set(data)
            if locked:
                raise InvalidTransition(
                    _("已有单位申报，不能再修改类型、资助上限、申报条件或评分指标。")
                )
        for field, value in data.items():
            setattr(call, field, value)
        _validate(call)
        call.save()
        if regions is not None:
            call.eligible_regions.set(regions)
        audit.record_update(actor, call, before)
    return call


def add_topic(actor, call: Call, **data: Any) -> Topic:
    permissions.require(actor, "programs.manage_call", call)
    if call.kind == CallKind.CHALLENGE and (not data.get("demand") or not data.get("reward")):
        raise InvalidTransition(_("揭榜挂帅的榜单须关联企业技术需求并注明榜单金额。"))
    topic = Topic(call=call, **data)
    topic.full_clean()
    topic.save()
    audit.record_create(actor, topic)
    return topic


def publish_call(actor, call: Call) -> Call:
    permissions.require(actor, "programs.manage_call", call)
    with transaction.atomic():
        call = Call.objects.select_for_update().get(pk=call.pk)
        if call.status != CallStatus.DRAFT:
            raise InvalidTransition(_("只有草稿状态的指南可以发布。"))
        if call.kind == CallKind.CHALLENGE and not call.topics.exists():
            raise InvalidTransition(_("揭榜挂帅指南至少需要一个榜单。"))
        if call.closes_at <= timezone.now():
            raise InvalidTransition(_("申报截止时间已过，请先修改时间再发布。"))
        before = audit.snapshot(call)
        call.status = CallStatus.PUBLISHED
        call.published_at = timezone.now()
        call.save(update_fields=["status", "published_at", "updated_at"])
        audit.record_update(actor, call, before, note=_("发布指南"))
    return call
