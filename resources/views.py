from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import Count, Prefetch
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core import permissions
from core.exceptions import ServiceError
from core.exports import EXPORT_FORMATS, export_response
from core.masking import mask_contact
from core.models import ChainNode, Region
from core.services.imports import start_import
from core.views import paginate, redirect_next
from resources import permissions as record_permissions
from resources import search
from resources.choices import RecordStatus
from resources.filtersets import filterset_for
from resources.forms import form_for
from resources.models import Subscription
from resources.registry import KINDS, Kind
from resources.services import hooks, records, subscriptions
from resources.services.imports import template_workbook


def _kind(key: str) -> Kind:
    try:
        return KINDS[key]
    except KeyError:
        raise Http404 from None


def _record(request, kind: Kind, pk: int):
    """Fetch a record the user may see; others get a 404, so drafts do not reveal themselves."""
    records = kind.model.objects.select_related("owner", "region")
    if hasattr(kind.model, "chain_nodes"):  # shown with their chains' names
        records = records.prefetch_related(
            Prefetch("chain_nodes", ChainNode.objects.select_related("chain"))
        )
    record = get_object_or_404(records, pk=pk)
    if not permissions.can(request.user, "resources.view_record", record):
        raise Http404
    return record


def _cell(record, name: str) -> str:
    value = getattr(record, f"get_{name}_display", None)
    if value is not None:
        return str(value() or "")
    value = getattr(record, name)
    if name == "asking_price" and value is None:
        return _("面议")
    if isinstance(value, bool):
        return _("是") if value else _("否")
    return "" if value is None else str(value)


class CatalogPaginator(Paginator):
    """Counts through the search cache: a million published records take half a second to
    count, on every page of the catalog."""

    @cached_property
    def count(self) -> int:
        items = self.object_list
        if isinstance(items, search.Listing):
            return len(items)
        if items.query.is_empty():
            return 0
        return search.cached(items.model, f"count:{items.query}", items.count)


FACET_VALUES = 20  # the most frequent values shown per facet


def _facet_counts(queryset, names: tuple[str, ...]) -> dict[str, list[tuple[object, int]]]:
    """For each facet, its most frequent values over the result set, with their counts. On
    PostgreSQL in one pass over the matching rows (GROUPING SETS), elsewhere one per facet."""
    queryset = queryset.order_by()
    if queryset.query.is_empty():
        return {name: [] for name in names}
    return search.cached(
        queryset.model, f"facets:{names}:{queryset.query}", lambda: _count_facets(queryset, names)
    )


def _count_facets(queryset, names: tuple[str, ...]) -> dict[str, list[tuple[object, int]]]:
    if connection.vendor != "postgresql" or len(names) < 2:
        return {
            name: [
                (row[name], row["n"])
                for row in queryset.values(name)
                .annotate(n=Count("id"))
                .order_by("-n", name)[:FACET_VALUES]
            ]
            for name in names
        }
    inner, params = queryset.values_list(*names).query.sql_with_params()
    columns = [f"c{i}" for i in range(len(names))]
    sql = (
        f"SELECT {', '.join(columns)}, GROUPING({', '.join(columns)}), COUNT(*) "
        f"FROM ({inner}) AS matching({', '.join(columns)}) "
        f"GROUP BY GROUPING SETS ({', '.join(f'({c})' for c in columns)})"
    )
    counts: dict[str, list[tuple[object, int]]] = {name: [] for name in names}
    width = len(names)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for *values, grouping, n in cursor.fetchall():
            # GROUPING() has a 1 bit for each column not grouped in this row's set.
            position = next(i for i in range(width) if not grouping & (1 << (width - 1 - i)))
            counts[names[position]].append((values[position], n))
    return {
        name: sorted(pairs, key=lambda pair: (-pair[1], pair[0] is None, pair[0]))[:FACET_VALUES]
        for name, pairs in counts.items()
    }


