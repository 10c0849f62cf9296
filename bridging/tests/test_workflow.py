import datetime

from django.core.exceptions import ValidationError
from django.utils import timezone

from bridging.choices import MatchStatus
from bridging.models import Match
from bridging.services import matches
from bridging.services.funnel import funnel
from core.exceptions import InvalidTransition, NotAllowed
from core.models import AuditEntry, IndustryChain, Notification
from core.testing import PersonaTestCase
from resources.choices import RecordStatus
from resources.factories import AchievementFactory, DemandFactory


class MatchWorkflowTests(PersonaTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.demand = DemandFactory(owner=cls.enterprise_org, title="寻求激光器散热技术合作")
        cls.demand.chain_nodes.set(IndustryChain.objects.get(name="光电信息").nodes.all()[:1])
        cls.achievement = AchievementFactory(
            owner=cls.university, title="高功率半导体激光器封装技术"
        )

    def new_match(self, actor=None):
        return matches.create_match(
            actor or self.broker,
            self.demand,
            self.achievement,
            score=0.8,
            explanation="共同关键词：激光器",
        )

    def test_broker_works_a_match_through_to_signing(self):
        match = self.new_match()
        self.assertEqual((match.status, match.broker), (MatchStatus.RECOMMENDED, self.broker))
        for expected in (MatchStatus.CONTACTED, MatchStatus.NEGOTIATING):
            match = matches.advance(self.broker, match, note="电话沟通")
            self.assertEqual(match.status, expected)
        match = matches.advance(self.broker, match, contract_amount=120)
        self.assertEqual((match.status, match.contract_amount), (MatchStatus.SIGNED, 120))
        self.assertIsNotNone(match.closed_at)
        with self.assertRaises(InvalidTransition):
            matches.advance(self.broker, match)
        statuses = [
            e.changes["status"]
            for e in AuditEntry.objects.filter(action="transition").order_by("id")
        ]
        self.assertEqual(statuses[-1], ["洽谈中", "已签约"])

    def test_failure_needs_a_structured_reason(self):
        match = self.new_match()
        with self.assertRaises(ValidationError):
            matches.fail(self.broker, match, "")
        with self.assertRaisesMessage(ValidationError, "原因为“其他”时请写明具体情况"):
            matches.fail(self.broker, match, "other", " ")
        match = matches.fail(self.broker, match, "price", "报价差距较大")
        self.assertEqual(
            (match.status, match.failed_from), (MatchStatus.FAILED, MatchStatus.RECOMMENDED)
        )

    def test_declined_pairs_are_not_recommended_again(self):
        match = self.new_match()
        self.login(self.enterprise)
        self.client.post(f"/bridging/matches/{match.pk}/feedback/", {"feedback": "declined"})
        match.refresh_from_db()
        self.assertEqual(match.demand_feedback, "declined")
        self.assertIn(self.achievement.pk, matches.declined_supply_ids(self.demand)["achievement"])
        self.assertTrue(
            Notification.objects.filter(user=self.broker, title__contains="不合适").exists()
        )

    def test_same_pair_twice_is_refused(self):
        self.new_match()
        with self.assertRaisesMessage(InvalidTransition, "已存在"):
            self.new_match(self.city_admin)

    def test_who_may_start_and_see_a_match(self):
        with self.assertRaises(NotAllowed):
            self.new_match(self.other_enterprise)
        match = self.new_match(self.enterprise)  # the demand's owner may start one
        for user, visible in (
            (self.enterprise, True),
            (self.institute, True),
            (self.other_enterprise, False),
            (self.city_admin, True),
            (self.district_admin, True),
            (self.public, False),
        ):
            self.login(user)
            code = self.client.get(f"/bridging/matches/{match.pk}/").status_code
            self.assertEqual(code == 200, visible, user)

    def test_sides_cannot_move_the_match_but_the_broker_can(self):
        match = self.new_match()
        with self.assertRaises(NotAllowed):
            matches.advance(self.enterprise, match)
        with self.assertRaises(NotAllowed):
            matches.advance(self.institute, match)

    def test_unpublished_demand_cannot_be_matched(self):
        draft = DemandFactory(owner=self.enterprise_org, status=RecordStatus.DRAFT)
        with self.assertRaises(InvalidTransition):
            matches.create_match(self.broker, draft, self.achievement)

    def test_workbench_shows_overdue_next_steps_and_reminders_are_sent_once(self):
        match = self.new_match()
        matches.plan_next_step(self.broker, match, "约双方面谈", timezone.localdate())
        self.login(self.broker)
        page = self.client.get("/bridging/")
        self.assertContains(page, "到期提醒")
        self.assertContains(page, "约双方面谈")
        self.assertEqual(matches.due_reminders(), 1)
        self.assertEqual(matches.due_reminders(), 0)
        with self.assertRaises(ValidationError):
            matches.plan_next_step(
                self.broker, match, "过去", timezone.localdate() - datetime.timedelta(days=1)
            )

    def test_funnel_counts_each_stage_reached(self):
        signed = self.new_match()
        for _ in range(3):
            signed = matches.advance(self.broker, signed)
        other = AchievementFactory(owner=self.university, title="激光清洗技术")
        failed = matches.create_match(self.broker, self.demand, other)
        failed = matches.advance(self.broker, failed)
        matches.fail(self.broker, failed, "immature")
        data = funnel(Match.objects.all())
        chain = next(r for r in data["chains"] if r["label"] == "光电信息")
        self.assertEqual(chain["reached"], [2, 2, 1, 1])
        self.assertEqual((chain["failed"], chain["signed_rate"]), (1, 50.0))
        self.login(self.leader)
        self.assertContains(self.client.get("/bridging/funnel/"), "光电信息")
        self.login(self.enterprise)
        self.assertEqual(self.client.get("/bridging/funnel/").status_code, 403)

    def test_match_created_from_a_page_post(self):
        self.login(self.broker)
        response = self.client.post(
            "/bridging/matches/new/",
            {"demand": self.demand.pk, "kind": "achievement", "target": self.achievement.pk},
        )
        match = Match.objects.get()
        self.assertRedirects(response, f"/bridging/matches/{match.pk}/")
        self.assertContains(
            self.client.get(f"/bridging/matches/{match.pk}/"), "高功率半导体激光器封装技术"
        )


class MatchApiTests(PersonaTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.demand = DemandFactory(owner=cls.enterprise_org, title="寻求激光器散热技术合作")
        cls.achievement = AchievementFactory(
            owner=cls.university, title="高功率半导体激光器封装技术"
        )

    def test_broker_works_a_match_through_the_api(self):
        self.login(self.broker)
        created = self.client.post(
            "/api/matches/",
            {"demand": self.demand.pk, "supply_kind": "achievement", "target": self.achievement.pk},
            content_type="application/json",
        )
        self.assertEqual(created.status_code, 201, created.content)
        pk = created.json()["id"]
        self.assertEqual(
            self.client.post(f"/api/matches/{pk}/advance/", {}).json()["status"], "contacted"
        )
        bad = self.client.post(
            f"/api/matches/{pk}/fail/", {"failure_reason": "other", "failure_note": ""}
        )
        self.assertEqual(bad.status_code, 400)
        self.assertIn("原因为“其他”时请写明具体情况", bad.json()["message"])
        self.client.post(f"/api/matches/{pk}/notes/", {"text": "已电话联系双方"})
        self.assertEqual(
            self.client.get(f"/api/matches/{pk}/notes/").json()[0]["text"], "已电话联系双方"
        )
        done = self.client.post(f"/api/matches/{pk}/fail/", {"failure_reason": "price"})
        self.assertEqual(
            (done.json()["status"], done.json()["failure_reason"]), ("failed", "price")
        )

    def test_sides_see_and_give_feedback_outsiders_do_not_see(self):
        match = matches.create_match(self.broker, self.demand, self.achievement)
        self.login(self.institute)
        self.assertEqual(
            self.client.post(f"/api/matches/{match.pk}/feedback/", {"feedback": "accepted"}).json()[
                "supply_feedback"
            ],
            "accepted",
        )
        self.assertEqual(self.client.post(f"/api/matches/{match.pk}/advance/", {}).status_code, 403)
        self.login(self.other_enterprise)
        self.assertEqual(self.client.get(f"/api/matches/{match.pk}/").status_code, 404)
        self.assertEqual(self.client.get("/api/matches/").json()["count"], 0)
