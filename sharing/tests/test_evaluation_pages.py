"""开放共享评价 pages: the years (published for everyone, drafts for the bureau), starting a
run, the ranking with the method and distribution, a host's own row, export, publishing."""

from __future__ import annotations

import csv
import io

from openpyxl import load_workbook

from core.models import Job
from sharing.choices import EvaluationStatus
from sharing.models import SharingEvaluation
from sharing.services import evaluation as ev

from .test_evaluation import EvaluationDataTestCase

URL = "/sharing/evaluations/"


class EvaluationPageTests(EvaluationDataTestCase):
    """The same 2025 data as the run tests: 长春技术转移中心 65.60 合格, 吉林大学 46.80 较差."""

    def test_drafts_are_listed_for_the_bureau_only(self):
        draft = ev.run_evaluation(self.city_admin, self.year)
        public = self.client.get(URL)
        self.assertContains(public, "还没有发布的评价结果")
        self.assertNotContains(public, "开始评价")
        self.assertEqual(self.client.get(f"{URL}{draft.pk}/").status_code, 404)
        self.login(self.institute)
        self.assertEqual(self.client.get(f"{URL}{draft.pk}/").status_code, 404)
        self.login(self.city_admin)
        page = self.client.get(URL)
        self.assertContains(page, "2025年度")
        self.assertContains(page, "草稿")
        self.assertContains(page, "开始评价")
        detail = self.client.get(f"{URL}{draft.pk}/")
        self.assertContains(detail, "发布评价结果")
        self.assertContains(detail, "仅市科技局可见")

    def test_the_bureau_starts_a_run_and_follows_it(self):
        self.login(self.city_admin)
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(f"{URL}start/", {"year": "2025"})
        job = Job.objects.get()
        self.assertRedirects(response, f"{URL}?job={job.pk}")
        page = self.client.get(f"{URL}?job={job.pk}")
        self.assertContains(page, "2025年度开放共享评价")
        self.assertContains(page, "2025年度评价完成：2 家单位。")
        evaluation = SharingEvaluation.objects.get()
        self.assertContains(page, f"{URL}{evaluation.pk}/")
        fragment = self.client.get(f"{URL}?job={job.pk}", headers={"HX-Request": "true"})
        self.assertNotContains(fragment, "<html")
        self.assertContains(fragment, "查看评价草稿")
        bad = self.client.post(f"{URL}start/", {"year": "20x5"}, follow=True)
        self.assertContains(bad, "请填写评价年度")
        self.assertEqual(Job.objects.count(), 1)

    def test_others_cannot_start_or_publish(self):
        draft = ev.run_evaluation(self.city_admin, self.year)
        for user in (self.enterprise, self.institute, self.district_admin):
            self.login(user)
            self.assertEqual(self.client.post(f"{URL}start/", {"year": "2025"}).status_code, 403)
            self.assertIn(self.client.post(f"{URL}{draft.pk}/publish/").status_code, (403, 404))
        self.assertFalse(Job.objects.exists())
        draft.refresh_from_db()
        self.assertEqual(draft.status, EvaluationStatus.DRAFT)

    def test_publishing_from_the_page_then_everyone_sees_the_ranking_and_method(self):
        draft = ev.run_evaluation(self.city_admin, self.year)
        self.login(self.city_admin)
        done = self.client.post(f"{URL}{draft.pk}/publish/", follow=True)
        self.assertContains(done, "2025年度开放共享评价结果已发布")
        again = self.client.post(f"{URL}{draft.pk}/publish/", follow=True)
        self.assertContains(again, "该年度评价已发布")
        self.assertNotContains(again, "发布评价结果</button>")
        rerun = self.client.post(f"{URL}start/", {"year": "2025"}, follow=True)
        self.assertContains(rerun, "该年度评价已发布")
        self.client.logout()
        page = self.client.get(f"{URL}{draft.pk}/")
        self.assertContains(page, "长春技术转移中心")
        self.assertContains(page, "65.60")
        self.assertContains(page, "合格")
        self.assertContains(page, "46.80")
        self.assertContains(page, "较差")
        self.assertContains(page, "评价参数状态：待核实")
        self.assertContains(page, "优秀：85 分及以上")
        self.assertContains(page, "达到 60% 及以上得满分 50 分")
        self.assertNotContains(page, "本单位")
        listing = self.client.get(URL)
        self.assertContains(listing, "已发布")

    def test_a_host_member_sees_its_own_components(self):
        ev.publish_evaluation(self.city_admin, ev.run_evaluation(self.city_admin, self.year))
        self.login(self.institute)
        page = self.client.get(f"{URL}{SharingEvaluation.objects.get().pk}/")
        self.assertContains(page, "本单位：第 2 名，46.80 分，较差")
        self.assertContains(page, "30.00%")  # its utilisation
        self.assertContains(page, "<strong>25.00</strong> / 50", html=False)
        self.assertContains(page, 'style="background:#fffaf2"', count=1)

    def test_export(self):
        evaluation = ev.run_evaluation(self.city_admin, self.year)
        ev.publish_evaluation(self.city_admin, evaluation)
        response = self.client.get(f"{URL}{evaluation.pk}/", {"export": "xlsx"})
        sheet = load_workbook(io.BytesIO(response.content)).active
        rows = [[c.value for c in row] for row in sheet.iter_rows()]
        self.assertEqual(rows[0][:2], ["名次", "单位名称"])
        self.assertEqual(rows[0][-5:], ["对外服务机时利用率得分", "对外服务次数得分", "用户平均满意度得分",
                                        "综合得分", "等级"])  # fmt: skip
        self.assertEqual(rows[1][1], "长春技术转移中心")
        self.assertEqual(rows[2][-1], "较差")
        text = b"".join(
            self.client.get(f"{URL}{evaluation.pk}/", {"export": "csv"}).streaming_content
        ).decode("utf-8-sig")
        lines = list(csv.reader(io.StringIO(text)))
        self.assertEqual(lines[2][:2], ["2", "吉林大学"])
        self.assertEqual(lines[2][5], "30.00%")
        self.assertEqual(lines[2][-2:], ["46.80", "较差"])
