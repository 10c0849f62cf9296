"""优秀科技成果目录 pages: the public list and catalog page (no login), the PDF and Excel
downloads, and the bureau's compiling pages (new, edit, candidates, order, publish). Every change
goes through transfer.services.catalogs."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from core.decorators import refuses
from core.exceptions import NotAllowed, NotFound, ServiceError
from core.views import paginate
from transfer.choices import CatalogStatus
from transfer.models import Catalog, Screening
from transfer.services import catalogs as svc


class CatalogForm(forms.ModelForm):
    class Meta:
        model = Catalog
        fields = ["title", "period", "introduction"]
        widgets = {"introduction": forms.Textarea(attrs={"rows": 6})}
        help_texts = {
            "introduction": gettext_lazy(
                "可写明编制依据、收录范围和使用方式；发布时系统会在其后补充收录数量、评价依据等说明。"
            )
        }


def catalog_list(request):
    """Published catalogs for everyone; the bureau also sees its drafts and can start one."""
    catalogs = svc.catalogs_for(request.user)
    paged, query = paginate(request, catalogs)
    return render(
        request,
        "transfer/catalog_list.html",
        {"page": paged, "query": query, "manage": svc.may_manage(request.user)},
    )


@refuses
def catalog_detail(request, pk: int):
    catalog = svc.get_catalog(request.user, pk)
    rows = svc.entry_views(catalog)
    draft = catalog.status == CatalogStatus.DRAFT
    return render(
        request,
        "transfer/catalog_detail.html",
        {
            "catalog": catalog,
            "groups": svc.grouped(rows),
            "count": len(rows),
            "paragraphs": svc.introduction_paragraphs(catalog, rows) if rows else [],
            "draft": draft,
            "manage": draft and svc.may_manage(request.user),
        },
    )


def _download(catalog: Catalog, field, extension: str, content_type: str) -> FileResponse:
    if catalog.status != CatalogStatus.PUBLISHED or not field:
        raise Http404
    try:
        handle = field.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404 from None
    return FileResponse(
        handle,
        as_attachment=True,
        filename=f"{catalog.title}.{extension}",
        content_type=content_type,
    )


@refuses
def catalog_pdf(request, pk: int):
    catalog = svc.get_catalog(request.user, pk)
    return _download(catalog, catalog.pdf, "pdf", "application/pdf")


@refuses
def catalog_xlsx(request, pk: int):
    catalog = svc.get_catalog(request.user, pk)
    return _download(
        catalog,
        catalog.xlsx,
        "xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


def _save(request, catalog: Catalog | None):
    form = CatalogForm(request.POST or None, instance=catalog)
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in form.fields}
        try:
            if catalog is None:
                catalog = svc.create_catalog(request.user, data)
                messages.success(request, _("目录已创建，请从入选成果中添加条目。"))
            else:
                catalog = svc.update_catalog(request.user, catalog, data)
                messages.success(request, _("目录信息已保存。"))
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        except ServiceError as exc:
            form.add_error(None, exc.message)
        else:
            return redirect("transfer_catalog", pk=catalog.pk)
    return render(request, "transfer/catalog_form.html", {"form": form, "catalog": catalog})


@login_required
@refuses
def catalog_create(request):
    svc.require_manage(request.user)
    return _save(request, None)


def _draft(request, pk: int) -> Catalog:
    svc.require_manage(request.user)
    return svc.get_catalog(request.user, pk)


@login_required
@refuses
def catalog_edit(request, pk: int):
    catalog = _draft(request, pk)
    if catalog.status != CatalogStatus.DRAFT:
        messages.error(request, _("目录已发布，不能再修改。"))
        return redirect("transfer_catalog", pk=catalog.pk)
    return _save(request, catalog)


@login_required
@refuses
def catalog_candidates(request, pk: int):
    """Achievements selected in screening that could be added; POST adds one."""
    catalog = _draft(request, pk)
    if catalog.status != CatalogStatus.DRAFT:
        messages.error(request, _("目录已发布，不能再修改。"))
        return redirect("transfer_catalog", pk=catalog.pk)
    if request.method == "POST":
        chosen = request.POST.get("screening", "")
        screening = Screening.objects.filter(pk=int(chosen)).first() if chosen.isdigit() else None
        if screening is None:
            messages.error(request, _("筛选评价不存在。"))
        else:
            try:
                svc.add_entry(request.user, catalog, screening)
            except ServiceError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(
                    request,
                    _("已将“%(t)s”列入目录。") % {"t": screening.achievement.title},
                )
        return redirect(request.get_full_path())
    round_ = request.GET.get("round", "").strip()
    q = request.GET.get("q", "").strip()
    found = svc.candidates(catalog, round=round_, q=q)
    paged, query = paginate(request, found)
    return render(
        request,
        "transfer/catalog_candidates.html",
        {
            "catalog": catalog,
            "page": paged,
            "query": query,
            "rounds": svc.rounds(),
            "round": round_,
            "q": q,
            "count": catalog.entries.count(),
        },
    )


@login_required
@require_POST
@refuses
def entry_remove(request, pk: int, entry: int):
    catalog = _draft(request, pk)
    try:
        svc.remove_entry(request.user, catalog, entry)
    except (NotAllowed, NotFound):
        raise
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已移出目录。"))
    return redirect("transfer_catalog", pk=catalog.pk)


@login_required
@require_POST
@refuses
def entry_move(request, pk: int, entry: int):
    catalog = _draft(request, pk)
    offset = -1 if request.POST.get("direction") == "up" else 1
    try:
        svc.move_entry(request.user, catalog, entry, offset)
    except (NotAllowed, NotFound):
        raise
    except ServiceError as exc:
        messages.error(request, exc.message)
    return redirect(f"{reverse('transfer_catalog', args=[catalog.pk])}#entry-{entry}")


@login_required
@require_POST
@refuses
def catalog_publish(request, pk: int):
    catalog = _draft(request, pk)
    try:
        catalog = svc.publish(request.user, catalog)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, _("目录已发布，PDF 版和 Excel 版已生成；此后目录内容不再随成果信息变化。")
        )
    return redirect("transfer_catalog", pk=catalog.pk)
