"""成果筛选评价 pages: an achievement's technology readiness (self-assessment questionnaire,
history, the expert's confirmation), the bureau's screenings (list with export, opening one,
the detail with the sheets and the decision), and the expert's tasks with the score sheet.
Every change goes through transfer.services.trl and transfer.services.screening."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Prefetch
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.decorators import refuses
from core.exceptions import ServiceError
from core.exports import EXPORT_FORMATS, export_response
from core.forms import add_errors
from core.views import paginate
from resources.choices import RecordStatus
from resources.models import Achievement, Expert
from transfer.choices import ScreeningDecision
from transfer.models import Screening, ScreeningScore, TrlAssessment
from transfer.services import screening as svc
from transfer.services import trl

# -- forms -----------------------------------------------------------------------------------

MET_CHOICES = [("yes", gettext_lazy("已达到")), ("no", gettext_lazy("未达到"))]


class TrlForm(forms.Form):
    """Per level: met yes/no and the evidence (required when met — the service says so)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.levels = trl.levels()
        for lv in self.levels:
            n = lv["level"]
            self.fields[f"met_{n}"] = forms.ChoiceField(
                label=_("第%(n)d级 %(name)s") % {"n": n, "name": lv["name"]},
                choices=MET_CHOICES,
                widget=forms.RadioSelect,
                required=False,
                help_text=lv["question"],
            )
            self.fields[f"evidence_{n}"] = forms.CharField(
                label=_("第%(n)d级的证据") % {"n": n},
                required=False,
                max_length=trl.EVIDENCE_MAX,
                widget=forms.Textarea(attrs={"rows": 2, "placeholder": lv["evidence"]}),
                help_text=_("达到时必填，如：%(hint)s") % {"hint": lv["evidence"]},
            )

    def rows(self):
        return [
            (lv, self[f"met_{lv['level']}"], self[f"evidence_{lv['level']}"]) for lv in self.levels
        ]

    def answers(self) -> dict:
        out = {}
        for lv in self.levels:
            n = lv["level"]
            met = self.cleaned_data.get(f"met_{n}")
            out[str(n)] = {
                "met": {"yes": True, "no": False}.get(met),
                "evidence": self.cleaned_data.get(f"evidence_{n}", ""),
            }
        return out

    @staticmethod
    def initial_from(assessment: TrlAssessment | None) -> dict:
        if assessment is None:
            return {}
        initial = {}
        for n, answer in (assessment.answers or {}).items():
            initial[f"met_{n}"] = "yes" if answer.get("met") else "no"
            initial[f"evidence_{n}"] = answer.get("evidence", "")
        return initial


def level_choices():
    return [(lv["level"], trl.level_name(lv["level"])) for lv in trl.levels()]


