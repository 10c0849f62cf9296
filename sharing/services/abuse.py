"""Abuse checks on innovation vouchers, and the relations between organisations they read.

The bureau records relations between organisations (控股, 同一集团…). `group_of` is the set of
organisations connected through declared relations (A–B and B–C put A and C in one group);
`related` says why two organisations count as related: declared (the kinds along the way) or
suspected (the same telephone number or the same registered address).

The rules themselves are data (`sharing/data/abuse.json`: code, name, description,
parameters). `same_group` is checked at each redemption; the pattern rules run in `scan`, as a
background job or the command `kechuang voucher_abuse_scan`. Each finding is stored as an
AbuseFlag under a stable key, so a re-scan never flags the same thing twice. Flags are for the
bureau's review: the redemptions they point at stand.
"""

from __future__ import annotations

import datetime
import functools
import json
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Case, Count, F, IntegerField, Max, Q, QuerySet, Sum, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import permissions
from core.choices import AuditAction
from core.exceptions import InvalidTransition, NotFound, ServiceError
from core.models import Organisation
from core.services import audit
from core.services.jobs import Progress, job_handler
from core.validators import normalise_uscc
from sharing.choices import FlagStatus, RelationKind
from sharing.models import AbuseFlag, OrgRelation, Redemption, Voucher, VoucherProgram
from sharing.services.common import yuan

RULES_FILE = Path(__file__).resolve().parent.parent / "data" / "abuse.json"
SCAN_JOB = "sharing.abuse_scan"
# The rules `scan` runs (same_group is also checked at each redemption).
PATTERN_RULES = (
    "same_group",
    "quick_full_use",
    "provider_concentration",
    "burst",
    "split_contracts",
)
REVIEW_OUTCOMES = (FlagStatus.CLEARED, FlagStatus.CONFIRMED)


def _day(value: datetime.datetime) -> datetime.date:
    return timezone.localtime(value).date()


# -- the rules as data ----------------------------------------------------------------------


@functools.cache
def _load() -> dict[str, Any]:
    with RULES_FILE.open(encoding="utf-8") as f:
        return json.load(f)


def rules() -> dict[str, dict[str, Any]]:
    """code → {code, name, description, parameters}, in the file's order."""
    return {r["code"]: r for r in _load()["rules"]}


def rule_name(code: str) -> str:
    r = rules().get(code)
    return r["name"] if r else code


def parameters(code: str) -> dict[str, Any]:
    return dict(rules()[code]["parameters"])


# -- relations ------------------------------------------------------------------------------


def _org_by_uscc(value: str, label: str) -> Organisation:
    code = normalise_uscc(value)
    if not code:
        raise ServiceError(_("请填写%(f)s的统一社会信用代码。") % {"f": label}, code="invalid")
    org = Organisation.objects.filter(uscc=code).first()
    if org is None:
        raise ServiceError(
            _("%(f)s：平台上没有统一社会信用代码为 %(c)s 的单位。") % {"f": label, "c": code},
            code="invalid",
        )
    return org


def relations() -> QuerySet[OrgRelation]:
    return OrgRelation.objects.select_related("first", "second", "created_by")


def record_relation(actor, first_uscc: str, second_uscc: str, kind: str, note: str = ""):
    """The bureau records that two organisations are related; the pair is stored once, with
    the smaller id first."""
    permissions.require(actor, "sharing.manage", None, _("只有市科技局可以登记关联关系。"))
    a = _org_by_uscc(first_uscc, _("单位一"))
    b = _org_by_uscc(second_uscc, _("单位二"))
    if a.pk == b.pk:
        raise ServiceError(_("关联关系须在两个不同的单位之间登记。"), code="invalid")
    if kind not in RelationKind.values:
        raise ServiceError(_("请选择关联类型。"), code="invalid")
    first, second = (a, b) if a.pk < b.pk else (b, a)
    with transaction.atomic():
        existing = OrgRelation.objects.filter(first=first, second=second).first()
        if existing is not None:
            raise InvalidTransition(
                _("%(a)s与%(b)s的关联关系已登记（%(k)s）。")
                % {"a": first.name, "b": second.name, "k": existing.get_kind_display()}
            )
        try:
            with transaction.atomic():
                relation = OrgRelation.objects.create(
                    first=first,
                    second=second,
                    kind=kind,
                    note=(note or "").strip()[:300],
                    created_by=actor,
                )
        except IntegrityError:
            raise InvalidTransition(
                _("%(a)s与%(b)s的关联关系已登记。") % {"a": first.name, "b": second.name}
            ) from None
        audit.record_create(actor, relation)
    return relation