def _facets(queryset, kind: Kind) -> list[dict]:
    """Counts per value of the main facets, over the current result set."""
    out = []
    counted = _facet_counts(queryset, kind.facet_fields)
    for name in kind.facet_fields:
        f = kind.model._meta.get_field(name)
        rows = counted[name]
        if f.is_relation:
            regions = {
                pk: (code, label)
                for pk, code, label in Region.objects.filter(
                    pk__in=[value for value, _n in rows]
                ).values_list("pk", "code", "name")
            }
            values = [(*regions.get(value, (None, "—")), n) for value, n in rows]
        else:
            labels = dict(f.flatchoices)
            values = [(value, labels.get(value, value), n) for value, n in rows]
        out.append({"name": name, "label": f.verbose_name, "values": values})
    return out


def catalog(request, kind):
    kind = _kind(kind)
    base = kind.model.objects.filter(status=RecordStatus.PUBLISHED).select_related(
        "owner", "region"
    )
    filterset = filterset_for(kind)(request.GET or None, queryset=base)
    valid = not filterset.is_bound or filterset.is_valid()
    fmt = request.GET.get("export")
    if fmt in EXPORT_FORMATS:  # every match, not only the listed ones
        queryset = filterset.qs if valid else base.none()
        fields = ["title", *kind.columns]
        headers = [str(kind.model._meta.get_field(n).verbose_name) for n in fields]
        rows = ([_cell(r, n) for n in fields] for r in queryset.iterator(chunk_size=2000))
        return export_response(headers, rows, str(kind.label), fmt, str(kind.label))
    listed = filterset.listing() if valid else base.none()
    page, query = paginate(request, listed, paginator_class=CatalogPaginator)
    context = {
        "kind": kind,
        "kinds": KINDS.values(),
        "filterset": filterset,
        "page": page,
        "query": query,
        "truncated": getattr(listed, "truncated", False),
        "max_listed": f"{search.MAX_LISTED:,}",
        "facets": (
            _facets(listed.queryset() if isinstance(listed, search.Listing) else listed, kind)
            if page.paginator.count
            else []
        ),
        "can_add": permissions.can(request.user, "resources.add_record"),
        "columns": [(n, kind.model._meta.get_field(n).verbose_name) for n in kind.columns],
    }
    return render(request, "resources/catalog.html", context)


def record_detail(request, kind, pk):
    kind = _kind(kind)
    record = _record(request, kind, pk)
    see_contact = permissions.can(request.user, "resources.view_contact", record)
    fields = []
    for f in records.editable_fields(kind.model):
        if f.name == "user":
            continue
        if f.many_to_many:
            value = "、".join(str(o) for o in getattr(record, f.name).all())
        elif f.name in ("works", "relations"):
            if f.name == "relations" and not see_contact:
                continue
            value = getattr(record, f.name)
        else:
            value = _cell(record, f.name)
            if f.name in kind.contact_fields and not see_contact:
                value = mask_contact(f.name, value)
        fields.append((f.name, f.verbose_name, value))
    user = request.user
    pending = records.pending_version(record) if record.status == RecordStatus.PUBLISHED else None
    may_change = permissions.can(user, "resources.change_record", record)
    may_review = permissions.can(user, "resources.review_record", record)
    context = {
        "kind": kind,
        "record": record,
        "fields": fields,
        # A proposed edit is shown to its owners and reviewers only; the public sees the live row.
        "pending": pending if (may_change or may_review) else None,
        "can_edit": may_change
        and record.status in (RecordStatus.DRAFT, RecordStatus.RETURNED, RecordStatus.PUBLISHED),
        "can_submit": may_change and record.status in (RecordStatus.DRAFT, RecordStatus.RETURNED),
        "can_review": may_review
        and (record.status == RecordStatus.SUBMITTED or pending is not None),
        "panels": hooks.panels_for(kind.key, record)
        if record.status == RecordStatus.PUBLISHED
        else [],
        "can_archive": permissions.can(user, "resources.archive_record", record)
        and record.status == RecordStatus.PUBLISHED,
    }
    return render(request, "resources/detail.html", context)