class ConfirmForm(forms.Form):
    level = forms.TypedChoiceField(
        label=gettext_lazy("确认等级"), coerce=int, choices=level_choices
    )
    reason = forms.CharField(
        label=gettext_lazy("确认或修正理由"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("与自评等级不同时必填，请说明依据。"),
    )


def current_round() -> str:
    today = timezone.localdate()
    return _("%(y)d年第%(q)d季度") % {"y": today.year, "q": (today.month - 1) // 3 + 1}


class ExpertChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, expert: Expert) -> str:
        return f"{expert.title}（{expert.owner.name}）"


class ScreeningForm(forms.Form):
    achievement = forms.CharField(
        label=gettext_lazy("科技成果"),
        max_length=200,
        help_text=gettext_lazy("输入成果名称或成果编号（须已在成果库发布）"),
        error_messages={"required": gettext_lazy("请填写要筛选的科技成果。")},
    )
    round = forms.CharField(
        label=gettext_lazy("筛选批次"),
        max_length=svc.ROUND_MAX,
        help_text=gettext_lazy("如：2026年第4季度"),
        error_messages={"required": gettext_lazy("请填写筛选批次，如“2026年第4季度”。")},
    )
    experts = ExpertChoiceField(
        label=gettext_lazy("评价专家"),
        queryset=Expert.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("与成果所属单位为同一单位或申报了利益关系的专家须回避。"),
    )

    def __init__(self, *args, achievement: Achievement | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fixed = achievement
        self.fields["experts"].queryset = svc.candidate_experts()
        if achievement is not None:
            self.fields["achievement"].widget = forms.HiddenInput()
            self.fields["achievement"].initial = str(achievement.pk)
            recused = svc.recusals(achievement, svc.candidate_experts())
            self.fields["experts"].queryset = svc.candidate_experts().exclude(pk__in=recused)
            self.recused = [
                (e, recused[e.pk]) for e in svc.candidate_experts().filter(pk__in=recused)
            ]
        else:
            self.recused = []

    def clean_achievement(self) -> Achievement:
        text = self.cleaned_data["achievement"].strip()
        published = Achievement.objects.filter(status=RecordStatus.PUBLISHED).select_related(
            "owner"
        )
        if text.isdigit():
            found = published.filter(pk=int(text)).first()
            if found is None:
                raise ValidationError(_("没有编号为%(n)s的已发布科技成果。") % {"n": text})
            return found
        exact = list(published.filter(title=text)[:2])
        if len(exact) == 1:
            return exact[0]
        matches = list(published.filter(title__icontains=text)[:2]) if not exact else exact
        if not matches:
            raise ValidationError(_("没有找到名为“%(t)s”的已发布科技成果。") % {"t": text})
        if len(matches) > 1:
            count = published.filter(title__icontains=text).count()
            raise ValidationError(
                _("有%(n)d项科技成果的名称包含“%(t)s”，请输入完整名称或成果编号。")
                % {"n": count, "t": text}
            )
        return matches[0]


class ExpertsForm(forms.Form):
    experts = ExpertChoiceField(
        label=gettext_lazy("评价专家"),
        queryset=Expert.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, screening: Screening, **kwargs):
        super().__init__(*args, **kwargs)
        recused = svc.recusals(screening.achievement, svc.candidate_experts())
        current = screening.experts.values_list("pk", flat=True)
        self.fields["experts"].queryset = (
            (
                Expert.objects.filter(pk__in=current)
                | svc.candidate_experts().exclude(pk__in=recused)
            )
            .select_related("owner")
            .distinct()
            .order_by("title", "pk")
        )


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=gettext_lazy("筛选结论"),
        choices=[
            (ScreeningDecision.SELECTED, ScreeningDecision.SELECTED.label),
            (ScreeningDecision.NOT_SELECTED, ScreeningDecision.NOT_SELECTED.label),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("请选择“入选”或“不入选”。")},
    )
    reasons = forms.CharField(
        label=gettext_lazy("结论理由"),
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": gettext_lazy("请填写结论理由。")},
    )


class SheetForm(forms.Form):
    """One score per indicator and the comment; the service checks ranges and completeness."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.indicators = svc.indicators()
        for i in self.indicators:
            self.fields[f"score_{i['code']}"] = forms.DecimalField(
                label=i["name"],
                required=False,
                widget=forms.NumberInput(
                    attrs={
                        "step": "0.1",
                        "min": "0",
                        "max": "100",
                        "class": "score",
                        "data-weight": i["weight"],
                        "inputmode": "decimal",
                    }
                ),
            )
        self.fields["comment"] = forms.CharField(
            label=_("评价意见"),
            required=False,
            widget=forms.Textarea(attrs={"rows": 5}),
            help_text=_("不少于%(n)d个字") % {"n": svc.COMMENT_MIN},
        )

    def rows(self):
        return [(i, self[f"score_{i['code']}"]) for i in self.indicators]

    def scores(self) -> dict:
        out = {}
        for i in self.indicators:
            value = self.cleaned_data.get(f"score_{i['code']}")
            if value is not None:
                out[i["code"]] = value
        return out


class FilterForm(forms.Form):
    round = forms.ChoiceField(label=gettext_lazy("筛选批次"), required=False)
    decision = forms.ChoiceField(
        label=gettext_lazy("筛选结论"),
        required=False,
        choices=[("", gettext_lazy("全部")), *ScreeningDecision.choices],
    )
    q = forms.CharField(
        label=gettext_lazy("成果或单位名称"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"placeholder": gettext_lazy("如：激光")}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["round"].choices = [
            ("", gettext_lazy("全部批次")),
            *((r, r) for r in svc.rounds()),
        ]

    def filter(self, qs):
        data = self.cleaned_data if self.is_valid() else {}
        return svc.filter_screenings(
            qs,
            round_name=data.get("round") or "",
            decision=data.get("decision") or "",
            text=(data.get("q") or "").strip(),
        )


# -- helpers -----------------------------------------------------------------------------------


def tabs(user, active: str) -> list[dict]:
    out = []
    if svc.may_manage(user):
        out.append(
            {"key": "screenings", "label": _("成果筛选评价"), "url": reverse("transfer_screenings")}
        )
    if trl.expert_of(user) is not None:
        out.append(
            {
                "key": "tasks",
                "label": _("我的评价任务"),
                "url": reverse("transfer_screening_tasks"),
            }
        )
    if svc.may_manage(user) or trl.expert_of(user) is not None:
        out.append(
            {
                "key": "trl",
                "label": _("待确认的技术就绪水平"),
                "url": reverse("transfer_trl_pending"),
            }
        )
    for t in out:
        t["active"] = t["key"] == active
    return out


def page(request, template: str, context: dict, section: str = "", status: int = 200):
    context = {
        **context,
        "screening_tabs": tabs(request.user, section),
        "scale_confirmed": trl.scale_confirmed(),
    }
    return render(request, template, context, status=status)


def history_rows(assessments) -> list[dict]:
    return [
        {"a": a, "level": trl.level_name(a.level), "gap": trl.gap_note(a.answers)}
        for a in assessments
    ]


# -- an achievement's technology readiness ------------------------------------------------------


@refuses
def achievement(request, pk: int):
    """The achievement's transfer page: the effective level, the history, what one may do."""
    item = trl.get_achievement(request.user, pk)
    status = trl.trl_status(item)
    may_see = trl.may_see_evidence(request.user, item)
    history = history_rows(trl.assessments_of(request.user, item)) if may_see else []
    latest = status.assessment
    refusal = None
    can_confirm = False
    if latest is not None and latest.confirmed_at is None and may_see:
        refusal = trl.confirm_refusal(request.user, item)
        can_confirm = refusal is None
        if refusal and not (
            svc.may_manage(request.user) or trl.expert_of(request.user) is not None
        ):
            refusal = None  # the owner's members need not read why they cannot confirm
    manage = svc.may_manage(request.user)
    if manage:
        screenings = item.screenings.annotate(sheet_count=Count("scores")).order_by(
            "-created_at", "-pk"
        )
    elif trl.may_self_assess(request.user, item):
        screenings = svc.decided_screenings_of(item)
    else:
        screenings = []
    return page(
        request,
        "transfer/screening_achievement.html",
        {
            "achievement": item,
            "status": status,
            "may_assess": trl.may_self_assess(request.user, item),
            "may_see": may_see,
            "history": history,
            "latest_gap": trl.gap_note(latest.answers) if latest and may_see else "",
            "can_confirm": can_confirm,
            "refusal": refusal,
            "manage": manage,
            "screenings": screenings,
            "resource_url": reverse("resource_detail", args=["achievements", item.pk]),
        },
    )


@login_required
@refuses
def trl_assess(request, pk: int):
    """The questionnaire: one row per level, met yes/no with evidence."""
    item = trl.get_achievement(request.user, pk)
    if not trl.may_self_assess(request.user, item):
        raise PermissionDenied(_("只有成果所属单位的人员或市科技局可以进行技术就绪水平自评。"))
    previous = item.trl_assessments.order_by("-submitted_at", "-pk").first()
    form = TrlForm(request.POST or None, initial=TrlForm.initial_from(previous))
    if request.method == "POST" and form.is_valid():
        try:
            made = trl.self_assess(request.user, item, form.answers())
        except ValidationError as exc:
            add_errors(form, exc)
        except ServiceError as exc:
            form.add_error(None, exc.message)
        else:
            text = _("自评已保存：%(level)s。") % {"level": trl.level_name(made.level)}
            gap = trl.gap_note(made.answers)
            if gap:
                messages.warning(request, text + gap)
            else:
                messages.success(request, text + _("请等待专家确认。"))
            return redirect("transfer_achievement", pk=item.pk)
    return page(
        request,
        "transfer/trl_form.html",
        {"achievement": item, "form": form, "previous": previous, "scale": trl.scale()},
    )


@login_required
@refuses
def trl_detail(request, pk: int):
    """One self-assessment: the answers and evidence level by level; the confirmation form."""
    assessment = trl.get_assessment(request.user, pk)
    item = assessment.achievement
    newest = trl.latest(item)
    is_latest = newest is not None and newest.pk == assessment.pk
    refusal = trl.confirm_refusal(request.user, item)
    can_confirm = refusal is None and assessment.confirmed_at is None and is_latest
    form = None
    if can_confirm:
        form = ConfirmForm(request.POST or None, initial={"level": assessment.level or 1})
        if request.method == "POST" and form.is_valid():
            try:
                trl.confirm(
                    request.user,
                    assessment,
                    form.cleaned_data["level"],
                    form.cleaned_data["reason"],
                )
            except ServiceError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, _("技术就绪水平已确认。"))
                return redirect("transfer_trl", pk=assessment.pk)
    elif request.method == "POST":
        messages.error(request, refusal or _("该自评已确认或已有更新的自评，不能再确认。"))
        return redirect("transfer_trl", pk=assessment.pk)
    rows = []
    for lv in trl.levels():
        answer = (assessment.answers or {}).get(str(lv["level"]), {})
        rows.append({"lv": lv, "met": answer.get("met"), "evidence": answer.get("evidence", "")})
    return page(
        request,
        "transfer/trl_detail.html",
        {
            "assessment": assessment,
            "achievement": item,
            "rows": rows,
            "level": trl.level_name(assessment.level),
            "confirmed": (
                trl.level_name(assessment.confirmed_level) if assessment.confirmed_at else ""
            ),
            "gap": trl.gap_note(assessment.answers),
            "form": form,
            "refusal": refusal if assessment.confirmed_at is None and is_latest else None,
            "is_latest": is_latest,
            "newest": newest,
        },
        section="trl",
    )


