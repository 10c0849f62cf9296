"""The batch over many enterprises gives exactly what each enterprise gets alone.

Columns are built for the whole batch (missing values, young companies, record lists, reviews),
so a bug that lets one enterprise's figures leak into another's shows up here.
"""

import json

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kechuang.rules import RuleBook, assess, assess_many, build_table
from kechuang.rules.jsonl import lines

from .helpers import ON, enterprise

NAMES = ["hte", "innovative_sme", "little_giant", "sme_tech", "specialised_sme", "star_market"]
YEARLY = [
    "revenue",
    "main_revenue",
    "total_cost",
    "rd_expense",
    "rd_expense_hte",
    "net_assets",
    "net_profit",
    "equity_raised",
]


def random_enterprise(rng: np.random.Generator, i: int) -> dict:
    staff = int(rng.choice([0, 5, 10, 100, 500, 501, int(rng.integers(1, 3000))]))
    tech = int(rng.integers(0, staff + 1))
    revenue_latest = float(
        rng.choice(
            [
                0,
                9_999_999,
                10_000_000,
                50_000_000,
                100_000_000,
                200_000_000,
                300_000_000,
                rng.lognormal(17, 1.5),
            ]
        )
    )
    revenue = [revenue_latest * g for g in (rng.uniform(0.3, 1.2), rng.uniform(0.5, 1.2), 1.0)]
    record = enterprise(
        id=f"R{i}",
        founded=str(np.datetime64("2025-06-30") - int(rng.integers(-30, 4000))),
        staff=staff,
        tech_staff=tech,
        rd_staff=int(rng.integers(0, tech + 1)),
        revenue=revenue,
        main_revenue=[v * rng.uniform(0.3, 1.0) for v in revenue],
        total_cost=[v * rng.uniform(0.5, 1.1) for v in revenue],
        rd_expense=[v * rng.choice([0.0, 0.01, 0.03, 0.04, 0.05, 0.06, 0.1]) for v in revenue],
        net_assets=[float(rng.normal(5e7, 4e7)) for _ in range(3)],
        net_profit=[float(rng.normal(1e6, 3e6)) for _ in range(3)],
        equity_raised=[float(rng.choice([0, 5e6, 2e7, 4e7])) for _ in range(3)],
        conversions=[int(rng.integers(0, 7)) for _ in range(3)],
        total_liabilities=float(rng.uniform(0, 1.5e8)),
        ip_class1=int(rng.integers(0, 3)),
        ip_class2=int(rng.integers(0, 7)),
        hte_field=rng.choice([None, "aerospace", "new_energy"]),
        rd_institution=str(rng.choice(["none", "enterprise", "city", "provincial", "national"])),
        niche_years=float(rng.choice([0, 1.9, 2, 3, 10])),
        niche_market_share=float(rng.choice([0.05, 0.1, 0.2])),
    )
    record["rd_expense_hte"] = [v * rng.uniform(0.9, 1.0) for v in record["rd_expense"]]
    record["rd_expense_hte_domestic"] = [
        v * rng.choice([0.5, 0.6, 1.0]) for v in record["rd_expense_hte"]
    ]
    record["ip_class1_own"] = record["ip_class1_high_value"] = min(record["ip_class1"], 1)
    if rng.random() < 0.3:
        record[str(rng.choice(YEARLY))][int(rng.integers(0, 3))] = None
    for name in ("staff", "total_assets", "major_incident", "hte_field", "digital_level"):
        if rng.random() < 0.05:
            record[name] = None
    if name := (rng.random() < 0.2 and "awards"):
        record[name] = [
            {
                "year": int(rng.integers(2018, 2026)),
                "level": str(rng.choice(["national", "provincial"])),
                "rank": int(rng.integers(1, 7)),
            }
        ]
    if rng.random() < 0.2:
        record["hte_certified_on"] = str(np.datetime64("2025-06-30") - int(rng.integers(0, 1500)))
    if rng.random() < 0.2:
        record["reviews"] = {
            "hte": {"core_ip": bool(rng.random() < 0.8), "ip_advancement": int(rng.integers(0, 9))},
            "specialised_sme": {"distinctive": int(rng.integers(0, 16))},
        }
    if record["staff"] is None:
        record["tech_staff"] = record["rd_staff"] = None
    return record


def assert_batch_equals_singles(records):
    batches = assess_many(records, NAMES, ON)
    book = RuleBook.load()
    for batch in batches:
        for i, record in enumerate(records):
            alone = assess(record, batch.ruleset.name, ON, book=book)
            assert batch.assessment(i) == alone, (batch.ruleset.name, record["id"])
    return batches


def test_many_random_enterprises_batch_equals_single():
    rng = np.random.default_rng(7)
    records = [random_enterprise(rng, i) for i in range(150)]
    batches = assert_batch_equals_singles(records)
    statuses = {a.status for b in batches for a in b}
    assert statuses == {
        "eligible",
        "not_eligible",
        "needs_review",
        "incomplete",
    }  # the cases are varied


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.integers(0, 2**32 - 1), min_size=1, max_size=6))
def test_any_batch_equals_single(seeds):
    records = [random_enterprise(np.random.default_rng(seed), i) for i, seed in enumerate(seeds)]
    assert_batch_equals_singles(records)


def test_the_output_writer_gives_each_assessment_as_its_json():
    rng = np.random.default_rng(11)
    records = [random_enterprise(rng, i) for i in range(120)]
    batches = assess_many(build_table(records), NAMES, ON)
    written = list(lines(batches, 0, len(records)))
    expected = [
        json.dumps(b.assessment(i).to_dict(), ensure_ascii=False)
        for i in range(len(records))
        for b in batches
    ]
    assert written == expected


def test_a_slice_of_the_batch_writes_the_same_lines():
    rng = np.random.default_rng(12)
    records = [random_enterprise(rng, i) for i in range(40)]
    batches = assess_many(records, NAMES, ON)
    whole = list(lines(batches))
    assert list(lines(batches, 0, 17)) + list(lines(batches, 17, 40)) == whole
