"""开放共享评价 pages: the years' evaluations (published ones for everyone, drafts for the
bureau, who starts a run and follows its progress), one evaluation's ranking, grade
distribution and method, its export, and publishing."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core import permissions
from core.choices import JobStatus
from core.decorators import refuses
from core.exports import EXPORT_FORMATS, export_response
from core.models import Job
from core.views import refusal_as_message
from sharing.choices import EvaluationStatus
from sharing.models import SharingEvaluation
from sharing.services import evaluation as evaluations
from sharing.services.common import own_organisation_id
from sharing.views.common import tabs


def _job_context(job: Job) -> dict:
    result = job.result if job.status == JobStatus.SUCCEEDED else {}
    pk = result.get("evaluation_id")
    # A later run replaces the draft: link only to an evaluation that is still there.
    exists = pk is not None and SharingEvaluation.objects.filter(pk=pk).exists()
    return {"job": job, "job_evaluation": pk if exists else None}


@refuses
def evaluation_list(request):
    user = request.user
    bureau = permissions.can(user, "sharing.manage")
    job = None
    if bureau and request.GET.get("job", "").isdigit():
        job = get_object_or_404(Job, pk=int(request.GET["job"]), kind=evaluations.JOB_KIND)
    context = {
        "sharing_tabs": tabs(user, "evaluations"),
        "evaluations": evaluations.evaluations_for(user).annotate(hosts=Count("grades")),
        "bureau": bureau,
        "default_year": timezone.localdate().year - 1,
        "recent_jobs": Job.objects.filter(kind=evaluations.JOB_KIND)[:5] if bureau else [],
    }
    if job is not None:
        context.update(_job_context(job))
        if request.htmx:
            return render(request, "sharing/evaluation_job.html", context)
    return render(request, "sharing/evaluation_list.html", context)


@login_required
@require_POST
@refuses
def evaluation_start(request):
    with refusal_as_message(request):
        job = evaluations.start_evaluation(request.user, request.POST.get("year"))
        messages.success(request, _("评价任务已提交，可在本页查看进度。"))
        return redirect(f"{reverse('sharing_evaluations')}?job={job.pk}")
    return redirect("sharing_evaluations")


@refuses
def evaluation_detail(request, pk: int):
    user = request.user
    evaluation = evaluations.get_evaluation_for(user, pk)
    grades = list(evaluations.grades_of(evaluation))
    params = evaluation.params
    fmt = request.GET.get("export")
    if fmt in EXPORT_FORMATS:
        name = _("%(year)s年度开放共享评价结果") % {"year": evaluation.year}
        return export_response(
            evaluations.export_headers(params),
            evaluations.export_rows(evaluation),
            name,
            fmt,
            _("评价结果"),
        )
    own = own_organisation_id(user)
    mine = next((g for g in grades if g.organisation_id == own), None)
    bureau = permissions.can(user, "sharing.manage")
    return render(
        request,
        "sharing/evaluation_detail.html",
        {
            "sharing_tabs": tabs(user, "evaluations"),
            "evaluation": evaluation,
            "grades": grades,
            "indicators": params.get("indicators", []),
            "distribution": evaluations.distribution(evaluation),
            "method": evaluations.method(params),
            "own": own,
            "mine": mine,
            "bureau": bureau,
            "draft": evaluation.status == EvaluationStatus.DRAFT,
        },
    )


@login_required
@require_POST
@refuses
def evaluation_publish(request, pk: int):
    evaluation = evaluations.get_evaluation_for(request.user, pk)
    with refusal_as_message(request):
        published = evaluations.publish_evaluation(request.user, evaluation)
        messages.success(
            request,
            _("%(year)s年度开放共享评价结果已发布，各单位已收到通知。") % {"year": published.year},
        )
    return redirect("sharing_evaluation", pk=pk)
