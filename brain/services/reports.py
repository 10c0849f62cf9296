"""Monthly and quarterly 通报 (reports): generated as a background job ("brain.report") or by
`manage.py brain_report`, then frozen.

A report gathers four sections for its period — the targets overview with its warnings, the
district innovation index of the period's year (or why it cannot be computed), the transfer
funnel and the registered contracts within the period, and the key figures of the indicators
for the period — and writes them once as a PDF (static SVG charts, WeasyPrint) and an Excel
workbook (one sheet per section). The data version (newest value row, the index's tag, counts)
is stored on the row and printed on the cover. Generating a period again makes the next
version; earlier versions are never changed.
"""

from __future__ import annotations

import datetime
import io
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from brain.choices import Frequency, Method
from brain.models import Indicator, IndicatorValue, Report
from brain.services import computed, svg, targets, values
from brain.services import district_index as index_svc
from brain.services.periods import Period, PeriodError, containing, parse
from core import permissions
from core.exceptions import NotAllowed, ServiceError
from core.services.jobs import Progress, job_handler, start_job

KINDS = {Report.Kind.MONTH: Frequency.MONTH, Report.Kind.QUARTER: Frequency.QUARTER}
STEPS = 6


# -- periods and access ------------------------------------------------------------------------


def parse_period(kind: str, text: str) -> Period:
    if kind not in KINDS:
        raise ServiceError(_("未知的通报类型“%(k)s”。") % {"k": kind})
    try:
        period = parse(text, KINDS[kind])
    except PeriodError as exc:
        raise ServiceError(str(exc)) from None
    if period.end >= timezone.localdate():
        raise ServiceError(_("%(p)s 尚未结束，只能生成已结束期别的通报。") % {"p": period.text})
    return period


def last_finished(kind: str, today: datetime.date | None = None) -> Period:
    today = today or timezone.localdate()
    current = containing(today, KINDS[kind])
    return containing(current.start - datetime.timedelta(days=1), KINDS[kind])


def title_for(kind: str, period: Period) -> str:
    if kind == Report.Kind.QUARTER:
        q = (period.start.month + 2) // 3
        return _("长春市科技创新监测%(y)d年第%(q)d季度通报") % {"y": period.year, "q": q}
    return _("长春市科技创新监测%(y)d年%(m)d月通报") % {"y": period.year, "m": period.start.month}


def require_view(user) -> None:
    if not permissions.can(user, "brain.view"):
        raise NotAllowed(_("只有市科技局、领导和区县管理员可以查看通报。"))


def require_manage(user) -> None:
    if not permissions.can(user, "brain.manage_catalog"):
        raise NotAllowed(_("只有市科技局可以生成通报。"))


def visible_reports(user):
    require_view(user)
    return Report.objects.select_related("created_by", "job")


def _new_row(kind: str, period: Period, actor) -> Report:
    with transaction.atomic():
        top = Report.objects.filter(kind=kind, period=period.text).aggregate(v=Max("version"))["v"]
        return Report.objects.create(
            kind=kind,
            period=period.text,
            version=(top or 0) + 1,
            title=title_for(kind, period),
            created_by=actor,
        )


def request_report(actor, kind: str, period_text: str) -> Report:
    """Queue a report (the next version of the period) as a background job."""
    require_manage(actor)
    period = parse_period(kind, period_text)
    report = _new_row(kind, period, actor)
    job = start_job(actor, "brain.report", report.title, {"report_id": report.pk})
    Report.objects.filter(pk=report.pk).update(job=job)
    report.job = job
    return report


# Regenerating writes the same report row again, so a job a dead worker left may simply rerun.
@job_handler("brain.report", permission="brain.manage_catalog", rerun=True)
def report_job(params: dict[str, Any], progress: Progress) -> dict[str, Any]:
    report = Report.objects.get(pk=params["report_id"])
    generate(report, progress)
    progress.advance(0, _("通报已生成：%(t)s") % {"t": report.title})
    return {"report_id": report.pk, "data_version": report.data_version}


def generate_now(kind: str, period_text: str, actor, progress: Progress) -> Report:
    """The command-line twin: make the next version of the period's report right away."""
    period = parse_period(kind, period_text)
    report = _new_row(kind, period, actor)
    generate(report, progress)
    return report


