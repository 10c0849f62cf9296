"""成果筛选评价 pages: every page renders for the roles that may open it and refuses the others;
forms show the services' Chinese errors and change nothing."""

from decimal import Decimal

from django.urls import reverse

from core.testing import PersonaTestCase
from resources.factories import AchievementFactory, ExpertFactory
from transfer.choices import ScreeningDecision
from transfer.factories_screening import COMMENT, SHEET_A, SHEET_B, answers, expert_with_account
from transfer.models import Screening, ScreeningScore, TrlAssessment
from transfer.services import screening, trl


def trl_post(met, evidence="检测报告 JC-2025-01") -> dict:
    data = {}
    for n in range(1, 10):
        data[f"met_{n}"] = "yes" if n in met else "no"
        data[f"evidence_{n}"] = evidence if n in met else ""
    return data


class TrlPageTests(PersonaTestCase):
    def setUp(self):
        self.achievement = AchievementFactory(owner=self.enterprise_org, trl=5)
        self.page = reverse("transfer_achievement", args=[self.achievement.pk])
        self.form = reverse("transfer_trl_assess", args=[self.achievement.pk])

    def test_owner_answers_the_questionnaire_and_sees_the_level_and_the_gap(self):
        self.login(self.enterprise)
        got = self.client.get(self.page)
        self.assertContains(got, "技术就绪水平自评")
        self.assertContains(got, "量表表述待核实")
        form = self.client.get(self.form)
        self.assertContains(form, "是否已观察到并报告了该技术所依据的基本科学原理？")
        response = self.client.post(self.form, trl_post({1, 2, 3, 4, 6, 7}), follow=True)
        self.assertRedirects(response, self.page)
        self.assertContains(response, "4级 实验室环境中的部件验证")
        self.assertContains(response, "第6、7级选择了“已达到”，但第5级未达到")
        made = TrlAssessment.objects.get()
        self.assertEqual((made.level, made.submitted_by), (4, self.enterprise))
        detail = self.client.get(reverse("transfer_trl", args=[made.pk]))
        self.assertContains(detail, "检测报告 JC-2025-01")
        self.assertNotContains(detail, 'id="confirm"')  # the owner cannot confirm

    def test_missing_evidence_is_shown_on_the_level_and_nothing_saved(self):
        self.login(self.enterprise)
        data = trl_post({1, 2, 3})
        data["evidence_2"] = ""
        response = self.client.post(self.form, data)
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "第2级选择“已达到”时须填写证据")
        self.assertFalse(TrlAssessment.objects.exists())
        data = trl_post({1, 2, 3})
        del data["met_5"]
        self.assertContains(self.client.post(self.form, data), "请回答第5级是否达到")

    def test_another_organisation_gets_403_and_no_evidence(self):
        trl.self_assess(self.enterprise, self.achievement, answers(range(1, 5), "保密的测试记录"))
        self.login(self.other_enterprise)
        self.assertEqual(self.client.get(self.form).status_code, 403)
        self.assertEqual(self.client.post(self.form, trl_post({1})).status_code, 403)
        page = self.client.get(self.page)
        self.assertContains(page, "4级")  # the effective level is shown to anyone who sees it
        self.assertNotContains(page, "保密的测试记录")
        made = TrlAssessment.objects.get()
        self.assertEqual(self.client.get(reverse("transfer_trl", args=[made.pk])).status_code, 404)
        self.assertEqual(TrlAssessment.objects.count(), 1)

    def test_expert_confirms_with_a_reason_when_correcting(self):
        made = trl.self_assess(self.enterprise, self.achievement, answers(range(1, 6)))
        ExpertFactory(owner=self.university, user=self.expert)
        self.login(self.expert)
        pending = self.client.get(reverse("transfer_trl_pending"))
        self.assertContains(pending, self.achievement.title)
        url = reverse("transfer_trl", args=[made.pk])
        self.assertContains(self.client.get(url), 'id="confirm"')
        refused = self.client.post(url, {"level": 4, "reason": ""})
        self.assertContains(refused, "须说明理由")
        self.assertIsNone(TrlAssessment.objects.get().confirmed_level)
        response = self.client.post(url, {"level": 4, "reason": "第5级证据为实验室环境。"})
        self.assertRedirects(response, url)
        page = self.client.get(self.page)
        self.assertContains(page, "专家确认")
        self.assertContains(page, "已修正")
        self.assertEqual(trl.effective_trl(self.achievement), 4)

    def test_expert_of_the_owner_sees_why_they_may_not_confirm(self):
        own = AchievementFactory(owner=self.university)
        made = trl.self_assess(self.institute, own, answers(range(1, 4)))
        ExpertFactory(owner=self.university, user=self.expert)
        self.login(self.expert)
        url = reverse("transfer_trl", args=[made.pk])
        page = self.client.get(url)
        self.assertContains(page, "应当回避")
        self.assertNotContains(page, 'id="confirm"')
        self.client.post(url, {"level": 3, "reason": ""})
        self.assertIsNone(TrlAssessment.objects.get().confirmed_at)

    def test_pages_for_each_role(self):
        made = trl.self_assess(self.enterprise, self.achievement, answers(range(1, 3)))
        # Anonymous visitors see a published achievement's level, not the questionnaire.
        self.assertEqual(self.client.get(self.page).status_code, 200)
        self.assertEqual(self.client.get(self.form).status_code, 302)
        panel = self.client.get(reverse("transfer_achievement_panel", args=[self.achievement.pk]))
        self.assertContains(panel, "2级 形成技术概念或应用方案")
        self.login(self.city_admin)
        self.assertContains(self.client.get(self.page), "发起筛选评价")
        self.assertEqual(self.client.get(self.form).status_code, 200)
        self.assertEqual(self.client.get(reverse("transfer_trl", args=[made.pk])).status_code, 200)
        self.assertEqual(self.client.get(reverse("transfer_trl_pending")).status_code, 200)
        self.login(self.enterprise)
        self.assertEqual(self.client.get(reverse("transfer_trl_pending")).status_code, 403)
        self.assertEqual(
            self.client.get(reverse("transfer_achievement", args=[99999])).status_code, 404
        )


