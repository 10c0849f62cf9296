from decimal import Decimal

from core.choices import Role
from core.exceptions import InvalidTransition, NotAllowed
from core.factories import MembershipFactory, OrganisationFactory
from core.models import Notification
from integrity.factories import PersonRecordFactory
from programs.choices import ApplicationStatus, AssignmentStatus, RecusalReason
from programs.exceptions import PanelError
from programs.models import Recusal, ReviewAssignment
from programs.services import applications as applications_service
from programs.services import review
from resources.factories import ExpertFactory

from .base import ProgramTestCase

A = AssignmentStatus
SHEET = {"innovation": 25, "feasibility": 20, "team": 12, "benefit": 15, "budget": 8}  # 80


class ReviewTests(ProgramTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.call.reviewers_per_application = 3
        cls.call.alternates = 2
        cls.call.probability_cap = Decimal("0.8")
        cls.call.save()
        # The expert persona works at the university, which co-applies below.
        cls.persona_expert = ExpertFactory(
            owner=cls.university, user=cls.expert, title="刘专家", keywords="半导体激光器，封装"
        )
        cls.colleague = ExpertFactory(owner=cls.enterprise_org, title="同单位专家")
        cls.related = ExpertFactory(
            owner=OrganisationFactory(name="长春光机所"),
            title="有关系的专家",
            relations=[{"kind": "student", "name": "王研究", "organisation": "某大学"}],
        )
        cls.others = []
        for i in range(8):
            org = OrganisationFactory(name=f"评审专家单位{i}")
            user = MembershipFactory(
                user__username=f"reviewer{i}", organisation=org, role=Role.EXPERT
            ).user
            cls.others.append(
                ExpertFactory(owner=org, user=user, title=f"评审专家{i}", keywords="激光器，光电")
            )

    def setUp(self):
        self.application = self.confirmed(co_organisations=[self.university])
        applications_service.accept_application(self.city_admin, self.application)
        self.result = review.build_panel(self.city_admin, self.call)
        self.application.refresh_from_db()

    def panel(self, status=A.INVITED):
        return list(self.application.assignments.filter(status=status))

    def test_the_panel_has_the_right_size_one_expert_per_organisation_and_alternates(self):
        invited = self.panel()
        self.assertEqual(len(invited), 3)
        self.assertEqual(len({a.expert.owner_id for a in invited}), 3)
        self.assertEqual(len(self.panel(A.ALTERNATE)), 2)
        self.assertEqual(self.application.status, ApplicationStatus.IN_REVIEW)
        for assignment in invited:
            self.assertIn("匹配度", assignment.reason)
            self.assertTrue(
                Notification.objects.filter(
                    user=assignment.expert.user, title__contains="评审邀请"
                ).exists()
            )

    def test_recused_experts_are_never_chosen_and_admins_see_why(self):
        reasons = {
            (r.expert_id, r.reason) for r in Recusal.objects.filter(application=self.application)
        }
        self.assertIn((self.colleague.pk, RecusalReason.SAME_ORGANISATION), reasons)
        self.assertIn((self.persona_expert.pk, RecusalReason.CO_APPLICANT), reasons)
        self.assertIn((self.related.pk, RecusalReason.DECLARED_RELATION), reasons)
        chosen = set(self.application.assignments.values_list("expert_id", flat=True))
        self.assertFalse(chosen & {self.colleague.pk, self.persona_expert.pk, self.related.pk})

    def test_an_expert_cannot_open_an_application_they_are_recused_from(self):
        # Even an assignment made by hand cannot get round the recusal.
        forced = ReviewAssignment.objects.create(
            application=self.application,
            expert=self.persona_expert,
            status=A.ACCEPTED,
            affinity=0.9,
        )
        with self.assertRaisesMessage(NotAllowed, "您已回避该项目的评审"):
            review.open_application_as_expert(self.expert, forced.pk)
        self.assertNotIn(forced, review.assignments_for_expert(self.expert))

    def test_a_decline_calls_the_first_alternate(self):
        first = self.panel()[0]
        alternate = self.application.assignments.get(alternate_rank=1)
        review.respond(first.expert.user, first, accept=False, reason="时间冲突")
        alternate.refresh_from_db()
        self.assertEqual(alternate.status, A.INVITED)
        self.assertEqual(len(self.panel()), 3)

    def test_declaring_a_conflict_records_a_recusal_and_closes_the_application(self):
        first = self.panel()[0]
        review.respond(
            first.expert.user, first, accept=False, reason="与负责人曾有合作", conflict=True
        )
        self.assertTrue(
            Recusal.objects.filter(expert=first.expert, reason=RecusalReason.SELF_DECLARED).exists()
        )
        with self.assertRaises(NotAllowed):
            review.get_assignment_for_expert(first.expert.user, first.pk)

    def test_only_an_accepting_expert_reads_the_whole_application(self):
        first = self.panel()[0]
        with self.assertRaisesMessage(NotAllowed, "请先接受评审邀请"):
            review.open_application_as_expert(first.expert.user, first.pk)
        someone_else = next(e for e in self.others if e != first.expert).user
        with self.assertRaises(NotAllowed):
            review.open_application_as_expert(someone_else, first.pk)
        review.respond(first.expert.user, first, accept=True)
        self.assertEqual(review.open_application_as_expert(first.expert.user, first.pk), first)

    def test_scores_stay_hidden_until_the_reviewer_submits_and_then_aggregate(self):
        panel = self.panel()
        for assignment in panel:
            review.respond(assignment.expert.user, assignment, accept=True)
        first, *rest = panel
        with self.assertRaisesMessage(NotAllowed, "提交本人评分后才能查看"):
            review.others_scores(first.expert.user, first)
        with self.assertRaisesMessage(InvalidTransition, "“创新性与先进性”的得分须在0到30分之间"):
            review.submit_scores(
                first.expert.user, first, {**SHEET, "innovation": 31}, "创新性突出，方案可行。"
            )
        review.submit_scores(first.expert.user, first, SHEET, "创新性突出，方案可行，团队扎实。")
        self.assertEqual(review.others_scores(first.expert.user, first), [])
        low = {"innovation": 10, "feasibility": 10, "team": 5, "benefit": 10, "budget": 5}
        high = {"innovation": 30, "feasibility": 25, "team": 12, "benefit": 15, "budget": 8}
        for assignment, sheet in zip(rest, (low, high), strict=True):
            review.submit_scores(
                assignment.expert.user, assignment, sheet, "意见：方案基本可行，建议支持。"
            )
        self.application.refresh_from_db()
        self.assertEqual(self.application.status, ApplicationStatus.REVIEWED)
        self.assertEqual(self.application.review_score, Decimal("70.00"))  # (80 + 40 + 90) / 3
        self.assertEqual(self.application.review_spread, Decimal("50.0"))
        self.assertTrue(self.application.review_flagged)
        seen = review.others_scores(first.expert.user, first)
        self.assertEqual([s["label"] for s in seen], ["专家A", "专家B"])

    def test_an_expert_barred_from_reviewing_is_left_out_of_the_pool(self):
        barred = self.others[0]
        record = PersonRecordFactory(activities=["review"], person_name=barred.title)
        barred.user.id_number = record.person_id_number  # matched by 公民身份号码
        barred.user.save()
        PersonRecordFactory(activities=["apply"], person_name="另一人")  # bars applying only
        pool = review.expert_pool()
        self.assertNotIn(barred, pool)
        self.assertIn(self.others[1], pool)

    def test_the_panel_is_built_once(self):
        with self.assertRaises(PanelError):
            review.build_panel(self.city_admin, self.call)

    def test_a_district_admin_cannot_build_a_city_calls_panel(self):
        with self.assertRaises(NotAllowed):
            review.build_panel(self.district_admin, self.call)

    def test_trimmed_mean_drops_the_extremes_from_five_scores(self):
        scores = [Decimal(x) for x in ("60", "70", "75", "80", "99")]
        self.assertEqual(review.trimmed_mean(scores), Decimal("75.00"))
        self.assertEqual(review.trimmed_mean(scores[:3]), Decimal("68.33"))