def due(actor, progress: Progress, today: datetime.date | None = None) -> list[Report]:
    """The reports of the last finished month and quarter, where no ready one exists."""
    made = []
    for kind in (Report.Kind.MONTH, Report.Kind.QUARTER):
        period = last_finished(kind, today)
        if Report.objects.filter(
            kind=kind, period=period.text, status=Report.Status.READY
        ).exists():
            continue
        made.append(generate_now(kind, period.text, actor, progress))
    return made


# -- gathering ---------------------------------------------------------------------------------


def _f(value) -> float | None:
    return None if value is None else float(value)


def _targets_section() -> dict[str, Any]:
    rows = [targets.target_row(i) for i in Indicator.objects.filter(active=True)]
    rows.sort(key=lambda r: (r.urgency, r.indicator.sort_order))
    items = []
    for r in rows:
        p, i = r.progress, r.indicator
        items.append(
            {
                "code": i.code,
                "name": i.name,
                "unit": i.unit,
                "year": p.year if p else None,
                "actual": values.display(i, p.actual) if p else "—",
                "actual_num": _f(round(p.actual, i.decimals)) if p else None,
                "target": values.display(i, i.target_value) if i.target_value is not None else "—",
                "target_num": _f(i.target_value),
                "target_year": i.target_year,
                "percent": _f(round(p.percent, 1)) if p and p.percent is not None else None,
                "elapsed": _f(round(p.elapsed, 1)) if p and p.elapsed is not None else None,
                "status": r.status,
                "status_label": r.status_label,
                "behind": bool(p and p.behind),
            }
        )
    chart_rows = [t for t in items if t["percent"] is not None]
    chart = svg.progress_chart(
        [
            (
                t["name"],
                t["percent"],
                t["elapsed"],
                t["status"],
                f"{t['percent']:.1f}% · {t['status_label']}",
            )
            for t in chart_rows
        ]
    )
    return {
        "rows": items,
        "counts": targets.counts(rows),
        "warnings": [t for t in items if t["behind"]],
        "chart": chart,
    }


def _index_section(year: int) -> tuple[dict[str, Any], dict[str, Any]]:
    try:
        index = index_svc.compute_district_index(year)
    except Exception as exc:  # a bad definition file or year: say why, keep the report
        return {"year": year, "rows": [], "reason": str(exc), "chart": ""}, {}
    reasons = index_svc.skip_reasons()
    if index.empty:
        skipped = "；".join(f"{i.name}（{reasons.get(i.status, i.status)}）" for i in index.skipped)
        reason = _("%(y)d 年度的指标数据不足，无法计算科技创新指数。") % {"y": year}
        if skipped:
            reason += _("未参与计算的指标：%(s)s。") % {"s": skipped}
        return {"year": year, "rows": [], "reason": reason, "chart": ""}, index.version.as_dict()
    rows = [
        {
            "rank": r["rank"],
            "name": r["name"],
            "code": r["code"],
            "score": _f(r["score"]),
            "best": r["best"],
            "worst": r["worst"],
            "range": (
                "—"
                if r["best"] is None
                else (str(r["best"]) if r["best"] == r["worst"] else f"{r['best']}–{r['worst']}")
            ),
            "excluded": r["excluded"],
        }
        for r in index_svc.ranking(index)
    ]
    ranked = [r for r in rows if r["rank"]]
    chart = svg.bar_chart(
        [(f"{r['rank']}. {r['name']}", r["score"] or 0, f"{r['score']:.2f}") for r in ranked]
    )
    skipped = [f"{i.name}（{reasons.get(i.status, i.status)}）" for i in index.skipped]
    return (
        {
            "year": year,
            "name": index.definition.name,
            "rows": rows,
            "reason": "",
            "chart": chart,
            "skipped": skipped,
            "ranked": index.ranked_count,
        },
        index.version.as_dict(),
    )


