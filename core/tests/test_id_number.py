from django.core.exceptions import ValidationError
from django.test import SimpleTestCase

from core.validators import id_number_check_character, validate_id_number


class IdNumberValidatorTests(SimpleTestCase):
    def message(self, value: str) -> str:
        with self.assertRaises(ValidationError) as ctx:
            validate_id_number(value)
        return ctx.exception.messages[0]

    def test_the_standards_own_examples_pass(self):
        # GB 11643-1999 gives these two numbers as worked examples.
        validate_id_number("11010519491231002X")
        validate_id_number("440524188001010014")

    def test_check_character_x_may_be_typed_in_lower_case(self):
        validate_id_number("11010519491231002x")

    def test_check_character_ten_is_written_x(self):
        self.assertEqual(id_number_check_character("11010519491231002"), "X")
        self.assertEqual(id_number_check_character("22010219850312123"), "0")

    def test_wrong_check_character_names_the_expected_one(self):
        self.assertEqual(
            self.message("220102198503121231"),
            "公民身份号码校验位不符：第18位应为“0”，实际为“1”。",
        )

    def test_wrong_length_says_how_long_it_is(self):
        self.assertEqual(self.message("22010219850312123"), "公民身份号码应为18位，当前为17位。")

    def test_letter_among_the_first_seventeen_is_named_with_its_position(self):
        self.assertEqual(
            self.message("2201021985031212A0"),
            "公民身份号码第17位“A”有误：前17位只能是数字。",
        )

    def test_impossible_birth_date_is_refused(self):
        # 1985-02-30 does not exist; the check character is right for these digits.
        first17 = "22010219850230123"
        number = first17 + id_number_check_character(first17)
        self.assertEqual(
            self.message(number), "公民身份号码第7–14位是出生日期，“19850230”不是有效日期。"
        )