@login_required
@refuses
def trl_pending(request):
    """For experts and the bureau: latest self-assessments still waiting for confirmation."""
    if not (svc.may_manage(request.user) or trl.expert_of(request.user) is not None):
        raise PermissionDenied(_("只有专家和市科技局可以确认技术就绪水平。"))
    rows = []
    qs = trl.assessments_for(request.user).filter(confirmed_at__isnull=True)
    latest_ids = {}
    for a_id, ach_id in (
        TrlAssessment.objects.order_by("achievement_id", "-submitted_at", "-pk")
        .values_list("pk", "achievement_id")
        .iterator()
    ):
        latest_ids.setdefault(ach_id, a_id)
    qs = qs.filter(pk__in=list(latest_ids.values())).order_by("submitted_at", "pk")
    paged, query = paginate(request, qs)
    for a in paged:
        rows.append(
            {
                "a": a,
                "level": trl.level_name(a.level),
                "refusal": trl.confirm_refusal(request.user, a.achievement),
            }
        )
    return page(
        request,
        "transfer/trl_pending.html",
        {"page": paged, "rows": rows, "query": query},
        section="trl",
    )


def achievement_panel(request, pk: int):
    """A fragment for the resource library's achievement page (resources.services.hooks)."""
    try:
        item = trl.get_achievement(request.user, pk)
    except ServiceError:
        return render(request, "transfer/trl_panel.html", {"achievement": None})
    return render(
        request,
        "transfer/trl_panel.html",
        {
            "achievement": item,
            "status": trl.trl_status(item),
            "selection": svc.latest_selection(item),
            "scale_confirmed": trl.scale_confirmed(),
        },
    )


