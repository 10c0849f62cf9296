"""The project after funding, on its application page: 任务书, progress reports, inspections,
change requests, acceptance (with its own panel) and outcomes.

Each form posts here; a form with errors, or refused by the service, comes back on the page
with what was typed; a refusal of who may act (`NotAllowed`) is a 403 page.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core import permissions
from core.exceptions import NotAllowed, ServiceError
from core.services.jobs import start_job
from programs.choices import ReviewStage
from programs.forms import (
    ChangeForm,
    ContractForm,
    FinalReportForm,
    InspectionForm,
    NoteForm,
    OutcomeForm,
    ReportForm,
    VerdictForm,
)
from programs.models import Application, ChangeRequest, Contract, ProgressReport
from programs.services import applications, execution
from programs.views.applications import render_application
from programs.views.base import refuses


def _back(application: Application, anchor: str):
    return redirect(reverse("program_application_detail", args=[application.pk]) + f"#{anchor}")


def _submit(request, application, form, key, anchor: str, act: Callable[[], object], done: str):
    """Run `act` with a valid form; otherwise show the page again with the form and its errors."""
    if form.is_valid():
        try:
            act()
        except NotAllowed:
            raise
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        except ServiceError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, done)
            return _back(application, anchor)
    return render_application(request, application, {key: form})


def _decide(request, application, anchor: str, act: Callable[[], object], done: str):
    """A decision made with a button: its refusal comes back as a message."""
    try:
        act()
    except NotAllowed:
        raise
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done)
    return _back(application, anchor)


def _project(request, pk: int) -> Application:
    return applications.get_application_for_user(request.user, pk)


# -- 任务书 ----------------------------------------------------------------------------------


@login_required
@require_POST
@refuses
def contract_issue(request, pk: int):
    application = _project(request, pk)
    form = ContractForm(request.POST, application=application)
    return _submit(
        request, application, form, "contract", "contract",
        lambda: execution.issue_contract(request.user, application, **form.values()),
        _("任务书已下达，等待承担单位签署。"),
    )  # fmt: skip


@login_required
@require_POST
@refuses
def contract_sign(request, pk: int):
    application = _project(request, pk)
    contract = get_object_or_404(Contract, application=application)
    return _decide(
        request, application, "contract",
        lambda: execution.sign_contract(request.user, contract),
        _("任务书已签署，项目进入执行；进展报告计划见下方。"),
    )  # fmt: skip


# -- 进展报告 ---------------------------------------------------------------------------------


@login_required
@require_POST
@refuses
def report_submit(request, pk: int, report: int):
    application = _project(request, pk)
    item = get_object_or_404(ProgressReport, pk=report, application=application)
    form = ReportForm(request.POST, report=item)
    return _submit(
        request, application, form, ("report", item.pk), "reports",
        lambda: execution.submit_report(
            request.user, item, progress=form.cleaned_data["progress"],
            spent=form.cleaned_data["spent"], problems=form.cleaned_data["problems"],
        ),
        _("进展报告已提交。"),
    )  # fmt: skip


@login_required
@require_POST
@refuses
def report_review(request, pk: int, report: int):
    application = _project(request, pk)
    item = get_object_or_404(ProgressReport, pk=report, application=application)
    form = NoteForm(request.POST, prefix=f"review-{item.pk}")
    form.is_valid()
    accept = request.POST.get("decision") == "accept"
    return _decide(
        request, application, "reports",
        lambda: execution.review_report(
            request.user, item, accept=accept, note=form.cleaned_data.get("note", "")
        ),
        _("进展报告已审核通过。") if accept else _("进展报告已退回补充。"),
    )  # fmt: skip


# -- 中期检查 ---------------------------------------------------------------------------------


@login_required
@require_POST
@refuses
def inspection_add(request, pk: int):
    application = _project(request, pk)
    form = InspectionForm(request.POST)
    return _submit(
        request, application, form, "inspection", "inspections",
        lambda: execution.record_inspection(request.user, application, **form.cleaned_data),
        _("检查结果已录入。"),
    )  # fmt: skip


# -- 变更 -------------------------------------------------------------------------------------


@login_required
@require_POST
@refuses
def change_request(request, pk: int):
    application = _project(request, pk)
    contract = get_object_or_404(Contract, application=application)
    form = ChangeForm(request.POST, contract=contract)
    return _submit(
        request, application, form, "change", "changes",
        lambda: execution.request_change(
            request.user, application, form.cleaned_data["kind"], form.cleaned_data["reason"],
            form.proposed(),
        ),
        _("变更申请已提交，等待管理部门审批。"),
    )  # fmt: skip


@login_required
@require_POST
@refuses
def change_decide(request, pk: int, change: int):
    application = _project(request, pk)
    item = get_object_or_404(ChangeRequest, pk=change, application=application)
    form = NoteForm(request.POST, prefix=f"decide-{item.pk}")
    form.is_valid()
    approve = request.POST.get("decision") == "approve"
    return _decide(
        request, application, "changes",
        lambda: execution.decide_change(
            request.user, item, approve=approve, note=form.cleaned_data.get("note", "")
        ),
        _("已批准变更，项目信息和任务书已更新。") if approve else _("已作不批准处理。"),
    )  # fmt: skip


# -- 验收 -------------------------------------------------------------------------------------


@login_required
@require_POST
@refuses
def final_report(request, pk: int):
    application = _project(request, pk)
    form = FinalReportForm(
        request.POST, contract=Contract.objects.filter(application=application).first()
    )
    return _submit(
        request, application, form, "final", "acceptance",
        lambda: execution.submit_final_report(
            request.user, application, summary=form.cleaned_data["summary"],
            indicators_met=form.cleaned_data["indicators_met"],
        ),
        _("验收申请已提交，等待管理部门组织验收评审。"),
    )  # fmt: skip


@login_required
@require_POST
@refuses
def acceptance_panel(request, pk: int):
    application = _project(request, pk)
    call = application.call
    if not permissions.can(request.user, "programs.manage_call", call):
        raise NotAllowed(_("您无权组织该项目的验收评审。"))
    start_job(
        request.user,
        "programs.panel",
        _("组建验收专家组：%(title)s") % {"title": application.title},
        {
            "call": call.pk,
            "actor": request.user.pk,
            "stage": ReviewStage.ACCEPTANCE,
            "only": [application.pk],
        },
    )
    # Back to the project: its acceptance section shows the job's progress, then the panel.
    messages.success(request, _("已开始组建验收专家组。"))
    return _back(application, "acceptance")


@login_required
@require_POST
@refuses
def verdict(request, pk: int):
    application = _project(request, pk)
    form = VerdictForm(request.POST)
    return _submit(
        request, application, form, "verdict", "acceptance",
        lambda: execution.give_verdict(
            request.user, application, form.cleaned_data["verdict"], form.cleaned_data["note"]
        ),
        _("验收结论已作出，项目已结束。"),
    )  # fmt: skip


# -- 成果跟踪 ---------------------------------------------------------------------------------


@login_required
@require_POST
@refuses
def outcome_add(request, pk: int):
    application = _project(request, pk)
    form = OutcomeForm(request.POST)
    return _submit(
        request, application, form, "outcome", "outcomes",
        lambda: execution.record_outcome(request.user, application, **form.cleaned_data),
        _("成果已填报。"),
    )  # fmt: skip
