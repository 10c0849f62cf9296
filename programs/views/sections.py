"""What the call page shows of 立项 and 公示, and the application page of the project after
funding, for the role looking: the data and the forms each may use.

`bound` carries forms that came back with errors, so a refused submission keeps what was typed.
"""

from __future__ import annotations

from django.db.models import F
from django.utils import timezone

from core import permissions
from programs import selectors
from programs.choices import (
    ApplicationStatus,
    AssignmentStatus,
    ChangeStatus,
    ObjectionStatus,
    PublicityStatus,
    ReportStatus,
    ReviewStage,
)
from programs.forms import (
    ChangeForm,
    ContractForm,
    FinalReportForm,
    InspectionForm,
    NoteForm,
    OutcomeForm,
    ProposeForm,
    ReportForm,
    ResolveForm,
    VerdictForm,
)
from programs.models import Acceptance, Application, Call, Contract
from programs.services import applications

S = ApplicationStatus


def may_download_notice(user, call: Call) -> bool:
    """The 立项通知 goes to those who run the call and to the organisations it funds."""
    if permissions.can(user, "programs.manage_call", call):
        return True
    return (
        applications.applications_for(user)
        .filter(call=call, status__in=selectors.AFTER_FUNDING)
        .exists()
    )


# -- the call page -------------------------------------------------------------------------


def reviewed_for(user, call: Call) -> list[Application]:
    """The call's reviewed applications this manager sees, best review score first."""
    return list(
        applications.applications_for(user)
        .filter(call=call, status=S.REVIEWED)
        .select_related("organisation")
        .order_by(F("review_score").desc(nulls_last=True), "pk")
    )


def decision(user, call: Call, bound: dict | None = None) -> dict:
    bound = bound or {}
    publicities = list(call.publicities.all())
    context: dict = {"publicities": publicities}
    if publicities and any(p.status == PublicityStatus.FINALISED for p in publicities):
        context["notice_ok"] = may_download_notice(user, call)
    if not permissions.can(user, "programs.manage_call", call):
        return context
    reviewed = reviewed_for(user, call)
    proposed = list(
        applications.applications_for(user)
        .filter(call=call, status=S.PROPOSED)
        .select_related("organisation")
        .order_by("number", "pk")
    )
    today = timezone.localdate()
    for publicity in publicities:
        publicity.rows = list(publicity.objections.select_related("application"))
        publicity.pending = sum(1 for o in publicity.rows if o.status == ObjectionStatus.PENDING)
        publicity.ended = today > publicity.ends_on
        for objection in publicity.rows:
            if objection.status == ObjectionStatus.PENDING:
                objection.form = bound.get(("resolve", objection.pk)) or ResolveForm(
                    prefix=f"objection-{objection.pk}"
                )
    open_publicity = next((p for p in publicities if p.status == PublicityStatus.OPEN), None)
    context.update(
        manage_decision=bool(reviewed or proposed or publicities),
        proposed=proposed,
        proposed_total=sum(a.approved_funding or 0 for a in proposed),
        can_start_publicity=bool(proposed) and open_publicity is None,
    )
    if reviewed:
        context["propose_form"] = bound.get("propose") or ProposeForm(
            applications=reviewed, cap=call.max_funding
        )
    return context


# -- the application page ------------------------------------------------------------------


def project(user, application: Application, bound: dict | None = None) -> dict:
    """The 任务书, reports, inspections, changes, acceptance and outcomes of a funded project."""
    if application.status not in selectors.AFTER_FUNDING:
        return {}
    bound = bound or {}

    def can(perm, obj=application):
        return permissions.can(user, perm, obj)

    status = application.status
    manages = can("programs.manage_call", application.call)
    supervises = can("programs.supervise_application")
    reports_it = can("programs.report_application")
    contract = Contract.objects.filter(application=application).first()
    running = status == S.CONTRACTED
    context: dict = {"contract": contract, "reports_it": reports_it}
    if contract is None:
        if manages and status == S.FUNDED:
            context["contract_form"] = bound.get("contract") or ContractForm(
                application=application
            )
    else:
        context["contract_budget"] = selectors.contract_budget(contract)
        context["contract_budget_total"] = sum(a for _label, a in context["contract_budget"] if a)
        context["can_sign"] = (
            contract.signed_at is None
            and status == S.FUNDED
            and can("programs.confirm_application")
        )
    context["publicity"] = application.call.publicities.filter(
        status=PublicityStatus.FINALISED
    ).first()

    today = timezone.localdate()
    reports = list(application.reports.all())
    upcoming = True  # a form for every overdue or returned report, and for the next one due
    for report in reports:
        open_ = report.status in (ReportStatus.DUE, ReportStatus.RETURNED)
        report.overdue = open_ and report.due_date < today
        wanted = report.overdue or report.status == ReportStatus.RETURNED or upcoming
        if open_ and not report.overdue:
            upcoming = False
        if open_ and wanted and reports_it and running:
            report.form = bound.get(("report", report.pk)) or ReportForm(report=report)
        if report.status == ReportStatus.SUBMITTED and supervises:
            report.review_form = NoteForm(prefix=f"review-{report.pk}")
    context["reports"] = reports
    context["overdue"] = sum(1 for r in reports if r.overdue)

    context["inspections"] = list(application.inspections.all())
    if supervises and running:
        context["inspection_form"] = bound.get("inspection") or InspectionForm()

    changes = list(application.changes.all())
    for change in changes:
        change.summary = selectors.describe_change(change)
        if change.status == ChangeStatus.PENDING and supervises:
            change.decide_form = bound.get(("decide", change.pk)) or NoteForm(
                prefix=f"decide-{change.pk}"
            )
    context["changes"] = changes
    pending = any(c.status == ChangeStatus.PENDING for c in changes)
    if reports_it and running and contract is not None and not pending:
        context["change_form"] = bound.get("change") or ChangeForm(contract=contract)

    acceptance = Acceptance.objects.filter(application=application).first()
    context["acceptance"] = acceptance
    if acceptance is not None:
        context["results"] = selectors.indicator_results(contract, acceptance)
    if reports_it and running:
        context["final_form"] = bound.get("final") or FinalReportForm(contract=contract)
    if status in (S.ACCEPTANCE, S.CLOSED) and can("programs.review_application"):
        members = list(
            application.assignments.filter(stage=ReviewStage.ACCEPTANCE)
            .exclude(status=AssignmentStatus.ALTERNATE)
            .select_related("expert__owner")
            .order_by("pk")
        )
        context["acceptance_panel"] = members
        context["can_build_panel"] = manages and status == S.ACCEPTANCE and not members
        if context["can_build_panel"]:
            context["panel_job"] = selectors.acceptance_panel_job(application)
    if manages and status == S.ACCEPTANCE and acceptance is not None:
        context["verdict_form"] = bound.get("verdict") or VerdictForm()

    context["outcomes"] = list(application.outcomes.all())
    if reports_it and status == S.CLOSED:
        context["outcome_form"] = bound.get("outcome") or OutcomeForm()
    return {"project": context}