def register_achievement_panel() -> None:
    """Put the transfer panel on the resource library's achievement pages; call once from
    TransferConfig.ready()."""
    from resources.services import hooks

    panels = hooks.detail_panels.setdefault("achievements", [])
    if not any(getattr(p, "transfer_panel", False) for p in panels):

        def panel(record) -> str:
            return reverse("transfer_achievement_panel", args=[record.pk])

        panel.transfer_panel = True
        panels.append(panel)


# -- the bureau's screenings -------------------------------------------------------------------


def _list_queryset(request):
    return svc.screenings_for(request.user).annotate(
        expert_count=Count("experts", distinct=True),
        sheet_count=Count("scores", distinct=True),
    )


def _export(qs, fmt: str):
    headers = [
        _("筛选批次"),
        _("成果编号"),
        _("成果名称"),
        _("所属单位"),
        _("技术就绪水平"),
        _("评价专家（人）"),
        _("已评分（人）"),
        _("综合得分"),
        _("等级"),
        _("筛选结论"),
        _("结论理由"),
        _("决定时间"),
    ]
    qs = qs.prefetch_related(
        Prefetch("achievement__trl_assessments", queryset=TrlAssessment.objects.all())
    )

    def rows():
        for s in qs.iterator(chunk_size=500):
            status = trl.trl_status(s.achievement)
            yield (
                s.round,
                s.achievement_id,
                s.achievement.title,
                s.achievement.owner.name,
                f"{status.label}（{status.source_label}）",
                s.expert_count,
                s.sheet_count,
                f"{s.score:.2f}" if s.score is not None else "",
                s.grade,
                s.get_decision_display(),
                s.reasons,
                timezone.localtime(s.decided_at).strftime("%Y-%m-%d %H:%M") if s.decided_at else "",
            )

    return export_response(headers, rows(), _("成果筛选评价"), fmt, _("筛选评价"))


