"""The bureau's cultivation pages: tier pools (entries, exits, history, the batch scan),
双随机 spot checks and R&D post-subsidies, and who may open which."""

import csv
import datetime
import io
from urllib.parse import unquote

from core.models import AuditEntry, Job
from core.testing import PersonaTestCase
from cultivation.factories import InspectorFactory, write_enterprise
from cultivation.models import PoolMembership, SpotCheck, SpotCheckItem, SubsidyScheme
from cultivation.services import pools
from integrity.factories import IntegrityRecordFactory

ENTRY = datetime.date(2025, 6, 1)


def admit_fields(org, **extra):
    fields = {
        "organisation": org.uscc,
        "tier": "sme_tech",
        "entered_on": ENTRY.isoformat(),
        "certificate_number": "2025220173A0001",
        "reason": "2025年第三批科技型中小企业入库名单",
        "expert_confirmed": "",
    }
    return {**fields, **extra}


def csv_text(response) -> str:
    return b"".join(response.streaming_content).decode("utf-8-sig")


class PoolPageTests(PersonaTestCase):
    def setUp(self):
        write_enterprise(self.enterprise_org)
        write_enterprise(self.other_enterprise_org)

    def stay(self, org, tier="sme_tech", on=ENTRY):
        return pools.admit(self.city_admin, org, tier, on, "2025年第三批入库名单")

    def test_city_admin_admits_an_enterprise_and_finds_it_in_the_pool(self):
        self.login(self.city_admin)
        form = self.client.get("/cultivation/pools/admit/?tier=hte")
        self.assertContains(form, '<option value="hte" selected>高新技术企业</option>', html=True)

        response = self.client.post("/cultivation/pools/admit/", admit_fields(self.enterprise_org))
        stay = PoolMembership.objects.get(organisation=self.enterprise_org)
        self.assertRedirects(
            response, f"/cultivation/pools/stays/{stay.pk}/", fetch_redirect_response=False
        )
        page = self.client.get(f"/cultivation/pools/stays/{stay.pk}/")
        self.assertContains(page, "长春华锐光电科技有限公司 已进入科技型中小企业库。")
        self.assertContains(page, "符合条件")
        self.assertContains(page, "得分 76 分")
        self.assertContains(page, f'href="/cultivation/assessments/{stay.entry_assessment_id}/"')
        self.assertContains(page, "办理出库")

        listing = self.client.get("/cultivation/pools/")
        self.assertContains(listing, "长春华锐光电科技有限公司")
        self.assertContains(listing, "2025-06-01")
        self.assertContains(listing, "2025220173A0001")
        self.assertContains(
            listing, '<span class="count">1</span>', count=1, html=True
        )  # only the 科技型中小企业 tab has a member
        self.assertContains(listing, "办理入库")
        self.assertContains(listing, "批量评价")
        hte = self.client.get("/cultivation/pools/?tier=hte")
        self.assertNotContains(hte, "2025220173A0001")
        self.assertContains(hte, "高新技术企业库中还没有企业。")

    def test_admission_to_hte_is_refused_naming_the_rd_ratio_gap(self):
        self.login(self.city_admin)
        response = self.client.post(
            "/cultivation/pools/admit/", admit_fields(self.enterprise_org, tier="hte")
        )
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "按《高新技术企业认定》评价不符合条件，不能入库")
        self.assertContains(response, "近三个会计年度研发费用占销售收入比例 3.9%，需 ≥ 4%")
        self.assertContains(response, "2025年第三批科技型中小企业入库名单</textarea>")
        self.assertFalse(PoolMembership.objects.exists())

    def test_an_integrity_restriction_on_recognition_refuses_admission(self):
        IntegrityRecordFactory(
            organisation=self.enterprise_org,
            decision_number="吉科诚〔2024〕8号",
            activities=["recognition"],
            restricted_from=datetime.date(2025, 1, 1),
            restricted_until=datetime.date(2027, 12, 31),
        )
        self.login(self.city_admin)
        response = self.client.post("/cultivation/pools/admit/", admit_fields(self.enterprise_org))
        self.assertContains(response, "存在科研失信记录（吉科诚〔2024〕8号")
        self.assertContains(response, "2027年12月31日前")
        self.assertFalse(PoolMembership.objects.exists())

    def test_unknown_code_and_second_admission_are_refused(self):
        self.login(self.city_admin)
        response = self.client.post(
            "/cultivation/pools/admit/", admit_fields(self.enterprise_org, organisation="")
        )
        self.assertContains(response, "该字段是必填项。")
        self.stay(self.enterprise_org)
        again = self.client.post("/cultivation/pools/admit/", admit_fields(self.enterprise_org))
        self.assertContains(again, "长春华锐光电科技有限公司 已在科技型中小企业库中。")
        self.assertEqual(PoolMembership.objects.count(), 1)

    def test_exit_records_reason_and_date_and_the_history_shows_entry_and_exit(self):
        stay = self.stay(self.enterprise_org)
        self.login(self.city_admin)
        url = f"/cultivation/pools/stays/{stay.pk}/exit/"
        early = self.client.post(url, {"exited_on": "2025-05-01", "reason": "登记有误"})
        self.assertContains(early, "出库日期不能早于入库日期（2025-06-01）。", status_code=400)
        self.assertContains(
            self.client.post(url, {"exited_on": "2025-12-31"}),
            "该字段是必填项。",
            status_code=400,
        )

        response = self.client.post(
            url,
            {"exited_on": "2025-12-31", "reason": "复核不再符合条件", "reassess": "on"},
            follow=True,
        )
        self.assertContains(response, "已于 2025-12-31 移出科技型中小企业库。")
        self.assertContains(response, "复核不再符合条件")
        self.assertContains(response, "出库评价")
        self.assertNotContains(response, "办理出库</button>")
        twice = self.client.post(
            url, {"exited_on": "2026-01-31", "reason": "再次出库"}, follow=True
        )
        self.assertContains(twice, "该企业已于 2025-12-31 出库。")
        stay.refresh_from_db()
        self.assertEqual(stay.exited_on, datetime.date(2025, 12, 31))
        self.assertIsNotNone(stay.exit_assessment)

        history = self.client.get(f"/cultivation/pools/enterprises/{self.enterprise_org.pk}/")
        self.assertContains(history, "长春华锐光电科技有限公司 · 培育历程")
        self.assertContains(history, "2025-06-01")
        self.assertContains(history, "2025-12-31")
        self.assertContains(history, "复核不再符合条件")
        self.assertContains(history, f"/cultivation/assessments/{stay.entry_assessment_id}/")
        self.assertContains(history, f"/cultivation/assessments/{stay.exit_assessment_id}/")
        self.assertContains(history, "已出库")
        listing = self.client.get("/cultivation/pools/")
        self.assertNotContains(listing, "长春华锐光电科技有限公司")
        exited = self.client.get("/cultivation/pools/", {"state": "exited"})
        self.assertContains(exited, "长春华锐光电科技有限公司")

    def test_filters_and_export_of_the_pool(self):
        self.stay(self.enterprise_org)
        self.stay(self.other_enterprise_org)
        self.login(self.city_admin)
        by_region = self.client.get("/cultivation/pools/", {"region": self.nanguan.pk})
        self.assertContains(by_region, "长春启明汽车电子有限公司")
        self.assertNotContains(by_region, "长春华锐光电科技有限公司")
        by_name = self.client.get("/cultivation/pools/", {"q": "华锐"})
        self.assertEqual([s.organisation for s in by_name.context["page"]], [self.enterprise_org])
        nothing = self.client.get("/cultivation/pools/", {"q": "不存在的企业"})
        self.assertContains(nothing, "没有符合条件的企业，请调整筛选条件。")
        export = self.client.get("/cultivation/pools/", {"q": "华锐", "export": "csv"})
        rows = list(csv.reader(io.StringIO(csv_text(export))))
        self.assertEqual(rows[0][:3], ["企业名称", "统一社会信用代码", "所在区域"])
        self.assertEqual(rows[1][0], "长春华锐光电科技有限公司")
        self.assertEqual(rows[1][7], "符合条件")
        self.assertEqual(len(rows), 2)
        xlsx = self.client.get("/cultivation/pools/", {"export": "xlsx"})
        self.assertIn(".xlsx", xlsx["Content-Disposition"])

    def test_list_queries_do_not_grow_with_the_members(self):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        from core.factories import OrganisationFactory

        self.stay(self.enterprise_org)
        self.login(self.city_admin)
        self.client.get("/cultivation/pools/")
        with CaptureQueriesContext(connection) as few:
            self.client.get("/cultivation/pools/")
        for _n in range(5):
            org = OrganisationFactory(region=self.nanguan)
            write_enterprise(org)
            self.stay(org)
        with CaptureQueriesContext(connection) as many:
            page = self.client.get("/cultivation/pools/")
        self.assertContains(page, '<span class="count">6</span>', html=True)
        self.assertEqual(len(many), len(few))

    def test_district_admin_reads_the_pools_of_their_region_only(self):
        mine = self.stay(self.enterprise_org)
        theirs = self.stay(self.other_enterprise_org)
        self.login(self.district_admin)
        self.assertContains(self.client.get("/"), 'href="/cultivation/pools/">梯次培育</a>')
        listing = self.client.get("/cultivation/pools/")
        self.assertContains(listing, "长春华锐光电科技有限公司")
        self.assertNotContains(listing, "长春启明汽车电子有限公司")
        self.assertNotContains(listing, "办理入库")
        self.assertNotContains(listing, "南关区")  # the region filter offers their own only
        detail = self.client.get(f"/cultivation/pools/stays/{mine.pk}/")
        self.assertContains(detail, "长春华锐光电科技有限公司")
        self.assertNotContains(detail, "办理出库")
        self.assertEqual(self.client.get(f"/cultivation/pools/stays/{theirs.pk}/").status_code, 404)
        self.assertEqual(self.client.get("/cultivation/pools/admit/").status_code, 403)
        response = self.client.post("/cultivation/pools/admit/", admit_fields(self.enterprise_org))
        self.assertEqual(response.status_code, 403)
        exit_url = f"/cultivation/pools/stays/{mine.pk}/exit/"
        self.assertEqual(
            self.client.post(exit_url, {"exited_on": "2025-12-31", "reason": "x"}).status_code, 403
        )
        self.assertEqual(self.client.get("/cultivation/pools/scan/").status_code, 403)
        own = self.client.get(f"/cultivation/pools/enterprises/{self.enterprise_org.pk}/")
        self.assertContains(own, "科技型中小企业")
        other = f"/cultivation/pools/enterprises/{self.other_enterprise_org.pk}/"
        self.assertEqual(self.client.get(other).status_code, 403)
        self.assertEqual(self.client.get("/cultivation/spot-checks/").status_code, 403)
        self.assertEqual(self.client.get("/cultivation/subsidies/").status_code, 403)
        self.assertEqual(PoolMembership.objects.current().count(), 2)

    def test_enterprise_users_and_the_public_cannot_open_any_bureau_page(self):
        stay = self.stay(self.enterprise_org)
        check = SpotCheck.objects.create(
            title="抽查", tier="sme_tech", on=ENTRY, ratio=10, seed=1, created_by=self.city_admin
        )
        scheme = SubsidyScheme.objects.create(
            title="补助", year=2024, basis="total", rate=10, cap=1, created_by=self.city_admin
        )
        gets = [
            "/cultivation/pools/",
            "/cultivation/pools/admit/",
            "/cultivation/pools/scan/",
            f"/cultivation/pools/stays/{stay.pk}/",
            f"/cultivation/pools/enterprises/{self.enterprise_org.pk}/",
            "/cultivation/spot-checks/",
            "/cultivation/spot-checks/new/",
            f"/cultivation/spot-checks/{check.pk}/",
            "/cultivation/subsidies/",
            "/cultivation/subsidies/new/",
            f"/cultivation/subsidies/{scheme.pk}/",
            f"/cultivation/subsidies/{scheme.pk}/edit/",
        ]
        posts = [
            f"/cultivation/pools/stays/{stay.pk}/exit/",
            f"/cultivation/subsidies/{scheme.pk}/compute/",
            f"/cultivation/subsidies/{scheme.pk}/approve/",
        ]
        for user in (self.enterprise, self.public, self.expert):
            self.login(user)
            for url in gets:
                self.assertEqual(self.client.get(url).status_code, 403, (user, url))
            for url in posts:
                self.assertEqual(self.client.post(url, {}).status_code, 403, (user, url))
        self.client.logout()
        self.assertRedirects(
            self.client.get("/cultivation/pools/"), "/accounts/login/?next=/cultivation/pools/"
        )
        self.assertTrue(PoolMembership.objects.get().is_current)
        self.assertEqual(SubsidyScheme.objects.get().status, "draft")

    def test_scan_job_lists_the_candidate_with_a_prefilled_admission(self):
        self.stay(self.other_enterprise_org)
        self.login(self.city_admin)
        form = self.client.get("/cultivation/pools/scan/")
        self.assertContains(form, "批量评价只给出名单，不会改变任何入库记录。")
        self.assertNotContains(form, '<option value="leader"')
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(
                "/cultivation/pools/scan/", {"tier": "sme_tech", "on": "2025-06-01"}
            )
        job = Job.objects.get(kind="cultivation.scan")
        self.assertEqual(job.params["tier"], "sme_tech")
        self.assertRedirects(response, f"/cultivation/pools/scan/?job={job.pk}")
        page = self.client.get(f"/cultivation/pools/scan/?job={job.pk}")
        self.assertContains(page, "已完成")
        self.assertContains(page, "符合条件未入库")
        self.assertContains(page, "长春华锐光电科技有限公司")
        self.assertContains(
            page,
            f'href="/cultivation/pools/admit/?tier=sme_tech&organisation={self.enterprise_org.uscc}"',
        )
        # The member that still qualifies is not listed as failing.
        self.assertContains(page, "在库企业都仍符合条件。")
        # The page polls itself while running; finished, the partial stops polling.
        partial = self.client.get(f"/cultivation/pools/scan/?job={job.pk}", HTTP_HX_REQUEST="true")
        self.assertNotContains(partial, "hx-trigger")
        self.assertNotContains(partial, "<html")
        export = self.client.get(f"/cultivation/pools/scan/?job={job.pk}&export=csv")
        self.assertIn("符合条件未入库,长春华锐光电科技有限公司", csv_text(export))

        admit = self.client.get(
            f"/cultivation/pools/admit/?tier=sme_tech&organisation={self.enterprise_org.uscc}"
        )
        self.assertContains(admit, f'value="{self.enterprise_org.uscc}"')

    def test_scan_lists_a_member_that_no_longer_qualifies_with_a_link_to_its_stay(self):
        stay = self.stay(self.enterprise_org)
        write_enterprise(self.enterprise_org, staff=800)  # too large for 科技型中小企业
        self.login(self.city_admin)
        with self.captureOnCommitCallbacks(execute=True):
            self.client.post("/cultivation/pools/scan/", {"tier": "sme_tech", "on": "2025-06-01"})
        job = Job.objects.get(kind="cultivation.scan")
        page = self.client.get(f"/cultivation/pools/scan/?job={job.pk}")
        self.assertContains(page, "在库但不再符合条件")
        self.assertContains(page, f'href="/cultivation/pools/stays/{stay.pk}/"')
        self.assertContains(page, "复核并办理出库")


