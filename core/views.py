from __future__ import annotations

from contextlib import contextmanager

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core import permissions
from core.auth import client_ip
from core.choices import AuditAction, JobStatus
from core.demo import DEMO_LOGINS, SCALES
from core.exceptions import NotAllowed, ServiceError
from core.exports import EXPORT_FORMATS, export_response
from core.factories import DEMO_PASSWORD
from core.filtersets import AuditFilterSet, OrganisationFilterSet
from core.forms import LoginForm, MembershipSwitchForm, OrganisationForm
from core.masking import mask_id_number, mask_phone
from core.models import AuditEntry, IndustryChain, Job, Organisation, Region
from core.services import audit, jobs, organisations
from core.services.audit import field_label

PAGE_SIZE = 20


def paginate(request, queryset, per_page: int = PAGE_SIZE, paginator_class=Paginator):
    page = paginator_class(queryset, per_page).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return page, query.urlencode()


def redirect_next(request, fallback: str):
    """A redirect to the page named in the form's `next` when it is on this site (same host,
    and https when the request came over https), otherwise to `fallback`: a crafted link can
    not send the user to another site after an action."""
    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect(fallback)


@contextmanager
def refusal_as_message(request):
    """Inside the block, a service's refusal (ServiceError) becomes an error message for the
    next page and the rest of the block is skipped; NotAllowed still goes up, to become the 403
    page."""
    try:
        yield
    except NotAllowed:
        raise
    except ServiceError as exc:
        messages.error(request, exc.message)


def home(request):
    chains = (
        IndustryChain.objects.prefetch_related("nodes")
        .annotate(org_count=Count("nodes__organisations", distinct=True))
        .order_by("sort_order", "code")
    )  # aggregation drops Meta.ordering
    context = {
        "chains": chains,
        "organisation_count": Organisation.objects.count(),
        "region_count": Region.objects.exclude(kind="city").count(),
        "has_demo": Organisation.objects.filter(is_demo=True).exists(),
    }
    return render(request, "core/home.html", context)


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    template_name = "core/login.html"
    redirect_authenticated_user = True

    def form_valid(self, form):
        response = super().form_valid(form)
        audit.record(
            self.request.user,
            AuditAction.LOGIN,
            self.request.user,
            ip_address=client_ip(self.request),
        )
        return response

    def get_context_data(self, **kwargs):
        from django.conf import settings

        context = super().get_context_data(**kwargs)
        if settings.SHOW_DEMO_LOGINS:
            context["demo_logins"] = [(u, d, r.label) for u, d, r, *_ in DEMO_LOGINS]
            context["demo_password"] = DEMO_PASSWORD
        return context


@login_required
def profile(request):
    user = request.user
    if request.method == "POST":
        form = MembershipSwitchForm(request.POST, user=user)
        if form.is_valid():
            before = audit.snapshot(user)
            user.current_membership = form.cleaned_data["membership"]
            user.save(update_fields=["current_membership"])
            audit.record_update(user, user, before, note="切换办理身份")
            messages.success(request, _("已切换为：%s") % user.current_membership)
            return redirect("profile")
    else:
        form = MembershipSwitchForm(user=user, initial={"membership": user.current_membership})
    context = {
        "form": form,
        "memberships": user.memberships.select_related("organisation", "region"),
        # The owner sees their own data; masking is for everyone else.
        "phone": user.phone,
        "email": user.email,
        "id_number": mask_id_number(user.id_number),
    }
    return render(request, "core/profile.html", context)


def organisation_list(request):
    queryset = Organisation.objects.select_related("region", "industry").order_by("name")
    filterset = OrganisationFilterSet(request.GET, queryset=queryset)
    fmt = request.GET.get("export")
    if fmt in EXPORT_FORMATS and filterset.is_valid():
        rows = (
            (
                o.name,
                o.get_type_display(),
                o.uscc,
                str(o.region),
                str(o.industry or ""),
                o.get_size_display(),
            )
            for o in filterset.qs.iterator()
        )
        headers = [
            _("单位名称"),
            _("单位类型"),
            _("统一社会信用代码"),
            _("所在区域"),
            _("所属行业"),
            _("规模"),
        ]
        return export_response(headers, rows, _("单位名录"), fmt, _("单位"))
    page, query = paginate(request, filterset.qs)
    return render(
        request,
        "core/organisation_list.html",
        {
            "filterset": filterset,
            "page": page,
            "query": query,
            "can_add": permissions.can(request.user, "core.add_organisation"),
        },
    )


def organisation_detail(request, pk: int):
    org = get_object_or_404(
        Organisation.objects.select_related("region", "industry").prefetch_related(
            "chain_nodes__chain"
        ),
        pk=pk,
    )
    see_contact = permissions.can(request.user, "core.view_organisation_contact", org)
    return render(
        request,
        "core/organisation_detail.html",
        {
            "org": org,
            "phone": org.contact_phone if see_contact else mask_phone(org.contact_phone),
            "can_change": permissions.can(request.user, "core.change_organisation", org),
            "can_delete": permissions.can(request.user, "core.delete_organisation", org),
        },
    )


