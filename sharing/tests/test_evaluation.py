"""The annual open-sharing evaluation: the scoring by hand, the grade boundaries, ranks with
ties, the run (draft, re-run, background job, command), publishing and who sees what."""

from __future__ import annotations

import datetime
from decimal import Decimal
from io import StringIO

from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import SimpleTestCase
from django.utils import timezone

from core.choices import JobStatus
from core.exceptions import InvalidTransition, NotAllowed, NotFound
from core.models import AuditEntry, Job, Notification
from core.testing import PersonaTestCase
from resources.factories import InstrumentFactory
from sharing.choices import BookingStatus, EvaluationStatus
from sharing.factories import BookingFactory, SlotFactory, UsageFactory
from sharing.models import HostGrade, SharingEvaluation
from sharing.services import evaluation as ev
from sharing.services.sharing_stats import HostStats


def host(pk, name, utilisation, services, satisfaction, **extra):
    return HostStats(
        organisation_id=pk,
        name=name,
        region_id=None,
        instruments=extra.get("instruments", 1),
        hours_offered=Decimal("100"),
        hours_used=Decimal("0") if utilisation is None else Decimal(utilisation) * 100,
        utilisation=None if utilisation is None else Decimal(utilisation),
        services=services,
        outside_users=extra.get("outside_users", 1),
        fees=Decimal("0"),
        satisfaction=None if satisfaction is None else Decimal(satisfaction),
    )


