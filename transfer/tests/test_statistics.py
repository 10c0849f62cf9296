import datetime
import io
from decimal import Decimal

from django.utils import timezone
from openpyxl import load_workbook

from core.exceptions import NotAllowed
from resources.factories import AchievementFactory
from transfer.choices import CatalogStatus, ContractKind, ScreeningDecision
from transfer.models import Catalog, CatalogEntry, Screening, TechContract
from transfer.services import contracts, listings, statistics

from .trading_base import TradingTestCase

K = ContractKind


class ContractStatisticsTests(TradingTestCase):
    def setUp(self):
        # 吉林大学 (南关区, 高等院校): a transfer to a buyer outside the city, with equipment.
        # 华锐 (高新区, 企业): a development for a buyer in the city, and an unregistered draft.
        # 启明 (南关区, 企业): a service, reclassified from consulting by the registrar.
        self.registered(
            total_amount="1000000",
            declared_tech_amount="1000000",
            non_tech_part="检测设备",
            tech_amount="700000",
        )
        self.registered(
            self.enterprise,
            kind=K.DEVELOPMENT,
            title="车载传感器开发合同",
            buyer=self.other_enterprise_org,
            total_amount="300000",
            declared_tech_amount="300000",
        )
        self.registered(
            self.other_enterprise,
            kind=K.CONSULTING,
            registered_kind=K.SERVICE,
            title="产线数字化技术服务合同",
            buyer_name="长春某汽车零部件有限公司",
            buyer_in_city=True,
            total_amount="50000",
            declared_tech_amount="50000",
        )
        self.contract(self.enterprise, title="未提交的草稿", total_amount="9999999",
                      declared_tech_amount="9999999")  # fmt: skip

    def group(self, stats, dimension):
        return {
            row["label"]: (row["count"], row["total_amount"], row["tech_amount"])
            for row in stats["groups"][dimension]
        }

    def test_registered_contracts_are_grouped_by_type_field_district_party_and_buyer(self):
        stats = statistics.contract_statistics_for(self.city_admin)
        self.assertEqual(stats["totals"]["count"], 3)
        self.assertEqual(stats["totals"]["total_amount"], Decimal("1350000"))
        self.assertEqual(stats["totals"]["tech_amount"], Decimal("1050000"))  # corrected, not total
        self.assertEqual(
            self.group(stats, "kind"),
            {
                "技术开发": (1, Decimal("300000"), Decimal("300000")),
                "技术转让": (1, Decimal("1000000"), Decimal("700000")),
                "技术服务": (1, Decimal("50000"), Decimal("50000")),
            },
        )
        self.assertEqual(
            self.group(stats, "district"),
            {
                "南关区": (2, Decimal("1050000"), Decimal("750000")),
                "长春高新技术产业开发区": (1, Decimal("300000"), Decimal("300000")),
            },
        )
        self.assertEqual(
            self.group(stats, "party"),
            {
                "企业": (2, Decimal("350000"), Decimal("350000")),
                "高等院校": (1, Decimal("1000000"), Decimal("700000")),
            },
        )
        self.assertEqual(
            self.group(stats, "buyer"),
            {
                "市内": (2, Decimal("350000"), Decimal("350000")),
                "市外": (1, Decimal("1000000"), Decimal("700000")),
            },
        )
        self.assertEqual(self.group(stats, "field")[self.field.name][0], 3)

    def test_the_period_filter_counts_by_registration_date(self):
        last_year = timezone.now() - datetime.timedelta(days=400)
        TechContract.objects.filter(title="车载传感器开发合同").update(registered_at=last_year)
        this_year = statistics.contract_statistics(year=timezone.localdate().year)
        self.assertEqual(this_year["totals"]["count"], 2)
        window = statistics.contract_statistics(
            date_from=last_year.date() - datetime.timedelta(days=1),
            date_to=last_year.date() + datetime.timedelta(days=1),
        )
        self.assertEqual(window["totals"]["count"], 1)

    def test_a_district_admin_sees_only_the_own_district(self):
        stats = statistics.contract_statistics_for(self.district_admin)
        self.assertEqual(stats["region"], "长春高新技术产业开发区")
        self.assertEqual(stats["totals"]["count"], 1)
        self.assertEqual(stats["totals"]["tech_amount"], Decimal("300000"))
        for user in (self.enterprise, self.institute, self.public, self.leader):
            with self.assertRaises(NotAllowed):
                statistics.contract_statistics_for(user)

    def test_the_page_exports_the_groups_to_excel(self):
        self.login(self.city_admin)
        page = self.client.get("/transfer/statistics/")
        self.assertContains(page, "按卖方单位类型")
        self.assertContains(page, "1,050,000.00")
        response = self.client.get("/transfer/statistics/", {"export": "xlsx"})
        rows = list(load_workbook(io.BytesIO(response.content)).active.values)
        self.assertEqual(
            rows[0], ("统计维度", "分类", "合同数", "合同总金额（元）", "技术交易额（元）")
        )
        self.assertIn(("按买方所在地", "市外", 1, 1000000, 700000), rows)
        self.assertEqual(rows[-1], ("合计", None, 3, 1350000, 1050000))

    def test_per_role_access_to_the_pages(self):
        self.login(self.district_admin)
        page = self.client.get("/transfer/statistics/")
        self.assertContains(page, "长春高新技术产业开发区技术合同登记统计")
        self.assertNotContains(page, "技术转让")
        export = self.client.get("/transfer/statistics/", {"export": "xlsx"})
        rows = list(load_workbook(io.BytesIO(export.content)).active.values)
        self.assertEqual(rows[-1][2], 1)
        for user in (self.enterprise, self.institute):
            self.login(user)
            self.assertEqual(self.client.get("/transfer/statistics/").status_code, 403)
            self.assertEqual(self.client.get("/transfer/statistics/funnel/").status_code, 403)
        self.client.logout()
        self.assertEqual(self.client.get("/transfer/statistics/").status_code, 302)


