"""What the sharing pages share: the section's tabs (as far as the user may open them)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy

from core import permissions
from sharing.services.hosting import hosts_any_instrument


def tabs(user, active: str) -> list[dict]:
    """The sharing section's tabs; `active` is the key of the current one."""
    signed_in = getattr(user, "is_authenticated", False)
    bureau = permissions.can(user, "sharing.manage")
    items = [
        ("home", gettext_lazy("共享服务"), "sharing_home"),
        ("instruments", gettext_lazy("仪器共享"), "sharing_instruments"),
    ]
    if signed_in and (permissions.can(user, "sharing.book") or bureau):
        items.append(("bookings", gettext_lazy("预约与使用"), "sharing_bookings"))
    if permissions.can(user, "sharing.claim_subsidy") or bureau:
        items.append(("subsidies", gettext_lazy("先用后补"), "sharing_subsidies"))
    if permissions.can(user, "sharing.view_statistics") or hosts_any_instrument(user):
        items.append(("statistics", gettext_lazy("共享统计"), "sharing_statistics"))
    items.append(("evaluations", gettext_lazy("开放共享评价"), "sharing_evaluations"))
    items.append(("programs", gettext_lazy("创新券"), "sharing_programs"))
    items.append(("providers", gettext_lazy("服务机构"), "sharing_providers"))
    if permissions.can(user, "sharing.redeem") or bureau:
        items.append(("redemptions", gettext_lazy("核销与兑付"), "sharing_redemptions"))
    if bureau:
        items.append(("flags", gettext_lazy("异常核查"), "sharing_flags"))
    return [
        {"url": reverse(name), "label": label, "active": key == active}
        for key, label, name in items
    ]
