"""Independent re-verification of an assignment against its problem.

This module deliberately shares no code with the solvers: it recounts everything from the
(reviewer, item) pairs and the problem arrays, so a solver bug shows up as a violation instead
of being trusted. Every solver result carries the report; the command line refuses to write an
assignment the checker rejects.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .messages import Message, preview, preview_zh
from .problem import AssignmentProblem

#: detailed messages kept per constraint; counts always cover every violation
DETAIL_LIMIT = 20


@dataclass
class CheckReport:
    """What the checker found. `ok` is True only when no constraint is violated."""

    violations: list[Message] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    objective: float = 0.0
    item_scores: np.ndarray = field(default_factory=lambda: np.zeros(0))
    n_pairs: int = 0

    @property
    def ok(self) -> bool:
        return not any(self.counts.values())

    @property
    def min_item_mean(self) -> float | None:
        """Lowest average affinity per assigned reviewer over items that need reviewers."""
        return None if not len(self.item_scores) else float(np.min(self.item_scores))

    def summary(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "pairs": self.n_pairs,
            "violations": {k: v for k, v in self.counts.items() if v},
        }


def check_assignment(problem: AssignmentProblem, pairs: np.ndarray) -> CheckReport:
    """Re-verify every constraint of `problem` on `pairs` ((n, 2) array of reviewer, item)."""
    pairs = np.asarray(pairs, dtype=np.int64).reshape(-1, 2)
    report = CheckReport(n_pairs=len(pairs))
    n_rev, n_items = problem.n_reviewers, problem.n_items

    def record(constraint: str, messages: list[Message], count: int) -> None:
        report.counts[constraint] = report.counts.get(constraint, 0) + count
        report.violations.extend(messages[:DETAIL_LIMIT])

    in_range = (
        (pairs[:, 0] >= 0) & (pairs[:, 0] < n_rev) & (pairs[:, 1] >= 0) & (pairs[:, 1] < n_items)
    )
    bad = pairs[~in_range]
    record(
        "range",
        [
            Message(
                "pair_out_of_range",
                f"pair (reviewer {r}, item {i}) is outside the matrix",
                f"配对（专家 {r}，项目 {i}）超出矩阵范围",
            )
            for r, i in bad[:DETAIL_LIMIT]
        ],
        len(bad),
    )
    pairs = pairs[in_range]
    unique, multiplicity = np.unique(pairs, axis=0, return_counts=True)
    duplicated = unique[multiplicity > 1]
    record(
        "duplicate",
        [
            Message(
                "pair_duplicated",
                f"reviewer {r} is assigned to item {i} more than once",
                f"专家 {r} 被重复分配到项目 {i}",
                items=(int(i),),
                reviewers=(int(r),),
            )
            for r, i in duplicated[:DETAIL_LIMIT]
        ],
        len(duplicated),
    )
    reviewers, items = pairs[:, 0], pairs[:, 1]

    conflicted = pairs[problem.pair_conflict(reviewers, items)]
    record(
        "conflict",
        [
            Message(
                "conflict_assigned",
                f"reviewer {r} has a conflict with item {i} but is assigned to it",
                f"专家 {r} 与项目 {i} 存在回避关系，却被分配评审",
                items=(int(i),),
                reviewers=(int(r),),
            )
            for r, i in conflicted[:DETAIL_LIMIT]
        ],
        len(conflicted),
    )

    per_item = np.bincount(items, minlength=n_items)
    wrong = np.flatnonzero(per_item != problem.per_item)
    record(
        "coverage",
        [
            Message(
                "item_coverage",
                f"item {i} has {per_item[i]} reviewers, needs exactly {problem.per_item[i]}",
                f"项目 {i} 分配了 {per_item[i]} 名专家，应为 {problem.per_item[i]} 名",
                items=(int(i),),
            )
            for i in wrong[:DETAIL_LIMIT]
        ],
        len(wrong),
    )

    load = np.bincount(reviewers, minlength=n_rev)
    over = np.flatnonzero(load > problem.max_load)
    record(
        "max_load",
        [
            Message(
                "load_above_max",
                f"reviewer {r} has {load[r]} items, more than the maximum {problem.max_load[r]}",
                f"专家 {r} 被分配 {load[r]} 项，超过上限 {problem.max_load[r]}",
                reviewers=(int(r),),
            )
            for r in over[:DETAIL_LIMIT]
        ],
        len(over),
    )
    under = np.flatnonzero(load < problem.min_load)
    record(
        "min_load",
        [
            Message(
                "load_below_min",
                f"reviewer {r} has {load[r]} items, fewer than the minimum {problem.min_load[r]}",
                f"专家 {r} 被分配 {load[r]} 项，少于下限 {problem.min_load[r]}",
                reviewers=(int(r),),
            )
            for r in under[:DETAIL_LIMIT]
        ],
        len(under),
    )

    for group in problem.group_caps:
        labels = group.labels[reviewers]
        grouped = labels >= 0
        keys, counts = np.unique(
            np.stack([items[grouped], labels[grouped]], axis=1), axis=0, return_counts=True
        )
        excess = keys[counts > group.cap]
        excess_counts = counts[counts > group.cap]
        record(
            f"group:{group.name}",
            [
                Message(
                    "group_cap_exceeded",
                    f"item {i} has {c} reviewers from {group.name} '{group.group_label(g)}', "
                    f"at most {group.cap} allowed",
                    f"项目 {i} 有 {c} 名专家来自同一{group.name}“{group.group_label(g)}”，"
                    f"上限为 {group.cap} 名",
                    items=(int(i),),
                    reviewers=tuple(int(r) for r in reviewers[(items == i) & (labels == g)]),
                )
                for (i, g), c in zip(
                    excess[:DETAIL_LIMIT], excess_counts[:DETAIL_LIMIT], strict=True
                )
            ],
            len(excess),
        )

    for quota in problem.quotas:
        have = np.bincount(items[quota.members[reviewers]], minlength=n_items)
        short = np.flatnonzero(have < quota.minimum)
        record(
            f"quota:{quota.name}",
            [
                Message(
                    "quota_short",
                    f"item {i} has {have[i]} {quota.name} reviewers, needs at least "
                    f"{quota.minimum[i]}",
                    f"项目 {i} 只有 {have[i]} 名{quota.name}专家，至少需要 {quota.minimum[i]} 名",
                    items=(int(i),),
                )
                for i in short[:DETAIL_LIMIT]
            ],
            len(short),
        )

    if len(problem.forced):
        assigned = {(int(r), int(i)) for r, i in pairs}
        missing = [(int(r), int(i)) for r, i in problem.forced if (r, i) not in assigned]
        record(
            "forced",
            [
                Message(
                    "forced_missing",
                    f"forced pair (reviewer {r}, item {i}) is missing",
                    f"指定配对（专家 {r}，项目 {i}）未出现在分配结果中",
                    items=(i,),
                    reviewers=(r,),
                )
                for r, i in missing[:DETAIL_LIMIT]
            ],
            len(missing),
        )

    scores = problem.pair_affinity(reviewers, items)
    report.objective = float(scores.sum())
    totals = np.bincount(items, weights=scores, minlength=n_items)
    needed = problem.per_item > 0
    report.item_scores = totals[needed] / problem.per_item[needed]
    return report


def check_marginals(
    problem: AssignmentProblem, marginals: Any, prob_cap: float, tol: float = 1e-9
) -> CheckReport:
    """Verify a fractional assignment: caps q on non-forced pairs, demands, loads, conflicts.

    `marginals` is a sparse or dense reviewers × items matrix of assignment probabilities.
    Group caps and quotas are checked in expectation.
    """
    import scipy.sparse as sp

    coo = sp.coo_array(marginals)
    r, i, p = coo.row.astype(np.int64), coo.col.astype(np.int64), coo.data
    keep = p > tol
    r, i, p = r[keep], i[keep], p[keep]
    report = CheckReport(n_pairs=len(p))
    forced = {(int(a), int(b)) for a, b in problem.forced}
    over_cap = [
        (a, b, c)
        for a, b, c in zip(r, i, p, strict=True)
        if c > prob_cap + tol and (int(a), int(b)) not in forced
    ]
    checks: list[tuple[str, np.ndarray, str, str]] = []
    report.counts["probability_cap"] = len(over_cap)
    report.violations += [
        Message(
            "probability_above_cap",
            f"reviewer {a} reviews item {b} with probability {c:.3f} > cap {prob_cap}",
            f"专家 {a} 评审项目 {b} 的概率 {c:.3f} 超过上限 {prob_cap}",
        )
        for a, b, c in over_cap[:DETAIL_LIMIT]
    ]
    report.counts["conflict"] = int(problem.pair_conflict(r, i).sum())
    cover = np.bincount(i, weights=p, minlength=problem.n_items)
    load = np.bincount(r, weights=p, minlength=problem.n_reviewers)
    checks.append(("coverage", np.abs(cover - problem.per_item) > 1e-6, "items", "项目"))
    checks.append(("max_load", load > problem.max_load + 1e-6, "reviewers", "专家"))
    checks.append(("min_load", load < problem.min_load - 1e-6, "reviewers", "专家"))
    for name, mask, what, what_zh in checks:
        bad = np.flatnonzero(mask)
        report.counts[name] = len(bad)
        if len(bad):
            report.violations.append(
                Message(
                    f"marginal_{name}",
                    f"expected {name} violated for {what} {preview(bad)}",
                    f"{what_zh} {preview_zh(bad)} 的期望{name}不满足",
                )
            )
    for group in problem.group_caps:
        labels = group.labels[r]
        g = labels >= 0
        keys = i[g] * (int(group.labels.max()) + 1) + labels[g]
        sums = np.bincount(np.unique(keys, return_inverse=True)[1], weights=p[g])
        report.counts[f"group:{group.name}"] = int((sums > group.cap + 1e-6).sum())
    report.objective = float((problem.pair_affinity(r, i) * p).sum())
    return report
