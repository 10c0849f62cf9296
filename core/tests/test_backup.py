"""The restore drill as a test, on SQLite and on PostgreSQL: back up, change everything, restore,
and the database (every table: rows and checksum), the uploaded files and the index are what
they were."""

from __future__ import annotations

import tempfile
from io import StringIO
from pathlib import Path

from django.core.management import CommandError, call_command
from django.test import TransactionTestCase, override_settings

from bridging.services import index
from core.factories import OrganisationFactory
from core.models import Organisation
from core.services import backup
from core.testing import ReferenceDataMixin
from resources.choices import RecordStatus
from resources.factories import AchievementFactory
from resources.models import Achievement


class RestoreDrillTests(ReferenceDataMixin, TransactionTestCase):
    def setUp(self):
        super().setUp()
        tmp = tempfile.TemporaryDirectory()
        self.addCleanup(tmp.cleanup)
        self.tmp = Path(tmp.name)
        override = override_settings(MEDIA_ROOT=self.tmp / "media", INDEX_DIR=self.tmp / "index")
        override.enable()
        self.addCleanup(override.disable)
        index._engine = None
        self.addCleanup(setattr, index, "_engine", None)

        self.org = OrganisationFactory(name="长春光华微电子设备工程中心")
        self.kept = AchievementFactory(
            title="大功率半导体激光芯片", owner=self.org, status=RecordStatus.PUBLISHED
        )
        (self.tmp / "media" / "imports").mkdir(parents=True)
        self.upload = self.tmp / "media" / "imports" / "成果清单.csv"
        self.upload.write_text("名称\n大功率半导体激光芯片\n", encoding="utf-8")
        index.rebuild()

    def test_restore_brings_back_every_table_file_and_the_index_after_changes(self):
        out = StringIO()
        call_command("backup", "--out", str(self.tmp / "backup"), stdout=out)
        self.assertIn("上传文件 1 个", out.getvalue())
        saved = backup.read_backup(self.tmp / "backup")
        index_before = backup.index_fingerprint()

        # Everything changes after the backup: a record deleted, one added and indexed,
        # an upload edited and another added.
        added = AchievementFactory(
            title="车规级功率模块封装", owner=self.org, status=RecordStatus.PUBLISHED
        )
        index.update([("resources.achievement", added.pk)])
        Achievement.objects.filter(pk=self.kept.pk).delete()
        self.upload.write_text("改过的内容\n", encoding="utf-8")
        (self.tmp / "media" / "新文件.pdf").write_bytes(b"%PDF-1.7")
        self.assertNotEqual(backup.differences(saved), [])

        out = StringIO()
        call_command("restore", str(self.tmp / "backup"), "--no-input", stdout=out)
        self.assertIn("已恢复并核对一致", out.getvalue())

        self.assertEqual(backup.differences(saved), [])
        self.assertEqual(backup.table_checksums(), saved["database"]["tables"])
        self.assertEqual(backup.index_fingerprint(), index_before)
        self.assertTrue(Achievement.objects.filter(title="大功率半导体激光芯片").exists())
        self.assertFalse(Achievement.objects.filter(title="车规级功率模块封装").exists())
        self.assertEqual(self.upload.read_text(encoding="utf-8"), "名称\n大功率半导体激光芯片\n")
        self.assertFalse((self.tmp / "media" / "新文件.pdf").exists())
        # A process that had the later index open sees the restored one at its next search.
        found = [r.id for r in index.engine().search("半导体激光", k=5)]
        self.assertIn(f"achievement:{self.kept.pk}", found)
        self.assertNotIn(f"achievement:{added.pk}", found)

    def test_a_damaged_backup_is_refused_before_anything_is_replaced(self):
        call_command("backup", "--out", str(self.tmp / "backup"), stdout=StringIO())
        copy = self.tmp / "backup" / "media" / "imports" / "成果清单.csv"
        copy.write_text("被篡改\n", encoding="utf-8")
        OrganisationFactory(name="备份之后新建的单位")
        with self.assertRaisesMessage(CommandError, "备份已损坏"):
            call_command("restore", str(self.tmp / "backup"), "--no-input", stdout=StringIO())
        self.assertTrue(Organisation.objects.filter(name="备份之后新建的单位").exists())

    def test_backup_refuses_a_folder_that_is_not_empty(self):
        (self.tmp / "backup").mkdir()
        (self.tmp / "backup" / "old.txt").write_text("x")
        with self.assertRaisesMessage(CommandError, "不是空目录"):
            call_command("backup", "--out", str(self.tmp / "backup"), stdout=StringIO())
