"""Indicator values per region and period, with every revision kept.

Reading values (for the charts, the district index and anything else in the brain):

    current_values(indicator_code, period, regions=None) -> dict[region_code, Decimal]
        the value in use of every region (the city and the 15 units, or those given as Region
        objects or codes) for one period; regions without a value are left out; for a computed
        indicator, regions without a stored value get the live figure.
    series(indicator_code, region_code) -> list[(period, Decimal)]
        one region's values in use, oldest period first; for a computed indicator the current
        period's live figure is added when none is stored.

Both are plain reads without a user: callers check `brain.view` and keep to
`visible_regions(user)` themselves.

Writing: `enter_value` is the one way a value is saved (page, API, import, snapshot). The
bureau enters any region's value, a district admin their own district's. A correction is a new
row with the next revision number; the row it replaces stays, no longer current, with who
entered it, when and why. `snapshot` freezes a computed indicator's live figures as values
with the note 平台数据快照.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from brain.choices import Method
from brain.models import Indicator, IndicatorValue
from brain.services import computed
from brain.services.periods import Period, PeriodError, containing, parse
from core import permissions
from core.choices import AuditAction, RegionKind, Role
from core.exceptions import NotAllowed, NotFound, ServiceError
from core.models import Region
from core.services import audit

SNAPSHOT_NOTE = "平台数据快照"
COUNT_UNITS = ("家", "项", "个", "人", "件", "次")
MAX_ABS = Decimal("1e14")


# -- regions ---------------------------------------------------------------------------------


def city_region() -> Region:
    region = Region.objects.filter(kind=RegionKind.CITY).order_by("sort_order", "code").first()
    if region is None:
        raise NotFound(_("尚未加载本市行政区划，无法保存市级数值。"))
    return region


def all_regions() -> list[Region]:
    """The city first, then its districts, counties and development zones in the usual order."""
    return sorted(Region.objects.all(), key=lambda r: (r.kind != RegionKind.CITY, r.sort_order))


def _district_region_id(user) -> int | None:
    m = user.current_membership
    if m is not None and m.role == Role.DISTRICT_ADMIN and not permissions.is_bureau(user):
        return m.region_id
    return None


def require_view(user) -> None:
    permissions.require(
        user,
        "brain.view",
        message=_("科创大脑仅供市科技局、市领导和区县管理员查看。"),
    )


def visible_regions(user) -> list[Region]:
    """The regions whose values `user` reads: all for the bureau and leaders; the city and
    their own district for a district admin."""
    require_view(user)
    regions = all_regions()
    own = _district_region_id(user)
    if own is None:
        return regions
    return [r for r in regions if r.kind == RegionKind.CITY or r.pk == own]


def enterable_regions(user) -> list[Region]:
    """The regions whose values `user` may enter (empty for leaders)."""
    return [r for r in all_regions() if permissions.can(user, "brain.enter_value", r)]


def may_enter(user) -> bool:
    return permissions.can(user, "brain.enter_value") and bool(enterable_regions(user))


# -- indicators ------------------------------------------------------------------------------


def get_indicator(code: str) -> Indicator:
    indicator = Indicator.objects.filter(code=code).first()
    if indicator is None:
        raise NotFound(_("没有代码为“%(c)s”的指标。") % {"c": code})
    return indicator


def _region(region_or_code) -> Region:
    if isinstance(region_or_code, Region):
        return region_or_code
    region = Region.objects.filter(code=str(region_or_code)).first()
    if region is None:
        raise NotFound(_("没有代码为“%(c)s”的区域。") % {"c": region_or_code})
    return region


def current_period(indicator: Indicator) -> Period:
    return containing(timezone.localdate(), indicator.frequency)


# -- checking a value ------------------------------------------------------------------------


def check_period(indicator: Indicator, text: str) -> Period:
    try:
        return parse(text, indicator.frequency)
    except PeriodError as exc:
        raise ValidationError({"period": exc.message}) from None


def check_value(indicator: Indicator, raw) -> Decimal:
    """The value as a Decimal fit for this indicator, or ValidationError saying what is wrong."""
    text = "" if raw is None else str(raw).strip().replace(",", "")
    if not text:
        raise ValidationError({"value": _("请填写数值。")})
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValidationError({"value": _("数值“%(v)s”不是数字。") % {"v": raw}}) from None
    if not value.is_finite() or abs(value) >= MAX_ABS:
        raise ValidationError({"value": _("数值超出可保存的范围。")})
    if value != value.quantize(Decimal("0.0001")):
        raise ValidationError({"value": _("数值最多保留 4 位小数。")})
    if indicator.unit == "%" and not Decimal(0) <= value <= Decimal(100):
        raise ValidationError({"value": _("百分比指标的数值应在 0 到 100 之间。")})
    if indicator.unit in COUNT_UNITS and (value < 0 or value != value.to_integral_value()):
        raise ValidationError(
            {"value": _("“%(u)s”为单位的指标应填写不小于 0 的整数。") % {"u": indicator.unit}}
        )
    if value < 0:
        raise ValidationError({"value": _("数值不能为负数。")})
    return value.quantize(Decimal("0.0001"))


# -- entering --------------------------------------------------------------------------------


def enter_value(
    actor,
    indicator: Indicator,
    region,
    period: str,
    value,
    note: str = "",
    *,
    snapshot: bool = False,
) -> IndicatorValue:
    """Save `value` as the value in use of `indicator` for `region` and `period`.

    The first value is revision 0; a different value later is the next revision, and the row
    it replaces is kept with is_current False. A correction needs a note saying why; entering
    the value already in use is refused (nothing would change)."""
    region = _region(region)
    if not permissions.can(actor, "brain.enter_value", region):
        if permissions.can(actor, "brain.enter_value"):
            raise NotAllowed(_("区县管理员只能填报本区县的数值。"))
        raise NotAllowed(_("只有市科技局和区县管理员可以填报指标数值。"))
    if not indicator.active:
        raise ServiceError(_("指标“%(n)s”已停用，不能再填报。") % {"n": indicator.name})
    checked = check_period(indicator, period)
    amount = check_value(indicator, value)
    note = (note or "").strip()[:300]
    with transaction.atomic():
        # One writer per indicator at a time, so that revision numbers follow each other.
        Indicator.objects.select_for_update().filter(pk=indicator.pk).first()
        rows = IndicatorValue.objects.filter(
            indicator=indicator, region=region, period=checked.text
        )
        current = rows.filter(is_current=True).first()
        if current is not None and current.value == amount:
            raise ServiceError(
                _("%(r)s %(p)s 的现行值已是 %(v)s，无需修订。")
                % {"r": region.name, "p": checked.text, "v": display(indicator, amount)},
                code="unchanged",
            )
        if current is not None and not note:
            raise ValidationError({"note": _("修订已有数值时请在“说明”中写明原因。")})
        revision = (rows.aggregate(m=Max("revision"))["m"] + 1) if current is not None else 0
        if current is not None:
            current.is_current = False
            current.save(update_fields=["is_current"])
        saved = IndicatorValue.objects.create(
            indicator=indicator,
            region=region,
            period=checked.text,
            value=amount,
            revision=revision,
            is_current=True,
            note=SNAPSHOT_NOTE if snapshot and not note else note,
            entered_by=actor,
        )
        if current is None:
            audit.record_create(actor, saved, note=saved.note)
        else:
            audit.record(
                actor,
                AuditAction.UPDATE,
                saved,
                {
                    "value": [str(current.value), str(saved.value)],
                    "revision": [current.revision, saved.revision],
                },
                note=saved.note,
            )
    return saved


def snapshot(actor, indicator: Indicator, period: str | None = None) -> dict[str, int]:
    """Freeze a computed indicator's live figures for `period` (default: the current period)
    for the city and every unit, as values noted 平台数据快照. Regions whose value in use is
    already the live figure are left alone."""
    permissions.require(
        actor, "brain.manage_catalog", message=_("只有市科技局可以保存平台数据快照。")
    )
    if indicator.method != Method.COMPUTED or not indicator.computer:
        raise ServiceError(_("“%(n)s”不是平台数据实时计算的指标。") % {"n": indicator.name})
    checked = check_period(indicator, period) if period else current_period(indicator)
    if checked.start > timezone.localdate():
        raise ValidationError({"period": _("期别 %(p)s 尚未开始。") % {"p": checked.text}})
    live = live_values(indicator, checked)
    stored = _stored(indicator, checked.text)
    counts = {"saved": 0, "unchanged": 0}
    with transaction.atomic():
        for region in all_regions():
            amount = live.get(region.code, Decimal(0))
            if region.code in stored and stored[region.code] == amount:
                counts["unchanged"] += 1
                continue
            enter_value(
                actor, indicator, region, checked.text, amount, SNAPSHOT_NOTE, snapshot=True
            )
            counts["saved"] += 1
    return counts


# -- reading ---------------------------------------------------------------------------------


def display(indicator: Indicator, value: Decimal | None) -> str:
    """A value with the indicator's decimals and thousands separators ("—" for none)."""
    if value is None:
        return "—"
    return f"{Decimal(value):,.{indicator.decimals}f}"


