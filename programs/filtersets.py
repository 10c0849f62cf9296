"""Filters of the call and application lists: the same FilterSet serves the page and the API."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core import permissions
from core.filtersets import ALL
from programs.choices import ApplicationStatus, CallKind, CallStatus
from programs.models import Application, Call
from programs.permissions import visible_calls


class CallFilterSet(django_filters.FilterSet):
    # A number, offered as a list of the years there are calls for: an unknown year finds none.
    year = django_filters.NumberFilter(label=_("年度"), widget=forms.Select)
    kind = django_filters.ChoiceFilter(label=_("类型"), empty_label=ALL, choices=CallKind.choices)
    status = django_filters.ChoiceFilter(
        label=_("状态"), empty_label=ALL, choices=CallStatus.choices
    )

    class Meta:
        model = Call
        fields = ["year", "kind", "status"]

    def __init__(self, data=None, queryset=None, *, request=None, **kwargs):
        super().__init__(data, queryset, request=request, **kwargs)
        years = sorted(set(self.queryset.order_by().values_list("year", flat=True)), reverse=True)
        self.filters["year"].extra["widget"] = forms.Select(
            choices=[("", ALL), *((y, y) for y in years)]
        )
        user = getattr(request, "user", None)
        if user is None or not permissions.can(user, "programs.manage_call"):
            # Everyone else sees published calls only: a status filter would offer nothing.
            del self.filters["status"]


def _calls_for_request(request):
    if request is None:
        return Call.objects.all()
    return visible_calls(Call.objects.select_related("region"), request.user)


class ApplicationFilterSet(django_filters.FilterSet):
    call = django_filters.ModelChoiceFilter(
        label=_("指南"), empty_label=ALL, queryset=_calls_for_request
    )
    status = django_filters.ChoiceFilter(
        label=_("状态"), empty_label=ALL, choices=ApplicationStatus.choices
    )
    q = django_filters.CharFilter(label=_("项目名称或编号"), method="search")

    class Meta:
        model = Application
        fields = ["call", "status", "q"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(title__icontains=value) | Q(number=value))