def _transfer_section(period: Period) -> dict[str, Any]:
    from transfer.services.statistics import (
        STAGES,
        contract_statistics,
        dimension_labels,
        stage_labels,
        transfer_funnel,
    )

    funnel = transfer_funnel(by="district", date_from=period.start, date_to=period.end)
    labels = stage_labels()
    stages = [{"key": s, "label": labels[s], "count": funnel["totals"][s]} for s in STAGES]
    stats = contract_statistics(date_from=period.start, date_to=period.end)
    dims = dimension_labels()
    groups = [
        {
            "label": dims[key],
            "rows": [
                {
                    "label": g["label"],
                    "count": g["count"],
                    "total_amount": _f(g["total_amount"]),
                    "tech_amount": _f(g["tech_amount"]),
                }
                for g in rows
            ],
        }
        for key, rows in stats["groups"].items()
        if key in ("kind", "district")
    ]
    top = max((s["count"] for s in stages), default=0)
    chart = svg.bar_chart(
        [(s["label"], s["count"], str(s["count"])) for s in stages],
        maximum=top or 1,
    )
    return {
        "stages": stages,
        "registered_amount": _f(funnel["totals"]["registered_amount"]),
        "districts": [
            {"name": r["name"], **{s: r[s] for s in STAGES}, "amount": _f(r["registered_amount"])}
            for r in funnel["rows"]
        ],
        "stage_labels": [labels[s] for s in STAGES],
        "stage_keys": list(STAGES),
        "contracts": {
            "count": stats["totals"]["count"],
            "total_amount": _f(stats["totals"]["total_amount"]),
            "tech_amount": _f(stats["totals"]["tech_amount"]),
        },
        "groups": groups,
        "chart": chart,
    }


def _sub_periods(frequency: str, period: Period) -> list[Period]:
    """The periods of an indicator of `frequency` that make up the report's period."""
    if frequency == period.frequency:
        return [period]
    if frequency == Frequency.MONTH and period.frequency == Frequency.QUARTER:
        return [
            parse(f"{period.year}-{m:02d}", Frequency.MONTH)
            for m in range(period.start.month, period.end.month + 1)
        ]
    return []


def _figures_section(period: Period) -> dict[str, Any]:
    city = values.city_region()
    rows = []
    for indicator in Indicator.objects.filter(active=True):
        parts = _sub_periods(indicator.frequency, period)
        if not parts:
            continue
        total, found, sources = Decimal(0), False, set()
        for p in parts:
            stored = IndicatorValue.objects.filter(
                indicator=indicator, region=city, period=p.text, is_current=True
            ).values_list("value", flat=True)
            value = stored.first()
            if value is not None:
                total += value
                found = True
                sources.add(_("填报"))
            elif indicator.method == Method.COMPUTED and indicator.computer:
                total += computed.compute(indicator.computer, city, p)
                found = True
                sources.add(_("平台数据计算"))
        rows.append(
            {
                "code": indicator.code,
                "name": indicator.name,
                "unit": indicator.unit,
                "value": values.display(indicator, total) if found else "—",
                "value_num": _f(round(total, indicator.decimals)) if found else None,
                "source": "、".join(sorted(sources)) if found else _("暂无数据"),
            }
        )
    return {"rows": rows}


def collect(period: Period, progress: Progress) -> dict[str, Any]:
    progress.advance(0, _("目标监测"))
    targets_part = _targets_section()
    progress.advance(1, _("科技创新指数"))
    index_part, index_version = _index_section(period.year)
    progress.advance(1, _("成果转化"))
    transfer_part = _transfer_section(period)
    progress.advance(1, _("关键指标"))
    figures_part = _figures_section(period)
    progress.advance(1, _("排版"))
    newest = IndicatorValue.objects.aggregate(m=Max("pk"), t=Max("entered_at"))
    as_of = timezone.localtime()
    version = {
        "max_value_id": newest["m"],
        "latest_entered_at": newest["t"].isoformat() if newest["t"] else None,
        "values": IndicatorValue.objects.filter(is_current=True).count(),
        "index": index_version.get("tag", ""),
        "index_version": index_version,
        "contracts": transfer_part["contracts"]["count"],
        "as_of": as_of.isoformat(),
    }
    version["tag"] = f"v{newest['m'] or 0}·{version['values']}" + (
        f"·{index_version['tag']}" if index_version else ""
    )
    return {
        "targets": targets_part,
        "index": index_part,
        "transfer": transfer_part,
        "figures": figures_part,
        "version": version,
        "as_of": as_of,
    }


# -- writing -----------------------------------------------------------------------------------


def render_html(report: Report, data: dict[str, Any]) -> str:
    return render_to_string("brain/report_pdf.html", {"report": report, **data})


