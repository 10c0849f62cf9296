"""Why an assignment problem has no solution, in plain words (Chinese and English).

The checks run from the simplest to the most global, and each one is a proof on its own:
counting eligible reviewers per item, what group caps and quotas leave of them, the load
totals, and finally a max-flow cut that names a set of items whose combined demand exceeds
what their eligible reviewers can give. A solver that finds its problem infeasible calls
`explain_infeasibility`, so a user never gets a silent partial answer.
"""

from __future__ import annotations

import math

import numpy as np
from ortools.graph.python import max_flow

from .messages import Message, preview, preview_zh
from .problem import AssignmentProblem

#: the max-flow cut is computed on the full eligible graph only below this many cells
MAXFLOW_CELLS = 5_000_000


def explain_forced(problem: AssignmentProblem) -> list[Message]:
    """Forced pairs that cannot all hold: conflicts, too many per item, loads or group caps."""
    out: list[Message] = []
    forced = problem.forced
    if not len(forced):
        return out
    r, i = forced[:, 0], forced[:, 1]
    clash = forced[problem.pair_conflict(r, i)]
    for a, b in clash:
        out.append(
            Message(
                "forced_conflict",
                f"forced pair (reviewer {a}, item {b}) is also a declared conflict",
                f"指定配对（专家 {a}，项目 {b}）同时属于回避关系",
                items=(int(b),),
                reviewers=(int(a),),
            )
        )
    per_item = np.bincount(i, minlength=problem.n_items)
    for b in np.flatnonzero(per_item > problem.per_item):
        out.append(
            Message(
                "forced_over_demand",
                f"item {b} has {per_item[b]} forced reviewers but needs only {problem.per_item[b]}",
                f"项目 {b} 指定了 {per_item[b]} 名专家，但只需要 {problem.per_item[b]} 名",
                items=(int(b),),
            )
        )
    load = np.bincount(r, minlength=problem.n_reviewers)
    for a in np.flatnonzero(load > problem.max_load):
        out.append(
            Message(
                "forced_over_load",
                f"reviewer {a} is forced onto {load[a]} items, above the maximum "
                f"{problem.max_load[a]}",
                f"专家 {a} 被指定评审 {load[a]} 项，超过上限 {problem.max_load[a]}",
                reviewers=(int(a),),
            )
        )
    open_slots = problem.per_item - per_item
    for quota in problem.quotas:
        have = np.bincount(i[quota.members[r]], minlength=problem.n_items)
        short = np.flatnonzero(
            (problem.per_item > 0) & (quota.minimum - have > np.maximum(open_slots, 0))
        )
        for b in short:
            out.append(
                Message(
                    "forced_blocks_quota",
                    f"item {b}: forced reviewers leave {max(open_slots[b], 0)} places, too few "
                    f"for the {quota.minimum[b] - have[b]} {quota.name} reviewers still required",
                    f"项目 {b}：指定专家之后只剩 {max(open_slots[b], 0)} 个名额，不够再安排所需的 "
                    f"{quota.minimum[b] - have[b]} 名{quota.name}专家",
                    items=(int(b),),
                )
            )
    for group in problem.group_caps:
        labels = group.labels[r]
        keep = labels >= 0
        keys, counts = np.unique(np.stack([i[keep], labels[keep]], 1), axis=0, return_counts=True)
        for (b, g), n in zip(keys, counts, strict=True):
            if n > group.cap:
                out.append(
                    Message(
                        "forced_over_group_cap",
                        f"item {b} has {n} forced reviewers from {group.name} "
                        f"'{group.group_label(g)}', above the cap {group.cap}",
                        f"项目 {b} 指定了 {n} 名来自同一{group.name}“{group.group_label(g)}”"
                        f"的专家，超过上限 {group.cap}",
                        items=(int(b),),
                    )
                )
    return out


def necessary_conditions(
    problem: AssignmentProblem, prob_cap: float | None = None
) -> list[Message]:
    """The cheap counting checks alone: each finding already proves infeasibility."""
    return (
        explain_forced(problem)
        + _load_totals(problem)
        + _per_item_supply(problem, prob_cap)
        + _min_load_reach(problem)
    )


