"""Candidate pairs: which (reviewer, item) arcs or columns a pruned model starts from.

Pruning only decides where the solvers start: the flow solvers price every left-out pair
afterwards, and the MILP solvers bound what the left-out pairs could add, so the reported
bound always holds for the full matrix.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..problem import AssignmentProblem
from .base import Remaining


@dataclass
class Candidates:
    """A deduplicated set of (reviewer, item, score) arcs, keyed by item·n_rev + reviewer."""

    reviewers: np.ndarray
    items: np.ndarray
    scores: np.ndarray
    n_rev: int

    def __post_init__(self) -> None:
        keys = self.items * self.n_rev + self.reviewers
        self.keys, first = np.unique(keys, return_index=True)
        self.reviewers = self.reviewers[first]
        self.items = self.items[first]
        self.scores = self.scores[first]

    def add(self, reviewers: np.ndarray, items: np.ndarray, scores: np.ndarray) -> None:
        merged = Candidates(
            np.concatenate([self.reviewers, reviewers]),
            np.concatenate([self.items, items]),
            np.concatenate([self.scores, scores]),
            self.n_rev,
        )
        self.reviewers, self.items, self.scores = merged.reviewers, merged.items, merged.scores
        self.keys = merged.keys


def top_pairs(
    p: AssignmentProblem,
    remaining: Remaining,
    per_item: int,
    per_reviewer: int = 2,
    rows_allowed: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Top-`per_item` eligible reviewers of every item, and top items of every reviewer.

    The reviewer side matters when loads bind: every item's favourites are the same senior
    experts, and without arcs to the rest the first network cannot staff every item.
    """
    rem = remaining
    n_rev = p.n_reviewers
    rs, its = [], []
    want = max(per_reviewer, 1)
    best_val = np.full((n_rev, 0), -np.inf, dtype=np.float32)
    best_item = np.zeros((n_rev, 0), dtype=np.int64)
    for start, stop in p.item_blocks():
        # float32 is plenty to rank candidates (pricing is what makes the answer exact) and
        # halves the memory traffic of this full pass
        block = np.array(p.affinity_block(start, stop), dtype=np.float32)
        conflicts = p.conflict_block(start, stop)
        if conflicts is not None:
            np.copyto(block, -np.inf, where=conflicts)
        block[:, rem.demand[start:stop] == 0] = -np.inf
        if rows_allowed is not None:
            block[~rows_allowed] = -np.inf
        m = min(per_item, n_rev)
        scores_t = np.ascontiguousarray(block.T)
        if m < n_rev:
            top = np.argpartition(-scores_t, m - 1, axis=1)[:, :m]
        else:
            top = np.broadcast_to(np.arange(n_rev), scores_t.shape)
        cols = np.repeat(np.arange(start, stop), top.shape[1])
        rows = top.reshape(-1)
        ok = np.isfinite(scores_t[cols - start, rows])
        rs.append(rows[ok])
        its.append(cols[ok])
        # running top items per reviewer: best of this block, merged with the best so far
        if per_reviewer == 0:
            continue
        keep = min(want + int(rem.min_load.max(initial=0)), stop - start)
        if keep < stop - start:
            sel = np.argpartition(-block, keep - 1, axis=1)[:, :keep]
        else:
            sel = np.broadcast_to(np.arange(stop - start), (n_rev, stop - start))
        merged_val = np.concatenate([best_val, np.take_along_axis(block, sel, 1)], axis=1)
        merged_item = np.concatenate([best_item, start + sel], axis=1)
        keep = min(want + int(rem.min_load.max(initial=0)), merged_val.shape[1])
        sel = np.argpartition(-merged_val, keep - 1, axis=1)[:, :keep]
        best_val = np.take_along_axis(merged_val, sel, 1)
        best_item = np.take_along_axis(merged_item, sel, 1)
    rows = np.repeat(np.arange(n_rev), best_val.shape[1])
    ok = np.isfinite(best_val.ravel())
    rs.append(rows[ok])
    its.append(best_item.ravel()[ok])
    return np.concatenate(rs).astype(np.int64), np.concatenate(its).astype(np.int64)
