"""科技服务机构 pages: the public directory and detail, an organisation's application (and
later edits), and the bureau's decisions. Every change goes through
`sharing.services.providers`."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from core import permissions
from core.choices import RegionKind
from core.decorators import refuses
from core.forms import refusal_on_form
from core.models import Region
from core.views import paginate
from sharing.choices import ProviderStatus, ServiceCategory
from sharing.services import providers
from sharing.services.common import category_labels
from sharing.views.common import tabs


def _regions():
    return Region.objects.exclude(kind=RegionKind.CITY).order_by("sort_order", "code")


class ProviderFilterForm(forms.Form):
    category = forms.ChoiceField(
        label=gettext_lazy("服务类别"),
        choices=[("", gettext_lazy("全部类别")), *ServiceCategory.choices],
        required=False,
    )
    q = forms.CharField(
        label=gettext_lazy("关键词"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"placeholder": gettext_lazy("机构名称或服务内容")}),
    )
    region = forms.ModelChoiceField(
        label=gettext_lazy("所在区域"),
        queryset=Region.objects.none(),
        required=False,
        empty_label=gettext_lazy("全部区域"),
    )
    status = forms.ChoiceField(
        label=gettext_lazy("状态"),
        choices=[
            (ProviderStatus.REGISTERED.value, ProviderStatus.REGISTERED.label),
            *[(v, label) for v, label in ProviderStatus.choices if v != ProviderStatus.REGISTERED],
            ("all", gettext_lazy("全部状态")),
        ],
        required=False,
    )

    def __init__(self, *args, bureau: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = _regions()
        if not bureau:
            del self.fields["status"]


class ProviderForm(forms.Form):
    categories = forms.MultipleChoiceField(
        label=gettext_lazy("服务类别"),
        choices=ServiceCategory.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("至少选择一项。已入库机构修改服务类别后需重新审核。"),
    )
    services = forms.CharField(
        label=gettext_lazy("服务内容"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy("主要服务项目、服务能力、典型案例等。"),
    )
    qualifications = forms.CharField(
        label=gettext_lazy("资质证书"),
        required=False,
        widget=forms.Textarea(
            attrs={
                "rows": 4,
                "placeholder": "检验检测机构资质认定（CMA） | 220012345678 | 2028-06-30",
            }
        ),
        help_text=gettext_lazy(
            "每行一项，格式：资质名称 | 证书编号 | 有效期至(YYYY-MM-DD)；长期有效的可不填有效期。"
        ),
    )
    contact_name = forms.CharField(label=gettext_lazy("联系人"), max_length=50)
    contact_phone = forms.CharField(label=gettext_lazy("联系电话"), max_length=20)


class DecisionForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("理由"),
        required=False,
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


def provider_list(request):
    bureau = permissions.can(request.user, "sharing.manage")
    form = ProviderFilterForm(request.GET or None, bureau=bureau)
    data = form.cleaned_data if form.is_valid() else {}
    status = data.get("status") or ProviderStatus.REGISTERED
    qs = providers.directory(
        request.user,
        category=data.get("category"),
        keyword=data.get("q"),
        region=data.get("region"),
        status=status,
    )
    page, query = paginate(request, qs)
    stats = providers.provider_stats(page.object_list)
    rows = [
        {
            "provider": p,
            "categories": category_labels(p.categories),
            "qualifications": providers.qualification_rows(p),
            "stats": stats[p.pk],
        }
        for p in page.object_list
    ]
    own = providers.own_provider(request.user)
    return render(
        request,
        "sharing/provider_list.html",
        {
            "sharing_tabs": tabs(request.user, "providers"),
            "form": form,
            "page": page,
            "rows": rows,
            "query": query,
            "filtered": bool(data.get("category") or data.get("q") or data.get("region")),
            "status": status,
            "bureau": bureau,
            "own": own,
            "may_apply": permissions.can(request.user, "sharing.register_provider"),
            "pending": ProviderStatus.PENDING,
        },
    )


def _detail_context(request, provider, decision_form=None) -> dict:
    user = request.user
    bureau = permissions.can(user, "sharing.manage")
    member = providers.is_member(user, provider.organisation_id)
    return {
        "sharing_tabs": tabs(user, "providers"),
        "provider": provider,
        "categories": category_labels(provider.categories),
        "qualifications": providers.qualification_rows(provider),
        "stats": providers.provider_stats([provider])[provider.pk],
        "bureau": bureau,
        "member": member,
        "may_edit": member and permissions.can(user, "sharing.register_provider"),
        "decision_form": decision_form or DecisionForm(),
        "programs": provider.programs.exclude(status="draft").order_by("-year", "-pk")[:10],
    }


@refuses
def provider_detail(request, pk: int):
    provider = providers.get_provider(request.user, pk)
    return render(request, "sharing/provider_detail.html", _detail_context(request, provider))


@login_required
@refuses
def provider_apply(request):
    user = request.user
    permissions.require(
        user,
        "sharing.register_provider",
        None,
        _("只有企业、高校院所或服务机构的用户可以为本单位申请入库科技服务机构。"),
    )
    existing = providers.own_provider(user)
    initial = {}
    if existing is not None:
        initial = {
            "categories": existing.categories,
            "services": existing.services,
            "qualifications": providers.format_qualifications(existing.qualifications),
            "contact_name": existing.contact_name,
            "contact_phone": existing.contact_phone,
        }
    form = ProviderForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        with refusal_on_form(form):
            provider = providers.apply(user, **form.cleaned_data)
            if existing is None:
                messages.success(request, _("入库申请已提交，等待市科技局审核。"))
            elif provider.status == ProviderStatus.PENDING and existing.status != provider.status:
                messages.success(request, _("已保存，服务类别有变化，已重新提交市科技局审核。"))
            elif provider.status == ProviderStatus.PENDING:
                messages.success(request, _("已保存，等待市科技局审核。"))
            else:
                messages.success(request, _("入库信息已更新。"))
            return redirect("sharing_provider", pk=provider.pk)
    return render(
        request,
        "sharing/provider_form.html",
        {
            "sharing_tabs": tabs(user, "providers"),
            "form": form,
            "existing": existing,
            "organisation": user.current_membership.organisation,
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_POST
@refuses
def provider_decide(request, pk: int):
    provider = providers.get_provider(request.user, pk)
    decision = request.POST.get("decision", "")
    form = DecisionForm(request.POST)
    form.is_valid()
    with refusal_on_form(form):
        decided = providers.decide(
            request.user, provider, decision, form.cleaned_data.get("reason") or ""
        )
        messages.success(
            request,
            _("已处理：%(o)s，当前状态：%(s)s。")
            % {"o": decided.organisation.name, "s": decided.get_status_display()},
        )
        return redirect("sharing_provider", pk=provider.pk)
    return render(
        request,
        "sharing/provider_detail.html",
        _detail_context(request, provider, decision_form=form),
        status=400,
    )