class ScoringTests(SimpleTestCase):
    """The suggested parameters: utilisation 50 points (full at 60 %), services 30 points (full
    at 50), satisfaction 20 points ((avg − 1) ÷ 4 × 20); 优秀 ≥ 85, 良好 ≥ 70, 合格 ≥ 60."""

    params = ev.load_params()

    def test_the_data_file_is_marked_for_the_bureau_to_confirm(self):
        self.assertEqual(self.params["status"], "待核实")
        self.assertIn("科研设施与仪器开放共享评价考核", self.params["source"])
        self.assertIn("须经市科技局核实确认", self.params["source"])
        self.assertEqual([i["weight"] for i in self.params["indicators"]], [50, 30, 20])
        self.assertEqual(
            [g["label"] for g in self.params["grades"]], ["优秀", "良好", "合格", "较差"]
        )

    def test_hand_worked_scores_grades_and_ranks(self):
        rows = [
            # A: 0.45 ÷ 0.60 × 50 = 37.50; 40 ÷ 50 × 30 = 24.00; (4.5 − 1) ÷ 4 × 20 = 17.50
            #    → 79.00 良好
            host(1, "甲研究院", "0.45", 40, "4.5"),
            # B: 72 % ≥ 60 % → 50.00; 65 ≥ 50 → 30.00; (4.8 − 1) ÷ 4 × 20 = 19.00 → 99.00 优秀
            host(2, "乙大学", "0.72", 65, "4.8"),
            # C: no hours offered → 0 (noted); no services → 0; no ratings → 0 (noted) → 0 较差
            host(3, "丙中心", None, 0, None),
            # D: 0.35 ÷ 0.60 × 50 = 29.1666… → 29.17; 33 ÷ 50 × 30 = 19.80;
            #    (4.0 − 1) ÷ 4 × 20 = 15.00 → 63.97 合格
            host(4, "丁公司", "0.35", 33, "4.0"),
        ]
        scored = ev.score_hosts(rows, self.params)
        self.assertEqual(
            [(s.name, s.score, s.grade_label, s.rank) for s in scored],
            [
                ("乙大学", Decimal("99.00"), "优秀", 1),
                ("甲研究院", Decimal("79.00"), "良好", 2),
                ("丁公司", Decimal("63.97"), "合格", 3),
                ("丙中心", Decimal("0.00"), "较差", 4),
            ],
        )
        a = next(s for s in scored if s.name == "甲研究院")
        self.assertEqual(
            [(c.key, c.value_text, c.points) for c in a.components],
            [
                ("utilisation", "45.00%", Decimal("37.50")),
                ("services", "40 次", Decimal("24.00")),
                ("satisfaction", "4.50", Decimal("17.50")),
            ],
        )
        self.assertIn("60%", a.components[0].rule)
        c = next(s for s in scored if s.name == "丙中心")
        self.assertEqual(c.components[0].note, "当年未开放机时，利用率无法计算，按 0 分计。")
        self.assertEqual(c.components[2].note, "当年没有用户满意度评价，按 0 分计。")
        self.assertEqual(c.components[1].note, "")  # zero services is a value, not missing

    def test_grade_boundaries(self):
        cases = [
            # 50 + 30 + (2 − 1) ÷ 4 × 20 = 85.00 → exactly the 优秀 line
            (host(1, "a", "0.60", 50, "2.0"), "85.00", "优秀"),
            # 50 + 0 + 20 = 70.00 → 良好
            (host(2, "b", "0.60", 0, "5"), "70.00", "良好"),
            # 0.36 ÷ 0.6 × 50 = 30.00; + 30 + 0 = 60.00 → 合格
            (host(3, "c", "0.36", 50, None), "60.00", "合格"),
            # 0.35988 ÷ 0.6 × 50 = 29.99; + 30 = 59.99 → 较差
            (host(4, "d", "0.35988", 50, None), "59.99", "较差"),
            # 50 + 30 + (1.998 − 1) ÷ 4 × 20 = 4.99 → 84.99, just below the line → 良好
            (host(5, "e", "0.60", 50, "1.998"), "84.99", "良好"),
            # (1.999 − 1) ÷ 4 × 20 = 4.995 → 5.00 (half up) → 85.00 优秀
            (host(6, "f", "0.60", 50, "1.999"), "85.00", "优秀"),
            # beyond the full mark the weight is the most: 100 % and 100 services → 50 + 30 + 20
            (host(7, "g", "1", 100, "5"), "100.00", "优秀"),
        ]
        for row, score, grade in cases:
            (scored,) = ev.score_hosts([row], self.params)
            self.assertEqual((scored.score, scored.grade_label), (Decimal(score), grade), row.name)

    def test_ties_share_a_rank_and_the_next_rank_skips(self):
        rows = [
            host(1, "乙", "0.45", 40, "4.5"),  # 79.00
            host(2, "甲", "0.45", 40, "4.5"),  # 79.00
            host(3, "丙", "0.30", 10, "3.0"),  # 25.00 + 6.00 + 10.00 = 41.00
        ]
        scored = ev.score_hosts(rows, self.params)
        self.assertEqual([(s.name, s.rank) for s in scored], [("乙", 1), ("甲", 1), ("丙", 3)])

    def test_other_parameters_are_applied_as_given(self):
        params = {
            "indicators": [
                {"key": "services", "label": "次数", "weight": 60, "kind": "linear",
                 "full_at": 10, "rule": "r"},
                {"key": "outside_users", "label": "用户", "weight": 40, "kind": "linear",
                 "full_at": 4, "rule": "r"},
            ],
            "grades": [{"key": "pass", "label": "合格", "min": 50},
                       {"key": "poor", "label": "较差", "min": 0}],
        }  # fmt: skip
        # 5 ÷ 10 × 60 = 30.00; 1 ÷ 4 × 40 = 10.00 → 40.00 较差
        (scored,) = ev.score_hosts([host(1, "a", "0.5", 5, None, outside_users=1)], params)
        self.assertEqual((scored.score, scored.grade), (Decimal("40.00"), "poor"))

    def test_the_method_is_written_from_the_parameters(self):
        method = ev.method(self.params)
        self.assertEqual(method["total"], Decimal(100))
        self.assertEqual(
            method["bands"],
            ["优秀：85 分及以上", "良好：70 分及以上、低于 85 分", "合格：60 分及以上、低于 70 分",
             "较差：低于 60 分"],
        )  # fmt: skip
        self.assertEqual(method["status"], "待核实")


