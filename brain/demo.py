"""Demo figures of the brain: the catalog loaded from its data file, the city's values 2020–2025
of the entered indicators (R&D intensity a little behind the plan's path, so the early warning
shows), four indicators for every district, county and development zone in 2024 and 2025 (the
district index works on them), and snapshots of the computed indicators for the current period.

Idempotent: a value is entered only where none is in use, and a snapshot only where the live
figure differs from the value in use, so a second run adds nothing."""

from __future__ import annotations

import random
from decimal import Decimal

from brain.choices import Method
from brain.models import Indicator, IndicatorValue
from brain.services import catalog, values
from core.choices import RegionKind
from core.demo import DemoResult, demo_step
from core.models import User
from core.services.jobs import Progress

YEARS = list(range(2020, 2026))
NOTE = "示例数据：按统计公报口径估算"

# The city's values 2020–2025 (entered indicators).
CITY = {
    "rd_intensity": ["2.05", "2.15", "2.22", "2.31", "2.38", "2.42"],
    "rd_expenditure": ["135.0", "146.8", "157.5", "170.2", "182.6", "193.5"],
    "industrial_rd_share": ["58.2", "60.5", "62.8", "64.9", "67.1", "70.4"],
    "industrial_rd_intensity": ["0.72", "0.76", "0.81", "0.85", "0.90", "0.94"],
    "fiscal_st_expenditure": ["18.55", "20.10", "21.42", "22.86", "24.31", "25.80"],
    "fiscal_st_share": ["1.70", "1.78", "1.85", "1.91", "1.98", "2.04"],
}

# Each unit's R&D weight and intensity level, by kind (development zones lead, counties trail).
PROFILE = {
    RegionKind.DEV_ZONE: ((8, 14), (3.2, 5.6)),
    RegionKind.DISTRICT: ((3, 8), (1.4, 2.8)),
    RegionKind.COUNTY_CITY: ((1, 3), (0.5, 1.2)),
    RegionKind.COUNTY: ((1, 2), (0.4, 0.9)),
}
DISTRICT_YEARS = ("2024", "2025")


def _enter(admin, indicator, region, period, value, note=NOTE) -> int:
    exists = IndicatorValue.objects.filter(
        indicator=indicator, region=region, period=period, is_current=True
    ).exists()
    if exists:
        return 0
    values.enter_value(admin, indicator, region, period, value, note)
    return 1


def _district_figures(rng: random.Random, units, city_spend: dict[str, Decimal]):
    """(region, year) → {code: value} for the four district indicators; the units' R&D spending
    adds up to the city's."""
    weights = {}
    levels = {}
    for region in units:
        (wa, wb), (la, lb) = PROFILE.get(region.kind, PROFILE[RegionKind.DISTRICT])
        weights[region.code] = rng.uniform(wa, wb)
        levels[region.code] = rng.uniform(la, lb)
    total = sum(weights.values())
    out = {}
    for region in units:
        for k, year in enumerate(DISTRICT_YEARS):
            growth = 1 + k * rng.uniform(0.02, 0.09)
            share = weights[region.code] / total
            intensity = levels[region.code] * growth
            out[(region, year)] = {
                "rd_intensity": Decimal(str(round(intensity, 2))),
                "rd_expenditure": Decimal(str(round(float(city_spend[year]) * share, 1))),
                "fiscal_st_share": Decimal(str(round(rng.uniform(0.8, 3.6) * growth, 2))),
                "industrial_rd_intensity": Decimal(
                    str(round(min(intensity * rng.uniform(0.3, 0.5), 3.5), 2))
                ),
            }
    return out


@demo_step
def brain_demo(seed: int, scale: str, progress: Progress, result: DemoResult) -> None:
    counts = catalog.load_catalog(None)
    result.add("监测指标", counts["created"])
    admin = User.objects.filter(username="demo_city").first()
    if admin is None:
        return
    indicators = {i.code: i for i in Indicator.objects.filter(active=True)}
    city = values.city_region()
    entered = 0
    progress.advance(0, "生成科创大脑指标数值")
    for code, series in CITY.items():
        if code not in indicators:
            continue
        for year, value in zip(YEARS, series, strict=True):
            entered += _enter(admin, indicators[code], city, str(year), value)
    units = [r for r in values.all_regions() if r.kind != RegionKind.CITY]
    spend = dict(zip(map(str, YEARS), map(Decimal, CITY["rd_expenditure"]), strict=True))
    rng = random.Random(seed * 4099)
    for (region, year), figures in _district_figures(rng, units, spend).items():
        for code, value in figures.items():
            if code in indicators:
                entered += _enter(admin, indicators[code], region, year, value)
    snapped = 0
    for indicator in indicators.values():
        if indicator.method == Method.COMPUTED and indicator.computer:
            snapped += values.snapshot(admin, indicator)["saved"]
    result.add("指标数值", entered)
    result.add("平台数据快照", snapped)
