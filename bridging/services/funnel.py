"""Funnel statistics: how many matches reached each stage, by industry chain and by district."""

from __future__ import annotations

from collections import defaultdict

from django.db.models import QuerySet

from bridging.choices import MatchStatus
from bridging.models import Match

STAGES = [
    MatchStatus.RECOMMENDED,
    MatchStatus.CONTACTED,
    MatchStatus.NEGOTIATING,
    MatchStatus.SIGNED,
]
_ORDER = {s: i for i, s in enumerate(STAGES)}


def _furthest(status: str, failed_from: str) -> int:
    return (
        _ORDER[failed_from or MatchStatus.RECOMMENDED]
        if status == MatchStatus.FAILED
        else _ORDER[status]
    )


def funnel(matches: QuerySet | None = None) -> dict[str, list[dict]]:
    """Rows of {label, reached: [n per stage], failed} grouped by chain and by district.

    A match counts for every stage up to the furthest it reached; a failed one counts up to the
    stage it failed from. A demand on two chains counts once on each.
    """
    matches = Match.objects.all() if matches is None else matches
    rows = matches.values_list(
        "pk", "status", "failed_from", "demand__region__name", "demand__chain_nodes__chain__name"
    )
    by_chain: dict[str, dict] = defaultdict(
        lambda: {"reached": [0] * len(STAGES), "failed": 0, "seen": set()}
    )
    by_region: dict[str, dict] = defaultdict(
        lambda: {"reached": [0] * len(STAGES), "failed": 0, "seen": set()}
    )
    for pk, status, failed_from, region, chain in rows:
        furthest = _furthest(status, failed_from)
        for key, table in ((chain or "未标注产业链", by_chain), (region or "—", by_region)):
            entry = table[key]
            if pk in entry["seen"]:
                continue
            entry["seen"].add(pk)
            for i in range(furthest + 1):
                entry["reached"][i] += 1
            entry["failed"] += status == MatchStatus.FAILED

    def table(groups):
        out = []
        for label, e in sorted(groups.items(), key=lambda kv: -kv[1]["reached"][0]):
            first = e["reached"][0] or 1
            out.append(
                {
                    "label": label,
                    "reached": e["reached"],
                    "failed": e["failed"],
                    "signed_rate": round(100 * e["reached"][-1] / first, 1),
                }
            )
        return out

    return {"chains": table(by_chain), "regions": table(by_region)}
