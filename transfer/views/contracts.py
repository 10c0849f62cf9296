"""技术合同认定登记 pages: the seller's contracts (draft, edit, submit), the registrar's queue and
decision (register with a number, or refuse with reasons), and the tax benefits for reference.
Every change goes through `transfer.services.contracts`."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from core import permissions
from core.decorators import refuses
from core.exceptions import NotAllowed
from core.exports import EXPORT_FORMATS, export_response
from core.forms import refusal_on_form
from core.models import AuditEntry, HighTechField
from core.views import paginate, refusal_as_message
from integrity.forms import OrganisationCodeField
from transfer.choices import ContractKind, ContractStatus
from transfer.models import TechContract
from transfer.services import contracts
from transfer.views.trading import MONEY, tabs

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ContractForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("合同类型"), choices=ContractKind.choices)
    title = forms.CharField(label=gettext_lazy("合同名称"), max_length=200)
    subject = forms.CharField(
        label=gettext_lazy("标的技术内容"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    buyer = OrganisationCodeField(
        label=gettext_lazy("买方统一社会信用代码"),
        help_text=gettext_lazy("买方是平台注册单位时填写；否则只填写买方名称。"),
    )
    buyer_name = forms.CharField(label=gettext_lazy("买方名称"), required=False, max_length=120)
    buyer_in_city = forms.BooleanField(label=gettext_lazy("买方在本市"), required=False)
    field = forms.ModelChoiceField(
        label=gettext_lazy("技术领域"),
        queryset=HighTechField.objects.all(),
        required=False,
        empty_label=gettext_lazy("请选择"),
    )
    total_amount = forms.DecimalField(
        label=gettext_lazy("合同总金额（元）"), min_value=0.01, **MONEY
    )
    declared_tech_amount = forms.DecimalField(
        label=gettext_lazy("申报技术交易额（元）"),
        min_value=0,
        help_text=gettext_lazy("合同总金额中属于技术交易的部分，不含设备、原材料等。"),
        **MONEY,
    )
    non_tech_part = forms.CharField(
        label=gettext_lazy("非技术性内容"),
        required=False,
        max_length=300,
        help_text=gettext_lazy("如设备、原材料、建设工程等不属于技术交易的部分及其金额"),
    )
    related_to_transfer = forms.BooleanField(
        label=gettext_lazy("与技术转让、开发相关的咨询或服务"), required=False
    )
    payment_terms = forms.CharField(
        label=gettext_lazy("支付方式与期限"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    signed_on = forms.DateField(label=gettext_lazy("签订日期"), required=False, widget=DATE_INPUT)
    valid_until = forms.DateField(label=gettext_lazy("有效期至"), required=False, widget=DATE_INPUT)

    def __init__(self, *args, contract: TechContract | None = None, **kwargs):
        if contract is not None:
            kwargs.setdefault(
                "initial", {f: getattr(contract, f) for f in contracts.FIELDS if f != "field"}
            )
            kwargs["initial"]["field"] = contract.field_id
        super().__init__(*args, **kwargs)
        if contract is not None and contract.listing_id:
            # The buyer of a sold listing is the winner: shown, not editable.
            for name in ("buyer", "buyer_name", "buyer_in_city"):
                del self.fields[name]

    def clean(self):
        data = super().clean()
        if "buyer" in self.fields and not data.get("buyer") and not data.get("buyer_name"):
            self.add_error(
                "buyer_name", _("请填写买方名称，或填写平台注册单位的统一社会信用代码。")
            )
        return data


class RegisterForm(forms.Form):
    registered_kind = forms.ChoiceField(
        label=gettext_lazy("认定类型"), choices=ContractKind.choices
    )
    tech_amount = forms.DecimalField(
        label=gettext_lazy("认定技术交易额（元）"), min_value=0, **MONEY
    )
    note = forms.CharField(
        label=gettext_lazy("认定意见"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("合同含非技术性内容而全额认定时，须说明理由。"),
    )


class RefuseForm(forms.Form):
    reasons = forms.CharField(
        label=gettext_lazy("不予登记的理由"),
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": gettext_lazy("不予登记须填写理由。")},
    )


class ContractFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=gettext_lazy("状态"),
        choices=[("", gettext_lazy("全部状态")), *ContractStatus.choices],
        required=False,
    )
    kind = forms.ChoiceField(
        label=gettext_lazy("合同类型"),
        choices=[("", gettext_lazy("全部类型")), *ContractKind.choices],
        required=False,
    )
    q = forms.CharField(
        label=gettext_lazy("合同名称、单位或登记编号"), required=False, max_length=100
    )

    def filter(self, qs):
        data = self.cleaned_data if self.is_valid() else {}
        if data.get("status"):
            qs = qs.filter(status=data["status"])
        if data.get("kind"):
            qs = qs.filter(kind=data["kind"])
        text = (data.get("q") or "").strip()
        if text:
            qs = qs.filter(
                Q(title__icontains=text)
                | Q(seller__name__icontains=text)
                | Q(buyer_name__icontains=text)
                | Q(registration_number__icontains=text)
            )
        return qs


def _rows(qs):
    for c in qs.iterator(chunk_size=2000):
        yield (
            c.registration_number or "",
            c.title,
            c.get_kind_display(),
            c.get_registered_kind_display() if c.registered_kind else "",
            c.seller.name,
            c.seller.region.name,
            c.buyer_name,
            _("市内") if c.buyer_in_city else _("市外"),
            c.field.name if c.field_id else "",
            c.total_amount,
            c.declared_tech_amount,
            c.tech_amount if c.tech_amount is not None else "",
            c.signed_on.isoformat() if c.signed_on else "",
            c.get_status_display(),
        )


EXPORT_HEADERS = [
    gettext_lazy("登记编号"),
    gettext_lazy("合同名称"),
    gettext_lazy("合同类型"),
    gettext_lazy("认定类型"),
    gettext_lazy("卖方"),
    gettext_lazy("卖方所在区域"),
    gettext_lazy("买方"),
    gettext_lazy("买方所在地"),
    gettext_lazy("技术领域"),
    gettext_lazy("合同总金额（元）"),
    gettext_lazy("申报技术交易额（元）"),
    gettext_lazy("认定技术交易额（元）"),
    gettext_lazy("签订日期"),
    gettext_lazy("状态"),
]


@login_required
def contract_list(request):
    form = ContractFilterForm(request.GET or None)
    qs = form.filter(contracts.contracts_for(request.user))
    fmt = request.GET.get("export")
    if fmt in EXPORT_FORMATS:
        headers = [str(h) for h in EXPORT_HEADERS]
        return export_response(headers, _rows(qs), _("技术合同"), fmt, _("技术合同"))
    paged, query = paginate(request, qs)
    return render(
        request,
        "transfer/contract_list.html",
        {
            "page": paged,
            "query": query,
            "form": form,
            "may_create": _may_create(request.user),
            "registrar": permissions.can(request.user, "transfer.registrar"),
            "trade_tabs": tabs(request.user, "contracts"),
        },
    )


def _may_create(user) -> bool:
    try:
        contracts.seller_organisation(user)
    except NotAllowed:
        return False
    return True


@login_required
@refuses
def registrar_queue(request):
    qs = contracts.registrar_queue(request.user)
    paged, query = paginate(request, qs)
    return render(
        request,
        "transfer/contract_queue.html",
        {"page": paged, "query": query, "trade_tabs": tabs(request.user, "queue")},
    )


def _save(request, contract: TechContract | None):
    form = ContractForm(request.POST or None, contract=contract)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k in contracts.FIELDS}
        with refusal_on_form(form):
            if contract is None:
                contract = contracts.create_contract(request.user, **data)
            else:
                contract = contracts.update_contract(request.user, contract, **data)
            missing = contracts.missing_for_submission(contract)
            if missing:
                messages.success(
                    request,
                    _("合同已保存。提交认定前还需：%(p)s。") % {"p": "；".join(missing)},
                )
            else:
                messages.success(request, _("合同已保存，可以提交认定登记。"))
            return redirect("transfer_contract", pk=contract.pk)
    return render(
        request,
        "transfer/contract_form.html",
        {"form": form, "contract": contract, "trade_tabs": tabs(request.user, "contracts")},
    )


@login_required
@refuses
def contract_create(request):
    contracts.seller_organisation(request.user)
    return _save(request, None)


@login_required
@refuses
def contract_edit(request, pk: int):
    contract = contracts.get_contract_for_user(request.user, pk, write=True)
    if contract.status not in contracts.EDITABLE:
        messages.error(
            request,
            _("合同已登记（登记编号%(n)s），不能再修改。") % {"n": contract.registration_number}
            if contract.status == ContractStatus.REGISTERED
            else _("合同已提交认定，不能修改。"),
        )
        return redirect("transfer_contract", pk=contract.pk)
    return _save(request, contract)


def _detail(request, contract: TechContract, *, register_form=None, refuse_form=None, status=200):
    user = request.user
    registrar = permissions.can(user, "transfer.registrar")
    editable = contracts.may_edit(user, contract) and contract.status in contracts.EDITABLE
    context = {
        "trade_tabs": tabs(user, "contracts"),
        "contract": contract,
        "taxes": contracts.tax_benefits(contract),
        "editable": editable,
        "missing": contracts.missing_for_submission(contract) if editable else [],
        "registrar": registrar,
        "history": AuditEntry.objects.filter(
            content_type__app_label="transfer",
            content_type__model="techcontract",
            object_id=str(contract.pk),
        ).order_by("at", "pk")
        if registrar or contracts.may_edit(user, contract)
        else [],
    }
    if registrar and contract.status == ContractStatus.SUBMITTED:
        context["register_form"] = register_form or RegisterForm(
            initial={"registered_kind": contract.kind, "tech_amount": contract.declared_tech_amount}
        )
        context["refuse_form"] = refuse_form or RefuseForm()
    return render(request, "transfer/contract_detail.html", context, status=status)


@login_required
@refuses
def contract_detail(request, pk: int):
    return _detail(request, contracts.get_contract_for_user(request.user, pk))


@login_required
@require_POST
@refuses
def contract_submit(request, pk: int):
    contract = contracts.get_contract_for_user(request.user, pk, write=True)
    with refusal_as_message(request):
        contracts.submit_contract(request.user, contract)
        messages.success(request, _("合同已提交认定登记，请等待登记员审核。"))
    return redirect("transfer_contract", pk=contract.pk)


@login_required
@require_POST
@refuses
def contract_register(request, pk: int):
    contract = contracts.get_contract_for_user(request.user, pk)
    form = RegisterForm(request.POST)
    if form.is_valid():
        with refusal_on_form(form):
            contract = contracts.register_contract(request.user, contract, **form.cleaned_data)
            messages.success(
                request,
                _("已登记，登记编号%(n)s，认定技术交易额%(a)s元。")
                % {"n": contract.registration_number, "a": f"{contract.tech_amount:,.2f}"},
            )
            return redirect("transfer_contract", pk=contract.pk)
    contract.refresh_from_db()
    return _detail(request, contract, register_form=form, status=400)


@login_required
@require_POST
@refuses
def contract_refuse(request, pk: int):
    contract = contracts.get_contract_for_user(request.user, pk)
    form = RefuseForm(request.POST)
    if form.is_valid():
        with refusal_on_form(form):
            contracts.refuse_contract(request.user, contract, form.cleaned_data["reasons"])
            messages.success(request, _("已作出不予登记决定，理由已通知卖方。"))
            return redirect("transfer_contract", pk=contract.pk)
    contract.refresh_from_db()
    return _detail(request, contract, refuse_form=form, status=400)
