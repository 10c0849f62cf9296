import io

from django.utils import timezone
from openpyxl import load_workbook

from resources.factories import AchievementFactory
from transfer.choices import ContractStatus
from transfer.models import TechContract
from transfer.services import contracts, listings

from .trading_base import TradingTestCase


class ContractPageTests(TradingTestCase):
    def form_data(self, **overrides):
        data = {
            "kind": "development",
            "title": "光电检测系统委托开发合同",
            "subject": "开发一套光电检测系统",
            "buyer": "",
            "buyer_name": "长春某光学仪器有限公司",
            "buyer_in_city": "on",
            "field": str(self.field.pk),
            "total_amount": "500000",
            "declared_tech_amount": "400000",
            "non_tech_part": "样机材料费10万元",
            "payment_terms": "分两期支付",
            "signed_on": timezone.localdate().isoformat(),
            "valid_until": "",
        }
        data.update(overrides)
        return data

    def test_the_seller_registers_and_submits_through_the_pages(self):
        self.login(self.institute)
        bad = self.client.post(
            "/transfer/contracts/new/", self.form_data(declared_tech_amount="600000")
        )
        self.assertContains(bad, "不能超过合同总金额（500,000.00元）")
        self.assertFalse(TechContract.objects.exists())
        saved = self.client.post("/transfer/contracts/new/", self.form_data(), follow=True)
        self.assertContains(saved, "合同已保存，可以提交认定登记")
        contract = TechContract.objects.get()
        self.assertContains(saved, "税收优惠（参考）")
        self.assertContains(saved, "以税务机关认定为准")
        submitted = self.client.post(f"/transfer/contracts/{contract.pk}/submit/", follow=True)
        self.assertContains(submitted, "已提交认定登记")
        contract.refresh_from_db()
        self.assertEqual(contract.status, ContractStatus.SUBMITTED)
        self.assertEqual(
            self.client.get(f"/transfer/contracts/{contract.pk}/edit/", follow=True).status_code,
            200,
        )

    def test_another_organisation_gets_a_refusal_page(self):
        contract = self.contract()
        self.login(self.enterprise)
        self.assertEqual(self.client.get(f"/transfer/contracts/{contract.pk}/").status_code, 403)
        response = self.client.post(
            f"/transfer/contracts/{contract.pk}/edit/", self.form_data(title="改名")
        )
        self.assertEqual(response.status_code, 403)
        self.assertEqual(self.client.get("/transfer/contracts/999999/").status_code, 404)

    def test_the_registrar_corrects_the_amount_and_registers_from_the_queue(self):
        contract = self.contract(non_tech_part="设备", declared_tech_amount="1000000")
        contracts.submit_contract(self.institute, contract)
        self.login(self.city_admin)
        queue = self.client.get("/transfer/contracts/registrar/")
        self.assertContains(queue, "激光器封装技术转让合同")
        url = f"/transfer/contracts/{contract.pk}/"
        refused = self.client.post(
            f"{url}register/", {"registered_kind": "transfer", "tech_amount": "1000000"}
        )
        self.assertContains(refused, "认定技术交易额应低于合同总金额", status_code=400)
        ok = self.client.post(
            f"{url}register/",
            {"registered_kind": "transfer", "tech_amount": "750000", "note": "扣除设备款"},
            follow=True,
        )
        year = timezone.localdate().year
        self.assertContains(ok, f"22010{year}000001")
        self.assertContains(ok, "750,000.00")
        self.assertNotContains(self.client.get("/transfer/contracts/registrar/"), "激光器封装")

    def test_refusal_without_reasons_is_refused_on_the_page(self):
        contract = contracts.submit_contract(self.institute, self.contract())
        self.login(self.city_admin)
        response = self.client.post(f"/transfer/contracts/{contract.pk}/refuse/", {"reasons": ""})
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "不予登记须填写理由", status_code=400)
        contract.refresh_from_db()
        self.assertEqual(contract.status, ContractStatus.SUBMITTED)

    def test_a_listing_draft_keeps_its_buyer_and_asks_for_the_field(self):
        bare = AchievementFactory(owner=self.university, allows_assignment=True)
        listing = self.list_it(bare)
        listings.place_bid(self.enterprise, listing, "100000")
        listings.close_listing(self.institute, self.end(listing))
        contract = TechContract.objects.get()
        self.login(self.institute)
        page = self.client.get(f"/transfer/contracts/{contract.pk}/")
        self.assertContains(page, "请选择技术领域")
        self.assertNotContains(page, "提交认定登记</button>")
        form = self.client.get(f"/transfer/contracts/{contract.pk}/edit/")
        self.assertContains(form, "本合同来源于挂牌成交")
        self.assertNotContains(form, 'name="buyer_name"')
        data = self.form_data(kind="transfer", title=contract.title, total_amount="100000",
                              declared_tech_amount="100000", non_tech_part="")  # fmt: skip
        self.client.post(f"/transfer/contracts/{contract.pk}/edit/", data)
        contract.refresh_from_db()
        self.assertEqual(contract.field, self.field)
        self.assertEqual(contract.buyer, self.enterprise_org)

    def test_the_list_shows_own_contracts_and_exports(self):
        self.contract()
        self.contract(self.enterprise, title="华锐的合同")
        self.login(self.institute)
        page = self.client.get("/transfer/contracts/")
        self.assertContains(page, "激光器封装技术转让合同")
        self.assertNotContains(page, "华锐的合同")
        export = self.client.get("/transfer/contracts/", {"export": "xlsx"})
        rows = list(load_workbook(io.BytesIO(export.content)).active.values)
        self.assertEqual(rows[0][:3], ("登记编号", "合同名称", "合同类型"))
        self.assertEqual([r[1] for r in rows[1:]], ["激光器封装技术转让合同"])
