from core.exceptions import InvalidTransition, NotAllowed
from core.models import AuditEntry, Notification
from core.testing import PersonaTestCase
from resources.choices import RecordStatus, VersionStatus
from resources.factories import AchievementFactory
from resources.models import Achievement, RecordVersion, Subscription
from resources.services import records

ACHIEVEMENT = {
    "title": "高镍三元正极材料共沉淀制备技术",
    "summary": "一种高镍三元正极材料的共沉淀制备方法，比容量提高12%。",
    "trl": 6,
    "allows_license": True,
}


class LifecycleTests(PersonaTestCase):
    def draft(self, user=None, **extra):
        return records.create_record(user or self.institute, Achievement, {**ACHIEVEMENT, **extra})

    def test_institute_drafts_submits_and_city_admin_publishes(self):
        record = self.draft()
        self.assertEqual(
            (record.status, record.owner, record.region),
            (RecordStatus.DRAFT, self.university, self.nanguan),
        )
        records.submit_record(self.institute, record)
        records.approve_record(self.city_admin, record)
        record.refresh_from_db()
        self.assertEqual(record.status, RecordStatus.PUBLISHED)
        self.assertIsNotNone(record.published_at)
        transitions = AuditEntry.objects.filter(
            action="transition", object_id=str(record.pk)
        ).order_by("id")
        self.assertEqual(
            [t.changes["status"] for t in transitions], [["草稿", "待审核"], ["待审核", "已发布"]]
        )

    def test_return_needs_a_reason_and_the_owner_sees_it(self):
        record = records.submit_record(self.institute, self.draft())
        from django.core.exceptions import ValidationError

        with self.assertRaises(ValidationError):
            records.return_record(self.city_admin, record, "  ")
        records.return_record(self.city_admin, record, "请补充技术指标")
        self.login(self.institute)
        response = self.client.get(f"/resources/achievements/{record.pk}/")
        self.assertContains(response, "退回原因：请补充技术指标")

    def test_district_admin_cannot_approve_outside_the_district(self):
        record = records.submit_record(self.institute, self.draft())  # 南关区
        with self.assertRaises(NotAllowed):
            records.approve_record(self.district_admin, record)
        self.login(self.district_admin)
        self.assertNotContains(self.client.get("/resources/review/"), ACHIEVEMENT["title"])

    def test_district_admin_approves_inside_the_district(self):
        record = records.submit_record(self.enterprise, self.draft(self.enterprise))  # 高新区
        self.login(self.district_admin)
        self.assertContains(self.client.get("/resources/review/"), ACHIEVEMENT["title"])
        self.client.post(
            "/resources/review/", {"action": "approve", "pick": [f"achievements:{record.pk}"]}
        )
        record.refresh_from_db()
        self.assertEqual(record.status, RecordStatus.PUBLISHED)

    def test_enterprise_cannot_read_another_organisations_draft(self):
        record = self.draft()
        self.login(self.enterprise)
        self.assertEqual(self.client.get(f"/resources/achievements/{record.pk}/").status_code, 404)
        self.assertEqual(
            self.client.get(f"/api/resources/achievements/{record.pk}/").status_code, 404
        )
        self.client.logout()
        self.assertEqual(self.client.get(f"/resources/achievements/{record.pk}/").status_code, 404)
        self.login(self.expert)  # same organisation as the author
        self.assertEqual(self.client.get(f"/resources/achievements/{record.pk}/").status_code, 200)

    def test_public_user_cannot_create_records(self):
        with self.assertRaises(NotAllowed):
            self.draft(self.public)
        with self.assertRaises(NotAllowed):
            self.draft(self.leader)

    def test_editing_a_published_record_waits_for_review_and_keeps_the_public_version(self):
        record = AchievementFactory(owner=self.university, title="旧名称", trl=5)
        records._publish_version(self.city_admin, record)
        version = records.update_record(
            self.institute, record, {**ACHIEVEMENT, "title": "新名称", "trl": 7}
        )
        self.assertEqual(version.status, VersionStatus.PENDING)
        record.refresh_from_db()
        self.assertEqual((record.title, record.trl), ("旧名称", 5))
        self.assertContains(self.client.get(f"/resources/achievements/{record.pk}/"), "旧名称")
        self.assertNotContains(self.client.get(f"/resources/achievements/{record.pk}/"), "新名称")
        records.approve_record(self.city_admin, record)
        record.refresh_from_db()
        self.assertEqual((record.title, record.trl), ("新名称", 7))
        history = records.history(record)
        self.assertEqual(history[0]["version"].number, 2)
        changed = {c["field"]: (c["old"], c["new"]) for c in history[0]["changes"]}
        self.assertEqual(changed["成果名称"], ("旧名称", "新名称"))

    def test_a_second_edit_replaces_the_pending_proposal(self):
        record = AchievementFactory(owner=self.university)
        records.update_record(self.institute, record, {**ACHIEVEMENT, "title": "提案一"})
        records.update_record(self.institute, record, {**ACHIEVEMENT, "title": "提案二"})
        pending = RecordVersion.objects.filter(object_id=record.pk, status=VersionStatus.PENDING)
        self.assertEqual([v.data["title"] for v in pending], ["提案二"])

    def test_submitted_record_cannot_be_edited(self):
        record = records.submit_record(self.institute, self.draft())
        with self.assertRaises(InvalidTransition):
            records.update_record(self.institute, record, ACHIEVEMENT)

    def test_after_an_action_the_user_stays_on_this_site(self):
        record = self.draft()
        self.login(self.institute)
        response = self.client.post(
            f"/resources/achievements/{record.pk}/submit/", {"next": "https://evil.example/"}
        )
        self.assertRedirects(
            response, f"/resources/achievements/{record.pk}/", fetch_redirect_response=False
        )
        record.refresh_from_db()
        self.assertEqual(record.status, RecordStatus.SUBMITTED)
        back = self.client.post(
            f"/resources/achievements/{record.pk}/return/",
            {"next": "/resources/achievements/", "reason": "x"},
        )
        self.assertEqual(back["Location"], "/resources/achievements/")

    def test_history_page_shows_the_differences(self):
        record = AchievementFactory(owner=self.university, title="旧名称")
        records._publish_version(self.city_admin, record)
        records.update_record(self.institute, record, {**ACHIEVEMENT, "title": "新名称"})
        records.approve_record(self.city_admin, record)
        response = self.client.get(f"/resources/achievements/{record.pk}/history/")
        self.assertContains(response, "<del>旧名称</del>", html=False)
        self.assertContains(response, "<ins>新名称</ins>", html=False)

    def test_subscriber_is_notified_when_a_matching_record_is_published(self):
        Subscription.objects.create(
            user=self.enterprise, kind="achievements", name="正极材料", query="q=正极材料"
        )
        Subscription.objects.create(
            user=self.broker, kind="achievements", name="疫苗", query="q=疫苗"
        )
        record = records.submit_record(self.institute, self.draft())
        with self.captureOnCommitCallbacks(execute=True):
            records.approve_record(self.city_admin, record)
        self.assertEqual(Notification.objects.filter(user=self.enterprise).count(), 1)
        self.assertFalse(Notification.objects.filter(user=self.broker).exists())
        from django.core import mail

        self.assertEqual(len(mail.outbox), 1)
        self.assertIn("正极材料", mail.outbox[0].subject)

    def test_owner_sees_contact_outsiders_see_it_masked(self):
        record = AchievementFactory(
            owner=self.university, contact_name="王小明", contact_phone="13912345678"
        )
        page = self.client.get(f"/resources/achievements/{record.pk}/")
        self.assertContains(page, "139****5678")
        self.assertNotContains(page, "王小明")
        api = self.client.get(f"/api/resources/achievements/{record.pk}/").json()
        self.assertEqual(api["contact_phone"], "139****5678")
        self.login(self.institute)
        self.assertContains(self.client.get(f"/resources/achievements/{record.pk}/"), "13912345678")


class NotificationPageTests(PersonaTestCase):
    def test_unread_count_shows_in_the_header_and_can_be_cleared(self):
        Notification.objects.create(
            user=self.enterprise, title="订阅“电池”有新的科技成果：退役电池回收", url="/"
        )
        self.login(self.enterprise)
        home = self.client.get("/")
        self.assertContains(home, '<span class="count">1</span>', html=False)
        self.assertContains(self.client.get("/notifications/"), "退役电池回收")
        self.client.post("/notifications/")
        self.assertNotContains(self.client.get("/"), '<span class="count">')

    def test_notifications_are_private(self):
        Notification.objects.create(user=self.enterprise, title="私人通知")
        self.login(self.broker)
        self.assertNotContains(self.client.get("/notifications/"), "私人通知")