def get_relation(pk) -> OrgRelation:
    relation = relations().filter(pk=pk).first()
    if relation is None:
        raise NotFound(_("关联关系不存在。"))
    return relation


def delete_relation(actor, relation: OrgRelation) -> None:
    permissions.require(actor, "sharing.manage", None, _("只有市科技局可以删除关联关系。"))
    with transaction.atomic():
        before = audit.snapshot(relation)
        text = str(relation)
        pk = relation.pk
        relation.delete()
        relation.pk = pk
        audit.record_delete(actor, relation, before, object_repr=text)


def _walk(start: int, target: int | None = None) -> dict[int, tuple[int, str] | None]:
    """Breadth-first over declared relations from `start`: each reached organisation with the
    organisation and relation kind it was reached through. Stops early at `target`."""
    parents: dict[int, tuple[int, str] | None] = {start: None}
    frontier = {start}
    while frontier and (target is None or target not in parents):
        found: dict[int, tuple[int, str]] = {}
        pairs = OrgRelation.objects.filter(
            Q(first_id__in=frontier) | Q(second_id__in=frontier)
        ).values_list("first_id", "second_id", "kind")
        for a, b, kind in pairs.order_by("pk"):
            for here, there in ((a, b), (b, a)):
                if here in frontier and there not in parents and there not in found:
                    found[there] = (here, kind)
        parents.update(found)
        frontier = set(found)
    return parents


def _pk(org) -> int:
    return org if isinstance(org, int) else org.pk


def group_of(org) -> set[int]:
    """The ids of the organisations connected to `org` (itself included) through declared
    relations."""
    return set(_walk(_pk(org)))


def declared_path(a, b) -> list[tuple[int, str]] | None:
    """The relation kinds along the shortest chain of declared relations from `a` to `b`, each
    with the organisation it leads to; None when they are not connected."""
    start, target = _pk(a), _pk(b)
    parents = _walk(start, target)
    if target not in parents or start == target:
        return None
    steps = []
    node = target
    while parents[node] is not None:
        parent, kind = parents[node]
        steps.append((node, kind))
        node = parent
    return list(reversed(steps))


def _phone(value: str) -> str:
    return re.sub(r"\D", "", value or "")


def _address(value: str) -> str:
    return re.sub(r"\s+", "", value or "")


def related(a: Organisation, b: Organisation) -> str | None:
    """Why `a` and `b` count as related, or None: the same organisation; a chain of declared
    relations (the kinds along the way); or suspected — the same telephone number (联系电话相同)
    or the same registered address (注册地址相同)."""
    if a.pk == b.pk:
        return _("同一单位")
    path = declared_path(a, b)
    if path:
        kinds = "、".join(str(RelationKind(kind).label) for _node, kind in path)
        via = [node for node, _kind in path[:-1]]
        if via:
            names = dict(Organisation.objects.filter(pk__in=via).values_list("pk", "name"))
            return _("已登记关联关系：%(kinds)s（经%(via)s）") % {
                "kinds": kinds,
                "via": "、".join(names[n] for n in via),
            }
        return _("已登记关联关系：%(kinds)s") % {"kinds": kinds}
    reasons = []
    if _phone(a.contact_phone) and _phone(a.contact_phone) == _phone(b.contact_phone):
        reasons.append(_("联系电话相同"))
    if _address(a.address) and _address(a.address) == _address(b.address):
        reasons.append(_("注册地址相同"))
    if reasons:
        return _("疑似关联：%(r)s") % {"r": "、".join(reasons)}
    return None


# -- flags ----------------------------------------------------------------------------------


@dataclass
class Finding:
    key: str
    message: str
    details: dict[str, Any]
    voucher: Voucher | None = None
    redemption: Redemption | None = None
    provider: Any = None
    extra: dict[str, Any] = field(default_factory=dict)


