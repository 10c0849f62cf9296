"""After funding: 任务书, progress reports and their reminders, mid-term inspections, change
requests, acceptance (验收) and the tracking of outcomes.

funded → contracted (the applicant's administrator signs the 任务书) → acceptance (final report
handed in) → closed (verdict: 通过 / 结题 / 不通过). Reports are scheduled from the contract; a
report past its due date blocks the organisation's new applications until it is handed in.
"""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from dateutil.relativedelta import relativedelta
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import permissions
from core.exceptions import InvalidTransition
from core.models import Notification
from core.services import audit
from programs.choices import (
    ApplicationStatus,
    BudgetCategory,
    ChangeKind,
    ChangeStatus,
    InspectionConclusion,
    OutcomeKind,
    ReportStatus,
    Verdict,
)
from programs.models import (
    Acceptance,
    Application,
    ChangeRequest,
    Contract,
    Inspection,
    Outcome,
    ProgressReport,
)
from programs.services.applications import _move

S = ApplicationStatus
REMIND_DAYS_BEFORE = 7


def _require(actor, perm: str, application: Application, message: str) -> None:
    permissions.require(actor, perm, application, message)


# -- 任务书 ----------------------------------------------------------------------------------


def issue_contract(actor, application: Application, **data: Any) -> Contract:
    """The bureau issues the 任务书 of a funded project; the applicant signs it next."""
    permissions.require(
        actor, "programs.manage_call", application.call, _("您无权下达该项目的任务书。")
    )
    if application.status != S.FUNDED:
        raise InvalidTransition(_("只有已立项的项目可以下达任务书。"))
    if Contract.objects.filter(application=application).exists():
        raise InvalidTransition(_("该项目的任务书已经下达。"))
    funding = Decimal(str(data.get("funding", application.approved_funding or 0)))
    if application.approved_funding is not None and funding != application.approved_funding:
        raise InvalidTransition(
            _("任务书资助经费须与立项经费%(a)s万元一致。") % {"a": application.approved_funding}
        )
    budget = {k: str(v) for k, v in (data.get("budget") or {}).items()}
    unknown = set(budget) - set(BudgetCategory.values)
    if unknown:
        raise InvalidTransition(_("预算科目无效：%(c)s。") % {"c": "、".join(sorted(unknown))})
    if budget:
        total = sum((Decimal(v) for v in budget.values()), Decimal(0))
        if total != funding:
            raise InvalidTransition(
                _("任务书预算合计%(t)s万元，须等于资助经费%(f)s万元。") % {"t": total, "f": funding}
            )
    milestones = data.get("milestones") or []
    if not milestones:
        raise InvalidTransition(_("请填写进度安排（至少一个节点）。"))
    if not data.get("indicators"):
        raise InvalidTransition(_("请填写考核指标。"))
    with transaction.atomic():
        contract = Contract(
            application=application,
            number=f"RW{application.number or application.pk}",
            start_date=data["start_date"],
            end_date=data["end_date"],
            funding=funding,
            budget=budget,
            milestones=milestones,
            indicators=data["indicators"],
            report_every_months=data.get("report_every_months", 6),
            created_by=actor,
        )
        contract.full_clean()
        contract.save()
        audit.record_create(actor, contract)
    return contract


def sign_contract(actor, contract: Contract) -> Contract:
    """The applicant's administrator signs; the project starts and its reports are scheduled."""
    application = contract.application
    _require(
        actor,
        "programs.confirm_application",
        application,
        _("只有项目承担单位的管理员可以签署任务书。"),
    )
    with transaction.atomic():
        _move(actor, application, [S.FUNDED], S.CONTRACTED, reason=_("签署任务书"))
        before = audit.snapshot(contract)
        contract.signed_by, contract.signed_at = actor, timezone.now()
        contract.save(update_fields=["signed_by", "signed_at"])
        audit.record_update(actor, contract, before)
        schedule_reports(contract)
    return contract


