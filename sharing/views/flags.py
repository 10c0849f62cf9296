"""异常核查 and 关联关系 pages (the bureau): the flags the abuse rules raised, open ones first,
with their numbers and links, reviewed as 核查正常 or 确认异常; the relations between
organisations the rules read. Every change goes through `sharing.services.abuse`."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from core import permissions
from core.decorators import refuses
from core.forms import refusal_on_form
from core.models import Organisation
from core.validators import normalise_uscc
from core.views import paginate
from sharing.choices import FlagStatus, RelationKind
from sharing.models import VoucherProgram
from sharing.services import abuse
from sharing.views.common import tabs

# What the numbers in a flag's details are called on the page.
DETAIL_LABELS = {
    "reason": gettext_lazy("关联依据"),
    "amount": gettext_lazy("金额（元）"),
    "contract_number": gettext_lazy("合同编号"),
    "holder": gettext_lazy("持券企业"),
    "provider": gettext_lazy("服务机构"),
    "face_value": gettext_lazy("面额（元）"),
    "issued_on": gettext_lazy("发券日期"),
    "used_up_on": gettext_lazy("用完日期"),
    "days": gettext_lazy("发券后天数"),
    "limit_days": gettext_lazy("规则：天数以内"),
    "redemptions": gettext_lazy("核销笔数"),
    "program_total": gettext_lazy("项目已核销（元）"),
    "share": gettext_lazy("占比"),
    "vouchers": gettext_lazy("涉及创新券（张）"),
    "limit_share": gettext_lazy("规则：占比超过"),
    "min_vouchers": gettext_lazy("规则：至少张数"),
    "day": gettext_lazy("日期"),
    "limit_count": gettext_lazy("规则：单日张数"),
    "contracts": gettext_lazy("合同"),
    "limit_contracts": gettext_lazy("规则：合同份数"),
}


def _require_bureau(user, message=None):
    permissions.require(
        user, "sharing.manage", None, message or _("只有市科技局可以查看异常核查。")
    )


class FlagFilterForm(forms.Form):
    rule = forms.ChoiceField(label=gettext_lazy("规则"), required=False)
    status = forms.ChoiceField(
        label=gettext_lazy("核查状态"),
        required=False,
        choices=[("", gettext_lazy("全部状态")), *FlagStatus.choices],
    )
    program = forms.ModelChoiceField(
        label=gettext_lazy("创新券项目"),
        queryset=VoucherProgram.objects.all(),
        required=False,
        empty_label=gettext_lazy("全部项目"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rule"].choices = [
            ("", _("全部规则")),
            *((code, r["name"]) for code, r in abuse.rules().items()),
        ]


class ReviewForm(forms.Form):
    status = forms.ChoiceField(
        label=gettext_lazy("核查结论"),
        choices=[(s.value, s.label) for s in abuse.REVIEW_OUTCOMES],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=gettext_lazy("核查意见"), max_length=300, widget=forms.Textarea(attrs={"rows": 2})
    )


class ScanForm(forms.Form):
    program = forms.ModelChoiceField(
        label=gettext_lazy("扫描范围"),
        queryset=VoucherProgram.objects.all(),
        required=False,
        empty_label=gettext_lazy("全部项目"),
    )


class RelationForm(forms.Form):
    first = forms.CharField(label=gettext_lazy("单位一统一社会信用代码"), max_length=30)
    second = forms.CharField(label=gettext_lazy("单位二统一社会信用代码"), max_length=30)
    kind = forms.ChoiceField(label=gettext_lazy("关联类型"), choices=RelationKind.choices)
    note = forms.CharField(label=gettext_lazy("说明"), required=False, max_length=300)


class CheckForm(forms.Form):
    a = forms.CharField(label=gettext_lazy("单位一统一社会信用代码"), max_length=30)
    b = forms.CharField(label=gettext_lazy("单位二统一社会信用代码"), max_length=30)


MONEY_KEYS = {"amount", "face_value", "program_total"}
SHARE_KEYS = {"share", "limit_share"}


def _number(key: str, value) -> str:
    try:
        if key in MONEY_KEYS:
            return f"{Decimal(str(value)):,.2f}"
        if key in SHARE_KEYS:
            return f"{Decimal(str(value)) * 100:.1f}%"
    except (InvalidOperation, ValueError):
        pass
    if isinstance(value, list):
        return "、".join(str(v) for v in value)
    return str(value)


def _details(flag) -> list[tuple[str, str]]:
    """A flag's numbers with their names, money in yuan and shares in per cent."""
    return [
        (str(DETAIL_LABELS.get(key, key)), _number(key, value))
        for key, value in (flag.details or {}).items()
        if key != "rule"
    ]


