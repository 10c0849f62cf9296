"""The district innovation index service: the definition file, reading one year's values of the
15 units (stored, summed over quarters), skipping indicators without data, missing values,
outliers, ties, the data version and what a district admin sees.

The units get values 1, 2, …, 15 in reference order on the four entered indicators, so every
normalised value is (i − 1)/14 × 100 and so is each unit's score: the last unit in reference
order (长春汽车经济技术开发区) scores 100 and ranks first, 南关区 scores 0 and ranks 15th.
"""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from brain.models import Indicator, IndicatorValue
from brain.services import district_index as svc
from brain.services import values
from core.exceptions import NotAllowed
from core.models import Region
from core.testing import PersonaTestCase

D = Decimal
YEAR = 2024
ENTERED = ("rd_intensity", "rd_expenditure", "fiscal_st_share", "industrial_rd_intensity")
CATALOG_FIELDS = ("code", "name", "unit", "direction", "frequency", "method", "computer")


def load_catalog() -> dict[str, Indicator]:
    """The catalog's indicators of brain/data/indicators.json (what the index refers to)."""
    path = svc.DEFINITION_FILE.parent / "indicators.json"
    items = json.loads(path.read_text(encoding="utf-8"))["indicators"]
    out = {}
    for item in items:
        fields = {k: item.get(k, "") for k in CATALOG_FIELDS}
        fields.update(definition=item["definition"], source=item["source"])
        fields["decimals"] = item.get("decimals", 2)
        out[item["code"]], _ = Indicator.objects.update_or_create(
            code=item["code"], defaults=fields
        )
    return out