class ScreeningPageTests(PersonaTestCase):
    def setUp(self):
        self.achievement = AchievementFactory(owner=self.enterprise_org, title="高精度光栅尺")
        self.a = ExpertFactory(owner=self.university, user=self.expert, title="刘专家")
        self.b = expert_with_account(self.agency, "expert_b", title="吴专家")
        self.own = expert_with_account(self.enterprise_org, "expert_own", title="华专家")

    def _open(self, experts=None) -> Screening:
        return screening.open_screening(
            self.city_admin, self.achievement, "2026年第4季度", experts or [self.a, self.b]
        )

    def test_bureau_opens_a_screening_from_the_achievement(self):
        self.login(self.city_admin)
        url = reverse("transfer_screening_create") + f"?achievement={self.achievement.pk}"
        form = self.client.get(url)
        self.assertContains(form, "高精度光栅尺")
        self.assertContains(form, "应当回避")  # 华专家 of the owner's unit is not offered
        self.assertNotContains(form, f'value="{self.own.pk}"')
        response = self.client.post(
            url,
            {
                "achievement": self.achievement.pk,
                "round": "2026年第4季度",
                "experts": [self.a.pk, self.b.pk],
            },
        )
        made = Screening.objects.get()
        self.assertRedirects(response, reverse("transfer_screening", args=[made.pk]))
        self.assertEqual(set(made.experts.all()), {self.a, self.b})
        again = self.client.post(
            url,
            {"achievement": self.achievement.pk, "round": "2026年第4季度", "experts": [self.b.pk]},
        )
        self.assertContains(again, "不能重复发起")
        self.assertEqual(Screening.objects.count(), 1)

    def test_achievement_by_name_and_recused_expert_refused(self):
        self.login(self.city_admin)
        url = reverse("transfer_screening_create")
        self.assertEqual(self.client.get(url).status_code, 200)
        missing = self.client.post(url, {"achievement": "不存在的成果", "round": "2026年第4季度"})
        self.assertContains(missing, "没有找到名为“不存在的成果”的已发布科技成果")
        refused = self.client.post(
            url, {"achievement": "光栅尺", "round": "2026年第4季度", "experts": [self.own.pk]}
        )
        self.assertContains(refused, "为同一单位")
        self.assertFalse(Screening.objects.exists())

    def test_expert_scores_on_the_sheet_page_and_may_revise_until_decided(self):
        s = self._open()
        self.login(self.expert)
        tasks = self.client.get(reverse("transfer_screening_tasks"))
        self.assertContains(tasks, "高精度光栅尺")
        self.assertContains(tasks, "待评分")
        url = reverse("transfer_screening_sheet", args=[s.pk])
        self.assertContains(self.client.get(url), "技术先进性")
        data = {f"score_{k}": v for k, v in SHEET_A.items()} | {"comment": COMMENT}
        bad = data | {"score_market": "120", "comment": "短"}
        refused = self.client.post(url, bad)
        self.assertContains(refused, "“市场前景”的得分须在0到100分之间")
        self.assertFalse(ScreeningScore.objects.exists())
        response = self.client.post(url, data, follow=True)
        self.assertContains(response, "加权得分 79.00 分")
        revised = {f"score_{k}": v for k, v in SHEET_B.items()} | {"comment": COMMENT}
        self.client.post(url, revised)
        self.assertEqual(ScreeningScore.objects.get().total, Decimal("89.80"))
        self.assertContains(self.client.get(reverse("transfer_screening_tasks")), "89.80")

    def test_detail_decision_needs_reasons_then_frozen(self):
        s = self._open()
        url = reverse("transfer_screening", args=[s.pk])
        self.login(self.city_admin)
        self.assertContains(self.client.get(url), "还没有专家提交评分")
        screening.submit_sheet(self.expert, s, SHEET_A, COMMENT)
        screening.submit_sheet(self.b.user, s, SHEET_B, COMMENT)
        page = self.client.get(url)
        self.assertContains(page, "84.40")
        self.assertContains(page, "B级（良好）")
        self.assertContains(page, "89.80")
        no_reason = self.client.post(
            url, {"action": "decide", "decision": "selected", "reasons": ""}
        )
        self.assertContains(no_reason, "请填写结论理由")
        s.refresh_from_db()
        self.assertEqual(s.decision, ScreeningDecision.PENDING)
        self.client.post(
            url, {"action": "decide", "decision": "selected", "reasons": "技术先进，市场前景好。"}
        )
        s.refresh_from_db()
        self.assertEqual(s.decision, ScreeningDecision.SELECTED)
        page = self.client.get(url)
        self.assertNotContains(page, 'name="action" value="decide"')
        # The expert can no longer rescore: the page says so and a POST changes nothing.
        self.login(self.expert)
        sheet = reverse("transfer_screening_sheet", args=[s.pk])
        self.assertContains(self.client.get(sheet), "评分不能再修改")
        data = {f"score_{k}": 0 for k in SHEET_A} | {"comment": COMMENT}
        self.client.post(sheet, data)
        self.assertEqual(ScreeningScore.objects.get(expert=self.a).total, Decimal("79.00"))
        # The owner sees the result on the achievement page.
        self.login(self.enterprise)
        self.assertContains(
            self.client.get(reverse("transfer_achievement", args=[self.achievement.pk])),
            "技术先进，市场前景好。",
        )

    def test_below_the_selection_grade_warns(self):
        s = self._open()
        screening.submit_sheet(self.expert, s, dict.fromkeys(SHEET_A, 62), COMMENT)
        self.login(self.city_admin)
        page = self.client.get(reverse("transfer_screening", args=[s.pk]))
        self.assertContains(page, "低于入选要求（B级及以上）")

    def test_experts_can_be_changed_on_the_detail_page(self):
        s = self._open([self.a])
        self.login(self.city_admin)
        url = reverse("transfer_screening", args=[s.pk])
        self.client.post(url, {"action": "experts", "experts": [self.a.pk, self.b.pk]})
        self.assertEqual(set(s.experts.all()), {self.a, self.b})

    def test_list_filters_and_exports(self):
        s = self._open()
        screening.submit_sheet(self.expert, s, SHEET_A, COMMENT)
        other = AchievementFactory(owner=self.university, title="低温等离子体灭菌")
        screening.open_screening(self.city_admin, other, "2027年第1季度", [self.b])
        self.login(self.city_admin)
        url = reverse("transfer_screenings")
        listed = self.client.get(url)
        self.assertContains(listed, "高精度光栅尺")
        self.assertContains(listed, "低温等离子体灭菌")
        filtered = self.client.get(url, {"round": "2027年第1季度"})
        self.assertNotContains(filtered, "高精度光栅尺")
        self.assertContains(filtered, "低温等离子体灭菌")
        xlsx = self.client.get(url, {"round": "2026年第4季度", "export": "xlsx"})
        self.assertEqual(xlsx.status_code, 200)
        self.assertIn("spreadsheetml", xlsx["Content-Type"])
        csv = b"".join(self.client.get(url, {"export": "csv"}).streaming_content).decode()
        self.assertIn("高精度光栅尺", csv)
        self.assertIn("79.00", csv)
        self.assertIn("评价中", csv)

    def test_per_role_access(self):
        s = self._open([self.b])
        bureau_pages = [
            reverse("transfer_screenings"),
            reverse("transfer_screening_create"),
            reverse("transfer_screening", args=[s.pk]),
        ]
        sheet = reverse("transfer_screening_sheet", args=[s.pk])
        for user in (self.enterprise, self.institute, self.district_admin, self.public):
            self.login(user)
            for url in bureau_pages + [sheet]:
                self.assertEqual(self.client.get(url).status_code, 403, (user.username, url))
        self.login(self.expert)  # an expert, but not on this panel
        self.assertEqual(self.client.get(sheet).status_code, 403)
        self.assertEqual(self.client.get(bureau_pages[2]).status_code, 403)
        self.assertNotContains(self.client.get(reverse("transfer_screening_tasks")), "高精度光栅尺")
        self.login(self.enterprise)  # no expert profile: no tasks page
        self.assertEqual(self.client.get(reverse("transfer_screening_tasks")).status_code, 403)
        self.login(self.b.user)
        self.assertEqual(self.client.get(sheet).status_code, 200)
        self.client.logout()
        self.assertEqual(self.client.get(bureau_pages[0]).status_code, 302)


class AchievementPanelTests(PersonaTestCase):
    def test_the_resource_library_page_can_carry_the_transfer_panel(self):
        from resources.services import hooks
        from transfer.views.screening import register_achievement_panel

        panels = hooks.detail_panels.setdefault("achievements", [])
        # Registered at start-up; registering again adds nothing.
        self.assertEqual(sum(getattr(p, "transfer_panel", False) for p in panels), 1)
        register_achievement_panel()
        self.assertEqual(sum(getattr(p, "transfer_panel", False) for p in panels), 1)
        item = AchievementFactory(owner=self.enterprise_org)
        page = self.client.get(reverse("resource_detail", args=["achievements", item.pk]))
        self.assertContains(page, reverse("transfer_achievement_panel", args=[item.pk]))
        panel = self.client.get(reverse("transfer_achievement_panel", args=[item.pk]))
        self.assertContains(panel, reverse("transfer_achievement", args=[item.pk]))
