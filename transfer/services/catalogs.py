"""优秀科技成果目录: the bureau compiles a periodic catalog from achievements selected in screening,
orders it, and publishes it. Publishing freezes it: each entry keeps a snapshot of what the
catalog says about the achievement, and the PDF and Excel versions are drawn once and stored.
Later edits to an achievement never change a published catalog.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Count, Max, QuerySet
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font

from core import permissions
from core.choices import AuditAction
from core.exceptions import InvalidTransition, NotFound, ServiceError
from core.exports import safe_cell
from core.services import audit
from programs.services.pdf import render_pdf
from resources.choices import RecordStatus
from transfer.choices import CatalogStatus, Grade, ScreeningDecision
from transfer.models import Catalog, CatalogEntry, Screening
from transfer.services import trl

MODES = (
    ("allows_assignment", gettext_lazy("转让")),
    ("allows_license", gettext_lazy("许可")),
    ("allows_equity", gettext_lazy("作价入股")),
    ("allows_cooperation", gettext_lazy("合作开发")),
)


def require_manage(actor) -> None:
    permissions.require(
        actor, "transfer.manage_catalogs", message=_("只有市科技局可以编制成果目录。")
    )


def may_manage(user) -> bool:
    return permissions.can(user, "transfer.manage_catalogs")


# -- reading ---------------------------------------------------------------------------------------
def published_catalogs() -> QuerySet[Catalog]:
    return (
        Catalog.objects.filter(status=CatalogStatus.PUBLISHED)
        .annotate(entry_count=Count("entries"))
        .order_by("-published_at", "-pk")
    )


def catalogs_for(user) -> QuerySet[Catalog]:
    """Published catalogs for everyone; the bureau also sees the drafts."""
    if may_manage(user):
        return Catalog.objects.annotate(entry_count=Count("entries")).order_by(
            "status", "-published_at", "-created_at", "-pk"
        )
    return published_catalogs()


def get_catalog(user, pk: int) -> Catalog:
    """A published catalog for anyone; a draft only for the bureau (for others it does not
    exist: drafts are not public)."""
    catalog = Catalog.objects.filter(pk=pk).first()
    if catalog is None or (catalog.status != CatalogStatus.PUBLISHED and not may_manage(user)):
        raise NotFound(_("成果目录不存在。"))
    return catalog


def entries_of(catalog: Catalog) -> QuerySet[CatalogEntry]:
    return (
        catalog.entries.select_related(
            "achievement__owner",
            "achievement__region",
            "achievement__hightech_field",
            "screening",
        )
        .prefetch_related("achievement__trl_assessments")
        .order_by("position", "pk")
    )


def candidates(catalog: Catalog, *, round: str = "", q: str = "") -> QuerySet[Screening]:
    """Screenings with the decision 入选 whose achievement is published and not yet listed here,
    best first."""
    found = (
        Screening.objects.filter(
            decision=ScreeningDecision.SELECTED, achievement__status=RecordStatus.PUBLISHED
        )
        .exclude(achievement__in=catalog.entries.values("achievement"))
        .select_related("achievement__owner", "achievement__hightech_field")
        .order_by("-score", "-decided_at", "-pk")
    )
    if round:
        found = found.filter(round=round)
    if q:
        found = found.filter(achievement__title__icontains=q)
    return found


def rounds() -> list[str]:
    """The screening rounds that selected anything, newest first."""
    return list(
        Screening.objects.filter(decision=ScreeningDecision.SELECTED)
        .values_list("round", flat=True)
        .distinct()
        .order_by("-round")
    )


# -- what an entry says ----------------------------------------------------------------------------
def snapshot_of(entry: CatalogEntry) -> dict[str, Any]:
    """What the catalog says about one entry, from the achievement and its screening now."""
    a, s = entry.achievement, entry.screening
    field = a.hightech_field
    trl_now = trl.trl_status(a)
    price = a.asking_price
    return {
        "achievement_id": a.pk,
        "title": a.title,
        "owner": a.owner.name,
        "region": a.region.name,
        "field": field.name if field else _("其他"),
        "field_code": field.code if field else "",
        "field_order": field.sort_order if field else 9999,
        "trl": trl_now.level,
        "trl_basis": str(trl_now.source_label),
        "grade": s.grade,
        "grade_label": str(Grade(s.grade).label) if s.grade in Grade.values else "",
        "score": f"{s.score:.2f}" if s.score is not None else "",
        "round": s.round,
        "summary": a.summary,
        "contact_name": a.contact_name,
        "contact_phone": a.contact_phone,
        "modes": [str(label) for name, label in MODES if getattr(a, name)],
        "asking_price": f"{price:.2f}" if price is not None else None,
    }


def entry_views(catalog: Catalog) -> list[dict[str, Any]]:
    """Every entry as the catalog shows it: the frozen snapshot once published, the live record
    while the catalog is being compiled. Ordered by field, then position; `number` is the 序号."""
    frozen = catalog.status == CatalogStatus.PUBLISHED
    entries = catalog.entries.order_by("position", "pk") if frozen else entries_of(catalog)
    rows = []
    for entry in entries:
        data = entry.snapshot if frozen else snapshot_of(entry)
        rows.append(
            {
                **data,
                "entry": entry,
                "position": entry.position,
                "price_text": price_text(data["asking_price"]),
            }
        )
    rows.sort(key=lambda r: (r["field_order"], r["field_code"], r["position"]))
    for n, row in enumerate(rows, 1):
        row["number"] = n
    return rows


def grouped(rows: Iterable[dict[str, Any]]) -> list[tuple[str, list[dict[str, Any]]]]:
    """The rows grouped by 技术领域, in the order the rows come in."""
    groups: list[tuple[str, list[dict[str, Any]]]] = []
    for row in rows:
        if not groups or groups[-1][0] != row["field"]:
            groups.append((row["field"], []))
        groups[-1][1].append(row)
    return groups


# -- compiling -------------------------------------------------------------------------------------
def _locked_draft(catalog: Catalog) -> Catalog:
    locked = Catalog.objects.select_for_update().get(pk=catalog.pk)
    if locked.status != CatalogStatus.DRAFT:
        raise InvalidTransition(_("目录已发布，不能再修改。"))
    return locked


@transaction.atomic
def create_catalog(actor, data: dict[str, Any]) -> Catalog:
    require_manage(actor)
    catalog = Catalog(
        title=data.get("title", "").strip(),
        period=data.get("period", "").strip(),
        introduction=data.get("introduction", "").strip(),
        created_by=actor,
    )
    catalog.full_clean()
    catalog.save()
    audit.record_create(actor, catalog)
    return catalog


@transaction.atomic
def update_catalog(actor, catalog: Catalog, data: dict[str, Any]) -> Catalog:
    require_manage(actor)
    catalog = _locked_draft(catalog)
    before = audit.snapshot(catalog)
    for name in ("title", "period", "introduction"):
        if name in data:
            setattr(catalog, name, (data[name] or "").strip())
    catalog.full_clean()
    catalog.save()
    audit.record_update(actor, catalog, before)
    return catalog


@transaction.atomic
def add_entry(actor, catalog: Catalog, screening: Screening) -> CatalogEntry:
    require_manage(actor)
    catalog = _locked_draft(catalog)
    screening = Screening.objects.select_related("achievement").get(pk=screening.pk)
    achievement = screening.achievement
    if screening.decision != ScreeningDecision.SELECTED:
        raise ServiceError(
            _("“%(t)s”在%(r)s筛选评价中未入选，不能列入目录。")
            % {"t": achievement.title, "r": screening.round}
        )
    if achievement.status != RecordStatus.PUBLISHED:
        raise ServiceError(_("“%(t)s”目前不在发布状态，不能列入目录。") % {"t": achievement.title})
    if catalog.entries.filter(achievement=achievement).exists():
        raise ServiceError(_("“%(t)s”已在本目录中。") % {"t": achievement.title})
    last = catalog.entries.aggregate(m=Max("position"))["m"] or 0
    entry = CatalogEntry.objects.create(
        catalog=catalog, achievement=achievement, screening=screening, position=last + 1
    )
    audit.record_create(actor, entry, note=_("列入目录“%(c)s”") % {"c": catalog.title})
    return entry


def _entry(catalog: Catalog, entry_id: int) -> CatalogEntry:
    entry = catalog.entries.select_related("achievement").filter(pk=entry_id).first()
    if entry is None:
        raise NotFound(_("目录中没有这一条。"))
    return entry


@transaction.atomic
def remove_entry(actor, catalog: Catalog, entry_id: int) -> None:
    require_manage(actor)
    catalog = _locked_draft(catalog)
    entry = _entry(catalog, entry_id)
    audit.record_delete(
        actor,
        entry,
        audit.snapshot(entry),
        object_repr=entry.achievement.title,
        note=_("移出目录“%(c)s”") % {"c": catalog.title},
    )
    entry.delete()
    _renumber(list(catalog.entries.order_by("position", "pk")))


def _renumber(entries: Sequence[CatalogEntry]) -> None:
    for n, entry in enumerate(entries, 1):
        if entry.position != n:
            entry.position = n
            entry.save(update_fields=["position"])


@transaction.atomic
def reorder(actor, catalog: Catalog, entry_ids: Sequence[int]) -> None:
    """Put the entries in the given order (every entry of the catalog, each once)."""
    require_manage(actor)
    catalog = _locked_draft(catalog)
    entries = {e.pk: e for e in catalog.entries.all()}
    ids = [int(i) for i in entry_ids]
    if sorted(ids) != sorted(entries):
        raise ServiceError(_("排序须列出目录中的每一条成果，且每条只列一次。"))
    before = [e.pk for e in sorted(entries.values(), key=lambda e: e.position)]
    _renumber([entries[i] for i in ids])
    if before != ids:
        audit.record(
            actor,
            AuditAction.UPDATE,
            catalog,
            {"entries": [before, ids]},
            note=_("调整目录顺序"),
        )


@transaction.atomic
def move_entry(actor, catalog: Catalog, entry_id: int, offset: int) -> None:
    """Move one entry up (−1) or down (+1) among the entries of its own 技术领域, which is the
    order the catalog shows; at either end nothing changes."""
    require_manage(actor)
    catalog = _locked_draft(catalog)
    rows = entry_views(catalog)
    index = next((i for i, r in enumerate(rows) if r["entry"].pk == entry_id), None)
    if index is None:
        raise NotFound(_("目录中没有这一条。"))
    other = index + offset
    if not 0 <= other < len(rows) or rows[other]["field"] != rows[index]["field"]:
        return
    rows[index], rows[other] = rows[other], rows[index]
    reorder(actor, catalog, [r["entry"].pk for r in rows])


# -- publishing ------------------------------------------------------------------------------------
def introduction_paragraphs(catalog: Catalog, rows: list[dict[str, Any]]) -> list[str]:
    """编制说明: the bureau's own text, then how the catalog was compiled."""
    paragraphs = [p.strip() for p in catalog.introduction.splitlines() if p.strip()]
    fields = len({r["field"] for r in rows})
    rounds = "、".join(sorted({r["round"] for r in rows}))
    paragraphs += [
        _(
            "本目录收录经科技成果筛选评价入选的科技成果 %(n)d 项，涉及 %(f)d 个技术领域，按《国家重点支持的高新技术领域》分类编排（筛选批次：%(r)s）。"
        )
        % {"n": len(rows), "f": fields, "r": rounds},
        _(
            "评价等级和综合得分来自平台组织的专家筛选评价。技术就绪水平经专家确认的取确认等级，否则为成果完成单位的自评等级或成果登记时填报的等级，表中注明依据。"
        ),
        _(
            "意向价格和合作方式为成果所属单位在成果登记时提供、经审核发布的信息，联系方式同此；具体交易条件以双方协商为准。"
        ),
        _("本目录内容以发布时为准，成果信息此后的变更不影响本目录。"),
    ]
    return paragraphs


