"""创新券 pages: programs (the bureau creates, opens and closes them; enterprises see whether
they are eligible and apply), the bureau's applications queue, vouchers (an enterprise's own,
all for the bureau, with export), a voucher's detail and the public verification by number.
Every change goes through `sharing.services.vouchers`."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Case, IntegerField, Prefetch, Q, Value, When
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from core import permissions
from core.choices import RegionKind
from core.decorators import refuses
from core.exceptions import NotAllowed, NotFound, ServiceError
from core.exports import EXPORT_FORMATS, export_response
from core.forms import refusal_on_form
from core.models import Region
from core.views import paginate, redirect_next, refusal_as_message
from cultivation.choices import Tier
from sharing.choices import (
    ApplicationStatus,
    ProgramStatus,
    ProviderStatus,
    ServiceCategory,
    VoucherStatus,
)
from sharing.models import Redemption, ServiceProvider, VoucherProgram
from sharing.services import providers as provider_services
from sharing.services import vouchers
from sharing.services.common import category_labels, own_organisation_id, yuan
from sharing.views.common import tabs

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _face_label(value) -> str:
    return _("%(v)s 元") % {"v": f"{int(value):,}"}


# -- forms -----------------------------------------------------------------------------------


class ProgramForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("项目名称"), max_length=120)
    year = forms.IntegerField(label=gettext_lazy("年度"))
    budget = forms.DecimalField(
        label=gettext_lazy("预算总额（元）"), max_digits=14, decimal_places=2
    )
    face_values = forms.CharField(
        label=gettext_lazy("券面额（元）"),
        max_length=200,
        help_text=gettext_lazy("正整数，多个用逗号分隔，如 10000,30000,50000。"),
    )
    apply_from = forms.DateField(label=gettext_lazy("申领开始"), widget=DATE_INPUT)
    apply_until = forms.DateField(label=gettext_lazy("申领截止"), widget=DATE_INPUT)
    valid_days = forms.IntegerField(
        label=gettext_lazy("有效期（天）"), help_text=gettext_lazy("自发券之日起计算。")
    )
    per_enterprise = forms.IntegerField(label=gettext_lazy("每家企业限领张数"))
    max_share = forms.DecimalField(
        label=gettext_lazy("抵扣比例上限"),
        max_digits=4,
        decimal_places=3,
        help_text=gettext_lazy("一次核销不超过服务合同金额的此比例，如 0.5 表示 50%。"),
    )
    categories = forms.MultipleChoiceField(
        label=gettext_lazy("适用服务类别"),
        choices=ServiceCategory.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    eligible_tiers = forms.MultipleChoiceField(
        label=gettext_lazy("申领条件：培育库"),
        choices=Tier.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=gettext_lazy("不选：所有企业均可申领；选择后须为所选任一培育库的在库企业。"),
    )
    regions = forms.ModelMultipleChoiceField(
        label=gettext_lazy("申领条件：所在区域"),
        queryset=Region.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=gettext_lazy("不选：不限区域。"),
    )
    providers = forms.ModelMultipleChoiceField(
        label=gettext_lazy("指定服务机构"),
        queryset=ServiceProvider.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=gettext_lazy("不选：提供适用服务类别的已入库服务机构均可核销。"),
    )
    description = forms.CharField(
        label=gettext_lazy("说明"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args, program: VoucherProgram | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["regions"].queryset = Region.objects.exclude(kind=RegionKind.CITY)
        self.fields["providers"].queryset = ServiceProvider.objects.filter(
            status=ProviderStatus.REGISTERED
        ).select_related("organisation")
        self.fields["providers"].label_from_instance = lambda p: p.organisation.name
        if program is not None and program.status == ProgramStatus.OPEN:
            for name, field in self.fields.items():
                if name not in vouchers.OPEN_EDITABLE:
                    field.disabled = True

    def changes(self) -> dict:
        """The submitted values the service should apply (enabled fields only)."""
        data = {k: v for k, v in self.cleaned_data.items() if not self.fields[k].disabled}
        if "regions" in data:
            data["regions"] = list(data["regions"])
        if "providers" in data:
            data["providers"] = list(data["providers"])
        return data


def _program_initial(program: VoucherProgram) -> dict:
    return {
        "name": program.name,
        "year": program.year,
        "budget": program.budget,
        "face_values": ",".join(str(v) for v in program.face_values),
        "apply_from": program.apply_from,
        "apply_until": program.apply_until,
        "valid_days": program.valid_days,
        "per_enterprise": program.per_enterprise,
        "max_share": program.max_share,
        "categories": program.categories,
        "eligible_tiers": program.eligible_tiers,
        "regions": list(program.regions.all()),
        "providers": list(program.providers.all()),
        "description": program.description,
    }


class ApplicationForm(forms.Form):
    face_value = forms.TypedChoiceField(label=gettext_lazy("申领面额"), coerce=int)
    category = forms.ChoiceField(label=gettext_lazy("拟购买服务类别"))
    purpose = forms.CharField(
        label=gettext_lazy("服务需求说明"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("拟购买的服务、用途和预期效果。"),
        error_messages={"required": gettext_lazy("请填写服务需求说明。")},
    )

    def __init__(self, *args, program: VoucherProgram, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["face_value"].choices = [(v, _face_label(v)) for v in program.face_values]
        self.fields["category"].choices = [
            (c, label)
            for c, label in zip(
                program.categories, category_labels(program.categories), strict=True
            )
        ]


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("理由"),
        max_length=300,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": gettext_lazy("必填")}),
    )


class CloseForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("说明（可选）"),
        max_length=300,
        required=False,
        help_text=gettext_lazy("将随不予办理的通知发给待审核的申领企业。"),
    )


class VoucherFilterForm(forms.Form):
    program = forms.ModelChoiceField(
        label=gettext_lazy("创新券项目"),
        queryset=VoucherProgram.objects.all(),
        required=False,
        empty_label=gettext_lazy("全部项目"),
    )
    status = forms.ChoiceField(
        label=gettext_lazy("状态"),
        choices=[("", gettext_lazy("全部状态")), *VoucherStatus.choices],
        required=False,
    )
    q = forms.CharField(
        label=gettext_lazy("券号或企业"),
        required=False,
        max_length=100,
    )


class VerifyForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("券号"),
        max_length=40,
        widget=forms.TextInput(
            attrs={"placeholder": "2026-7K3QD9XM-R", "autocomplete": "off", "class": "mono"}
        ),
    )


# -- helpers ---------------------------------------------------------------------------------


def _annotate_state(items) -> None:
    today = timezone.localdate()
    for v in items:
        v.state = vouchers.voucher_state(v, today)
        v.state_label = vouchers.state_label(v.state)


def _export_vouchers(qs, fmt: str, filename: str):
    today = timezone.localdate()
    headers = [
        _("券号"),
        _("创新券项目"),
        _("持券企业"),
        _("统一社会信用代码"),
        _("面额（元）"),
        _("已核销（元）"),
        _("剩余（元）"),
        _("已释放（元）"),
        _("发券时间"),
        _("有效期至"),
        _("状态"),
    ]
    rows = (
        (
            v.code,
            v.program.name,
            v.holder.name,
            v.holder.uscc,
            v.face_value,
            v.redeemed,
            v.remaining,
            v.released,
            timezone.localtime(v.issued_at).strftime("%Y-%m-%d %H:%M"),
            v.expires_on.isoformat(),
            vouchers.state_label(vouchers.voucher_state(v, today)),
        )
        for v in qs.iterator(chunk_size=2000)
    )
    return export_response(headers, rows, filename, fmt, _("创新券"))


# -- programs --------------------------------------------------------------------------------


def program_list(request):
    bureau = permissions.can(request.user, "sharing.manage")
    status = request.GET.get("status") or ""
    if status not in ProgramStatus.values:
        status = ""
    qs = vouchers.programs_for(request.user, status=status or None)
    page, query = paginate(request, qs)
    for p in page.object_list:
        p.use = vouchers.budget_use(p)
        p.phase = vouchers.program_phase(p)
    statuses = [
        (value, label)
        for value, label in ProgramStatus.choices
        if bureau or value != ProgramStatus.DRAFT
    ]
    return render(
        request,
        "sharing/program_list.html",
        {
            "sharing_tabs": tabs(request.user, "programs"),
            "page": page,
            "query": query,
            "status": status,
            "statuses": statuses,
            "bureau": bureau,
            "pending": vouchers.applications_for(
                request.user, status=ApplicationStatus.SUBMITTED
            ).count()
            if bureau
            else 0,
            "may_apply": permissions.can(request.user, "sharing.apply_voucher"),
        },
    )


def _program_context(request, program, **forms_) -> dict:
    user = request.user
    bureau = permissions.can(user, "sharing.manage")
    context = {
        "sharing_tabs": tabs(user, "programs"),
        "program": program,
        "use": vouchers.budget_use(program),
        "categories": category_labels(program.categories),
        "tiers": vouchers.tier_labels(program.eligible_tiers),
        "regions": list(program.regions.all()),
        "face_values": [_face_label(v) for v in program.face_values],
        "share_percent": (program.max_share * 100).normalize(),
        "providers": list(provider_services.eligible_providers(program)[:50]),
        "designated": program.providers.exists(),
        "window_open": vouchers.window_open(program),
        "phase": vouchers.program_phase(program),
        "bureau": bureau,
    }
    if permissions.can(user, "sharing.apply_voucher"):
        organisation = user.current_membership.organisation
        problems = vouchers.eligibility_problems(organisation, program)
        reasons = [message for _key, message in problems]
        context["eligibility"] = {
            "organisation": organisation,
            "reasons": reasons,
            # Only the per-enterprise limit stands in the way: it has applied or holds one.
            "limit_only": bool(problems) and all(key == "limit" for key, _m in problems),
        }
        context["my_applications"] = list(vouchers.applications_for(user, program=program))
        context["my_vouchers"] = list(vouchers.vouchers_for(user, program=program))
        _annotate_state(context["my_vouchers"])
        if not reasons:
            context["apply_form"] = forms_.get("apply_form") or ApplicationForm(program=program)
    elif forms_.get("apply_form") is not None:
        context["apply_form"] = forms_["apply_form"]
    if bureau:
        queue = (
            vouchers.applications_for(user, program=program)
            .select_related("organisation__region")
            .annotate(
                pending=Case(
                    When(status=ApplicationStatus.SUBMITTED, then=Value(0)),
                    default=Value(1),
                    output_field=IntegerField(),
                )
            )
            .order_by("pending", "submitted_at", "pk")
        )
        context["queue"] = list(queue[:200])
        for a in context["queue"]:
            a.reasons = (
                vouchers.check_eligibility(
                    a.organisation,
                    program,
                    a.face_value,
                    a.category,
                    on=timezone.localdate(a.submitted_at),
                    excluding=a,
                )
                if a.status == ApplicationStatus.SUBMITTED
                else []
            )
            a.category_label = ", ".join(category_labels([a.category]))
        context["program_vouchers"] = list(vouchers.vouchers_for(user, program=program)[:200])
        context["voucher_count"] = vouchers.vouchers_for(user, program=program).count()
        _annotate_state(context["program_vouchers"])
        context["refuse_form"] = forms_.get("refuse_form") or ReasonForm()
        context["close_form"] = CloseForm()
    return context


@refuses
def program_detail(request, pk: int):
    program = vouchers.get_program(request.user, pk)
    fmt = request.GET.get("export")
    if fmt in EXPORT_FORMATS:
        permissions.require(
            request.user, "sharing.manage", program, _("只有市科技局可以导出创新券清单。")
        )
        qs = vouchers.vouchers_for(request.user, program=program)
        return _export_vouchers(qs, fmt, _("创新券清单-%(p)s") % {"p": program.name})
    return render(request, "sharing/program_detail.html", _program_context(request, program))


@login_required
@refuses
def program_create(request):
    permissions.require(request.user, "sharing.manage", None, _("只有市科技局可以管理创新券项目。"))
    today = timezone.localdate()
    form = ProgramForm(
        request.POST or None,
        initial={
            "year": today.year,
            "apply_from": today,
            "apply_until": today.replace(month=12, day=31),
            "valid_days": 365,
            "per_enterprise": 1,
            "max_share": "0.5",
            "face_values": "10000,30000,50000",
        },
    )
    if request.method == "POST" and form.is_valid():
        with refusal_on_form(form):
            program = vouchers.create_program(request.user, **form.changes())
            messages.success(
                request,
                _("已创建项目“%(n)s”（草稿），确认无误后点击“开始受理”。") % {"n": program.name},
            )
            return redirect("sharing_program", pk=program.pk)
    return render(
        request,
        "sharing/program_form.html",
        {"sharing_tabs": tabs(request.user, "programs"), "form": form, "program": None},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@refuses
def program_edit(request, pk: int):
    program = vouchers.get_program(request.user, pk)
    permissions.require(
        request.user, "sharing.manage", program, _("只有市科技局可以管理创新券项目。")
    )
    if program.status == ProgramStatus.CLOSED:
        messages.error(request, _("项目已结束，不能再修改。"))
        return redirect("sharing_program", pk=program.pk)
    form = ProgramForm(request.POST or None, initial=_program_initial(program), program=program)
    if request.method == "POST" and form.is_valid():
        with refusal_on_form(form):
            vouchers.update_program(request.user, program, **form.changes())
            messages.success(request, _("项目已保存。"))
            return redirect("sharing_program", pk=program.pk)
    return render(
        request,
        "sharing/program_form.html",
        {"sharing_tabs": tabs(request.user, "programs"), "form": form, "program": program},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_POST
@refuses
def program_open(request, pk: int):
    program = vouchers.get_program(request.user, pk)
    with refusal_as_message(request):
        vouchers.open_program(request.user, program)
        messages.success(request, _("项目已开始受理，企业可以申领。"))
    return redirect("sharing_program", pk=program.pk)


@login_required
@require_POST
@refuses
def program_close(request, pk: int):
    program = vouchers.get_program(request.user, pk)
    form = CloseForm(request.POST)
    form.is_valid()
    with refusal_as_message(request):
        vouchers.close_program(request.user, program, form.cleaned_data.get("reason") or "")
        messages.success(request, _("项目已结束受理；已发放的创新券在有效期内仍可使用。"))
    return redirect("sharing_program", pk=program.pk)


@login_required
@require_POST
@refuses
def voucher_apply(request, pk: int):
    program = vouchers.get_program(request.user, pk)
    form = ApplicationForm(request.POST, program=program)
    if form.is_valid():
        with refusal_on_form(form):
            vouchers.apply_for_voucher(request.user, program, **form.cleaned_data)
            messages.success(request, _("申领已提交，等待市科技局审核；审核结果将通知本单位用户。"))
            return redirect("sharing_program", pk=program.pk)
    return render(
        request,
        "sharing/program_detail.html",
        _program_context(request, program, apply_form=form),
        status=400,
    )


# -- applications ----------------------------------------------------------------------------


@login_required
@require_POST
@refuses
def application_approve(request, pk: int):
    application = vouchers.get_application(request.user, pk)
    with refusal_as_message(request):
        voucher = vouchers.approve_application(request.user, application)
        messages.success(
            request,
            _("已发券：%(o)s，券号 %(c)s，面额 %(f)s 元。")
            % {
                "o": application.organisation.name,
                "c": voucher.code,
                "f": yuan(voucher.face_value),
            },
        )
    return redirect_next(
        request, reverse("sharing_program", args=[application.program_id]) + "#queue"
    )


@login_required
@require_POST
@refuses
def application_refuse(request, pk: int):
    application = vouchers.get_application(request.user, pk)
    form = ReasonForm(request.POST)
    form.is_valid()
    try:
        vouchers.refuse_application(
            request.user, application, form.cleaned_data.get("reason") or ""
        )
    except NotAllowed:
        raise
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已不予发券：%(o)s。") % {"o": application.organisation.name})
    return redirect_next(
        request, reverse("sharing_program", args=[application.program_id]) + "#queue"
    )


@login_required
@require_POST
@refuses
def application_withdraw(request, pk: int):
    application = vouchers.get_application(request.user, pk)
    with refusal_as_message(request):
        vouchers.withdraw_application(request.user, application)
        messages.success(request, _("申领已撤回。"))
    return redirect_next(request, reverse("sharing_program", args=[application.program_id]))


# -- vouchers --------------------------------------------------------------------------------


@login_required
def voucher_list(request):
    user = request.user
    bureau = permissions.can(user, "sharing.manage")
    context = {"sharing_tabs": tabs(user, "programs"), "bureau": bureau}
    if bureau:
        form = VoucherFilterForm(request.GET or None)
        data = form.cleaned_data if form.is_valid() else {}
        qs = vouchers.vouchers_for(user, program=data.get("program"), status=data.get("status"))
        q = (data.get("q") or "").strip()
        if q:
            qs = qs.filter(Q(code__icontains=q) | Q(holder__name__icontains=q))
        fmt = request.GET.get("export")
        if fmt in EXPORT_FORMATS:
            return _export_vouchers(qs, fmt, _("创新券清单"))
        page, query = paginate(request, qs)
        _annotate_state(page.object_list)
        context.update(
            form=form,
            page=page,
            query=query,
            filtered=bool(data.get("program") or data.get("status") or q),
        )
        return render(request, "sharing/voucher_list.html", context)
    items = list(
        vouchers.vouchers_for(user).prefetch_related(
            Prefetch(
                "redemptions",
                queryset=Redemption.objects.select_related("provider__organisation").order_by(
                    "-redeemed_at"
                ),
            )
        )
    )
    _annotate_state(items)
    applications = list(vouchers.applications_for(user))
    for a in applications:
        a.category_label = ", ".join(category_labels([a.category]))
    context.update(
        items=items,
        applications=applications,
        may_apply=permissions.can(user, "sharing.apply_voucher"),
        has_organisation=own_organisation_id(user) is not None,
    )
    return render(request, "sharing/voucher_list.html", context)


def _voucher_context(request, voucher, cancel_form=None) -> dict:
    state = vouchers.voucher_state(voucher)
    return {
        "sharing_tabs": tabs(request.user, "programs"),
        "voucher": voucher,
        "state": state,
        "state_label": vouchers.state_label(state),
        "redemptions": list(
            voucher.redemptions.select_related("provider__organisation").order_by("-redeemed_at")
        ),
        "category_label": ", ".join(category_labels([voucher.application.category])),
        "bureau": permissions.can(request.user, "sharing.manage"),
        "cancel_form": cancel_form or ReasonForm(),
        "may_cancel": voucher.status == VoucherStatus.ACTIVE and voucher.remaining > 0,
    }


@login_required
@refuses
def voucher_detail(request, pk: int):
    voucher = vouchers.get_voucher(request.user, pk)
    return render(request, "sharing/voucher_detail.html", _voucher_context(request, voucher))


@login_required
@require_POST
@refuses
def voucher_cancel(request, pk: int):
    voucher = vouchers.get_voucher(request.user, pk)
    form = ReasonForm(request.POST)
    form.is_valid()
    with refusal_on_form(form):
        cancelled = vouchers.cancel_voucher(
            request.user, voucher, form.cleaned_data.get("reason") or ""
        )
        messages.success(
            request,
            _("创新券 %(c)s 已作废，%(a)s 元未使用额度已退回项目预算。")
            % {"c": cancelled.code, "a": yuan(cancelled.released)},
        )
        return redirect("sharing_voucher", pk=voucher.pk)
    return render(
        request,
        "sharing/voucher_detail.html",
        _voucher_context(request, voucher, cancel_form=form),
        status=400,
    )


def voucher_verify(request):
    form = VerifyForm(request.GET or None)
    result = None
    error = None
    status = 200
    if request.GET.get("code") is not None:
        if form.is_valid():
            try:
                result = vouchers.verify(form.cleaned_data["code"], request.user)
            except NotFound as exc:
                error, status = exc.message, 404
            except ServiceError as exc:
                error, status = exc.message, 400
        else:
            error, status = _("请输入券号。"), 400
    return render(
        request,
        "sharing/voucher_verify.html",
        {
            "sharing_tabs": tabs(request.user, "programs"),
            "form": form,
            "result": result,
            "error": error,
        },
        status=status,
    )
