"""After funding: the 任务书, progress reports, inspections, changes, acceptance and outcomes.

Milestones, indicators and their results are written one per line, parts separated by ｜.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from programs.choices import (
    BudgetCategory,
    ChangeKind,
    InspectionConclusion,
    OutcomeKind,
    Verdict,
)
from programs.forms.fields import DATE, MONEY, LinesField
from programs.models import Application, Contract


class MilestonesField(LinesField):
    """进度安排: 节点｜日期｜成果 per line."""

    keys = ("title", "due", "deliverable")
    widget = forms.Textarea(attrs={"rows": 4, "placeholder": "样机研制｜2027-06-30｜样机1台"})

    def parse_line(self, n, parts):
        if len(parts) > 3 or len(parts) < 2 or not parts[0] or not parts[1]:
            raise forms.ValidationError(_("第%(n)d行应写成“节点｜日期｜成果”。"), params={"n": n})
        try:
            due = datetime.date.fromisoformat(parts[1])
        except ValueError:
            raise forms.ValidationError(
                _("第%(n)d行的日期“%(d)s”应写成 2027-06-30 这样的格式。"),
                params={"n": n, "d": parts[1]},
            ) from None
        return {"title": parts[0], "due": due.isoformat(), "deliverable": "".join(parts[2:])}


class IndicatorsField(LinesField):
    """考核指标: 指标｜目标值 per line."""

    keys = ("name", "target")
    widget = forms.Textarea(attrs={"rows": 3, "placeholder": "输出功率｜≥100W"})

    def parse_line(self, n, parts):
        if len(parts) != 2 or not all(parts):
            raise forms.ValidationError(_("第%(n)d行应写成“指标｜目标值”。"), params={"n": n})
        return {"name": parts[0], "target": parts[1]}


class ResultsField(LinesField):
    """考核指标完成情况: 指标｜完成情况 per line."""

    keys = ("name", "result")
    widget = forms.Textarea(attrs={"rows": 3, "placeholder": "输出功率｜120W"})

    def parse_line(self, n, parts):
        if len(parts) != 2 or not all(parts):
            raise forms.ValidationError(_("第%(n)d行应写成“指标｜完成情况”。"), params={"n": n})
        return {"name": parts[0], "result": parts[1]}


def _budget_fields(form: forms.Form, initial: dict | None = None) -> None:
    for category, label in BudgetCategory.choices:
        form.fields[f"budget_{category}"] = forms.DecimalField(
            label=label,
            required=False,
            initial=(initial or {}).get(category),
            widget=forms.NumberInput(attrs={"step": "0.01", "min": "0"}),
            **MONEY,
        )


def _budget(data: dict) -> dict[str, str]:
    return {
        category: str(data[f"budget_{category}"])
        for category in BudgetCategory.values
        if data.get(f"budget_{category}")
    }


class ContractForm(forms.Form):
    start_date = forms.DateField(label=_("开始日期"), widget=DATE)
    end_date = forms.DateField(label=_("结束日期"), widget=DATE)
    funding = forms.DecimalField(
        label=_("财政资助（万元）"), help_text=_("须与立项经费一致"), **MONEY
    )
    report_every_months = forms.IntegerField(
        label=_("进展报告周期（月）"), min_value=1, max_value=24, initial=6
    )
    milestones = MilestonesField(label=_("进度安排"), help_text=_("每行一个节点：节点｜日期｜成果"))
    indicators = IndicatorsField(label=_("考核指标"), help_text=_("每行一项：指标｜目标值"))

    def __init__(self, *args, application: Application, **kwargs):
        super().__init__(*args, prefix="contract", **kwargs)
        today = timezone.localdate()
        self.initial.setdefault("start_date", today)
        self.initial.setdefault("end_date", today + relativedelta(years=2))
        self.initial.setdefault("funding", application.approved_funding)
        _budget_fields(self)
        self.order_fields(
            ["start_date", "end_date", "funding", "report_every_months"]
            + [f"budget_{c}" for c in BudgetCategory.values]
        )

    def clean(self):
        data = super().clean()
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end <= start:
            self.add_error("end_date", _("结束日期须晚于开始日期。"))
        return data

    def values(self) -> dict:
        data = self.cleaned_data
        return {
            "start_date": data["start_date"],
            "end_date": data["end_date"],
            "funding": data["funding"],
            "report_every_months": data["report_every_months"],
            "budget": _budget(data),
            "milestones": data["milestones"],
            "indicators": data["indicators"],
        }


class ReportForm(forms.Form):
    progress = forms.CharField(
        label=_("进展情况"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("对照任务书的进度安排和考核指标，不少于20个字"),
    )
    spent = forms.DecimalField(label=_("累计支出（万元）"), required=False, **MONEY)
    problems = forms.CharField(
        label=_("存在问题"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, report, **kwargs):
        super().__init__(*args, prefix=f"report-{report.pk}", **kwargs)


class NoteForm(forms.Form):
    """A note with a decision made by the button pressed (通过 / 退回, 批准 / 不批准)."""

    note = forms.CharField(
        label=_("意见"), required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )


class InspectionForm(forms.Form):
    inspected_on = forms.DateField(label=_("检查日期"), widget=DATE)
    conclusion = forms.ChoiceField(label=_("检查结论"), choices=InspectionConclusion.choices)
    rectify_by = forms.DateField(
        label=_("整改期限"), required=False, widget=DATE, help_text=_("限期整改时填写")
    )
    findings = forms.CharField(label=_("检查发现"), widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, prefix="inspection", **kwargs)
        self.initial.setdefault("inspected_on", timezone.localdate())


class ChangeForm(forms.Form):
    """One form for every kind of change; the page shows the new-value fields of the chosen kind."""

    kind = forms.ChoiceField(label=_("变更类型"), choices=ChangeKind.choices)
    reason = forms.CharField(label=_("变更理由"), widget=forms.Textarea(attrs={"rows": 2}))
    pi_name = forms.CharField(label=_("新的项目负责人"), required=False, max_length=50)
    end_date = forms.DateField(label=_("延期后的结束日期"), required=False, widget=DATE)
    content = forms.CharField(
        label=_("调整后的研究内容"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    KIND_FIELDS = {
        ChangeKind.PI: ["pi_name"],
        ChangeKind.SCHEDULE: ["end_date"],
        ChangeKind.CONTENT: ["content"],
        ChangeKind.BUDGET: [f"budget_{c}" for c in BudgetCategory.values],
    }

    def __init__(self, *args, contract: Contract, **kwargs):
        super().__init__(*args, prefix="change", **kwargs)
        _budget_fields(self, contract.budget)
        self.initial.setdefault("end_date", contract.end_date)

    def groups(self):
        """(kind, fields) for the template: each kind's fields shown only when it is chosen."""
        return [
            (str(kind), [self[name] for name in names]) for kind, names in self.KIND_FIELDS.items()
        ]

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        if kind and kind != ChangeKind.BUDGET:
            name = self.KIND_FIELDS[kind][0]
            if not data.get(name):
                self.add_error(name, _("请填写变更后的内容。"))
        return data

    def proposed(self) -> dict:
        data, kind = self.cleaned_data, self.cleaned_data["kind"]
        if kind == ChangeKind.PI:
            return {"pi_name": data["pi_name"].strip()}
        if kind == ChangeKind.SCHEDULE:
            return {"end_date": data["end_date"].isoformat()}
        if kind == ChangeKind.BUDGET:
            return {"budget": _budget(data)}
        return {"content": data["content"].strip()}


