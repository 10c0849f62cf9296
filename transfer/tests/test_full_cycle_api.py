"""One achievement through the whole transfer cycle over the API, as outside systems use it:
TRL self-assessment → expert confirmation → graded screening → published catalog → valuation
with sensitivity → listing with competing bids → contract draft → registration → statistics."""

import datetime

from django.utils import timezone

from core.choices import OrgType, Role
from core.factories import MembershipFactory, OrganisationFactory
from core.models import HighTechField
from core.testing import PersonaTestCase
from resources.factories import AchievementFactory, ExpertFactory
from transfer.models import Listing

JSON = "application/json"


class FullTransferCycleApiTests(PersonaTestCase):
    def setUp(self):
        self.field = HighTechField.objects.first()
        self.achievement = AchievementFactory(
            owner=self.university,
            title="车规级激光雷达光学系统",
            allows_assignment=True,
            hightech_field=self.field,
            contact_name="张老师",
            contact_phone="043185160000",
        )
        institute = OrganisationFactory(
            name="中国科学院长春光学精密机械与物理研究所", type=OrgType.INSTITUTE
        )
        self.reviewer = MembershipFactory(
            organisation=institute, role=Role.EXPERT, user__display_name="孙光学"
        ).user
        self.expert_record = ExpertFactory(owner=institute, user=self.reviewer, title="孙光学")

    def post(self, user, url, body, status=None):
        self.login(user)
        response = self.client.post(url, body, content_type=JSON)
        if status is not None:
            self.assertEqual(response.status_code, status, response.content.decode())
        return response

    def test_an_achievement_goes_from_trl_to_a_registered_contract(self):
        a = self.achievement
        # 1. The owner's TRL self-assessment: levels 1–6 met with evidence.
        answers = {
            str(level): {
                "met": level <= 6,
                "evidence": f"第{level}级证明材料" if level <= 6 else "",
            }
            for level in range(1, 10)
        }
        trl = self.post(
            self.institute,
            "/api/transfer/trl-assessments/",
            {"achievement": a.pk, "answers": answers},
            201,
        ).json()
        self.assertEqual(trl["level"], 6)
        # 2. An expert from another organisation confirms it.
        confirmed = self.post(
            self.reviewer, f"/api/transfer/trl-assessments/{trl['id']}/confirm/", {"level": 6}, 200
        ).json()
        self.assertEqual(confirmed["effective_level"], 6)
        # 3. The bureau opens a screening; the expert scores; the bureau decides 入选.
        screening = self.post(
            self.city_admin,
            "/api/transfer/screenings/",
            {"achievement": a.pk, "round": "2026年第4季度", "experts": [self.expert_record.pk]},
            201,
        ).json()
        scores = {
            "advancement": 90,
            "maturity": 80,
            "ip": 85,
            "market": 88,
            "conditions": 80,
            "team": 90,
        }
        self.post(
            self.reviewer,
            f"/api/transfer/screenings/{screening['id']}/sheet/",
            {"scores": scores, "comment": "技术先进，产业化条件较好，建议入选目录。"},
            200,
        )
        decided = self.post(
            self.city_admin,
            f"/api/transfer/screenings/{screening['id']}/decide/",
            {"decision": "selected", "reasons": "综合得分高于入选线，技术成熟度已达6级。"},
            200,
        ).json()
        # 90×25% + 80×15% + 85×20% + 88×20% + 80×10% + 90×10% = 86.1 → A
        self.assertEqual((decided["score"], decided["grade"]), ("86.10", "A"))
        # 4. The bureau compiles and publishes a catalog; anyone can read it.
        catalog = self.post(
            self.city_admin,
            "/api/transfer/catalogs/",
            {"title": "2026年第4季度优秀科技成果目录", "period": "2026年第4季度"},
            201,
        ).json()
        self.post(
            self.city_admin,
            f"/api/transfer/catalogs/{catalog['id']}/entries/",
            {"screening": screening["id"]},
            201,
        )
        self.post(self.city_admin, f"/api/transfer/catalogs/{catalog['id']}/publish/", {}, 200)
        self.client.logout()
        public = self.client.get(f"/api/transfer/catalogs/{catalog['id']}/").json()
        self.assertEqual(public["entries"][0]["title"], "车规级激光雷达光学系统")
        # 5. The owner saves a valuation with its sensitivity table.
        valuation = self.post(
            self.institute,
            "/api/transfer/valuations/",
            {
                "achievement": a.pk,
                "method": "income",
                "variant": "profit_split",
                "revenue_mode": "list",
                "revenues": ["3000000", "5000000", "8000000"],
                "margin": "12",
                "share": "25",
                "discount_rate": "10",
            },
            201,
        ).json()
        self.assertGreater(float(valuation["value"]), 0)
        self.assertTrue(valuation["sensitivity"])
        # 6. The owner lists it; two enterprises bid; a bid below the step is refused.
        now = timezone.now()
        listing = self.post(
            self.institute,
            "/api/transfer/listings/",
            {
                "achievement": a.pk,
                "mode": "assignment",
                "kind": "auction",
                "reserve_price": "300000",
                "min_step": "10000",
                "starts_at": (now - datetime.timedelta(hours=1)).isoformat(),
                "ends_at": (now + datetime.timedelta(days=3)).isoformat(),
            },
            201,
        ).json()
        bid_url = f"/api/transfer/listings/{listing['id']}/bid/"
        self.post(self.enterprise, bid_url, {"amount": "300000"}, 201)
        low = self.post(self.other_enterprise, bid_url, {"amount": "305000"})
        self.assertEqual(low.status_code, 409, low.content.decode())
        self.assertIn("310,000.00", low.json()["message"])
        self.post(self.other_enterprise, bid_url, {"amount": "320000"}, 201)
        # 7. The period ends; closing sells to the highest bidder and drafts the contract.
        Listing.objects.filter(pk=listing["id"]).update(
            starts_at=now - datetime.timedelta(days=4), ends_at=now - datetime.timedelta(minutes=1)
        )
        late = self.post(self.enterprise, bid_url, {"amount": "400000"})
        self.assertIn(late.status_code, (400, 409))
        sold = self.post(
            self.institute, f"/api/transfer/listings/{listing['id']}/close/", {}, 200
        ).json()
        self.assertEqual((sold["status"], sold["deal_price"]), ("sold", "320000.00"))
        self.login(self.institute)
        contract = self.client.get("/api/transfer/contracts/").json()["results"][0]
        self.assertEqual((contract["status"], contract["total_amount"]), ("draft", "320000.00"))
        # 8. The seller completes and submits it, with a non-technical part.
        self.login(self.institute)
        patched = self.client.patch(
            f"/api/transfer/contracts/{contract['id']}/",
            {
                "subject": "车规级激光雷达光学系统设计技术及相关专利的转让。",
                "signed_on": timezone.localdate().isoformat(),
                "payment_terms": "合同签订后30日内一次性支付。",
                "declared_tech_amount": "300000",
                "non_tech_part": "样机一台（价值2万元）",
                "field": self.field.pk,
            },
            content_type=JSON,
        )
        self.assertEqual(patched.status_code, 200, patched.content.decode())
        self.post(self.institute, f"/api/transfer/contracts/{contract['id']}/submit/", {}, 200)
        # 9. The registrar classifies it and corrects the technology part of the amount.
        registered = self.post(
            self.city_admin,
            f"/api/transfer/contracts/{contract['id']}/register/",
            {"registered_kind": "transfer", "tech_amount": "300000", "note": "扣除样机价款2万元。"},
            200,
        ).json()
        self.assertEqual(registered["status"], "registered")
        self.assertTrue(registered["registration_number"].startswith("22010"))
        # 10. The statistics count it once, at the corrected 技术交易额.
        self.login(self.city_admin)
        stats = self.client.get("/api/transfer/statistics/contracts/").json()
        self.assertEqual(stats["totals"]["count"], 1)
        self.assertEqual(float(stats["totals"]["tech_amount"]), 300000.0)
        funnel = self.client.get("/api/transfer/statistics/funnel/").json()
        row = next(r for r in funnel["rows"] if r["name"] == self.university.name)
        self.assertEqual(
            [row[k] for k in ("screened", "cataloged", "listed", "bid", "contracted")],
            [1, 1, 1, 1, 1],
        )
