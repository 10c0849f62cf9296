"""产业链导航: each key industry chain's nodes and, for every node, its local enterprises by
cultivation tier, published achievements, experts, platforms, open demands and signed matches.

Weak nodes are found by rules kept as data (brain/data/chain_rules.json): each rule compares
one of a node's figures (`METRICS`, or `tier:<code>` for a tier pool) with a threshold, and a
node where any rule fires is weak, with the rules and the numbers behind them. For a weak node
with open demands the bridging engine suggests partners (its best achievements and experts for
those demands, with the engine's reasons), within a time budget.

Chains are city-wide: every viewer with brain.view sees the same figures.
"""

from __future__ import annotations

import json
import operator
import time
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bridging.choices import MatchStatus
from bridging.models import Match
from bridging.services import recommend
from core.choices import OrgType
from core.models import ChainNode, IndustryChain, Organisation
from cultivation.choices import Tier
from cultivation.models import PoolMembership
from resources.choices import RecordStatus
from resources.models import Achievement, Demand, Expert, Platform

RULES_PATH = Path(__file__).resolve().parent.parent / "data" / "chain_rules.json"
PARTNER_BUDGET = 3.0  # seconds the engine may spend on one node's demands
PARTNERS_SHOWN = 3
LIST_LIMIT = 50  # rows per list on a node's page (the counts are always complete)
NO_TIER = "none"

METRICS = {
    "enterprises": gettext_lazy("本地企业"),
    "achievements": gettext_lazy("已发布成果"),
    "experts": gettext_lazy("专家"),
    "platforms": gettext_lazy("创新平台"),
    "open_demands": gettext_lazy("开放需求"),
    "unmatched_demands": gettext_lazy("未签约对接的开放需求"),
    "signed_matches": gettext_lazy("已签约对接"),
}

OPS = {
    "lt": (operator.lt, gettext_lazy("%(metric)s %(value)s，少于 %(threshold)s")),
    "lte": (operator.le, gettext_lazy("%(metric)s %(value)s，不超过 %(threshold)s")),
    "gt": (operator.gt, gettext_lazy("%(metric)s %(value)s，多于 %(threshold)s")),
    "gte": (operator.ge, gettext_lazy("%(metric)s %(value)s，达到 %(threshold)s 及以上")),
    "eq": (operator.eq, gettext_lazy("%(metric)s %(value)s，等于 %(threshold)s")),
}

RULE_TEXT = {
    "lt": gettext_lazy("%(metric)s少于 %(threshold)s"),
    "lte": gettext_lazy("%(metric)s不超过 %(threshold)s"),
    "gt": gettext_lazy("%(metric)s多于 %(threshold)s"),
    "gte": gettext_lazy("%(metric)s达到 %(threshold)s 及以上"),
    "eq": gettext_lazy("%(metric)s等于 %(threshold)s"),
}

RECORDS = {
    "achievements": Achievement,
    "experts": Expert,
    "platforms": Platform,
    "open_demands": Demand,
}


# -- rules ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rule:
    key: str
    label: str
    metric: str
    op: str
    value: float

    def metric_label(self) -> str:
        if self.metric.startswith("tier:"):
            tier = self.metric.split(":", 1)[1]
            return _("%(tier)s在库企业") % {"tier": Tier(tier).label}
        return str(METRICS[self.metric])

    @property
    def threshold(self):
        return int(self.value) if float(self.value).is_integer() else self.value

    def describe(self) -> str:
        """The rule in words, e.g. 本地企业少于 3."""
        return str(RULE_TEXT[self.op]) % {
            "metric": self.metric_label(),
            "threshold": self.threshold,
        }

    def check(self, figures: dict) -> dict | None:
        """The rule's finding on a node's figures, or None when it does not fire."""
        value = metric_value(figures, self.metric)
        compare, text = OPS[self.op]
        if not compare(value, self.value):
            return None
        threshold = self.threshold
        return {
            "key": self.key,
            "label": self.label,
            "metric": self.metric,
            "value": value,
            "threshold": threshold,
            "reason": str(text)
            % {"metric": self.metric_label(), "value": value, "threshold": threshold},
        }


def parse_rules(data: dict) -> list[Rule]:
    rules = []
    for item in data["rules"]:
        metric, op = item["metric"], item["op"]
        if metric.startswith("tier:"):
            Tier(metric.split(":", 1)[1])  # ValueError for an unknown tier
        elif metric not in METRICS:
            raise ValueError(f"unknown metric {metric!r} in chain rules")
        if op not in OPS:
            raise ValueError(f"unknown op {op!r} in chain rules")
        rules.append(Rule(item["key"], item["label"], metric, op, float(item["value"])))
    return rules


@lru_cache(maxsize=1)
def rules() -> tuple[Rule, ...]:
    with open(RULES_PATH, encoding="utf-8") as f:
        return tuple(parse_rules(json.load(f)))


def metric_value(figures: dict, metric: str) -> int:
    if metric.startswith("tier:"):
        return figures["tiers"].get(metric.split(":", 1)[1], 0)
    return figures[metric]


