"""The bureau's tier pools: who is in which pool since when and on what basis, entries and exits
with the assessment behind each, one enterprise's history, and the batch scan. District
administrators read the pools of their own region. Every change goes through the services."""

from __future__ import annotations

import datetime

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from core import permissions
from core.choices import JobStatus, RegionKind
from core.decorators import http_errors
from core.exceptions import ServiceError
from core.exports import EXPORT_FORMATS, export_response
from core.models import Job, Organisation, Region
from core.services.jobs import start_job
from core.views import paginate
from cultivation.choices import TIER_RULESET, Tier
from cultivation.forms import DATE_INPUT, AdmitForm, ExitForm
from cultivation.models import PoolMembership
from cultivation.services import assessment, pools
from cultivation.services.assessment import STATUS_LABELS

SCAN_SHOWN = 200  # rows of each scan list shown on the page; the export has them all


def require(request, perm: str, obj=None) -> None:
    if not permissions.can(request.user, perm, obj):
        raise PermissionDenied


def page(request, template: str, context: dict, section: str = "pools", status: int = 200):
    """Render one of the bureau's cultivation pages, with the section tabs above it."""
    context = {**context, "section_tabs": section_tabs(request.user, section)}
    return render(request, template, context, status=status)


def verdict(a) -> str:
    """An assessment's conclusion in words (符合条件, 不符合条件, …)."""
    if a is None:
        return ""
    return str(STATUS_LABELS.get(a.status, a.status))


def _region_choices(user):
    regions = Region.objects.exclude(kind=RegionKind.CITY)
    m = user.current_membership
    if not permissions.can(user, "cultivation.manage_pools") and m is not None:
        regions = regions.filter(pk=m.region_id)
    return [("", gettext_lazy("全部区域")), *((str(r.pk), r.name) for r in regions)]


class PoolFilterForm(forms.Form):
    STATES = [
        ("current", gettext_lazy("在库")),
        ("exited", gettext_lazy("已出库")),
        ("all", gettext_lazy("全部")),
    ]
    state = forms.ChoiceField(label=gettext_lazy("状态"), choices=STATES, required=False)
    region = forms.ChoiceField(label=gettext_lazy("所在区域"), required=False)
    q = forms.CharField(
        label=gettext_lazy("企业名称或信用代码"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"placeholder": gettext_lazy("如：华锐")}),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = _region_choices(user)

    def filter(self, qs):
        data = self.cleaned_data if self.is_valid() else {}
        state = data.get("state") or "current"
        if state == "current":
            qs = qs.filter(exited_on__isnull=True)
        elif state == "exited":
            qs = qs.filter(exited_on__isnull=False)
        if data.get("region"):
            qs = qs.filter(organisation__region_id=int(data["region"]))
        text = (data.get("q") or "").strip()
        if text:
            qs = qs.filter(
                Q(organisation__name__icontains=text) | Q(organisation__uscc__icontains=text)
            )
        return qs


def _pool_rows(queryset):
    for stay in queryset.iterator(chunk_size=2000):
        a = stay.entry_assessment
        yield (
            stay.organisation.name,
            stay.organisation.uscc,
            stay.organisation.region.name,
            stay.get_tier_display(),
            stay.entered_on.isoformat(),
            stay.entry_reason,
            stay.certificate_number,
            verdict(a),
            float(a.score) if a is not None and a.score is not None else "",
            stay.exited_on.isoformat() if stay.exited_on else "",
            stay.exit_reason,
        )


