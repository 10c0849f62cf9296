"""Industry-chain navigation in a real Chromium: the chain tree draws, weak nodes are marked,
a node page lists its enterprises; on a desktop and on a phone."""

import pytest

from core.models import ChainNode, Organisation
from kechuang.browser import SHOTS, login, requires_chromium

from .test_dashboard import CHARTS_DIR

pytestmark = [
    pytest.mark.browser,
    requires_chromium,
    pytest.mark.skipif(
        not CHARTS_DIR.is_dir(), reason="chart assets are installed by `make setup`"
    ),
]


def test_a_leader_walks_from_the_chains_to_a_node(live_server, browser, personas):
    SHOTS.mkdir(parents=True, exist_ok=True)
    node = (
        ChainNode.objects.get(code="GD-GUANG")
        if ChainNode.objects.filter(code="GD-GUANG").exists()
        else ChainNode.objects.filter(chain__name="光电信息").order_by("sort_order").first()
    )
    Organisation.objects.get(name="长春华锐光电科技有限公司").chain_nodes.add(node)
    base = live_server.url
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN")
    page = context.new_page()
    login(page, base, "leader")
    page.goto(f"{base}/brain/chains/")
    page.wait_for_selector("#chain-graph svg, #chain-graph canvas")
    text = page.inner_text("main")
    assert "光电信息" in text and "薄弱环节判定规则" in text
    page.screenshot(path=SHOTS / "brain-chains.png", full_page=True)
    page.locator("main a:visible", has_text="光电信息").first.click()
    assert node.name in page.inner_text("main")
    page.screenshot(path=SHOTS / "brain-chain.png", full_page=True)
    page.locator("main a:visible", has_text=node.name).first.click()
    assert "长春华锐光电科技有限公司" in page.inner_text("main")
    page.screenshot(path=SHOTS / "brain-chain-node.png", full_page=True)
    context.close()

    phone = browser.new_context(
        viewport={"width": 390, "height": 844}, locale="zh-CN", is_mobile=True
    )
    page = phone.new_page()
    login(page, base, "leader")
    page.goto(f"{base}/brain/chains/")
    page.wait_for_selector("#chain-graph svg, #chain-graph canvas")
    assert page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )
    page.screenshot(path=SHOTS / "brain-chains-phone.png", full_page=True)
    phone.close()
