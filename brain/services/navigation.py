"""科创大脑 in the main menu (registered with core.navigation), and the brain's section tabs.

Every part of the brain adds its pages to the tabs with `tab(...)` when its module is imported
(from BrainConfig.ready()); `section_tabs(user, active)` lists those the user may open, and
the template `brain/_tabs.html` shows them."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from core import permissions
from core.navigation import register


@register
def menu(user) -> list[tuple[str, str]]:
    if not getattr(user, "is_authenticated", False):
        return []
    if permissions.can(user, "brain.view"):
        return [(_("科创大脑"), reverse("brain_home"))]
    return []


@dataclass(frozen=True)
class Tab:
    key: str
    label: str
    url_name: str
    permission: str
    order: int


_TABS: dict[str, Tab] = {}


def tab(key: str, label, url_name: str, permission: str = "brain.view", order: int = 50) -> None:
    """Add a page to the brain's section tabs (lower `order` first)."""
    _TABS[key] = Tab(key, label, url_name, permission, order)


def section_tabs(user, active: str) -> list[dict]:
    items = []
    for t in sorted(_TABS.values(), key=lambda t: (t.order, t.key)):
        if not permissions.can(user, t.permission):
            continue
        try:
            url = reverse(t.url_name)
        except NoReverseMatch:
            continue
        items.append({"key": t.key, "label": t.label, "url": url, "active": t.key == active})
    return items


tab("targets", _("目标监测"), "brain_targets", order=10)
tab("catalog", _("指标目录"), "brain_catalog", order=20)
tab("import", _("填报与导入"), "brain_import", permission="brain.enter_value", order=80)
