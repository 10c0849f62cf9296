"""The review cycle through the API alone, as another system would drive it."""

from django.core.files.uploadedfile import SimpleUploadedFile

from core.choices import Role
from core.factories import MembershipFactory, OrganisationFactory
from programs.choices import ApplicationStatus
from programs.factories import PDF_BYTES
from programs.models import Application, ReviewAssignment
from resources.factories import ExpertFactory

from .base import BUDGET, ProgramTestCase

SHEET = {"innovation": 25, "feasibility": 20, "team": 12, "benefit": 15, "budget": 8}


class ProgramApiTests(ProgramTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.call.probability_cap = "0.8"
        cls.call.save()
        cls.reviewers = []
        for i in range(6):
            org = OrganisationFactory(name=f"接口评审单位{i}")
            user = MembershipFactory(
                user__username=f"api_reviewer{i}", organisation=org, role=Role.EXPERT
            ).user
            ExpertFactory(owner=org, user=user, title=f"接口专家{i}")
            cls.reviewers.append(user)

    def post(self, url, data=None, **kwargs):
        return self.client.post(url, data or {}, content_type="application/json", **kwargs)

    def test_calls_are_public_once_published_and_drafts_stay_with_the_bureau(self):
        self.call.__class__.objects.create(
            title="草稿指南", program="测试", year=2026, kind="general", description="草稿",
            budget_total=10, max_funding=5, opens_at=self.call.opens_at,
            closes_at=self.call.closes_at,
        )  # fmt: skip
        titles = [c["title"] for c in self.client.get("/api/calls/").json()["results"]]
        self.assertEqual(titles, [self.call.title])
        self.login(self.city_admin)
        titles = [c["title"] for c in self.client.get("/api/calls/").json()["results"]]
        self.assertIn("草稿指南", titles)

    def test_the_lists_filter_with_the_same_filtersets_as_the_pages(self):
        self.call.__class__.objects.create(
            title="草稿指南", program="测试", year=2025, kind="general", description="草稿",
            budget_total=10, max_funding=5, opens_at=self.call.opens_at,
            closes_at=self.call.closes_at,
        )  # fmt: skip
        self.login(self.city_admin)
        drafts = self.client.get("/api/calls/", {"status": "draft"}).json()["results"]
        self.assertEqual([c["title"] for c in drafts], ["草稿指南"])
        self.assertEqual(self.client.get("/api/calls/", {"year": "2031"}).json()["results"], [])
        application = self.confirmed()
        self.confirmed(title="另一项申报")
        found = self.client.get("/api/applications/", {"q": application.number}).json()
        self.assertEqual([a["id"] for a in found["results"]], [application.pk])
        self.login(self.other_enterprise)  # may filter only by calls it can see
        response = self.client.get("/api/applications/", {"call": "999999"})
        self.assertEqual(response.status_code, 400)

    def test_the_whole_review_cycle_through_the_api(self):
        # The applicant prepares, uploads and submits.
        self.login(self.preparer)
        created = self.post(
            "/api/applications/",
            {
                "call": self.call.pk,
                "topic": self.topic.pk,
                "title": "高功率半导体激光器封装与散热技术研究",
                "summary": "研究高功率半导体激光器封装结构与散热。",
                "pi_name": "王研究",
                "requested_funding": "80",
                "self_funding": "40",
                "budget": {**BUDGET, "business": "10"},
            },
        )
        self.assertEqual(created.status_code, 201, created.content)
        pk = created.json()["id"]
        refused = self.post(f"/api/applications/{pk}/submit/")
        self.assertEqual(refused.status_code, 400)
        body = refused.json()
        self.assertEqual(body["code"], "not_ready")
        self.assertIn("缺少附件“申报书正文”", body["errors"]["non_field_errors"])
        self.assertTrue(any("预算科目合计80" in p for p in body["errors"]["non_field_errors"]))

        patched = self.client.patch(
            f"/api/applications/{pk}/", {"budget": BUDGET}, content_type="application/json"
        )
        self.assertEqual(patched.json()["budget"]["business"], "50.00")
        upload = self.client.post(
            f"/api/applications/{pk}/attachments/",
            {"kind": "proposal", "file": SimpleUploadedFile("正文.pdf", PDF_BYTES)},
        )
        self.assertEqual(upload.status_code, 201, upload.content)
        submitted = self.post(f"/api/applications/{pk}/submit/")
        self.assertEqual(submitted.json()["status"], ApplicationStatus.SUBMITTED)

        # Only the organisation's administrator confirms it.
        self.assertEqual(self.post(f"/api/applications/{pk}/confirm/").status_code, 403)
        self.login(self.enterprise)
        self.assertEqual(
            self.post(f"/api/applications/{pk}/confirm/").json()["status"], "confirmed"
        )

        # Another organisation does not even see it.
        self.login(self.other_enterprise)
        self.assertEqual(self.client.get(f"/api/applications/{pk}/").status_code, 404)

        # Formal check and the panel, by the bureau.
        self.login(self.city_admin)
        self.assertEqual(self.post(f"/api/applications/{pk}/accept/").json()["status"], "accepted")
        with self.captureOnCommitCallbacks(execute=True):
            started = self.post(f"/api/calls/{self.call.pk}/panel/")
        self.assertEqual(started.status_code, 202)
        job = self.client.get(f"/api/jobs/{started.json()['job']}/").json()
        self.assertEqual(job["status"], "succeeded", job)
        panel = self.client.get(f"/api/applications/{pk}/panel/").json()
        invited = [m for m in panel if m["status"] == "invited"]
        self.assertEqual(len(invited), 3)
        self.assertTrue(all("匹配度" in m["reason"] for m in invited))

        # Each invited expert accepts, reads, scores; the others' scores only afterwards.
        for member in invited:
            assignment = ReviewAssignment.objects.get(pk=member["id"])
            self.login(assignment.expert.user)
            url = f"/api/reviews/{assignment.pk}/"
            self.assertEqual(self.client.get(url + "application/").status_code, 403)
            self.assertEqual(self.post(url + "respond/", {"accept": True}).status_code, 200)
            self.assertEqual(self.client.get(url + "application/").json()["id"], pk)
            self.assertEqual(self.client.get(url + "others/").status_code, 403)
            scored = self.post(
                url + "scores/", {"scores": SHEET, "comment": "方案可行，建议支持立项。"}
            )
            self.assertEqual(scored.json()["total"], "80.00")
            self.assertEqual(self.client.get(url + "others/").status_code, 200)
        application = Application.objects.get(pk=pk)
        self.assertEqual(application.status, ApplicationStatus.REVIEWED)
        self.assertEqual(str(application.review_score), "80.00")

    def test_an_expert_never_sees_the_panel_and_a_district_admin_not_outside_the_district(self):
        application = self.confirmed(user=self.other_enterprise, admin=self.other_enterprise)
        self.login(self.district_admin)
        refused = self.post(f"/api/applications/{application.pk}/accept/")
        self.assertEqual(refused.status_code, 403)
        self.assertEqual(refused.json()["code"], "not_allowed")
        self.login(self.reviewers[0])
        self.assertEqual(
            self.client.get(f"/api/applications/{application.pk}/panel/").status_code, 403
        )


class ProgramApiRefusalTests(ProgramTestCase):
    """Requests the fuzz test found answered with a server error; each is now a refusal."""

    def post(self, url, data=None):
        return self.client.post(url, data or {}, content_type="application/json")

    def test_a_verdict_on_a_project_without_an_acceptance_is_a_conflict(self):
        application = self.confirmed()
        self.login(self.city_admin)
        response = self.post(f"/api/applications/{application.pk}/verdict/", {"verdict": "passed"})
        self.assertEqual(response.status_code, 409, response.content)
        self.assertEqual(response.json()["message"], "该项目尚未提交验收申请。")

    def test_a_change_request_without_proposed_values_is_refused_not_a_server_error(self):
        application = self.confirmed()
        self.login(self.enterprise)
        response = self.post(
            f"/api/applications/{application.pk}/changes/", {"kind": "pi", "reason": "调动"}
        )
        self.assertEqual(response.status_code, 409, response.content)
        self.assertEqual(response.json()["message"], "只有执行中的项目可以申请变更。")

    def test_an_id_that_is_not_a_number_is_not_found_in_the_error_shape(self):
        self.login(self.city_admin)
        response = self.client.get("/api/applications/null/contract/")
        self.assertEqual(response.status_code, 404)
        self.assertEqual(response.json()["code"], "not_found")