def _store(code: str, program: VoucherProgram, finding: Finding) -> AbuseFlag | None:
    """Save a finding as a flag; None when its key is flagged already."""
    if AbuseFlag.objects.filter(key=finding.key).exists():
        return None
    try:
        with transaction.atomic():
            return AbuseFlag.objects.create(
                rule=code,
                key=finding.key[:80],
                program=program,
                voucher=finding.voucher,
                redemption=finding.redemption,
                provider=finding.provider,
                message=finding.message[:300],
                details={"rule": rule_name(code), **finding.details},
            )
    except IntegrityError:  # flagged by a scan running at the same moment
        return None


def _same_group_finding(redemption: Redemption, reason: str) -> Finding:
    voucher = redemption.voucher
    provider = redemption.provider
    return Finding(
        key=f"same_group:R{redemption.pk}",
        message=_(
            "服务机构%(p)s与持券企业%(h)s存在关联（%(why)s），核销创新券 %(code)s %(amount)s元。"
        )
        % {
            "p": provider.organisation.name,
            "h": voucher.holder.name,
            "why": reason,
            "code": voucher.code,
            "amount": yuan(redemption.amount),
        },
        details={
            "reason": reason,
            "amount": f"{redemption.amount:.2f}",
            "contract_number": redemption.contract_number,
            "holder": voucher.holder.name,
            "provider": provider.organisation.name,
        },
        voucher=voucher,
        redemption=redemption,
        provider=provider,
    )


def flag_same_group(redemption: Redemption) -> AbuseFlag | None:
    """The immediate rule at redemption: the provider and the holder are related."""
    reason = related(redemption.provider.organisation, redemption.voucher.holder)
    if reason is None:
        return None
    return _store("same_group", redemption.voucher.program, _same_group_finding(redemption, reason))


def _redemptions(program: VoucherProgram) -> list[Redemption]:
    return list(
        Redemption.objects.filter(voucher__program=program)
        .select_related("voucher__holder", "provider__organisation")
        .order_by("redeemed_at", "pk")
    )


def find_same_group(program: VoucherProgram, params: dict[str, Any]) -> Iterable[Finding]:
    """Redemptions between related organisations (relations may be declared after the fact)."""
    reasons: dict[tuple[int, int], str | None] = {}
    for r in _redemptions(program):
        pair = (r.provider.organisation_id, r.voucher.holder_id)
        if pair not in reasons:
            reasons[pair] = related(r.provider.organisation, r.voucher.holder)
        if reasons[pair]:
            yield _same_group_finding(r, reasons[pair])


def find_quick_full_use(program: VoucherProgram, params: dict[str, Any]) -> Iterable[Finding]:
    """Vouchers fully redeemed within `days` days of issue (the day of issue counting as 0)."""
    days = int(params["days"])
    vouchers = (
        Voucher.objects.filter(program=program, redeemed=F("face_value"), face_value__gt=0)
        .select_related("holder")
        .annotate(last=Max("redemptions__redeemed_at"), n=Count("redemptions"))
        .order_by("pk")
    )
    for v in vouchers:
        if v.last is None:
            continue
        elapsed = (_day(v.last) - _day(v.issued_at)).days
        if elapsed > days:
            continue
        yield Finding(
            key=f"quick_full_use:V{v.pk}",
            message=_(
                "创新券 %(code)s（%(h)s，面额%(face)s元）发券后%(n)d天内即全部核销（%(k)d笔），"
                "超过规则%(limit)d天以内的提示线。"
            )
            % {
                "code": v.code,
                "h": v.holder.name,
                "face": yuan(v.face_value),
                "n": elapsed,
                "k": v.n,
                "limit": days,
            },
            details={
                "face_value": f"{v.face_value:.2f}",
                "issued_on": _day(v.issued_at).isoformat(),
                "used_up_on": _day(v.last).isoformat(),
                "days": elapsed,
                "limit_days": days,
                "redemptions": v.n,
            },
            voucher=v,
        )


