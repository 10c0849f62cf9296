from core.choices import JobStatus
from core.models import Job, Organisation
from core.testing import PersonaTestCase


class DemoJobTests(PersonaTestCase):
    def test_city_admin_starts_demo_generation_and_sees_it_finish(self):
        self.login(self.city_admin)
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post("/jobs/demo/", {"seed": "7", "scale": "small"})
        job = Job.objects.get()
        self.assertRedirects(response, f"/jobs/{job.pk}/")
        self.assertEqual(job.status, JobStatus.SUCCEEDED)
        self.assertEqual(job.done, job.total)
        self.assertGreater(Organisation.objects.filter(is_demo=True).count(), 100)
        page = self.client.get(f"/jobs/{job.pk}/")
        self.assertContains(page, "已完成")
        self.assertContains(page, "新增：单位")

    def test_progress_fragment_for_polling(self):
        job = Job.objects.create(
            kind="demo", title="生成示例数据", created_by=self.city_admin, total=200, done=50
        )
        self.login(self.city_admin)
        fragment = self.client.get(f"/jobs/{job.pk}/", HTTP_HX_REQUEST="true")
        self.assertContains(fragment, "25%")
        self.assertContains(fragment, 'hx-trigger="every 1s"')
        self.assertNotContains(fragment, "<html")

    def test_enterprise_user_cannot_start_demo_generation(self):
        self.login(self.enterprise)
        self.client.post("/jobs/demo/", {"seed": "1", "scale": "small"}, follow=True)
        self.assertFalse(Job.objects.exists())

    def test_bad_seed_is_refused_with_a_message(self):
        self.login(self.city_admin)
        response = self.client.post("/jobs/demo/", {"seed": "abc", "scale": "small"}, follow=True)
        self.assertContains(response, "随机种子必须是整数。")
        self.assertFalse(Job.objects.exists())

    def test_users_see_only_their_own_jobs(self):
        job = Job.objects.create(kind="demo", title="市局的任务", created_by=self.city_admin)
        self.login(self.enterprise)
        self.assertEqual(self.client.get(f"/jobs/{job.pk}/").status_code, 404)
        self.assertNotContains(self.client.get("/jobs/"), "市局的任务")
        self.assertEqual(self.client.get("/api/jobs/").json()["count"], 0)

    def test_failing_job_is_recorded_with_its_message(self):
        from core.services.jobs import execute_job

        job = Job.objects.create(
            kind="demo", title="坏参数", params={"scale": "huge"}, created_by=self.city_admin
        )
        execute_job(job.pk)
        job.refresh_from_db()
        self.assertEqual(job.status, JobStatus.FAILED)
        self.assertIn("未知的规模", job.message)