def _save_organisation(request, org: Organisation | None):
    form = OrganisationForm(request.POST or None, instance=org)
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in form.fields}
        try:
            if org is None:
                org = organisations.create_organisation(request.user, **data)
                messages.success(request, _("单位“%s”已创建。") % org.name)
            else:
                org = organisations.update_organisation(request.user, org, **data)
                messages.success(request, _("单位“%s”已保存。") % org.name)
        except NotAllowed as exc:
            form.add_error(None, exc.message)
        else:
            return redirect("organisation_detail", pk=org.pk)
    return render(request, "core/organisation_form.html", {"form": form, "org": org})


@login_required
def organisation_create(request):
    if not permissions.can(request.user, "core.add_organisation"):
        raise PermissionDenied
    return _save_organisation(request, None)


@login_required
def organisation_edit(request, pk: int):
    org = get_object_or_404(Organisation, pk=pk)
    if not permissions.can(request.user, "core.change_organisation", org):
        raise PermissionDenied
    return _save_organisation(request, org)


@login_required
def audit_list(request):
    if not permissions.can(request.user, "core.view_auditentry"):
        raise PermissionDenied
    filterset = AuditFilterSet(
        request.GET, queryset=AuditEntry.objects.select_related("content_type")
    )
    page, query = paginate(request, filterset.qs, per_page=50)
    for entry in page:
        model = entry.content_type.model_class() if entry.content_type_id else None
        entry.type_label = model._meta.verbose_name if model else ""
        entry.change_rows = [
            (field_label(entry, name), values[0], values[1])
            for name, values in entry.changes.items()
        ]
    return render(
        request, "core/audit_list.html", {"filterset": filterset, "page": page, "query": query}
    )


@login_required
def job_list(request):
    page, query = paginate(request, jobs.visible_jobs(request.user))
    return render(
        request,
        "core/job_list.html",
        {
            "page": page,
            "query": query,
            "can_run_demo": permissions.can(request.user, "core.run_demo_job"),
            "startable": jobs.startable_jobs(request.user),
            "scales": SCALES,
        },
    )


@login_required
def job_detail(request, pk: int):
    job = get_object_or_404(Job, pk=pk)
    if not permissions.can(request.user, "core.view_job", job):
        raise Http404
    if job.status == JobStatus.RUNNING:
        # A job whose worker died settles here too, not only when a worker or the list looks.
        jobs.recover_interrupted_jobs()
        job.refresh_from_db()
    template = "core/_job_progress.html" if request.htmx else "core/job_detail.html"
    return render(request, template, {"job": job})


@login_required
@require_POST
def job_start(request, kind: str):
    label = dict(jobs.startable_jobs(request.user)).get(kind)
    if label is None:
        raise PermissionDenied
    job = jobs.start_job(request.user, kind, str(label))
    messages.success(request, _("任务已提交，可在本页查看进度。"))
    return redirect(reverse("job_detail", args=[job.pk]))


@login_required
@require_POST
def job_start_demo(request):
    scale = request.POST.get("scale", "small")
    try:
        seed = int(request.POST.get("seed", "1"))
    except ValueError:
        messages.error(request, _("随机种子必须是整数。"))
        return redirect("job_list")
    if scale not in SCALES:
        messages.error(request, _("未知的规模。"))
        return redirect("job_list")
    try:
        job = jobs.start_job(
            request.user,
            "demo",
            _("生成示例数据（种子 %(seed)s，规模 %(scale)s）") % {"seed": seed, "scale": scale},
            {"seed": seed, "scale": scale},
        )
    except NotAllowed as exc:
        messages.error(request, exc.message)
        return redirect("job_list")
    messages.success(request, _("任务已提交，可在本页查看进度。"))
    return redirect(reverse("job_detail", args=[job.pk]))


@login_required
def notification_list(request):
    notes = request.user.notifications.all()
    if request.method == "POST":
        notes.filter(read_at__isnull=True).update(read_at=timezone.now())
        messages.success(request, _("已全部标记为已读。"))
        return redirect("notification_list")
    page, query = paginate(request, notes)
    return render(request, "core/notification_list.html", {"page": page, "query": query})


def import_page_job(request, kind: str, title: str, url: str):
    """The two halves of an import page. A POST keeps the uploaded file and starts the import
    job of `kind` (refusals of the file itself become a message); it returns the redirect to
    `url?job=…`. A GET with `?job=` finds this user's job of that kind. Returns
    (redirect or None, job or None)."""
    from core.services.imports import start_import

    if request.method == "POST":
        upload = request.FILES.get("file")
        try:
            job = start_import(
                request.user, kind, title % {"name": upload.name if upload else ""}, upload
            )
        except ServiceError as exc:
            messages.error(request, exc.message)
        else:
            return redirect(f"{url}?job={job.pk}"), job
    job = None
    if request.GET.get("job", "").isdigit():
        job = get_object_or_404(Job, pk=int(request.GET["job"]), kind=kind, created_by=request.user)
    return None, job
