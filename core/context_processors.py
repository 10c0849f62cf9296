from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core import permissions
from core.navigation import entries


def navigation(request):
    """The navigation shows only what exists and what this user may open."""
    user = request.user
    # The brand in the top bar is the way home, so the row keeps room for the modules.
    items = [
        (_("科技资源"), reverse("resource_catalog", args=["achievements"])),
        (_("单位名录"), reverse("organisation_list")),
    ]
    if user.is_authenticated and user.current_membership is not None:
        items.append((_("本单位资源"), reverse("resource_mine")))
    if permissions.can(user, "bridging.use_workbench"):
        items.append((_("对接工作台"), reverse("bridging_workbench")))
    elif user.is_authenticated and user.current_membership is not None:
        items.append((_("我的对接"), reverse("bridging_mine")))
    for more in entries:
        items += more(user)
    # Review, integrity and back-office tools go under one "管理" menu, so that the main row
    # fits a 1366-pixel screen for every role.
    tools = []
    if permissions.can(user, "resources.review_record"):
        tools.append((_("审核队列"), reverse("resource_review")))
    if permissions.can(user, "integrity.view_record"):
        tools.append((_("科研诚信"), reverse("integrity_list")))
    if user.is_authenticated:
        tools.append((_("后台任务"), reverse("job_list")))
    if permissions.can(user, "core.view_auditentry"):
        tools.append((_("审计日志"), reverse("audit_list")))
    if user.is_authenticated and user.is_staff and permissions.can(user, "core.use_backoffice"):
        tools.append((_("管理后台"), reverse("admin:index")))
    current = request.path
    # The longest matching address is the current item (/programs/reviews/ is not /programs/).
    matching = [
        url
        for _label, url in items + tools
        if url == current or (url != "/" and current.startswith(url))
    ]
    active = max(matching, key=len, default=None)
    nav = [{"label": label, "url": url, "active": url == active} for label, url in items]
    tool_items = [{"label": label, "url": url, "active": url == active} for label, url in tools]
    unread = user.notifications.filter(read_at__isnull=True).count() if user.is_authenticated else 0
    return {
        "nav_items": nav,
        "nav_tools": tool_items,
        "nav_tools_active": any(t["active"] for t in tool_items),
        "unread_notifications": unread,
    }