class SpotCheckPageTests(PersonaTestCase):
    def setUp(self):
        for org in (self.enterprise_org, self.other_enterprise_org):
            write_enterprise(org)
            pools.admit(self.city_admin, org, "sme_tech", ENTRY, "入库名单")
        self.inspectors = [
            InspectorFactory(name=name) for name in ("王检查", "李检查", "赵检查", "钱检查")
        ]

    def create(self, **extra):
        fields = {
            "title": "2025年科技型中小企业双随机抽查",
            "tier": "sme_tech",
            "on": "2025-09-01",
            "ratio": "100",
            "inspectors_per_enterprise": "2",
            "seed": "20250901",
        }
        return self.client.post("/cultivation/spot-checks/new/", {**fields, **extra}, follow=True)

    def test_city_admin_draws_and_publishes_a_reproducible_spot_check(self):
        self.login(self.city_admin)
        self.assertContains(
            self.client.get("/cultivation/spot-checks/new/"),
            "随机抽取检查对象、随机选派执法检查人员",
        )
        page = self.create()
        self.assertContains(page, "已从 2 户在库企业中随机抽取 2 户")
        self.assertContains(page, "长春华锐光电科技有限公司")
        self.assertContains(page, "长春启明汽车电子有限公司")
        self.assertContains(page, "用相同种子和范围重新抽取，结果一致。")
        self.assertContains(page, "20250901")
        self.assertContains(page, "长春高新技术产业开发区")
        check = SpotCheck.objects.get()
        names = {i.name for item in check.items.all() for i in item.inspectors.all()}
        self.assertEqual(len(names), 4)
        for name in names:
            self.assertContains(page, name)

        export = self.client.get(f"/cultivation/spot-checks/{check.pk}/?export=csv")
        text = csv_text(export)
        self.assertIn("被抽查企业", text.splitlines()[0])
        self.assertIn("长春华锐光电科技有限公司", text)
        self.assertIn(self.enterprise_org.uscc, text)
        xlsx = self.client.get(f"/cultivation/spot-checks/{check.pk}/?export=xlsx")
        self.assertIn("双随机抽查抽查名单.xlsx", unquote(xlsx["Content-Disposition"]))

        listing = self.client.get("/cultivation/spot-checks/")
        self.assertContains(listing, "2025年科技型中小企业双随机抽查")
        self.assertContains(listing, "2 / 2")

    def test_a_tampered_draw_shows_a_red_warning(self):
        self.login(self.city_admin)
        self.create(ratio="50")
        check = SpotCheck.objects.get()
        item = SpotCheckItem.objects.get(spot_check=check)
        item.inspectors.set([self.inspectors[0], self.inspectors[1], self.inspectors[2]])
        page = self.client.get(f"/cultivation/spot-checks/{check.pk}/")
        self.assertContains(page, "结果与留存的抽取结果不一致")
        self.assertContains(page, 'class="msg error reproduces"')

    def test_refusals_are_shown_on_the_form(self):
        self.login(self.city_admin)
        page = self.create(tier="hte")
        self.assertContains(page, "2025-09-01 高新技术企业库中没有在库企业，无法抽取。")
        page = self.create(inspectors_per_enterprise="5")
        self.assertContains(page, "在库检查人员不足：每户需要 5 名与被检查企业无关的检查人员。")
        self.assertFalse(SpotCheck.objects.exists())

    def test_inspectors_are_kept_in_the_back_office(self):
        self.login(self.city_admin)
        response = self.client.post(
            "/admin/cultivation/inspector/add/",
            {
                "name": "孙执法",
                "unit": "长春市科学技术局",
                "region": self.nanguan.pk,
                "certificate": "吉执22000099",
                "organisation": "",
                "active": "on",
            },
        )
        self.assertRedirects(response, "/admin/cultivation/inspector/")
        self.assertContains(self.client.get("/admin/cultivation/inspector/"), "孙执法")
        self.assertTrue(AuditEntry.objects.filter(action="create", object_repr__contains="孙执法"))
        self.login(self.district_admin)
        self.assertEqual(self.client.get("/admin/cultivation/inspector/").status_code, 403)


