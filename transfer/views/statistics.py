"""The bureau's statistics of registered technology contracts and the transfer funnel, with
Excel export; a district admin sees their own district only."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.decorators import refuses
from core.exports import EXPORT_FORMATS, export_response
from transfer.services import statistics
from transfer.views.trading import tabs

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class PeriodForm(forms.Form):
    year = forms.TypedChoiceField(
        label=gettext_lazy("登记年度"), coerce=int, required=False, empty_value=None
    )
    date_from = forms.DateField(label=gettext_lazy("起始日期"), required=False, widget=DATE_INPUT)
    date_to = forms.DateField(label=gettext_lazy("截止日期"), required=False, widget=DATE_INPUT)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        this_year = timezone.localdate().year
        self.fields["year"].choices = [
            ("", gettext_lazy("全部年度")),
            *((y, str(y)) for y in range(this_year, this_year - 10, -1)),
        ]

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_to"] < data["date_from"]:
            self.add_error("date_to", _("截止日期不能早于起始日期。"))
        return data

    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        return {k: v for k, v in self.cleaned_data.items() if v not in (None, "")}


class FunnelForm(PeriodForm):
    BY = [("organisation", gettext_lazy("按单位")), ("district", gettext_lazy("按区域"))]
    by = forms.ChoiceField(label=gettext_lazy("统计口径"), choices=BY, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["year"]


@login_required
@refuses
def contract_statistics(request):
    region = statistics.statistics_region(request.user)
    form = PeriodForm(request.GET or None)
    stats = statistics.contract_statistics(region=region, **form.filters())
    fmt = request.GET.get("export")
    if fmt in EXPORT_FORMATS:
        headers = [
            _("统计维度"),
            _("分类"),
            _("合同数"),
            _("合同总金额（元）"),
            _("技术交易额（元）"),
        ]
        name = _("技术合同登记统计")
        if region is not None:
            name = f"{region.name}{name}"
        return export_response(
            headers, statistics.statistics_rows(stats), name, fmt, _("合同登记统计")
        )
    labels = statistics.dimension_labels()
    groups = [(key, labels[key], rows) for key, rows in stats["groups"].items()]
    return render(
        request,
        "transfer/statistics_contracts.html",
        {
            "form": form,
            "stats": stats,
            "groups": groups,
            "region": region,
            "trade_tabs": tabs(request.user, "statistics"),
        },
    )


@login_required
@refuses
def funnel(request):
    region = statistics.statistics_region(request.user)
    form = FunnelForm(request.GET or None)
    filters = form.filters()
    by = filters.pop("by", None) or "organisation"
    data = statistics.transfer_funnel(by=by, region=region, **filters)
    fmt = request.GET.get("export")
    if fmt in EXPORT_FORMATS:
        name = _("成果转化漏斗")
        if region is not None:
            name = f"{region.name}{name}"
        return export_response(
            statistics.funnel_headers(by), statistics.funnel_rows(data), name, fmt, _("转化漏斗")
        )
    labels = statistics.stage_labels()
    return render(
        request,
        "transfer/statistics_funnel.html",
        {
            "form": form,
            "funnel": data,
            "by": by,
            "region": region,
            "stages": [(s, labels[s]) for s in statistics.STAGES],
            "amount_label": labels["registered_amount"],
            "rows": [(r, [r[s] for s in statistics.STAGES]) for r in data["rows"]],
            "totals": [data["totals"][s] for s in statistics.STAGES],
            "total_cards": [(labels[s], data["totals"][s]) for s in statistics.STAGES],
            "trade_tabs": tabs(request.user, "funnel"),
        },
    )