def findings(figures: dict, rule_set=None) -> list[dict]:
    rule_set = rules() if rule_set is None else rule_set
    return [f for f in (r.check(figures) for r in rule_set) if f is not None]


# -- figures --------------------------------------------------------------------------------


def _per_node(model, **filters) -> dict[int, int]:
    """Published records of `model` on each chain node: {node pk: count}."""
    through = model.chain_nodes.through
    name = model._meta.model_name
    rows = (
        through.objects.filter(**{f"{name}__{k}": v for k, v in filters.items()})
        .values("chainnode_id")
        .annotate(n=Count(f"{name}_id", distinct=True))
    )
    return {r["chainnode_id"]: r["n"] for r in rows}


def _signed_per_node() -> dict[int, set[int]]:
    """Signed matches touching each node: through the demand, or the achievement or expert."""
    found: dict[int, set[int]] = defaultdict(set)
    signed = Match.objects.filter(status=MatchStatus.SIGNED)
    for path in ("demand", "achievement", "expert"):
        for node, match in signed.filter(**{f"{path}__chain_nodes__isnull": False}).values_list(
            f"{path}__chain_nodes", "pk"
        ):
            found[node].add(match)
    return found


def figures_by_node() -> dict[int, dict]:
    """Every chain node's figures: {node pk: {metric: count, "tiers": {tier: count}}}."""
    enterprises = _per_organisation_node()
    tiers: dict[int, dict[str, int]] = defaultdict(dict)
    for row in (
        PoolMembership.objects.current()
        .filter(organisation__type=OrgType.ENTERPRISE, organisation__chain_nodes__isnull=False)
        .values("organisation__chain_nodes", "tier")
        .annotate(n=Count("organisation", distinct=True))
    ):
        tiers[row["organisation__chain_nodes"]][row["tier"]] = row["n"]
    records = {
        key: _per_node(model, status=RecordStatus.PUBLISHED) for key, model in RECORDS.items()
    }
    unmatched = _per_node(Demand, status=RecordStatus.PUBLISHED)
    with_signed = _per_node(
        Demand, status=RecordStatus.PUBLISHED, matches__status=MatchStatus.SIGNED
    )
    signed = _signed_per_node()
    out = {}
    for pk in ChainNode.objects.values_list("pk", flat=True):
        fig = {key: counts.get(pk, 0) for key, counts in records.items()}
        fig["enterprises"] = enterprises.get(pk, 0)
        fig["tiers"] = tiers.get(pk, {})
        fig["unmatched_demands"] = unmatched.get(pk, 0) - with_signed.get(pk, 0)
        fig["signed_matches"] = len(signed.get(pk, ()))
        out[pk] = fig
    return out


def _per_organisation_node() -> dict[int, int]:
    through = Organisation.chain_nodes.through
    rows = (
        through.objects.filter(organisation__type=OrgType.ENTERPRISE)
        .values("chainnode_id")
        .annotate(n=Count("organisation_id", distinct=True))
    )
    return {r["chainnode_id"]: r["n"] for r in rows}


def tier_rows(tiers: dict[str, int], enterprises: int) -> list[dict]:
    """Counts per tier in the ladder's order, and the enterprises in no pool."""
    rows = [{"key": t.value, "label": t.label, "count": tiers.get(t.value, 0)} for t in Tier]
    # An enterprise may sit in more than one pool; those in none are the rest.
    pooled = sum(tiers.values())
    rows.append({"key": NO_TIER, "label": _("未入培育库"), "count": max(enterprises - pooled, 0)})
    return rows


def node_summary(node: ChainNode, fig: dict, rule_set=None) -> dict:
    found = findings(fig, rule_set)
    return {
        "pk": node.pk,
        "code": node.code,
        "name": node.name,
        "description": node.description,
        "url": reverse("brain_chain_node", args=[node.chain.code, node.code]),
        "figures": {k: v for k, v in fig.items() if k != "tiers"},
        "tiers": tier_rows(fig["tiers"], fig["enterprises"]),
        "findings": found,
        "weak": bool(found),
    }


def chain_summary(chain: IndustryChain, figures: dict[int, dict] | None = None) -> dict:
    figures = figures_by_node() if figures is None else figures
    nodes = [node_summary(n, figures[n.pk]) for n in chain.nodes.select_related("chain")]
    totals = {key: sum(n["figures"][key] for n in nodes) for key in METRICS}
    return {
        "pk": chain.pk,
        "code": chain.code,
        "name": chain.name,
        "url": reverse("brain_chain", args=[chain.code]),
        "nodes": nodes,
        "totals": totals,
        "weak_count": sum(1 for n in nodes if n["weak"]),
    }


def overview() -> list[dict]:
    figures = figures_by_node()
    return [chain_summary(c, figures) for c in IndustryChain.objects.prefetch_related("nodes")]


# -- the graph ------------------------------------------------------------------------------


def _graph_node(node: dict) -> dict:
    return {
        "name": node["name"],
        "value": node["figures"]["enterprises"],
        "weak": node["weak"],
        "rules": "、".join(f["label"] for f in node["findings"]),
        "url": node["url"],
    }


