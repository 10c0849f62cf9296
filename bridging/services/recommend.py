"""Recommendations shown on record pages, each with its reasons in Chinese.

- On a demand: achievements, experts, and institutes (their achievements and experts, grouped).
- On an achievement: open demands, and enterprises (from their demands and shared chain nodes).
- On an expert: demands that fit.
Pairs that either side declined are left out before ranking.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.conf import settings

from bridging.services.index import (
    KINDS,
    Recommendation,
    doc_id,
    engine,
    parse_id,
)
from bridging.services.matches import declined_demand_ids, declined_supply_ids
from core.caching import remember
from core.choices import OrgType
from core.models import Organisation
from kechuang.retrieval import store
from resources.choices import RecordStatus

INSTITUTE_TYPES = (OrgType.UNIVERSITY, OrgType.INSTITUTE, OrgType.HOSPITAL, OrgType.NEW_RD)


# How far down the ranking institutes and enterprises are looked for (their sections group
# the records behind the first WIDE achievements, experts or demands).
WIDE = 100
# What a recommendation shows of a record and of its owner (the panels, the brain's chain
# page): read only these for the up to WIDE records of a section, not their long texts.
SHOWN = ("id", "title", "status", "owner_id", "owner__name", "owner__type")


def _objects(results, kind: str) -> dict[int, Any]:
    pks = [parse_id(r.id)[1] for r in results]
    return (
        KINDS[kind]
        .objects.filter(pk__in=pks, status=RecordStatus.PUBLISHED)
        .select_related("owner")
        .only(*SHOWN)
        .in_bulk()
    )


# What a recommendation's reasons compare between the two records (not status or owner).
EXPLAINED_META = ("chain_node", "field", "region")


_stamp: tuple[tuple[str, int], str] | None = None  # the current generation's, once read


def _index_stamp(current) -> str | None:
    """Names one generation of one index build across processes (a rebuilt index starts its
    generations again, so the number alone could repeat); None when its folder is gone (a
    newer generation replaced it a moment ago)."""
    global _stamp
    key = (str(current.path), current.generation)
    if _stamp is None or _stamp[0] != key:
        try:
            folder = store.generation_dir(current.path, current.generation)
            _stamp = (key, f"{current.generation}.{folder.stat().st_mtime_ns}")
        except OSError:
            return None
    return _stamp[1]


def _similar(current, source_id: str, kind: str, k: int, filters: dict | None, exclude: set[str]):
    """The engine's ranking, kept in the cache for this index generation: it changes only when
    the index does (settings.SEARCH_CACHE_SECONDS; 0 ranks on every view)."""

    def rank():
        # The source as the index holds it (kept current by the index queue): no database reads.
        query_meta = {
            key: value for key, value in current.meta_of(source_id).items() if key in EXPLAINED_META
        }
        return current.similar(
            source_id,
            k=k,
            filters={"kind": kind, **(filters or {})},
            exclude=exclude,
            query_meta=query_meta,
        )

    stamp = _index_stamp(current) if settings.SEARCH_CACHE_SECONDS and current.path else None
    if stamp is None:
        return rank()
    asked = repr((source_id, kind, k, sorted((filters or {}).items()), sorted(exclude)))
    return remember(f"recommend:{stamp}", asked, rank)


def _ranked(
    source_id: str, kind: str, k: int, filters: dict | None, exclude: set[str]
) -> list[Recommendation]:
    current = engine()
    if current is None or source_id not in current:
        return []
    results = _similar(current, source_id, kind, k, filters, exclude)
    objects = _objects(results, kind)
    out = []
    for r in results:
        obj = objects.get(parse_id(r.id)[1])
        if obj is not None:
            out.append(Recommendation(obj, kind, r.score, result=r))
    return out


def for_demand(
    demand, *, k: int = 10, filters: dict | None = None
) -> dict[str, list[Recommendation]]:
    declined = declined_supply_ids(demand)
    exclude_a = {doc_id("achievement", pk) for pk in declined["achievement"]}
    exclude_e = {doc_id("expert", pk) for pk in declined["expert"]}
    source = doc_id("demand", demand.pk)
    # One ranking per kind, as deep as the institutes need; the sections show its head.
    wide_achievements = _ranked(source, "achievement", max(k, WIDE), filters, exclude_a)
    expert_filters = {k_: v for k_, v in (filters or {}).items() if k_ != "trl"}
    wide_experts = _ranked(source, "expert", max(k, WIDE), expert_filters, exclude_e)
    achievements, experts = wide_achievements[:k], wide_experts[:k]
    # Institutes: the universities and institutes behind the best achievements and experts.
    wide = wide_achievements + wide_experts
    by_org: dict[int, list[Recommendation]] = defaultdict(list)
    for rec in wide:
        by_org[rec.obj.owner_id].append(rec)
    orgs = (
        Organisation.objects.filter(pk__in=by_org, type__in=INSTITUTE_TYPES)
        .exclude(pk__in=declined["institute"])
        .in_bulk()
    )
    institutes = []
    for pk, org in orgs.items():
        recs = sorted(by_org[pk], key=lambda r: -r.score)[:3]
        titles = "、".join(
            f"《{r.obj.title}》" if r.kind == "achievement" else f"{r.obj.title}（专家）"
            for r in recs
        )
        institutes.append(
            Recommendation(
                org,
                "institute",
                sum(r.score for r in recs) / len(recs),
                f"相关成果与专家：{titles}",
            )
        )
    institutes.sort(key=lambda r: -r.score)
    return {"achievement": achievements, "expert": experts, "institute": institutes[:k]}


def for_achievement(
    achievement, *, k: int = 10, filters: dict | None = None
) -> dict[str, list[Recommendation]]:
    source = doc_id("achievement", achievement.pk)
    declined = {doc_id("demand", pk) for pk in declined_demand_ids(achievement)}
    wide_demands = _ranked(source, "demand", max(k, WIDE), filters, set())
    demands = [rec for rec in wide_demands if rec.result.id not in declined][:k]
    # Enterprises: owners of fitting demands first, then those on the same chain nodes.
    enterprises: dict[int, Recommendation] = {}
    for rec in wide_demands:
        org = rec.obj.owner
        if org.pk not in enterprises:
            enterprises[org.pk] = Recommendation(
                org,
                "enterprise",
                rec.score,
                lambda rec=rec: f"其技术需求《{rec.obj.title}》：{rec.explanation}",
            )
    nodes = list(achievement.chain_nodes.all())
    if nodes:
        same_chain = (
            Organisation.objects.filter(type=OrgType.ENTERPRISE, chain_nodes__in=nodes)
            .exclude(pk__in=enterprises)
            .distinct()
            .prefetch_related("chain_nodes")[:k]
        )
        node_names = {n.pk for n in nodes}
        for org in same_chain:
            shared = "、".join(str(n) for n in org.chain_nodes.all() if n.pk in node_names)
            enterprises[org.pk] = Recommendation(
                org, "enterprise", 0.0, f"同属产业链节点：{shared}"
            )
    ranked = sorted(enterprises.values(), key=lambda r: -r.score)[:k]
    return {"demand": demands, "enterprise": ranked}


def for_expert(
    expert, *, k: int = 10, filters: dict | None = None
) -> dict[str, list[Recommendation]]:
    source = doc_id("expert", expert.pk)
    declined = {doc_id("demand", pk) for pk in declined_demand_ids(expert)}
    demands = _ranked(source, "demand", k, filters, declined)
    return {"demand": demands}
