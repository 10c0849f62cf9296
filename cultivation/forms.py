"""Forms of the cultivation pages; the import checks every row with `FiguresImportForm`."""

from __future__ import annotations

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cultivation.choices import Tier
from cultivation.models import EnterpriseProfile, EnterpriseYear, SubsidyScheme
from integrity.forms import OrganisationCodeField

FIGURE_FIELDS = [
    f.name
    for f in EnterpriseYear._meta.get_fields()
    if f.concrete
    and f.name not in ("id", "organisation", "year", "updated_by", "created_at", "updated_at")
]
PROFILE_FIELDS = [
    f.name
    for f in EnterpriseProfile._meta.get_fields()
    if f.concrete and f.name not in ("id", "organisation", "updated_by", "updated_at")
]

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class FiguresForm(forms.ModelForm):
    class Meta:
        model = EnterpriseYear
        fields = ["year", *FIGURE_FIELDS]

    def __init__(self, *args, organisation=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation = organisation
        if self.instance.pk:
            self.fields["year"].disabled = True

    def clean_year(self):
        year = self.cleaned_data["year"]
        if year > timezone.localdate().year:
            raise forms.ValidationError(_("不能填报尚未开始的年度。"))
        if (
            self.organisation is not None
            and not self.instance.pk
            and EnterpriseYear.objects.filter(organisation=self.organisation, year=year).exists()
        ):
            raise forms.ValidationError(
                _("%(year)d年度的数据已经填报，请在列表中修改。") % {"year": year}
            )
        return year

    def clean(self):
        data = super().clean()
        consistency_errors(data, self.add_error)
        return data


def consistency_errors(data: dict, add_error) -> None:
    """The same consistency checks the rule engine makes, reported on the fields concerned."""
    pairs = [
        ("tech_staff", "staff", _("科技人员数不能多于职工总数。")),
        ("rd_staff", "staff", _("研发人员数不能多于职工总数。")),
        ("main_revenue", "revenue", _("主营业务收入不能大于营业收入。")),
        (
            "rd_expense_hte_domestic",
            "rd_expense_hte",
            _("境内研发费用不能大于研发费用总额（高企口径）。"),
        ),
        ("hightech_income", "total_income", _("高新技术产品（服务）收入不能大于总收入。")),
        ("ip_class1_own", "ip_class1", _("自主研发I类知识产权数不能多于I类知识产权数。")),
        ("ip_class1_high_value", "ip_class1", _("I类高价值知识产权数不能多于I类知识产权数。")),
    ]
    for part, whole, message in pairs:
        a, b = data.get(part), data.get(whole)
        if a is not None and b is not None and a > b:
            add_error(part, message)


class FiguresImportForm(FiguresForm):
    """One row of an import: the enterprise by its 统一社会信用代码, then the year's figures."""

    organisation = OrganisationCodeField(label=_("统一社会信用代码"), required=True)

    class Meta(FiguresForm.Meta):
        fields = ["organisation", "year", *FIGURE_FIELDS]

    def clean_year(self):
        year = self.cleaned_data["year"]
        if year > timezone.localdate().year:
            raise forms.ValidationError(_("不能填报尚未开始的年度。"))
        return year


class ProfileForm(forms.ModelForm):
    class Meta:
        model = EnterpriseProfile
        fields = PROFILE_FIELDS
        widgets = {"founded": DATE_INPUT, "hte_certified_on": DATE_INPUT}

    def clean(self):
        data = super().clean()
        today = timezone.localdate()
        for name in ("founded", "hte_certified_on"):
            if data.get(name) and data[name] > today:
                self.add_error(name, _("日期不能晚于今天。"))
        return data


class AssessForm(forms.Form):
    on = forms.DateField(label=_("评价基准日"), widget=DATE_INPUT)

    def clean_on(self):
        on = self.cleaned_data["on"]
        if on.year < 2017:
            raise forms.ValidationError(_("基准日不能早于2017年。"))
        if on > timezone.localdate() + datetime.timedelta(days=366):
            raise forms.ValidationError(_("基准日不能晚于明年今日。"))
        return on


class AdmitForm(forms.Form):
    organisation = OrganisationCodeField(label=_("企业统一社会信用代码"))
    tier = forms.ChoiceField(label=_("培育库"), choices=Tier.choices)
    entered_on = forms.DateField(label=_("入库日期"), widget=DATE_INPUT)
    certificate_number = forms.CharField(label=_("证书或文件编号"), max_length=60, required=False)
    reason = forms.CharField(
        label=_("入库依据"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("如：2025年第一批高新技术企业认定名单（吉科发〔2025〕12号）"),
    )
    expert_confirmed = forms.BooleanField(
        label=_("需专家判断的条件已经评审确认"),
        required=False,
        help_text=_("仅当规则评价结论为“待专家评审”时需要勾选，入库依据中写明评审结论。"),
    )


class ExitForm(forms.Form):
    exited_on = forms.DateField(label=_("出库日期"), widget=DATE_INPUT)
    reason = forms.CharField(
        label=_("出库原因"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("如：资格有效期届满未重新认定；复核不再符合条件；被列入严重失信名单"),
    )
    reassess = forms.BooleanField(
        label=_("按出库日重新评价并留存结果"), required=False, initial=True
    )


class SpotCheckForm(forms.Form):
    title = forms.CharField(label=_("抽查任务名称"), max_length=120)
    tier = forms.ChoiceField(label=_("抽查对象（培育库）"), choices=Tier.choices)
    on = forms.DateField(label=_("抽取基准日"), widget=DATE_INPUT)
    ratio = forms.DecimalField(
        label=_("抽查比例（%）"), min_value=0.01, max_value=100, decimal_places=2
    )
    inspectors_per_enterprise = forms.IntegerField(
        label=_("每户检查人员数"), min_value=1, max_value=5, initial=2
    )
    seed = forms.IntegerField(
        label=_("随机种子"),
        min_value=0,
        max_value=2**63 - 1,
        required=False,
        help_text=_("留空则自动生成；同一种子、同一范围可重现同一抽取结果"),
    )


class SubsidySchemeForm(forms.ModelForm):
    tiers = forms.MultipleChoiceField(
        label=_("适用培育库"),
        choices=Tier.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("不选则所有报送了研发费用的企业均参与测算"),
        required=False,
    )

    class Meta:
        model = SubsidyScheme
        fields = ["title", "year", "basis", "rate", "min_rd_expense", "cap", "budget", "tiers"]