def graph(chains: list[dict], root: str) -> dict:
    """An ECharts tree: `root` → chains → nodes; value: local enterprises."""
    return {
        "name": root,
        "url": None,
        "value": sum(c["totals"]["enterprises"] for c in chains),
        "weak": False,
        "children": [
            {
                "name": c["name"],
                "url": c["url"],
                "value": c["totals"]["enterprises"],
                "weak": False,
                "children": [_graph_node(n) for n in c["nodes"]],
            }
            for c in chains
        ],
    }


def labels() -> dict[str, str]:
    return {
        "enterprises": _("本地企业"),
        "weak": _("薄弱环节"),
        "chartsMissing": _("图表组件未安装（运行 make setup），数值见下方表格。"),
    }


# -- a node's lists -------------------------------------------------------------------------


def node_lists(node: ChainNode) -> dict:
    """The node's enterprises (with their current tiers), records and signed matches."""
    enterprises = list(
        Organisation.objects.filter(type=OrgType.ENTERPRISE, chain_nodes=node)
        .select_related("region")
        .order_by("name")
    )
    current: dict[int, list[str]] = defaultdict(list)
    for org, tier in (
        PoolMembership.objects.current()
        .filter(organisation__in=[e.pk for e in enterprises])
        .values_list("organisation_id", "tier")
    ):
        current[org].append(tier)
    order = {t.value: i for i, t in enumerate(Tier)}
    by_tier: dict[str, list] = {t.value: [] for t in Tier}
    by_tier[NO_TIER] = []
    for e in enterprises:
        tiers = sorted(current.get(e.pk, []), key=order.get)
        e.tier_labels = [Tier(t).label for t in tiers]
        for t in tiers or [NO_TIER]:
            by_tier[t].append(e)
    published = {"status": RecordStatus.PUBLISHED, "chain_nodes": node}

    def records(model):
        qs = model.objects.filter(**published).select_related("owner", "region")
        return list(qs.order_by("-published_at", "-pk")[:LIST_LIMIT])

    demands = list(
        Demand.objects.filter(**published)
        .select_related("owner")
        .annotate(signed=Count("matches", filter=_signed_q(), distinct=True))
        .order_by("-published_at", "-pk")[:LIST_LIMIT]
    )
    matches = list(
        (
            Match.objects.filter(status=MatchStatus.SIGNED, demand__chain_nodes=node)
            | Match.objects.filter(status=MatchStatus.SIGNED, achievement__chain_nodes=node)
            | Match.objects.filter(status=MatchStatus.SIGNED, expert__chain_nodes=node)
        )
        .distinct()
        .select_related("demand", "achievement", "expert", "institute")
        .order_by("-pk")[:LIST_LIMIT]
    )
    groups = [{"key": t.value, "label": t.label, "rows": by_tier[t.value]} for t in Tier] + [
        {"key": NO_TIER, "label": _("未入培育库"), "rows": by_tier[NO_TIER]}
    ]
    return {
        "enterprises": enterprises,
        "tier_groups": groups,
        "achievements": records(Achievement),
        "experts": records(Expert),
        "platforms": records(Platform),
        "demands": demands,
        "matches": matches,
    }


def _signed_q():
    return Q(matches__status=MatchStatus.SIGNED)


# -- partner suggestions --------------------------------------------------------------------


def partners(node: ChainNode, *, budget: float = PARTNER_BUDGET, k: int = PARTNERS_SHOWN) -> dict:
    """The engine's best achievements and experts for the node's open demands (those without a
    signed match first), each with its reason and the demand it answers.

    state: "none" (no open demands), "no_index" (the engine's index is not built) or "ok";
    `considered` of `total` demands were asked within `budget` seconds."""
    demands = list(
        Demand.objects.filter(status=RecordStatus.PUBLISHED, chain_nodes=node)
        .annotate(signed=Count("matches", filter=_signed_q(), distinct=True))
        .order_by("signed", "-published_at", "-pk")
    )
    result = {"state": "none", "achievement": [], "expert": [], "considered": 0}
    result["total"] = len(demands)
    if not demands:
        return result
    if recommend.engine() is None:
        result["state"] = "no_index"
        return result
    result["state"] = "ok"
    best: dict[str, dict[int, dict]] = {"achievement": {}, "expert": {}}
    started = time.monotonic()
    for demand in demands:
        if result["considered"] and time.monotonic() - started > budget:
            break
        found = recommend.for_demand(demand, k=k)
        result["considered"] += 1
        for kind, chosen in best.items():
            for rec in found.get(kind, []):
                held = chosen.get(rec.obj.pk)
                if held is None or rec.score > held["score"]:
                    chosen[rec.obj.pk] = {
                        "obj": rec.obj,
                        "score": rec.score,
                        "reason": rec.explanation,
                        "demand": demand,
                    }
    for kind, chosen in best.items():
        result[kind] = sorted(chosen.values(), key=lambda r: -r["score"])[:k]
    return result
