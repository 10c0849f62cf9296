"""Every persona against every URL of the project, on objects of another organisation: each gets
exactly what the permission service grants (see `kechuang/tests/matrix/runner.py`)."""

from __future__ import annotations

import tempfile

from django.test import override_settings

from core.testing import PersonaTestCase
from kechuang.tests.matrix import data, table_apps, table_core, table_programs, table_sharing
from kechuang.tests.matrix.runner import MatrixMixin
from kechuang.tests.matrix.urls import project_routes

TABLES = (table_core.TABLE, table_programs.TABLE, table_apps.TABLE, table_sharing.TABLE)
# Which app a URL belongs to, by its view's package (the API root and auth views are core's).
APPS = ("core", "resources", "bridging", "integrity", "programs", "cultivation", "transfer",
        "brain", "sharing")  # fmt: skip

_MEDIA = tempfile.mkdtemp(prefix="kechuang-matrix-")


def merged() -> dict:
    table: dict = {}
    for part in TABLES:
        overlap = set(table) & set(part)
        assert not overlap, f"URLs classified twice: {sorted(overlap)}"
        table.update(part)
    return table


def app_of(view: str) -> str:
    top = view.split(".", 1)[0]
    return top if top in APPS else "core"


def table_for(app: str) -> dict:
    routes, table = project_routes(), merged()
    return {name: spec for name, spec in table.items() if app_of(routes[name].view) == app}


# Sessions in the local-memory cache: every request of the matrix touches its session (the idle
# timeout), and nothing checked here depends on where sessions are kept.
@override_settings(
    MEDIA_ROOT=f"{_MEDIA}/media",
    INDEX_DIR=f"{_MEDIA}/no-index",
    SESSION_ENGINE="django.contrib.sessions.backends.cache",
)
class AccessMatrixTests(MatrixMixin, PersonaTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.d = data.build(cls)

    def test_every_url_of_the_project_is_classified(self):
        routes, table = project_routes(), merged()
        self.maxDiff = None
        self.assertEqual(
            sorted(set(routes) - set(table)),
            [],
            "URLs the access matrix does not classify: add them to a table in "
            "kechuang/tests/matrix/ with the rule that decides who may open them",
        )
        self.assertEqual(sorted(set(table) - set(routes)), [], "classified URLs that are gone")

    def test_core_pages_and_api(self):
        self.run_matrix(table_for("core"))

    def test_resource_library(self):
        self.run_matrix(table_for("resources"))

    def test_bridging(self):
        self.run_matrix(table_for("bridging"))

    def test_integrity(self):
        self.run_matrix(table_for("integrity"))

    def test_programs(self):
        self.run_matrix(table_for("programs"))

    def test_cultivation(self):
        self.run_matrix(table_for("cultivation"))

    def test_transfer(self):
        self.run_matrix(table_for("transfer"))

    def test_brain(self):
        self.run_matrix(table_for("brain"))

    def test_sharing(self):
        self.run_matrix(table_for("sharing"))

    # The leaks the matrix found, each kept as one sentence.

    def test_a_leader_counts_every_match_in_the_funnel_but_opens_none(self):
        from bridging.models import Match
        from bridging.permissions import counted_matches

        match = self.d.match
        self.login(self.leader)
        self.assertEqual(self.client.get(f"/api/matches/{match.pk}/").status_code, 404)
        self.assertEqual(self.client.get(f"/api/matches/{match.pk}/notes/").status_code, 404)
        self.assertEqual(self.client.get("/api/matches/").json()["count"], 0)
        self.assertNotContains(self.client.get("/bridging/mine/"), match.achievement.title)
        self.assertEqual(self.client.get("/bridging/funnel/").status_code, 200)
        self.assertEqual(counted_matches(Match.objects.all(), self.leader).count(), 2)

    def test_the_bureau_is_told_why_an_organisation_with_records_is_not_deleted(self):
        from core.factories import OrganisationFactory
        from core.models import Organisation

        self.login(self.city_admin)
        response = self.client.delete(f"/api/organisations/{self.enterprise_org.pk}/")
        self.assertEqual(response.status_code, 409)
        self.assertIn("不能删除", response.json()["message"])
        self.assertTrue(Organisation.objects.filter(pk=self.enterprise_org.pk).exists())
        empty = OrganisationFactory(name="长春无记录科技有限公司")
        self.assertEqual(self.client.delete(f"/api/organisations/{empty.pk}/").status_code, 204)

    def test_deleting_another_users_subscription_is_not_found_and_keeps_it(self):
        from resources.models import Subscription

        self.login(self.other_enterprise)
        for pk in (self.d.subscription.pk, "abc"):
            response = self.client.post("/resources/subscriptions/", {"delete": pk}, follow=True)
            self.assertContains(response, "未找到该订阅")
            self.assertNotContains(response, "已取消订阅")
        self.assertTrue(Subscription.objects.filter(pk=self.d.subscription.pk).exists())

    def test_one_who_may_not_bid_is_refused_by_the_page_as_by_the_api(self):
        from transfer.models import Bid

        listing = self.d.listing
        self.login(self.city_admin)
        page = self.client.post(f"/transfer/listings/{listing.pk}/bid/", {"amount": "260000"})
        api = self.client.post(
            f"/api/transfer/listings/{listing.pk}/bid/",
            {"amount": "260000"},
            content_type="application/json",
        )
        self.assertEqual((page.status_code, api.status_code), (403, 403))
        self.assertEqual(Bid.objects.filter(listing=listing).count(), 1)