def _stored(indicator: Indicator, period: str, region_ids=None) -> dict[str, Decimal]:
    rows = IndicatorValue.objects.filter(indicator=indicator, period=period, is_current=True)
    if region_ids is not None:
        rows = rows.filter(region_id__in=region_ids)
    return dict(rows.values_list("region__code", "value"))


def live_values(indicator: Indicator, period: Period) -> dict[str, Decimal]:
    """A computed indicator's live figures for the city and every unit (code → value)."""
    if indicator.method != Method.COMPUTED or not indicator.computer:
        return {}
    func = computed.get(indicator.computer)
    by_id = func.by_region(period)
    out = {}
    for region in all_regions():
        if region.kind == RegionKind.CITY:
            out[region.code] = sum(by_id.values(), Decimal(0))
        else:
            out[region.code] = by_id.get(region.pk, Decimal(0))
    return out


def current_values(
    indicator_code: str, period: str, regions: Iterable | None = None
) -> dict[str, Decimal]:
    """The value in use per region code for one period (see the module docstring)."""
    indicator = get_indicator(indicator_code)
    if regions is None:
        chosen = all_regions()
    else:
        chosen = [_region(r) for r in regions]
    values = _stored(indicator, period, [r.pk for r in chosen])
    missing = [r for r in chosen if r.code not in values]
    if missing and indicator.method == Method.COMPUTED:
        try:
            checked = parse(period, indicator.frequency)
        except PeriodError:
            return values
        if checked.start <= timezone.localdate():
            live = live_values(indicator, checked)
            values.update({r.code: live[r.code] for r in missing if r.code in live})
    return values


