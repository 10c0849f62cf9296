"""Applications (申报书): prepared by an organisation's users, confirmed by its administrator.

draft → submitted (待单位审核) → confirmed (待形式审查) → accepted | returned | rejected.
A returned application can be fixed and submitted once more within the call's fix window.
Every step goes through `_move`, which locks the row, checks the current status, writes a
Transition and an audit row: two people acting at once produce one step, not two.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from core import permissions
from core.exceptions import InvalidTransition, NotAllowed
from core.services import audit
from integrity.services.gate import IntegrityRestricted, require_integrity
from programs.choices import (
    ApplicationStatus,
    AttachmentKind,
    BudgetCategory,
    CallKind,
    ReportStatus,
)
from programs.exceptions import IneligibleApplicant, NotReady
from programs.models import (
    Application,
    Attachment,
    BudgetLine,
    Call,
    ProgressReport,
    Transition,
)
from programs.permissions import visible_applications

S = ApplicationStatus
MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024
# Accepted types, each with the bytes its files start with (a renamed file is refused).
ATTACHMENT_TYPES = {
    "pdf": (b"%PDF",),
    "docx": (b"PK\x03\x04",),
    "xlsx": (b"PK\x03\x04",),
    "jpg": (b"\xff\xd8\xff",),
    "jpeg": (b"\xff\xd8\xff",),
    "png": (b"\x89PNG",),
}


def get_application_for_user(user, pk: int, *, write: bool = False) -> Application:
    """The application if this user may open it (and edit it, with `write`), else NotAllowed."""
    application = (
        Application.objects.filter(pk=pk)
        .select_related("call", "topic", "organisation", "region")
        .first()
    )
    perm = "programs.change_application" if write else "programs.view_application"
    if application is None or not permissions.can(user, perm, application):
        if (
            write
            and application is not None
            and permissions.can(user, "programs.view_application", application)
        ):
            raise NotAllowed(
                _("申报书当前状态为“%(status)s”，不能修改。")
                % {"status": application.get_status_display()}
            )
        raise NotAllowed(_("申报书不存在或您无权访问。"))
    return application


def applications_for(user):
    return visible_applications(
        Application.objects.select_related("call", "organisation", "topic"), user
    )


# -- eligibility ---------------------------------------------------------------------------


def eligibility_problems(call: Call, organisation, *, at=None, application=None) -> list[str]:
    """Every reason this organisation may not apply to this call now (empty: it may)."""
    at = at or timezone.now()
    problems = []
    if call.eligible_org_types and organisation.type not in call.eligible_org_types:
        problems.append(
            _("本指南不接受“%(type)s”类单位申报") % {"type": organisation.get_type_display()}
        )
    regions = list(call.eligible_regions.values_list("pk", flat=True))
    if regions and organisation.region_id not in regions:
        problems.append(_("本指南不接受所在区域的单位申报"))
    try:
        require_integrity(organisation, "apply", at.date())
    except IntegrityRestricted as restricted:
        problems.append(restricted.message.rstrip("。"))
    late = list(overdue_reports(organisation, at.date())[:3])
    if late:
        problems.append(
            _("本单位有逾期未交的项目进展报告（%(list)s），提交后方可申报新项目")
            % {"list": "；".join(f"{r.application.title}，应于{r.due_date}提交" for r in late)}
        )
    others = call.applications.filter(organisation=organisation).exclude(
        status__in=[S.DRAFT, S.REJECTED]
    )
    if application is not None:
        others = others.exclude(pk=application.pk)
    submitted = others.count()
    if submitted >= call.max_applications_per_org:
        problems.append(
            _("每个单位限报%(n)d项，本单位已提交%(m)d项")
            % {"n": call.max_applications_per_org, "m": submitted}
        )
    return problems


def overdue_reports(organisation, today: datetime.date | None = None):
    """Reports of this organisation's projects past their due date and not handed in."""
    today = today or timezone.localdate()
    return ProgressReport.objects.filter(
        application__organisation=organisation,
        due_date__lt=today,
        status__in=(ReportStatus.DUE, ReportStatus.RETURNED),
    ).select_related("application")


