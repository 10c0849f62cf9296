"""issue: the whole cycle — call, three applications from three organisations, formal check,
automatic panel with recusals, scoring, aggregation, 公示 with an objection, contract, an
overdue report blocking a new application, a change request, acceptance — through the API."""

import datetime
from decimal import Decimal
from unittest import mock

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from core.choices import OrgType, Role
from core.factories import MembershipFactory, OrganisationFactory
from core.testing import PersonaTestCase
from programs.factories import PDF_BYTES
from programs.models import ReviewAssignment
from resources.factories import ExpertFactory

SHEET = {"innovation": 26, "feasibility": 21, "team": 12, "benefit": 16, "budget": 8}
BUDGET = {"equipment": "30", "business": "50", "labour": "20", "indirect": "20"}


class FullCycleApiTests(PersonaTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.third_org = OrganisationFactory(name="长春北方精密仪器有限公司", region=cls.nanguan)
        cls.third = MembershipFactory(
            user__username="third", organisation=cls.third_org, role=Role.ENTERPRISE,
            is_org_admin=True,
        ).user  # fmt: skip
        # Seven reviewers from seven organisations, and one from an applicant (to be recused).
        for i in range(7):
            org = OrganisationFactory(name=f"全流程评审单位{i}", type=OrgType.INSTITUTE)
            user = MembershipFactory(
                user__username=f"cycle_expert{i}", organisation=org, role=Role.EXPERT
            ).user
            ExpertFactory(owner=org, user=user, title=f"全流程专家{i}", keywords="激光器，光电")
        ExpertFactory(owner=cls.enterprise_org, title="申报单位的专家", keywords="激光器")

    def api(self, user, method, url, data=None, status=200):
        self.client.force_login(user)
        if method == "get":
            response = self.client.get(url)
        elif isinstance(data, dict) and any(
            isinstance(v, SimpleUploadedFile) for v in data.values()
        ):
            response = self.client.post(url, data)
        else:
            response = getattr(self.client, method)(
                url, data or {}, content_type="application/json"
            )
        self.assertEqual(response.status_code, status, response.content.decode()[:500])
        return response.json() if response.content else None

    def apply(self, user, call, topic, title):
        app = self.api(user, "post", "/api/applications/", {
            "call": call, "topic": topic, "title": title, "summary": f"{title}：研究内容与目标。",
            "keywords": "激光器，光电", "pi_name": f"{user.username}负责人",
            "requested_funding": "80", "self_funding": "40", "budget": BUDGET,
        }, status=201)  # fmt: skip
        self.api(user, "post", f"/api/applications/{app['id']}/attachments/",
                 {"kind": "proposal", "file": SimpleUploadedFile("正文.pdf", PDF_BYTES)}, status=201)  # fmt: skip
        self.api(user, "post", f"/api/applications/{app['id']}/submit/")
        self.api(user, "post", f"/api/applications/{app['id']}/confirm/")  # each is its org's admin
        return app["id"]

    def test_the_whole_cycle_through_the_api(self):
        now = timezone.now()
        call = self.api(self.city_admin, "post", "/api/calls/", {
            "title": "2026年度长春市光电信息专项", "program": "长春市科技发展计划", "year": 2026,
            "kind": "general", "description": "支持光电信息关键技术攻关。", "budget_total": "300",
            "max_funding": "100", "opens_at": (now - datetime.timedelta(days=1)).isoformat(),
            "closes_at": (now + datetime.timedelta(days=30)).isoformat(),
            "reviewers_per_application": 3, "probability_cap": "0.8", "alternates": 1,
            "topics": [{"code": "GD01", "title": "激光器件", "description": "高功率激光器。"}],
        }, status=201)  # fmt: skip
        self.api(self.city_admin, "post", f"/api/calls/{call['id']}/publish/")
        topic = call["topics"][0]["id"]
        ids = [
            self.apply(user, call["id"], topic, title)
            for user, title in (
                (self.enterprise, "高功率半导体激光器封装"),
                (self.other_enterprise, "车载激光雷达光源"),
                (self.third, "精密激光测距仪"),
            )
        ]
        for pk in ids:
            self.api(self.city_admin, "post", f"/api/applications/{pk}/accept/")

        # The panel: an expert of the first applicant is recused, and the reason is shown.
        with self.captureOnCommitCallbacks(execute=True):
            job = self.api(self.city_admin, "post", f"/api/calls/{call['id']}/panel/", status=202)
        self.assertEqual(
            self.api(self.city_admin, "get", f"/api/jobs/{job['job']}/")["status"], "succeeded"
        )
        recusals = self.api(self.city_admin, "get", f"/api/applications/{ids[0]}/recusals/")
        self.assertIn(("申报单位的专家", "与申报单位同单位"),
                      [(r["expert_name"], r["reason_display"]) for r in recusals])  # fmt: skip
        self.api(self.enterprise, "get", f"/api/applications/{ids[0]}/recusals/", status=403)

        for pk in ids:
            for member in self.api(self.city_admin, "get", f"/api/applications/{pk}/panel/"):
                if member["status"] != "invited":
                    continue
                expert = ReviewAssignment.objects.get(pk=member["id"]).expert.user
                url = f"/api/reviews/{member['id']}/"
                self.api(expert, "get", url + "others/", status=403)
                self.api(expert, "post", url + "respond/", {"accept": True})
                self.api(
                    expert,
                    "post",
                    url + "scores/",
                    {"scores": SHEET, "comment": "方案可行，建议支持。"},
                )
        for pk in ids:
            self.assertEqual(
                self.api(self.city_admin, "get", f"/api/applications/{pk}/")["review_score"],
                "83.00",
            )

        # 拟立项 two of them, 公示 with an objection that is dismissed, then 正式立项.
        self.api(self.city_admin, "post", f"/api/calls/{call['id']}/propose/",
                 {"funding": {str(ids[0]): "80", str(ids[1]): "60"}})  # fmt: skip
        publicity = self.api(
            self.city_admin, "post", f"/api/calls/{call['id']}/publicity/", status=201
        )
        self.assertEqual(len(publicity["projects"]), 2)
        self.client.logout()
        objection = self.client.post(
            f"/api/publicities/{publicity['id']}/objections/",
            {"application": ids[1], "name": "匿名", "contact": "13900001111",
             "content": "该项目与已结题项目内容高度重复。"},
            content_type="application/json",
        ).json()  # fmt: skip
        self.api(self.city_admin, "post",
                 f"/api/publicities/{publicity['id']}/objections/{objection['id']}/resolve/",
                 {"upheld": False, "resolution": "经核查内容不重复。"})  # fmt: skip
        later = datetime.date.fromisoformat(publicity["ends_on"]) + datetime.timedelta(days=1)
        with mock.patch.object(timezone, "localdate", return_value=later):
            final = self.api(
                self.city_admin, "post", f"/api/publicities/{publicity['id']}/finalise/"
            )
        self.assertEqual(final["status"], "finalised")
        self.client.force_login(self.city_admin)
        notice = self.client.get(final["notice"])
        self.assertEqual(notice["Content-Type"], "application/pdf")
        self.assertTrue(b"".join(notice.streaming_content).startswith(b"%PDF"))
        self.assertEqual(
            self.api(self.city_admin, "get", f"/api/applications/{ids[2]}/")["status"], "not_funded"
        )

        # 任务书, signed; its first report is already overdue and blocks a new application.
        start = timezone.localdate() - datetime.timedelta(days=220)
        self.api(self.city_admin, "post", f"/api/applications/{ids[0]}/contract/", {
            "start_date": start.isoformat(), "end_date": (start + datetime.timedelta(days=730)).isoformat(),
            "funding": "80", "budget": {"equipment": "20", "business": "40", "labour": "20"},
            "milestones": [{"title": "样机", "due": "2027-06-30"}],
            "indicators": [{"name": "输出功率", "target": "≥100W"}],
        }, status=201)  # fmt: skip
        self.api(self.enterprise, "post", f"/api/applications/{ids[0]}/sign/")
        reports = self.api(self.enterprise, "get", f"/api/applications/{ids[0]}/reports/")
        self.assertLess(reports[0]["due_date"], timezone.localdate().isoformat())
        refused = self.api(self.enterprise, "post", "/api/applications/", {
            "call": call["id"], "topic": topic, "title": "新的申报",
        }, status=403)  # fmt: skip
        self.assertIn("逾期未交的项目进展报告", refused["message"])
        self.api(self.enterprise, "post", f"/api/reports/{reports[0]['id']}/submit/",
                 {"progress": "完成封装结构设计与热仿真，样机加工过半，进度正常。", "spent": "30"})  # fmt: skip

        # A change of PI, approved; then acceptance with a second panel, and the verdict.
        change = self.api(self.enterprise, "post", f"/api/applications/{ids[0]}/changes/",
                          {"kind": "pi", "reason": "原负责人调离", "proposed": {"pi_name": "新负责人"}},
                          status=201)  # fmt: skip
        self.api(self.city_admin, "post", f"/api/changes/{change['id']}/decide/", {"approve": True})
        self.api(self.enterprise, "post", f"/api/applications/{ids[0]}/acceptance/",
                 {"summary": "完成全部考核指标，输出功率达到120W，申请发明专利3件。"}, status=201)  # fmt: skip
        with self.captureOnCommitCallbacks(execute=True):
            self.api(self.city_admin, "post", f"/api/calls/{call['id']}/panel/",
                     {"stage": "acceptance", "only": [ids[0]]}, status=202)  # fmt: skip
        for assignment in ReviewAssignment.objects.filter(application_id=ids[0], stage="acceptance",
                                                          status="invited"):  # fmt: skip
            url = f"/api/reviews/{assignment.pk}/"
            self.api(assignment.expert.user, "post", url + "respond/", {"accept": True})
            self.api(assignment.expert.user, "post", url + "scores/",
                     {"scores": SHEET, "comment": "指标全部完成，同意通过验收。"})  # fmt: skip
        verdict = self.api(
            self.city_admin, "post", f"/api/applications/{ids[0]}/verdict/", {"verdict": "passed"}
        )
        self.assertEqual((verdict["verdict_display"], verdict["score"]), ("通过验收", "83.00"))
        project = self.api(self.enterprise, "get", f"/api/applications/{ids[0]}/")
        self.assertEqual((project["status"], project["pi_name"]), ("closed", "新负责人"))
        self.api(self.enterprise, "post", f"/api/applications/{ids[0]}/outcomes/",
                 {"kind": "patent", "title": "一种高功率激光器封装结构", "year": 2027}, status=201)  # fmt: skip
        self.assertEqual(Decimal(project["review_score"]), Decimal("83.00"))