def find_provider_concentration(
    program: VoucherProgram, params: dict[str, Any]
) -> Iterable[Finding]:
    """A provider holding more than `share` of the program's redeemed amount over at least
    `min_vouchers` vouchers."""
    share = Decimal(str(params["share"]))
    minimum = int(params["min_vouchers"])
    rows = list(
        Redemption.objects.filter(voucher__program=program)
        .values("provider_id")
        .annotate(amount=Sum("amount"), vouchers=Count("voucher", distinct=True))
        .order_by("provider_id")
    )
    total = sum((r["amount"] for r in rows), Decimal(0))
    if total <= 0:
        return
    from sharing.models import ServiceProvider

    providers = ServiceProvider.objects.select_related("organisation").in_bulk(
        [r["provider_id"] for r in rows]
    )
    for r in rows:
        ratio = r["amount"] / total
        if ratio <= share or r["vouchers"] < minimum:
            continue
        provider = providers[r["provider_id"]]
        yield Finding(
            key=f"provider_concentration:P{program.pk}:S{provider.pk}",
            message=_(
                "%(p)s核销了“%(prog)s”已核销金额的%(pct)s%%（%(n)d张券，%(amount)s元，"
                "项目已核销%(total)s元）。"
            )
            % {
                "p": provider.organisation.name,
                "prog": program.name,
                "pct": f"{ratio * 100:.1f}",
                "n": r["vouchers"],
                "amount": yuan(r["amount"]),
                "total": yuan(total),
            },
            details={
                "amount": f"{r['amount']:.2f}",
                "program_total": f"{total:.2f}",
                "share": f"{ratio:.4f}",
                "vouchers": r["vouchers"],
                "limit_share": str(share),
                "min_vouchers": minimum,
            },
            provider=provider,
        )


