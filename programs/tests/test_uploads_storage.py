"""Attachments on a disk that fills up, and names no file system takes as they are: the user
gets a clear refusal, nothing half-written stays on the disk, the application is unchanged."""

from __future__ import annotations

import errno
import os
import subprocess
import tempfile
from pathlib import Path
from unittest import mock, skipUnless

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from core.exceptions import StorageFull
from programs.choices import AttachmentKind
from programs.factories import PDF_BYTES
from programs.services import applications as service

from .base import ProgramTestCase

FULL = "服务器存储空间已满，文件未保存。请稍后再试，并告知平台管理员。"


def big_pdf(size: int, name: str = "实验数据.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF_BYTES + b"0" * size, content_type="application/pdf")


def files_under(root: str) -> list[str]:
    return sorted(
        str(Path(folder, name).relative_to(root))
        for folder, _, names in os.walk(root)
        for name in names
    )


class DiskFillsDuringTheWrite:
    """A file whose writes fail with ENOSPC after `room` bytes, as on a full disk."""

    def __init__(self, handle, room: int):
        self.handle, self.room = handle, room

    def write(self, data):
        if self.room < len(data):
            self.handle.write(data[: self.room])
            raise OSError(errno.ENOSPC, "No space left on device")
        self.room -= len(data)
        return self.handle.write(data)

    def __getattr__(self, name):
        return getattr(self.handle, name)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.handle.close()


class FullDiskTests(ProgramTestCase):
    def setUp(self):
        self.media = tempfile.mkdtemp()
        self.addCleanup(subprocess.run, ["rm", "-rf", self.media])
        settings = override_settings(MEDIA_ROOT=self.media)
        settings.enable()
        self.addCleanup(settings.disable)
        self.application = self.ready_application()
        self.before = files_under(self.media)

    def disk_fills(self, room: int = 64 * 1024):
        real = os.fdopen
        return mock.patch(
            "core.storage.os.fdopen",
            lambda *a, **k: DiskFillsDuringTheWrite(real(*a, **k), room),
        )

    def test_the_page_says_the_disk_is_full_and_nothing_is_kept(self):
        self.login(self.preparer)
        with self.disk_fills():
            response = self.client.post(
                f"/programs/applications/{self.application.pk}/attachments/",
                {"kind": "budget", "file": big_pdf(512 * 1024)},
                follow=True,
            )
        self.assertContains(response, FULL)
        self.assertFalse(self.application.attachments.filter(kind="budget").exists())
        self.assertEqual(files_under(self.media), self.before)  # no partial file, no temporary

    def test_the_api_answers_507_in_the_error_shape(self):
        self.login(self.preparer)
        with self.disk_fills():
            response = self.client.post(
                f"/api/applications/{self.application.pk}/attachments/",
                {"kind": "budget", "file": big_pdf(512 * 1024)},
            )
        self.assertEqual(response.status_code, 507)
        self.assertEqual(response.json()["code"], "storage_full")
        self.assertEqual(response.json()["message"], FULL)
        self.assertEqual(files_under(self.media), self.before)

    def test_the_same_upload_succeeds_once_there_is_room(self):
        with self.disk_fills(), self.assertRaisesMessage(StorageFull, FULL):
            service.add_attachment(
                self.preparer, self.application, AttachmentKind.BUDGET, big_pdf(512 * 1024)
            )
        attachment = service.add_attachment(
            self.preparer, self.application, AttachmentKind.BUDGET, big_pdf(512 * 1024)
        )
        self.assertEqual(attachment.file.size, len(PDF_BYTES) + 512 * 1024)

    def test_a_name_too_long_for_the_file_system_is_shortened_on_disk_only(self):
        name = "关于高镍三元正极材料共沉淀制备技术的中试验证报告" * 6 + ".pdf"
        attachment = service.add_attachment(
            self.preparer, self.application, AttachmentKind.OTHER, big_pdf(10, name)
        )
        stored = Path(attachment.file.name).name
        self.assertLessEqual(len(stored.encode("utf-8")), 255)
        self.assertTrue(stored.endswith(".pdf"))
        self.assertTrue(stored.startswith("关于高镍三元正极材料"))
        self.assertEqual(attachment.name, name[:200])
        self.login(self.preparer)
        page = self.client.get(f"/programs/applications/{self.application.pk}/")
        self.assertContains(page, name[:20])


@skipUnless(os.geteuid() == 0, "mounting a small file system needs root")
class RealFullDiskTests(ProgramTestCase):
    """The drill on a real file system: a 1 MB tmpfs as the media folder, a 2 MB upload."""

    def setUp(self):
        self.media = tempfile.mkdtemp()
        mounted = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", self.media], capture_output=True
        )
        if mounted.returncode:
            os.rmdir(self.media)
            self.skipTest("this machine does not let a test mount a tmpfs")
        self.addCleanup(os.rmdir, self.media)
        self.addCleanup(subprocess.run, ["umount", self.media])
        settings = override_settings(MEDIA_ROOT=self.media)
        settings.enable()
        self.addCleanup(settings.disable)

    def test_an_upload_larger_than_the_free_space_is_refused_and_leaves_nothing(self):
        application = self.ready_application()
        before = files_under(self.media)
        self.login(self.preparer)
        response = self.client.post(
            f"/programs/applications/{application.pk}/attachments/",
            {"kind": "budget", "file": big_pdf(2 * 1024 * 1024)},
            follow=True,
        )
        self.assertContains(response, FULL)
        self.assertFalse(application.attachments.filter(kind="budget").exists())
        self.assertEqual(files_under(self.media), before)
        self.assertLess(
            sum(os.path.getsize(Path(self.media, name)) for name in files_under(self.media)),
            1024 * 1024,
        )
