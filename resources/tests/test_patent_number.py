from django.core.exceptions import ValidationError
from django.test import SimpleTestCase

from resources.validators import format_patent_number, patent_type_of, validate_patent_number


class PatentNumberTests(SimpleTestCase):
    def test_example_from_the_2003_numbering_notice_is_valid(self):
        validate_patent_number("200310102344.5")
        self.assertEqual(patent_type_of("200310102344.5"), "invention")

    def test_prefix_and_spaces_are_accepted_and_normalised(self):
        validate_patent_number("ZL 200310102344.5")
        self.assertEqual(format_patent_number("CN200310102344.5"), "200310102344.5")

    def test_wrong_check_digit_names_the_right_one(self):
        with self.assertRaises(ValidationError) as ctx:
            validate_patent_number("200310102344.4")
        self.assertEqual(
            ctx.exception.messages, ["专利申请号校验位不符：“.”后应为“5”，实际为“4”。"]
        )

    def test_old_eight_digit_form_is_checked_too(self):
        digits = "89103229"
        from resources.validators import patent_check_digit

        validate_patent_number(f"{digits}.{patent_check_digit(digits)}")
        with self.assertRaises(ValidationError):
            validate_patent_number(
                f"{digits}.{(int(patent_check_digit(digits).replace('X', '10')) + 1) % 10}"
            )

    def test_unknown_type_digit_is_named(self):
        with self.assertRaises(ValidationError) as ctx:
            validate_patent_number("200350102344.1")
        self.assertIn("第5位是专利类型", ctx.exception.messages[0])

    def test_wrong_shape_shows_an_example(self):
        with self.assertRaises(ValidationError) as ctx:
            validate_patent_number("2003101023")
        self.assertIn("如 200310102344.5", ctx.exception.messages[0])