@login_required
@refuses
def screening_list(request):
    svc.require_manage(request.user)
    form = FilterForm(request.GET or None)
    qs = form.filter(_list_queryset(request)).order_by("-created_at", "-pk")
    fmt = request.GET.get("export")
    if fmt in EXPORT_FORMATS:
        return _export(qs, fmt)
    paged, query = paginate(request, qs)
    export_query = request.GET.copy()
    export_query.pop("page", None)
    export_query.pop("export", None)
    return page(
        request,
        "transfer/screening_list.html",
        {
            "form": form,
            "page": paged,
            "query": query,
            "export_query": export_query.urlencode(),
            "select_at_least": svc.select_at_least(),
        },
        section="screenings",
    )


@login_required
@refuses
def screening_create(request):
    svc.require_manage(request.user)
    fixed = None
    given = request.POST.get("achievement") or request.GET.get("achievement")
    if given and given.isdigit():
        fixed = (
            Achievement.objects.filter(pk=int(given), status=RecordStatus.PUBLISHED)
            .select_related("owner")
            .first()
        )
    form = ScreeningForm(
        request.POST or None, achievement=fixed, initial={"round": current_round()}
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            made = svc.open_screening(
                request.user, data["achievement"], data["round"], list(data["experts"])
            )
        except ServiceError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request,
                _("已发起“%(t)s”的%(r)s筛选评价，邀请专家%(n)d名。")
                % {"t": made.achievement.title, "r": made.round, "n": made.experts.count()},
            )
            return redirect("transfer_screening", pk=made.pk)
    return page(
        request,
        "transfer/screening_form.html",
        {"form": form, "fixed": fixed, "indicators": svc.indicators()},
        section="screenings",
    )


