from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bridging import permissions as match_permissions
from bridging.choices import NEXT_STATUS, OPEN_STATUSES, Feedback, MatchStatus
from bridging.forms import AdvanceForm, FailForm, NextStepForm, NoteForm
from bridging.models import Match
from bridging.services import funnel as funnel_service
from bridging.services import matches
from core import permissions
from core.exceptions import ServiceError
from core.models import Organisation
from core.views import redirect_next
from resources.choices import RecordStatus
from resources.models import Achievement, Demand, Expert

_RELATED = (
    "demand",
    "demand__owner",
    "achievement",
    "achievement__owner",
    "expert",
    "expert__owner",
    "institute",
    "broker",
)


def _match(request, pk: int) -> Match:
    match = get_object_or_404(Match.objects.select_related(*_RELATED), pk=pk)
    if not permissions.can(request.user, "bridging.view_match", match):
        raise Http404
    return match


@login_required
def workbench(request):
    if not permissions.can(request.user, "bridging.use_workbench"):
        raise PermissionDenied
    qs = match_permissions.visible_matches(Match.objects.select_related(*_RELATED), request.user)
    if permissions.is_broker.test(request.user):
        qs = qs.filter(broker=request.user) | qs.filter(broker__isnull=True)
    today = timezone.localdate()
    open_matches = list(
        qs.filter(status__in=OPEN_STATUSES).order_by("next_step_due", "-updated_at")[:300]
    )
    context = {
        "overdue": [m for m in open_matches if m.next_step_due and m.next_step_due <= today],
        "columns": [
            (s.label, [m for m in open_matches if m.status == s])
            for s in (MatchStatus.RECOMMENDED, MatchStatus.CONTACTED, MatchStatus.NEGOTIATING)
        ],
        "closed": qs.exclude(status__in=OPEN_STATUSES).order_by("-closed_at")[:20],
        "today": today,
    }
    return render(request, "bridging/workbench.html", context)


def match_detail(request, pk: int):
    if not request.user.is_authenticated:
        raise Http404
    match = _match(request, pk)
    user = request.user
    m = user.current_membership
    side = None
    if m is not None and permissions.can(user, "bridging.give_feedback", match):
        side = "demand" if match.demand.owner_id == m.organisation_id else "supply"
    context = {
        "match": match,
        "notes": match.notes.select_related("author"),
        "can_work": permissions.can(user, "bridging.work_match", match) and match.is_open,
        "can_claim": permissions.is_broker.test(user) and match.broker_id is None and match.is_open,
        "next_label": NEXT_STATUS[match.status].label if match.status in NEXT_STATUS else None,
        "side": side,
        "my_feedback": getattr(match, f"{side}_feedback") if side else None,
        "fail_form": FailForm(),
        "next_form": NextStepForm(
            initial={"next_step": match.next_step, "next_step_due": match.next_step_due}
        ),
        "note_form": NoteForm(),
        "advance_form": AdvanceForm(),
        "feedback_choices": Feedback.choices,
    }
    return render(request, "bridging/match_detail.html", context)


@login_required
@require_POST
def match_action(request, pk: int, action: str):
    match = _match(request, pk)
    user, post = request.user, request.POST
    try:
        if action == "advance":
            form = AdvanceForm(post)
            if not form.is_valid():
                raise ValidationError(form.errors)
            matches.advance(
                user,
                match,
                note=form.cleaned_data["note"],
                contract_amount=form.cleaned_data["contract_amount"],
            )
            messages.success(request, _("已推进。"))
        elif action == "fail":
            matches.fail(user, match, post.get("failure_reason", ""), post.get("failure_note", ""))
            messages.success(request, _("已标记为未成。"))
        elif action == "next":
            form = NextStepForm(post)
            if not form.is_valid():
                raise ValidationError(form.errors)
            matches.plan_next_step(
                user, match, form.cleaned_data["next_step"], form.cleaned_data["next_step_due"]
            )
            messages.success(request, _("已更新下一步。"))
        elif action == "note":
            matches.add_note(user, match, post.get("text", ""))
            messages.success(request, _("已记录。"))
        elif action == "claim":
            matches.claim(user, match)
            messages.success(request, _("已认领，该对接由您负责。"))
        elif action == "feedback":
            matches.give_feedback(user, match, post.get("feedback", ""))
            messages.success(request, _("已记录您的意向。"))
        else:
            raise Http404
    except ServiceError as exc:
        messages.error(request, exc.message)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    return redirect("match_detail", pk=match.pk)


@login_required
@require_POST
def match_create(request):
    """Pair a published demand with an achievement, expert or institute (from a recommendation)."""
    demand = get_object_or_404(Demand, pk=request.POST.get("demand"), status=RecordStatus.PUBLISHED)
    kind, target = request.POST.get("kind"), request.POST.get("target")
    models = {"achievement": Achievement, "expert": Expert, "institute": Organisation}
    if kind not in models or not str(target).isdigit():
        raise Http404
    supply = get_object_or_404(models[kind], pk=int(target))
    try:
        score = float(request.POST.get("score") or 0) or None
    except ValueError:
        score = None
    try:
        match = matches.create_match(
            request.user,
            demand,
            supply,
            score=score,
            explanation=request.POST.get("explanation", ""),
        )
    except ServiceError as exc:
        messages.error(request, exc.message)
        return redirect_next(request, "/")
    messages.success(request, _("已创建对接。"))
    return redirect("match_detail", pk=match.pk)


@login_required
def my_matches(request):
    qs = match_permissions.visible_matches(Match.objects.select_related(*_RELATED), request.user)
    return render(request, "bridging/my_matches.html", {"matches": qs[:200]})


@login_required
def funnel(request):
    if not permissions.can(request.user, "bridging.view_funnel"):
        raise PermissionDenied
    qs = match_permissions.counted_matches(Match.objects.all(), request.user)
    data = funnel_service.funnel(qs)
    return render(
        request,
        "bridging/funnel.html",
        {"data": data, "stages": [s.label for s in funnel_service.STAGES]},
    )


_RECOMMENDERS = {
    "demands": "for_demand",
    "achievements": "for_achievement",
    "experts": "for_expert",
}
_SECTION_TITLES = {
    "achievement": _("推荐科技成果"),
    "expert": _("推荐专家"),
    "institute": _("推荐高校院所"),
    "demand": _("相关技术需求"),
    "enterprise": _("可能需要的企业"),
}


def recommendations(request, kind: str, pk: int):
    """The recommendation panel of a published demand, achievement or expert (loaded by htmx)."""
    from bridging.services import recommend
    from core.models import Region
    from resources.registry import KINDS

    if kind not in _RECOMMENDERS:
        raise Http404
    record = get_object_or_404(KINDS[kind].model, pk=pk, status=RecordStatus.PUBLISHED)
    filters, region_code, trl_min = (
        {},
        request.GET.get("region", ""),
        request.GET.get("trl_min", ""),
    )
    region = Region.objects.filter(code=region_code).first() if region_code else None
    if region is not None:
        filters["region"] = region.name
    if trl_min.isdigit() and 1 <= int(trl_min) <= 9:
        from kechuang.retrieval import Range

        filters["trl"] = Range(int(trl_min), 9)
    sections = getattr(recommend, _RECOMMENDERS[kind])(record, filters=filters)
    user = request.user
    may_match = (
        kind == "demands"
        and user.is_authenticated
        and (
            permissions.can(user, "bridging.use_workbench")
            or (
                user.current_membership is not None
                and user.current_membership.organisation_id == record.owner_id
            )
        )
    )
    context = {
        "record": record,
        "kind": kind,
        "sections": [(_SECTION_TITLES[name], name, items) for name, items in sections.items()],
        "may_match": may_match,
        "regions": Region.objects.exclude(kind="city"),
        "region_code": region_code,
        "trl_min": trl_min,
        "index_ready": recommend.engine() is not None,
    }
    return render(request, "bridging/_recommendations.html", context)
