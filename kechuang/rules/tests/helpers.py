"""A complete, healthy enterprise record to vary one figure at a time, and small helpers."""

from __future__ import annotations

import copy
import datetime as dt

from kechuang.rules import assess

ON = dt.date(2025, 6, 30)
WAN = 10_000  # 万元 in 元

BASE = {
    "id": "E1",
    "founded": "2015-03-01",
    "year": 2024,
    "staff": 100,
    "tech_staff": 30,
    "rd_staff": 20,
    "revenue": [80_000_000, 90_000_000, 100_000_000],
    "main_revenue": [72_000_000, 81_000_000, 90_000_000],
    "total_cost": [70_000_000, 80_000_000, 90_000_000],
    "rd_expense": [4_000_000, 4_500_000, 5_000_000],
    "rd_expense_hte": [4_000_000, 4_500_000, 5_000_000],
    "rd_expense_hte_domestic": [4_000_000, 4_500_000, 5_000_000],
    "net_assets": [40_000_000, 48_000_000, 60_000_000],
    "net_profit": [6_000_000, 7_000_000, 8_000_000],
    "equity_raised": [0, 0, 0],
    "conversions": [5, 5, 5],
    "total_assets": 150_000_000,
    "total_liabilities": 60_000_000,
    "total_income": 100_000_000,
    "hightech_income": 80_000_000,
    "ip_class1": 3,
    "ip_class1_own": 3,
    "ip_class1_high_value": 1,
    "ip_class2": 6,
    "ip_own": 9,
    "ip_class1_main": 2,
    "invention_patents_main": 7,
    "resident": True,
    "restricted_industry": False,
    "major_incident": False,
    "research_misconduct": False,
    "blacklisted": False,
    "serious_fraud": False,
    "audited_tax": True,
    "rd_accounting": True,
    "rd_negative_list": False,
    "tech_innovation_demo": False,
    "ip_demo": False,
    "strategic_emerging": True,
    "it_core_business": True,
    "quality_certified": True,
    "own_brand": True,
    "hte_field": "advanced_manufacturing",
    "rd_institution": "city",
    "product_role": "key",
    "niche_years": 6,
    "niche_market_share": 0.12,
    "digital_level": 3,
    "quality_items": 2,
    "awards": [],
    "standards": [],
    "maker_china": [],
}


def enterprise(**changes) -> dict:
    record = copy.deepcopy(BASE)
    for key, value in changes.items():
        if value is ...:
            record.pop(key, None)
        else:
            record[key] = value
    return record


def run(ruleset: str, on: dt.date = ON, **changes):
    return assess(enterprise(**changes), ruleset, on)


def verdict(ruleset: str, criterion: str, on: dt.date = ON, **changes):
    """(passed, value, threshold) of one criterion."""
    c = run(ruleset, on, **changes).criterion(criterion)
    return c.passed, c.value, c.threshold


def points(ruleset: str, criterion: str, **changes):
    c = run(ruleset, **changes).criterion(criterion)
    return c.points if c.points is not None else c.points_range
