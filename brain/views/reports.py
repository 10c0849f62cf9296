"""通报 pages: the list of generated reports with their downloads (brain.view), the form to
generate one (the bureau, brain.manage_catalog) and the running job's progress."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from brain.models import Report
from brain.services import reports as svc
from brain.services.navigation import section_tabs, tab
from core import permissions
from core.exceptions import NotAllowed, ServiceError
from core.models import Job
from core.views import paginate

tab("reports", gettext_lazy("月度季度通报"), "brain_reports", order=60)


class ReportForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("类型"), choices=Report.Kind.choices)
    period = forms.CharField(
        label=gettext_lazy("期别"),
        max_length=10,
        help_text=gettext_lazy("月度如 2026-10，季度如 2026Q3；只能是已结束的期别"),
    )


def _initial() -> dict:
    return {"kind": Report.Kind.QUARTER, "period": svc.last_finished(Report.Kind.QUARTER).text}


@login_required
def report_list(request):
    try:
        rows = svc.visible_reports(request.user)
    except NotAllowed as exc:
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied(exc.message) from None
    may_generate = permissions.can(request.user, "brain.manage_catalog")
    form = ReportForm(initial=_initial()) if may_generate else None
    if request.method == "POST":
        if not may_generate:
            from django.core.exceptions import PermissionDenied

            raise PermissionDenied(_("只有市科技局可以生成通报。"))
        form = ReportForm(request.POST)
        if form.is_valid():
            try:
                report = svc.request_report(
                    request.user, form.cleaned_data["kind"], form.cleaned_data["period"]
                )
            except ServiceError as exc:
                form.add_error("period", exc.message)
            else:
                return redirect(f"{request.path}?job={report.job_id}")
    job = None
    if request.GET.get("job", "").isdigit():
        job = Job.objects.filter(pk=request.GET["job"]).first()
        if job is not None and not permissions.can(request.user, "core.view_job", job):
            job = None
    return render(
        request,
        "brain/reports.html",
        {
            "page": paginate(request, rows, 30)[0],
            "form": form,
            "job": job,
            "brain_tabs": section_tabs(request.user, "reports"),
        },
    )


@login_required
def download(request, pk: int, fmt: str):
    if not permissions.can(request.user, "brain.view"):
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied(_("只有市科技局、领导和区县管理员可以查看通报。"))
    report = get_object_or_404(Report, pk=pk, status=Report.Status.READY)
    field = {"pdf": report.pdf, "xlsx": report.xlsx}.get(fmt)
    if not field:
        raise Http404
    name = f"{report.title}-{report.period}-v{report.version}.{fmt}"
    return FileResponse(field.open("rb"), as_attachment=(fmt == "xlsx"), filename=name)
