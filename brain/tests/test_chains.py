"""产业链导航: the counts on a small arranged example, each weak-node rule at its boundary,
who may open the pages, the graph data embedded in them and the partner suggestions."""

import datetime
import json
import re
from types import SimpleNamespace
from unittest import mock

from django.urls import reverse

from brain.services import chains
from bridging.choices import MatchStatus, SupplyKind
from bridging.models import Match
from core.choices import OrgType
from core.factories import OrganisationFactory
from core.models import ChainNode
from core.testing import PersonaTestCase
from cultivation.models import PoolMembership
from resources.choices import RecordStatus
from resources.factories import AchievementFactory, DemandFactory, ExpertFactory
from resources.models import Platform


def rule(metric, op, value, key="r"):
    return chains.Rule(key, "测试规则", metric, op, value)


def figures(**overrides):
    base = {
        "enterprises": 5,
        "achievements": 1,
        "experts": 1,
        "platforms": 1,
        "open_demands": 0,
        "unmatched_demands": 0,
        "signed_matches": 0,
        "tiers": {"hte": 1},
    }
    base.update(overrides)
    return base


class Arranged(PersonaTestCase):
    """光 (GD-02): three enterprises (one 高企, one 科技型中小企业, one in no pool; a fourth left
    the 高企 pool), a university's published achievement (and a draft one), an expert, a
    platform, and two open demands, one with a signed match and one without."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.node = ChainNode.objects.get(code="GD-02")
        cls.empty = ChainNode.objects.get(code="GD-01")
        cls.ents = [OrganisationFactory(name=f"光链企业{i}") for i in range(4)]
        for e in cls.ents:
            e.chain_nodes.add(cls.node)
        cls.university.chain_nodes.add(cls.node)  # not an enterprise: not counted
        day = datetime.date(2024, 1, 1)

        def pool(org, tier, exited=None):
            PoolMembership.objects.create(
                organisation=org,
                tier=tier,
                entered_on=day,
                entry_reason="测试",
                entered_by=cls.city_admin,
                exited_on=exited,
            )

        pool(cls.ents[0], "hte")
        pool(cls.ents[1], "sme_tech")
        pool(cls.ents[3], "hte", exited=datetime.date(2024, 6, 1))
        cls.achievement = AchievementFactory(owner=cls.university, title="光纤激光器")
        cls.achievement.chain_nodes.add(cls.node)
        draft = AchievementFactory(owner=cls.university, status=RecordStatus.DRAFT)
        draft.chain_nodes.add(cls.node)
        cls.expert_rec = ExpertFactory(owner=cls.university, title="王光学")
        cls.expert_rec.chain_nodes.add(cls.node)
        cls.platform = Platform.objects.create(
            owner=cls.university,
            region=cls.university.region,
            status=RecordStatus.PUBLISHED,
            title="激光技术重点实验室",
            type="key_lab",
            level="provincial",
        )
        cls.platform.chain_nodes.add(cls.node)
        cls.signed_demand = DemandFactory(owner=cls.ents[0], title="激光焊接需求")
        cls.open_demand = DemandFactory(owner=cls.ents[1], title="激光清洗需求")
        for d in (cls.signed_demand, cls.open_demand):
            d.chain_nodes.add(cls.node)
        cls.match = Match.objects.create(
            demand=cls.signed_demand,
            supply_kind=SupplyKind.ACHIEVEMENT,
            achievement=cls.achievement,
            status=MatchStatus.SIGNED,
        )
        Match.objects.create(  # an open match does not count as signed
            demand=cls.open_demand,
            supply_kind=SupplyKind.EXPERT,
            expert=cls.expert_rec,
            status=MatchStatus.NEGOTIATING,
        )


class CountsTests(Arranged):
    def test_node_figures(self):
        fig = chains.figures_by_node()[self.node.pk]
        self.assertEqual(fig["enterprises"], 4)
        self.assertEqual(fig["tiers"], {"hte": 1, "sme_tech": 1})
        self.assertEqual(fig["achievements"], 1)
        self.assertEqual(fig["experts"], 1)
        self.assertEqual(fig["platforms"], 1)
        self.assertEqual(fig["open_demands"], 2)
        self.assertEqual(fig["unmatched_demands"], 1)
        self.assertEqual(fig["signed_matches"], 1)

    def test_tier_rows_count_enterprises_in_no_pool(self):
        fig = chains.figures_by_node()[self.node.pk]
        rows = {r["key"]: r["count"] for r in chains.tier_rows(fig["tiers"], 4)}
        self.assertEqual(rows["hte"], 1)
        self.assertEqual(rows["sme_tech"], 1)
        self.assertEqual(rows["leader"], 0)
        self.assertEqual(rows[chains.NO_TIER], 2)

    def test_empty_node_is_weak_with_numbers(self):
        summary = chains.node_summary(self.empty, chains.figures_by_node()[self.empty.pk])
        keys = [f["key"] for f in summary["findings"]]
        self.assertEqual(keys, ["few_enterprises", "no_platform", "no_hte"])
        self.assertIn("本地企业 0，少于 3", summary["findings"][0]["reason"])

    def test_arranged_node_findings(self):
        summary = chains.node_summary(self.node, chains.figures_by_node()[self.node.pk])
        self.assertEqual([f["key"] for f in summary["findings"]], ["unmatched_demands"])
        self.assertIn("1", summary["findings"][0]["reason"])

    def test_node_lists(self):
        lists = chains.node_lists(self.node)
        groups = {g["key"]: [e.name for e in g["rows"]] for g in lists["tier_groups"]}
        self.assertEqual(groups["hte"], ["光链企业0"])
        self.assertEqual(groups[chains.NO_TIER], ["光链企业2", "光链企业3"])
        self.assertEqual([a.pk for a in lists["achievements"]], [self.achievement.pk])
        self.assertEqual([m.pk for m in lists["matches"]], [self.match.pk])
        signed = {d.title: d.signed for d in lists["demands"]}
        self.assertEqual(signed, {"激光焊接需求": 1, "激光清洗需求": 0})

    def test_overview_totals(self):
        found = {c["code"]: c for c in chains.overview()}
        self.assertEqual(set(found), {"GD", "QC", "SY", "NY", "SZ", "ZB", "CL"})
        self.assertEqual(found["GD"]["totals"]["enterprises"], 4)
        self.assertEqual(found["GD"]["weak_count"], 5)


class RuleBoundaryTests(PersonaTestCase):
    def test_few_enterprises(self):
        r = rule("enterprises", "lt", 3)
        self.assertIsNotNone(r.check(figures(enterprises=2)))
        self.assertIsNone(r.check(figures(enterprises=3)))

    def test_no_platform(self):
        r = rule("platforms", "lt", 1)
        self.assertIsNotNone(r.check(figures(platforms=0)))
        self.assertIsNone(r.check(figures(platforms=1)))

    def test_unmatched_demands(self):
        r = rule("unmatched_demands", "gte", 1)
        self.assertIsNotNone(r.check(figures(unmatched_demands=1)))
        self.assertIsNone(r.check(figures(unmatched_demands=0)))

    def test_no_hte(self):
        r = rule("tier:hte", "lt", 1)
        found = r.check(figures(tiers={"sme_tech": 4}))
        self.assertEqual(found["value"], 0)
        self.assertIn("高新技术企业在库企业 0", found["reason"])
        self.assertIsNone(r.check(figures(tiers={"hte": 1})))

    def test_rules_file(self):
        keys = {r.key: r for r in chains.rules()}
        self.assertEqual(
            set(keys), {"few_enterprises", "no_platform", "unmatched_demands", "no_hte"}
        )
        self.assertEqual(keys["few_enterprises"].describe(), "本地企业少于 3")

    def test_bad_rules_refused(self):
        with self.assertRaises(ValueError):
            chains.parse_rules(
                {"rules": [{"key": "x", "label": "x", "metric": "nope", "op": "lt", "value": 1}]}
            )
        with self.assertRaises(ValueError):
            chains.parse_rules(
                {"rules": [{"key": "x", "label": "x", "metric": "tier:zz", "op": "lt", "value": 1}]}
            )


class PageTests(Arranged):
    def urls(self):
        return [
            reverse("brain_chains"),
            reverse("brain_chain", args=["GD"]),
            reverse("brain_chain_node", args=["GD", "GD-02"]),
        ]

    def test_roles(self):
        for user in (self.leader, self.city_admin, self.district_admin):
            self.login(user)
            for url in self.urls():
                self.assertEqual(self.client.get(url).status_code, 200, (user, url))
        for user in (self.enterprise, self.institute, self.broker):
            self.login(user)
            for url in self.urls():
                self.assertEqual(self.client.get(url).status_code, 403, (user, url))

    def test_anonymous_sent_to_login(self):
        response = self.client.get(reverse("brain_chains"))
        self.assertEqual(response.status_code, 302)

    def test_unknown_chain_404(self):
        self.login(self.leader)
        self.assertEqual(self.client.get(reverse("brain_chain", args=["XX"])).status_code, 404)
        url = reverse("brain_chain_node", args=["QC", "GD-02"])
        self.assertEqual(self.client.get(url).status_code, 404)

    def graph(self, response):
        html = response.content.decode()
        found = re.search(
            r'<script id="brain-chain-graph" type="application/json">(.*?)</script>', html, re.S
        )
        self.assertIsNotNone(found)
        return json.loads(found.group(1))

    def test_list_page_graph(self):
        self.login(self.leader)
        response = self.client.get(reverse("brain_chains"))
        self.assertContains(response, "产业链导航")
        self.assertContains(response, "vendor/charts/echarts.min.js")
        self.assertContains(response, "brain/chains.js")
        tree = self.graph(response)["tree"]
        self.assertEqual(len(tree["children"]), 7)
        gd = tree["children"][0]
        self.assertEqual(gd["name"], "光电信息")
        self.assertEqual([n["name"] for n in gd["children"]], ["屏", "光", "芯", "智", "星"])
        light = gd["children"][1]
        self.assertEqual(light["value"], 4)
        self.assertTrue(light["weak"])
        self.assertEqual(light["rules"], "需求未对接")
        self.assertEqual(light["url"], reverse("brain_chain_node", args=["GD", "GD-02"]))

    def test_chain_page(self):
        self.login(self.district_admin)
        response = self.client.get(reverse("brain_chain", args=["GD"]))
        self.assertEqual(self.graph(response)["tree"]["children"][0]["name"], "光电信息")
        self.assertContains(response, '<details class="chart-table">')
        self.assertContains(response, "需求未对接")
        self.assertContains(response, "无平台")

    def test_tab_registered(self):
        self.login(self.leader)
        response = self.client.get(reverse("brain_chains"))
        self.assertContains(response, f'href="{reverse("brain_chains")}" aria-current="page"')

    def test_node_page_lists_and_links(self):
        self.login(self.leader)
        with mock.patch.object(chains.recommend, "engine", return_value=None):
            response = self.client.get(reverse("brain_chain_node", args=["GD", "GD-02"]))
        self.assertContains(response, 'data-figure="enterprises">4<')
        self.assertContains(response, 'data-tier="hte">1<')
        self.assertContains(response, 'data-figure="signed_matches">1<')
        self.assertContains(
            response, reverse("resource_detail", args=["achievements", self.achievement.pk])
        )
        self.assertContains(
            response, reverse("resource_detail", args=["platforms", self.platform.pk])
        )
        self.assertContains(response, reverse("match_detail", args=[self.match.pk]))
        self.assertContains(response, reverse("cultivation_enterprise", args=[self.ents[0].pk]))
        self.assertContains(response, "推荐索引尚未建立")

    def test_partner_suggestions(self):
        rec = SimpleNamespace(
            obj=self.achievement, kind="achievement", score=0.8, explanation="关键词相近：激光"
        )
        exp = SimpleNamespace(
            obj=self.expert_rec, kind="expert", score=0.5, explanation="同属产业链节点：光"
        )
        found = {"achievement": [rec], "expert": [exp], "institute": []}
        self.login(self.leader)
        with (
            mock.patch.object(chains.recommend, "engine", return_value=object()),
            mock.patch.object(chains.recommend, "for_demand", return_value=found) as asked,
        ):
            response = self.client.get(reverse("brain_chain_node", args=["GD", "GD-02"]))
        # The unmatched demand is asked first.
        self.assertEqual(asked.call_args_list[0].args[0], self.open_demand)
        self.assertContains(response, "关键词相近：激光")
        self.assertContains(response, "同属产业链节点：光")

    def test_partners_within_budget(self):
        found = {"achievement": [], "expert": [], "institute": []}
        with (
            mock.patch.object(chains.recommend, "engine", return_value=object()),
            mock.patch.object(chains.recommend, "for_demand", return_value=found),
        ):
            result = chains.partners(self.node, budget=-1)
        self.assertEqual((result["state"], result["considered"], result["total"]), ("ok", 1, 2))

    def test_no_partners_for_strong_node(self):
        for org in OrganisationFactory.create_batch(3, type=OrgType.ENTERPRISE):
            org.chain_nodes.add(self.empty)
        self.login(self.leader)
        response = self.client.get(reverse("brain_chain_node", args=["GD", "GD-01"]))
        self.assertNotContains(response, "建议合作方")
