"""成果筛选评价 services: the TRL level from the answers (with a gap), evidence, who may assess
and confirm (recusal), the weighted score and grade on a worked example, the decision and
what it freezes."""

from decimal import Decimal

from django.core.exceptions import ValidationError

from core.exceptions import InvalidTransition, NotAllowed, ServiceError
from core.models import AuditEntry
from core.testing import PersonaTestCase
from resources.choices import RecordStatus
from resources.factories import AchievementFactory, ExpertFactory
from transfer.choices import ScreeningDecision
from transfer.factories_screening import COMMENT, SHEET_A, SHEET_B, answers, expert_with_account
from transfer.models import Screening, ScreeningScore, TrlAssessment
from transfer.services import screening, trl


class TrlLevelTests(PersonaTestCase):
    def test_level_is_the_highest_level_with_every_lower_level_met(self):
        self.assertEqual(trl.level_of(answers(range(1, 7))).level, 6)
        self.assertEqual(trl.level_of(answers(range(1, 10))).level, 9)
        self.assertIsNone(trl.level_of(answers(set())).level)

    def test_a_met_level_above_a_gap_is_ignored_and_said_so(self):
        # 1–4 met, 5 not, 6 and 7 "met": the level is 4; 6 and 7 do not count.
        outcome = trl.level_of(answers({1, 2, 3, 4, 6, 7}))
        self.assertEqual(outcome.level, 4)
        self.assertEqual(outcome.ignored, [6, 7])
        note = trl.gap_note(answers({1, 2, 3, 4, 6, 7}))
        self.assertIn("第6、7级", note)
        self.assertIn("第5级未达到", note)
        # Level 1 not met: nothing counts.
        self.assertEqual(trl.level_of(answers({2, 3})), trl.Outcome(None, [2, 3]))

    def test_the_scale_is_data_and_not_yet_confirmed(self):
        self.assertEqual([lv["level"] for lv in trl.levels()], list(range(1, 10)))
        self.assertFalse(trl.scale_confirmed())


class SelfAssessmentTests(PersonaTestCase):
    def setUp(self):
        self.achievement = AchievementFactory(owner=self.enterprise_org, trl=5)

    def test_owner_member_assesses_and_each_assessment_is_kept(self):
        first = trl.self_assess(self.enterprise, self.achievement, answers(range(1, 5)))
        second = trl.self_assess(self.enterprise, self.achievement, answers({1, 2, 3, 4, 5, 6, 8}))
        self.assertEqual((first.level, second.level), (4, 6))
        self.assertEqual(self.achievement.trl_assessments.count(), 2)
        self.assertEqual(second.scale_version, trl.scale_version())
        self.assertTrue(
            AuditEntry.objects.filter(object_id=str(second.pk), note__contains="第8级").exists()
        )
        status = trl.trl_status(self.achievement)
        self.assertEqual((status.level, status.source), (6, "self"))

    def test_evidence_is_required_for_a_met_level_and_nothing_is_saved(self):
        given = answers(range(1, 5))
        given["3"]["evidence"] = "   "
        with self.assertRaises(ValidationError) as caught:
            trl.self_assess(self.enterprise, self.achievement, given)
        self.assertIn(
            "第3级选择“已达到”时须填写证据", caught.exception.message_dict["evidence_3"][0]
        )
        self.assertFalse(TrlAssessment.objects.exists())

    def test_every_level_must_be_answered(self):
        given = answers(range(1, 5))
        del given["7"]
        with self.assertRaises(ValidationError) as caught:
            trl.self_assess(self.enterprise, self.achievement, given)
        self.assertIn("请回答第7级是否达到", caught.exception.message_dict["met_7"][0])

    def test_another_organisation_may_not_assess_the_bureau_may(self):
        for outsider in (self.other_enterprise, self.institute, self.expert, self.public):
            with self.assertRaises(NotAllowed, msg=outsider.username):
                trl.self_assess(outsider, self.achievement, answers(range(1, 5)))
        made = trl.self_assess(self.city_admin, self.achievement, answers(range(1, 3)))
        self.assertEqual(made.level, 2)