class IndexCase(PersonaTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.catalog = load_catalog()
        cls.units = svc.index_units()
        cls.codes = [u.code for u in cls.units]

    @classmethod
    def put(cls, code: str, period: str, values: dict[str, object]) -> None:
        regions = {r.code: r for r in Region.objects.filter(code__in=values)}
        for region_code, value in values.items():
            IndicatorValue.objects.create(
                indicator=cls.catalog[code],
                region=regions[region_code],
                period=period,
                value=D(str(value)),
                entered_by=cls.city_admin,
            )

    @classmethod
    def linear(cls, skip: dict[str, set[str]] | None = None, override=None) -> None:
        """Values 1…15 in reference order on the entered indicators, but for the units in
        `skip[code]`; `override[(code, unit)]` replaces one value."""
        skip = skip or {}
        override = override or {}
        for code in ENTERED:
            cls.put(
                code,
                str(YEAR),
                {
                    u: override.get((code, u), i + 1)
                    for i, u in enumerate(cls.codes)
                    if u not in skip.get(code, set())
                },
            )


class DefinitionTests(IndexCase):
    def test_shipped_definition_names_catalog_indicators_with_weights(self):
        definition = svc.load_definition()
        assert definition.name == "长春市县（市）区科技创新指数"
        assert [d.name for d in definition.dimensions] == ["创新投入", "企业创新", "成果转化"]
        assert {i.code for i in definition.indicators} <= set(self.catalog)
        total = sum(definition.overall_weight(i.code) for i in definition.indicators)
        assert total == pytest.approx(1)
        assert definition.options.outlier_k == 3

    def test_malformed_definition_is_refused(self):
        data = json.loads(svc.DEFINITION_FILE.read_text(encoding="utf-8"))
        data["dimensions"][0]["indicators"][0]["weight"] = 0
        with pytest.raises(svc.DefinitionError):
            svc.parse_definition(data)
        data = json.loads(svc.DEFINITION_FILE.read_text(encoding="utf-8"))
        data["options"]["colour"] = "red"
        with pytest.raises(svc.DefinitionError):
            svc.parse_definition(data)


class RankingTests(IndexCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.linear()

    def test_units_are_ranked_on_the_entered_indicators(self):
        index = svc.compute_district_index(YEAR)
        assert not index.empty
        rows = svc.ranking(index)
        assert len(rows) == 15
        assert (rows[0]["name"], rows[0]["rank"], rows[0]["score"]) == (
            "长春汽车经济技术开发区",
            1,
            D("100.00"),
        )
        assert (rows[-1]["name"], rows[-1]["rank"], rows[-1]["score"]) == ("南关区", 15, D("0.00"))
        # the 8th unit in reference order (农安县): (8 − 1)/14 × 100 = 50
        nongan = next(r for r in rows if r["code"] == "220122")
        assert nongan["score"] == D("50.00")
        # every indicator agrees, so no scenario moves anyone
        assert all(r["best"] == r["worst"] == r["rank"] for r in rows)

    def test_indicators_without_data_are_skipped_and_weights_renormalised(self):
        index = svc.compute_district_index(YEAR)
        status = {i.code: i.status for i in index.inputs}
        # computed indicators: no platform records in the test database → all zero
        assert status["hte_count"] == "no_platform_data"
        assert status["tech_contract_amount"] == "no_platform_data"
        assert {i.code for i in index.used} == set(ENTERED)
        groups = {g.code: g.weight for g in index.result.record.groups}
        # 创新投入 0.4 and 企业创新 0.35 share everything; 成果转化 has nothing
        assert groups["input"] == pytest.approx(0.4 / 0.75)
        assert groups["enterprise"] == pytest.approx(0.35 / 0.75)
        assert "transfer" not in groups
        assert "平台本年度没有相关记录" in index.input("hte_count").reason

    def test_data_version_cites_the_newest_value_row(self):
        index = svc.compute_district_index(YEAR)
        newest = IndicatorValue.objects.order_by("-pk").first()
        assert index.version.max_value_id == newest.pk
        assert index.version.stored_values == 60
        assert index.version.tag.startswith(f"v{newest.pk}@")
        # a correction is a newer row: the version moves
        values.enter_value(
            self.city_admin, self.catalog["rd_intensity"], "220102", str(YEAR), "0.5", "更正"
        )
        assert svc.compute_district_index(YEAR).version.max_value_id > newest.pk

    def test_empty_year_says_which_indicators_lack_data(self):
        index = svc.compute_district_index(2019)
        assert index.empty
        assert svc.ranking(index) == []
        assert {i.status for i in index.skipped} <= {"no_values", "no_platform_data"}
        assert len(index.skipped) == len(index.definition.indicators)

    def test_default_year_is_the_newest_with_stored_values(self):
        assert svc.default_year() == YEAR
        assert YEAR in svc.year_choices()

    def test_bad_year_is_refused(self):
        with pytest.raises(Exception) as exc:
            svc.compute_district_index(1200)
        assert exc.value.code == "invalid"


class MissingAndOutlierTests(IndexCase):
    """宽城区 lacks 全社会研发经费投入 (1 of 4 = 25%: imputed); 朝阳区 lacks two (50% > 30%:
    excluded); 双阳区's 财政科技支出占比 is 90, far above the others (1–15)."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.linear(
            skip={"rd_expenditure": {"220103", "220104"}, "fiscal_st_share": {"220104"}},
            override={("fiscal_st_share", "220112"): 90},
        )

    def test_missing_value_is_imputed_with_the_others_mean(self):
        index = svc.compute_district_index(YEAR)
        (imp,) = index.result.record.imputations
        assert (imp.unit, imp.indicator) == ("220103", "rd_expenditure")
        # the 13 units kept that have it: 1, 3, 5, …, 15 less 宽城 (2) and 朝阳 (3, excluded)
        others = [i + 1 for i, u in enumerate(self.codes) if u not in ("220103", "220104")]
        assert imp.value == pytest.approx(sum(others) / len(others))
        row = next(r for r in svc.ranking(index) if r["code"] == "220103")
        assert row["imputed"] == ["全社会研发经费投入"]

    def test_unit_missing_too_much_is_excluded_with_the_reason(self):
        index = svc.compute_district_index(YEAR)
        row = next(r for r in svc.ranking(index) if r["code"] == "220104")
        assert row["rank"] is None and row["score"] is None
        assert "全社会研发经费投入" in row["excluded"] and "50%" in row["excluded"]
        assert index.ranked_count == 14

    def test_outlier_is_winsorised_and_recorded(self):
        index = svc.compute_district_index(YEAR)
        (win,) = index.result.record.winsorisations
        assert (win.unit, win.indicator, win.original, win.side) == (
            "220112",
            "fiscal_st_share",
            90,
            "upper",
        )
        rec = index.result.record.indicator("fiscal_st_share")
        assert win.treated == pytest.approx(rec.upper_bound)
        assert rec.maximum == pytest.approx(rec.upper_bound)
        method = svc.methodology(index)
        assert method["winsorisations"][0]["original"] == "90.00"


class QuarterlySumTests(IndexCase):
    """技术合同交易额 is quarterly: its year is the sum of the four quarters in use."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.linear()
        for q in range(1, 5):
            cls.put(
                "tech_contract_amount",
                f"{YEAR}Q{q}",
                {u: (i + 1) * q for i, u in enumerate(cls.codes)},
            )

    def test_quarters_add_up_to_the_year(self):
        index = svc.compute_district_index(YEAR)
        item = index.input("tech_contract_amount")
        assert item.used
        assert item.periods == tuple(f"{YEAR}Q{q}" for q in range(1, 5))
        # (1 + 2 + 3 + 4) × (i + 1)
        assert item.values["220102"] == D(10)
        assert item.values["220174"] == D(150)
        assert item.live_units == ()


class ViewerTests(IndexCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.linear(skip={"rd_expenditure": {"220103", "220173"}})

    def test_district_admin_sees_only_their_own_unit(self):
        index = svc.district_index_for(self.district_admin, YEAR)
        assert index.visible == {"220173"}
        rows = svc.ranking(index)
        assert [r["code"] for r in rows] == ["220173"]
        # ranked among all 15 all the same
        assert rows[0]["rank"] == 2
        payload = svc.api_payload(index)
        assert [e["unit"] for e in payload["record"]["imputations"]] == ["220173"]
        assert payload["record"]["imputations_hidden"] == 1

    def test_leader_and_bureau_see_every_unit(self):
        for user in (self.leader, self.city_admin):
            assert len(svc.ranking(svc.district_index_for(user, YEAR))) == 15

    def test_enterprise_is_refused(self):
        with pytest.raises(NotAllowed):
            svc.district_index_for(self.enterprise, YEAR)