def schedule_reports(contract: Contract) -> list[ProgressReport]:
    """One report per period from the start date, each due 15 days after its period ends; none
    for a period ending in the project's last month."""
    reports, start, n = [], contract.start_date, 1
    while True:
        end = (
            start + relativedelta(months=contract.report_every_months) - datetime.timedelta(days=1)
        )
        if end + relativedelta(months=1) > contract.end_date:
            break  # the last stretch is covered by the acceptance report
        reports.append(
            ProgressReport(
                application=contract.application,
                period=_("第%(n)d期（%(a)s至%(b)s）") % {"n": n, "a": start, "b": end},
                due_date=end + datetime.timedelta(days=15),
            )
        )
        start, n = end + datetime.timedelta(days=1), n + 1
    return ProgressReport.objects.bulk_create(reports)


# -- progress reports ------------------------------------------------------------------------


def submit_report(actor, report: ProgressReport, *, progress: str, spent=None, problems: str = ""):
    application = report.application
    _require(
        actor, "programs.report_application", application, _("只有项目承担单位可以提交进展报告。")
    )
    if len(progress.strip()) < 20:
        raise InvalidTransition(_("请如实填写进展情况（不少于20个字）。"))
    with transaction.atomic():
        locked = ProgressReport.objects.select_for_update().get(pk=report.pk)
        if locked.status not in (ReportStatus.DUE, ReportStatus.RETURNED):
            raise InvalidTransition(_("该报告已提交。"))
        before = audit.snapshot(locked)
        locked.progress, locked.problems = progress.strip(), problems.strip()
        locked.spent = Decimal(str(spent)) if spent not in (None, "") else None
        locked.status = ReportStatus.SUBMITTED
        locked.submitted_by, locked.submitted_at = actor, timezone.now()
        locked.save()
        audit.record_update(actor, locked, before)
    return locked


def review_report(actor, report: ProgressReport, *, accept: bool, note: str = "") -> ProgressReport:
    _require(actor, "programs.supervise_application", report.application, _("您无权审核该报告。"))
    if not accept and not note.strip():
        raise InvalidTransition(_("退回补充须写明原因。"))
    with transaction.atomic():
        locked = ProgressReport.objects.select_for_update().get(pk=report.pk)
        if locked.status != ReportStatus.SUBMITTED:
            raise InvalidTransition(_("只有已提交的报告可以审核。"))
        before = audit.snapshot(locked)
        locked.status = ReportStatus.ACCEPTED if accept else ReportStatus.RETURNED
        locked.review_note = note.strip()[:500]
        locked.save()
        audit.record_update(actor, locked, before)
    return locked


def send_reminders(today: datetime.date | None = None) -> int:
    """Tell the project's people about reports due within a week and reports overdue; once a
    day at most per report (run daily by `kechuang program_reminders`)."""
    today = today or timezone.localdate()
    due = (
        ProgressReport.objects.filter(
            status__in=(ReportStatus.DUE, ReportStatus.RETURNED),
            due_date__lte=today + datetime.timedelta(days=REMIND_DAYS_BEFORE),
        )
        .exclude(reminded_on=today)
        .select_related("application__organisation")
    )
    sent = 0
    for report in due:
        application = report.application
        overdue = report.due_date < today
        title = (
            _("进展报告已逾期：%(t)s（应于%(d)s提交），逾期期间本单位不能申报新项目。")
            if overdue
            else _("进展报告即将到期：%(t)s，请于%(d)s前提交。")
        ) % {"t": application.title, "d": report.due_date}
        users = application.organisation.memberships.filter(is_active=True).values_list(
            "user_id", flat=True
        )
        Notification.objects.bulk_create(
            [
                Notification(
                    user_id=u, title=title[:200], url=f"/programs/applications/{application.pk}/"
                )
                for u in users
            ]
        )
        report.reminded_on = today
        report.save(update_fields=["reminded_on"])
        sent += 1
    return sent