def explain_infeasibility(
    problem: AssignmentProblem,
    prob_cap: float | None = None,
    uncovered: np.ndarray | None = None,
) -> list[Message]:
    """Every reason found that no assignment satisfies all constraints (never empty)."""
    findings = necessary_conditions(problem, prob_cap)
    if not findings and problem.n_reviewers * problem.n_items <= MAXFLOW_CELLS:
        findings += _hall_cut(problem, prob_cap)
    if not findings:
        items = () if uncovered is None else tuple(int(v) for v in uncovered)
        where = f" (items {preview(items)})" if items else ""
        where_zh = f"（项目 {preview_zh(items)}）" if items else ""
        findings.append(
            Message(
                "combined_constraints",
                "no assignment satisfies all constraints together: each constraint alone can "
                "be met, but their combination (loads, group caps, quotas, minimum loads) "
                f"cannot{where}; relax a load, cap or quota",
                "各项约束单独都可满足，但组合在一起（评审量上下限、同组上限、类别配额）无解"
                f"{where_zh}；请放宽评审量、同组上限或配额",
                items=items,
            )
        )
    return findings


def _load_totals(problem: AssignmentProblem) -> list[Message]:
    out = []
    demand = problem.total_demand
    supply = int(problem.max_load.sum())
    if supply < demand:
        out.append(
            Message(
                "loads_too_tight",
                f"items need {demand} reviews in total but maximum loads allow only {supply}",
                f"所有项目共需 {demand} 人次评审，但专家最大评审量合计只有 {supply} 人次",
                data={"demand": demand, "supply": supply},
            )
        )
    floor = int(problem.min_load.sum())
    if floor > demand:
        out.append(
            Message(
                "min_loads_exceed_demand",
                f"minimum loads add up to {floor} reviews but items need only {demand}",
                f"专家最小评审量合计 {floor} 人次，超过所有项目所需的 {demand} 人次",
                data={"demand": demand, "min_total": floor},
            )
        )
    elif len(problem.forced):
        # forced pairs fill slots; the reviewers they use may not be the ones with minimums
        load = np.bincount(problem.forced[:, 0], minlength=problem.n_reviewers)
        open_slots = demand - len(problem.forced)
        still = int(np.maximum(0, problem.min_load - load).sum())
        if still > open_slots:
            out.append(
                Message(
                    "min_loads_exceed_open_slots",
                    f"after the forced pairs {open_slots} review slots remain, but minimum loads "
                    f"still need {still}",
                    f"指定配对之后只剩 {open_slots} 个评审名额，而专家最小评审量仍需 {still} 人次",
                    data={"open_slots": open_slots, "min_total": still},
                )
            )
    return out


def _per_item_supply(problem: AssignmentProblem, prob_cap: float | None) -> list[Message]:
    """Per item: eligible reviewers, what group caps leave of them, and quota supply."""
    q = 1.0 if prob_cap is None else float(prob_cap)
    k = problem.per_item
    eligible = problem.eligible_counts()
    out = []
    short = np.flatnonzero(eligible * q < k - 1e-9)
    if len(short):
        if prob_cap is None:
            en = (
                f"too many conflicts: items {preview(short)} have fewer eligible reviewers "
                f"than they need (e.g. item {short[0]}: {eligible[short[0]]} eligible, needs "
                f"{k[short[0]]})"
            )
            zh = (
                f"回避过多：项目 {preview_zh(short)} 的可选专家少于所需人数（如项目 {short[0]}："
                f"可选 {eligible[short[0]]} 名，需要 {k[short[0]]} 名）"
            )
        else:
            need = math.ceil(k[short[0]] / q - 1e-9)
            en = (
                f"probability cap {q} is too low: items {preview(short)} need at least "
                f"k/q eligible reviewers (e.g. item {short[0]}: {eligible[short[0]]} eligible, "
                f"needs {need})"
            )
            zh = (
                f"随机上限 {q} 过低：项目 {preview_zh(short)} 至少需要 k/q 名可选专家（如项目 "
                f"{short[0]}：可选 {eligible[short[0]]} 名，需要 {need} 名）"
            )
        out.append(Message("too_many_conflicts", en, zh, items=tuple(int(v) for v in short)))
    done = set(short.tolist())
    for group in problem.group_caps:
        usable = _group_limited_supply(problem, group.labels, group.cap, q, None)
        bad = [int(v) for v in np.flatnonzero(usable < k - 1e-9) if v not in done]
        if bad:
            out.append(
                Message(
                    "group_cap_blocks",
                    f"{group.name} cap {group.cap} leaves items {preview(bad)} short: too many "
                    f"of their eligible reviewers share a {group.name} (e.g. item {bad[0]}: "
                    f"{usable[bad[0]]:g} usable, needs {k[bad[0]]})",
                    f"同一{group.name}最多 {group.cap} 人的限制使项目 {preview_zh(bad)} 人数不足："
                    f"可选专家过于集中于少数{group.name}（如项目 {bad[0]}：可用 "
                    f"{usable[bad[0]]:g} 名，需要 {k[bad[0]]} 名）",
                    items=tuple(bad),
                )
            )
            done.update(bad)
    for quota in problem.quotas:
        caps = [(g.labels, g.cap) for g in problem.group_caps] or [(None, 0)]
        usable = np.min(
            [_group_limited_supply(problem, lab, cap, q, quota.members) for lab, cap in caps],
            axis=0,
        )
        impossible = np.flatnonzero(quota.minimum > k)
        bad = np.union1d(impossible, np.flatnonzero(usable < quota.minimum - 1e-9))
        if len(bad):
            b = int(bad[0])
            out.append(
                Message(
                    "quota_impossible",
                    f"quota '{quota.name}' cannot be met on items {preview(bad)} (e.g. item "
                    f"{b}: needs {quota.minimum[b]} of {k[b]} reviewers, {usable[b]:g} eligible "
                    f"{quota.name} reviewers usable)",
                    f"类别配额“{quota.name}”在项目 {preview_zh(bad)} 上无法满足（如项目 {b}：需 "
                    f"{quota.minimum[b]} 名，共 {k[b]} 名评审，可用的{quota.name}专家只有 "
                    f"{usable[b]:g} 名）",
                    items=tuple(int(v) for v in bad),
                )
            )
    if len(problem.quotas) > 1:
        out += _quota_sum(problem)
    out += _quota_supply(problem)
    return out


