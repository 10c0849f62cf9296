"""Pages of the science programs: calls, applications and their checks, and expert review.

Every change goes through `programs.services`; a refusal (`NotAllowed`) becomes a 403 page with
the service's message, any other `ServiceError` a message on the page the user came from.
"""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from core import permissions
from core.choices import OrgType
from core.exceptions import NotAllowed, ServiceError
from core.services.jobs import start_job
from core.views import paginate
from programs import selectors
from programs.choices import ApplicationStatus, AssignmentStatus
from programs.forms import (
    ApplicationFilterSet,
    ApplicationForm,
    AttachmentForm,
    BudgetForm,
    CallFilterSet,
    CallForm,
    ReasonForm,
    RespondForm,
    ScoreSheetForm,
    TopicForm,
)
from programs.models import Application, Attachment
from programs.services import applications, calls, review

S = ApplicationStatus
A = AssignmentStatus
_BEFORE_REVIEW = {S.DRAFT, S.SUBMITTED, S.CONFIRMED, S.RETURNED, S.REJECTED}


def refuses(view):
    """Show a service's refusal as a 403 page in the site's layout, never as a traceback."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except NotAllowed as exc:
            return render(request, "programs/refused.html", {"message": exc.message}, status=403)

    return wrapper


def _tabs(request, current: str) -> dict:
    user = request.user
    return {
        "tab": current,
        "show_applications": permissions.can(user, "programs.add_application")
        or permissions.can(user, "programs.check_application"),
    }


def _form_errors(request, exc: ValidationError) -> None:
    messages.error(request, "；".join(exc.messages))


# -- calls ---------------------------------------------------------------------------------


def call_list(request):
    base = calls.calls_for(request.user)
    years = sorted(set(base.order_by().values_list("year", flat=True)), reverse=True)
    filterset = CallFilterSet(request.GET or None, queryset=base, years=years)
    queryset = filterset.qs if filterset.is_bound else base
    if filterset.is_bound and not filterset.is_valid():
        queryset = base.none()
    page, query = paginate(request, queryset)
    now = timezone.now()
    for call in page:
        call.phase = selectors.call_phase(call, now)
    context = {
        "filterset": filterset,
        "page": page,
        "query": query,
        "filtered": bool(request.GET.get("year") or request.GET.get("kind")),
        "can_create": permissions.can(request.user, "programs.manage_call"),
        **_tabs(request, "calls"),
    }
    return render(request, "programs/call_list.html", context)


@refuses
def call_detail(request, pk: int):
    user = request.user
    call = calls.get_call_for_user(user, pk)
    may_manage = permissions.can(user, "programs.manage_call", call)
    context = {
        "call": call,
        "phase": selectors.call_phase(call),
        "topics": call.topics.select_related("demand__owner"),
        "org_types": [OrgType(t).label for t in call.eligible_org_types if t in OrgType.values],
        "regions": list(call.eligible_regions.all()),
        "may_manage": may_manage,
        **_tabs(request, "calls"),
    }
    if permissions.can(user, "programs.add_application"):
        organisation = user.current_membership.organisation
        context["applicant"] = True
        context["mine"] = applications.applications_for(user).filter(call=call)
        context["problems"] = (
            applications.eligibility_problems(call, organisation) if call.is_open() else None
        )
    if may_manage:
        scoped = applications.applications_for(user).filter(call=call)
        context["counts"] = selectors.status_counts(scoped)
        context["accepted"] = sum(n for s, _label, n in context["counts"] if s == S.ACCEPTED)
        context["topic_form"] = TopicForm(call=call)
    return render(request, "programs/call_detail.html", context)


def _save_call(request, call=None):
    form = CallForm(request.POST or None, instance=call, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            if call is None:
                saved = calls.create_call(request.user, **form.changed_values())
                messages.success(request, _("指南已保存为草稿。添加申报方向后即可发布。"))
            else:
                saved = calls.update_call(request.user, call, **form.changed_values())
                messages.success(request, _("已保存。"))
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        except ServiceError as exc:
            form.add_error(None, exc.message)
        else:
            return redirect("program_call_detail", pk=saved.pk)
    return render(
        request, "programs/call_form.html", {"form": form, "call": call, **_tabs(request, "calls")}
    )


@login_required
@refuses
def call_create(request):
    if not permissions.can(request.user, "programs.manage_call"):
        raise NotAllowed(_("只有科技管理部门可以组织申报指南。"))
    return _save_call(request)


@login_required
@refuses
def call_edit(request, pk: int):
    return _save_call(request, calls.get_call_for_user(request.user, pk, manage=True))


@login_required
@require_POST
@refuses
def topic_add(request, pk: int):
    call = calls.get_call_for_user(request.user, pk, manage=True)
    form = TopicForm(request.POST, call=call)
    if not form.is_valid():
        messages.error(
            request,
            "；".join(f"{form.fields[f].label}：{'、'.join(e)}" for f, e in form.errors.items()),
        )
        return redirect(reverse("program_call_detail", args=[call.pk]) + "#topics")
    try:
        calls.add_topic(
            request.user,
            call,
            sort_order=call.topics.count(),
            **{name: form.cleaned_data[name] for name in form.fields},
        )
        messages.success(request, _("已添加申报方向。"))
    except ServiceError as exc:
        messages.error(request, exc.message)
    except ValidationError as exc:
        _form_errors(request, exc)
    return redirect(reverse("program_call_detail", args=[call.pk]) + "#topics")


@login_required
@require_POST
@refuses
def call_publish(request, pk: int):
    call = calls.get_call_for_user(request.user, pk, manage=True)
    try:
        calls.publish_call(request.user, call)
        messages.success(request, _("指南已发布，申报单位可在申报期内填报。"))
    except ServiceError as exc:
        messages.error(request, exc.message)
    return redirect("program_call_detail", pk=call.pk)


@login_required
@require_POST
@refuses
def call_panel(request, pk: int):
    call = calls.get_call_for_user(request.user, pk, manage=True)
    job = start_job(
        request.user,
        "programs.panel",
        _("组建评审专家组：%(title)s") % {"title": call.title},
        {"call": call.pk, "actor": request.user.pk},
    )
    messages.success(request, _("已开始组建评审专家组，可在本页查看进度。"))
    return redirect("job_detail", pk=job.pk)


# -- applications --------------------------------------------------------------------------


@login_required
def application_list(request):
    user = request.user
    base = applications.applications_for(user)
    if not permissions.can(user, "programs.add_application"):
        # Drafts are the applicant's own business until they are submitted.
        base = base.exclude(status=S.DRAFT)
    filterset = ApplicationFilterSet(
        request.GET or None, queryset=base, calls=calls.calls_for(user)
    )
    queryset = filterset.qs if filterset.is_bound else base
    if filterset.is_bound and not filterset.is_valid():
        queryset = base.none()
    page, query = paginate(request, queryset)
    context = {
        "filterset": filterset,
        "page": page,
        "query": query,
        "filtered": any(request.GET.get(k) for k in ("call", "status", "q")),
        **_tabs(request, "applications"),
    }
    return render(request, "programs/application_list.html", context)


def _application_form_page(request, call, application=None):
    form = ApplicationForm(request.POST or None, instance=application, call=call)
    budget_form = BudgetForm(request.POST or None, application=application)
    if request.method == "POST" and form.is_valid() and budget_form.is_valid():
        values = {**form.values(), "budget": budget_form.budget()}
        try:
            if application is None:
                application = applications.create_application(request.user, call, **values)
                messages.success(
                    request, _("申报书已保存。请上传“申报书正文”等附件，检查无误后提交单位审核。")
                )
            else:
                application = applications.update_application(request.user, application, **values)
                messages.success(request, _("已保存。"))
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        except ServiceError as exc:
            form.add_error(None, exc.message)
        else:
            return redirect("program_application_detail", pk=application.pk)
    context = {
        "form": form,
        "budget_form": budget_form,
        "call": call,
        "application": application,
        **_tabs(request, "applications"),
    }
    if application is None:
        org = request.user.current_membership.organisation
        context["problems"] = applications.eligibility_problems(call, org)
    return render(request, "programs/application_form.html", context)


@login_required
@refuses
def application_create(request):
    pk = request.GET.get("call", "")
    if not pk.isdigit():
        raise Http404
    call = calls.get_call_for_user(request.user, int(pk))
    if not permissions.can(request.user, "programs.add_application"):
        raise NotAllowed(_("只有企业或高校院所用户可以申报项目。"))
    return _application_form_page(request, call)


@login_required
@refuses
def application_edit(request, pk: int):
    try:
        application = applications.get_application_for_user(request.user, pk, write=True)
    except NotAllowed as exc:
        if not Application.objects.filter(pk=pk).exists():
            raise
        applications.get_application_for_user(request.user, pk)  # refuses outsiders
        messages.error(request, exc.message)
        return redirect("program_application_detail", pk=pk)
    return _application_form_page(request, application.call, application)


@login_required
@refuses
def application_detail(request, pk: int):
    user = request.user
    application = applications.get_application_for_user(user, pk)
    status = application.status
    can_edit = permissions.can(user, "programs.change_application", application)
    context = {
        "application": application,
        "call": application.call,
        "team": application.team or [],
        "co_organisations": list(application.co_organisations.all()),
        "budget": selectors.budget_table(application),
        "attachments": list(application.attachments.all()),
        "transitions": application.transitions.select_related("actor"),
        "history": selectors.change_history(application),
        "can_edit": can_edit,
        "can_confirm": status == S.SUBMITTED
        and permissions.can(user, "programs.confirm_application", application),
        "can_check": status == S.CONFIRMED
        and permissions.can(user, "programs.check_application", application),
        "attachment_form": AttachmentForm(),
        "reason_form": ReasonForm(),
        **_tabs(request, "applications"),
    }
    if can_edit:
        context["problems"] = applications.completeness_problems(
            application
        ) + applications.budget_problems(application)
    if status not in _BEFORE_REVIEW and review.may_see_panel(user, application):
        context["panel"] = _panel(application)
    return render(request, "programs/application_detail.html", context)


def _panel(application: Application) -> dict:
    members = sorted(
        application.assignments.select_related("expert__owner"),
        key=lambda a: (a.status == A.ALTERNATE, a.alternate_rank or 0, -a.affinity),
    )
    counts = {s: sum(1 for m in members if m.status == s) for s in A.values}
    return {
        "members": members,
        "counts": [(s.label, counts[s.value]) for s in A if counts[s.value]],
        "recusals": application.recusals.select_related("expert__owner").order_by("expert_id"),
    }


_ACTIONS = {
    "submit": (
        lambda u, a, r: applications.submit_application(u, a),
        gettext_lazy("已提交单位审核。"),
    ),
    "confirm": (
        lambda u, a, r: applications.confirm_application(u, a),
        gettext_lazy("单位审核通过，申报书已报送形式审查。"),
    ),
    "send_back": (applications.send_back_to_preparer, gettext_lazy("已退回填报人修改。")),
    "accept": (
        lambda u, a, r: applications.accept_application(u, a),
        gettext_lazy("形式审查通过。"),
    ),
    "return": (applications.return_application, gettext_lazy("已退回申报单位修改。")),
    "reject": (applications.reject_application, gettext_lazy("已作不予受理处理。")),
}


@login_required
@require_POST
def application_action(request, pk: int, action: str):
    if action not in _ACTIONS:
        raise Http404
    # The service checks who may do what; a refusal comes back as its message.
    application = get_object_or_404(Application, pk=pk)
    func, done = _ACTIONS[action]
    try:
        func(request.user, application, request.POST.get("reason", ""))
        messages.success(request, str(done))
    except ServiceError as exc:
        messages.error(request, exc.message)
    if permissions.can(request.user, "programs.view_application", application):
        return redirect("program_application_detail", pk=pk)
    return redirect("program_application_list")


@login_required
@require_POST
@refuses
def attachment_add(request, pk: int):
    application = applications.get_application_for_user(request.user, pk)
    form = AttachmentForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("请选择附件类型和文件。"))
    else:
        try:
            applications.add_attachment(
                request.user, application, form.cleaned_data["kind"], form.cleaned_data["file"]
            )
            messages.success(
                request, _("已上传“%(name)s”。") % {"name": form.cleaned_data["file"].name}
            )
        except ServiceError as exc:
            messages.error(request, exc.message)
    return redirect(reverse("program_application_detail", args=[pk]) + "#attachments")


@login_required
@require_POST
@refuses
def attachment_remove(request, pk: int, attachment: int):
    applications.get_application_for_user(request.user, pk)
    item = get_object_or_404(Attachment, pk=attachment, application_id=pk)
    try:
        applications.remove_attachment(request.user, item)
        messages.success(request, _("已删除附件“%(name)s”。") % {"name": item.name})
    except ServiceError as exc:
        messages.error(request, exc.message)
    return redirect(reverse("program_application_detail", args=[pk]) + "#attachments")


def _download(attachment: Attachment) -> FileResponse:
    """Attachments are served to those who may read the application, never from /media/."""
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    return FileResponse(handle, as_attachment=True, filename=attachment.name)


@login_required
@refuses
def attachment_download(request, pk: int, attachment: int):
    applications.get_application_for_user(request.user, pk)
    return _download(get_object_or_404(Attachment, pk=attachment, application_id=pk))


# -- expert review -------------------------------------------------------------------------


@login_required
def review_list(request):
    page, query = paginate(request, review.assignments_for_expert(request.user))
    return render(
        request,
        "programs/review_list.html",
        {"page": page, "query": query, **_tabs(request, "reviews")},
    )


@login_required
@refuses
def review_detail(request, pk: int):
    user = request.user
    assignment = review.get_assignment_for_expert(user, pk)
    application = assignment.application
    criteria = application.call.criteria
    context = {
        "assignment": assignment,
        "application": application,
        "call": application.call,
        "team": application.team or [],
        "co_organisations": list(application.co_organisations.all()),
        **_tabs(request, "reviews"),
    }
    if assignment.status == A.INVITED:
        context["respond_form"] = RespondForm()
    elif assignment.status in (A.ACCEPTED, A.SUBMITTED):
        review.open_application_as_expert(user, pk)
        context["budget"] = selectors.budget_table(application)
        context["attachments"] = list(application.attachments.all())
    if assignment.status == A.ACCEPTED:
        form = ScoreSheetForm(request.POST or None, criteria=criteria)
        if request.method == "POST" and form.is_valid():
            try:
                review.submit_scores(user, assignment, form.scores(), form.cleaned_data["comment"])
            except ServiceError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, _("评分已提交。感谢您的评审！"))
                return redirect("program_review_detail", pk=pk)
        context["score_form"] = form
    if assignment.status == A.SUBMITTED:
        context["my_scores"] = [
            (c["name"], c["points"], assignment.scores.get(c["key"])) for c in criteria
        ]
        others = review.others_scores(user, assignment)
        context["others"] = [
            {**o, "cells": [o["scores"].get(c["key"], "—") for c in criteria]} for o in others
        ]
        context["criteria"] = criteria
    return render(request, "programs/review_detail.html", context)


@login_required
@require_POST
@refuses
def review_respond(request, pk: int):
    assignment = review.get_assignment_for_expert(request.user, pk)
    form = RespondForm(request.POST)
    form.is_valid()
    accept = request.POST.get("answer") == "accept"
    try:
        review.respond(
            request.user,
            assignment,
            accept=accept,
            reason=form.cleaned_data.get("reason", ""),
            conflict=bool(form.cleaned_data.get("conflict")) and not accept,
        )
    except ServiceError as exc:
        messages.error(request, exc.message)
        return redirect("program_review_detail", pk=pk)
    if accept:
        messages.success(request, _("已接受评审邀请，现在可以查看申报书全文并评分。"))
        return redirect("program_review_detail", pk=pk)
    messages.success(request, _("已谢绝该评审邀请。"))
    return redirect("program_review_list")


@login_required
@refuses
def review_attachment(request, pk: int, attachment: int):
    assignment = review.open_application_as_expert(request.user, pk)
    return _download(
        get_object_or_404(Attachment, pk=attachment, application_id=assignment.application_id)
    )
