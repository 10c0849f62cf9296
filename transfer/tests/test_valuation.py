"""定价参考: the three approaches with their working, the sensitivity table, the checks on the
inputs, the saved reports, and who may value which achievement (service, pages and API)."""

import datetime
from decimal import Decimal as D

from django.core.exceptions import ValidationError

from core.exceptions import NotAllowed, ServiceError
from core.models import AuditEntry, HighTechField
from core.testing import PersonaTestCase
from resources.factories import AchievementFactory
from transfer.models import TechContract, ValuationReport
from transfer.services import valuation

DISCLAIMER = "本测算仅供交易双方参考，不能替代具有资质的资产评估机构出具的评估报告。"

# The example of the issue: 3,000,000 growing 10% a year for 3 years, margin 12%, 分成率 25%,
# discount 10%. Each year 12% × 25% = 3% of revenue is the technology's:
#   第1年：3,000,000 × 3% = 90,000  ÷ 1.10¹ = 81,818.18
#   第2年：3,300,000 × 3% = 99,000  ÷ 1.10² = 81,818.18
#   第3年：3,630,000 × 3% = 108,900 ÷ 1.10³ = 81,818.18
#   value = 245,454.54
INCOME = {
    "variant": "profit_split",
    "revenue_mode": "growth",
    "base_revenue": "3000000",
    "growth_rate": "10",
    "horizon": "3",
    "margin": "12",
    "share": "25",
    "discount_rate": "10",
}
# (200,000 + 2.5 × 300,000) × (1 + 20%) ÷ (1 − 10%) = 950,000 × 1.2 ÷ 0.9 = 1,266,666.67
COST = {
    "materials": "200000",
    "labour": "300000",
    "multiplier": "2.5",
    "return_rate": "20",
    "risk": "10",
}


def lines(result) -> list[str]:
    return [
        f"{s['label']}：{s['expr']} = {s['result']}"
        if "expr" in s
        else f"{s['label']}：{s['text']}"
        for s in result.working
    ]


