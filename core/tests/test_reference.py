from django.test import TestCase, override_settings

from core.models import ChainNode, Discipline, HighTechField, IndustrySection, Region
from core.services.reference import CityProfileMissing, load_reference_data


class ReferenceDataTests(TestCase):
    def test_fifteen_county_level_units_of_changchun_with_official_codes(self):
        units = Region.objects.exclude(kind="city")
        self.assertEqual(units.count(), 15)
        self.assertEqual(Region.objects.get(code="220184").name, "公主岭市")
        self.assertEqual(Region.objects.get(code="220173").name, "长春高新技术产业开发区")
        self.assertEqual(Region.objects.get(code="220100").children.count(), 15)

    def test_taxonomies_are_loaded(self):
        self.assertEqual(IndustrySection.objects.count(), 20)
        self.assertEqual(HighTechField.objects.count(), 8)
        self.assertEqual(Discipline.objects.get(code="520").name, "计算机科学技术")
        nodes = ChainNode.objects.filter(chain__name="光电信息").values_list("name", flat=True)
        self.assertEqual(list(nodes), ["屏", "光", "芯", "智", "星"])

    def test_loading_again_changes_nothing(self):
        before = Region.objects.count(), ChainNode.objects.count()
        load_reference_data()
        self.assertEqual((Region.objects.count(), ChainNode.objects.count()), before)

    @override_settings(CITY_PROFILE="jilin")
    def test_a_missing_city_profile_is_named(self):
        with self.assertRaisesMessage(CityProfileMissing, "KECHUANG_CITY_PROFILE='jilin'"):
            load_reference_data()
