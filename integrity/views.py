"""Pages for keeping records of dishonest conduct. Every change goes through the services."""

from __future__ import annotations

from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core import permissions
from core.exceptions import ServiceError
from core.exports import EXPORT_FORMATS, export_response
from core.masking import mask_id_number
from core.views import import_page_job, paginate
from integrity.filtersets import IntegrityRecordFilterSet
from integrity.forms import IntegrityRecordForm, RevokeForm
from integrity.models import IntegrityRecord
from integrity.services import records
from integrity.services.imports import template_workbook


def _require(request, perm: str, obj=None) -> None:
    if not permissions.can(request.user, perm, obj):
        raise PermissionDenied


def shown_id_number(user, record: IntegrityRecord) -> str:
    """The person's ID number in full for the bureau, masked for everyone else."""
    if permissions.can(user, "integrity.view_id_number", record):
        return record.person_id_number
    return mask_id_number(record.person_id_number)


def _export_rows(user, queryset, today):
    for r in queryset.iterator(chunk_size=2000):
        yield (
            r.get_subject_kind_display(),
            r.subject_name,
            r.organisation.uscc if r.organisation_id else shown_id_number(user, r),
            r.get_severity_display(),
            r.decision_number,
            r.decision_date.isoformat(),
            r.issued_by,
            r.restricted_from.isoformat(),
            r.restricted_until.isoformat() if r.restricted_until else _("长期"),
            r.get_activities_display(),
            r.state_on(today).label,
            r.finding,
        )


@login_required
def record_list(request):
    _require(request, "integrity.view_record")
    filterset = IntegrityRecordFilterSet(request.GET, queryset=records.records_for(request.user))
    today = timezone.localdate()
    fmt = request.GET.get("export")
    if fmt in EXPORT_FORMATS and filterset.is_valid():
        headers = [
            _("主体类型"),
            _("失信主体"),
            _("统一社会信用代码或公民身份号码"),
            _("严重程度"),
            _("处理决定文号"),
            _("处理决定日期"),
            _("作出处理决定的单位"),
            _("限制开始日期"),
            _("限制截止日期"),
            _("限制的活动"),
            _("状态"),
            _("认定的失信行为"),
        ]
        rows = _export_rows(request.user, filterset.qs, today)
        return export_response(headers, rows, _("科研失信记录"), fmt, _("科研失信记录"))
    page, query = paginate(request, filterset.qs)
    for record in page:
        record.state = record.state_on(today)
        record.shown_id_number = shown_id_number(request.user, record)
    return render(
        request,
        "integrity/list.html",
        {
            "filterset": filterset,
            "page": page,
            "query": query,
            "can_add": permissions.can(request.user, "integrity.add_record"),
        },
    )


@login_required
def record_detail(request, pk: int):
    _require(request, "integrity.view_record")
    record = records.get_record_for_user(request.user, pk)
    user = request.user
    return render(
        request,
        "integrity/detail.html",
        {
            "record": record,
            "state": record.state_on(timezone.localdate()),
            "id_number": shown_id_number(user, record),
            "can_change": not record.is_revoked
            and permissions.can(user, "integrity.change_record", record),
            "can_revoke": not record.is_revoked
            and permissions.can(user, "integrity.revoke_record", record),
            "revoke_form": RevokeForm(),
        },
    )


def _save(request, record: IntegrityRecord | None):
    form = IntegrityRecordForm(request.POST or None, request.FILES or None, instance=record)
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in form.fields}
        try:
            if record is None:
                record = records.create_record(request.user, data)
                messages.success(request, _("科研失信记录“%s”已登记。") % record)
            else:
                record = records.update_record(request.user, record, data)
                messages.success(request, _("科研失信记录“%s”已保存。") % record)
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        except ServiceError as exc:
            form.add_error(None, exc.message)
        else:
            return redirect("integrity_detail", pk=record.pk)
    return render(request, "integrity/form.html", {"form": form, "record": record})


@login_required
def record_create(request):
    _require(request, "integrity.add_record")
    return _save(request, None)


@login_required
def record_edit(request, pk: int):
    record = records.get_record_for_user(request.user, pk)
    _require(request, "integrity.change_record", record)
    if record.is_revoked:
        messages.error(request, _("该记录已撤销，不能再修改。"))
        return redirect("integrity_detail", pk=record.pk)
    return _save(request, record)


@login_required
@require_POST
def record_revoke(request, pk: int):
    record = records.get_record_for_user(request.user, pk)
    form = RevokeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("撤销时必须填写原因。"))
        return redirect("integrity_detail", pk=record.pk)
    try:
        records.revoke_record(request.user, record, form.cleaned_data["reason"])
        messages.success(request, _("记录已撤销，不再限制相关活动。"))
    except ServiceError as exc:
        messages.error(request, exc.message)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    return redirect("integrity_detail", pk=record.pk)


@login_required
def record_document(request, pk: int):
    """The decision document, served only to those who may read the record (not from /media/)."""
    record = records.get_record_for_user(request.user, pk)
    if not record.decision_document:
        raise Http404
    return FileResponse(
        record.decision_document.open("rb"),
        as_attachment=False,
        filename=f"{record.decision_number}.pdf",
        content_type="application/pdf",
    )


@login_required
def record_import(request):
    _require(request, "integrity.add_record")
    done, job = import_page_job(
        request, "integrity.import", _("导入科研失信记录：%(name)s"), reverse("integrity_import")
    )
    if done is not None:
        return done
    return render(request, "integrity/import.html", {"job": job})


@login_required
def import_template(request):
    _require(request, "integrity.add_record")
    response = HttpResponse(
        template_workbook(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    filename = quote(_("科研失信记录导入模板"))
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{filename}.xlsx"
    return response
