"""Reading one year's values of the city's units and computing the index with its sensitivity
analysis (kechuang.composite), with the data version the result was computed from."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

import numpy as np
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from brain.choices import Direction, Frequency, Method
from brain.models import Indicator, IndicatorValue
from brain.services import periods, values
from brain.services.district_index.definition import (
    IndexDefinition,
    IndexIndicator,
    load_definition,
)
from core.choices import RegionKind
from core.exceptions import ServiceError
from core.models import Region
from kechuang.composite import (
    CompositeInput,
    CompositeResult,
    GroupSpec,
    IndicatorSpec,
    SensitivityResult,
    compute,
    sensitivity,
)


def skip_reasons() -> dict[str, str]:
    """Why an indicator of the definition is not in this year's index."""
    return {
        "not_in_catalog": _("指标目录中没有该指标（请先加载指标目录）"),
        "inactive": _("该指标已停用"),
        "no_values": _("本年度没有任何县（市）区的数值"),
        "no_year_rule": _("该指标按季度或月度取得，指数定义未说明其年度值的取法"),
        "no_platform_data": _("平台本年度没有相关记录（各单位均为 0）"),
        "too_few_values": _("有数值的单位不足 2 个，无法比较"),
        "constant": _("各单位数值相同，不能区分高低，已剔除"),
    }


# -- units, years and the data version ------------------------------------------------------


def index_units() -> list[Region]:
    """The units ranked: every region of the city below the city itself, in reference order."""
    return [r for r in values.all_regions() if r.kind != RegionKind.CITY]


def check_year(year) -> int:
    try:
        year = int(year)
    except (TypeError, ValueError):
        raise ServiceError(_("年度应为四位数字，如 2025。"), code="invalid") from None
    if not periods.MIN_YEAR <= year <= periods.MAX_YEAR:
        raise ServiceError(
            _("年度应在 %(a)d—%(b)d 之间。") % {"a": periods.MIN_YEAR, "b": periods.MAX_YEAR},
            code="invalid",
        )
    return year


def _year_filter(year: int) -> Q:
    # "2025", "2025Q3" and "2025-07" all start with the year.
    return Q(period=str(year)) | Q(period__startswith=f"{year}Q") | Q(period__startswith=f"{year}-")


def stored_years(definition: IndexDefinition | None = None) -> list[int]:
    """Years with stored values in use of the index's indicators for any unit, newest first."""
    definition = definition or load_definition()
    codes = [i.code for i in definition.indicators]
    found = (
        IndicatorValue.objects.filter(is_current=True, indicator__code__in=codes)
        .exclude(region__kind=RegionKind.CITY)
        .values_list("period", flat=True)
        .distinct()
    )
    return sorted({int(p[:4]) for p in found if p[:4].isdigit()}, reverse=True)


def year_choices(definition: IndexDefinition | None = None) -> list[int]:
    """Years offered: those with stored values and the last five calendar years."""
    this_year = timezone.localdate().year
    return sorted(
        set(stored_years(definition)) | set(range(this_year - 4, this_year + 1)), reverse=True
    )


def default_year(definition: IndexDefinition | None = None) -> int:
    """The newest finished year with stored values (the year in progress only when no earlier
    one has any: its index is provisional); without any, last year."""
    years = stored_years(definition)
    this_year = timezone.localdate().year
    finished = [y for y in years if y < this_year]
    if finished:
        return finished[0]
    return years[0] if years else this_year - 1


@dataclass(frozen=True)
class DataVersion:
    """What the index was computed from: the newest stored value row (id and entry time), the
    counts of stored and live figures, and when the computation ran."""

    max_value_id: int | None
    latest_entered_at: datetime.datetime | None
    stored_values: int
    live_values: int
    computed_at: datetime.datetime

    @property
    def tag(self) -> str:
        """A short citation: "v<max id>@<entry time>" (plus "+live" with live figures)."""
        if self.max_value_id is None:
            base = "v0"
        else:
            stamp = timezone.localtime(self.latest_entered_at).strftime("%Y%m%d%H%M%S")
            base = f"v{self.max_value_id}@{stamp}"
        return base + ("+live" if self.live_values else "")

    def as_dict(self) -> dict[str, Any]:
        return {
            "tag": self.tag,
            "max_value_id": self.max_value_id,
            "latest_entered_at": self.latest_entered_at.isoformat()
            if self.latest_entered_at
            else None,
            "stored_values": self.stored_values,
            "live_values": self.live_values,
            "computed_at": self.computed_at.isoformat(),
        }


