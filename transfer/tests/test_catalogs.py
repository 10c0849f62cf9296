"""优秀科技成果目录: compiled by the bureau from selected screenings, frozen when published, read
by anyone as a page, a PDF with Chinese type and an Excel file."""

import io
import subprocess
import tempfile
from decimal import Decimal as D

from django.test import override_settings
from openpyxl import load_workbook

from core.exceptions import InvalidTransition, NotAllowed, ServiceError
from core.models import AuditEntry, HighTechField
from core.testing import PersonaTestCase
from resources.factories import AchievementFactory
from transfer.models import Catalog, Screening
from transfer.services import catalogs

_SCRATCH = tempfile.mkdtemp(prefix="kechuang-catalogs-")
ROUND = "2026年第4季度"


def screened(record, user, *, decision="selected", grade="A", score="88.50", round=ROUND):
    return Screening.objects.create(
        achievement=record,
        round=round,
        indicator_version="2026-1",
        score=D(score),
        grade=grade,
        decision=decision,
        created_by=user,
    )


@override_settings(MEDIA_ROOT=f"{_SCRATCH}/media")
class CatalogTestCase(PersonaTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.electronics = HighTechField.objects.get(code="1")
        cls.materials = HighTechField.objects.get(code="4")
        cls.laser = AchievementFactory(
            owner=cls.enterprise_org,
            title="高功率半导体激光器封装技术",
            hightech_field=cls.electronics,
            trl=6,
            allows_license=True,
            allows_assignment=True,
            asking_price=D("120"),
            contact_name="李明",
            contact_phone="0431-85001234",
        )
        cls.alloy = AchievementFactory(
            owner=cls.university,
            title="高强度镁合金板材轧制工艺",
            hightech_field=cls.materials,
            trl=7,
            allows_cooperation=True,
        )
        cls.laser_screening = screened(cls.laser, cls.city_admin)
        cls.alloy_screening = screened(cls.alloy, cls.city_admin, grade="B", score="76.00")

    def catalog(self, **extra):
        data = {"title": f"{ROUND}优秀科技成果目录", "period": ROUND, **extra}
        return catalogs.create_catalog(self.city_admin, data)

    def published(self):
        catalog = self.catalog(introduction="为促进科技成果在长春转化，编制本目录。")
        catalogs.add_entry(self.city_admin, catalog, self.laser_screening)
        catalogs.add_entry(self.city_admin, catalog, self.alloy_screening)
        return catalogs.publish(self.city_admin, catalog)


class CompilingTests(CatalogTestCase):
    def test_enterprise_cannot_compile_catalogs(self):
        with self.assertRaises(NotAllowed):
            catalogs.create_catalog(self.enterprise, {"title": "目录", "period": ROUND})
        catalog = self.catalog()
        with self.assertRaises(NotAllowed):
            catalogs.add_entry(self.enterprise, catalog, self.laser_screening)
        with self.assertRaises(NotAllowed):
            catalogs.publish(self.institute, catalog)
        self.login(self.enterprise)
        self.assertEqual(self.client.get("/transfer/catalogs/new/").status_code, 403)
        self.assertEqual(self.client.get(f"/transfer/catalogs/{catalog.pk}/").status_code, 404)
        post = self.client.post(f"/transfer/catalogs/{catalog.pk}/publish/")
        self.assertEqual(post.status_code, 403)
        self.assertFalse(catalog.entries.exists())

    def test_only_selected_published_achievements_not_yet_listed_are_candidates(self):
        rejected = AchievementFactory(owner=self.enterprise_org, title="未入选的成果")
        screened(rejected, self.city_admin, decision="not_selected", grade="D", score="40")
        draft = AchievementFactory(owner=self.enterprise_org, title="草稿成果", status="draft")
        screened(draft, self.city_admin)
        catalog = self.catalog()
        titles = [s.achievement.title for s in catalogs.candidates(catalog)]
        self.assertEqual(titles, ["高功率半导体激光器封装技术", "高强度镁合金板材轧制工艺"])
        catalogs.add_entry(self.city_admin, catalog, self.laser_screening)
        titles = [s.achievement.title for s in catalogs.candidates(catalog)]
        self.assertEqual(titles, ["高强度镁合金板材轧制工艺"])
        with self.assertRaisesMessage(ServiceError, "未入选，不能列入目录"):
            catalogs.add_entry(self.city_admin, catalog, rejected.screenings.get())
        with self.assertRaisesMessage(ServiceError, "不在发布状态"):
            catalogs.add_entry(self.city_admin, catalog, draft.screenings.get())
        with self.assertRaisesMessage(ServiceError, "已在本目录中"):
            catalogs.add_entry(self.city_admin, catalog, self.laser_screening)
        self.assertEqual(catalog.entries.count(), 1)

    def test_entries_are_added_moved_and_removed_with_an_audit_trail(self):
        other = AchievementFactory(
            owner=self.university, title="激光熔覆修复技术", hightech_field=self.electronics
        )
        catalog = self.catalog()
        first = catalogs.add_entry(self.city_admin, catalog, self.laser_screening)
        catalogs.add_entry(self.city_admin, catalog, self.alloy_screening)
        catalogs.add_entry(self.city_admin, catalog, screened(other, self.city_admin))
        shown = [r["title"] for r in catalogs.entry_views(catalog)]
        # Grouped by field: 电子信息 (two, in the order added) before 新材料.
        self.assertEqual(
            shown, ["高功率半导体激光器封装技术", "激光熔覆修复技术", "高强度镁合金板材轧制工艺"]
        )
        catalogs.move_entry(self.city_admin, catalog, first.pk, +1)
        shown = [r["title"] for r in catalogs.entry_views(catalog)]
        self.assertEqual(
            shown, ["激光熔覆修复技术", "高功率半导体激光器封装技术", "高强度镁合金板材轧制工艺"]
        )
        catalogs.remove_entry(self.city_admin, catalog, first.pk)
        self.assertEqual([r["number"] for r in catalogs.entry_views(catalog)], [1, 2])
        actions = list(
            AuditEntry.objects.filter(actor=self.city_admin).values_list("action", flat=True)
        )
        self.assertEqual(actions.count("create"), 4)  # the catalog and three entries
        self.assertIn("delete", actions)
        self.assertTrue(AuditEntry.objects.filter(note="调整目录顺序").exists())

    def test_an_empty_catalog_cannot_be_published(self):
        catalog = self.catalog()
        with self.assertRaisesMessage(ServiceError, "目录中还没有成果，不能发布。"):
            catalogs.publish(self.city_admin, catalog)
        catalog.refresh_from_db()
        self.assertEqual(catalog.status, "draft")
        self.assertFalse(catalog.pdf)
        self.login(self.city_admin)
        page = self.client.post(f"/transfer/catalogs/{catalog.pk}/publish/", follow=True)
        self.assertContains(page, "目录中还没有成果，不能发布。")

    def test_a_withdrawn_achievement_must_be_removed_before_publishing(self):
        catalog = self.catalog()
        catalogs.add_entry(self.city_admin, catalog, self.laser_screening)
        self.laser.status = "archived"
        self.laser.save()
        with self.assertRaisesMessage(ServiceError, "请先移出目录：高功率半导体激光器封装技术"):
            catalogs.publish(self.city_admin, catalog)


class PublishingTests(CatalogTestCase):
    def test_publishing_freezes_the_catalog_against_later_edits(self):
        catalog = self.published()
        self.laser.title = "改名后的激光器封装技术"
        self.laser.contact_phone = "13900001111"
        self.laser.save()
        page = self.client.get(f"/transfer/catalogs/{catalog.pk}/")  # anonymous
        self.assertContains(page, "高功率半导体激光器封装技术")
        self.assertContains(page, "0431-85001234")
        self.assertNotContains(page, "改名后的激光器封装技术")
        entry = catalog.entries.get(achievement=self.laser)
        self.assertEqual(entry.snapshot["title"], "高功率半导体激光器封装技术")
        with self.assertRaises(InvalidTransition):
            catalogs.add_entry(
                self.city_admin,
                catalog,
                screened(
                    AchievementFactory(owner=self.university),
                    self.city_admin,
                    round="2027年第1季度",
                ),
            )
        with self.assertRaises(InvalidTransition):
            catalogs.remove_entry(self.city_admin, catalog, entry.pk)
        with self.assertRaises(InvalidTransition):
            catalogs.update_catalog(self.city_admin, catalog, {"title": "新名称"})

    def test_the_snapshot_keeps_what_the_catalog_says(self):
        catalog = self.published()
        snap = catalog.entries.get(achievement=self.laser).snapshot
        self.assertEqual(snap["owner"], "长春华锐光电科技有限公司")
        self.assertEqual(snap["region"], "长春高新技术产业开发区")
        self.assertEqual(snap["field"], "电子信息")
        self.assertEqual((snap["trl"], snap["grade"], snap["score"]), (6, "A", "88.50"))
        self.assertEqual(snap["modes"], ["转让", "许可"])
        self.assertEqual(snap["asking_price"], "120.00")
        self.assertEqual((snap["contact_name"], snap["contact_phone"]), ("李明", "0431-85001234"))
        self.assertEqual(snap["summary"], self.laser.summary)
        self.assertTrue(AuditEntry.objects.filter(note="发布目录，共2项").exists())

    def test_pdf_is_stored_with_the_chinese_font_embedded(self):
        catalog = self.published()
        with catalog.pdf.open("rb") as fh:
            self.assertTrue(fh.read(4) == b"%PDF")
        fonts = subprocess.run(["pdffonts", catalog.pdf.path], capture_output=True, text=True)
        self.assertIn("Noto-Sans-SC", fonts.stdout)  # real glyphs, not empty boxes
        text = subprocess.run(
            ["pdftotext", "-layout", catalog.pdf.path, "-"], capture_output=True, text=True
        ).stdout
        for words in (
            catalog.title,
            "编制说明",
            "长春市科学技术局",
            "高功率半导体激光器",
            "新材料",
        ):
            self.assertIn(words, text)
        download = self.client.get(f"/transfer/catalogs/{catalog.pk}/pdf/")
        self.assertEqual(download["Content-Type"], "application/pdf")
        self.assertTrue(b"".join(download.streaming_content).startswith(b"%PDF"))

    def test_excel_opens_with_chinese_headers_and_the_entries(self):
        catalog = self.published()
        download = self.client.get(f"/transfer/catalogs/{catalog.pk}/xlsx/")
        self.assertEqual(download.status_code, 200)
        book = load_workbook(io.BytesIO(b"".join(download.streaming_content)))
        rows = list(book["成果目录"].iter_rows(values_only=True))
        self.assertEqual(rows[0][:4], ("序号", "技术领域", "成果名称", "所属单位"))
        self.assertEqual(rows[1][:3], (1, "电子信息", "高功率半导体激光器封装技术"))
        self.assertEqual(rows[2][:3], (2, "新材料", "高强度镁合金板材轧制工艺"))
        self.assertEqual(rows[1][14], "0431-85001234")
        self.assertIn("编制说明", book.sheetnames)

    def test_excel_keeps_formula_like_text_as_text(self):
        self.laser.title = '=HYPERLINK("http://example.com","点击")'
        self.laser.contact_name = "+李明"
        self.laser.save()
        catalog = self.published()
        with catalog.xlsx.open("rb") as fh:
            sheet = load_workbook(io.BytesIO(fh.read()))["成果目录"]
        title, contact = sheet["C2"], sheet["N2"]
        self.assertEqual(title.value, '=HYPERLINK("http://example.com","点击")')
        self.assertEqual((title.data_type, title.quotePrefix), ("s", True))
        self.assertEqual((contact.data_type, contact.quotePrefix), ("s", True))


class PublicPageTests(CatalogTestCase):
    def test_anyone_reads_published_catalogs_without_logging_in(self):
        catalog = self.published()
        draft = self.catalog(title="编制中的目录")
        listing = self.client.get("/transfer/catalogs/")
        self.assertContains(listing, catalog.title)
        self.assertNotContains(listing, "编制中的目录")
        page = self.client.get(f"/transfer/catalogs/{catalog.pk}/")
        self.assertContains(page, "为促进科技成果在长春转化，编制本目录。")
        self.assertContains(page, "下载 PDF 版")
        html = page.content.decode()
        self.assertLess(html.index("<h2>电子信息"), html.index("<h2>新材料"))  # grouped by field
        self.assertEqual(self.client.get(f"/transfer/catalogs/{draft.pk}/").status_code, 404)
        self.assertEqual(self.client.get(f"/transfer/catalogs/{draft.pk}/pdf/").status_code, 404)

    def test_the_public_page_does_not_query_per_entry(self):
        catalog = self.published()
        url = f"/transfer/catalogs/{catalog.pk}/"
        self.client.get(url)
        with self.assertNumQueries(2):  # the catalog and its entries: the snapshots say it all
            self.client.get(url)
        bigger = self.catalog(title="第二期")
        for _n in range(4):
            record = AchievementFactory(owner=self.university, hightech_field=self.materials)
            catalogs.add_entry(self.city_admin, bigger, screened(record, self.city_admin))
        catalogs.publish(self.city_admin, bigger)
        with self.assertNumQueries(2):
            self.client.get(f"/transfer/catalogs/{bigger.pk}/")

    def test_bureau_compiles_through_the_pages(self):
        self.login(self.city_admin)
        response = self.client.post(
            "/transfer/catalogs/new/", {"title": "2026年度优秀科技成果目录", "period": "2026年度"}
        )
        catalog = Catalog.objects.get()
        self.assertRedirects(response, f"/transfer/catalogs/{catalog.pk}/")
        duplicate = self.client.post(
            "/transfer/catalogs/new/", {"title": "2026年度优秀科技成果目录", "period": "2026年度"}
        )
        self.assertContains(duplicate, "已存在")
        candidates = f"/transfer/catalogs/{catalog.pk}/candidates/"
        self.assertContains(self.client.get(candidates), "高强度镁合金板材轧制工艺")
        self.client.post(candidates, {"screening": self.alloy_screening.pk})
        self.client.post(candidates, {"screening": self.laser_screening.pk})
        page = self.client.get(f"/transfer/catalogs/{catalog.pk}/")
        self.assertContains(page, "编制中")
        self.assertContains(page, "发布目录")
        entry = catalog.entries.get(achievement=self.alloy)
        self.client.post(f"/transfer/catalogs/{catalog.pk}/entries/{entry.pk}/remove/")
        self.assertEqual(catalog.entries.count(), 1)
        published = self.client.post(f"/transfer/catalogs/{catalog.pk}/publish/", follow=True)
        self.assertContains(published, "目录已发布")
        catalog.refresh_from_db()
        self.assertEqual(catalog.status, "published")
        self.assertTrue(catalog.pdf and catalog.xlsx)