@login_required
def pool_list(request):
    require(request, "cultivation.view_pools")
    user = request.user
    tier = request.GET.get("tier")
    if tier not in Tier.values:
        tier = Tier.SME_TECH
    visible = pools.members_for(user)
    counts = dict(
        visible.current()
        .order_by()
        .values_list("tier")
        .annotate(n=Count("pk"))
        .values_list("tier", "n")
    )
    tabs = [(value, label, counts.get(value, 0)) for value, label in Tier.choices]
    form = PoolFilterForm(request.GET, user=user)
    stays = form.filter(visible.filter(tier=tier)).order_by("-entered_on", "-pk")
    fmt = request.GET.get("export")
    if fmt in EXPORT_FORMATS:
        headers = [
            _("企业名称"),
            _("统一社会信用代码"),
            _("所在区域"),
            _("培育库"),
            _("入库日期"),
            _("入库依据"),
            _("证书或文件编号"),
            _("入库评价结论"),
            _("入库评价得分"),
            _("出库日期"),
            _("出库原因"),
        ]
        label = _("%(tier)s库名单") % {"tier": Tier(tier).label}
        return export_response(headers, _pool_rows(stays), label, fmt, label)
    paged, query = paginate(request, stays)
    for stay in paged:
        stay.verdict = verdict(stay.entry_assessment)
    filtered = any(request.GET.get(k) for k in ("state", "region", "q"))
    return page(
        request,
        "cultivation/pool_list.html",
        {
            "tier": tier,
            "tier_label": Tier(tier).label,
            "tabs": tabs,
            "form": form,
            "page": paged,
            "query": query,
            "filtered": filtered,
            "can_manage": permissions.can(user, "cultivation.manage_pools"),
            "can_scan": tier in TIER_RULESET,
        },
    )


@login_required
def admit(request):
    require(request, "cultivation.manage_pools")
    tier = request.GET.get("tier")
    initial = {
        "tier": tier if tier in Tier.values else Tier.SME_TECH,
        "entered_on": timezone.localdate(),
        "organisation": request.GET.get("organisation", ""),
    }
    form = AdmitForm(request.POST or None, initial=initial)
    form.fields["organisation"].required = True
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            stay = pools.admit(
                request.user,
                data["organisation"],
                data["tier"],
                data["entered_on"],
                data["reason"],
                certificate_number=data["certificate_number"],
                expert_confirmed=data["expert_confirmed"],
            )
        except ServiceError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request,
                _("%(org)s 已进入%(tier)s库。")
                % {"org": stay.organisation, "tier": stay.get_tier_display()},
            )
            return redirect("cultivation_stay", pk=stay.pk)
    return page(request, "cultivation/pool_admit.html", {"form": form})


def _stay_context(request, stay: PoolMembership, exit_form: ExitForm | None = None) -> dict:
    user = request.user
    can_exit = stay.is_current and permissions.can(user, "cultivation.manage_pools")
    if can_exit and exit_form is None:
        exit_form = ExitForm(initial={"exited_on": timezone.localdate(), "reassess": True})
    entry = stay.entry_assessment
    return {
        "stay": stay,
        "entry": entry,
        "entry_verdict": verdict(entry),
        "entry_gaps": (entry.result.get("gaps") or []) if entry else [],
        "exit": stay.exit_assessment,
        "exit_verdict": verdict(stay.exit_assessment),
        "exit_gaps": (stay.exit_assessment.result.get("gaps") or [])
        if stay.exit_assessment
        else [],
        "can_exit": can_exit,
        "exit_form": exit_form,
        "can_view_figures": permissions.can(user, "cultivation.view_figures", stay.organisation),
        "other_stays": PoolMembership.objects.current()
        .filter(organisation=stay.organisation)
        .exclude(pk=stay.pk),
    }


def _get_stay(request, pk: int) -> PoolMembership:
    require(request, "cultivation.view_pools")
    with http_errors():
        stay = pools.get_stay(request.user, pk)
    return (
        PoolMembership.objects.select_related(
            "organisation__region",
            "entry_assessment",
            "exit_assessment",
            "entered_by",
            "exited_by",
        )
    ).get(pk=stay.pk)


@login_required
def stay_detail(request, pk: int):
    stay = _get_stay(request, pk)
    return page(request, "cultivation/pool_stay.html", _stay_context(request, stay))