@login_required
@refuses
def screening_detail(request, pk: int):
    svc.require_manage(request.user)
    screening = svc.get_screening(request.user, pk)
    pending = screening.decision == ScreeningDecision.PENDING
    decision_form = experts_form = None
    if pending:
        action = request.POST.get("action") if request.method == "POST" else None
        decision_form = DecisionForm(request.POST if action == "decide" else None)
        experts_form = ExpertsForm(
            request.POST if action == "experts" else None,
            screening=screening,
            initial={"experts": list(screening.experts.all())},
        )
        if action == "decide" and decision_form.is_valid():
            try:
                svc.decide(
                    request.user,
                    screening,
                    decision_form.cleaned_data["decision"],
                    decision_form.cleaned_data["reasons"],
                )
            except ServiceError as exc:
                decision_form.add_error(None, exc.message)
            else:
                messages.success(request, _("筛选结论已作出，该筛选评价不能再修改。"))
                return redirect("transfer_screening", pk=screening.pk)
        if action == "experts" and experts_form.is_valid():
            try:
                svc.set_experts(request.user, screening, list(experts_form.cleaned_data["experts"]))
            except ServiceError as exc:
                experts_form.add_error(None, exc.message)
            else:
                messages.success(request, _("评价专家已调整。"))
                return redirect("transfer_screening", pk=screening.pk)
    elif request.method == "POST":
        messages.error(
            request,
            _("该筛选评价已作出“%(d)s”的结论，不能再修改。")
            % {"d": screening.get_decision_display()},
        )
        return redirect("transfer_screening", pk=screening.pk)
    sheets = svc.sheet_rows(screening)
    scored = {r.sheet.expert_id for r in sheets}
    experts = [
        {"expert": e, "scored": e.pk in scored}
        for e in screening.experts.select_related("owner").order_by("title", "pk")
    ]
    return page(
        request,
        "transfer/screening_detail.html",
        {
            "screening": screening,
            "achievement": screening.achievement,
            "status": trl.trl_status(screening.achievement),
            "sheets": sheets,
            "experts": experts,
            "indicators": svc.indicators(),
            "pending": pending,
            "decision_form": decision_form,
            "experts_form": experts_form,
            "below": svc.below_selection_grade(screening),
            "select_at_least": svc.select_at_least(),
            "grades": svc.indicator_system()["grades"],
        },
        section="screenings",
    )


# -- the expert's tasks ----------------------------------------------------------------------


@login_required
@refuses
def screening_tasks(request):
    tasks = svc.tasks_for(request.user).order_by("-created_at", "-pk")
    expert = trl.expert_of(request.user)
    paged, query = paginate(request, tasks)
    mine = {
        s.screening_id: s
        for s in ScreeningScore.objects.filter(
            expert=expert, screening_id__in=[t.pk for t in paged]
        )
    }
    for t in paged:
        t.my_sheet = mine.get(t.pk)
    return page(
        request,
        "transfer/screening_tasks.html",
        {"page": paged, "query": query},
        section="tasks",
    )


@login_required
@refuses
def screening_sheet(request, pk: int):
    screening = svc.get_screening(request.user, pk)
    expert = trl.expert_of(request.user)
    if expert is None or not screening.experts.filter(pk=expert.pk).exists():
        raise PermissionDenied(_("您不是该成果的评价专家，不能评分。"))
    sheet = svc.sheet_of(screening, request.user)
    pending = screening.decision == ScreeningDecision.PENDING
    initial = {}
    if sheet is not None:
        initial = {f"score_{k}": v for k, v in sheet.scores.items()}
        initial["comment"] = sheet.comment
    form = SheetForm(request.POST or None, initial=initial) if pending else None
    if request.method == "POST":
        if not pending:
            messages.error(
                request,
                _("该筛选评价已作出“%(d)s”的结论，评分不能再修改。")
                % {"d": screening.get_decision_display()},
            )
            return redirect("transfer_screening_sheet", pk=screening.pk)
        if form.is_valid():
            try:
                saved = svc.submit_sheet(
                    request.user, screening, form.scores(), form.cleaned_data["comment"]
                )
            except ServiceError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(
                    request,
                    _("评分已提交，加权得分 %(t)s 分。市科技局作出结论前可以修改。")
                    % {"t": f"{saved.total:.2f}"},
                )
                return redirect("transfer_screening_sheet", pk=screening.pk)
    item = screening.achievement
    return page(
        request,
        "transfer/screening_sheet.html",
        {
            "screening": screening,
            "achievement": item,
            "status": trl.trl_status(item),
            "sheet": sheet,
            "sheet_cells": (
                [(i, sheet.scores.get(i["code"])) for i in svc.indicators()] if sheet else []
            ),
            "form": form,
            "pending": pending,
        },
        section="tasks",
    )