# -- reading the values ------------------------------------------------------------------------


@dataclass
class IndicatorInput:
    """One indicator of the definition for one year: where its values came from, and whether
    it entered the computation (`status` "ok") or why not (a key of `skip_reasons`, including
    the computation's own "too_few_values" and "constant")."""

    spec: IndexIndicator
    dimension_name: str
    catalog: Indicator | None
    status: str = "ok"
    periods: tuple[str, ...] = ()
    values: dict[str, Decimal] = field(default_factory=dict)
    live_units: tuple[str, ...] = ()

    @property
    def code(self) -> str:
        return self.spec.code

    @property
    def name(self) -> str:
        return self.catalog.name if self.catalog else self.spec.code

    @property
    def unit(self) -> str:
        return self.catalog.unit if self.catalog else ""

    @property
    def direction(self) -> str:
        return self.catalog.direction if self.catalog else Direction.HIGHER

    @property
    def used(self) -> bool:
        return self.status == "ok"

    @property
    def reason(self) -> str:
        return "" if self.used else skip_reasons().get(self.status, self.status)

    def display(self, value) -> str:
        if value is None:
            return "—"
        decimals = self.catalog.decimals if self.catalog else 2
        return f"{Decimal(str(value)):,.{decimals}f}"


def _sub_periods(indicator: Indicator, year: int) -> list[str]:
    if indicator.frequency == Frequency.QUARTER:
        return [f"{year}Q{q}" for q in range(1, 5)]
    if indicator.frequency == Frequency.MONTH:
        return [f"{year}-{m:02d}" for m in range(1, 13)]
    return [str(year)]


def _read(item: IndicatorInput, year: int, units: list[Region], stored: set[tuple]) -> None:
    """Fill `item` with its units' values for `year`: the year's value for a yearly indicator;
    the sum of the year's periods (each stored, or live for a computed indicator) with
    `year_value` "sum"."""
    indicator = item.catalog
    codes = [u.code for u in units]
    yearly = indicator.frequency == Frequency.YEAR
    if not yearly and item.spec.year_value != "sum":
        item.status = "no_year_rule"
        return
    if yearly:
        item.periods = (str(year),)
        found = values.current_values(indicator.code, str(year), units)
        item.values = {c: found[c] for c in codes if c in found}
        live = [c for c in item.values if (indicator.code, c, str(year)) not in stored]
    else:
        subs = _sub_periods(indicator, year)
        today = timezone.localdate()
        subs = [p for p in subs if periods.parse(p, indicator.frequency).start <= today]
        item.periods = tuple(subs)
        frozen = [p for p in subs if any((indicator.code, c, p) in stored for c in codes)]
        if indicator.method == Method.COMPUTED and subs:
            # The live figure over the whole year at once (one query), corrected by the
            # periods with stored values (snapshots, corrections): the same as summing every
            # period's value in use, since these indicators are flows.
            whole = periods.parse(str(year), Frequency.YEAR)
            found = values.live_values(indicator, whole)
            sums = {c: found.get(c, Decimal(0)) for c in codes}
            for p in frozen:
                in_use = values.current_values(indicator.code, p, units)
                live_p = values.live_values(indicator, periods.parse(p, indicator.frequency))
                for c in codes:
                    sums[c] += in_use.get(c, Decimal(0)) - live_p.get(c, Decimal(0))
            item.values = sums
            live = [c for c in codes if any((indicator.code, c, p) not in stored for p in subs)]
        else:
            sums = {}
            complete = dict.fromkeys(codes, True)
            for p in subs:
                found = values.current_values(indicator.code, p, units)
                for c in codes:
                    if c in found:
                        sums[c] = sums.get(c, Decimal(0)) + found[c]
                    else:
                        complete[c] = False
            # A flow summed over part of the year would understate: only complete years count.
            item.values = {c: v for c, v in sums.items() if complete[c]}
            live = []
    item.live_units = tuple(live)
    if not item.values:
        item.status = "no_values"
    elif live and len(live) == len(item.values) and not any(item.values.values()):
        item.status = "no_platform_data"


# -- the index -------------------------------------------------------------------------------