class FinalReportForm(forms.Form):
    summary = forms.CharField(
        label=_("验收总结报告"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("研究内容完成情况、经费使用和取得的成果，不少于20个字"),
    )
    indicators_met = ResultsField(
        label=_("考核指标完成情况"), required=False, help_text=_("每行一项：指标｜完成情况")
    )

    def __init__(self, *args, contract: Contract | None, **kwargs):
        super().__init__(*args, prefix="final", **kwargs)
        if contract is not None:
            self.initial.setdefault(
                "indicators_met",
                "\n".join(f"{i.get('name', '')}｜" for i in contract.indicators),
            )


class VerdictForm(forms.Form):
    verdict = forms.ChoiceField(
        label=_("验收结论"), choices=Verdict.choices, widget=forms.RadioSelect
    )
    note = forms.CharField(
        label=_("结论说明"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("结题或不通过须写明理由"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, prefix="verdict", **kwargs)


class OutcomeForm(forms.Form):
    kind = forms.ChoiceField(label=_("成果类型"), choices=OutcomeKind.choices)
    title = forms.CharField(label=_("名称"), max_length=200)
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    amount = forms.DecimalField(
        label=_("金额（万元）"),
        required=False,
        help_text=_("新增销售收入须填写"),
        max_digits=12,
        decimal_places=2,
        min_value=Decimal(0),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, prefix="outcome", **kwargs)
        self.initial.setdefault("year", timezone.localdate().year)
