"""Alternates: who to call when an assigned reviewer drops out.

An alternate for an item is a reviewer who is not on it, has no conflict with it, still has
spare load, and whose group is below its cap on that item, so swapping them in for any one
dropout keeps every load and group cap. They are ranked by affinity. Quotas are not
re-checked here: replacing the only finance expert needs a finance alternate, which the
caller can filter for with the reviewer list.
"""

from __future__ import annotations

import numpy as np

from .problem import AssignmentProblem


def pick_alternates(
    problem: AssignmentProblem, pairs: np.ndarray, per_item: int
) -> dict[int, list[int]]:
    """Up to `per_item` alternates per item, best affinity first."""
    pairs = np.asarray(pairs, dtype=np.int64).reshape(-1, 2)
    n_rev = problem.n_reviewers
    load = np.bincount(pairs[:, 0], minlength=n_rev)
    spare = load < problem.max_load
    members = []
    full = []
    for group in problem.group_caps:
        order = np.argsort(group.labels, kind="stable")
        bounds = np.searchsorted(group.labels[order], np.arange(int(group.labels.max()) + 2))
        members.append((order, bounds))
        labels = group.labels[pairs[:, 0]]
        keep = labels >= 0
        keys, counts = np.unique(
            np.stack([pairs[keep, 1], labels[keep]], 1), axis=0, return_counts=True
        )
        full.append(keys[counts >= group.cap])
    out: dict[int, list[int]] = {}
    take = min(per_item, n_rev)
    for start, stop in problem.item_blocks():
        scores = np.array(problem.affinity_block(start, stop), dtype=np.float64, copy=True)
        scores[~spare] = -np.inf
        conflicts = problem.conflict_block(start, stop)
        if conflicts is not None:
            scores[conflicts] = -np.inf
        inside = (pairs[:, 1] >= start) & (pairs[:, 1] < stop)
        scores[pairs[inside, 0], pairs[inside, 1] - start] = -np.inf
        for (order, bounds), closed in zip(members, full, strict=True):
            for item, g in closed[(closed[:, 0] >= start) & (closed[:, 0] < stop)]:
                scores[order[bounds[g] : bounds[g + 1]], item - start] = -np.inf
        cols = np.ascontiguousarray(scores.T)
        if take < n_rev:
            top = np.argpartition(-cols, take - 1, axis=1)[:, :take]
        else:
            top = np.broadcast_to(np.arange(n_rev), cols.shape)
        # argpartition leaves the chosen few unordered: order them by affinity
        top = np.take_along_axis(top, np.argsort(-np.take_along_axis(cols, top, 1), 1), 1)
        for j in range(stop - start):
            if problem.per_item[start + j] == 0:
                continue
            chosen = top[j][np.isfinite(cols[j, top[j]])]
            out[start + j] = [int(r) for r in chosen]
    return out