def _links(flag) -> list[tuple[str, str]]:
    links = []
    base = reverse("sharing_redemptions")
    if flag.redemption_id:
        links.append((_("核销记录"), reverse("sharing_redemption", args=[flag.redemption_id])))
    if flag.voucher_id:
        links.append((_("创新券"), reverse("sharing_voucher", args=[flag.voucher_id])))
        links.append(
            (
                _("该券的核销记录"),
                f"{base}?program={flag.program_id}&q={flag.voucher.code}",
            )
        )
    if flag.provider_id:
        links.append((_("服务机构"), reverse("sharing_provider", args=[flag.provider_id])))
        links.append(
            (
                _("该服务机构在本项目的核销记录"),
                f"{base}?program={flag.program_id}&provider={flag.provider_id}",
            )
        )
    return links


@login_required
@refuses
def flag_list(request, review_forms=None, status=200):
    _require_bureau(request.user)
    form = FlagFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    qs = abuse.flags(
        rule=data.get("rule") or None,
        status=data.get("status") or None,
        program=data.get("program"),
    )
    page, query = paginate(request, qs)
    review_forms = review_forms or {}
    for flag in page:
        flag.rule_name = abuse.rule_name(flag.rule)
        flag.numbers = _details(flag)
        flag.links = _links(flag)
        if flag.status == FlagStatus.OPEN:
            flag.review_form = review_forms.get(flag.pk) or ReviewForm(prefix=f"f{flag.pk}")
    counts = {s: abuse.flags(status=s).count() for s in FlagStatus.values}
    return render(
        request,
        "sharing/flag_list.html",
        {
            "sharing_tabs": tabs(request.user, "flags"),
            "form": form,
            "page": page,
            "query": query,
            "counts": counts,
            "scan_form": ScanForm(),
            "rules": list(abuse.rules().values()),
        },
        status=status,
    )


@login_required
@require_POST
@refuses
def flag_review(request, pk: int):
    _require_bureau(request.user, _("只有市科技局可以核查异常。"))
    flag = abuse.get_flag(pk)
    form = ReviewForm(request.POST, prefix=f"f{flag.pk}")
    if form.is_valid():
        with refusal_on_form(form):
            reviewed = abuse.review_flag(
                request.user, flag, form.cleaned_data["status"], form.cleaned_data["note"]
            )
            messages.success(
                request,
                _("已核查：%(s)s。") % {"s": reviewed.get_status_display()},
            )
            query = request.POST.get("query", "")
            return redirect(reverse("sharing_flags") + (f"?{query}" if query else ""))
    messages.error(request, _("核查未保存，请选择核查结论并填写核查意见。"))
    return flag_list(request, review_forms={flag.pk: form}, status=400)


@login_required
@require_POST
@refuses
def flag_scan(request):
    _require_bureau(request.user, _("只有市科技局可以运行异常扫描。"))
    form = ScanForm(request.POST)
    program = form.cleaned_data.get("program") if form.is_valid() else None
    job = abuse.start_scan(request.user, program)
    messages.success(request, _("异常扫描已开始，可在本页查看进度。"))
    return redirect("job_detail", pk=job.pk)


# -- relations ------------------------------------------------------------------------------


@login_required
@refuses
def relation_list(request, relation_form=None, status=200):
    _require_bureau(request.user, _("只有市科技局可以查看关联关系。"))
    check_form = CheckForm(request.GET or None) if "a" in request.GET else CheckForm()
    check = None
    if check_form.is_bound and check_form.is_valid():
        orgs = {
            o.uscc: o
            for o in Organisation.objects.filter(
                uscc__in=[
                    normalise_uscc(check_form.cleaned_data["a"]),
                    normalise_uscc(check_form.cleaned_data["b"]),
                ]
            )
        }
        a = orgs.get(normalise_uscc(check_form.cleaned_data["a"]))
        b = orgs.get(normalise_uscc(check_form.cleaned_data["b"]))
        if a is None or b is None:
            check_form.add_error(None, _("平台上没有该统一社会信用代码的单位。"))
        else:
            group = abuse.group_of(a)
            check = {
                "a": a,
                "b": b,
                "reason": abuse.related(a, b),
                "group": Organisation.objects.filter(pk__in=group).order_by("name"),
            }
    page, query = paginate(request, abuse.relations())
    return render(
        request,
        "sharing/relation_list.html",
        {
            "sharing_tabs": tabs(request.user, "flags"),
            "form": relation_form or RelationForm(),
            "check_form": check_form,
            "check": check,
            "page": page,
            "query": query,
        },
        status=status,
    )


@login_required
@require_POST
@refuses
def relation_create(request):
    _require_bureau(request.user, _("只有市科技局可以登记关联关系。"))
    form = RelationForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        with refusal_on_form(form):
            relation = abuse.record_relation(
                request.user, data["first"], data["second"], data["kind"], data["note"]
            )
            messages.success(
                request,
                _("已登记关联关系：%(r)s。") % {"r": str(relation)},
            )
            return redirect("sharing_relations")
    return relation_list(request, relation_form=form, status=400)


@login_required
@require_POST
@refuses
def relation_delete(request, pk: int):
    _require_bureau(request.user, _("只有市科技局可以删除关联关系。"))
    relation = abuse.get_relation(pk)
    text = str(relation)
    abuse.delete_relation(request.user, relation)
    messages.success(request, _("已删除关联关系：%(r)s。") % {"r": text})
    return redirect("sharing_relations")
