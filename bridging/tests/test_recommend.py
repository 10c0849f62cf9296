import io
import tempfile
from pathlib import Path
from unittest import skipUnless

from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.test import override_settings

from bridging.models import IndexChange, Match
from bridging.services import index, matches, recommend
from core.models import ChainNode, Organisation
from core.testing import PersonaTestCase
from kechuang.retrieval import Range
from resources.choices import RecordStatus
from resources.factories import AchievementFactory, DemandFactory
from resources.services import records


class RecommendationTests(PersonaTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        node = ChainNode.objects.get(name="新能源")
        cls.demand = DemandFactory(
            owner=cls.enterprise_org,
            title="寻求动力电池热管理技术",
            description="需要动力电池包热管理与液冷技术",
            keywords="动力电池，热管理",
        )
        cls.demand.chain_nodes.set([node])
        cls.battery = AchievementFactory(
            owner=cls.university,
            title="动力电池热管理系统",
            summary="动力电池包液冷热管理技术，温差小于3度。",
            trl=7,
        )
        cls.battery.chain_nodes.set([node])
        cls.corn = AchievementFactory(
            owner=cls.university, title="玉米耐密抗倒新品种", summary="玉米育种技术。", trl=8
        )
        cls.draft = AchievementFactory(
            owner=cls.university,
            title="动力电池热管理草稿",
            summary="动力电池热管理。",
            status=RecordStatus.DRAFT,
        )

    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.override = override_settings(INDEX_DIR=self.tmp.name)
        self.override.enable()
        index._engine = None
        index.rebuild()

    def tearDown(self):
        index._engine = None
        self.override.disable()
        self.tmp.cleanup()

    def test_demand_gets_the_fitting_achievement_first_with_reasons(self):
        sections = recommend.for_demand(self.demand)
        titles = [r.obj.title for r in sections["achievement"]]
        self.assertEqual(titles[0], "动力电池热管理系统")
        self.assertNotIn("动力电池热管理草稿", titles)
        why = sections["achievement"][0].explanation
        self.assertIn("共同关键词", why)
        self.assertIn("动力电池", why)
        self.assertNotIn("状态", why)
        self.assertIn("同属产业链节点：汽车·新能源", why)
        self.assertEqual(sections["institute"][0].obj, self.university)

    def test_filters_apply_before_truncation(self):
        sections = recommend.for_demand(
            self.demand, filters={"region": "南关区", "trl": Range(8, 9)}
        )
        self.assertEqual([r.obj.title for r in sections["achievement"]], ["玉米耐密抗倒新品种"])

    def test_declined_pair_is_not_recommended_again(self):
        match = matches.create_match(self.broker, self.demand, self.battery)
        matches.give_feedback(self.institute, match, "declined")
        titles = [r.obj.title for r in recommend.for_demand(self.demand)["achievement"]]
        self.assertNotIn("动力电池热管理系统", titles)
        self.assertNotIn(
            self.demand, [r.obj for r in recommend.for_achievement(self.battery)["demand"]]
        )

    def test_achievement_page_lists_demands_and_enterprises(self):
        sections = recommend.for_achievement(self.battery)
        self.assertEqual(sections["demand"][0].obj, self.demand)
        self.assertIn(self.enterprise_org, [r.obj for r in sections["enterprise"]])

    def publish_cooling_plate(self):
        record = records.create_record(
            self.institute,
            type(self.battery),
            {"title": "动力电池液冷板", "summary": "动力电池包热管理液冷板。", "trl": 6},
        )
        records.submit_record(self.institute, record)
        with self.captureOnCommitCallbacks(execute=True):
            records.approve_record(self.city_admin, record)
        return record

    def test_publishing_updates_the_index_after_commit(self):
        record = self.publish_cooling_plate()
        self.assertIn(f"achievement:{record.pk}", index.engine())
        with self.captureOnCommitCallbacks(execute=True):
            records.archive_record(self.institute, record)
        self.assertNotIn(f"achievement:{record.pk}", index.engine())

    def test_a_records_recommendations_are_ranked_once_per_index_generation(self):
        from unittest import mock

        from django.core.cache import cache

        from kechuang.retrieval import Engine

        cache.clear()
        url = f"/bridging/recommend/demands/{self.demand.pk}/"
        self.login(self.broker)
        with (
            override_settings(SEARCH_CACHE_SECONDS=300),
            mock.patch.object(
                Engine, "similar", autospec=True, side_effect=Engine.similar
            ) as ranked,
        ):
            self.assertContains(self.client.get(url), "动力电池热管理系统")
            self.assertEqual(ranked.call_count, 2)  # achievements and experts
            self.assertContains(self.client.get(url), "动力电池热管理系统")
            self.assertEqual(ranked.call_count, 2)
            self.publish_cooling_plate()
            self.assertContains(self.client.get(url), "动力电池液冷板")
            self.assertEqual(ranked.call_count, 4)
        cache.clear()

    def test_changes_queued_together_are_applied_in_one_index_write(self):
        fresh = [
            AchievementFactory(owner=self.university, title=f"氢燃料电池双极板{i}", trl=5)
            for i in range(3)
        ]
        Achievement = type(self.battery)
        Achievement.objects.filter(pk=self.corn.pk).update(status=RecordStatus.ARCHIVED)
        for record in [*fresh, self.corn, fresh[0]]:
            IndexChange.objects.create(label="resources.achievement", object_id=record.pk)
        before = index.engine().generation

        self.assertEqual(index.flush(), 5)

        current = index.engine()
        self.assertEqual(current.generation, before + 1)
        for record in fresh:
            self.assertIn(f"achievement:{record.pk}", current)
        self.assertNotIn(f"achievement:{self.corn.pk}", current)
        self.assertFalse(IndexChange.objects.exists())
        self.assertEqual(index.flush(), 0)
        self.assertEqual(index.engine().generation, before + 1)

    def test_panel_on_the_demand_page_offers_a_match_to_a_broker(self):
        self.login(self.broker)
        page = self.client.get(f"/resources/demands/{self.demand.pk}/")
        self.assertContains(page, f"/bridging/recommend/demands/{self.demand.pk}/")
        panel = self.client.get(f"/bridging/recommend/demands/{self.demand.pk}/")
        self.assertContains(panel, "动力电池热管理系统")
        self.assertContains(panel, "发起对接")
        self.client.post(
            "/bridging/matches/new/",
            {"demand": self.demand.pk, "kind": "achievement", "target": self.battery.pk},
        )
        self.assertEqual(Match.objects.get().achievement, self.battery)

    def test_public_sees_recommendations_without_match_buttons(self):
        panel = self.client.get(f"/bridging/recommend/demands/{self.demand.pk}/")
        self.assertContains(panel, "动力电池热管理系统")
        self.assertNotContains(panel, "发起对接")

    def test_draft_has_no_panel(self):
        self.assertEqual(
            self.client.get(f"/bridging/recommend/achievements/{self.draft.pk}/").status_code, 404
        )

    def test_index_job_from_the_jobs_page(self):
        from core.models import Job

        self.login(self.city_admin)
        self.assertContains(self.client.get("/jobs/"), "建立推荐索引")
        with self.captureOnCommitCallbacks(execute=True):
            self.client.post("/jobs/start/bridging.index/")
        self.assertEqual(Job.objects.get().status, "succeeded")
        self.login(self.enterprise)
        self.assertEqual(self.client.post("/jobs/start/bridging.index/").status_code, 403)

    def test_no_index_yet_says_so(self):
        index._engine = None
        with override_settings(INDEX_DIR=self.tmp.name + "/none"):
            panel = self.client.get(f"/bridging/recommend/demands/{self.demand.pk}/")
        self.assertContains(panel, "推荐索引尚未建立")
        self.assertTrue(Organisation.objects.exists())

    def test_after_the_words_setting_changes_the_panel_asks_for_a_rebuild(self):
        elsewhere = "index" if settings.MATCH_LEXICAL == "postgresql" else "postgresql"
        self.login(self.broker)
        with override_settings(MATCH_LEXICAL=elsewhere), self.assertLogs(index.log, "WARNING"):
            index._engine = None
            panel = self.client.get(f"/bridging/recommend/demands/{self.demand.pk}/")
        self.assertContains(panel, "推荐索引尚未建立")
        self.assertNotContains(panel, "动力电池热管理系统")

    def test_the_rebuild_command_says_how_many_records_and_where_their_words_are(self):
        out = io.StringIO()
        call_command("build_index", stdout=out, stderr=io.StringIO())
        where = (
            "PostgreSQL" if settings.MATCH_LEXICAL == "postgresql" else "词语和向量均存于索引目录"
        )
        self.assertIn(f"推荐索引已建立，共 {len(index.engine())} 条记录", out.getvalue())
        self.assertIn(where, out.getvalue())


@skipUnless(connection.vendor == "postgresql", "the words go to PostgreSQL only on PostgreSQL")
class RecommendationsWithWordsInPostgreSQLTests(RecommendationTests):
    """Every recommendation above, with the engine's words kept in the database."""

    def setUp(self):
        self.words = override_settings(MATCH_LEXICAL="postgresql")
        self.words.enable()
        super().setUp()

    def tearDown(self):
        super().tearDown()
        self.words.disable()

    def test_the_words_are_in_the_database_and_not_in_the_index(self):
        current = index.engine()
        self.assertIsNotNone(current.lexical_store)
        self.assertFalse(any(Path(self.tmp.name).glob("gen-*/bm25")))
        self.assertEqual(index.lexical_store().totals()[0], len(current))
        self.publish_cooling_plate()
        self.assertEqual(index.lexical_store().totals()[0], len(index.engine()))
