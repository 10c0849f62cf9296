"""Decision (立项) and 公示: proposed projects published for objections during N working days of
China's official calendar, objections resolved, then final approval with a PDF notice.

reviewed → proposed (拟立项, in the publicity) → funded | not_funded. An upheld objection takes
its project off the list (not_funded); the publicity can be finalised only after its last day
and with no objection pending.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from core import permissions
from core.exceptions import InvalidTransition, NotFound
from core.masking import mask_phone
from core.services import audit
from core.services.workdays import add_working_days
from programs.choices import ApplicationStatus, ObjectionStatus, PublicityStatus
from programs.models import Application, Call, Objection, Publicity
from programs.services.applications import _move
from programs.services.pdf import render_pdf

S = ApplicationStatus


def _require_manager(actor, call: Call) -> None:
    permissions.require(actor, "programs.manage_call", call, _("您无权办理该指南的立项。"))


def propose(actor, call: Call, funding: dict[int, Decimal | str]) -> list[Application]:
    """拟立项: the reviewed applications chosen, each with the funding proposed for it."""
    _require_manager(actor, call)
    if not funding:
        raise InvalidTransition(_("请至少选择一个拟立项项目。"))
    with transaction.atomic():  # a refusal below leaves nothing proposed
        return _propose(actor, call, funding)


def _propose(actor, call: Call, funding: dict[int, Decimal | str]) -> list[Application]:
    chosen = []
    for pk, amount in funding.items():
        application = call.applications.filter(pk=pk).first()
        if application is None:
            raise InvalidTransition(_("项目不属于该指南。"))
        amount = Decimal(str(amount))
        if not 0 < amount <= call.max_funding:
            raise InvalidTransition(
                _("“%(t)s”的拟资助经费须大于0且不超过单项上限%(cap)s万元。")
                % {"t": application.title, "cap": call.max_funding}
            )
        chosen.append(
            _move(
                actor,
                application,
                [S.REVIEWED],
                S.PROPOSED,
                reason=_("拟立项，拟资助%(a)s万元") % {"a": amount},
                approved_funding=amount,
            )
        )
    total = sum((a.approved_funding for a in chosen), Decimal(0))
    if total > call.budget_total:
        raise InvalidTransition(
            _("拟资助合计%(t)s万元，超过指南财政资金总额%(b)s万元。")
            % {"t": total, "b": call.budget_total}
        )
    return chosen


def start_publicity(actor, call: Call, *, starts_on=None) -> Publicity:
    """公示 of every proposed project of the call, ending after the call's working days."""
    _require_manager(actor, call)
    starts_on = starts_on or timezone.localdate()
    with transaction.atomic():
        if call.publicities.filter(status=PublicityStatus.OPEN).exists():
            raise InvalidTransition(_("该指南已有正在进行的公示。"))
        if not call.applications.filter(status=S.PROPOSED).exists():
            raise InvalidTransition(_("没有拟立项项目，不能公示。"))
        publicity = Publicity.objects.create(
            call=call,
            title=_("%(call)s拟立项项目公示") % {"call": call.title},
            starts_on=starts_on,
            ends_on=add_working_days(starts_on, call.publicity_working_days),
            working_days=call.publicity_working_days,
            created_by=actor,
        )
        audit.record_create(actor, publicity)
    return publicity


# A project stays on its 公示 list once funded, through its 任务书, acceptance and closing.
ON_THE_LIST = (S.PROPOSED, S.FUNDED, S.CONTRACTED, S.ACCEPTANCE, S.CLOSED)


def proposed_projects(publicity: Publicity):
    return (
        publicity.call.applications.filter(status__in=ON_THE_LIST)
        .select_related("organisation")
        .order_by("number", "pk")
    )