# -- 中期检查 ---------------------------------------------------------------------------------


def record_inspection(actor, application: Application, **data: Any) -> Inspection:
    _require(actor, "programs.supervise_application", application, _("您无权检查该项目。"))
    if application.status != S.CONTRACTED:
        raise InvalidTransition(_("只有执行中的项目可以检查。"))
    if data.get("conclusion") == InspectionConclusion.RECTIFY and not data.get("rectify_by"):
        raise InvalidTransition(_("限期整改须写明整改期限。"))
    inspection = Inspection(application=application, created_by=actor, **data)
    inspection.full_clean()
    inspection.save()
    audit.record_create(actor, inspection)
    return inspection


# -- 变更 -------------------------------------------------------------------------------------

CHANGE_FIELDS = {
    ChangeKind.PI: "pi_name",
    ChangeKind.SCHEDULE: "end_date",
    ChangeKind.BUDGET: "budget",
    ChangeKind.CONTENT: "content",
}


def request_change(actor, application: Application, kind: str, reason: str, proposed: dict):
    _require(actor, "programs.report_application", application, _("只有项目承担单位可以申请变更。"))
    if application.status != S.CONTRACTED:
        raise InvalidTransition(_("只有执行中的项目可以申请变更。"))
    if kind not in ChangeKind.values:
        raise InvalidTransition(_("变更类型无效。"))
    if not reason.strip():
        raise InvalidTransition(_("请写明变更理由。"))
    field = CHANGE_FIELDS[kind]
    if not isinstance(proposed, dict) or not proposed.get(field):
        raise InvalidTransition(_("请填写变更后的内容。"))
    contract = application.contract
    if kind == ChangeKind.SCHEDULE:
        try:
            end = datetime.date.fromisoformat(str(proposed["end_date"]))
        except ValueError:
            raise InvalidTransition(_("延期后的结束日期应为“年-月-日”格式。")) from None
        if end <= contract.end_date:
            raise InvalidTransition(
                _("延期后的结束日期须晚于原结束日期%(d)s。") % {"d": contract.end_date}
            )
    if kind == ChangeKind.BUDGET:
        budget = proposed["budget"]
        try:
            amounts = [Decimal(str(v)) for v in budget.values()] if isinstance(budget, dict) else []
        except InvalidOperation:
            amounts = []
        if not amounts or not all(a.is_finite() for a in amounts):
            raise InvalidTransition(_("调整后的预算须按科目填写金额（万元）。"))
        total = sum(amounts, Decimal(0))
        if total != contract.funding:
            raise InvalidTransition(
                _("调整后的预算合计%(t)s万元，须等于资助经费%(f)s万元。")
                % {"t": total, "f": contract.funding}
            )
    if application.changes.filter(status=ChangeStatus.PENDING).exists():
        raise InvalidTransition(_("该项目已有待审批的变更申请。"))
    change = ChangeRequest.objects.create(
        application=application, kind=kind, reason=reason.strip(), proposed=proposed,
        requested_by=actor,
    )  # fmt: skip
    audit.record_create(actor, change)
    return change


def decide_change(actor, change: ChangeRequest, *, approve: bool, note: str = "") -> ChangeRequest:
    """Approve (the change is applied to the project and its 任务书) or reject with a note."""
    application = change.application
    _require(actor, "programs.supervise_application", application, _("您无权审批该变更。"))
    if not approve and not note.strip():
        raise InvalidTransition(_("不批准须写明理由。"))
    with transaction.atomic():
        locked = ChangeRequest.objects.select_for_update().get(pk=change.pk)
        if locked.status != ChangeStatus.PENDING:
            raise InvalidTransition(_("该变更已审批。"))
        before = audit.snapshot(locked)
        locked.status = ChangeStatus.APPROVED if approve else ChangeStatus.REJECTED
        locked.decided_by, locked.decided_at = actor, timezone.now()
        locked.decision_note = note.strip()[:500]
        locked.save()
        audit.record_update(actor, locked, before)
        if approve:
            _apply_change(actor, locked)
    return locked


