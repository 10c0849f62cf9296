"""The application form, its budget table, attachments and the reasons given when returning."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from programs.choices import AttachmentKind, BudgetCategory, CallKind
from programs.forms.fields import MONEY, OrganisationNamesField, TeamField
from programs.models import Application, Call


class ApplicationForm(forms.ModelForm):
    team = TeamField(
        label=_("项目组成员"), required=False, help_text=_("每行一人：姓名｜单位｜分工")
    )
    co_organisations = OrganisationNamesField(
        label=_("合作单位"),
        required=False,
        help_text=_("填写单位名录中的全称，每行一个"),
    )

    class Meta:
        model = Application
        fields = [
            "title",
            "topic",
            "summary",
            "keywords",
            "pi_name",
            "team",
            "co_organisations",
            "requested_funding",
            "self_funding",
        ]
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 6}),
            "requested_funding": forms.NumberInput(attrs={"step": "0.01", "min": "0"}),
            "self_funding": forms.NumberInput(attrs={"step": "0.01", "min": "0"}),
        }

    def __init__(self, *args, call: Call, **kwargs):
        super().__init__(*args, **kwargs)
        topic = self.fields["topic"]
        topic.queryset = call.topics.all()
        if not call.topics.exists():
            del self.fields["topic"]
        elif call.kind == CallKind.CHALLENGE:
            topic.required, topic.label = True, _("揭榜榜单")
        if self.instance.pk:
            self.initial["co_organisations"] = list(self.instance.co_organisations.all())
        # The call's own questions; answering them is checked when submitting, not when saving.
        self.questions = list(call.form_fields)
        answers = self.instance.answers or {}
        for question in self.questions:
            name = f"answer_{question['key']}"
            common = {
                "label": question["label"],
                "required": False,
                "initial": answers.get(question["key"]),
            }
            if question["type"] == "number":
                self.fields[name] = forms.DecimalField(**common, max_digits=14, decimal_places=2)
            elif question["type"] == "choice":
                choices = [("", "—"), *((c, c) for c in question["choices"])]
                self.fields[name] = forms.ChoiceField(**common, choices=choices)
            else:
                self.fields[name] = forms.CharField(**common, max_length=2000)
            if question.get("required"):
                self.fields[name].help_text = _("必填，提交时检查")

    def values(self) -> dict:
        values = {
            name: self.cleaned_data[name] for name in self.fields if not name.startswith("answer_")
        }
        if self.questions:
            values["answers"] = {
                q["key"]: self.cleaned_data.get(f"answer_{q['key']}")
                for q in self.questions
                if self.cleaned_data.get(f"answer_{q['key']}") not in (None, "")
            }
        return values


class BudgetForm(forms.Form):
    """预算表: one amount and its 测算依据 per category, handed to the service as a dict."""

    def __init__(self, *args, application: Application | None = None, **kwargs):
        super().__init__(*args, prefix="budget", **kwargs)
        lines = {}
        if application is not None and application.pk:
            lines = {line.category: line for line in application.budget_lines.all()}
        for category, label in BudgetCategory.choices:
            line = lines.get(category)
            self.fields[f"{category}_amount"] = forms.DecimalField(
                label=label,
                required=False,
                initial=line.amount if line else None,
                widget=forms.NumberInput(
                    attrs={"step": "0.01", "min": "0", "class": "budget-amount"}
                ),
                **MONEY,
            )
            self.fields[f"{category}_note"] = forms.CharField(
                label=_("测算依据"),
                required=False,
                max_length=300,
                initial=line.note if line else "",
                widget=forms.TextInput(attrs={"placeholder": _("测算依据")}),
            )

    def rows(self):
        return [
            (label, self[f"{category}_amount"], self[f"{category}_note"])
            for category, label in BudgetCategory.choices
        ]

    def budget(self) -> dict[str, tuple[Decimal, str]]:
        return {
            category: (
                self.cleaned_data[f"{category}_amount"] or Decimal(0),
                self.cleaned_data[f"{category}_note"].strip(),
            )
            for category in BudgetCategory.values
        }


class AttachmentForm(forms.Form):
    kind = forms.ChoiceField(label=_("附件类型"), choices=AttachmentKind.choices)
    file = forms.FileField(
        label=_("文件"), help_text=_("PDF、Word（docx）、Excel（xlsx）或 JPG/PNG，不超过 20 MB")
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("原因"), max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )
