"""立项 and 公示: proposing on the call page, the public 公示 page where anyone may object, the
handling of objections, 正式立项 and its PDF notice."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.exceptions import NotAllowed, ServiceError
from programs import selectors
from programs.choices import PublicityStatus
from programs.forms import ObjectionForm, ProposeForm, ResolveForm
from programs.services import calls, decision
from programs.views import sections
from programs.views.base import download, refuses, tabs
from programs.views.calls import render_call


def _back(call_pk: int, anchor: str = "decision"):
    return redirect(reverse("program_call_detail", args=[call_pk]) + f"#{anchor}")


@login_required
@require_POST
@refuses
def call_propose(request, pk: int):
    call = calls.get_call_for_user(request.user, pk, manage=True)
    reviewed = sections.reviewed_for(request.user, call)
    form = ProposeForm(request.POST, applications=reviewed, cap=call.max_funding)
    if form.is_valid():
        try:
            # One decision: a refusal (a cap, the call's budget) leaves no project half-proposed.
            with transaction.atomic():
                chosen = decision.propose(request.user, call, form.funding())
        except NotAllowed:
            raise
        except ServiceError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request,
                _("已将%(n)d个项目列入拟立项名单，可以开始公示。") % {"n": len(chosen)},
            )
            return _back(call.pk)
    return render_call(request, call, {"propose": form})


@login_required
@require_POST
@refuses
def publicity_start(request, pk: int):
    call = calls.get_call_for_user(request.user, pk, manage=True)
    try:
        publicity = decision.start_publicity(request.user, call)
    except NotAllowed:
        raise
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("公示已开始，至%(d)s结束。公示页面任何人都可以查看并提出异议。")
            % {"d": publicity.ends_on.isoformat()},
        )
    return _back(call.pk, "publicity")


def _managed_publicity(user, pk: int):
    publicity = decision.get_publicity(pk)
    calls.get_call_for_user(user, publicity.call_id, manage=True)
    return publicity


@login_required
@require_POST
@refuses
def objection_resolve(request, pk: int, objection: int):
    publicity = _managed_publicity(request.user, pk)
    item = get_object_or_404(publicity.objections, pk=objection)
    form = ResolveForm(request.POST, prefix=f"objection-{item.pk}")
    if not form.is_valid():
        return render_call(request, publicity.call, {("resolve", item.pk): form})
    upheld = request.POST.get("upheld") == "1"
    try:
        decision.resolve_objection(
            request.user, item, upheld=upheld, resolution=form.cleaned_data["resolution"]
        )
    except NotAllowed:
        raise
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("异议成立，该项目不予立项。") if upheld else _("已处理：异议不成立。"),
        )
    return _back(publicity.call_id, "publicity")


@login_required
@require_POST
@refuses
def publicity_finalise(request, pk: int):
    publicity = _managed_publicity(request.user, pk)
    try:
        decision.finalise(request.user, publicity)
    except NotAllowed:
        raise
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已正式立项，立项通知已生成。"))
    return _back(publicity.call_id, "publicity")


@login_required
@refuses
def publicity_notice(request, pk: int):
    publicity = decision.get_publicity(pk)
    if not sections.may_download_notice(request.user, publicity.call):
        raise NotAllowed(_("只有组织该指南的管理部门和立项项目的承担单位可以下载立项通知。"))
    if not publicity.notice:
        raise Http404
    return download(
        publicity.notice, _("立项通知-%(n)d.pdf") % {"n": publicity.pk}, "application/pdf"
    )


@refuses
def publicity_detail(request, pk: int):
    """The public 公示 page: the list, the dates and, while it is open, the objection form."""
    publicity = decision.get_publicity(pk)
    projects = selectors.publicity_projects(publicity)
    form = ObjectionForm(request.POST or None, projects=projects)
    if request.method == "POST" and form.is_valid():
        values = dict(form.cleaned_data)
        application = values.pop("application")
        try:
            decision.file_objection(request.user, publicity, application, **values)
        except ServiceError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("感谢您的监督！异议已收到，科技管理部门将核实处理。"))
            return redirect(reverse("program_publicity_detail", args=[pk]) + "#objection")
    today = timezone.localdate()
    context = {
        "publicity": publicity,
        "call": publicity.call,
        "projects": projects,
        "total": sum(p.approved_funding or 0 for p in projects),
        "open": publicity.status == PublicityStatus.OPEN and today <= publicity.ends_on,
        "form": form,
        "notice_ok": publicity.status == PublicityStatus.FINALISED
        and sections.may_download_notice(request.user, publicity.call),
        **tabs(request, "calls"),
    }
    return render(request, "programs/publicity_detail.html", context)