def _save(request, kind: Kind, record=None):
    form_class = form_for(kind.model)
    form = form_class(request.POST or None, instance=record)
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in form.fields}
        try:
            if record is None:
                saved = records.create_record(request.user, kind.model, data)
                messages.success(request, _("已保存为草稿。确认无误后请提交审核。"))
            else:
                saved = records.update_record(request.user, record, data)
                if saved is not record and getattr(saved, "number", None):
                    messages.success(
                        request,
                        _("修改已提交审核（第%(n)d版），审核通过前公众仍看到当前版本。")
                        % {"n": saved.number},
                    )
                    saved = record
                else:
                    messages.success(request, _("已保存。"))
        except ValidationError as exc:
            for field, errs in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errs)
        except ServiceError as exc:
            form.add_error(None, exc.message)
        else:
            return redirect("resource_detail", kind=kind.key, pk=saved.pk)
    return render(request, "resources/form.html", {"kind": kind, "form": form, "record": record})


@login_required
def record_create(request, kind):
    kind = _kind(kind)
    if not permissions.can(request.user, "resources.add_record"):
        raise PermissionDenied
    return _save(request, kind)


@login_required
def record_edit(request, kind, pk):
    kind = _kind(kind)
    record = _record(request, kind, pk)
    if not permissions.can(request.user, "resources.change_record", record):
        raise PermissionDenied
    if record.status == RecordStatus.PUBLISHED:
        pending = records.pending_version(record)
        if pending is not None and request.method != "POST":
            # Continue editing the proposal rather than the public version.
            instance = kind.model.objects.get(pk=record.pk)
            form = form_for(kind.model)(initial=pending.data, instance=instance)
            return render(
                request,
                "resources/form.html",
                {"kind": kind, "form": form, "record": record, "pending": pending},
            )
    return _save(request, kind, record)


@login_required
@require_POST
def record_action(request, kind, pk, action):
    kind = _kind(kind)
    record = _record(request, kind, pk)
    reason = request.POST.get("reason", "")
    actions = {
        "submit": (records.submit_record, _("已提交审核。")),
        "approve": (records.approve_record, _("已审核通过并发布。")),
        "return": (lambda u, r: records.return_record(u, r, reason), _("已退回。")),
        "archive": (lambda u, r: records.archive_record(u, r, reason), _("已归档。")),
    }
    if action not in actions:
        raise Http404
    func, done = actions[action]
    try:
        func(request.user, record)
        messages.success(request, done)
    except ServiceError as exc:
        messages.error(request, exc.message)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    return redirect_next(request, reverse("resource_detail", args=[kind.key, record.pk]))


def record_history(request, kind, pk):
    kind = _kind(kind)
    record = _record(request, kind, pk)
    if not permissions.can(request.user, "resources.view_record_history", record):
        raise Http404
    versions = records.history(record)
    if not (
        permissions.can(request.user, "resources.change_record", record)
        or permissions.can(request.user, "resources.review_record", record)
    ):
        versions = [v for v in versions if v["version"].status == "approved"]
    return render(
        request, "resources/history.html", {"kind": kind, "record": record, "versions": versions}
    )