def workbook(report: Report, data: dict[str, Any]) -> bytes:
    from openpyxl import Workbook

    from core.exports import safe_cell

    wb = Workbook(write_only=True)

    def sheet(title: str, headers: list[str], rows) -> None:
        ws = wb.create_sheet(title)
        ws.append([safe_cell(ws, h) for h in headers])
        for row in rows:
            ws.append([safe_cell(ws, v) for v in row])

    v = data["version"]
    sheet(
        _("封面"),
        [_("项目"), _("内容")],
        [
            (_("标题"), report.title),
            (_("期别"), report.period),
            (_("版本"), report.version),
            (_("数据截至"), timezone.localtime(data["as_of"]).strftime("%Y-%m-%d %H:%M")),
            (_("数据版本"), v["tag"]),
            (_("最新指标值编号"), v["max_value_id"]),
            (_("现行指标值条数"), v["values"]),
            (_("科技创新指数数据版本"), v["index"] or "—"),
            (_("编制单位"), _("长春市科学技术局")),
        ],
    )
    t = data["targets"]
    sheet(
        _("目标监测"),
        [
            _("指标代码"),
            _("指标名称"),
            _("计量单位"),
            _("最新年份"),
            _("最新值"),
            _("目标年份"),
            _("目标值"),
            _("完成进度（%）"),
            _("时间进度（%）"),
            _("状态"),
        ],
        [
            (
                r["code"],
                r["name"],
                r["unit"],
                r["year"],
                r["actual_num"],
                r["target_year"],
                r["target_num"],
                r["percent"],
                r["elapsed"],
                r["status_label"],
            )
            for r in t["rows"]
        ],
    )
    ix = data["index"]
    sheet(
        _("科技创新指数"),
        [_("排名"), _("区域"), _("行政区划代码"), _("综合得分"), _("排名区间"), _("说明")],
        [
            (r["rank"] or None, r["name"], r["code"], r["score"], r["range"], r["excluded"])
            for r in ix["rows"]
        ]
        or [(None, ix["reason"], None, None, None, None)],
    )
    tr = data["transfer"]
    sheet(
        _("成果转化"),
        [_("区域"), *tr["stage_labels"], _("登记技术交易额（万元）")],
        [
            *[(r["name"], *[r[s] for s in tr["stage_keys"]], r["amount"]) for r in tr["districts"]],
            (_("合计"), *[s["count"] for s in tr["stages"]], tr["registered_amount"]),
        ],
    )
    sheet(
        _("技术合同登记"),
        [_("分组"), _("类别"), _("合同数"), _("合同总额（万元）"), _("技术交易额（万元）")],
        [
            (
                _("合计"),
                "",
                tr["contracts"]["count"],
                tr["contracts"]["total_amount"],
                tr["contracts"]["tech_amount"],
            ),
            *[
                (g["label"], r["label"], r["count"], r["total_amount"], r["tech_amount"])
                for g in tr["groups"]
                for r in g["rows"]
            ],
        ],
    )
    sheet(
        _("关键指标"),
        [_("指标代码"), _("指标名称"), _("计量单位"), _("本期数值"), _("来源")],
        [
            (r["code"], r["name"], r["unit"], r["value_num"], r["source"])
            for r in data["figures"]["rows"]
        ],
    )
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def generate(report: Report, progress: Progress) -> Report:
    """Gather, write the PDF and the workbook once, and mark the report ready (or failed)."""
    from programs.services.pdf import render_pdf

    if report.status == Report.Status.READY:
        return report  # frozen
    progress.start(STEPS, _("汇总数据"))
    try:
        period = parse(report.period, KINDS[report.kind])
        data = collect(period, progress)
        pdf = render_pdf(render_html(report, data))
        progress.advance(1, _("写入 Excel"))
        xlsx = workbook(report, data)
        name = f"{report.kind}-{report.period}-v{report.version}"
        report.pdf.save(f"{name}.pdf", ContentFile(pdf), save=False)
        report.xlsx.save(f"{name}.xlsx", ContentFile(xlsx), save=False)
        report.data_version = data["version"]
        report.status = Report.Status.READY
        report.message = ""
        report.finished_at = timezone.now()
        report.save()
        progress.advance(1, _("完成"))
    except Exception as exc:
        Report.objects.filter(pk=report.pk).update(
            status=Report.Status.FAILED,
            message=str(getattr(exc, "message", exc))[:300],
            finished_at=timezone.now(),
        )
        report.refresh_from_db()
        raise
    return report


def actor_for(username: str | None):
    if not username:
        return None
    User = get_user_model()
    try:
        return User.objects.get(username=username)
    except User.DoesNotExist:
        raise ServiceError(_("没有用户“%(u)s”。") % {"u": username}) from None