@login_required
@require_POST
def stay_exit(request, pk: int):
    require(request, "cultivation.manage_pools")
    stay = _get_stay(request, pk)
    if not stay.is_current:
        messages.error(
            request, _("该企业已于 %(day)s 出库。") % {"day": stay.exited_on.isoformat()}
        )
        return redirect("cultivation_stay", pk=stay.pk)
    form = ExitForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            pools.remove(
                request.user,
                stay,
                data["exited_on"],
                data["reason"],
                reassess=data["reassess"],
            )
        except ServiceError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request,
                _("%(org)s 已于 %(day)s 移出%(tier)s库。")
                % {
                    "org": stay.organisation,
                    "day": data["exited_on"].isoformat(),
                    "tier": stay.get_tier_display(),
                },
            )
            return redirect("cultivation_stay", pk=stay.pk)
    return page(
        request, "cultivation/pool_stay.html", _stay_context(request, stay, form), status=400
    )


@login_required
def enterprise_history(request, org: int):
    require(request, "cultivation.view_pools")
    organisation = get_object_or_404(Organisation.objects.select_related("region"), pk=org)
    user = request.user
    if not permissions.can(user, "cultivation.manage_pools"):
        m = user.current_membership
        if m is None or organisation.region_id != m.region_id:
            raise PermissionDenied
    stays = list(pools.history_of(organisation))
    for stay in stays:
        stay.entry_verdict = verdict(stay.entry_assessment)
        stay.exit_verdict = verdict(stay.exit_assessment)
    return page(
        request,
        "cultivation/pool_history.html",
        {
            "organisation": organisation,
            "stays": stays,
            "can_manage": permissions.can(user, "cultivation.manage_pools"),
            "can_view_figures": permissions.can(user, "cultivation.view_figures", organisation),
        },
    )


# -- batch scan -----------------------------------------------------------------------------


class ScanForm(forms.Form):
    tier = forms.ChoiceField(
        label=gettext_lazy("培育库"),
        choices=[(t.value, t.label) for t in Tier if t in TIER_RULESET],
    )
    on = forms.DateField(
        label=gettext_lazy("评价基准日"),
        widget=DATE_INPUT,
        help_text=gettext_lazy("按该日现行有效的评价规则和企业最近一个完整会计年度的数据评价"),
    )

    def clean_on(self):
        on = self.cleaned_data["on"]
        if on.year < 2017:
            raise forms.ValidationError(_("基准日不能早于2017年。"))
        if on > timezone.localdate() + datetime.timedelta(days=366):
            raise forms.ValidationError(_("基准日不能晚于明年今日。"))
        return on


def _scan_lists(job: Job) -> dict:
    """The job's result with what the page links to: codes for admitting, stays for exits."""
    result = job.result or {}
    tier = result.get("tier")
    lists = {
        "candidates": list(result.get("candidates") or []),
        "needs_review": list(result.get("needs_review") or []),
        "failing_members": list(result.get("failing_members") or []),
        "incomplete_members": list(result.get("incomplete_members") or []),
    }
    ids = {row["organisation"] for rows in lists.values() for row in rows[:SCAN_SHOWN]}
    codes = dict(Organisation.objects.filter(pk__in=ids).values_list("pk", "uscc"))
    stays = dict(
        PoolMembership.objects.current()
        .filter(tier=tier, organisation_id__in=ids)
        .values_list("organisation_id", "pk")
    )
    shown = {}
    for key, rows in lists.items():
        shown[key] = [
            {
                **row,
                "uscc": codes.get(row["organisation"], ""),
                "stay": stays.get(row["organisation"]),
            }
            for row in rows[:SCAN_SHOWN]
        ]
    ruleset_title = result.get("ruleset", "")
    try:
        on = datetime.date.fromisoformat(result["on"])
        ruleset_title = assessment.ruleset_in_force(result["ruleset"], on).title
    except (KeyError, ValueError, ServiceError):
        pass
    return {
        "result": result,
        "ruleset_title": ruleset_title,
        "tier_label": Tier(tier).label if tier in Tier.values else "",
        "lists": shown,
        "counts": {key: len(rows) for key, rows in lists.items()},
        "shown_limit": SCAN_SHOWN,
    }