def budget_problems(application: Application) -> list[str]:
    lines = {line.category: line.amount for line in application.budget_lines.all()}
    problems = []
    total = sum(lines.values(), Decimal(0))
    if not lines:
        problems.append(_("预算表未填写"))
    elif total != application.total_budget:
        problems.append(
            _("预算科目合计%(lines)s万元，与申请财政资金和自筹资金之和%(total)s万元不一致")
            % {"lines": total, "total": application.total_budget}
        )
    if application.requested_funding > application.call.max_funding:
        problems.append(
            _("申请财政资金%(asked)s万元，超过单项资助上限%(cap)s万元")
            % {"asked": application.requested_funding, "cap": application.call.max_funding}
        )
    direct = total - lines.get(BudgetCategory.INDIRECT, Decimal(0))
    base = direct - lines.get(BudgetCategory.EQUIPMENT, Decimal(0))
    cap = (base * application.call.indirect_cap_percent / 100).quantize(Decimal("0.01"))
    if lines.get(BudgetCategory.INDIRECT, Decimal(0)) > cap:
        problems.append(
            _("间接费用不得超过直接费用扣除设备费后的%(p)d%%（%(cap)s万元）")
            % {"p": application.call.indirect_cap_percent, "cap": cap}
        )
    return problems


def completeness_problems(application: Application) -> list[str]:
    problems = []
    if application.call.topics.exists() and application.topic_id is None:
        problems.append(_("请选择申报方向"))
    for field, label in (("summary", _("项目摘要")), ("pi_name", _("项目负责人"))):
        if not getattr(application, field).strip():
            problems.append(_("%(field)s未填写") % {"field": label})
    for field in application.call.form_fields:
        if field.get("required") and application.answers.get(field["key"]) in (None, ""):
            problems.append(_("%(field)s未填写") % {"field": field["label"]})
    present = set(application.attachments.values_list("kind", flat=True))
    for kind in application.call.required_attachments:
        if kind not in present:
            problems.append(_("缺少附件“%(kind)s”") % {"kind": AttachmentKind(kind).label})
    return problems


def clean_answers(call: Call, answers: dict) -> dict:
    """The answers to the call's extra questions, typed; unknown or ill-typed ones refused."""
    fields = {f["key"]: f for f in call.form_fields}
    unknown = set(answers) - set(fields)
    if unknown:
        raise InvalidTransition(
            _("本指南没有这些栏目：%(k)s。") % {"k": "、".join(sorted(unknown))}
        )
    clean = {}
    for key, value in answers.items():
        field = fields[key]
        if value in (None, ""):
            continue
        if field["type"] == "number":
            try:
                value = str(Decimal(str(value)))
            except ArithmeticError:
                raise InvalidTransition(_("“%(l)s”须填写数字。") % {"l": field["label"]}) from None
        elif field["type"] == "choice" and value not in field["choices"]:
            raise InvalidTransition(
                _("“%(l)s”须从以下选项中选择：%(c)s。")
                % {"l": field["label"], "c": "、".join(field["choices"])}
            )
        else:
            value = str(value).strip()[:2000]
        clean[key] = value
    return clean


# -- preparing -----------------------------------------------------------------------------

EDITABLE_FIELDS = {
    "answers",
    "title",
    "summary",
    "keywords",
    "topic",
    "pi_name",
    "pi_user",
    "team",
    "requested_funding",
    "self_funding",
}


def create_application(actor, call: Call, **data: Any) -> Application:
    permissions.require(
        actor, "programs.add_application", message=_("只有企业或高校院所用户可以申报项目。")
    )
    organisation = actor.current_membership.organisation
    if not call.is_open():
        raise InvalidTransition(_("该指南当前不在申报期内。"))
    problems = eligibility_problems(call, organisation)
    if problems:
        raise IneligibleApplicant(_("本单位不能申报该指南："), problems)
    co_organisations = data.pop("co_organisations", None)
    budget = data.pop("budget", None)
    _check_fields(data, call)
    with transaction.atomic():
        application = Application(
            call=call,
            organisation=organisation,
            region_id=organisation.region_id,
            created_by=actor,
            **data,
        )
        _check_topic(application)
        application.full_clean()
        application.save()
        if co_organisations is not None:
            application.co_organisations.set(co_organisations)
        if budget is not None:
            _write_budget(application, budget)
        audit.record_create(actor, application)
        Transition.objects.create(
            application=application, from_status=S.DRAFT, to_status=S.DRAFT, actor=actor,
            reason=_("创建申报书"),
        )  # fmt: skip
    return application


