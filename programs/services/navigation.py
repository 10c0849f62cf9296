"""The programs module's main-menu entries (registered with core.navigation)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.navigation import register
from programs.services.review import assignments_for_expert


@register
def menu(user) -> list[tuple[str, str]]:
    items = [(_("科技计划"), reverse("program_call_list"))]
    if getattr(user, "is_authenticated", False) and assignments_for_expert(user).exists():
        items.append((_("评审任务"), reverse("program_review_list")))
    return items
