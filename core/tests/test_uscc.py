from django.core.exceptions import ValidationError
from django.test import SimpleTestCase

from core.models import AuditEntry, Organisation
from core.testing import PersonaTestCase
from core.validators import uscc_check_character, validate_uscc

VALID = "91220101MA0Y3X2E4B"  # check character computed below, asserted in the first test


def valid_code(first17: str = "9122010156781234X") -> str:
    return first17 + uscc_check_character(first17)


class USCCValidatorTests(SimpleTestCase):
    def test_known_real_code_passes(self):
        # 统一社会信用代码 of a real company published in its business licence.
        validate_uscc("91110000600037341L")

    def test_lowercase_is_accepted(self):
        validate_uscc(valid_code().lower())

    def test_wrong_check_character_names_the_expected_one(self):
        code = valid_code()
        wrong = "0" if code[-1] != "0" else "1"
        with self.assertRaises(ValidationError) as ctx:
            validate_uscc(code[:17] + wrong)
        self.assertEqual(
            ctx.exception.messages,
            [f"统一社会信用代码校验位不符：第18位应为“{code[-1]}”，实际为“{wrong}”。"],
        )

    def test_forbidden_letter_is_named_with_its_position(self):
        with self.assertRaises(ValidationError) as ctx:
            validate_uscc("91220101I67812340X")
        self.assertIn("第9位“I”不是有效字符", ctx.exception.messages[0])

    def test_letter_in_region_part_is_refused(self):
        with self.assertRaises(ValidationError) as ctx:
            validate_uscc("9122A101567812340X")
        self.assertIn("第5位“A”有误", ctx.exception.messages[0])

    def test_wrong_length_says_how_long_it_is(self):
        with self.assertRaises(ValidationError) as ctx:
            validate_uscc("91220101")
        self.assertEqual(ctx.exception.messages, ["统一社会信用代码应为18位，当前为8位。"])


class USCCEverywhereTests(PersonaTestCase):
    """A wrong code gets the same message in the form, the API and the admin, and saves nothing."""

    def setUp(self):
        good = valid_code()
        self.bad = good[:17] + ("0" if good[-1] != "0" else "1")
        self.message = (
            f"统一社会信用代码校验位不符：第18位应为“{good[-1]}”，实际为“{self.bad[-1]}”。"
        )
        self.count = Organisation.objects.count()
        self.audit_count = AuditEntry.objects.count()
        self.login(self.city_admin)

    def _fields(self):
        return {
            "name": "长春新锐光学有限公司",
            "type": "enterprise",
            "uscc": self.bad,
            "region": self.nanguan.pk,
        }

    def assertNothingChanged(self):
        self.assertEqual(Organisation.objects.count(), self.count)
        self.assertEqual(AuditEntry.objects.count(), self.audit_count)

    def test_form_refuses_wrong_code(self):
        response = self.client.post("/organisations/new/", self._fields())
        self.assertContains(response, self.message)
        self.assertNothingChanged()

    def test_api_refuses_wrong_code(self):
        data = {**self._fields(), "region": "220102"}
        response = self.client.post("/api/organisations/", data, content_type="application/json")
        self.assertEqual(response.status_code, 400)
        body = response.json()
        self.assertEqual(body["code"], "invalid")
        self.assertEqual(body["errors"]["uscc"], [self.message])
        self.assertEqual(body["message"], self.message)
        self.assertNothingChanged()

    def test_admin_refuses_wrong_code(self):
        response = self.client.post("/admin/core/organisation/add/", self._fields())
        self.assertContains(response, self.message)
        self.assertNothingChanged()

    def test_correct_code_is_saved_in_capitals(self):
        fields = {**self._fields(), "uscc": valid_code().lower()}
        response = self.client.post("/organisations/new/", fields)
        org = Organisation.objects.get(name="长春新锐光学有限公司")
        self.assertRedirects(response, f"/organisations/{org.pk}/")
        self.assertEqual(org.uscc, valid_code())