def file_objection(actor, publicity: Publicity, application: Application, **data: Any) -> Objection:
    """Anyone may object while the publicity is open, with a name, a contact and grounds."""
    today = timezone.localdate()
    application = Application.objects.get(pk=application.pk)
    if publicity.status != PublicityStatus.OPEN or today > publicity.ends_on:
        raise InvalidTransition(_("公示期已结束，不再受理异议。"))
    if application.call_id != publicity.call_id or application.status != S.PROPOSED:
        raise InvalidTransition(_("该项目不在本次公示名单中。"))
    missing = [
        label
        for field, label in (
            ("name", _("异议人")),
            ("contact", _("联系方式")),
            ("content", _("异议内容")),
        )
        if not str(data.get(field, "")).strip()
    ]
    if missing:
        raise InvalidTransition(_("请填写：%(f)s。") % {"f": "、".join(missing)})
    if len(data["content"].strip()) < 10:
        raise InvalidTransition(_("请写明异议的具体内容和依据（不少于10个字）。"))
    signed_in = actor is not None and getattr(actor, "is_authenticated", False)
    objection = Objection.objects.create(
        publicity=publicity,
        application=application,
        name=data["name"].strip()[:50],
        contact=data["contact"].strip()[:50],
        content=data["content"].strip(),
        submitted_by=actor if signed_in else None,
    )
    audit.record(
        actor if signed_in else None,
        "create",
        objection,
        {"异议人": [None, objection.name], "联系方式": [None, mask_phone(objection.contact)]},
    )
    return objection


def resolve_objection(actor, objection: Objection, *, upheld: bool, resolution: str) -> Objection:
    _require_manager(actor, objection.publicity.call)
    if not resolution.strip():
        raise InvalidTransition(_("请填写处理意见。"))
    with transaction.atomic():
        locked = Objection.objects.select_for_update().get(pk=objection.pk)
        if locked.status != ObjectionStatus.PENDING:
            raise InvalidTransition(_("该异议已处理。"))
        before = audit.snapshot(locked)
        locked.status = ObjectionStatus.UPHELD if upheld else ObjectionStatus.DISMISSED
        locked.resolution = resolution.strip()
        locked.resolved_by, locked.resolved_at = actor, timezone.now()
        locked.save()
        audit.record_update(actor, locked, before)
        if upheld:
            _move(
                actor,
                locked.application,
                [S.PROPOSED],
                S.NOT_FUNDED,
                reason=_("公示异议成立：%(r)s") % {"r": resolution.strip()},
            )
    return locked


def finalise(actor, publicity: Publicity) -> Publicity:
    """正式立项 after the publicity: every proposed project funded, the rest of the call's
    reviewed applications not funded, and the notice drawn as a PDF."""
    call = publicity.call
    _require_manager(actor, call)
    if timezone.localdate() <= publicity.ends_on:
        raise InvalidTransition(
            _("公示期至%(d)s结束，期满后才能正式立项。") % {"d": publicity.ends_on.isoformat()}
        )
    with transaction.atomic():
        locked = Publicity.objects.select_for_update().get(pk=publicity.pk)
        if locked.status != PublicityStatus.OPEN:
            raise InvalidTransition(_("该公示已正式立项。"))
        pending = locked.objections.filter(status=ObjectionStatus.PENDING).count()
        if pending:
            raise InvalidTransition(
                _("还有%(n)d条异议未处理，处理完毕后才能正式立项。") % {"n": pending}
            )
        for application in call.applications.filter(status=S.PROPOSED):
            _move(actor, application, [S.PROPOSED], S.FUNDED, reason=_("正式立项"))
        for application in call.applications.filter(status=S.REVIEWED):
            _move(actor, application, [S.REVIEWED], S.NOT_FUNDED, reason=_("未列入立项名单"))
        before = audit.snapshot(locked)
        locked.status, locked.finalised_at = PublicityStatus.FINALISED, timezone.now()
        funded = list(
            call.applications.filter(status=S.FUNDED)
            .select_related("organisation")
            .order_by("number")
        )
        html = render_to_string(
            "programs/notice_pdf.html",
            {
                "publicity": locked,
                "call": call,
                "projects": funded,
                "total": sum((a.approved_funding or 0 for a in funded), Decimal(0)),
                "today": timezone.localdate(),
            },
        )
        locked.notice.save(f"notice-{locked.pk}.pdf", ContentFile(render_pdf(html)), save=False)
        locked.save()
        audit.record_update(actor, locked, before, note=_("正式立项"))
    return locked


def get_publicity(pk: int) -> Publicity:
    publicity = Publicity.objects.filter(pk=pk).select_related("call").first()
    if publicity is None:
        raise NotFound(_("公示不存在。"))
    return publicity
