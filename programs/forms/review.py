"""The expert's answer to an invitation and the score sheet."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _


class RespondForm(forms.Form):
    reason = forms.CharField(
        label=_("谢绝原因"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    conflict = forms.BooleanField(label=_("存在利益冲突需回避"), required=False)


class ScoreSheetForm(forms.Form):
    """One number per criterion of the call and the comment; the service checks the ranges."""

    def __init__(self, *args, criteria: list[dict], **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = criteria
        for c in criteria:
            self.fields[f"score_{c['key']}"] = forms.DecimalField(
                label=c["name"],
                widget=forms.NumberInput(
                    attrs={"step": "0.5", "min": "0", "max": c["points"], "class": "score"}
                ),
            )
        self.fields["comment"] = forms.CharField(
            label=_("评审意见"),
            widget=forms.Textarea(attrs={"rows": 5}),
            help_text=_("不少于10个字"),
        )

    def scores(self) -> dict[str, Decimal]:
        return {c["key"]: self.cleaned_data[f"score_{c['key']}"] for c in self.criteria}
