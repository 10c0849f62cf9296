"""Factories for tests and the demo data: an enterprise's three years of figures and its
profile, written from one rule-engine record (docs/assessment-input.md), and inspectors."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import factory

from core.models import Organisation, Region
from cultivation.forms import FIGURE_FIELDS, PROFILE_FIELDS
from cultivation.models import EnterpriseProfile, EnterpriseYear, Inspector
from cultivation.services.figures import YEARLY_LISTS

# The worked example of docs/assessment-input.md for fiscal year 2024: meets 科技型中小企业
# (76 points), 创新型 and 专精特新 (pending the province's review points); misses 高企 on the
# three-year R&D ratio (3.9 % < 4 %, about 100,000 元 short) and 小巨人 on market share.
EXAMPLE: dict[str, Any] = {
    "founded": "2016-04-12",
    "staff": 120,
    "tech_staff": 30,
    "rd_staff": 22,
    "revenue": [40000000, 50000000, 60000000],
    "main_revenue": [38000000, 47000000, 57000000],
    "total_cost": [35000000, 42000000, 50000000],
    "rd_expense": [1500000, 2000000, 2400000],
    "rd_expense_hte": [1500000, 2000000, 2400000],
    "rd_expense_hte_domestic": [1500000, 2000000, 2300000],
    "net_assets": [20000000, 24000000, 30000000],
    "net_profit": [2000000, 3000000, 4000000],
    "equity_raised": [0, 0, 0],
    "conversions": [2, 3, 4],
    "total_assets": 50000000,
    "total_liabilities": 20000000,
    "total_income": 61000000,
    "hightech_income": 45000000,
    "ip_class1": 2,
    "ip_class1_own": 2,
    "ip_class1_high_value": 0,
    "ip_class2": 5,
    "ip_own": 7,
    "ip_class1_main": 2,
    "invention_patents_main": 2,
    "resident": True,
    "restricted_industry": False,
    "major_incident": False,
    "blacklisted": False,
    "serious_fraud": False,
    "audited_tax": True,
    "rd_accounting": True,
    "rd_negative_list": False,
    "strategic_emerging": True,
    "it_core_business": True,
    "quality_certified": True,
    "own_brand": True,
    "hte_field": "electronic_info",
    "rd_institution": "city",
    "product_role": "key",
    "niche_years": 6,
    "niche_market_share": 4,  # per cent, as the page takes it
    "digital_level": 3,
    "quality_items": 1,
}


def write_enterprise(
    org: Organisation, last_year: int = 2024, by=None, **changes: Any
) -> list[EnterpriseYear]:
    """Three fiscal years ending `last_year` and the profile, from EXAMPLE updated by `changes`
    (a three-year list for the yearly figures, one value otherwise). Saved without the services:
    a test's arrangement, not a user's act."""
    data = {**EXAMPLE, **changes}
    years = []
    for k, year in enumerate(range(last_year - 2, last_year + 1)):
        values: dict[str, Any] = {}
        for name in FIGURE_FIELDS:
            value = data.get(name)
            if name in YEARLY_LISTS:
                value = value[k] if value is not None else None
            elif year != last_year:
                value = None
            if value is not None and not isinstance(value, int | Decimal):
                value = Decimal(str(value))
            values[name] = value
        years.append(
            EnterpriseYear.objects.update_or_create(
                organisation=org, year=year, defaults={**values, "updated_by": by}
            )[0]
        )
    profile = {name: data.get(name) for name in PROFILE_FIELDS if name != "founded"}
    profile = {
        k: ("" if v is None and k in ("hte_field", "rd_institution", "product_role") else v)
        for k, v in profile.items()
    }
    founded = data.get("founded")
    profile["founded"] = datetime.date.fromisoformat(founded) if founded else None
    EnterpriseProfile.objects.update_or_create(organisation=org, defaults=profile)
    return years


class InspectorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Inspector

    name = factory.Sequence(lambda n: f"检查员{n + 1:02d}")
    unit = "长春市科学技术局"
    region = factory.LazyFunction(lambda: Region.objects.get(code="220102"))
    certificate = factory.Sequence(lambda n: f"吉执2200{n + 1:04d}")
