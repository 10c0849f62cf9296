"""Filters shared by the HTML lists and the API endpoints of the same records."""

import django_filters
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.choices import AuditAction, OrgType
from core.models import AuditEntry, ChainNode, IndustryChain, IndustrySection, Organisation, Region

ALL = _("全部")


class OrganisationFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("关键词"), method="search")
    type = django_filters.ChoiceFilter(
        label=_("单位类型"), empty_label=ALL, choices=OrgType.choices
    )
    region = django_filters.ModelChoiceFilter(
        label=_("所在区域"),
        empty_label=ALL,
        queryset=Region.objects.exclude(kind="city"),
        to_field_name="code",
    )
    industry = django_filters.ModelChoiceFilter(
        label=_("所属行业"),
        empty_label=ALL,
        queryset=IndustrySection.objects.all(),
        to_field_name="code",
    )
    chain = django_filters.ModelChoiceFilter(
        label=_("产业链"),
        empty_label=ALL,
        queryset=IndustryChain.objects.all(),
        to_field_name="code",
        field_name="chain_nodes__chain",
        distinct=True,
    )
    chain_node = django_filters.ModelChoiceFilter(
        label=_("产业链节点"),
        empty_label=ALL,
        queryset=ChainNode.objects.select_related("chain"),
        to_field_name="code",
        field_name="chain_nodes",
    )

    class Meta:
        model = Organisation
        fields = ["q", "type", "region", "industry", "chain", "chain_node"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(name__icontains=value) | Q(uscc__iexact=value))


class AuditFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("对象或操作人"), method="search")
    action = django_filters.ChoiceFilter(
        label=_("操作"), empty_label=ALL, choices=AuditAction.choices
    )
    content_type = django_filters.ModelChoiceFilter(
        label=_("对象类型"),
        empty_label=ALL,
        queryset=ContentType.objects.filter(app_label="core").order_by("model"),
    )
    date_from = django_filters.DateFilter(
        label=_("起始日期"), field_name="at", lookup_expr="date__gte"
    )
    date_to = django_filters.DateFilter(
        label=_("截止日期"), field_name="at", lookup_expr="date__lte"
    )

    class Meta:
        model = AuditEntry
        fields = ["q", "action", "content_type", "date_from", "date_to"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(object_repr__icontains=value) | Q(actor_name__icontains=value))