def update_application(actor, application: Application, **data: Any) -> Application:
    """Change the fields (and, with `budget`, the whole budget table) of a draft or returned
    application; the audit trail keeps every version of every field."""
    application = get_application_for_user(actor, application.pk, write=True)
    co_organisations = data.pop("co_organisations", None)
    budget = data.pop("budget", None)
    _check_fields(data, application.call)
    with transaction.atomic():
        application = Application.objects.select_for_update().get(pk=application.pk)
        if application.status not in (S.DRAFT, S.RETURNED):
            raise InvalidTransition(_("申报书已提交，不能修改。"))
        before = audit.snapshot(application)
        before["budget"] = _budget_snapshot(application)
        for field, value in data.items():
            setattr(application, field, value)
        _check_topic(application)
        application.full_clean()
        application.save()
        if co_organisations is not None:
            application.co_organisations.set(co_organisations)
        if budget is not None:
            _write_budget(application, budget)
        after = audit.snapshot(application)
        after["budget"] = _budget_snapshot(application)
        changes = audit.diff(before, after)
        if changes:
            audit.record(actor, "update", application, changes)
    return application


def _check_fields(data: dict, call: Call) -> None:
    if "answers" in data:
        data["answers"] = clean_answers(call, data["answers"] or {})
    unknown = set(data) - EDITABLE_FIELDS
    if unknown:
        raise InvalidTransition(_("不能修改这些字段：%(f)s") % {"f": "、".join(sorted(unknown))})


def _check_topic(application: Application) -> None:
    if application.topic_id and application.topic.call_id != application.call_id:
        raise InvalidTransition(_("所选方向不属于该指南。"))
    if application.call.kind == CallKind.CHALLENGE and application.topic_id is None:
        raise InvalidTransition(_("揭榜挂帅项目须选择要揭的榜单。"))


def _write_budget(application: Application, budget: dict[str, Any]) -> None:
    """Replace the budget table: {category: amount} or {category: (amount, note)}."""
    valid = set(BudgetCategory.values)
    application.budget_lines.all().delete()
    for category, value in budget.items():
        if category not in valid:
            raise InvalidTransition(_("预算科目“%(c)s”无效。") % {"c": category})
        amount, note = value if isinstance(value, (tuple, list)) else (value, "")
        try:
            amount = Decimal(str(amount))
        except ArithmeticError:
            raise InvalidTransition(_("预算金额必须是数字。")) from None
        if amount < 0:
            raise InvalidTransition(_("预算金额不能为负数。"))
        if amount == 0 and not note:
            continue
        BudgetLine.objects.create(
            application=application, category=category, amount=amount, note=note
        )


def _budget_snapshot(application: Application) -> dict[str, str]:
    return {
        line.get_category_display(): str(Decimal(line.amount).quantize(Decimal("0.01")))
        for line in application.budget_lines.all()
    }


def add_attachment(actor, application: Application, kind: str, upload: UploadedFile) -> Attachment:
    application = get_application_for_user(actor, application.pk, write=True)
    if kind not in AttachmentKind.values:
        raise InvalidTransition(_("附件类型无效。"))
    name = upload.name or ""
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in ATTACHMENT_TYPES:
        raise InvalidTransition(
            _("不支持的文件类型“%(ext)s”，请上传 PDF、Word（docx）、Excel（xlsx）或 JPG/PNG 图片。")
            % {"ext": extension or name}
        )
    if upload.size > MAX_ATTACHMENT_BYTES:
        raise InvalidTransition(_("文件“%(name)s”超过 20 MB，请压缩后再上传。") % {"name": name})
    head = upload.read(8)
    upload.seek(0)
    if not any(head.startswith(magic) for magic in ATTACHMENT_TYPES[extension]):
        raise InvalidTransition(
            _("文件“%(name)s”的内容与扩展名不符，请上传原始文件。") % {"name": name}
        )
    with transaction.atomic():
        attachment = Attachment(
            application=application, kind=kind, name=name[:200], size=upload.size,
            uploaded_by=actor,
        )  # fmt: skip
        attachment.file.save(name, upload, save=False)
        attachment.save()
        audit.record(
            actor,
            "create",
            application,
            {"附件": [None, f"{attachment.get_kind_display()}：{name}"]},
        )
    return attachment


def remove_attachment(actor, attachment: Attachment) -> None:
    application = get_application_for_user(actor, attachment.application_id, write=True)
    with transaction.atomic():
        audit.record(
            actor,
            "delete",
            application,
            {"附件": [f"{attachment.get_kind_display()}：{attachment.name}", None]},
        )
        attachment.file.delete(save=False)
        attachment.delete()


# -- the workflow --------------------------------------------------------------------------


