"""Forms of the science-program pages: lists written as lines, the budget table, the score sheet.

The forms only parse what people type; the rules (criteria adding up to 100, budget totals,
eligibility) are the services' and reach the page as their messages.
"""

from __future__ import annotations

import re
from decimal import Decimal

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.choices import OrgType
from core.exceptions import ServiceError
from core.models import Organisation, Region
from programs.choices import (
    ApplicationStatus,
    AttachmentKind,
    BudgetCategory,
    CallKind,
)
from programs.models import Application, Call, Topic
from programs.models.calls import default_criteria
from programs.selectors import managed_district
from programs.services.calls import validate_criteria
from resources.choices import RecordStatus
from resources.models import Demand

ALL = _("全部")
_BAR = re.compile(r"\s*[|｜]\s*")
_NAMES = re.compile(r"[\n,，;；、]+")
_DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
_MONEY = {"max_digits": 10, "decimal_places": 2, "min_value": 0}


class LinesField(forms.CharField):
    """A list of records, one per line, its parts separated by ｜ (or |)."""

    widget = forms.Textarea(attrs={"rows": 5})
    keys: tuple[str, ...] = ()

    def prepare_value(self, value):
        if isinstance(value, list):
            return "\n".join("｜".join(str(item.get(k, "")) for k in self.keys) for item in value)
        return value

    def to_python(self, value):
        text = super().to_python(value) or ""
        rows = []
        for n, line in enumerate(text.splitlines(), start=1):
            if line.strip():
                rows.append(self.parse_line(n, _BAR.split(line.strip())))
        return rows

    def parse_line(self, n: int, parts: list[str]) -> dict:
        raise NotImplementedError


class CriteriaField(LinesField):
    """评分指标: 代码｜名称｜分值 per line."""

    keys = ("key", "name", "points")
    widget = forms.Textarea(attrs={"rows": 6, "placeholder": "innovation｜创新性与先进性｜30"})

    def parse_line(self, n, parts):
        if len(parts) != 3 or not all(parts):
            raise forms.ValidationError(_("第%(n)d行应写成“代码｜名称｜分值”。"), params={"n": n})
        key, name, points = parts
        if not re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", key):
            raise forms.ValidationError(
                _("第%(n)d行的代码“%(key)s”只能用英文字母、数字和下划线。"),
                params={"n": n, "key": key},
            )
        if not points.isdigit() or int(points) == 0:
            raise forms.ValidationError(
                _("第%(n)d行的分值“%(p)s”应为正整数。"), params={"n": n, "p": points}
            )
        return {"key": key, "name": name, "points": int(points)}

    def validate(self, value):
        super().validate(value)
        try:
            validate_criteria(value)
        except ServiceError as exc:
            raise forms.ValidationError(exc.message) from None


class TeamField(LinesField):
    """项目组成员: 姓名｜单位｜分工 per line."""

    keys = ("name", "organisation", "role")
    widget = forms.Textarea(
        attrs={"rows": 5, "placeholder": "王研究｜长春华锐光电科技有限公司｜总体设计"}
    )

    def parse_line(self, n, parts):
        if not parts[0]:
            raise forms.ValidationError(_("第%(n)d行缺少姓名。"), params={"n": n})
        if len(parts) > 3:
            raise forms.ValidationError(_("第%(n)d行应写成“姓名｜单位｜分工”。"), params={"n": n})
        parts += [""] * (3 - len(parts))
        return dict(zip(self.keys, parts, strict=True))


class OrganisationNamesField(forms.CharField):
    """Organisations written by their full names, one per line or separated by commas."""

    widget = forms.Textarea(attrs={"rows": 2, "placeholder": "吉林大学"})

    def prepare_value(self, value):
        if isinstance(value, (list, tuple)) and value and not isinstance(value[0], str):
            objs = (
                value
                if isinstance(value[0], Organisation)
                else Organisation.objects.filter(pk__in=value)
            )
            return "\n".join(o.name for o in objs)
        return value

    def clean(self, value):
        text = super().clean(value) or ""
        names = list(dict.fromkeys(n.strip() for n in _NAMES.split(text) if n.strip()))
        if not names:
            return []
        found: dict[str, list[Organisation]] = {}
        for org in Organisation.objects.filter(name__in=names):
            found.setdefault(org.name, []).append(org)
        missing = [n for n in names if n not in found]
        if missing:
            raise forms.ValidationError(
                _("单位名录中没有“%(names)s”，请填写单位全称。"),
                params={"names": "、".join(missing)},
            )
        twins = [n for n in names if len(found[n]) > 1]
        if twins:
            raise forms.ValidationError(
                _("单位名录中有多个“%(names)s”，请联系管理员核实。"),
                params={"names": "、".join(twins)},
            )
        return [found[n][0] for n in names]


# -- calls ---------------------------------------------------------------------------------


