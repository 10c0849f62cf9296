"""成果筛选评价 API: the same services, permissions and Chinese errors as the pages, in the
documented error shape {code, message, errors}."""

from decimal import Decimal

from core.testing import PersonaTestCase
from resources.factories import AchievementFactory, ExpertFactory
from transfer.factories_screening import COMMENT, SHEET_A, SHEET_B, answers, expert_with_account
from transfer.models import Screening, ScreeningScore, TrlAssessment

TRL = "/api/transfer/trl-assessments/"
SCREENINGS = "/api/transfer/screenings/"


class ScreeningApiTests(PersonaTestCase):
    def post(self, url, body):
        return self.client.post(url, body, content_type="application/json")

    def setUp(self):
        self.achievement = AchievementFactory(owner=self.enterprise_org, trl=5)
        self.a = ExpertFactory(owner=self.university, user=self.expert)
        self.b = expert_with_account(self.agency, "expert_b")

    def test_trl_round_trip_with_gap_evidence_and_confirmation(self):
        self.login(self.enterprise)
        body = {"achievement": self.achievement.pk, "answers": answers({1, 2, 3, 5, 6})}
        made = self.post(TRL, body)
        self.assertEqual(made.status_code, 201, made.content)
        data = made.json()
        self.assertEqual((data["level"], data["ignored_levels"]), (3, [5, 6]))

        bad = answers({1, 2})
        bad["2"]["evidence"] = ""
        refused = self.post(TRL, {"achievement": self.achievement.pk, "answers": bad})
        self.assertEqual(refused.status_code, 400)
        error = refused.json()
        self.assertEqual(error["code"], "invalid")
        self.assertIn("第2级选择“已达到”时须填写证据", error["errors"]["evidence_2"][0])
        self.assertEqual(TrlAssessment.objects.count(), 1)

        scale = self.client.get(TRL + "scale/").json()
        self.assertIs(scale["confirmed"], False)
        self.assertEqual(len(scale["levels"]), 9)

        self.login(self.expert)
        url = f"{TRL}{data['id']}/confirm/"
        no_reason = self.post(url, {"level": 4})
        self.assertEqual(no_reason.status_code, 400)
        self.assertIn("须说明理由", no_reason.json()["message"])
        done = self.post(url, {"level": 4, "reason": "第4级的实验室集成验证已有报告。"})
        self.assertEqual(done.status_code, 200, done.content)
        self.assertEqual(done.json()["effective_level"], 4)
        twice = self.post(url, {"level": 4, "reason": "再次确认"})
        self.assertEqual(twice.status_code, 409)

        listed = self.client.get(TRL, {"achievement": self.achievement.pk}).json()
        self.assertEqual(listed["count"], 1)

    def test_trl_other_organisation_403_and_recusal_403(self):
        self.login(self.other_enterprise)
        body = {"achievement": self.achievement.pk, "answers": answers({1})}
        refused = self.post(TRL, body)
        self.assertEqual(refused.status_code, 403)
        self.assertEqual(refused.json()["code"], "not_allowed")
        self.assertIn("只有成果所属单位", refused.json()["message"])
        self.assertEqual(self.client.get(TRL).json()["count"], 0)

        own = AchievementFactory(owner=self.university)
        self.login(self.institute)
        made = self.post(TRL, {"achievement": own.pk, "answers": answers({1, 2})}).json()
        self.login(self.expert)
        recused = self.post(f"{TRL}{made['id']}/confirm/", {"level": 2})
        self.assertEqual(recused.status_code, 403)
        self.assertIn("应当回避", recused.json()["message"])

    def test_screening_round_trip(self):
        self.login(self.city_admin)
        body = {
            "achievement": self.achievement.pk,
            "round": "2026年第4季度",
            "experts": [self.a.pk, self.b.pk],
        }
        opened = self.post(SCREENINGS, body)
        self.assertEqual(opened.status_code, 201, opened.content)
        pk = opened.json()["id"]
        self.assertEqual(self.post(SCREENINGS, body).status_code, 409)
        self.assertEqual(self.client.get(SCREENINGS + "indicators/").json()["select_at_least"], "B")

        decide = f"{SCREENINGS}{pk}/decide/"
        no_sheet = self.post(decide, {"decision": "selected", "reasons": "技术先进"})
        self.assertEqual(no_sheet.status_code, 409)
        self.assertIn("还没有专家提交评分", no_sheet.json()["message"])

        self.login(self.expert)
        mine = self.client.get(SCREENINGS).json()
        self.assertEqual([s["id"] for s in mine["results"]], [pk])
        sheet = f"{SCREENINGS}{pk}/sheet/"
        bad = self.post(sheet, {"scores": {"advancement": 90}, "comment": COMMENT})
        self.assertEqual(bad.status_code, 400)
        self.assertIn("“技术成熟度”未评分", bad.json()["message"])
        self.assertEqual(self.post(sheet, {"scores": SHEET_A, "comment": COMMENT}).status_code, 200)
        self.login(self.b.user)
        handed = self.post(sheet, {"scores": SHEET_B, "comment": COMMENT})
        self.assertEqual(handed.json()["total"], "89.80")
        own_view = self.client.get(f"{SCREENINGS}{pk}/").json()
        self.assertEqual(len(own_view["sheets"]), 1)  # an expert sees only their own sheet

        self.login(self.city_admin)
        no_reason = self.post(decide, {"decision": "selected", "reasons": ""})
        self.assertEqual(no_reason.status_code, 400)
        self.assertIn("reasons", no_reason.json()["errors"])
        decided = self.post(decide, {"decision": "selected", "reasons": "综合评价良好，建议入选。"})
        self.assertEqual(decided.status_code, 200, decided.content)
        result = decided.json()
        self.assertEqual((result["score"], result["grade"]), ("84.40", "B"))
        self.assertEqual(len(result["sheets"]), 2)
        self.assertEqual(self.client.get(SCREENINGS, {"decision": "selected"}).json()["count"], 1)

        self.login(self.expert)
        frozen = self.post(sheet, {"scores": SHEET_B, "comment": COMMENT})
        self.assertEqual(frozen.status_code, 409)
        self.assertEqual(ScreeningScore.objects.get(expert=self.a).total, Decimal("79.00"))

    def test_screening_per_role(self):
        self.login(self.enterprise)
        body = {"achievement": self.achievement.pk, "round": "2026年第4季度", "experts": []}
        self.assertEqual(self.post(SCREENINGS, body).status_code, 403)
        self.assertEqual(self.client.get(SCREENINGS).json()["count"], 0)
        self.login(self.city_admin)
        pk = self.post(SCREENINGS, body | {"experts": [self.b.pk]}).json()["id"]
        self.login(self.expert)  # not on this panel
        self.assertEqual(self.client.get(f"{SCREENINGS}{pk}/").status_code, 403)
        refused = self.post(f"{SCREENINGS}{pk}/sheet/", {"scores": SHEET_A, "comment": COMMENT})
        self.assertEqual(refused.status_code, 403)
        self.assertEqual(self.client.get(f"{SCREENINGS}999999/").status_code, 404)
        self.client.logout()
        self.assertIn(self.client.get(SCREENINGS).status_code, (401, 403))
        self.assertEqual(Screening.objects.count(), 1)
