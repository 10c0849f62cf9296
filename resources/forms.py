"""Record forms, built per kind from the model, with text inputs where lists would be too long."""

from __future__ import annotations

import re
from functools import cache

from django import forms
from django.utils.translation import gettext_lazy as _

from core.models import ChainNode, Organisation
from core.validators import normalise_uscc
from resources.choices import RelationKind
from resources.models import Patent
from resources.services.records import editable_fields
from resources.validators import format_patent_number, validate_patent_number

_SPLIT = re.compile(r"[,，;；\s]+")


class CodeListField(forms.CharField):
    """Related records entered as a list of their codes (统一社会信用代码, 专利申请号)."""

    def __init__(
        self, *, model, code_field, validator=None, normalise=str.strip, missing_message, **kwargs
    ):
        kwargs.setdefault("required", False)
        kwargs.setdefault("widget", forms.TextInput)
        super().__init__(**kwargs)
        self.model, self.code_field = model, code_field
        self.code_validator, self.normalise, self.missing_message = (
            validator,
            normalise,
            missing_message,
        )

    def prepare_value(self, value):
        if isinstance(value, (list, tuple)) and value and not isinstance(value[0], str):
            objs = (
                value
                if isinstance(value[0], self.model)
                else self.model.objects.filter(pk__in=value)
            )
            return "，".join(getattr(o, self.code_field) for o in objs)
        return value

    def clean(self, value):
        text = super().clean(value) or ""
        codes = [self.normalise(c) for c in _SPLIT.split(text) if c.strip()]
        if not codes:
            return []
        for code in codes:
            if self.code_validator:
                self.code_validator(code)
        found = {
            getattr(o, self.code_field): o
            for o in self.model.objects.filter(**{f"{self.code_field}__in": codes})
        }
        missing = [c for c in codes if c not in found]
        if missing:
            raise forms.ValidationError(self.missing_message % {"codes": "、".join(missing)})
        return [found[c] for c in dict.fromkeys(codes)]


class WorksField(forms.CharField):
    """论文与项目: one per line, written as 年份｜标题｜摘要 (年份 and 摘要 may be left out)."""

    widget = forms.Textarea(attrs={"rows": 5, "placeholder": "2023｜题目｜摘要"})

    def prepare_value(self, value):
        if isinstance(value, list):
            return "\n".join(
                "｜".join(str(w.get(k, "")) for k in ("year", "title", "abstract")).strip("｜")
                for w in value
            )
        return value

    def clean(self, value):
        text = super().clean(value) or ""
        works = []
        for n, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            parts = [p.strip() for p in re.split(r"[|｜]", line)]
            year = parts.pop(0) if parts and re.fullmatch(r"(19|20)\d\d", parts[0]) else ""
            if not parts or not parts[0]:
                raise forms.ValidationError(_("第%(n)d行缺少标题。"), params={"n": n})
            works.append({"year": year, "title": parts[0], "abstract": "｜".join(parts[1:])})
        return works


class RelationsField(forms.CharField):
    """申报的利益关系: one per line, 关系｜姓名｜单位, 关系 being one of the RelationKind labels."""

    widget = forms.Textarea(attrs={"rows": 4, "placeholder": "近三年合作者｜张三｜吉林大学"})

    def prepare_value(self, value):
        if isinstance(value, list):
            labels = dict(RelationKind.choices)
            return "\n".join(
                "｜".join(
                    [
                        str(labels.get(r.get("kind"), r.get("kind"))),
                        r.get("name", ""),
                        r.get("organisation", ""),
                    ]
                )
                for r in value
            )
        return value

    def clean(self, value):
        text = super().clean(value) or ""
        by_label = {str(label): key for key, label in RelationKind.choices}
        relations = []
        for n, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            parts = [p.strip() for p in re.split(r"[|｜]", line)] + ["", ""]
            if parts[0] not in by_label:
                raise forms.ValidationError(
                    _("第%(n)d行的关系“%(kind)s”无效，可选：%(choices)s。"),
                    params={"n": n, "kind": parts[0], "choices": "、".join(by_label)},
                )
            if not parts[1]:
                raise forms.ValidationError(_("第%(n)d行缺少姓名。"), params={"n": n})
            relations.append(
                {"kind": by_label[parts[0]], "name": parts[1], "organisation": parts[2]}
            )
        return relations


def _patent_code(code: str) -> str:
    validate_patent_number(code)
    return format_patent_number(code)


SPECIAL_FIELDS = {
    "co_owners": lambda: CodeListField(
        label=_("共同所有单位"),
        model=Organisation,
        code_field="uscc",
        normalise=normalise_uscc,
        help_text=_("填写统一社会信用代码，多个用逗号分隔"),
        missing_message=_("平台中没有统一社会信用代码为 %(codes)s 的单位。"),
    ),
    "patents": lambda: CodeListField(
        label=_("相关专利"),
        model=Patent,
        code_field="application_number",
        normalise=lambda c: format_patent_number(c) if _valid_patent(c) else c,
        validator=validate_patent_number,
        help_text=_("填写专利申请号，多个用逗号分隔"),
        missing_message=_("专利库中没有申请号为 %(codes)s 的专利，请先登记专利。"),
    ),
    "works": lambda: WorksField(
        label=_("论文与项目"), required=False, help_text=_("每行一项：年份｜标题｜摘要")
    ),
    "relations": lambda: RelationsField(
        label=_("申报的利益关系"),
        required=False,
        help_text=_("每行一项：关系｜姓名｜单位；用于评审回避"),
    ),
}


def _valid_patent(code: str) -> bool:
    try:
        validate_patent_number(code)
    except forms.ValidationError:
        return False
    return True


@cache
def form_for(model) -> type[forms.ModelForm]:
    names = [f.name for f in editable_fields(model) if f.name != "user"]
    widgets = {}
    for f in editable_fields(model):
        if f.many_to_many and f.name not in SPECIAL_FIELDS:
            widgets[f.name] = forms.CheckboxSelectMultiple
        elif f.get_internal_type() == "TextField":
            widgets[f.name] = forms.Textarea(attrs={"rows": 4})
        elif f.get_internal_type() == "DateField":
            widgets[f.name] = forms.DateInput(attrs={"type": "date"})
    attrs = {name: make() for name, make in SPECIAL_FIELDS.items() if name in names}
    form = forms.modelform_factory(model, fields=names, widgets=widgets)
    form_class = type(f"{model.__name__}Form", (form,), attrs)
    region = form_class.base_fields["region"]
    region.required, region.help_text = False, _("留空则为本单位所在区域")
    region.queryset = region.queryset.exclude(kind="city")
    if "chain_nodes" in names:
        form_class.base_fields["chain_nodes"].queryset = ChainNode.objects.select_related("chain")
    return form_class
