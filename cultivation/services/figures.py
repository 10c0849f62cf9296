"""An enterprise's yearly figures and standing facts: who may read and change them, saving with
an audit entry per change, and the record the rule engine reads (docs/assessment-input.md)."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from core import permissions
from core.models import Organisation
from core.services import audit
from cultivation.forms import FIGURE_FIELDS, PROFILE_FIELDS
from cultivation.models import EnterpriseProfile, EnterpriseYear
from integrity.services.gate import check_integrity

# Figures the rule engine takes as three-year lists; the others are for the latest year.
YEARLY_LISTS = (
    "revenue",
    "main_revenue",
    "total_cost",
    "rd_expense",
    "rd_expense_hte",
    "rd_expense_hte_domestic",
    "net_assets",
    "net_profit",
    "equity_raised",
    "conversions",
)
LATEST_ONLY = tuple(f for f in FIGURE_FIELDS if f not in YEARLY_LISTS)


def require_view(user, org: Organisation) -> None:
    permissions.require(
        user, "cultivation.view_figures", org, message=_("您无权查看该企业的经营数据。")
    )


def require_change(user, org: Organisation) -> None:
    permissions.require(
        user,
        "cultivation.change_figures",
        org,
        message=_("只有本企业用户或市科技局可以填报该企业的数据。"),
    )


def years_of(org: Organisation):
    return EnterpriseYear.objects.filter(organisation=org).order_by("-year")


def profile_of(org: Organisation) -> EnterpriseProfile:
    return EnterpriseProfile.objects.filter(organisation=org).first() or EnterpriseProfile(
        organisation=org
    )


@transaction.atomic
def save_year(actor, org: Organisation, data: dict[str, Any]) -> EnterpriseYear:
    """Create or update one year's figures; the audit entry keeps every changed value."""
    require_change(actor, org)
    figures = (
        EnterpriseYear.objects.select_for_update()
        .filter(organisation=org, year=data["year"])
        .first()
    )
    created = figures is None
    if created:
        figures = EnterpriseYear(organisation=org, year=data["year"])
        before = None
    else:
        before = audit.snapshot(figures)
    for name in FIGURE_FIELDS:
        if name in data:
            setattr(figures, name, data[name])
    figures.updated_by = actor
    figures.full_clean()
    figures.save()
    if created:
        audit.record_create(actor, figures)
    else:
        audit.record_update(actor, figures, before)
    return figures


@transaction.atomic
def save_years(actor, rows: list[dict[str, Any]], progress=None) -> dict[str, int]:
    """Save imported rows (each with its `organisation`): all of them or, on any refusal, none."""
    created = updated = 0
    for row in rows:
        exists = EnterpriseYear.objects.filter(
            organisation=row["organisation"], year=row["year"]
        ).exists()
        save_year(actor, row["organisation"], row)
        updated += exists
        created += not exists
        if progress is not None:
            progress.advance(1)
    return {"created": created, "updated": updated}


@transaction.atomic
def save_profile(actor, org: Organisation, data: dict[str, Any]) -> EnterpriseProfile:
    require_change(actor, org)
    profile = EnterpriseProfile.objects.select_for_update().filter(organisation=org).first()
    before = audit.snapshot(profile) if profile else None
    profile = profile or EnterpriseProfile(organisation=org)
    for name in PROFILE_FIELDS:
        if name in data:
            setattr(profile, name, data[name])
    profile.updated_by = actor
    profile.full_clean()
    profile.save()
    if before is None:
        audit.record_create(actor, profile)
    else:
        audit.record_update(actor, profile, before)
    return profile


def _number(value: Any) -> float | int | None:
    if value is None:
        return None
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def default_year(on: datetime.date) -> int:
    """The fiscal year an assessment on `on` looks at: the year before."""
    return on.year - 1


def enterprise_record(
    org: Organisation,
    on: datetime.date,
    *,
    years: list[EnterpriseYear] | None = None,
    profile: EnterpriseProfile | None = None,
    restricted: bool | None = None,
) -> dict[str, Any]:
    """The rule engine's record of an enterprise on `on` (docs/assessment-input.md).

    Figures of the three fiscal years up to the year before `on`; a year not reported is missing,
    not zero. `research_misconduct` comes from the platform's integrity records (a restriction on
    recognition in force on `on`); batch callers pass what they already know.
    """
    year = default_year(on)
    if years is None:
        years = list(EnterpriseYear.objects.filter(organisation=org, year__range=(year - 2, year)))
    by_year = {y.year: y for y in years if year - 2 <= y.year <= year}
    record: dict[str, Any] = {"id": str(org.pk), "name": org.name, "year": year}
    for name in YEARLY_LISTS:
        values = [
            _number(getattr(by_year[y], name)) if y in by_year else None
            for y in range(year - 2, year + 1)
        ]
        if any(v is not None for v in values):
            record[name] = values
    latest = by_year.get(year)
    if latest is not None:
        for name in LATEST_ONLY:
            value = _number(getattr(latest, name))
            if value is not None:
                record[name] = value
    if profile is None:
        profile = EnterpriseProfile.objects.filter(organisation=org).first()
    if profile is not None:
        for name in PROFILE_FIELDS:
            value = getattr(profile, name)
            if value in (None, ""):
                continue
            if isinstance(value, datetime.date):
                value = value.isoformat()
            elif name == "niche_market_share":
                value = float(value) / 100
            record[name] = value
    if restricted is None:
        restricted = bool(check_integrity(org, "recognition", on))
    record["research_misconduct"] = bool(restricted)
    return record