@login_required
def review_queue(request):
    if not permissions.can(request.user, "resources.review_record"):
        raise PermissionDenied
    from django.contrib.contenttypes.models import ContentType

    from resources.models import RecordVersion

    if request.method == "POST":
        action = request.POST.get("action")
        picked = request.POST.getlist("pick")
        if action not in ("approve", "return") or not picked:
            messages.error(request, _("请选择记录和操作。"))
        elif action == "return" and not request.POST.get("reason", "").strip():
            messages.error(request, _("批量退回时必须填写原因。"))
        else:
            chosen = []
            for item in picked:
                key, _sep, pk = item.partition(":")
                if key in KINDS and pk.isdigit():
                    chosen.extend(
                        record_permissions.review_scope(
                            KINDS[key].model.objects.filter(pk=int(pk)), request.user
                        )
                    )
            done, errors = records.bulk_review(
                request.user, chosen, action, request.POST.get("reason", "")
            )
            if done:
                messages.success(request, _("已处理 %(n)d 条。") % {"n": done})
            for e in errors:
                messages.error(request, e)
        return redirect("resource_review")

    groups = []
    for kind in KINDS.values():
        scoped = record_permissions.review_scope(
            kind.model.objects.select_related("owner", "region"), request.user
        )
        submitted = list(
            scoped.filter(status=RecordStatus.SUBMITTED).order_by("submitted_at")[:200]
        )
        ct = ContentType.objects.get_for_model(kind.model)
        pending_ids = RecordVersion.objects.filter(content_type=ct, status="pending").values_list(
            "object_id", flat=True
        )
        edited = list(
            scoped.filter(status=RecordStatus.PUBLISHED, pk__in=list(pending_ids)).order_by(
                "updated_at"
            )[:200]
        )
        if submitted or edited:
            groups.append({"kind": kind, "submitted": submitted, "edited": edited})
    return render(request, "resources/review.html", {"groups": groups})


@login_required
def my_records(request):
    m = request.user.current_membership
    if m is None:
        return render(request, "resources/mine.html", {"groups": [], "no_org": True})
    status = request.GET.get("status") or ""
    groups = []
    for kind in KINDS.values():
        qs = kind.model.objects.filter(owner_id=m.organisation_id)
        if status in RecordStatus.values:
            qs = qs.filter(status=status)
        rows = list(qs.order_by("-updated_at")[:100])
        if rows:
            groups.append({"kind": kind, "rows": rows})
    return render(
        request,
        "resources/mine.html",
        {"groups": groups, "statuses": RecordStatus.choices, "status": status},
    )


@login_required
def record_import(request, kind):
    kind = _kind(kind)
    if not permissions.can(request.user, "resources.add_record"):
        raise PermissionDenied
    if request.method == "POST":
        upload = request.FILES.get("file")
        try:
            job = start_import(
                request.user,
                "resources.import",
                _("导入%(kind)s：%(name)s")
                % {"kind": kind.label, "name": upload.name if upload else ""},
                upload,
                {"kind": kind.key, "submit": bool(request.POST.get("submit"))},
            )
        except ServiceError as exc:
            messages.error(request, exc.message)
        else:
            return redirect("job_detail", pk=job.pk)
    return render(request, "resources/import.html", {"kind": kind})


def import_template(request, kind):
    kind = _kind(kind)
    response = HttpResponse(
        template_workbook(kind),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    from urllib.parse import quote

    response["Content-Disposition"] = (
        f"attachment; filename*=UTF-8''{quote(str(kind.label) + '导入模板')}.xlsx"
    )
    return response


@login_required
@require_POST
def subscribe(request, kind):
    kind = _kind(kind)
    try:
        sub = subscriptions.subscribe(
            request.user, kind.key, request.POST.get("name", ""), request.POST.get("query", "")
        )
        messages.success(
            request, _("已订阅“%(name)s”，有新发布的匹配记录时会通知您。") % {"name": sub.name}
        )
    except ServiceError as exc:
        messages.error(request, exc.message)
    return redirect(
        f"{reverse('resource_catalog', args=[kind.key])}?{request.POST.get('query', '')}"
    )


@login_required
def subscription_list(request):
    if request.method == "POST":
        # Only the user's own subscriptions: any other number is "not found", never a success.
        pk = request.POST.get("delete", "")
        deleted = 0
        if pk.isdigit():
            deleted, _rows = Subscription.objects.filter(user=request.user, pk=int(pk)).delete()
        if deleted:
            messages.success(request, _("已取消订阅。"))
        else:
            messages.error(request, _("未找到该订阅。"))
        return redirect("subscription_list")
    subs = [(s, KINDS.get(s.kind)) for s in request.user.subscriptions.all()]
    return render(request, "resources/subscriptions.html", {"subs": subs})
