"""Forms of the brain's value entry and import: the page form and the import row form check the
same things as `brain.services.values` (period against the indicator's frequency, the value
against its unit), so a bad row names its problem before anything is saved."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from brain.models import Indicator
from brain.services import values
from core.models import Region


class ValueForm(forms.Form):
    """One value entered on a page: the regions offered are those the user may enter."""

    indicator = forms.ModelChoiceField(
        label=_("指标"),
        queryset=Indicator.objects.filter(active=True),
        to_field_name="code",
        error_messages={"invalid_choice": _("请选择指标。")},
    )
    region = forms.ChoiceField(label=_("区域"))
    period = forms.CharField(
        label=_("期别"),
        max_length=10,
        help_text=_("年度 2025；季度 2025Q3；月度 2025-07"),
        widget=forms.TextInput(attrs={"placeholder": "2025", "autocomplete": "off"}),
    )
    value = forms.CharField(
        label=_("数值"),
        max_length=30,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )
    note = forms.CharField(
        label=_("说明"),
        max_length=300,
        required=False,
        help_text=_("数据出处；修订已有数值时必须写明原因"),
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, user, indicator: Indicator | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        regions = values.enterable_regions(user)
        self.regions = {r.code: r for r in regions}
        self.fields["region"].choices = [(r.code, r.name) for r in regions]
        if indicator is not None:
            self.fields["indicator"].initial = indicator.code
            self.fields["indicator"].widget = forms.HiddenInput()
            self.fields["period"].widget.attrs["placeholder"] = _example(indicator)

    def clean(self):
        data = super().clean()
        indicator = data.get("indicator")
        if indicator is None:
            return data
        for name, check in (
            ("period", values.check_period),
            ("value", values.check_value),
        ):
            if name in data:
                try:
                    data[name] = check(indicator, data[name])
                except ValidationError as exc:
                    for message in exc.message_dict.get(name, exc.messages):
                        self.add_error(name, message)
        if "period" in data and not isinstance(data["period"], str):
            data["period"] = data["period"].text
        if "region" in data:
            data["region"] = self.regions[data["region"]]
        return data


def _example(indicator: Indicator) -> str:
    from brain.services.periods import example

    return example(indicator.frequency)


class ValueImportForm(forms.Form):
    """One row of an import file (columns 指标代码, 区域代码, 期别, 数值, 说明)."""

    indicator = forms.CharField(
        label=_("指标代码"), max_length=40, error_messages={"required": _("请填写指标代码")}
    )
    region = forms.CharField(
        label=_("区域代码"), max_length=12, error_messages={"required": _("请填写区域代码")}
    )
    period = forms.CharField(
        label=_("期别"), max_length=10, error_messages={"required": _("请填写期别")}
    )
    value = forms.CharField(
        label=_("数值"), max_length=30, error_messages={"required": _("请填写数值")}
    )
    note = forms.CharField(label=_("说明"), max_length=300, required=False)

    def clean_indicator(self):
        code = self.cleaned_data["indicator"].strip()
        indicator = Indicator.objects.filter(code=code).first()
        if indicator is None:
            raise ValidationError(_("没有代码为“%(c)s”的指标"), params={"c": code})
        if not indicator.active:
            raise ValidationError(_("指标“%(n)s”已停用"), params={"n": indicator.name})
        return indicator

    def clean_region(self):
        code = self.cleaned_data["region"].strip()
        region = Region.objects.filter(code=code).first()
        if region is None:
            raise ValidationError(_("没有代码为“%(c)s”的区域"), params={"c": code})
        return region

    def clean(self):
        data = super().clean()
        indicator = data.get("indicator")
        if isinstance(indicator, Indicator):
            for name, check in (("period", values.check_period), ("value", values.check_value)):
                if name in data:
                    try:
                        data[name] = check(indicator, data[name])
                    except ValidationError as exc:
                        for message in exc.message_dict.get(name, exc.messages):
                            self.add_error(name, message.rstrip("。"))
            if "period" in data and not isinstance(data["period"], str):
                data["period"] = data["period"].text
        return data