def _quota_supply(problem: AssignmentProblem) -> list[Message]:
    """A category's members cannot give more reviews than their maximum loads allow."""
    out = []
    for quota in problem.quotas:
        need = int(quota.minimum[problem.per_item > 0].sum())
        supply = int(problem.max_load[quota.members].sum())
        if need > supply:
            out.append(
                Message(
                    "quota_supply",
                    f"quota '{quota.name}' needs {need} reviews from its members in total, but "
                    f"their maximum loads allow only {supply}",
                    f"类别配额“{quota.name}”共需该类专家评审 {need} 人次，但这些专家的最大评审量"
                    f"合计只有 {supply} 人次",
                    data={"need": need, "supply": supply},
                )
            )
    return out


def _group_limited_supply(
    problem: AssignmentProblem,
    labels: np.ndarray | None,
    cap: int,
    q: float,
    members: np.ndarray | None,
) -> np.ndarray:
    """Per item: eligible reviewers usable once each group is capped (expected, with cap q)."""
    usable = np.zeros(problem.n_items)
    for start, stop in problem.item_blocks():
        conflicts = problem.conflict_block(start, stop)
        ok = np.ones((problem.n_reviewers, stop - start), dtype=bool)
        if conflicts is not None:
            ok &= ~conflicts
        if members is not None:
            ok &= members[:, None]
        if labels is None:
            usable[start:stop] = ok.sum(axis=0) * q
            continue
        grouped = labels >= 0
        usable[start:stop] = ok[~grouped].sum(axis=0) * q
        n_groups = int(labels.max()) + 1 if grouped.any() else 0
        for j in range(stop - start):
            counts = np.bincount(labels[grouped & ok[:, j]], minlength=n_groups)
            usable[start + j] += np.minimum(cap, counts * q).sum()
    return usable


def _quota_sum(problem: AssignmentProblem) -> list[Message]:
    members = np.stack([q.members for q in problem.quotas])
    if (members.sum(axis=0) > 1).any():
        return []  # overlapping categories: one reviewer can fill two quotas
    need = np.sum([q.minimum for q in problem.quotas], axis=0)
    bad = np.flatnonzero(need > problem.per_item)
    if not len(bad):
        return []
    b = int(bad[0])
    return [
        Message(
            "quotas_exceed_panel",
            f"quotas add up to more reviewers than items {preview(bad)} have (e.g. item {b}: "
            f"{need[b]} required by quotas, panel of {problem.per_item[b]})",
            f"各类别配额之和超过项目 {preview_zh(bad)} 的评审人数（如项目 {b}：配额合计 "
            f"{need[b]} 名，评审组只有 {problem.per_item[b]} 名）",
            items=tuple(int(v) for v in bad),
        )
    ]


