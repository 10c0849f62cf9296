"""Expert review (评审): the expert's tasks, the invitation, the application and the score sheet —
for 立项评审 and for 验收评审, where the expert also reads the final report."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.exceptions import ServiceError
from core.views import paginate
from programs import selectors
from programs.choices import AssignmentStatus, ReviewStage
from programs.forms import RespondForm, ScoreSheetForm
from programs.models import Acceptance, Attachment, Contract
from programs.services import review
from programs.views.base import download, refuses, tabs

A = AssignmentStatus


@login_required
def review_list(request):
    page, query = paginate(request, review.assignments_for_expert(request.user))
    return render(
        request,
        "programs/review_list.html",
        {"page": page, "query": query, **tabs(request, "reviews")},
    )


@login_required
@refuses
def review_detail(request, pk: int):
    user = request.user
    assignment = review.get_assignment_for_expert(user, pk)
    application = assignment.application
    criteria = application.call.criteria
    context = {
        "assignment": assignment,
        "application": application,
        "call": application.call,
        "team": application.team or [],
        "co_organisations": list(application.co_organisations.all()),
        "acceptance_stage": assignment.stage == ReviewStage.ACCEPTANCE,
        **tabs(request, "reviews"),
    }
    if assignment.status == A.INVITED:
        context["respond_form"] = RespondForm()
    elif assignment.status in (A.ACCEPTED, A.SUBMITTED):
        review.open_application_as_expert(user, pk)
        context["budget"] = selectors.budget_table(application)
        context["attachments"] = list(application.attachments.all())
        if context["acceptance_stage"]:
            # What the project promised and what it reports having done.
            final = Acceptance.objects.filter(application=application).first()
            contract = Contract.objects.filter(application=application).first()
            context["final_report"], context["contract"] = final, contract
            if final is not None:
                context["results"] = selectors.indicator_results(contract, final)
    if assignment.status == A.ACCEPTED:
        form = ScoreSheetForm(request.POST or None, criteria=criteria)
        if request.method == "POST" and form.is_valid():
            try:
                review.submit_scores(user, assignment, form.scores(), form.cleaned_data["comment"])
            except ServiceError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, _("评分已提交。感谢您的评审！"))
                return redirect("program_review_detail", pk=pk)
        context["score_form"] = form
    if assignment.status == A.SUBMITTED:
        context["my_scores"] = [
            (c["name"], c["points"], assignment.scores.get(c["key"])) for c in criteria
        ]
        others = review.others_scores(user, assignment)
        context["others"] = [
            {**o, "cells": [o["scores"].get(c["key"], "—") for c in criteria]} for o in others
        ]
        context["criteria"] = criteria
    return render(request, "programs/review_detail.html", context)


@login_required
@require_POST
@refuses
def review_respond(request, pk: int):
    assignment = review.get_assignment_for_expert(request.user, pk)
    form = RespondForm(request.POST)
    form.is_valid()
    accept = request.POST.get("answer") == "accept"
    try:
        review.respond(
            request.user,
            assignment,
            accept=accept,
            reason=form.cleaned_data.get("reason", ""),
            conflict=bool(form.cleaned_data.get("conflict")) and not accept,
        )
    except ServiceError as exc:
        messages.error(request, exc.message)
        return redirect("program_review_detail", pk=pk)
    if accept and assignment.stage == ReviewStage.ACCEPTANCE:
        messages.success(request, _("已接受验收评审邀请，现在可以查看验收材料并评分。"))
        return redirect("program_review_detail", pk=pk)
    if accept:
        messages.success(request, _("已接受评审邀请，现在可以查看申报书全文并评分。"))
        return redirect("program_review_detail", pk=pk)
    messages.success(request, _("已谢绝该评审邀请。"))
    return redirect("program_review_list")


@login_required
@refuses
def review_attachment(request, pk: int, attachment: int):
    assignment = review.open_application_as_expert(request.user, pk)
    item = get_object_or_404(Attachment, pk=attachment, application_id=assignment.application_id)
    return download(item.file, item.name)