def series(indicator_code: str, region_code: str) -> list[tuple[str, Decimal]]:
    """One region's values in use, oldest period first (see the module docstring)."""
    indicator = get_indicator(indicator_code)
    region = _region(region_code)
    rows = dict(
        IndicatorValue.objects.filter(indicator=indicator, region=region, is_current=True)
        .order_by("period")
        .values_list("period", "value")
    )
    if indicator.method == Method.COMPUTED:
        now = current_period(indicator)
        if now.text not in rows:
            rows[now.text] = computed.get(indicator.computer)(region, now)
    return sorted(rows.items())


def history(indicator: Indicator, regions: Iterable[Region], region=None, period: str = ""):
    """Every revision of the indicator's values in `regions` (newest first), optionally of one
    region and period only."""
    rows = IndicatorValue.objects.filter(indicator=indicator, region__in=list(regions))
    if region is not None:
        rows = rows.filter(region=region)
    if period:
        rows = rows.filter(period=period)
    return rows.select_related("region", "entered_by").order_by("-entered_at", "-pk")


def table(indicator: Indicator, regions: list[Region]) -> dict[str, dict[str, IndicatorValue]]:
    """The values in use: period → region code → row, for the given regions."""
    out: dict[str, dict[str, IndicatorValue]] = {}
    rows = IndicatorValue.objects.filter(
        indicator=indicator, region__in=regions, is_current=True
    ).select_related("region", "entered_by")
    for row in rows:
        out.setdefault(row.period, {})[row.region.code] = row
    return out
