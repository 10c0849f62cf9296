"""定价参考 pages: the achievements a user may value, one achievement's reports and the three
calculators (测算 shows the working without saving; 保存 keeps a dated report), and a report.
Every figure comes from transfer.services.valuation."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import permissions
from core.decorators import refuses
from core.exceptions import NotAllowed, NotFound, ServiceError
from core.views import paginate
from transfer.choices import ValuationMethod
from transfer.services import valuation as svc
from transfer.services import valuation_math as vm
from transfer.services.valuation_inputs import (
    LABELS,
    MAX_HORIZON,
    REVENUE_MODES,
    VARIANTS,
    industries,
    reference,
)

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
# Separators between the yearly figures; an ASCII comma is refused, since it may be either a
# separator or a thousands separator ("300,330" could be two years or one).
SEPARATORS = re.compile(r"[\s、；;，]+")


def _number(label, help_text="", **attrs):
    return forms.DecimalField(
        label=label,
        required=False,
        help_text=help_text,
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal", **attrs}),
    )


class ValuationForm(forms.Form):
    valuation_date = forms.DateField(
        label=LABELS["valuation_date"],
        required=False,
        widget=DATE_INPUT,
        help_text=gettext_lazy("默认为今天。"),
    )

    def service_data(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if v not in (None, "", [])}


class IncomeForm(ValuationForm):
    variant = forms.ChoiceField(
        label=LABELS["variant"],
        choices=list(VARIANTS.items()),
        widget=forms.RadioSelect,
        initial="profit_split",
    )
    revenue_mode = forms.ChoiceField(
        label=LABELS["revenue_mode"],
        choices=list(REVENUE_MODES.items()),
        widget=forms.RadioSelect,
        initial="growth",
    )
    base_revenue = _number(
        LABELS["base_revenue"], gettext_lazy("按“首年收入 + 年增长率”预测时填写。")
    )
    growth_rate = _number(LABELS["growth_rate"], gettext_lazy("可为负数，-50% 到 100%；不填按 0。"))
    horizon = forms.IntegerField(
        label=LABELS["horizon"],
        required=False,
        initial=5,
        help_text=gettext_lazy("1 到 20 年。"),
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    revenues = forms.CharField(
        label=LABELS["revenues"],
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "placeholder": "3000000\n3300000\n3630000"}),
        help_text=gettext_lazy(
            "按“逐年预测收入”时填写：从第1年起每行一个数（也可用空格或顿号分隔），单位为元，不要使用千位分隔符。"
        ),
    )
    margin = _number(LABELS["margin"], gettext_lazy("实施该技术的产品的销售利润率。"))
    share = _number(
        LABELS["share"],
        gettext_lazy("技术对利润的贡献比例：三分法 33%、四分法 25%，常用区间 25%–33%。"),
    )
    royalty = _number(
        LABELS["royalty"],
        gettext_lazy("按销售收入提成时填写；不填而选择了行业的，取该行业参考区间的中值。"),
    )
    industry = forms.ChoiceField(label=LABELS["industry"], required=False)
    discount_rate = _number(
        LABELS["discount_rate"], gettext_lazy("反映资金时间价值和风险，如 10%。")
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["valuation_date"].help_text = _("默认为今天；各年收益按年末折现到这一天。")
        self.fields["industry"].choices = [("", _("不指定"))] + [
            (
                row["code"],
                _("%(name)s（提成率 %(low)s–%(high)s）")
                % {
                    "name": row["name"],
                    "low": vm.percent(row["low"]),
                    "high": vm.percent(row["high"]),
                },
            )
            for row in industries()
        ]

    def clean_revenues(self) -> list[Decimal]:
        text = (self.cleaned_data.get("revenues") or "").strip()
        if not text:
            return []
        if "," in text:
            raise ValidationError(
                _(
                    "请不要使用英文逗号：它既可能是千位分隔符，也可能是分隔符。请每行填写一年的收入，或用空格、顿号分隔。"
                )
            )
        values = []
        for n, token in enumerate(SEPARATORS.split(text), 1):
            try:
                value = Decimal(token)
            except InvalidOperation:
                value = Decimal("NaN")
            if not value.is_finite():
                raise ValidationError(_("第%(n)d个数“%(t)s”不是数字。") % {"n": n, "t": token[:20]})
            values.append(value)
        if len(values) > MAX_HORIZON:
            raise ValidationError(
                _("最多预测%(max)d年，现在填了%(n)d年。") % {"max": MAX_HORIZON, "n": len(values)}
            )
        return values

    def service_data(self) -> dict:
        data = super().service_data()
        # Only the fields of the chosen way of forecasting count.
        if data.get("revenue_mode") == "growth":
            data.pop("revenues", None)
        else:
            for name in ("base_revenue", "growth_rate", "horizon"):
                data.pop(name, None)
        return data


class CostForm(ValuationForm):
    materials = _number(
        LABELS["materials"], gettext_lazy("研制该成果实际消耗的材料、设备等物化劳动。")
    )
    labour = _number(LABELS["labour"], gettext_lazy("研制该成果投入的科研人员工资等活劳动。"))
    multiplier = _number(
        LABELS["multiplier"], gettext_lazy("科研人员创造性劳动的倍加系数，1 到 10。")
    )
    return_rate = _number(LABELS["return_rate"], gettext_lazy("研发投资的合理报酬率，0 到 100%。"))
    risk = _number(
        LABELS["risk"],
        gettext_lazy("研发失败的风险，0 到 100%（不含 100%）。该系数在公式中的符号待核实。"),
    )
    newness = _number(
        LABELS["newness"],
        gettext_lazy("考虑技术陈旧贬值后的剩余价值比例，不填按 100%。"),
    )


class MarketForm(ValuationForm):
    pass


FORMS = {
    ValuationMethod.INCOME: IncomeForm,
    ValuationMethod.COST: CostForm,
    ValuationMethod.MARKET: MarketForm,
}
INITIAL = {
    ValuationMethod.INCOME: {
        "variant": "profit_split",
        "revenue_mode": "growth",
        "horizon": 5,
        "share": Decimal(25),
        "discount_rate": Decimal(10),
    },
    ValuationMethod.COST: {"newness": Decimal(100)},
    ValuationMethod.MARKET: {},
}
METHOD_HELP = {
    ValuationMethod.INCOME: gettext_lazy(
        "按成果实施后各年销售收入中归属于技术的部分（利润分成或销售收入提成）折现求和。"
    ),
    ValuationMethod.COST: gettext_lazy(
        "倍加系数法：按研制成果的材料费、人工费，计入创造性劳动、投资报酬和研发风险，估算重置成本。"
    ),
    ValuationMethod.MARKET: gettext_lazy(
        "参照本平台已认定登记的同领域技术转让、技术许可合同的成交额：给出中位数和四分位数。"
    ),
}


@login_required
def valuation_home(request):
    """The achievements this user may value, with their latest report."""
    records = svc.achievements_for(request.user).annotate(reports=Count("valuations"))
    q = request.GET.get("q", "").strip()
    if q:
        records = records.filter(Q(title__icontains=q) | Q(owner__name__icontains=q))
    paged, query = paginate(request, records)
    return render(
        request,
        "transfer/valuation_home.html",
        {
            "page": paged,
            "query": query,
            "q": q,
            "bureau": permissions.is_bureau(request.user),
            "member": request.user.current_membership is not None,
            "methods": [(m, ValuationMethod(m).label, METHOD_HELP[m]) for m in FORMS],
            "disclaimer": svc.DISCLAIMER,
        },
    )


@login_required
@refuses
def achievement_valuations(request, pk: int):
    achievement = svc.get_achievement(request.user, pk)
    reports = svc.reports_for(request.user, achievement)
    paged, query = paginate(request, reports)
    return render(
        request,
        "transfer/valuation_achievement.html",
        {
            "achievement": achievement,
            "page": paged,
            "query": query,
            "methods": [(m, ValuationMethod(m).label, METHOD_HELP[m]) for m in FORMS],
            "disclaimer": svc.DISCLAIMER,
        },
    )


def _result_context(result: svc.Valuation | None) -> dict:
    if result is None:
        return {}
    return {
        "result": result,
        "rows": svc.input_rows(result.method, result.inputs),
        "sensitivity": svc.sensitivity_rows(result.sensitivity),
    }


@login_required
@refuses
def calculator(request, pk: int, method: str):
    achievement = svc.get_achievement(request.user, pk)
    if method not in FORMS:
        raise Http404
    form_class = FORMS[method]
    initial = {**INITIAL[method], "valuation_date": timezone.localdate()}
    form = form_class(request.POST or None, initial=initial)
    result = None
    if method == ValuationMethod.MARKET and request.method == "GET":
        result = svc.preview(request.user, achievement, method, {})
    if request.method == "POST" and form.is_valid():
        data = form.service_data()
        try:
            if "save" in request.POST:
                report = svc.save_report(request.user, achievement, method, data)
                messages.success(request, _("定价参考报告已保存。"))
                return redirect("transfer_valuation", pk=report.pk)
            result = svc.preview(request.user, achievement, method, data)
        except ValidationError as exc:
            for name, errors in exc.message_dict.items():
                form.add_error(name if name in form.fields else None, errors)
        except (NotAllowed, NotFound):
            raise
        except ServiceError as exc:
            form.add_error(None, exc.message)
            if method == ValuationMethod.MARKET:
                result = svc.preview(request.user, achievement, method, data)
    return render(
        request,
        "transfer/valuation_calculator.html",
        {
            "achievement": achievement,
            "method": method,
            "method_label": ValuationMethod(method).label,
            "method_help": METHOD_HELP[method],
            "form": form,
            "industries": [
                {**row, **{k: vm.percent(row[k]) for k in ("low", "high", "mid")}}
                for row in industries()
            ],
            "reference": reference(),
            "disclaimer": svc.DISCLAIMER,
            **_result_context(result),
        },
    )


@login_required
@refuses
def report_detail(request, pk: int):
    report = svc.get_report(request.user, pk)
    return render(
        request,
        "transfer/valuation_detail.html",
        {
            "report": report,
            "achievement": report.achievement,
            "rows": svc.input_rows(report.method, report.inputs),
            "working": report.working,
            "notes": svc.notes_for(report.method, report.inputs),
            "sensitivity": svc.sensitivity_rows(report.sensitivity),
            "disclaimer": svc.DISCLAIMER,
        },
    )
