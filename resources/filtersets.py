"""Catalog filters: one FilterSet per record kind serves the catalog page and the API."""

from __future__ import annotations

from functools import cache

import django_filters
from django.utils.translation import gettext_lazy as _

from core.choices import OrgType
from core.filtersets import ALL
from core.models import ChainNode, Discipline, HighTechField, IndustryChain, Region
from core.widgets import use_fast_selects
from resources import search
from resources.choices import (
    TRL,
    CooperationMode,
    PatentStatus,
    PatentType,
    PlatformLevel,
    PlatformType,
    PriceBand,
    TransferMode,
)

SORTS = (("relevance", _("相关度")), ("newest", _("最新发布")))


class RecordFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("关键词"),
        method="filter_q",
        help_text=_(
            "全文检索。匹配的记录很多时，列出（并计数）其中最新发布的 5,000 条，"
            "按相关度或发布时间排序；导出包含全部匹配记录。"
        ),
    )
    region = django_filters.ModelChoiceFilter(
        label=_("所在区域"),
        queryset=Region.objects.exclude(kind="city"),
        to_field_name="code",
        empty_label=ALL,
    )
    org_type = django_filters.ChoiceFilter(
        label=_("单位类型"), field_name="owner__type", choices=OrgType.choices, empty_label=ALL
    )
    sort = django_filters.ChoiceFilter(
        label=_("排序"), choices=SORTS, method="filter_sort", empty_label=None
    )

    # Filters whose values are also tokens in the full-text index (resources.search.FACET_FIELDS).
    INDEXED_FACETS = {
        "region": "region_id",
        "trl": "trl",
        "price_band": "price_band",
        "hightech_field": "hightech_field_id",
        "type": "type",
        "level": "level",
        "legal_status": "legal_status",
    }

    @property
    def form(self):
        form = super().form
        if not getattr(form, "_fast_selects", False):
            use_fast_selects(form)
            form._fast_selects = True
        return form

    def filter_q(self, queryset, name, value):
        if not value.strip():
            return queryset
        facets = {}
        for filter_name, field in self.INDEXED_FACETS.items():
            chosen = self.form.cleaned_data.get(filter_name)
            if chosen not in (None, ""):
                facets[field] = getattr(chosen, "pk", chosen)
        return search.search(queryset, value, facets)

    def filter_sort(self, queryset, name, value):
        return queryset  # ordering is applied last, in `qs`, once every filter has run

    def _text_search(self) -> tuple[bool, bool]:
        """(a text query is given, its matches are to be ranked by relevance)."""
        if not (self.is_bound and self.is_valid()):
            return False, False
        has_query = bool(self.form.cleaned_data.get("q", "").strip())
        return has_query, has_query and self.form.cleaned_data.get("sort") != "newest"

    @property
    def qs(self):
        """Every match, in order (exports and subscriptions; pages use `listing()`)."""
        queryset = super().qs
        if self._text_search()[1]:
            return queryset.order_by("-rank", "-published_at", "-id")
        return queryset.order_by("-published_at", "-id")

    def listing(self):
        """What a list page or the API lists: `qs`, except that a text search lists only the
        newest search.MAX_LISTED of its matches (ranked among themselves)."""
        has_query, by_relevance = self._text_search()
        if not has_query:
            return self.qs
        return search.listing(super().qs, self.queryset, by_relevance=by_relevance)


def _chain_filters():
    return {
        "chain": django_filters.ModelChoiceFilter(
            label=_("产业链"),
            queryset=IndustryChain.objects.all(),
            to_field_name="code",
            field_name="chain_nodes__chain",
            distinct=True,
            empty_label=ALL,
        ),
        "chain_node": django_filters.ModelChoiceFilter(
            label=_("产业链节点"),
            queryset=ChainNode.objects.select_related("chain"),
            to_field_name="code",
            field_name="chain_nodes",
            empty_label=ALL,
        ),
    }


def _field_filters():
    return {
        "discipline": django_filters.ModelChoiceFilter(
            label=_("学科"),
            queryset=Discipline.objects.all(),
            to_field_name="code",
            field_name="disciplines",
            empty_label=ALL,
        ),
        "hightech_field": django_filters.ModelChoiceFilter(
            label=_("高新技术领域"),
            queryset=HighTechField.objects.all(),
            to_field_name="code",
            empty_label=ALL,
        ),
    }


_TRANSFER_FIELDS = {
    TransferMode.ASSIGNMENT: "allows_assignment",
    TransferMode.LICENSE: "allows_license",
    TransferMode.EQUITY: "allows_equity",
    TransferMode.COOPERATION: "allows_cooperation",
}


def _transfer_mode(queryset, name, value):
    return queryset.filter(**{_TRANSFER_FIELDS[value]: True})


EXTRA = {
    "achievements": lambda: {
        **_field_filters(),
        **_chain_filters(),
        "trl": django_filters.ChoiceFilter(
            label=_("技术成熟度"), choices=TRL.choices, empty_label=ALL
        ),
        "transfer_mode": django_filters.ChoiceFilter(
            label=_("转化方式"),
            choices=TransferMode.choices,
            method=_transfer_mode,
            empty_label=ALL,
        ),
        "price_band": django_filters.ChoiceFilter(
            label=_("价格区间"), choices=PriceBand.choices, empty_label=ALL
        ),
    },
    "demands": lambda: {
        **_field_filters(),
        **_chain_filters(),
        "cooperation_mode": django_filters.ChoiceFilter(
            label=_("合作方式"), choices=CooperationMode.choices, empty_label=ALL
        ),
        "challenge_ok": django_filters.BooleanFilter(label=_("可揭榜挂帅")),
    },
    "experts": lambda: {
        "discipline": _field_filters()["discipline"],
        **_chain_filters(),
        "available": django_filters.BooleanFilter(label=_("可参加评审")),
    },
    "platforms": lambda: {
        **_chain_filters(),
        "type": django_filters.ChoiceFilter(
            label=_("平台类型"), choices=PlatformType.choices, empty_label=ALL
        ),
        "level": django_filters.ChoiceFilter(
            label=_("级别"), choices=PlatformLevel.choices, empty_label=ALL
        ),
    },
    "instruments": lambda: {},
    "patents": lambda: {
        "type": django_filters.ChoiceFilter(
            label=_("专利类型"), choices=PatentType.choices, empty_label=ALL
        ),
        "legal_status": django_filters.ChoiceFilter(
            label=_("法律状态"), choices=PatentStatus.choices, empty_label=ALL
        ),
    },
}


@cache
def filterset_for(kind) -> type[RecordFilterSet]:
    """The FilterSet class of one record kind (built once)."""
    attrs = dict(EXTRA[kind.key]())
    attrs["Meta"] = type("Meta", (), {"model": kind.model, "fields": []})
    return type(f"{kind.model.__name__}FilterSet", (RecordFilterSet,), attrs)
