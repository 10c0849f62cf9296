"""Fields that read what people type as lines: records separated by ｜, organisations by name."""

from __future__ import annotations

import re
from abc import ABC, abstractmethod

from django import forms
from django.utils.translation import gettext_lazy as _

from core.exceptions import ServiceError
from core.models import Organisation
from programs.services.calls import validate_criteria, validate_form_fields

_BAR = re.compile(r"\s*[|｜]\s*")
_NAMES = re.compile(r"[\n,，;；、]+")
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
MONEY = {"max_digits": 10, "decimal_places": 2, "min_value": 0}


class LinesField(forms.CharField, ABC):
    """A list of records, one per line, its parts separated by ｜ (or |); each subclass says
    how one line's parts become a record."""

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

    @abstractmethod
    def parse_line(self, n: int, parts: list[str]) -> dict: ...


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


class QuestionsField(LinesField):
    """申报书附加栏目: 代码｜名称｜类型（文本/数字/选项）｜必填（是/否）｜选项（用、分隔）."""

    keys = ("key", "label", "type", "required", "choices")
    widget = forms.Textarea(attrs={"rows": 4, "placeholder": "staff｜研发人员数｜数字｜是"})
    TYPES = {"文本": "text", "数字": "number", "选项": "choice"}

    def prepare_value(self, value):
        if isinstance(value, list):
            names = {v: k for k, v in self.TYPES.items()}
            return "\n".join(
                "｜".join(
                    [q["key"], q["label"], names.get(q["type"], q["type"]),
                     "是" if q.get("required") else "否", "、".join(q.get("choices", []))]
                ).rstrip("｜")
                for q in value
            )  # fmt: skip
        return value

    def parse_line(self, n, parts):
        parts = [*parts, "", "", ""][:5]
        key, label, kind, required, choices = parts
        if kind not in self.TYPES:
            raise forms.ValidationError(_("第%(n)d行的类型应为文本、数字或选项。"), params={"n": n})
        question = {
            "key": key,
            "label": label,
            "type": self.TYPES[kind],
            "required": required in ("是", "必填", "yes", "true"),
        }
        if choices:
            question["choices"] = [c for c in _NAMES.split(choices) if c]
        return question

    def validate(self, value):
        super().validate(value)
        try:
            validate_form_fields(value)
        except ServiceError as exc:
            raise forms.ValidationError(exc.message) from None
