"""双随机 spot checks: the list, a new draw, and one draw with its parameters, the enterprises and
inspectors drawn, whether the draw reproduces, and the list for publication."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _

from core.decorators import http_errors
from core.exceptions import ServiceError
from core.exports import EXPORT_FORMATS, export_response
from core.models import Region
from core.views import paginate
from cultivation.forms import SpotCheckForm
from cultivation.models import SpotCheck
from cultivation.services import spotchecks
from cultivation.views.pools import page, require

PERM = "cultivation.manage_spot_checks"


@login_required
def spot_check_list(request):
    require(request, PERM)
    with http_errors():
        checks = (
            spotchecks.spot_checks_for(request.user)
            .annotate(drawn=Count("items"))
            .order_by("-created_at", "-pk")
        )
    paged, query = paginate(request, checks)
    for check in paged:
        check.population_size = sum(len(v) for v in check.population.get("strata", {}).values())
    return page(
        request,
        "cultivation/spot_check_list.html",
        {"page": paged, "query": query},
        section="spot_checks",
    )


@login_required
def spot_check_create(request):
    require(request, PERM)
    form = SpotCheckForm(
        request.POST or None,
        initial={"on": timezone.localdate(), "inspectors_per_enterprise": 2},
    )
    if request.method == "POST" and form.is_valid():
        try:
            check = spotchecks.create_spot_check(request.user, **form.cleaned_data)
        except ServiceError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request,
                _("已从 %(p)d 户在库企业中随机抽取 %(n)d 户，并随机选派了检查人员。")
                % {
                    "p": sum(len(v) for v in check.population["strata"].values()),
                    "n": check.items.count(),
                },
            )
            return redirect("cultivation_spot_check", pk=check.pk)
    return page(request, "cultivation/spot_check_form.html", {"form": form}, section="spot_checks")


def _items(check: SpotCheck):
    items = list(spotchecks.items_of(check).order_by("position"))
    for item in items:
        item.team = sorted(item.inspectors.all(), key=lambda i: i.name)
    return items


def _reproduces(check: SpotCheck) -> bool:
    try:
        return spotchecks.reproduces(check)
    except (ServiceError, KeyError, TypeError, ValueError):
        return False  # a record that cannot even be drawn again does not reproduce


@login_required
def spot_check_detail(request, pk: int):
    require(request, PERM)
    with http_errors():
        check = spotchecks.get_spot_check(request.user, pk)
    items = _items(check)
    fmt = request.GET.get("export")
    if fmt in EXPORT_FORMATS:
        headers = [
            _("抽查任务"),
            _("序号"),
            _("被抽查企业"),
            _("统一社会信用代码"),
            _("所在区域"),
            _("检查人员"),
            _("抽取基准日"),
        ]
        rows = (
            (
                check.title,
                item.position,
                item.organisation.name,
                item.organisation.uscc,
                item.organisation.region.name,
                "、".join(f"{i.name}（{i.unit}）" for i in item.team),
                check.on.isoformat(),
            )
            for item in items
        )
        name = _("%(title)s抽查名单") % {"title": check.title}
        return export_response(headers, rows, name, fmt, _("抽查名单"))
    strata = check.population.get("strata", {})
    quotas = check.strata or {}
    order = {r.name: i for i, r in enumerate(Region.objects.filter(name__in=list(strata)))}
    strata_rows = sorted(
        (
            {"name": name, "size": len(members), "quota": quotas.get(name, 0)}
            for name, members in strata.items()
        ),
        key=lambda row: (order.get(row["name"], len(order)), row["name"]),
    )
    return page(
        request,
        "cultivation/spot_check_detail.html",
        {
            "check": check,
            "items": items,
            "strata": strata_rows,
            "population_size": sum(row["size"] for row in strata_rows),
            "inspector_pool": len(check.population.get("inspectors", [])),
            "reproduces": _reproduces(check),
        },
        section="spot_checks",
    )