def _modes(row: dict[str, Any]) -> str:
    return "、".join(row["modes"]) or _("面议")


def price_text(asking_price: str | None) -> str:
    """ "1500.00" → "1,500万元"; no price → 面议."""
    if asking_price is None:
        return _("面议")
    return _("%(p)s万元") % {"p": f"{Decimal(asking_price).normalize():,f}"}


def catalog_pdf(catalog: Catalog, rows: list[dict[str, Any]]) -> bytes:
    html = render_to_string(
        "transfer/catalog_pdf.html",
        {
            "catalog": catalog,
            "groups": grouped(rows),
            "count": len(rows),
            "paragraphs": introduction_paragraphs(catalog, rows),
            "published": timezone.localtime(catalog.published_at or timezone.now()),
        },
    )
    return render_pdf(html)


XLSX_HEADERS = (
    gettext_lazy("序号"),
    gettext_lazy("技术领域"),
    gettext_lazy("成果名称"),
    gettext_lazy("所属单位"),
    gettext_lazy("所在区域"),
    gettext_lazy("技术就绪水平"),
    gettext_lazy("技术就绪水平依据"),
    gettext_lazy("评价等级"),
    gettext_lazy("综合得分"),
    gettext_lazy("筛选批次"),
    gettext_lazy("成果简介"),
    gettext_lazy("合作方式"),
    gettext_lazy("意向价格（万元）"),
    gettext_lazy("联系人"),
    gettext_lazy("联系电话"),
)