def at(year, month, day, hour=9):
    return timezone.make_aware(datetime.datetime(year, month, day, hour))


class EvaluationDataTestCase(PersonaTestCase):
    """2025: 吉林大学 offers 10 slots of 4 h (40 h), 3 used by 长春华锐 (12 h, rated 5);
    长春技术转移中心 offers one slot of 4 h, used in full by 长春华锐 (rated 4)."""

    year = 2025

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        microscope = InstrumentFactory(owner=cls.university, title="场发射扫描电子显微镜")
        slots = [
            SlotFactory(
                instrument=microscope,
                starts_at=at(2025, 3, d),
                ends_at=at(2025, 3, d) + datetime.timedelta(hours=4),
            )
            for d in range(1, 11)
        ]
        for slot in slots[:3]:
            cls._use(slot, cls.enterprise, 5)
        spectrometer = InstrumentFactory(owner=cls.agency, title="电感耦合等离子体质谱仪")
        slot = SlotFactory(
            instrument=spectrometer,
            starts_at=at(2025, 6, 2),
            ends_at=at(2025, 6, 2) + datetime.timedelta(hours=4),
        )
        cls._use(slot, cls.enterprise, 4)

    @classmethod
    def _use(cls, slot, user, satisfaction):
        booking = BookingFactory(slot=slot, requester=user, status=BookingStatus.USED)
        UsageFactory(booking=booking, hours=Decimal("4"), satisfaction=satisfaction)


