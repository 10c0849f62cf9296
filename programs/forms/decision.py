"""拟立项 (a funding amount for each chosen application), objections and their handling."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from programs.forms.fields import MONEY
from programs.models import Application


class ProposeForm(forms.Form):
    """A checkbox and an amount per reviewed application; the service checks caps and totals."""

    def __init__(self, *args, applications: list[Application], cap: Decimal, **kwargs):
        super().__init__(*args, prefix="propose", **kwargs)
        self.applications = applications
        for application in applications:
            self.fields[f"pick_{application.pk}"] = forms.BooleanField(
                label=application.title, required=False
            )
            self.fields[f"amount_{application.pk}"] = forms.DecimalField(
                label=_("拟资助经费（万元）"),
                required=False,
                initial=min(application.requested_funding, cap),
                widget=forms.NumberInput(
                    attrs={"step": "0.01", "min": "0", "max": cap, "class": "amount"}
                ),
                **MONEY,
            )

    def rows(self):
        return [(a, self[f"pick_{a.pk}"], self[f"amount_{a.pk}"]) for a in self.applications]

    def clean(self):
        data = super().clean()
        for application in self.applications:
            if data.get(f"pick_{application.pk}") and data.get(f"amount_{application.pk}") is None:
                self.add_error(f"amount_{application.pk}", _("请填写拟资助经费。"))
        return data

    def funding(self) -> dict[int, Decimal]:
        return {
            a.pk: self.cleaned_data[f"amount_{a.pk}"]
            for a in self.applications
            if self.cleaned_data.get(f"pick_{a.pk}")
        }


class ResolveForm(forms.Form):
    resolution = forms.CharField(
        label=_("处理意见"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )


class ObjectionForm(forms.Form):
    """Anyone's objection to a project in the 公示: who they are, how to reach them, and why."""

    application = forms.ModelChoiceField(
        label=_("异议项目"), queryset=Application.objects.none(), empty_label=_("请选择项目")
    )
    name = forms.CharField(label=_("异议人"), max_length=50, help_text=_("单位名称或本人真实姓名"))
    contact = forms.CharField(
        label=_("联系方式"), max_length=50, help_text=_("手机号或电子邮箱，仅用于核实，不公开")
    )
    content = forms.CharField(
        label=_("异议内容与依据"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("请写明具体事实和依据，不少于10个字"),
    )

    def __init__(self, *args, projects, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["application"]
        field.queryset = projects
        field.label_from_instance = lambda a: f"{a.number} {a.title}" if a.number else a.title
