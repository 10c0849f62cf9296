from django import forms
from django.test import SimpleTestCase

from core.widgets import FastSelect, use_fast_selects


class FilterForm(forms.Form):
    region = forms.ChoiceField(
        label="所在区域",
        required=False,
        choices=[("", "全部"), ("220102", "南关区"), ("220103", "宽城<区>")],
    )
    chain = forms.ChoiceField(
        choices=[("汽车", [("a", "整车"), ("b", "零部件 & 材料")]), ("c", "其他")],
        widget=forms.Select(attrs={"class": "wide", "data-x": "1"}),
    )
    many = forms.MultipleChoiceField(choices=[("1", "一"), ("2", "二")], required=False)


class FastSelectTests(SimpleTestCase):
    def test_the_markup_is_the_same_as_djangos_select(self):
        data = {"region": "220103", "chain": "b", "many": ["1", "2"]}
        plain, fast = FilterForm(data), FilterForm(data)
        use_fast_selects(fast)
        self.assertIsInstance(fast.fields["region"].widget, FastSelect)
        self.assertNotIsInstance(fast.fields["many"].widget, FastSelect)  # multiple: untouched
        for name in plain.fields:
            self.assertHTMLEqual(str(fast[name]), str(plain[name]))
        self.assertIn("宽城&lt;区&gt;", str(fast["region"]))
        self.assertIn('<option value="220103" selected>', str(fast["region"]))

    def test_an_unbound_form_selects_the_initial_value(self):
        plain, fast = FilterForm(initial={"chain": "c"}), FilterForm(initial={"chain": "c"})
        use_fast_selects(fast)
        self.assertHTMLEqual(str(fast["chain"]), str(plain["chain"]))
