"""长春市县（市）区科技创新指数 pages: the ranking of a year (with Excel/CSV export), the
sensitivity table and the methodology generated from the definition and this computation's
record. Leaders, the bureau and district admins (their own unit's rows) may look; the rules and
the numbers are in brain.services.district_index."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from brain.services import district_index as svc
from brain.services import values
from brain.services.navigation import section_tabs, tab
from core.decorators import refuses
from core.exports import EXPORT_FORMATS, export_response

tab("index", gettext_lazy("科技创新指数"), "brain_index", order=40)


class YearForm(forms.Form):
    year = forms.TypedChoiceField(label=gettext_lazy("年度"), coerce=int)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [(y, str(y)) for y in svc.year_choices()]


def _year(request) -> tuple[YearForm, int]:
    """The chosen year (the form's errors say why a bad one was not taken) or the default."""
    if "year" in request.GET:
        form = YearForm(request.GET)
        if form.is_valid():
            return form, form.cleaned_data["year"]
    else:
        form = YearForm()
    year = svc.default_year()
    form.initial["year"] = year
    return form, year


def _page(request, template: str, section: str, extra: dict | None = None):
    values.require_view(request.user)
    form, year = _year(request)
    index = svc.district_index_for(request.user, year)
    context = {
        "form": form,
        "index": index,
        "definition": index.definition,
        "year": year,
        "section": section,
        "scope": _scope_name(index),
        "may_enter": values.may_enter(request.user),
        "skipped": index.skipped,
        "options": svc.methodology_options(index.definition.options),
        "brain_tabs": section_tabs(request.user, "index"),
        **(extra or {}),
    }
    return index, context, template


def _scope_name(index: svc.DistrictIndex) -> str:
    if index.visible is None:
        return ""
    names = [u.name for u in index.units if u.code in index.visible]
    return "、".join(names) or _("（无）")


@login_required
@refuses
def ranking(request):
    index, context, template = _page(request, "brain/index_ranking.html", "ranking")
    fmt = request.GET.get("export")
    if fmt in EXPORT_FORMATS and not index.empty:
        name = f"{index.definition.name}{index.year}"
        if context["scope"]:
            name = f"{context['scope']}{name}"
        return export_response(
            svc.export_headers(index), svc.export_rows(index), name, fmt, _("指数排名")
        )
    context.update(
        rows=svc.ranking(index),
        dimensions=svc.dimension_headers(index),
        scenario_count=len(index.sensitivity.scenarios) - 1 if index.sensitivity else 0,
    )
    return render(request, template, context)


@login_required
@refuses
def sensitivity(request):
    index, context, template = _page(request, "brain/index_sensitivity.html", "sensitivity")
    columns = svc.scenario_columns(index)
    rows = []
    for row in svc.ranking(index):
        base = row["rank"]
        cells = []
        for column, rank in zip(columns, row["ranks"], strict=True):
            move = (
                ""
                if rank is None or base is None or rank == base
                else ("up" if rank < base else "down")
            )
            cells.append({"rank": rank, "move": move, "label": column["label"]})
        rows.append({**row, "cells": cells})
    context.update(columns=columns, groups=_column_groups(columns), rows=rows)
    return render(request, template, context)


def _column_groups(columns: list[dict]) -> list[dict]:
    """The first header row: the weight scenarios of one indicator share a heading."""
    groups: list[dict] = []
    for column in columns:
        label = column["indicator"] or column["short"]
        key = column["indicator"] or column["key"]
        if groups and column["indicator"] and groups[-1]["key"] == key:
            groups[-1]["span"] += 1
        else:
            groups.append(
                {"key": key, "label": label, "span": 1, "weight": bool(column["indicator"])}
            )
    return groups


@login_required
@refuses
def methodology(request):
    index, context, template = _page(request, "brain/index_methodology.html", "methodology")
    context["method"] = svc.methodology(index)
    return render(request, template, context)
