"""Applications (申报书): the list, the form, the application page with its checks and — once
funded — the project sections, the workflow buttons and attachments."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from core import permissions
from core.exceptions import NotAllowed, ServiceError
from core.views import paginate
from programs import selectors
from programs.choices import ApplicationStatus, AssignmentStatus, ReviewStage
from programs.filtersets import ApplicationFilterSet
from programs.forms import ApplicationForm, AttachmentForm, BudgetForm, ReasonForm
from programs.models import Application, Attachment
from programs.services import applications, calls, review
from programs.views import sections
from programs.views.base import download, refuses, tabs

S = ApplicationStatus
A = AssignmentStatus
_BEFORE_REVIEW = {S.DRAFT, S.SUBMITTED, S.CONFIRMED, S.RETURNED, S.REJECTED}


@login_required
def application_list(request):
    user = request.user
    base = applications.applications_for(user)
    if not permissions.can(user, "programs.add_application"):
        # Drafts are the applicant's own business until they are submitted.
        base = base.exclude(status=S.DRAFT)
    filterset = ApplicationFilterSet(request.GET or None, queryset=base, request=request)
    queryset = filterset.qs if filterset.is_bound else base
    if filterset.is_bound and not filterset.is_valid():
        queryset = base.none()
    page, query = paginate(request, queryset)
    context = {
        "filterset": filterset,
        "page": page,
        "query": query,
        "filtered": any(request.GET.get(k) for k in ("call", "status", "q")),
        **tabs(request, "applications"),
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
        **tabs(request, "applications"),
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


def render_application(request, application: Application, bound: dict | None = None):
    """The application page; `bound` holds forms sent back with their errors (see `sections`)."""
    user = request.user
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
        **sections.project(user, application, bound),
        **tabs(request, "applications"),
    }
    if can_edit:
        context["problems"] = applications.completeness_problems(
            application
        ) + applications.budget_problems(application)
    if status not in _BEFORE_REVIEW and review.may_see_panel(user, application):
        context["panel"] = _panel(application)
    return render(request, "programs/application_detail.html", context)


@login_required
@refuses
def application_detail(request, pk: int):
    return render_application(request, applications.get_application_for_user(request.user, pk))


def _panel(application: Application) -> dict:
    """The 立项评审 panel; the acceptance panel is shown with the acceptance (see `sections`)."""
    members = sorted(
        application.assignments.filter(stage=ReviewStage.REVIEW).select_related("expert__owner"),
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


@login_required
@refuses
def attachment_download(request, pk: int, attachment: int):
    applications.get_application_for_user(request.user, pk)
    item = get_object_or_404(Attachment, pk=attachment, application_id=pk)
    return download(item.file, item.name)