class ConfirmationTests(PersonaTestCase):
    def setUp(self):
        self.achievement = AchievementFactory(owner=self.enterprise_org, trl=5)
        self.assessment = trl.self_assess(self.enterprise, self.achievement, answers(range(1, 6)))
        self.profile = ExpertFactory(owner=self.university, user=self.expert)

    def test_expert_confirms_and_the_confirmed_level_becomes_effective(self):
        done = trl.confirm(self.expert, self.assessment, 5)
        self.assertEqual(done.confirmed_level, 5)
        self.assertEqual(done.confirmed_by, self.expert)
        status = trl.trl_status(self.achievement)
        self.assertEqual((status.level, status.source), (5, "confirmed"))
        self.assertEqual(trl.confirmed_trl(self.achievement), 5)

    def test_a_correction_needs_a_reason_and_leaves_the_resource_record_alone(self):
        with self.assertRaises(ServiceError) as caught:
            trl.confirm(self.expert, self.assessment, 4, "")
        self.assertIn("须说明理由", caught.exception.message)
        self.assertIsNone(TrlAssessment.objects.get().confirmed_level)
        trl.confirm(self.expert, self.assessment, 4, "第5级的测试环境为实验室环境，不是相关环境。")
        self.assertEqual(trl.effective_trl(self.achievement), 4)
        self.achievement.refresh_from_db()
        self.assertEqual(self.achievement.trl, 5)  # Achievement.trl is the resource library's

    def test_expert_of_the_owning_organisation_must_recuse(self):
        own = AchievementFactory(owner=self.university)
        mine = trl.self_assess(self.institute, own, answers(range(1, 4)))
        with self.assertRaises(NotAllowed) as caught:
            trl.confirm(self.expert, mine, 3)
        self.assertIn("为同一单位", caught.exception.message)
        self.assertIn("应当回避", caught.exception.message)
        self.assertIsNone(TrlAssessment.objects.get(pk=mine.pk).confirmed_at)

    def test_expert_with_a_declared_relation_to_the_owner_must_recuse(self):
        self.profile.relations = [
            {"kind": "student", "name": "李企业", "organisation": "长春华锐光电科技有限公司"}
        ]
        self.profile.save()
        with self.assertRaises(NotAllowed) as caught:
            trl.confirm(self.expert, self.assessment, 5)
        self.assertIn("利益关系", caught.exception.message)

    def test_only_experts_and_the_bureau_confirm(self):
        for user in (self.enterprise, self.other_enterprise, self.institute, self.public):
            with self.assertRaises(NotAllowed, msg=user.username):
                trl.confirm(user, self.assessment, 5)
        trl.confirm(self.city_admin, self.assessment, 5)

    def test_confirmed_once_and_only_the_latest_assessment(self):
        newer = trl.self_assess(self.enterprise, self.achievement, answers(range(1, 7)))
        with self.assertRaises(InvalidTransition):
            trl.confirm(self.expert, self.assessment, 5)
        trl.confirm(self.expert, newer, 6)
        with self.assertRaises(InvalidTransition):
            trl.confirm(self.city_admin, newer, 6)


class WeightedScoreTests(PersonaTestCase):
    def test_worked_example(self):
        # Weights: 技术先进性 25, 技术成熟度 15, 知识产权 20, 市场前景 20, 转化条件 10, 团队 10.
        # Sheet A: 25×90/100 + 15×80/100 + 20×85/100 + 20×70/100 + 10×60/100 + 10×75/100
        #        = 22.5 + 12 + 17 + 14 + 6 + 7.5 = 79.00
        # Sheet B: 25×95/100 + 15×90/100 + 20×88/100 + 20×92/100 + 10×85/100 + 10×80.5/100
        #        = 23.75 + 13.5 + 17.6 + 18.4 + 8.5 + 8.05 = 89.80
        # Mean: (79.00 + 89.80) / 2 = 84.40 → grade B (A needs ≥ 85).
        self.assertEqual(screening.weighted_total(SHEET_A), Decimal("79.00"))
        self.assertEqual(screening.weighted_total(SHEET_B), Decimal("89.80"))
        score = screening.mean_score([SHEET_A, SHEET_B])
        self.assertEqual(score, Decimal("84.40"))
        self.assertEqual(screening.grade_for(score), "B")
        # A third sheet, all 60 but 技术先进性 60.5: 15.125 + 9 + 12 + 12 + 6 + 6 = 60.125.
        # Mean: (79 + 89.8 + 60.125) / 3 = 228.925 / 3 = 76.30833… → 76.31 → B.
        sheet_c = dict.fromkeys(SHEET_A, 60) | {"advancement": "60.5"}
        self.assertEqual(screening.mean_score([SHEET_A, SHEET_B, sheet_c]), Decimal("76.31"))

    def test_grade_bands(self):
        cases = {
            "85": "A",
            "84.99": "B",
            "70": "B",
            "69.99": "C",
            "60": "C",
            "59.99": "D",
            "0": "D",
        }
        for score, grade in cases.items():
            self.assertEqual(screening.grade_for(Decimal(score)), grade, score)

    def test_indicator_weights_sum_to_100(self):
        self.assertEqual(sum(i["weight"] for i in screening.indicators()), 100)
        self.assertEqual(screening.select_at_least(), "B")


