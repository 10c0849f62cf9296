"""The call form and its topics (申报方向, or 榜单 of a 揭榜挂帅 call)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from core.choices import OrgType
from core.models import Region
from programs.choices import AttachmentKind, CallKind
from programs.forms.fields import DATETIME, CriteriaField, QuestionsField
from programs.models import Call, Topic
from programs.models.calls import default_criteria
from programs.selectors import managed_district
from resources.choices import RecordStatus
from resources.models import Demand


class CallForm(forms.ModelForm):
    eligible_org_types = forms.MultipleChoiceField(
        label=_("可申报单位类型"),
        choices=OrgType.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("不选则不限。"),
    )
    form_fields = QuestionsField(
        label=_("申报书附加栏目"),
        required=False,
        help_text=_(
            "每行一项：代码｜名称｜类型（文本/数字/选项）｜是否必填（是/否）｜选项（用、分隔）"
        ),
    )
    required_attachments = forms.MultipleChoiceField(
        label=_("必须上传的附件"),
        choices=AttachmentKind.choices,
        initial=["proposal"],
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    criteria = CriteriaField(
        label=_("评分指标"),
        initial=default_criteria,
        help_text=_("每行一项：代码｜名称｜分值，分值合计100分"),
    )

    class Meta:
        model = Call
        fields = [
            "title",
            "program",
            "year",
            "kind",
            "region",
            "description",
            "budget_total",
            "max_funding",
            "indirect_cap_percent",
            "eligible_org_types",
            "eligible_regions",
            "max_applications_per_org",
            "form_fields",
            "required_attachments",
            "opens_at",
            "closes_at",
            "fix_days",
            "reviewers_per_application",
            "max_reviews_per_expert",
            "recusal_years",
            "randomised",
            "probability_cap",
            "alternates",
            "criteria",
            "spread_threshold",
            "publicity_working_days",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 6}),
            "opens_at": DATETIME,
            "closes_at": DATETIME,
            "eligible_regions": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        regions = Region.objects.exclude(kind="city")
        self.fields["eligible_regions"].queryset = regions
        region = self.fields["region"]
        district = managed_district(user)
        if district is not None:
            # A district admin organises calls of their own district only.
            region.queryset, region.required, region.empty_label = (
                regions.filter(pk=district),
                True,
                None,
            )
        else:
            region.queryset = regions
            region.empty_label = _("市级计划")

    def clean(self):
        data = super().clean()
        opens, closes = data.get("opens_at"), data.get("closes_at")
        if opens and closes and closes <= opens:
            self.add_error("closes_at", _("申报截止时间必须晚于开始时间。"))
        return data

    def changed_values(self) -> dict:
        """Only what the user changed: a published call with applications locks some fields."""
        names = self.changed_data if self.instance.pk else list(self.fields)
        return {name: self.cleaned_data[name] for name in names}


class TopicForm(forms.ModelForm):
    demand = forms.ModelChoiceField(
        label=_("来源技术需求"),
        queryset=Demand.objects.none(),
        required=False,
        help_text=_("揭榜挂帅：选择可作为榜单的企业技术需求"),
    )

    class Meta:
        model = Topic
        fields = ["code", "title", "description", "budget", "demand", "reward"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, call: Call, **kwargs):
        super().__init__(*args, instance=Topic(call=call), **kwargs)
        if call.kind == CallKind.CHALLENGE:
            self.fields["demand"].queryset = (
                Demand.objects.filter(status=RecordStatus.PUBLISHED, challenge_ok=True)
                .select_related("owner")
                .order_by("-published_at")
            )
            self.fields["demand"].label_from_instance = lambda d: f"{d.owner} · {d.title}"
            self.fields["demand"].required = self.fields["reward"].required = True
        else:
            del self.fields["demand"], self.fields["reward"]
