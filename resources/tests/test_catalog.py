import io

from django.http import QueryDict
from openpyxl import load_workbook

from core.testing import PersonaTestCase
from resources.choices import RecordStatus
from resources.factories import AchievementFactory, DemandFactory
from resources.filtersets import filterset_for
from resources.models import Achievement
from resources.search import query_groups, segment


class SegmentationTests(PersonaTestCase):
    def test_chinese_is_cut_into_words_and_sub_words(self):
        words = segment("一种高能量密度锂离子电池正极材料的制备方法")
        for w in ("锂离子", "电池", "正极", "材料", "制备"):
            self.assertIn(w, words)
        self.assertNotIn("的", words)

    def test_query_words_bring_their_sub_words_as_alternatives(self):
        self.assertEqual(query_groups("锂电池"), [["锂电池", "锂电", "电池"]])


class CatalogTests(PersonaTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.laser = AchievementFactory(
            owner=cls.university, title="高功率半导体激光器封装技术", trl=7, asking_price=80
        )
        cls.battery = AchievementFactory(
            owner=cls.enterprise_org,
            title="退役动力电池梯次利用技术",
            summary="锂离子电池健康状态快速评估。",
            trl=5,
        )
        cls.draft = AchievementFactory(
            owner=cls.university, title="未发布的激光器草稿", status=RecordStatus.DRAFT
        )

    def test_chinese_query_finds_the_matching_record_only(self):
        response = self.client.get("/resources/achievements/", {"q": "激光器"})
        self.assertContains(response, "高功率半导体激光器封装技术")
        self.assertNotContains(response, "退役动力电池")
        self.assertNotContains(response, "未发布的激光器草稿")

    def test_query_word_found_inside_a_longer_word(self):
        response = self.client.get("/resources/achievements/", {"q": "电池"})
        self.assertContains(response, "退役动力电池梯次利用技术")

    def test_facets_combine_with_the_query(self):
        response = self.client.get("/resources/achievements/", {"q": "技术", "region": "220173"})
        self.assertContains(response, "退役动力电池梯次利用技术")
        self.assertNotContains(response, "高功率半导体激光器封装技术")
        response = self.client.get("/resources/achievements/", {"trl": "7"})
        self.assertContains(response, "高功率半导体激光器封装技术")
        self.assertNotContains(response, "退役动力电池梯次利用技术")
        self.assertContains(
            self.client.get("/resources/achievements/", {"price_band": "50_200"}), "激光器"
        )

    def test_facet_counts_are_those_of_the_matching_records(self):
        from collections import Counter

        from resources.registry import KINDS
        from resources.views import _facet_counts

        AchievementFactory.create_batch(7, owner=self.university, trl=4)
        kind = KINDS["achievements"]
        matching = Achievement.objects.filter(status="published", trl__gte=4)
        counted = _facet_counts(matching, kind.facet_fields)
        for name in kind.facet_fields:
            column = kind.model._meta.get_field(name).attname
            expected = Counter(matching.values_list(column, flat=True))
            self.assertEqual(dict(counted[name]), dict(expected), name)
            self.assertEqual(
                [n for _v, n in counted[name]], sorted(expected.values(), reverse=True)
            )
        response = self.client.get("/resources/achievements/", {"trl": "4"})
        shown = {f["name"]: f["values"] for f in response.context["facets"]}
        self.assertEqual([(value, n) for value, _label, n in shown["trl"]], [(4, 7)])
        self.assertContains(response, '<span class="muted">7</span>', html=False)

    def test_no_result_state_suggests_what_to_do(self):
        response = self.client.get("/resources/achievements/", {"q": "量子引力波"})
        self.assertContains(response, "没有找到符合条件的记录")

    def test_api_uses_the_same_filters(self):
        body = self.client.get("/api/resources/achievements/", {"q": "激光器", "trl": "7"}).json()
        self.assertEqual([r["title"] for r in body["results"]], ["高功率半导体激光器封装技术"])
        bad = self.client.get("/api/resources/achievements/", {"trl": "12"})
        self.assertEqual(bad.status_code, 400)
        self.assertIn("trl", bad.json()["errors"])

    def test_export_of_the_filtered_list(self):
        response = self.client.get("/resources/achievements/", {"q": "电池", "export": "xlsx"})
        rows = list(load_workbook(io.BytesIO(response.content)).active.values)
        self.assertEqual(rows[0][0], "成果名称")
        self.assertEqual([r[0] for r in rows[1:]], ["退役动力电池梯次利用技术"])

    def test_every_kind_has_a_catalog_page(self):
        DemandFactory(owner=self.enterprise_org)
        for kind in ("achievements", "demands", "experts", "platforms", "instruments", "patents"):
            self.assertEqual(self.client.get(f"/resources/{kind}/").status_code, 200, kind)
        self.assertEqual(self.client.get("/resources/unknown/").status_code, 404)

    def test_logged_in_user_saves_the_search_as_a_subscription(self):
        self.login(self.enterprise)
        self.client.post(
            "/resources/achievements/subscribe/", {"name": "激光", "query": "q=激光器&page=2"}
        )
        sub = self.enterprise.subscriptions.get()
        self.assertEqual((sub.name, sub.query), ("激光", "q=激光器"))
        self.assertContains(self.client.get("/resources/subscriptions/"), "激光")

    def test_a_search_matching_very_many_lists_the_newest_ranked_and_exports_all(self):
        import datetime
        from unittest import mock

        from django.utils import timezone

        now = timezone.now()
        titles = [  # newest first
            "光纤传感网络",
            "光纤激光器与光纤放大器的光纤耦合",
            "光纤陀螺",
            "光纤光栅光纤光纤",  # the best match, but the oldest
        ]
        for age, title in enumerate(titles):
            record = AchievementFactory(owner=self.university, title=title)
            Achievement.objects.filter(pk=record.pk).update(
                published_at=now - datetime.timedelta(days=age + 1)
            )
        with mock.patch("resources.search.MAX_LISTED", 3):
            page = self.client.get("/resources/achievements/", {"q": "光纤"})
            listed = [r.title for r in page.context["page"]]
            self.assertEqual(listed[0], "光纤激光器与光纤放大器的光纤耦合")
            self.assertEqual(sorted(listed), sorted(titles[:3]))
            self.assertContains(page, "这里列出其中最新发布的 3 条")
            self.assertContains(page, "共 3 条")
            shown = {f["name"]: f["values"] for f in page.context["facets"]}
            self.assertEqual(sum(n for _v, _l, n in shown["trl"]), 3)
            newest = self.client.get("/resources/achievements/", {"q": "光纤", "sort": "newest"})
            self.assertEqual([r.title for r in newest.context["page"]], titles[:3])
            api = self.client.get("/api/resources/achievements/", {"q": "光纤"}).json()
            self.assertEqual(api["count"], 3)
            self.assertEqual(api["results"][0]["title"], "光纤激光器与光纤放大器的光纤耦合")
            exported = self.client.get("/resources/achievements/", {"q": "光纤", "export": "csv"})
            lines = b"".join(exported.streaming_content).decode("utf-8-sig").splitlines()[1:]
            self.assertEqual(sorted(line.split(",")[0] for line in lines), sorted(titles))
            few = self.client.get("/resources/achievements/", {"q": "陀螺"})
            self.assertNotContains(few, "这里列出其中最新发布的")
        from resources.registry import KINDS
        from resources.views import _facet_counts

        nothing = filterset_for(KINDS["achievements"])(
            QueryDict("q=量子引力波"), queryset=Achievement.objects.all()
        ).listing()
        self.assertEqual(len(nothing), 0)
        self.assertEqual(_facet_counts(nothing.queryset(), ("trl",)), {"trl": []})

    def test_a_repeated_search_is_answered_from_the_cache_until_a_record_is_published(self):
        from django.core.cache import cache
        from django.test import override_settings

        from resources.services import records

        cache.clear()
        with override_settings(SEARCH_CACHE_SECONDS=300):
            first = self.client.get("/resources/achievements/", {"q": "激光器"})
            self.assertContains(first, "共 1 条")
            self.assertContains(self.client.get("/resources/achievements/"), "共 2 条")
            # the page's rows, region names and five filter choice lists: no search, no counting
            with self.assertNumQueries(7) as seen:
                again = self.client.get("/resources/achievements/", {"q": "激光器"})
            self.assertContains(again, "高功率半导体激光器封装技术")
            self.assertFalse(any("rank" in q["sql"].lower() for q in seen.captured_queries))
            record = records.create_record(
                self.institute,
                Achievement,
                {"title": "光纤激光器熔接工艺", "summary": "光纤激光器的熔接工艺。", "trl": 6},
            )
            records.submit_record(self.institute, record)
            with self.captureOnCommitCallbacks(execute=True):
                records.approve_record(self.city_admin, record)
            after = self.client.get("/resources/achievements/", {"q": "激光器"})
            self.assertContains(after, "光纤激光器熔接工艺")
            self.assertContains(after, "共 2 条")
            self.assertContains(self.client.get("/resources/achievements/"), "共 3 条")
        cache.clear()

    def test_catalog_query_count_does_not_grow_with_rows(self):
        AchievementFactory.create_batch(30, owner=self.university)
        # the listed matches (on PostgreSQL: the newest, then their ranks), the facet counts
        # (one query on PostgreSQL, one per facet elsewhere), region names, five filter choice
        # lists, one page of rows
        from django.db import connection

        with self.assertNumQueries(10 if connection.vendor == "postgresql" else 11):
            self.client.get("/resources/achievements/", {"q": "激光器"})


class FacetTokenTests(PersonaTestCase):
    def test_facet_values_are_in_the_index_but_not_findable_as_words(self):
        from resources.search import facet_token

        record = AchievementFactory(owner=self.university, title="硅基光电子芯片", trl=6)
        self.assertIn(facet_token("region_id", record.region_id), record.search_tokens.split())
        self.assertIn(facet_token("trl", 6), record.search_tokens.split())
        self.assertNotContains(
            self.client.get("/resources/achievements/", {"q": "zzf"}), "硅基光电子芯片"
        )

    def test_query_with_facets_gives_the_same_as_sql_filters_alone(self):
        AchievementFactory(owner=self.university, title="硅基光电子芯片甲", trl=6)
        AchievementFactory(owner=self.enterprise_org, title="硅基光电子芯片乙", trl=6)
        AchievementFactory(owner=self.university, title="硅基光电子芯片丙", trl=4)
        body = self.client.get(
            "/api/resources/achievements/", {"q": "芯片", "region": "220102", "trl": "6"}
        ).json()
        self.assertEqual([r["title"] for r in body["results"]], ["硅基光电子芯片甲"])
