"""Exhaustive search over every assignment of a tiny problem: the ground truth for tests."""

from __future__ import annotations

import itertools

import numpy as np

from kechuang.assignment import AssignmentProblem


def all_assignments(problem: AssignmentProblem):
    """Yield every (n, 2) pair array that satisfies all constraints of `problem`."""
    affinity = np.asarray(
        problem.affinity.toarray() if problem.is_sparse else problem.affinity, dtype=float
    )
    conflicts = problem.conflicts
    if conflicts is not None and hasattr(conflicts, "toarray"):
        conflicts = conflicts.toarray()
    n_rev, n_items = affinity.shape
    options = []
    for i in range(n_items):
        ok = [r for r in range(n_rev) if conflicts is None or not conflicts[r, i]]
        options.append(list(itertools.combinations(ok, int(problem.per_item[i]))))
    forced = {(int(r), int(i)) for r, i in problem.forced}
    for choice in itertools.product(*options):
        pairs = [(r, i) for i, panel in enumerate(choice) for r in panel]
        if not forced <= set(pairs):
            continue
        load = np.bincount([r for r, _ in pairs], minlength=n_rev)
        if (load > problem.max_load).any() or (load < problem.min_load).any():
            continue
        if any(_breaks_group(choice, g) for g in problem.group_caps):
            continue
        if any(
            sum(quota.members[r] for r in panel) < quota.minimum[i]
            for quota in problem.quotas
            for i, panel in enumerate(choice)
        ):
            continue
        yield np.array(pairs, dtype=np.int64).reshape(-1, 2), affinity


def _breaks_group(choice, group) -> bool:
    for panel in choice:
        labels = [group.labels[r] for r in panel if group.labels[r] >= 0]
        if labels and max(labels.count(g) for g in set(labels)) > group.cap:
            return True
    return False


def best_total(problem: AssignmentProblem) -> float | None:
    best = None
    for pairs, affinity in all_assignments(problem):
        value = float(affinity[pairs[:, 0], pairs[:, 1]].sum()) if len(pairs) else 0.0
        best = value if best is None else max(best, value)
    return best


def best_fair(problem: AssignmentProblem) -> tuple[float, float] | None:
    """Lexicographic best (worst item's mean, total)."""
    best = None
    k = np.maximum(problem.per_item, 1)
    needed = problem.per_item > 0
    for pairs, affinity in all_assignments(problem):
        scores = affinity[pairs[:, 0], pairs[:, 1]] if len(pairs) else np.zeros(0)
        totals = np.bincount(pairs[:, 1], weights=scores, minlength=problem.n_items)
        key = (float(np.min((totals / k)[needed], initial=np.inf)), float(scores.sum()))
        best = key if best is None or key > best else best
    return best
