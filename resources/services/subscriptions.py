"""Saved searches: their owners hear of newly published records that match."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.http import QueryDict
from django.utils.translation import gettext as _
from django_tasks import task

from core.models import Notification
from resources.models import Subscription
from resources.registry import KIND_BY_MODEL, KINDS


def subscribe(user, kind_key: str, name: str, query: str) -> Subscription:
    from core.exceptions import ServiceError

    if not user.is_authenticated:
        raise ServiceError(_("请先登录再订阅。"), code="login_required")
    if kind_key not in KINDS:
        raise ServiceError(_("未知的资源类型。"), code="invalid")
    name = (name or "").strip() or str(KINDS[kind_key].label)
    query = "&".join(
        p for p in (query or "").split("&") if p and not p.startswith(("page=", "export="))
    )
    return Subscription.objects.create(
        user=user, kind=kind_key, name=name[:100], query=query[:1000]
    )


def matching_subscriptions(record) -> list[Subscription]:
    from resources.filtersets import filterset_for

    kind = KIND_BY_MODEL[type(record)]
    matched = []
    for sub in Subscription.objects.filter(kind=kind.key).select_related("user"):
        fs = filterset_for(kind)(
            QueryDict(sub.query), queryset=kind.model.objects.filter(pk=record.pk)
        )
        if fs.is_valid() and fs.qs.exists():
            matched.append(sub)
    return matched


def notify(record) -> int:
    kind = KIND_BY_MODEL[type(record)]
    url = f"/resources/{kind.key}/{record.pk}/"
    count = 0
    for sub in matching_subscriptions(record):
        title = _("订阅“%(name)s”有新的%(kind)s：%(title)s") % {
            "name": sub.name,
            "kind": kind.label,
            "title": record.title,
        }
        Notification.objects.create(user=sub.user, title=title[:200], url=url)
        if sub.email and sub.user.email:
            send_mail(
                title,
                f"{record.title}\n{url}",
                settings.DEFAULT_FROM_EMAIL,
                [sub.user.email],
                fail_silently=True,
            )
        count += 1
    return count


@task()
def notify_task(app_label: str, model_name: str, pk: int) -> int:
    from django.apps import apps

    record = apps.get_model(app_label, model_name).objects.get(pk=pk)
    return notify(record)


def notify_later(record) -> None:
    meta = record._meta
    transaction.on_commit(lambda: notify_task.enqueue(meta.app_label, meta.model_name, record.pk))
