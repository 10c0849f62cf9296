"""One filter set for the list page, its export and the API list of the same records."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.filtersets import ALL
from core.validators import normalise_uscc
from integrity.choices import Activity, Severity, SubjectKind
from integrity.models import IntegrityRecord


class IntegrityRecordFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("关键词"),
        method="search",
        widget=forms.TextInput(attrs={"placeholder": _("名称、统一社会信用代码或文号")}),
    )
    subject_kind = django_filters.ChoiceFilter(
        label=_("主体类型"), choices=SubjectKind.choices, empty_label=ALL
    )
    severity = django_filters.ChoiceFilter(
        label=_("严重程度"), choices=Severity.choices, empty_label=ALL
    )
    activity = django_filters.ChoiceFilter(
        label=_("限制的活动"), choices=Activity.choices, method="filter_activity", empty_label=ALL
    )
    in_force_on = django_filters.DateFilter(
        label=_("在该日生效"),
        method="filter_in_force",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    class Meta:
        model = IntegrityRecord
        fields = ["q", "subject_kind", "severity", "activity", "in_force_on"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(organisation__name__icontains=value)
            | Q(person_name__icontains=value)
            | Q(organisation__uscc=normalise_uscc(value))
            | Q(decision_number__icontains=value)
        )

    def filter_activity(self, queryset, name, value):
        return queryset.barring(value)

    def filter_in_force(self, queryset, name, value):
        return queryset.in_force(value)