def _move(
    actor,
    application: Application,
    allowed_from: Iterable[str],
    to: str,
    *,
    reason: str = "",
    check=None,
    **changes: Any,
) -> Application:
    """Lock the row, check its status, apply the change, write Transition and audit rows."""
    with transaction.atomic():
        locked = (
            Application.objects.select_for_update()
            .select_related("call", "organisation")
            .get(pk=application.pk)
        )
        if locked.status not in set(allowed_from):
            raise InvalidTransition(
                _("申报书当前状态为“%(status)s”，不能执行此操作。")
                % {"status": locked.get_status_display()}
            )
        if check is not None:
            check(locked)
        before = audit.snapshot(locked)
        from_status = locked.status
        locked.status = to
        for field, value in changes.items():
            setattr(locked, field, value)
        locked.save()
        Transition.objects.create(
            application=locked, from_status=from_status, to_status=to, actor=actor,
            reason=reason[:500],
        )  # fmt: skip
        audit.record_update(actor, locked, before, note=reason)
    application.refresh_from_db()
    return application


def submit_application(actor, application: Application) -> Application:
    """Hand the application to the organisation's administrator for confirmation."""
    application = get_application_for_user(actor, application.pk, write=True)

    def check(locked: Application) -> None:
        now = timezone.now()
        if locked.status == S.RETURNED:
            if locked.fix_deadline and now > locked.fix_deadline:
                raise InvalidTransition(_("退回修改的期限已过，不能再提交。"))
        elif not locked.call.is_open(now):
            raise InvalidTransition(_("已过申报截止时间，不能提交。"))
        problems = eligibility_problems(locked.call, locked.organisation, application=locked)
        if problems:
            raise IneligibleApplicant(_("本单位不能提交该申报书："), problems)
        problems = completeness_problems(locked) + budget_problems(locked)
        if problems:
            raise NotReady(_("申报书还不能提交："), problems)
        if not locked.number:
            locked.number = _next_number(locked.call)

    return _move(
        actor,
        application,
        [S.DRAFT, S.RETURNED],
        S.SUBMITTED,
        reason=_("提交单位审核"),
        check=check,
        submitted_at=timezone.now(),
    )


def _next_number(call: Call) -> str:
    Call.objects.select_for_update().filter(pk=call.pk).first()
    count = call.applications.exclude(number="").count()
    return f"{call.year}{call.pk:03d}{count + 1:04d}"


def confirm_application(actor, application: Application) -> Application:
    """单位审核: the organisation's administrator vouches for the application."""
    permissions.require(
        actor,
        "programs.confirm_application",
        application,
        _("只有申报单位的管理员可以确认申报书。"),
    )
    return _move(actor, application, [S.SUBMITTED], S.CONFIRMED, reason=_("单位审核通过"))


def send_back_to_preparer(actor, application: Application, reason: str) -> Application:
    """The organisation's administrator returns it to its preparers before confirming."""
    permissions.require(
        actor,
        "programs.confirm_application",
        application,
        _("只有申报单位的管理员可以退回申报书。"),
    )
    if not reason.strip():
        raise InvalidTransition(_("请填写退回原因。"))
    return _move(actor, application, [S.SUBMITTED], S.DRAFT, reason=reason)


# -- formal check (形式审查) ------------------------------------------------------------------


def _require_checker(actor, application: Application) -> None:
    permissions.require(
        actor,
        "programs.check_application",
        application,
        _("您无权审查该申报书（不属于您管理的区域）。"),
    )


def accept_application(actor, application: Application) -> Application:
    _require_checker(actor, application)
    return _move(actor, application, [S.CONFIRMED], S.ACCEPTED, reason=_("形式审查通过"))


def return_application(actor, application: Application, reason: str) -> Application:
    """Return for fixing, once, with a deadline of the call's fix window."""
    _require_checker(actor, application)
    if not reason.strip():
        raise InvalidTransition(_("请填写退回修改的原因。"))

    def check(locked: Application) -> None:
        if locked.returned_count >= 1:
            raise InvalidTransition(_("该申报书已退回修改过一次，只能通过或不予受理。"))

    deadline = timezone.now() + datetime.timedelta(days=application.call.fix_days)
    return _move(
        actor,
        application,
        [S.CONFIRMED],
        S.RETURNED,
        reason=reason,
        check=check,
        return_reason=reason[:500],
        returned_count=application.returned_count + 1,
        fix_deadline=deadline,
    )


def reject_application(actor, application: Application, reason: str) -> Application:
    _require_checker(actor, application)
    if not reason.strip():
        raise InvalidTransition(_("请填写不予受理的原因。"))
    return _move(
        actor, application, [S.CONFIRMED], S.REJECTED, reason=reason, return_reason=reason[:500]
    )


def budget_total(application: Application) -> Decimal:
    return application.budget_lines.aggregate(total=Sum("amount"))["total"] or Decimal(0)