def _min_load_reach(problem: AssignmentProblem) -> list[Message]:
    needy = np.flatnonzero(problem.min_load > 0)
    if not len(needy):
        return []
    reach = np.zeros(len(needy), dtype=np.int64)
    for start, stop in problem.item_blocks():
        conflicts = problem.conflict_block(start, stop)
        open_items = problem.per_item[start:stop] > 0
        if conflicts is None:
            reach += int(open_items.sum())
        else:
            reach += (~conflicts[needy] & open_items[None, :]).sum(axis=1)
    bad = needy[reach < problem.min_load[needy]]
    if not len(bad):
        return []
    a = int(bad[0])
    return [
        Message(
            "min_load_unreachable",
            f"reviewers {preview(bad)} cannot reach their minimum load: too few items they "
            f"may review (e.g. reviewer {a}: minimum {problem.min_load[a]}, "
            f"{reach[needy == a][0]} eligible items)",
            f"专家 {preview_zh(bad)} 无法达到最小评审量：可评审的项目太少（如专家 {a}：最少 "
            f"{problem.min_load[a]} 项，可评 {reach[needy == a][0]} 项）",
            reviewers=tuple(int(v) for v in bad),
        )
    ]


def _hall_cut(problem: AssignmentProblem, prob_cap: float | None) -> list[Message]:
    """Max flow with loads and the first group cap; a short flow names the blocked items."""
    n_rev, n_items = problem.n_reviewers, problem.n_items
    unit, arc = (1, 1) if prob_cap is None else _scaled(prob_cap)
    s, t, rev0, item0 = 0, 1, 2, 2 + n_rev
    tails, heads, caps = [], [], []
    tails.append(np.zeros(n_rev, np.int64))
    heads.append(rev0 + np.arange(n_rev))
    caps.append(unit * problem.max_load)
    rows, cols = [], []
    for start, stop in problem.item_blocks():
        conflicts = problem.conflict_block(start, stop)
        ok = np.ones((n_rev, stop - start), dtype=bool) if conflicts is None else ~conflicts
        r, j = np.nonzero(ok)
        rows.append(r)
        cols.append(j + start)
    r = np.concatenate(rows)
    i = np.concatenate(cols)
    head = item0 + i
    next_node = item0 + n_items
    group = problem.group_caps[0] if problem.group_caps else None
    if group is not None:
        labels = group.labels[r]
        via = (labels >= 0) & (group.cap < problem.per_item[i])
        keys, inv = np.unique(
            i[via] * (int(group.labels.max()) + 1) + labels[via], return_inverse=True
        )
        head[via] = next_node + inv
        tails.append(next_node + np.arange(len(keys)))
        heads.append(item0 + keys // (int(group.labels.max()) + 1))
        caps.append(np.full(len(keys), unit * group.cap))
        next_node += len(keys)
    tails.append(rev0 + r)
    heads.append(head)
    caps.append(np.full(len(r), arc))
    tails.append(item0 + np.arange(n_items))
    heads.append(np.full(n_items, t))
    caps.append(unit * problem.per_item)
    flow = max_flow.SimpleMaxFlow()
    flow.add_arcs_with_capacity(
        np.concatenate(tails), np.concatenate(heads), np.concatenate(caps).astype(np.int64)
    )
    if flow.solve(s, t) != flow.OPTIMAL:
        return []
    demand = unit * problem.total_demand
    if flow.optimal_flow() >= demand:
        return []
    # items not reachable from the source in the residual graph form the sink side of a min
    # cut: together they need more than every arc into them can carry (a Hall violation)
    reachable = np.zeros(next_node, dtype=bool)
    reachable[np.asarray(flow.get_source_side_min_cut(), dtype=np.int64)] = True
    blocked = np.flatnonzero(~reachable[item0 : item0 + n_items] & (problem.per_item > 0))
    need = int(problem.per_item[blocked].sum())
    missing = (demand - flow.optimal_flow()) / unit
    return [
        Message(
            "items_cannot_be_covered",
            f"items {preview(blocked)} together need {need} reviews, but the reviewers eligible "
            f"for them can give at most {need - missing:g} within their loads and caps "
            f"({missing:g} short)",
            f"项目 {preview_zh(blocked)} 合计需要 {need} 人次评审，但可评审它们的专家在评审量和"
            f"同组上限内最多只能提供 {need - missing:g} 人次（缺 {missing:g} 人次）",
            items=tuple(int(v) for v in blocked),
            data={"need": need, "short": missing},
        )
    ]


def _scaled(prob_cap: float) -> tuple[int, int]:
    from fractions import Fraction

    frac = Fraction(prob_cap).limit_denominator(100)
    return frac.denominator, frac.numerator