def _scan_export(job: Job, fmt: str):
    result = job.result or {}
    tier_label = Tier(result["tier"]).label
    kinds = [
        ("candidates", _("符合条件未入库")),
        ("needs_review", _("待专家评审")),
        ("failing_members", _("在库但不再符合")),
        ("incomplete_members", _("在库但数据不全")),
    ]
    ids = [row["organisation"] for key, _label in kinds for row in result.get(key) or []]
    orgs = {o.pk: o for o in Organisation.objects.filter(pk__in=ids).select_related("region")}

    def rows():
        for key, label in kinds:
            for row in result.get(key) or []:
                org = orgs.get(row["organisation"])
                yield (
                    label,
                    row["name"],
                    org.uscc if org else "",
                    org.region.name if org else "",
                    row.get("score", ""),
                )

    headers = [_("类别"), _("企业名称"), _("统一社会信用代码"), _("所在区域"), _("得分")]
    name = _("%(tier)s批量评价结果（%(on)s）") % {"tier": tier_label, "on": result.get("on", "")}
    return export_response(headers, rows(), name, fmt, _("批量评价结果"))


@login_required
def scan(request):
    require(request, "cultivation.manage_pools")
    if request.method == "POST":
        form = ScanForm(request.POST)
        if form.is_valid():
            tier, on = form.cleaned_data["tier"], form.cleaned_data["on"]
            try:
                job = start_job(
                    request.user,
                    "cultivation.scan",
                    _("批量评价：%(tier)s（基准日 %(on)s）")
                    % {"tier": Tier(tier).label, "on": on.isoformat()},
                    {"user_id": request.user.pk, "tier": tier, "on": on.isoformat()},
                )
            except ServiceError as exc:
                form.add_error(None, exc.message)
            else:
                return redirect(f"{reverse('cultivation_scan')}?job={job.pk}")
    else:
        tier = request.GET.get("tier")
        form = ScanForm(
            initial={
                "tier": tier if tier in TIER_RULESET else Tier.SME_TECH,
                "on": timezone.localdate(),
            }
        )
    job = None
    if request.GET.get("job", "").isdigit():
        job = get_object_or_404(Job, pk=int(request.GET["job"]), kind="cultivation.scan")
        fmt = request.GET.get("export")
        if fmt in EXPORT_FORMATS and job.status == JobStatus.SUCCEEDED:
            return _scan_export(job, fmt)
    recent = Job.objects.filter(kind="cultivation.scan").select_related("created_by")[:5]
    context = {"form": form, "job": job, "recent": recent}
    if job is not None and job.status == JobStatus.SUCCEEDED:
        context.update(_scan_lists(job))
    if job is not None and request.htmx:
        return render(request, "cultivation/pool_scan_job.html", context)
    return page(request, "cultivation/pool_scan.html", context)


def section_tabs(user, current: str) -> list[dict]:
    """The bureau's cultivation pages, as tabs above each of them."""
    tabs = []
    if permissions.can(user, "cultivation.view_pools"):
        tabs.append(("pools", reverse("cultivation_pools"), _("培育库")))
    if permissions.can(user, "cultivation.manage_spot_checks"):
        tabs.append(("spot_checks", reverse("cultivation_spot_checks"), _("双随机抽查")))
    if permissions.can(user, "cultivation.manage_subsidies"):
        tabs.append(("subsidies", reverse("cultivation_subsidies"), _("研发投入后补助")))
    if permissions.can(user, "cultivation.self_assess"):
        tabs.append(("enterprises", reverse("cultivation_home"), _("企业数据与评价")))
    return [{"url": url, "label": label, "active": key == current} for key, url, label in tabs]