class ValuationTestCase(PersonaTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.field = HighTechField.objects.get(code="1")
        cls.other_field = HighTechField.objects.get(code="2")
        cls.record = AchievementFactory(
            owner=cls.enterprise_org, title="激光雷达点云处理芯片", hightech_field=cls.field
        )

    def contract(self, amount, *, kind="transfer", field=None, status="registered", **extra):
        n = TechContract.objects.count() + 1
        return TechContract.objects.create(
            kind=kind,
            title=f"技术合同{n}",
            subject="激光器封装技术",
            seller=self.university,
            buyer_name="长春某公司",
            field=field or self.field,
            total_amount=D(amount),
            declared_tech_amount=D(amount),
            tech_amount=D(amount) if status == "registered" else None,
            payment_terms="一次性支付",
            signed_on=datetime.date(2025, 1, n),
            status=status,
            created_by=self.institute,
            **extra,
        )


class IncomeApproachTests(ValuationTestCase):
    def test_profit_split_shows_each_year_of_the_working(self):
        result = valuation.preview(self.enterprise, self.record, "income", INCOME)
        self.assertEqual(result.value, D("245454.54"))
        shown = lines(result)
        self.assertIn("第2年销售收入：3,000,000 × (1 + 10%)¹ = 3,300,000", shown)
        self.assertIn("第1年：3,000,000 × 12% × 25% ÷ 1.10¹ = 81,818.18", shown)
        self.assertIn("第3年：3,630,000 × 12% × 25% ÷ 1.10³ = 81,818.18", shown)
        self.assertIn("合计（各年现值之和）：81,818.18 + 81,818.18 + 81,818.18 = 245,454.54", shown)
        self.assertFalse(ValuationReport.objects.exists())  # a preview saves nothing

    def test_yearly_forecast_list_gives_the_same_value(self):
        data = {**INCOME, "revenue_mode": "list", "revenues": ["3000000", "3300000", "3630000"]}
        self.assertEqual(
            valuation.preview(self.enterprise, self.record, "income", data).value, D("245454.54")
        )

    def test_royalty_defaults_to_the_middle_of_the_industrys_range(self):
        # 机械 1.5%–3% → 2.25%; 1,000,000 × 2.25% ÷ 1.10 = 20,454.545… → 20,454.55
        data = {
            "variant": "royalty",
            "revenue_mode": "list",
            "revenues": ["1000000"],
            "industry": "machinery",
            "discount_rate": "10",
        }
        result = valuation.preview(self.enterprise, self.record, "income", data)
        self.assertEqual(result.value, D("20454.55"))
        self.assertIn("中值 2.25%", " ".join(lines(result)))
        self.assertEqual(result.sensitivity["axis"], ["1.5", "2.25", "3"])

    def test_the_profit_split_is_also_shown_as_a_sales_royalty(self):
        result = valuation.preview(self.enterprise, self.record, "income", INCOME)
        self.assertIn("相当于销售收入提成率 12% × 25% = 3%", " ".join(lines(result)))

    def test_a_share_outside_25_to_33_percent_is_flagged_not_refused(self):
        result = valuation.preview(
            self.enterprise, self.record, "income", {**INCOME, "share": "40"}
        )
        self.assertIn("不在常用区间 25%–33%", result.notes[0])

    def test_sensitivity_table_rises_with_the_share_and_falls_with_the_rate(self):
        result = valuation.preview(
            self.enterprise, self.record, "income", {**INCOME, "horizon": "5"}
        )
        table = result.sensitivity
        self.assertEqual(table["axis"], ["25", "29", "33"])
        self.assertEqual(table["rates"], ["8", "10", "12", "15"])
        self.assertEqual(table["horizons"], [3, 5, 7])
        grid = [[D(v) for v in row] for row in table["grid"]]
        for row in grid:
            self.assertEqual(row, sorted(row, reverse=True))
        for column in zip(*grid, strict=True):
            self.assertEqual(list(column), sorted(column))
        self.assertEqual(grid[0][1], result.value)  # 25% and 10%: the chosen cell
        by_horizon = [D(row[1]) for row in table["by_horizon"]]
        self.assertEqual(by_horizon, sorted(by_horizon))  # longer horizon → higher value

    def test_inputs_out_of_range_are_refused_field_by_field(self):
        bad = {
            **INCOME,
            "share": "0",
            "margin": "120",
            "discount_rate": "100",
            "horizon": "21",
            "base_revenue": "-5",
        }
        with self.assertRaises(ValidationError) as caught:
            valuation.save_report(self.enterprise, self.record, "income", bad)
        errors = caught.exception.message_dict
        self.assertEqual(errors["share"], ["利润分成率应大于0%且不超过100%。"])
        self.assertEqual(errors["margin"], ["销售利润率应大于0%且不超过100%。"])
        self.assertEqual(errors["discount_rate"], ["折现率应不小于0%且小于100%。"])
        self.assertEqual(errors["horizon"], ["收益年限应为1到20之间的整数年。"])
        self.assertEqual(errors["base_revenue"], ["第1年销售收入不能为负数。"])
        self.assertFalse(ValuationReport.objects.exists())

    def test_missing_and_non_numeric_inputs_are_named(self):
        with self.assertRaises(ValidationError) as caught:
            valuation.preview(
                self.enterprise,
                self.record,
                "income",
                {"variant": "royalty", "revenue_mode": "list", "revenues": ["100", "abc"]},
            )
        errors = caught.exception.message_dict
        self.assertEqual(errors["revenues"], ["第2年的销售收入应为数字。"])
        self.assertIn("请填写提成率，或选择行业", errors["royalty"][0])
        self.assertEqual(errors["discount_rate"], ["请填写折现率。"])

    def test_a_future_valuation_date_is_refused(self):
        tomorrow = datetime.date.today() + datetime.timedelta(days=2)
        with self.assertRaisesMessage(ValidationError, "评估基准日不能晚于今天"):
            valuation.preview(
                self.enterprise, self.record, "income", {**INCOME, "valuation_date": tomorrow}
            )


class CostApproachTests(ValuationTestCase):
    def test_cost_approach_shows_its_steps_and_flags_the_unconfirmed_sign(self):
        result = valuation.preview(self.enterprise, self.record, "cost", COST)
        self.assertEqual(result.value, D("1266666.67"))
        shown = lines(result)
        self.assertIn("计入创造性劳动：C + β₁V = 200,000 + 2.5 × 300,000 = 950,000", shown)
        self.assertIn("计入投资报酬：950,000 × (1 + 20%) = 1,140,000", shown)
        self.assertIn(
            "计入研发风险（β₂ 的符号待核实）：1,140,000 ÷ (1 − 10%) = 1,266,666.67", shown
        )
        self.assertIn("待核实", result.notes[0])

    def test_cost_inputs_are_checked(self):
        with self.assertRaises(ValidationError) as caught:
            valuation.preview(
                self.enterprise,
                self.record,
                "cost",
                {**COST, "risk": "100", "multiplier": "0.5", "labour": "-1"},
            )
        errors = caught.exception.message_dict
        self.assertEqual(errors["risk"], ["研发风险系数 β₂应不小于0%且小于100%。"])
        self.assertEqual(errors["multiplier"], ["科研人员倍加系数 β₁应不小于1且不超过10。"])
        self.assertEqual(errors["labour"], ["人工费 V不能为负数。"])


class MarketApproachTests(ValuationTestCase):
    def test_fewer_than_three_comparables_give_no_value_and_cannot_be_saved(self):
        self.contract("500000")
        self.contract("800000", kind="license")
        self.contract("900000", kind="development")  # not a transfer or licence
        self.contract("700000", field=self.other_field)  # another field
        self.contract("600000", status="submitted")  # not registered
        result = valuation.preview(self.enterprise, self.record, "market", {})
        self.assertIsNone(result.value)
        self.assertIn("只有 2 份，少于 3 份，可比交易不足", result.refusal)
        self.assertEqual(len(result.inputs["contracts"]), 2)
        with self.assertRaisesMessage(ServiceError, "可比交易不足"):
            valuation.save_report(self.enterprise, self.record, "market", {})
        self.assertFalse(ValuationReport.objects.exists())

    def test_three_or_more_comparables_give_the_median_with_quartiles(self):
        # 200,000; 400,000; 500,000; 1,000,000 → Q1 = 200,000 + 0.75 × 200,000 = 350,000;
        # median = (400,000 + 500,000) / 2 = 450,000; Q3 = 500,000 + 0.25 × 500,000 = 625,000
        for amount in ("500000", "200000", "1000000"):
            self.contract(amount)
        # The registrar reclassified a 技术开发 declaration as 技术许可: it counts.
        self.contract("400000", kind="development", registered_kind="license")
        report = valuation.save_report(self.enterprise, self.record, "market", {})
        self.assertEqual(report.value, D("450000"))
        self.assertEqual((report.inputs["q1"], report.inputs["q3"]), ("350000", "625000"))
        text = [s.get("text", "") + s.get("expr", "") for s in report.working]
        self.assertIn("200,000、400,000、500,000、1,000,000", text)
        self.assertIn("第1个 + 0.75 ×（第2个 − 第1个）= 200,000 + 0.75 × (400,000 − 200,000)", text)

    def test_an_achievement_without_a_field_has_no_comparables(self):
        record = AchievementFactory(owner=self.enterprise_org, hightech_field=None)
        result = valuation.preview(self.enterprise, record, "market", {})
        self.assertIn("未填写高新技术领域", result.refusal)


class ReportAndAccessTests(ValuationTestCase):
    def test_owner_saves_a_dated_report_that_is_audited(self):
        report = valuation.save_report(
            self.enterprise, self.record, "income", {**INCOME, "valuation_date": "2026-06-30"}
        )
        self.assertEqual(report.valuation_date, datetime.date(2026, 6, 30))
        self.assertEqual(report.value, D("245454.54"))
        self.assertEqual(report.inputs["share"], "25")
        self.assertEqual(report.sensitivity["grid"][0][1], "245454.54")
        entry = AuditEntry.objects.get(action="create", object_id=str(report.pk))
        self.assertEqual(entry.actor, self.enterprise)

    def test_another_organisation_cannot_value_someone_elses_achievement(self):
        with self.assertRaises(NotAllowed):
            valuation.preview(self.other_enterprise, self.record, "income", INCOME)
        with self.assertRaises(NotAllowed):
            valuation.save_report(self.institute, self.record, "cost", COST)
        self.login(self.other_enterprise)
        url = f"/transfer/achievements/{self.record.pk}/valuation/income/"
        self.assertEqual(self.client.get(url).status_code, 403)
        self.assertEqual(self.client.post(url, {**INCOME, "save": "1"}).status_code, 403)
        self.assertFalse(ValuationReport.objects.exists())

    def test_reports_are_readable_only_by_the_owner_and_the_bureau(self):
        report = valuation.save_report(self.city_admin, self.record, "cost", COST)
        self.login(self.other_enterprise)
        self.assertEqual(self.client.get(f"/transfer/valuations/{report.pk}/").status_code, 403)
        self.login(self.enterprise)
        page = self.client.get(f"/transfer/valuations/{report.pk}/")
        self.assertContains(page, "1,266,666.67")
        self.assertContains(page, DISCLAIMER)
        self.assertContains(page, "待核实")

    def test_unknown_achievement_or_method_is_not_found(self):
        self.login(self.city_admin)
        self.assertEqual(
            self.client.get("/transfer/achievements/99999/valuation/").status_code, 404
        )
        url = f"/transfer/achievements/{self.record.pk}/valuation/magic/"
        self.assertEqual(self.client.get(url).status_code, 404)