def find_burst(program: VoucherProgram, params: dict[str, Any]) -> Iterable[Finding]:
    """A provider redeeming at least `count` of the program's vouchers on one day."""
    count = int(params["count"])
    by_day: dict[tuple[int, datetime.date], list[Redemption]] = defaultdict(list)
    for r in _redemptions(program):
        by_day[(r.provider_id, _day(r.redeemed_at))].append(r)
    for (_provider_id, day), items in sorted(by_day.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        vouchers = {r.voucher_id for r in items}
        if len(vouchers) < count:
            continue
        provider = items[0].provider
        yield Finding(
            key=f"burst:P{program.pk}:S{provider.pk}:{day.isoformat()}",
            message=_("%(p)s于%(day)s一天内核销%(n)d张创新券，共%(amount)s元。")
            % {
                "p": provider.organisation.name,
                "day": day.isoformat(),
                "n": len(vouchers),
                "amount": yuan(sum(r.amount for r in items)),
            },
            details={
                "day": day.isoformat(),
                "vouchers": len(vouchers),
                "redemptions": len(items),
                "amount": f"{sum(r.amount for r in items):.2f}",
                "limit_count": count,
            },
            provider=provider,
        )


def find_split_contracts(program: VoucherProgram, params: dict[str, Any]) -> Iterable[Finding]:
    """One voucher redeemed by the same provider under at least `contracts` contracts on one
    day."""
    minimum = int(params["contracts"])
    groups: dict[tuple[int, int, datetime.date], list[Redemption]] = defaultdict(list)
    for r in _redemptions(program):
        groups[(r.voucher_id, r.provider_id, _day(r.redeemed_at))].append(r)
    for (_v, _p, day), items in groups.items():
        numbers = sorted({r.contract_number for r in items})
        if len(numbers) < minimum:
            continue
        voucher, provider = items[0].voucher, items[0].provider
        yield Finding(
            key=f"split_contracts:V{voucher.pk}:S{provider.pk}:{day.isoformat()}",
            message=_(
                "创新券 %(code)s 于%(day)s由%(p)s以%(n)d份合同分别核销（%(numbers)s），共%(amount)s元。"
            )
            % {
                "code": voucher.code,
                "day": day.isoformat(),
                "p": provider.organisation.name,
                "n": len(numbers),
                "numbers": "、".join(numbers),
                "amount": yuan(sum(r.amount for r in items)),
            },
            details={
                "day": day.isoformat(),
                "contracts": numbers,
                "amount": f"{sum(r.amount for r in items):.2f}",
                "limit_contracts": minimum,
            },
            voucher=voucher,
            provider=provider,
        )


FINDERS = {
    "same_group": find_same_group,
    "quick_full_use": find_quick_full_use,
    "provider_concentration": find_provider_concentration,
    "burst": find_burst,
    "split_contracts": find_split_contracts,
}


def scan(program: VoucherProgram | None = None, progress: Progress | None = None) -> int:
    """Run the pattern rules over one program (default: every program with redemptions) and
    store what they find; return how many new flags were raised."""
    progress = progress or Progress()
    if program is not None:
        programs = [program]
    else:
        programs = list(
            VoucherProgram.objects.filter(vouchers__redemptions__isnull=False)
            .distinct()
            .order_by("pk")
        )
    codes = [c for c in PATTERN_RULES if c in rules()]
    progress.start(len(programs) * len(codes), _("创新券异常扫描"))
    created = 0
    for prog in programs:
        for code in codes:
            for finding in FINDERS[code](prog, parameters(code)):
                if _store(code, prog, finding) is not None:
                    created += 1
            progress.advance(1, _("%(p)s：%(r)s") % {"p": prog.name, "r": rule_name(code)})
    return created


@job_handler(SCAN_JOB, permission="sharing.manage", button=gettext_lazy("创新券异常扫描"))
def scan_job(params: dict[str, Any], progress: Progress) -> dict[str, Any]:
    program = None
    if params.get("program"):
        program = VoucherProgram.objects.filter(pk=params["program"]).first()
        if program is None:
            raise NotFound(_("创新券项目不存在。"))
    created = scan(program, progress)
    progress.advance(0, _("扫描完成，新发现 %(n)d 条异常。") % {"n": created})
    return {"created": created, "program": program.pk if program else None}


def start_scan(actor, program: VoucherProgram | None = None):
    """Start the scan as a background job; its page shows the progress."""
    from core.services.jobs import start_job

    title = (
        _("创新券异常扫描：%(p)s") % {"p": program.name}
        if program
        else _("创新券异常扫描：全部项目")
    )
    return start_job(actor, SCAN_JOB, title, {"program": program.pk if program else None})


# -- review ---------------------------------------------------------------------------------


def flags(
    *, rule: str | None = None, status: str | None = None, program=None
) -> QuerySet[AbuseFlag]:
    """Flags, open ones first, newest first within each status."""
    qs = AbuseFlag.objects.select_related(
        "program", "voucher__holder", "redemption", "provider__organisation", "reviewed_by"
    ).annotate(
        open_first=Case(
            When(status=FlagStatus.OPEN, then=Value(0)),
            default=Value(1),
            output_field=IntegerField(),
        )
    )
    if rule:
        qs = qs.filter(rule=rule)
    if status:
        qs = qs.filter(status=status)
    if program:
        qs = qs.filter(program_id=_pk(program))
    return qs.order_by("open_first", "-created_at", "-pk")


def get_flag(pk) -> AbuseFlag:
    flag = flags().filter(pk=pk).first()
    if flag is None:
        raise NotFound(_("该异常记录不存在。"))
    return flag


def review_flag(actor, flag: AbuseFlag, status: str, note: str) -> AbuseFlag:
    """The bureau's conclusion on an open flag: 核查正常 or 确认异常, with a note."""
    permissions.require(actor, "sharing.manage", None, _("只有市科技局可以核查异常。"))
    if status not in REVIEW_OUTCOMES:
        raise ServiceError(_("请选择核查结论：核查正常或确认异常。"), code="invalid")
    note = (note or "").strip()
    if not note:
        raise ServiceError(_("请填写核查意见。"), code="invalid")
    with transaction.atomic():
        locked = AbuseFlag.objects.select_for_update().get(pk=flag.pk)
        if locked.status != FlagStatus.OPEN:
            raise InvalidTransition(
                _("该异常已核查（%(s)s），不能再次核查。") % {"s": locked.get_status_display()}
            )
        before = audit.snapshot(locked)
        locked.status = status
        locked.review_note = note[:300]
        locked.reviewed_by = actor
        locked.reviewed_at = timezone.now()
        locked.save()
        changes = audit.diff(before, audit.snapshot(locked))
        audit.record(actor, AuditAction.TRANSITION, locked, changes, note=note)
    return locked
