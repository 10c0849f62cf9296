"""A broker opens a demand in Chromium, sees explained recommendations, and starts a match."""

import pytest
from django.test import override_settings

from bridging.models import Match
from bridging.services import index
from core.models import ChainNode, Organisation
from kechuang.browser import SHOTS, login, requires_chromium
from resources.factories import AchievementFactory, DemandFactory

pytestmark = [pytest.mark.browser, requires_chromium]


def test_broker_starts_a_match_from_the_recommendations(live_server, browser, personas, tmp_path):
    SHOTS.mkdir(parents=True, exist_ok=True)
    org = Organisation.objects.get(name="长春华锐光电科技有限公司")
    node = ChainNode.objects.get(name="新能源")
    demand = DemandFactory(
        owner=org, title="寻求动力电池热管理技术", description="需要动力电池包液冷热管理技术"
    )
    demand.chain_nodes.set([node])
    battery = AchievementFactory(
        owner=org, title="动力电池热管理系统", summary="动力电池包液冷热管理，温差小于3度。"
    )
    battery.chain_nodes.set([node])
    AchievementFactory(owner=org, title="玉米耐密抗倒新品种", summary="玉米育种。")
    with override_settings(INDEX_DIR=tmp_path / "index"):
        index._engine = None
        index.rebuild()
        page = browser.new_page(viewport={"width": 1366, "height": 768})
        login(page, live_server.url, "broker")
        page.goto(f"{live_server.url}/resources/demands/{demand.pk}/")
        page.wait_for_selector("#recommendations")
        panel = page.inner_text("#recommendations")
        assert panel.index("动力电池热管理系统") < panel.index("玉米耐密抗倒新品种")
        assert "共同关键词" in panel and "同属产业链节点：汽车·新能源" in panel
        page.screenshot(path=SHOTS / "demand-recommendations-test.png", full_page=True)
        page.locator("#recommendations li", has_text="动力电池热管理系统").locator(
            "button", has_text="发起对接"
        ).first.click()
        page.wait_for_url(f"{live_server.url}/bridging/matches/*/")
        assert "推荐" in page.inner_text("main")
        page.close()
        index._engine = None
    match = Match.objects.get()
    assert (match.demand, match.achievement) == (demand, battery)