class EvaluationRunTests(EvaluationDataTestCase):
    def test_a_run_stores_a_draft_with_grades_and_the_parameters(self):
        evaluation = ev.run_evaluation(self.city_admin, self.year)
        self.assertEqual(evaluation.status, EvaluationStatus.DRAFT)
        self.assertEqual(evaluation.params["status"], "待核实")
        grades = list(ev.grades_of(evaluation))
        # 中心: 4 ÷ 4 = 100 % → 50.00; 1 ÷ 50 × 30 = 0.60; (4 − 1) ÷ 4 × 20 = 15.00 → 65.60 合格
        # 吉大: 12 ÷ 40 = 30 % → 25.00; 3 ÷ 50 × 30 = 1.80; (5 − 1) ÷ 4 × 20 = 20.00 → 46.80 较差
        self.assertEqual(
            [(g.organisation.name, g.score, g.get_grade_display(), g.rank) for g in grades],
            [
                ("长春技术转移中心", Decimal("65.60"), "合格", 1),
                ("吉林大学", Decimal("46.80"), "较差", 2),
            ],
        )
        jlu = grades[1]
        self.assertEqual((jlu.hours_offered, jlu.hours_used), (Decimal("40.00"), Decimal("12.00")))
        self.assertEqual(jlu.utilisation, Decimal("0.3000"))
        self.assertEqual(jlu.components[0]["points"], "25.00")
        self.assertTrue(
            AuditEntry.objects.filter(
                content_type__model="sharingevaluation", object_id=str(evaluation.pk)
            ).exists()
        )

    def test_re_running_replaces_the_draft(self):
        first = ev.run_evaluation(self.city_admin, self.year)
        second = ev.run_evaluation(self.city_admin, self.year)
        self.assertNotEqual(first.pk, second.pk)
        self.assertEqual(list(SharingEvaluation.objects.values_list("pk", flat=True)), [second.pk])
        self.assertEqual(HostGrade.objects.count(), 2)

    def test_publishing_freezes_the_year_and_tells_the_hosts(self):
        evaluation = ev.run_evaluation(self.city_admin, self.year)
        published = ev.publish_evaluation(self.city_admin, evaluation)
        self.assertEqual(published.status, EvaluationStatus.PUBLISHED)
        self.assertIsNotNone(published.published_at)
        self.assertEqual(
            Notification.objects.get(user=self.institute).title,
            "2025年度大型科研仪器开放共享评价结果已发布：贵单位评为较差。",
        )
        self.assertTrue(Notification.objects.filter(user=self.broker).exists())
        self.assertFalse(Notification.objects.filter(user=self.enterprise).exists())
        with self.assertRaisesMessage(InvalidTransition, "该年度评价已发布"):
            ev.run_evaluation(self.city_admin, self.year)
        with self.assertRaisesMessage(InvalidTransition, "该年度评价已发布"):
            ev.publish_evaluation(self.city_admin, published)
        with self.assertRaisesMessage(InvalidTransition, "该年度评价已发布"):
            ev.start_evaluation(self.city_admin, self.year)
        self.assertEqual(SharingEvaluation.objects.get().pk, published.pk)
        self.assertEqual(HostGrade.objects.filter(evaluation=published).count(), 2)

    def test_another_year_is_independent(self):
        ev.publish_evaluation(self.city_admin, ev.run_evaluation(self.city_admin, self.year))
        empty = ev.run_evaluation(self.city_admin, 2024)
        self.assertEqual(empty.grades.count(), 0)

    def test_only_the_bureau_runs_and_publishes(self):
        for user in (self.enterprise, self.institute, self.district_admin, self.leader):
            with self.assertRaisesMessage(NotAllowed, "只有市科技局可以开展开放共享评价"):
                ev.run_evaluation(user, self.year)
            with self.assertRaises(NotAllowed):
                ev.start_evaluation(user, self.year)
        evaluation = ev.run_evaluation(self.city_admin, self.year)
        with self.assertRaisesMessage(NotAllowed, "只有市科技局可以发布评价结果"):
            ev.publish_evaluation(self.district_admin, evaluation)
        evaluation.refresh_from_db()
        self.assertEqual(evaluation.status, EvaluationStatus.DRAFT)

    def test_drafts_are_for_the_bureau_published_results_for_everyone(self):
        draft = ev.run_evaluation(self.city_admin, self.year)
        self.assertEqual(list(ev.evaluations_for(self.public)), [])
        with self.assertRaises(NotFound):
            ev.get_evaluation_for(self.institute, draft.pk)
        self.assertEqual(ev.get_evaluation_for(self.city_admin, draft.pk), draft)
        ev.publish_evaluation(self.city_admin, draft)
        self.assertEqual(ev.get_evaluation_for(self.public, draft.pk), draft)

    def test_the_background_job_reports_progress_and_the_result(self):
        with self.captureOnCommitCallbacks(execute=True):
            job = ev.start_evaluation(self.city_admin, self.year)
        job.refresh_from_db()
        self.assertEqual(job.status, JobStatus.SUCCEEDED, job.error)
        self.assertEqual((job.done, job.total), (2, 2))
        self.assertEqual(job.result["grades"], {"excellent": 0, "good": 0, "pass": 1, "poor": 1})
        self.assertEqual(job.message, "2025年度评价完成：2 家单位。")
        evaluation = SharingEvaluation.objects.get(pk=job.result["evaluation_id"])
        self.assertEqual(evaluation.computed_by, self.city_admin)
        self.assertEqual(Job.objects.get().title, "2025年度开放共享评价")

    def test_the_command_runs_the_year_with_a_progress_bar(self):
        out, err = StringIO(), StringIO()
        call_command("sharing_evaluate", "--year", "2025", stdout=out, stderr=err)
        self.assertIn("2025年度开放共享评价草稿已生成", out.getvalue())
        self.assertIn("评价 2 家单位：优秀 0 家，良好 0 家，合格 1 家，较差 1 家。", out.getvalue())
        evaluation = SharingEvaluation.objects.get()
        self.assertIsNone(evaluation.computed_by)
        ev.publish_evaluation(self.city_admin, evaluation)
        with self.assertRaisesMessage(CommandError, "该年度评价已发布"):
            call_command("sharing_evaluate", "--year", "2025", stdout=out, stderr=err)