def catalog_xlsx(catalog: Catalog, rows: list[dict[str, Any]]) -> bytes:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(_("成果目录"))
    ws.freeze_panes = "A2"
    for n, width in enumerate((6, 14, 36, 28, 16, 12, 16, 14, 10, 14, 60, 20, 16, 10, 16)):
        ws.column_dimensions[chr(ord("A") + n)].width = width
    bold = Font(bold=True)
    header = []
    for text in XLSX_HEADERS:
        cell = WriteOnlyCell(ws, value=str(text))
        cell.font = bold
        header.append(cell)
    ws.append(header)
    wrap = Alignment(wrap_text=True, vertical="top")
    for row in rows:
        values = [
            row["number"],
            row["field"],
            row["title"],
            row["owner"],
            row["region"],
            row["trl"],
            row["trl_basis"],
            row["grade_label"] or row["grade"],
            Decimal(row["score"]) if row["score"] else "",
            row["round"],
            row["summary"],
            _modes(row),
            Decimal(row["asking_price"]) if row["asking_price"] is not None else _("面议"),
            row["contact_name"],
            row["contact_phone"],
        ]
        cells = [safe_cell(ws, v) for v in values]
        cells[10].alignment = wrap
        ws.append(cells)
    about = wb.create_sheet(_("编制说明"))
    about.column_dimensions["A"].width = 100
    for text in [catalog.title, catalog.period, "", *introduction_paragraphs(catalog, rows)]:
        cell = safe_cell(about, text)
        cell.alignment = wrap
        about.append([cell])
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def publish(actor, catalog: Catalog) -> Catalog:
    """Freeze the catalog: snapshot every entry in the order shown (which becomes its 序号),
    draw the PDF and the Excel file, and publish. An empty catalog cannot be published."""
    require_manage(actor)
    with transaction.atomic():
        catalog = _locked_draft(catalog)
        rows = entry_views(catalog)
        if not rows:
            raise ServiceError(_("目录中还没有成果，不能发布。"))
        gone = [r["title"] for r in rows if not r["entry"].achievement.is_published]
        if gone:
            raise ServiceError(
                _("以下成果已不在发布状态，请先移出目录：%(t)s") % {"t": "、".join(gone)}
            )
        before = audit.snapshot(catalog)
        frozen = []
        for n, row in enumerate(rows, 1):
            entry = row["entry"]
            entry.position = n
            entry.snapshot = {
                k: v
                for k, v in row.items()
                if k not in ("entry", "position", "number", "price_text")
            }
            entry.save(update_fields=["position", "snapshot"])
            frozen.append({**entry.snapshot, "number": n, "price_text": row["price_text"]})
        catalog.status = CatalogStatus.PUBLISHED
        catalog.published_by = actor
        catalog.published_at = timezone.now()
        catalog.pdf.save(
            f"catalog-{catalog.pk}.pdf", ContentFile(catalog_pdf(catalog, frozen)), save=False
        )
        catalog.xlsx.save(
            f"catalog-{catalog.pk}.xlsx", ContentFile(catalog_xlsx(catalog, frozen)), save=False
        )
        catalog.save()
        audit.record_update(
            actor, catalog, before, note=_("发布目录，共%(n)d项") % {"n": len(rows)}
        )
    return catalog