@dataclass
class DistrictIndex:
    """The index of one year: the inputs, the composite result and its sensitivity analysis
    (None when nothing could be computed), the data version, and which units the viewer sees
    (`visible`: unit codes, None for all)."""

    definition: IndexDefinition
    year: int
    units: list[Region]
    inputs: list[IndicatorInput]
    result: CompositeResult | None
    sensitivity: SensitivityResult | None
    version: DataVersion
    visible: set[str] | None = None

    @property
    def empty(self) -> bool:
        return self.result is None or not self.result.computed

    @property
    def used(self) -> list[IndicatorInput]:
        return [i for i in self.inputs if i.used]

    @property
    def skipped(self) -> list[IndicatorInput]:
        return [i for i in self.inputs if not i.used]

    @property
    def names(self) -> dict[str, str]:
        """Unit and indicator codes → names."""
        out = {u.code: u.name for u in self.units}
        out.update({i.code: i.name for i in self.inputs})
        return out

    @property
    def ranked_count(self) -> int:
        return 0 if self.empty else int((self.result.ranks > 0).sum())

    def sees(self, unit_code: str) -> bool:
        return self.visible is None or unit_code in self.visible

    def input(self, code: str) -> IndicatorInput:
        return next(i for i in self.inputs if i.code == code)

    def for_viewer(self, visible: set[str] | None) -> DistrictIndex:
        return replace(self, visible=visible)


def compute_district_index(year: int, definition: IndexDefinition | None = None) -> DistrictIndex:
    """The index of `year` for every unit, from the values in use (no permission check: the
    pages and the API call `district_index_for`)."""
    year = check_year(year)
    definition = definition or load_definition()
    units = index_units()
    codes = [i.code for i in definition.indicators]
    catalog = {i.code: i for i in Indicator.objects.filter(code__in=codes)}
    rows = IndicatorValue.objects.filter(
        _year_filter(year), is_current=True, indicator__code__in=codes, region__in=units
    )
    stored = set(rows.values_list("indicator__code", "region__code", "period"))
    newest = rows.order_by("-pk").values_list("pk", flat=True).first()
    latest = rows.order_by("-entered_at").values_list("entered_at", flat=True).first()

    inputs = []
    for spec in definition.indicators:
        item = IndicatorInput(
            spec, definition.dimension(spec.dimension).name, catalog.get(spec.code)
        )
        if item.catalog is None:
            item.status = "not_in_catalog"
        elif not item.catalog.active:
            item.status = "inactive"
        else:
            _read(item, year, units, stored)
        inputs.append(item)

    used = [i for i in inputs if i.used]
    result = bundle = None
    if used and units:
        matrix = np.array(
            [
                [float(i.values[u.code]) if u.code in i.values else np.nan for i in used]
                for u in units
            ],
            dtype=np.float64,
        )
        dims = [d for d in definition.dimensions if any(i.spec.dimension == d.code for i in used)]
        problem = CompositeInput(
            tuple(u.code for u in units),
            tuple(
                IndicatorSpec(
                    i.code,
                    "lower" if i.direction == Direction.LOWER else "higher",
                    i.spec.weight,
                    i.spec.dimension,
                )
                for i in used
            ),
            matrix,
            groups=tuple(GroupSpec(d.code, d.weight) for d in dims),
        )
        result = compute(problem, definition.options)
        for rec in result.record.dropped_indicators:
            next(i for i in inputs if i.code == rec.code).status = rec.dropped
        bundle = sensitivity(result) if result.computed else None

    live_count = sum(len(i.live_units) for i in inputs if i.used)
    version = DataVersion(
        max_value_id=newest,
        latest_entered_at=latest,
        stored_values=len(stored),
        live_values=live_count,
        computed_at=timezone.now(),
    )
    return DistrictIndex(definition, year, units, inputs, result, bundle, version)


def visible_units(user) -> set[str] | None:
    """The unit codes whose rows `user` sees (None: every unit); checks brain.view."""
    seen = values.visible_regions(user)
    codes = {r.code for r in seen if r.kind != RegionKind.CITY}
    return None if len(codes) == len(index_units()) else codes


def district_index_for(user, year) -> DistrictIndex:
    """`compute_district_index` as `user` may see it (brain.view; a district admin: own row)."""
    visible = visible_units(user)
    return compute_district_index(year).for_viewer(visible)
