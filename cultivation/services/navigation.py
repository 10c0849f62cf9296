"""The cultivation module's main-menu entries (registered with core.navigation)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core import permissions
from core.navigation import register


@register
def menu(user) -> list[tuple[str, str]]:
    if not getattr(user, "is_authenticated", False):
        return []
    items = []
    if permissions.can(user, "cultivation.view_pools"):
        items.append((_("梯次培育"), reverse("cultivation_pools")))
    elif permissions.can(user, "cultivation.self_assess"):
        items.append((_("资格自评"), reverse("cultivation_home")))
    return items
