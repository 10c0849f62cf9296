from django import forms
from django.utils.translation import gettext_lazy as _

from bridging.choices import FailureReason


class FailForm(forms.Form):
    failure_reason = forms.ChoiceField(
        label=_("未成原因"), choices=[("", "——")] + list(FailureReason.choices)
    )
    failure_note = forms.CharField(
        label=_("具体情况"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class NextStepForm(forms.Form):
    next_step = forms.CharField(label=_("下一步工作"), max_length=200)
    next_step_due = forms.DateField(
        label=_("期限"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class NoteForm(forms.Form):
    text = forms.CharField(label=_("对接记录"), widget=forms.Textarea(attrs={"rows": 3}))


class AdvanceForm(forms.Form):
    note = forms.CharField(label=_("说明"), required=False, max_length=500)
    contract_amount = forms.DecimalField(
        label=_("签约金额（万元）"), required=False, min_value=0, max_digits=14, decimal_places=2
    )