class SubsidyPageTests(PersonaTestCase):
    def setUp(self):
        write_enterprise(self.enterprise_org)  # 2024: 研发费用 2,400,000
        write_enterprise(self.other_enterprise_org, rd_expense=[500000, 600000, 800000])

    def create(self, **extra):
        fields = {
            "title": "2024年度研发投入后补助",
            "year": "2024",
            "basis": "total",
            "rate": "25",
            "min_rd_expense": "1000000",
            "cap": "500000",
            "budget": "",
        }
        self.client.post("/cultivation/subsidies/new/", {**fields, **extra})
        return SubsidyScheme.objects.get()

    def test_create_compute_approve_and_export_the_payment_list(self):
        self.login(self.city_admin)
        scheme = self.create()
        detail = self.client.get(f"/cultivation/subsidies/{scheme.pk}/")
        self.assertContains(
            detail,
            "按2024年度研发费用的25%补助，单户最高50万元，研发费用低于100万元的不予补助，不设总额",
        )
        self.assertContains(detail, "还没有测算。")

        page = self.client.post(f"/cultivation/subsidies/{scheme.pk}/compute/", follow=True)
        self.assertContains(page, "测算完成：2 户参与测算，1 户获得补助，合计 500,000.00 元。")
        self.assertContains(page, "2,400,000.00")
        self.assertContains(page, "<strong>500,000.00</strong>", html=True)
        self.assertContains(page, "600,000.00")  # 25% before the cap
        self.assertContains(page, "超过单户上限，按 500,000.00 元")
        self.assertContains(page, "研发费用 800,000.00 元低于下限 1,000,000.00 元，不予补助")
        draft = self.client.get(f"/cultivation/subsidies/{scheme.pk}/?export=csv")
        self.assertIn("测算表（未审定）.csv", unquote(draft["Content-Disposition"]))
        self.assertIn("长春启明汽车电子有限公司", csv_text(draft))  # the draft lists every line

        page = self.client.post(f"/cultivation/subsidies/{scheme.pk}/approve/", follow=True)
        self.assertContains(page, "补助已审定，可导出拨付名单。")
        self.assertContains(page, "导出拨付名单（Excel）")
        self.assertNotContains(page, "重新测算")
        rows = list(
            csv.reader(
                io.StringIO(
                    csv_text(self.client.get(f"/cultivation/subsidies/{scheme.pk}/?export=csv"))
                )
            )
        )
        self.assertEqual(rows[0][6], "补助金额（元）")
        self.assertEqual(rows[1][1], "长春华锐光电科技有限公司")
        self.assertEqual(rows[1][6], "500000.00")
        self.assertEqual(len(rows), 2)  # enterprises without an amount are not paid

        listing = self.client.get("/cultivation/subsidies/")
        self.assertContains(listing, "2024年度研发投入后补助")
        self.assertContains(listing, '<span class="badge scheme-approved">已审定</span>', html=True)
        self.assertContains(listing, "500,000.00")

        again = self.client.post(f"/cultivation/subsidies/{scheme.pk}/approve/", follow=True)
        self.assertContains(again, "补助已审定。")
        edit = self.client.get(f"/cultivation/subsidies/{scheme.pk}/edit/", follow=True)
        self.assertContains(edit, "补助已审定，不能再修改。")
        recompute = self.client.post(f"/cultivation/subsidies/{scheme.pk}/compute/", follow=True)
        self.assertContains(recompute, "补助已审定，不能重新测算。")

    def test_a_budget_scales_every_amount_down_and_says_so(self):
        self.login(self.city_admin)
        scheme = self.create(rate="20", min_rd_expense="0", budget="300000")
        page = self.client.post(f"/cultivation/subsidies/{scheme.pk}/compute/", follow=True)
        # 480,000 + 160,000 = 640,000 asked for, 300,000 available.
        self.assertContains(page, "总额30万元（超出时按比例核减）")
        self.assertContains(
            page, "按比例和上限测算合计 640,000.00 元，超过补助资金总额 300,000.00 元"
        )
        self.assertContains(page, "按总额核减为 225,000.00 元")
        self.assertContains(page, "按总额核减为 75,000.00 元")

    def test_editing_a_draft_clears_the_figures_and_approval_needs_an_amount(self):
        self.login(self.city_admin)
        scheme = self.create(min_rd_expense="5000000")
        self.client.post(f"/cultivation/subsidies/{scheme.pk}/compute/")
        page = self.client.post(f"/cultivation/subsidies/{scheme.pk}/approve/", follow=True)
        self.assertContains(page, "还没有测算出任何补助，不能审定。")
        form = self.client.get(f"/cultivation/subsidies/{scheme.pk}/edit/")
        self.assertContains(form, "保存后原测算结果将被清除")
        response = self.client.post(
            f"/cultivation/subsidies/{scheme.pk}/edit/",
            {
                "title": "2024年度研发投入后补助（增量）",
                "year": "2024",
                "basis": "increment",
                "rate": "10",
                "min_rd_expense": "0",
                "cap": "500000",
                "budget": "",
                "tiers": ["sme_tech"],
            },
            follow=True,
        )
        self.assertContains(response, "原测算结果已清除，请重新测算。")
        self.assertContains(
            response,
            "按2024年度研发费用较2023年度增量的10%补助，单户最高50万元，不设总额；适用于2024年末在库的科技型中小企业。",
        )
        self.assertFalse(scheme.lines.exists())

    def test_form_errors_keep_the_input(self):
        self.login(self.city_admin)
        response = self.client.post(
            "/cultivation/subsidies/new/",
            {"title": "补助", "year": "2024", "basis": "total", "rate": "0", "cap": "100"},
        )
        self.assertContains(response, "补助比例（%）")
        self.assertContains(response, 'class="error-text"')
        self.assertFalse(SubsidyScheme.objects.exists())