class FunnelTests(TradingTestCase):
    def setUp(self):
        other = AchievementFactory(owner=self.university, allows_license=True)
        AchievementFactory(owner=self.enterprise_org)  # published, nothing else
        screening = Screening.objects.create(
            achievement=self.achievement,
            round="2026年第4季度",
            indicator_version="2026",
            decision=ScreeningDecision.SELECTED,
            created_by=self.city_admin,
            decided_at=timezone.now(),
        )
        Screening.objects.create(
            achievement=other,
            round="2026年第4季度",
            indicator_version="2026",
            created_by=self.city_admin,
        )  # fmt: skip  (pending: not counted)
        catalog = Catalog.objects.create(
            title="2026年第4季度优秀科技成果目录",
            period="2026年第4季度",
            status=CatalogStatus.PUBLISHED,
            published_at=timezone.now(),
            created_by=self.city_admin,
        )
        CatalogEntry.objects.create(
            catalog=catalog, achievement=self.achievement, screening=screening, position=1
        )
        listing = self.list_it()
        listings.place_bid(self.enterprise, listing, "100000")
        listings.close_listing(self.institute, self.end(listing))
        self.list_it(other, mode="license")
        contract = TechContract.objects.get(listing=listing)
        contracts.update_contract(self.institute, contract, payment_terms="一次性支付。",
                                  signed_on=timezone.localdate())  # fmt: skip
        contracts.submit_contract(self.institute, contract)
        contracts.register_contract(self.city_admin, contract, tech_amount="90000", note="")

    def test_each_stage_counts_the_organisations_achievements(self):
        funnel = statistics.transfer_funnel(by="organisation")
        rows = {r["name"]: r for r in funnel["rows"]}
        jlu = rows["吉林大学"]
        # Published: the shared achievement and `other`; only the first got further than listing.
        self.assertEqual([jlu[s] for s in statistics.STAGES], [2, 1, 1, 2, 1, 1, 1])
        self.assertEqual(jlu["registered_amount"], Decimal("90000"))
        self.assertEqual(rows["长春华锐光电科技有限公司"]["published"], 1)
        self.assertEqual(rows["长春华锐光电科技有限公司"]["listed"], 0)
        self.assertEqual(funnel["totals"]["published"], 3)

    def test_by_district_and_for_a_district_admin(self):
        by_district = {r["name"]: r for r in statistics.transfer_funnel(by="district")["rows"]}
        self.assertEqual(by_district["南关区"]["registered"], 1)
        self.assertEqual(by_district["长春高新技术产业开发区"]["published"], 1)
        own = statistics.funnel_for(self.district_admin, by="district")
        self.assertEqual([r["name"] for r in own["rows"]], ["长春高新技术产业开发区"])

    def test_the_funnel_page_exports(self):
        self.login(self.city_admin)
        page = self.client.get("/transfer/statistics/funnel/")
        self.assertContains(page, "吉林大学")
        self.assertContains(page, "入选已发布目录")
        response = self.client.get(
            "/transfer/statistics/funnel/", {"by": "district", "export": "xlsx"}
        )
        rows = list(load_workbook(io.BytesIO(response.content)).active.values)
        self.assertEqual(rows[0][:3], ("区域", "发布成果", "完成筛选评价"))
        self.assertIn("南关区", [r[0] for r in rows])
        self.assertEqual(rows[-1][0], "合计")