class ScreeningTests(PersonaTestCase):
    def setUp(self):
        self.achievement = AchievementFactory(owner=self.enterprise_org)
        self.a = ExpertFactory(owner=self.university, user=self.expert)
        self.b = expert_with_account(self.agency, "expert_b")

    def _open(self, experts=None):
        return screening.open_screening(
            self.city_admin, self.achievement, "2026年第4季度", experts or [self.a, self.b]
        )

    def test_bureau_opens_experts_score_and_the_score_and_grade_follow(self):
        s = self._open()
        screening.submit_sheet(self.expert, s, SHEET_A, COMMENT)
        s.refresh_from_db()
        self.assertEqual((s.score, s.grade), (Decimal("79.00"), "B"))
        screening.submit_sheet(self.b.user, s, SHEET_B, COMMENT)
        s.refresh_from_db()
        self.assertEqual((s.score, s.grade), (Decimal("84.40"), "B"))
        self.assertEqual(
            sorted(ScreeningScore.objects.values_list("total", flat=True)),
            [Decimal("79.00"), Decimal("89.80")],
        )
        self.assertTrue(AuditEntry.objects.filter(object_id=str(s.pk), action="create").exists())

    def test_resubmission_replaces_the_expert_sheet(self):
        s = self._open()
        screening.submit_sheet(self.expert, s, SHEET_A, COMMENT)
        screening.submit_sheet(self.expert, s, SHEET_B, COMMENT)
        self.assertEqual(s.scores.count(), 1)
        s.refresh_from_db()
        self.assertEqual((s.score, s.grade), (Decimal("89.80"), "A"))

    def test_only_the_bureau_opens_and_decides(self):
        with self.assertRaises(NotAllowed):
            screening.open_screening(self.enterprise, self.achievement, "2026年第4季度", [])
        s = self._open()
        screening.submit_sheet(self.expert, s, SHEET_A, COMMENT)
        with self.assertRaises(NotAllowed):
            screening.decide(self.expert, s, ScreeningDecision.SELECTED, "好")

    def test_expert_of_the_owner_is_recused_when_opening(self):
        own = expert_with_account(self.enterprise_org, "expert_own")
        with self.assertRaises(ServiceError) as caught:
            self._open([self.a, own])
        self.assertIn("为同一单位", caught.exception.message)
        self.assertFalse(Screening.objects.exists())
        self.assertEqual(list(screening.recusals(self.achievement, [self.a, own])), [own.pk])

    def test_once_per_round_published_only_round_required(self):
        self._open()
        with self.assertRaises(InvalidTransition):
            self._open()
        draft = AchievementFactory(owner=self.enterprise_org, status=RecordStatus.DRAFT)
        with self.assertRaises(ServiceError) as caught:
            screening.open_screening(self.city_admin, draft, "2026年第4季度", [self.a])
        self.assertIn("尚未发布", caught.exception.message)
        with self.assertRaises(ServiceError) as caught:
            screening.open_screening(self.city_admin, self.achievement, "  ", [self.a])
        self.assertIn("请填写筛选批次", caught.exception.message)

    def test_bad_sheets_are_refused_with_every_problem_named(self):
        s = self._open()
        bad = dict(SHEET_A) | {"market": 101, "team": "80.25"}
        del bad["ip"]
        with self.assertRaises(ServiceError) as caught:
            screening.submit_sheet(self.expert, s, bad, "好")
        message = caught.exception.message
        self.assertIn("“知识产权”未评分", message)
        self.assertIn("“市场前景”的得分须在0到100分之间", message)
        self.assertIn("“团队”的得分最多保留一位小数", message)
        self.assertIn("评价意见不少于10个字", message)
        self.assertFalse(ScreeningScore.objects.exists())

    def test_an_expert_not_assigned_may_not_score(self):
        s = self._open([self.b])
        with self.assertRaises(NotAllowed):
            screening.submit_sheet(self.expert, s, SHEET_A, COMMENT)
        with self.assertRaises(NotAllowed):
            screening.submit_sheet(self.city_admin, s, SHEET_A, COMMENT)

    def test_decision_needs_reasons_and_a_sheet_and_freezes_the_screening(self):
        s = self._open()
        with self.assertRaises(InvalidTransition) as caught:
            screening.decide(self.city_admin, s, ScreeningDecision.SELECTED, "技术先进")
        self.assertIn("还没有专家提交评分", caught.exception.message)
        screening.submit_sheet(self.expert, s, SHEET_A, COMMENT)
        with self.assertRaises(ServiceError) as caught:
            screening.decide(self.city_admin, s, ScreeningDecision.SELECTED, "  ")
        self.assertIn("请填写结论理由", caught.exception.message)
        s.refresh_from_db()
        self.assertEqual(s.decision, ScreeningDecision.PENDING)

        screening.decide(self.city_admin, s, ScreeningDecision.SELECTED, "填补本市空白，建议入选。")
        s.refresh_from_db()
        self.assertEqual((s.decision, s.decided_by), (ScreeningDecision.SELECTED, self.city_admin))
        with self.assertRaises(InvalidTransition):
            screening.submit_sheet(self.expert, s, SHEET_B, COMMENT)  # no rescoring
        with self.assertRaises(InvalidTransition):
            screening.submit_sheet(self.b.user, s, SHEET_B, COMMENT)
        with self.assertRaises(InvalidTransition):
            screening.set_experts(self.city_admin, s, [self.a])
        with self.assertRaises(InvalidTransition):
            screening.decide(self.city_admin, s, ScreeningDecision.NOT_SELECTED, "改变主意")
        s.refresh_from_db()
        self.assertEqual((s.score, s.scores.count()), (Decimal("79.00"), 1))

    def test_selected_below_the_grade_is_flagged(self):
        s = self._open()
        low = dict.fromkeys(SHEET_A, 65)
        screening.submit_sheet(self.expert, s, low, COMMENT)
        s.refresh_from_db()
        self.assertEqual(s.grade, "C")
        self.assertTrue(screening.below_selection_grade(s))
        screening.decide(self.city_admin, s, ScreeningDecision.SELECTED, "本市急需，破格入选。")
        entry = AuditEntry.objects.filter(object_id=str(s.pk), note__contains="低于B级").first()
        self.assertIsNotNone(entry)

    def test_experts_with_a_sheet_stay_on_the_panel(self):
        s = self._open()
        screening.submit_sheet(self.expert, s, SHEET_A, COMMENT)
        with self.assertRaises(ServiceError) as caught:
            screening.set_experts(self.city_admin, s, [self.b])
        self.assertIn("已提交评分", caught.exception.message)
        c = expert_with_account(self.agency, "expert_c")
        screening.set_experts(self.city_admin, s, [self.a, c])
        self.assertEqual(set(s.experts.all()), {self.a, c})

    def test_selected_of_a_round_for_catalogs(self):
        other = AchievementFactory(owner=self.university)
        first = self._open()
        second = screening.open_screening(self.city_admin, other, "2026年第4季度", [self.b])
        elsewhere = screening.open_screening(self.city_admin, other, "2027年第1季度", [self.b])
        screening.submit_sheet(self.expert, first, SHEET_A, COMMENT)
        screening.submit_sheet(self.b.user, second, SHEET_B, COMMENT)
        screening.submit_sheet(self.b.user, elsewhere, SHEET_B, COMMENT)
        screening.decide(self.city_admin, first, ScreeningDecision.NOT_SELECTED, "市场前景一般。")
        screening.decide(self.city_admin, second, ScreeningDecision.SELECTED, "综合评价优秀。")
        screening.decide(self.city_admin, elsewhere, ScreeningDecision.SELECTED, "综合评价优秀。")
        self.assertEqual(list(screening.selected_in_round("2026年第4季度")), [second])
        self.assertEqual(screening.latest_selection(other), elsewhere)
        self.assertEqual(screening.rounds(), ["2027年第1季度", "2026年第4季度"])
