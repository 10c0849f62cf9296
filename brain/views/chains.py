"""产业链导航 pages: the chains as a tree and tables, one chain's nodes with their weak-node
findings, and one node's enterprises, records, demands, signed matches and suggested
partners. Leaders, the bureau and district admins may look; chains are city-wide."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from brain.services import chains
from brain.services.navigation import section_tabs, tab
from brain.services.values import require_view
from core.decorators import refuses
from core.models import ChainNode, IndustryChain

tab("chains", gettext_lazy("产业链导航"), "brain_chains", order=40)


def _graph(found: list[dict], root: str) -> dict:
    return {"tree": chains.graph(found, root), "labels": chains.labels()}


@login_required
@refuses
def chain_list(request):
    require_view(request.user)
    found = chains.overview()
    return render(
        request,
        "brain/chain_list.html",
        {
            "chains": found,
            "rules": chains.rules(),
            "graph": _graph(found, _("重点产业链")),
            "brain_tabs": section_tabs(request.user, "chains"),
        },
    )


@login_required
@refuses
def chain_detail(request, code: str):
    require_view(request.user)
    chain = get_object_or_404(IndustryChain, code=code)
    found = chains.chain_summary(chain)
    return render(
        request,
        "brain/chain_detail.html",
        {
            "chain": found,
            "chains_one": [found],
            "rules": chains.rules(),
            "graph": _graph([found], chain.name),
            "brain_tabs": section_tabs(request.user, "chains"),
        },
    )


@login_required
@refuses
def node_detail(request, code: str, node: str):
    require_view(request.user)
    node = get_object_or_404(ChainNode.objects.select_related("chain"), chain__code=code, code=node)
    figures = chains.figures_by_node()[node.pk]
    summary = chains.node_summary(node, figures)
    partners = None
    if summary["weak"] and summary["figures"]["open_demands"]:
        partners = chains.partners(node)
    return render(
        request,
        "brain/chain_node.html",
        {
            "chain": node.chain,
            "node": summary,
            "lists": chains.node_lists(node),
            "partners": partners,
            "brain_tabs": section_tabs(request.user, "chains"),
        },
    )
