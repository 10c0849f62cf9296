from io import StringIO

from django.core.management import call_command
from django.test import TestCase

from core.models import Organisation
from core.validators import validate_uscc
from integrity.demo import DEMO_ORGANISATION
from integrity.models import IntegrityRecord
from integrity.services import IntegrityRestricted, Person, check_integrity, require_integrity


class IntegrityDemoTests(TestCase):
    def run_demo(self) -> str:
        out = StringIO()
        call_command("demo", "--seed", "3", "--quiet-logins", stdout=out, stderr=StringIO())
        return out.getvalue()

    def test_demo_organisation_is_barred_from_applying_and_recognition_once(self):
        self.assertIn("科研失信记录 2 条", self.run_demo())
        org = Organisation.objects.get(name=DEMO_ORGANISATION)
        self.assertTrue(org.is_demo)
        validate_uscc(org.uscc)
        with self.assertRaisesMessage(IntegrityRestricted, f"{DEMO_ORGANISATION}存在科研失信记录"):
            require_integrity(org, "apply")
        with self.assertRaises(IntegrityRestricted):
            require_integrity(org, "recognition")
        require_integrity(org, "listing")
        self.assertNotRegex(self.run_demo(), r"科研失信记录 [1-9]")
        self.assertEqual(IntegrityRecord.objects.count(), 2)

    def test_expired_person_record_bars_nobody_and_no_other_organisation_has_records(self):
        self.run_demo()
        person = IntegrityRecord.objects.get(subject_kind="person")
        self.assertEqual(
            check_integrity(Person(person.person_name, person.person_id_number), "apply"), []
        )
        self.assertEqual(
            set(
                IntegrityRecord.objects.exclude(organisation=None).values_list(
                    "organisation__name", flat=True
                )
            ),
            {DEMO_ORGANISATION},
        )
