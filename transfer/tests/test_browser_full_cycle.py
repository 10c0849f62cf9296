"""One achievement through the whole transfer cycle in a real Chromium, page by page, as
test_full_cycle_api.py drives it over the API: TRL self-assessment → expert confirmation → graded
screening → published catalog (read and downloaded without logging in) → valuation with
sensitivity → auction with competing bids → contract draft → registration → statistics.

Unlike the API test, the seller leaves the declared 技术交易额 at the deal price, so that the
registrar's correction (320,000 → 300,000) is what the statistics must show.

Only the arrangement (organisations, users, the expert record, the end of the bidding period)
goes through the ORM; every step of the cycle is done through the pages."""

import datetime

import pytest
from django.utils import timezone

from core.choices import OrgType, Role
from core.factories import MembershipFactory, OrganisationFactory
from core.models import HighTechField, Region
from kechuang.browser import SHOTS, login, requires_chromium
from resources.factories import AchievementFactory, ExpertFactory
from transfer.models import Listing

pytestmark = [pytest.mark.browser, requires_chromium]

TITLE = "车规级激光雷达光学系统"
ROUND = "2026年第4季度"
CATALOG = "2026年第4季度优秀科技成果目录"
SCORES = {
    "advancement": "90",
    "maturity": "80",
    "ip": "85",
    "market": "88",
    "conditions": "80",
    "team": "90",
}
DESKTOP = {"viewport": {"width": 1366, "height": 768}, "locale": "zh-CN"}
PHONE = {"viewport": {"width": 390, "height": 844}, "locale": "zh-CN", "device_scale_factor": 2}


def fits(page) -> bool:
    """Nothing sticks out sideways (wide tables scroll inside their own frame)."""
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def shot(page, name: str) -> None:
    assert fits(page), page.url
    page.screenshot(path=SHOTS / f"transfer-cycle-{name}.png", full_page=True)


def arrange():
    """The owning university and its user, an expert of another organisation, a second
    enterprise, and the achievement (the personas give the bureau and the first enterprise)."""
    nanguan = Region.objects.get(code="220102")
    university = OrganisationFactory(name="吉林大学", type=OrgType.UNIVERSITY, region=nanguan)
    MembershipFactory(
        user__username="jlu", user__display_name="吴教授", organisation=university,
        role=Role.INSTITUTE,
    )  # fmt: skip
    institute = OrganisationFactory(
        name="中国科学院长春光学精密机械与物理研究所", type=OrgType.INSTITUTE, region=nanguan
    )
    reviewer = MembershipFactory(
        user__username="ciomp", user__display_name="孙光学", organisation=institute,
        role=Role.EXPERT,
    ).user  # fmt: skip
    ExpertFactory(owner=institute, user=reviewer, title="孙光学")
    MembershipFactory(
        user__username="qiming", user__display_name="钱企业",
        organisation=OrganisationFactory(name="长春启明汽车电子有限公司", region=nanguan),
        role=Role.ENTERPRISE,
    )  # fmt: skip
    return AchievementFactory(
        owner=university,
        title=TITLE,
        summary="面向L3级自动驾驶的激光雷达收发光学系统，已完成车规级可靠性试验。",
        allows_assignment=True,
        hightech_field=HighTechField.objects.get(code="1"),
        contact_name="张老师",
        contact_phone="043185160000",
    )


