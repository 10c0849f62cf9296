"""Calls (申报指南): the list, the call page for each role, the call form, topics, publishing,
and starting the review panel."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core import permissions
from core.choices import OrgType
from core.exceptions import NotAllowed, ServiceError
from core.services.jobs import start_job
from core.views import paginate
from programs import selectors
from programs.choices import ApplicationStatus
from programs.filtersets import CallFilterSet
from programs.forms import CallForm, TopicForm
from programs.models import Call, Publicity
from programs.services import applications, calls
from programs.views import sections
from programs.views.base import form_errors, refuses, tabs

S = ApplicationStatus
RECENT_PUBLICITIES = 5


def call_list(request):
    base = calls.calls_for(request.user)
    filterset = CallFilterSet(request.GET or None, queryset=base, request=request)
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
        "filtered": any(request.GET.get(k) for k in ("year", "kind", "status")),
        "can_create": permissions.can(request.user, "programs.manage_call"),
        "today": timezone.localdate(),
        # Open ones first: "open" sorts after "finalised".
        "publicities": Publicity.objects.filter(call__in=base.values("pk")).order_by(
            "-status", "-starts_on", "-pk"
        )[:RECENT_PUBLICITIES],
        **tabs(request, "calls"),
    }
    return render(request, "programs/call_list.html", context)


def render_call(request, call: Call, bound: dict | None = None):
    """The call page; `bound` holds forms sent back with their errors (see `sections`)."""
    user = request.user
    may_manage = permissions.can(user, "programs.manage_call", call)
    context = {
        "call": call,
        "phase": selectors.call_phase(call),
        "topics": call.topics.select_related("demand__owner"),
        "org_types": [OrgType(t).label for t in call.eligible_org_types if t in OrgType.values],
        "regions": list(call.eligible_regions.all()),
        "may_manage": may_manage,
        **sections.decision(user, call, bound),
        **tabs(request, "calls"),
    }
    if permissions.can(user, "programs.add_application"):
        organisation = user.current_membership.organisation
        context["applicant"] = True
        context["mine"] = applications.applications_for(user).filter(call=call)
        if call.is_open():
            context["problems"] = applications.eligibility_problems(call, organisation)
            # The reports that block applying, each with a link to hand it in.
            context["overdue"] = list(applications.overdue_reports(organisation))
        else:
            context["problems"] = None
    if may_manage:
        scoped = applications.applications_for(user).filter(call=call)
        context["counts"] = selectors.status_counts(scoped)
        context["accepted"] = sum(n for s, _label, n in context["counts"] if s == S.ACCEPTED)
        context["topic_form"] = TopicForm(call=call)
    return render(request, "programs/call_detail.html", context)


@refuses
def call_detail(request, pk: int):
    return render_call(request, calls.get_call_for_user(request.user, pk))


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
        request, "programs/call_form.html", {"form": form, "call": call, **tabs(request, "calls")}
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
        form_errors(request, exc)
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