def _apply_change(actor, change: ChangeRequest) -> None:
    application, contract = change.application, change.application.contract
    if change.kind == ChangeKind.PI:
        before = audit.snapshot(application)
        application.pi_name = change.proposed["pi_name"]
        application.save(update_fields=["pi_name", "updated_at"])
        audit.record_update(actor, application, before, note=_("变更项目负责人"))
        return
    before = audit.snapshot(contract)
    if change.kind == ChangeKind.SCHEDULE:
        contract.end_date = datetime.date.fromisoformat(str(change.proposed["end_date"]))
    elif change.kind == ChangeKind.BUDGET:
        contract.budget = {k: str(v) for k, v in change.proposed["budget"].items()}
    else:
        contract.indicators = [*contract.indicators, {"name": _("调整后的研究内容"),
                                                      "target": change.proposed["content"]}]  # fmt: skip
    contract.save()
    audit.record_update(actor, contract, before, note=change.get_kind_display())


# -- 验收 -------------------------------------------------------------------------------------


def submit_final_report(actor, application: Application, *, summary: str, indicators_met: list):
    _require(actor, "programs.report_application", application, _("只有项目承担单位可以申请验收。"))
    if len(summary.strip()) < 20:
        raise InvalidTransition(_("请填写验收总结报告（不少于20个字）。"))
    with transaction.atomic():
        _move(actor, application, [S.CONTRACTED], S.ACCEPTANCE, reason=_("提交验收申请"))
        acceptance = Acceptance.objects.create(
            application=application,
            summary=summary.strip(),
            indicators_met=indicators_met,
            submitted_by=actor,
        )
        audit.record_create(actor, acceptance)
    return acceptance


def give_verdict(actor, application: Application, verdict: str, note: str = "") -> Acceptance:
    """通过 / 结题 / 不通过, after the acceptance panel has scored (its trimmed mean is shown)."""
    permissions.require(actor, "programs.manage_call", application.call, _("您无权作出验收结论。"))
    if verdict not in Verdict.values:
        raise InvalidTransition(_("验收结论无效。"))
    if verdict != Verdict.PASSED and not note.strip():
        raise InvalidTransition(_("结题或不通过须写明理由。"))
    with transaction.atomic():
        acceptance = Acceptance.objects.select_for_update().filter(application=application).first()
        if acceptance is None:
            raise InvalidTransition(_("该项目尚未提交验收申请。"))
        if acceptance.score is None:
            raise InvalidTransition(_("验收专家尚未完成评分。"))
        _move(
            actor,
            application,
            [S.ACCEPTANCE],
            S.CLOSED,
            reason=f"{Verdict(verdict).label}{'：' + note.strip() if note.strip() else ''}",
        )
        before = audit.snapshot(acceptance)
        acceptance.verdict, acceptance.verdict_note = verdict, note.strip()[:500]
        acceptance.decided_by, acceptance.decided_at = actor, timezone.now()
        acceptance.save()
        audit.record_update(actor, acceptance, before)
    return acceptance


# -- 跟踪 -------------------------------------------------------------------------------------


def record_outcome(actor, application: Application, **data: Any) -> Outcome:
    _require(actor, "programs.report_application", application, _("只有项目承担单位可以填报成果。"))
    if application.status != S.CLOSED:
        raise InvalidTransition(_("项目验收后才能填报成果跟踪。"))
    if data.get("kind") == OutcomeKind.REVENUE and not data.get("amount"):
        raise InvalidTransition(_("新增销售收入须填写金额。"))
    outcome = Outcome(application=application, recorded_by=actor, **data)
    outcome.full_clean()
    outcome.save()
    audit.record_create(actor, outcome)
    return outcome
