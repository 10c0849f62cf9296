"""Integrity records in a real Chromium: the bureau registers and revokes, a district admin reads."""

import pytest

from core.models import Organisation
from integrity.factories import PersonRecordFactory, id_number
from integrity.models import IntegrityRecord
from kechuang.browser import SHOTS, login, requires_chromium

pytestmark = [pytest.mark.browser, requires_chromium]


def test_city_admin_registers_a_record_that_a_district_admin_reads(live_server, browser, personas):
    SHOTS.mkdir(parents=True, exist_ok=True)
    org = Organisation.objects.get(name="长春华锐光电科技有限公司")
    PersonRecordFactory(person_name="王某某", person_id_number=id_number())
    base = live_server.url
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN")
    page = context.new_page()

    login(page, base, "city_admin")
    page.click("nav.mainnav summary >> text=管理")
    page.click("nav.mainnav >> text=科研诚信")
    page.click("text=登记失信记录")
    page.select_option("#id_subject_kind", "organisation")
    page.fill("#id_organisation", org.uscc)
    page.fill("#id_finding", "在科技计划项目申报中提供虚假的财务审计报告。")
    page.select_option("#id_severity", "grave")
    page.fill("#id_decision_number", "吉科诚〔2026〕3号")
    page.fill("#id_decision_date", "2026-03-15")
    page.fill("#id_issued_by", "长春市科学技术局")
    page.fill("#id_restricted_from", "2026-03-15")
    page.check("input[name=activities][value=apply]")
    page.check("input[name=activities][value=recognition]")
    page.screenshot(path=SHOTS / "integrity-form.png", full_page=True)
    page.click("form.form button >> text=保存")
    assert "已登记" in page.inner_text("main")
    assert "申报科技计划项目" in page.inner_text("main")
    page.screenshot(path=SHOTS / "integrity-detail.png", full_page=True)
    page.click("header form button.link >> text=退出")

    login(page, base, "district_admin")
    page.goto(f"{base}/integrity/")
    table = page.inner_text("table")
    assert "长春华锐光电科技有限公司" in table and "2201**********1230" in table
    page.screenshot(path=SHOTS / "integrity-list.png", full_page=True)
    context.close()
    assert IntegrityRecord.objects.filter(decision_number="吉科诚〔2026〕3号").exists()