def test_an_achievement_goes_from_trl_to_a_registered_contract_in_the_browser(
    live_server, browser, personas, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"  # the published catalog's PDF and Excel files
    SHOTS.mkdir(parents=True, exist_ok=True)
    achievement = arrange()
    base = live_server.url
    contexts = []

    def session(username: str | None, **options):
        context = browser.new_context(**(options or DESKTOP))
        context.set_default_timeout(15_000)
        contexts.append(context)
        page = context.new_page()
        if username:
            login(page, base, username)
        return page

    try:
        # 1. The owner's TRL self-assessment: levels 1–6 met with evidence.
        owner = session("jlu")
        owner.click("nav.mainnav >> text=成果转化")
        owner.click(f"#mine tr:has-text('{TITLE}') >> text=筛选评价")
        owner.click(".page-head .actions >> text=技术就绪水平自评")
        for n in range(1, 10):
            owner.check(f"input[name=met_{n}][value={'yes' if n <= 6 else 'no'}]")
            if n <= 6:
                owner.fill(f"#id_evidence_{n}", f"第{n}级证明材料（编号 CIOMP-2025-0{n}）")
        owner.click("form.form button >> text=提交自评")
        assert "自评已保存：6级" in owner.inner_text("main")
        trl = owner.inner_text("#trl")
        assert "6级" in trl and "自评，待专家确认" in trl
        assert "待确认" in owner.inner_text("#history")
        shot(owner, "01-trl-self-assessed")

        # 2. An expert of another organisation confirms level 6.
        expert = session("ciomp")
        expert.goto(f"{base}/transfer/trl/")
        expert.click(f"tr:has-text('{TITLE}') >> a:text-is('确认')")
        assert "第6级证明材料" in expert.inner_text("main")
        expert.select_option("#id_level", "6")
        expert.click("#confirm button >> text=确认")
        assert "技术就绪水平已确认。" in expert.inner_text("main")
        assert "专家确认" in expert.inner_text("section.card dl")
        shot(expert, "02-trl-confirmed")

        # 3. The bureau opens a screening for the round with that expert.
        bureau = session("city_admin")
        bureau.goto(f"{base}/transfer/achievements/{achievement.pk}/")
        assert "专家确认" in bureau.inner_text("#trl")
        bureau.click("text=发起筛选评价")
        bureau.fill("#id_round", ROUND)
        bureau.check("label:has-text('孙光学') >> input[type=checkbox]")
        bureau.click("form.form button >> text=发起")
        main = bureau.inner_text("main")
        assert f"已发起“{TITLE}”的{ROUND}筛选评价，邀请专家1名。" in main
        assert "待评分" in bureau.inner_text("#experts")
        shot(bureau, "03-screening-opened")

        # 4. The expert fills the score sheet.
        expert.goto(f"{base}/transfer/screening-tasks/")
        expert.click(f"tr:has-text('{TITLE}') >> a:text-is('评分')")
        for code, score in SCORES.items():
            expert.fill(f"#id_score_{code}", score)
        expert.fill("#id_comment", "技术先进，产业化条件较好，建议入选目录。")
        assert expert.inner_text("#score-total") == "86.10"  # the live total on the sheet
        shot(expert, "04-score-sheet")
        expert.click("#score-sheet button >> text=提交评分")
        assert "86.10" in expert.inner_text("main")

        # 5. The bureau decides 入选 with reasons: 86.10, grade A.
        bureau.reload()
        assert "86.10" in bureau.inner_text("#sheets")
        bureau.check("#decide input[name=decision][value=selected]")
        bureau.fill("#id_reasons", "综合得分高于入选线，技术成熟度已达6级。")
        bureau.click("#decide button >> text=作出结论")
        main = bureau.inner_text("main")
        assert "筛选结论已作出" in main and "综合得分高于入选线" in main
        figures = bureau.locator(".stats .stat strong").all_inner_texts()
        assert figures[:2] == ["86.10", "A"]
        assert bureau.locator("#decide").count() == 0
        shot(bureau, "05-screening-decided")

        # 6. The bureau compiles a catalog, adds the selected achievement and publishes it.
        bureau.goto(f"{base}/transfer/catalogs/")
        bureau.click("text=编制新目录")
        bureau.fill("#id_title", CATALOG)
        bureau.fill("#id_period", ROUND)
        bureau.fill("#id_introduction", "为加快科技成果在长春落地转化，编制本目录。")
        bureau.click("form.form button >> text=保存")
        bureau.click("text=添加入选成果")
        bureau.click(f"tr:has-text('{TITLE}') >> text=列入目录")
        assert "没有可添加的成果" in bureau.inner_text("main")
        bureau.click("text=返回目录")
        assert "收录成果 1 项" in bureau.inner_text("main")
        bureau.click("text=发布目录")
        main = bureau.inner_text("main")
        assert "目录已发布" in main and "下载 PDF 版" in main
        shot(bureau, "06-catalog-published")
        catalog_url = bureau.url

        # 7. An anonymous visitor reads the catalog and downloads the PDF and the Excel.
        visitor = session(None)
        visitor.goto(f"{base}/transfer/")
        visitor.click(f"#catalogs >> text={CATALOG}")
        assert visitor.url == catalog_url
        main = visitor.inner_text("main")
        assert TITLE in main and "吉林大学" in main and "A" in main and "6 级" in main
        with visitor.expect_download() as pdf:
            visitor.click("text=下载 PDF 版")
        assert pdf.value.suggested_filename.endswith(".pdf")
        assert open(pdf.value.path(), "rb").read(4) == b"%PDF"
        with visitor.expect_download() as xlsx:
            visitor.click("text=下载 Excel 版")
        assert xlsx.value.suggested_filename.endswith(".xlsx")
        assert open(xlsx.value.path(), "rb").read(2) == b"PK"
        shot(visitor, "07-catalog-public")
        phone = session(None, **PHONE)
        phone.goto(catalog_url)
        assert TITLE in phone.inner_text("main")
        shot(phone, "08-catalog-phone")

        # 8. The owner values it by the income approach and saves the report.
        owner.goto(f"{base}/transfer/")
        owner.click(f"#mine tr:has-text('{TITLE}') >> text=定价参考")
        owner.click("text=按收益法测算")
        owner.check("input[name=revenue_mode][value=list]")
        owner.fill("#id_revenues", "3000000\n5000000\n8000000")
        owner.check("input[name=variant][value=profit_split]")
        owner.fill("#id_margin", "12")
        owner.fill("#id_share", "25")
        owner.fill("#id_discount_rate", "10")
        owner.click("form.form button >> text=测算")
        assert "敏感性分析" in owner.inner_text("#result")
        owner.click("form.form button >> text=保存为报告")
        main = owner.inner_text("main")
        assert "定价参考报告已保存" in main and "敏感性分析" in main
        assert owner.locator("table.sensitivity").first.is_visible()
        assert owner.locator("table.sensitivity tbody tr").count() > 1
        shot(owner, "09-valuation-report")

        # 9. The owner lists it for auction.
        now = timezone.now()
        owner.goto(f"{base}/transfer/")
        owner.click(f"#mine tr:has-text('{TITLE}') >> a:text-is('挂牌')")
        owner.select_option("#id_mode", "assignment")
        owner.select_option("#id_kind", "auction")
        owner.fill("#id_reserve_price", "300000")
        owner.fill("#id_min_step", "10000")
        local = timezone.localtime(now)
        owner.fill(
            "#id_starts_at", (local - datetime.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
        )
        owner.fill("#id_ends_at", (local + datetime.timedelta(days=3)).strftime("%Y-%m-%dT%H:%M"))
        owner.fill("#id_terms", "一次性付款，提供三个月技术指导。")
        owner.click("form.form button >> text=挂牌")
        assert f"“{TITLE}”已挂牌（转让，公开竞价）。" in owner.inner_text("main")
        listing_url = owner.url
        listing = Listing.objects.get()

        # 10. Two enterprises bid, each in its own browser; a bid below the step is refused.
        first = session("enterprise")
        first.click("nav.mainnav >> text=成果转化")
        first.click(f"#listings >> text={TITLE}")
        first.fill("#id_amount", "300000")
        first.click("#bid button")
        assert "出价成功：300,000.00元" in first.inner_text("main")
        second = session("qiming")
        second.goto(listing_url)
        assert "长春***有限公司" in second.inner_text("#history")  # the rival's name is masked
        second.fill("#id_amount", "305000")
        second.click("#bid button")
        refusal = second.inner_text("#bid")
        assert "当前最高价300,000.00元加最小加价幅度10,000.00元" in refusal
        assert "至少310,000.00元" in refusal and "您的出价为305,000.00元" in refusal
        shot(second, "10-bid-refused")
        second.fill("#id_amount", "320000")
        second.click("#bid button")
        assert "出价成功：320,000.00元" in second.inner_text("main")
        history = second.inner_text("#history")
        assert "本单位" in history and "320,000.00" in history and "300,000.00" in history
        shot(second, "11-listing-bids")
        phone.goto(listing_url)  # anyone may follow the bidding
        assert "320,000.00" in phone.inner_text("#history")
        shot(phone, "12-listing-phone")

        # 11. The period ends: no more bids; the owner closes the listing and it is sold.
        Listing.objects.filter(pk=listing.pk).update(
            starts_at=now - datetime.timedelta(days=4), ends_at=now - datetime.timedelta(minutes=1)
        )
        first.reload()
        assert "等待确认结果" in first.inner_text("#bid")
        assert first.locator("#id_amount").count() == 0
        owner.goto(listing_url)
        owner.click("text=结束竞价并确认结果")
        main = owner.inner_text("main")
        assert "已成交：长春启明汽车电子有限公司，成交价320,000.00元；合同草稿已生成。" in main
        assert "320,000.00" in owner.inner_text(".stats")
        shot(owner, "13-listing-sold")

        # 12. The owner completes the contract draft and submits it; the declared 技术交易额
        # stays at the deal price (320,000), although the contract includes a prototype.
        owner.click("text=查看合同")
        owner.click(".page-head >> text=修改")
        owner.fill("#id_subject", "车规级激光雷达光学系统设计技术及相关专利的转让。")
        owner.select_option("#id_field", label="电子信息")
        owner.fill("#id_signed_on", timezone.localdate().isoformat())
        owner.fill("#id_payment_terms", "合同签订后30日内一次性支付。")
        owner.fill("#id_non_tech_part", "样机一台（价值2万元）")
        owner.click("form.form button >> text=保存")
        assert "合同已保存" in owner.inner_text("main")
        owner.click("button >> text=提交认定登记")
        main = owner.inner_text("main")
        assert "已提交认定登记" in main and "样机一台（价值2万元）" in main
        shot(owner, "14-contract-submitted")

        # 13. The registrar registers it, correcting the 技术交易额 (320,000 → 300,000).
        bureau.goto(f"{base}/transfer/contracts/registrar/")
        bureau.click(f"table >> text={TITLE}")
        assert "合同含非技术性内容：样机一台（价值2万元）" in bureau.inner_text("#register")
        bureau.select_option("#id_registered_kind", "transfer")
        bureau.fill("#id_tech_amount", "300000")
        bureau.fill("#id_note", "扣除样机价款2万元。")
        bureau.click("#register button")
        main = bureau.inner_text("main")
        assert "已登记，登记编号22010" in main and "认定技术交易额300,000.00元" in main
        shot(bureau, "15-contract-registered")

        # 14. The statistics count it once, at the corrected amount.
        bureau.goto(f"{base}/transfer/")
        bureau.click("#bureau >> text=技术合同登记统计")
        totals = bureau.locator(".stats .stat strong").all_inner_texts()
        assert totals == ["1", "320,000.00", "300,000.00"]  # count, 合同总金额, 技术交易额
        by_kind = bureau.inner_text("#by-kind")
        assert "技术转让" in by_kind and "300,000.00" in by_kind
        shot(bureau, "16-statistics")
        bureau.goto(f"{base}/transfer/statistics/funnel/?by=organisation")
        row = bureau.locator("table.funnel-table tbody tr", has_text="吉林大学")
        cells = row.locator("td.num").all_inner_texts()
        assert cells[:-1] == ["1"] * (len(cells) - 1) and cells[-1] == "300,000.00"
        shot(bureau, "17-funnel")
    finally:
        for context in contexts:
            context.close()