class CallForm(forms.ModelForm):
    eligible_org_types = forms.MultipleChoiceField(
        label=_("可申报单位类型"),
        choices=OrgType.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("不选则不限。"),
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
            "opens_at": _DATETIME,
            "closes_at": _DATETIME,
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


class CallFilterSet(django_filters.FilterSet):
    year = django_filters.ChoiceFilter(label=_("年度"), empty_label=ALL)
    kind = django_filters.ChoiceFilter(label=_("类型"), empty_label=ALL, choices=CallKind.choices)

    class Meta:
        model = Call
        fields = ["year", "kind"]

    def __init__(self, *args, years: list[int], **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["year"].extra["choices"] = [(str(y), str(y)) for y in years]


class ApplicationFilterSet(django_filters.FilterSet):
    call = django_filters.ModelChoiceFilter(
        label=_("指南"), empty_label=ALL, queryset=Call.objects.none()
    )
    status = django_filters.ChoiceFilter(
        label=_("状态"), empty_label=ALL, choices=ApplicationStatus.choices
    )
    q = django_filters.CharFilter(label=_("项目名称或编号"), method="search")

    class Meta:
        model = Application
        fields = ["call", "status", "q"]

    def __init__(self, *args, calls, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["call"].queryset = calls

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(title__icontains=value) | Q(number=value))


# -- applications --------------------------------------------------------------------------


class ApplicationForm(forms.ModelForm):
    team = TeamField(
        label=_("项目组成员"), required=False, help_text=_("每行一人：姓名｜单位｜分工")
    )
    co_organisations = OrganisationNamesField(
        label=_("合作单位"),
        required=False,
        help_text=_("填写单位名录中的全称，每行一个"),
    )

    class Meta:
        model = Application
        fields = [
            "title",
            "topic",
            "summary",
            "keywords",
            "pi_name",
            "team",
            "co_organisations",
            "requested_funding",
            "self_funding",
        ]
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 6}),
            "requested_funding": forms.NumberInput(attrs={"step": "0.01", "min": "0"}),
            "self_funding": forms.NumberInput(attrs={"step": "0.01", "min": "0"}),
        }

    def __init__(self, *args, call: Call, **kwargs):
        super().__init__(*args, **kwargs)
        topic = self.fields["topic"]
        topic.queryset = call.topics.all()
        if not call.topics.exists():
            del self.fields["topic"]
        elif call.kind == CallKind.CHALLENGE:
            topic.required, topic.label = True, _("揭榜榜单")
        if self.instance.pk:
            self.initial["co_organisations"] = list(self.instance.co_organisations.all())

    def values(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.fields}


class BudgetForm(forms.Form):
    """预算表: one amount and its 测算依据 per category, handed to the service as a dict."""

    def __init__(self, *args, application: Application | None = None, **kwargs):
        super().__init__(*args, prefix="budget", **kwargs)
        lines = {}
        if application is not None and application.pk:
            lines = {line.category: line for line in application.budget_lines.all()}
        for category, label in BudgetCategory.choices:
            line = lines.get(category)
            self.fields[f"{category}_amount"] = forms.DecimalField(
                label=label,
                required=False,
                initial=line.amount if line else None,
                widget=forms.NumberInput(
                    attrs={"step": "0.01", "min": "0", "class": "budget-amount"}
                ),
                **_MONEY,
            )
            self.fields[f"{category}_note"] = forms.CharField(
                label=_("测算依据"),
                required=False,
                max_length=300,
                initial=line.note if line else "",
                widget=forms.TextInput(attrs={"placeholder": _("测算依据")}),
            )

    def rows(self):
        return [
            (label, self[f"{category}_amount"], self[f"{category}_note"])
            for category, label in BudgetCategory.choices
        ]

    def budget(self) -> dict[str, tuple[Decimal, str]]:
        return {
            category: (
                self.cleaned_data[f"{category}_amount"] or Decimal(0),
                self.cleaned_data[f"{category}_note"].strip(),
            )
            for category in BudgetCategory.values
        }


class AttachmentForm(forms.Form):
    kind = forms.ChoiceField(label=_("附件类型"), choices=AttachmentKind.choices)
    file = forms.FileField(
        label=_("文件"), help_text=_("PDF、Word（docx）、Excel（xlsx）或 JPG/PNG，不超过 20 MB")
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("原因"), max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )


# -- review --------------------------------------------------------------------------------


class RespondForm(forms.Form):
    reason = forms.CharField(
        label=_("谢绝原因"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    conflict = forms.BooleanField(label=_("存在利益冲突需回避"), required=False)


class ScoreSheetForm(forms.Form):
    """One number per criterion of the call and the comment; the service checks the ranges."""

    def __init__(self, *args, criteria: list[dict], **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = criteria
        for c in criteria:
            self.fields[f"score_{c['key']}"] = forms.DecimalField(
                label=c["name"],
                widget=forms.NumberInput(
                    attrs={"step": "0.5", "min": "0", "max": c["points"], "class": "score"}
                ),
            )
        self.fields["comment"] = forms.CharField(
            label=_("评审意见"),
            widget=forms.Textarea(attrs={"rows": 5}),
            help_text=_("不少于10个字"),
        )

    def scores(self) -> dict[str, Decimal]:
        return {c["key"]: self.cleaned_data[f"score_{c['key']}"] for c in self.criteria}
