from django.test import TestCase, override_settings

from core.demo import generate
from programs.choices import ApplicationStatus, AssignmentStatus, CallKind
from programs.models import Application, Call, ReviewAssignment
from resources.models import Expert

from .base import _SCRATCH


@override_settings(MEDIA_ROOT=f"{_SCRATCH}/media", INDEX_DIR=f"{_SCRATCH}/no-index")
class ProgramDemoTests(TestCase):
    def test_every_role_finds_programs_work_in_the_demo(self):
        generate(seed=1, scale="small")
        self.assertEqual(Call.objects.filter(is_demo=True).count(), 3)
        challenge = Call.objects.get(kind=CallKind.CHALLENGE)
        self.assertTrue(all(t.demand_id and t.reward for t in challenge.topics.all()))
        mine = Application.objects.filter(created_by__username="demo_enterprise")
        self.assertEqual(mine.get().status, ApplicationStatus.DRAFT)
        under_review = Application.objects.filter(status=ApplicationStatus.IN_REVIEW)
        self.assertEqual(under_review.count(), 3)
        self.assertEqual(len({a.organisation_id for a in under_review}), 3)
        for application in under_review:
            self.assertEqual(
                application.assignments.filter(status=AssignmentStatus.INVITED).count(), 5
            )
        # The demo expert login has a profile the panel could draw on.
        self.assertTrue(Expert.objects.filter(user__username="demo_expert").exists())
        self.assertFalse(ReviewAssignment.objects.filter(application__status="draft").exists())
