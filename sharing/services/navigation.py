"""The sharing module's main-menu entry (registered with core.navigation)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.navigation import register


@register
def menu(user) -> list[tuple[str, str]]:
    return [(_("共享服务"), reverse("sharing_home"))]
