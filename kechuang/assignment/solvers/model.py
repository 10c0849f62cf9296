"""The general pair model: one binary column per candidate (reviewer, item) pair.

Rows: every item gets exactly its demand; reviewer loads within [min, max]; for each group
family at most `cap` of one group on an item; for each quota at least `minimum` members on an
item; and for fairness every item's mean affinity at least t (t maximised in the "floor"
stage, fixed to a floor in the second stage). Minimisation form for HiGHS: cost −affinity.

The LP relaxation is solved by column generation over the full matrix. With row duals y the
Lagrangian bound

    LB(y) = Σ_rows y·rhs(y) + Σ_columns min over x∈[0,1] of (c − Aᵀy)·x  (+ the t column)

holds for the *unpruned* problem whatever the candidate set, so −LB is the reported upper
bound, and pairs with negative reduced cost are added until none remain (LP bound exact).
Elastic slack columns with a large penalty keep a pruned LP feasible; if slack survives, a
phase-1 run (minimise slack) proves infeasibility when its own bound is positive.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import scipy.sparse as sp

from ..problem import AssignmentProblem, GroupCap
from .base import Remaining
from .candidates import Candidates

Stage = Literal["total", "floor", "phase1"]
TOL = 1e-9


@dataclass
class Family:
    """One group cap with the slots forced pairs already used."""

    group: GroupCap
    n_groups: int
    used_keys: np.ndarray
    used_counts: np.ndarray

    def cap_left(self, keys: np.ndarray) -> np.ndarray:
        cap = np.full(len(keys), self.group.cap, dtype=np.int64)
        if len(self.used_keys) and len(keys):
            at = np.minimum(np.searchsorted(self.used_keys, keys), len(self.used_keys) - 1)
            hit = self.used_keys[at] == keys
            cap[hit] -= self.used_counts[at[hit]]
        return cap


@dataclass
class ModelSpec:
    problem: AssignmentProblem
    remaining: Remaining
    stage: Stage = "total"
    floor: float | None = None

    def __post_init__(self) -> None:
        p, rem = self.problem, self.remaining
        forced = rem.forced
        self.forced_score = np.bincount(
            forced[:, 1],
            weights=p.pair_affinity(forced[:, 0], forced[:, 1]),
            minlength=p.n_items,
        )
        self.k = np.maximum(p.per_item, 1).astype(np.float64)
        self.families = []
        for group in p.group_caps:
            n_groups = int(group.labels.max()) + 1 if (group.labels >= 0).any() else 1
            labels = group.labels[forced[:, 0]]
            keep = labels >= 0
            keys, counts = np.unique(forced[keep, 1] * n_groups + labels[keep], return_counts=True)
            self.families.append(Family(group, n_groups, keys, counts))
        self.amax = max(1.0, p.max_affinity())
        self.penalty = 1e3 * self.amax * (1 + int(p.per_item.max()))
        open_items = rem.demand > 0
        # items whose panel is fully forced have a fixed mean the fair stages must respect
        fixed = (p.per_item > 0) & ~open_items
        self.t_hi = float(np.min(self.forced_score[fixed] / self.k[fixed], initial=self.amax + 1))
        self.t_lo = -self.amax - 1.0
        self.fair_items = np.flatnonzero(open_items & (p.per_item > 0))


class PairModel:
    """Rows and columns over one candidate set, ready for HiGHS (LP/MILP) or CP-SAT."""

    def __init__(self, spec: ModelSpec, cands: Candidates):
        self.spec, self.cands = spec, cands
        p, rem = spec.problem, spec.remaining
        n = len(cands.keys)
        r, i, a = cands.reviewers, cands.items, cands.scores
        rows, cols, vals = [], [], []
        lower, upper, kinds = [], [], []
        self.blocks: dict[str, slice] = {}
        self.keys: dict[str, np.ndarray] = {}

        def add_block(
            name: str,
            row_of_col: np.ndarray,
            col_idx: np.ndarray,
            coef: np.ndarray,
            n_rows: int,
            lo: np.ndarray,
            hi: np.ndarray,
        ) -> None:
            base = sum(len(x) for x in lower)
            rows.append(base + row_of_col)
            cols.append(col_idx)
            vals.append(coef)
            lower.append(np.asarray(lo, dtype=np.float64))
            upper.append(np.asarray(hi, dtype=np.float64))
            kinds.append(name)
            self.blocks[name] = slice(base, base + n_rows)

        all_cols = np.arange(n)
        cover_items = np.flatnonzero(rem.demand > 0)
        pos = np.searchsorted(cover_items, i)
        d = rem.demand[cover_items].astype(np.float64)
        add_block("cover", pos, all_cols, np.ones(n), len(cover_items), d, d)
        self.keys["cover"] = cover_items

        load_revs = np.union1d(np.unique(r), np.flatnonzero(rem.min_load > 0))
        pos = np.searchsorted(load_revs, r)
        add_block(
            "load",
            pos,
            all_cols,
            np.ones(n),
            len(load_revs),
            rem.min_load[load_revs],
            rem.max_load[load_revs],
        )
        self.keys["load"] = load_revs

        for f, fam in enumerate(spec.families):
            labels = fam.group.labels[r]
            grouped = labels >= 0
            gk = i[grouped] * fam.n_groups + labels[grouped]
            keys, inv, counts = np.unique(gk, return_inverse=True, return_counts=True)
            cap = fam.cap_left(keys)
            binding = counts > cap
            keep = binding[inv]
            row_ids = (np.cumsum(binding) - 1)[inv[keep]]
            add_block(
                f"group{f}",
                row_ids,
                all_cols[grouped][keep],
                np.ones(int(keep.sum())),
                int(binding.sum()),
                np.full(int(binding.sum()), -np.inf),
                cap[binding],
            )
            self.keys[f"group{f}"] = keys[binding]

        for qn, quota in enumerate(p.quotas):
            need = rem.quota_left[qn]
            q_items = np.flatnonzero((need > 0) & (rem.demand > 0))
            member = quota.members[r] & np.isin(i, q_items)
            pos = np.searchsorted(q_items, i[member])
            add_block(
                f"quota{qn}",
                pos,
                all_cols[member],
                np.ones(int(member.sum())),
                len(q_items),
                need[q_items],
                np.full(len(q_items), np.inf),
            )
            self.keys[f"quota{qn}"] = q_items

        fair_items = spec.fair_items if spec.stage == "floor" or spec.floor is not None else []
        fair_items = np.asarray(fair_items, dtype=np.int64)
        if len(fair_items):
            in_fair = np.isin(i, fair_items)
            pos = np.searchsorted(fair_items, i[in_fair])
            coef = a[in_fair] / spec.k[i[in_fair]]
            base_mean = spec.forced_score[fair_items] / spec.k[fair_items]
            lo = -base_mean if spec.stage == "floor" else spec.floor - base_mean
            add_block(
                "fair",
                pos,
                all_cols[in_fair],
                coef,
                len(fair_items),
                lo,
                np.full(len(fair_items), np.inf),
            )
            self.keys["fair"] = fair_items

        self.n_rows = sum(len(x) for x in lower)
        self.row_lower = np.concatenate(lower)
        self.row_upper = np.concatenate(upper)
        self.n_x = n
        cost = -a if spec.stage == "total" else np.zeros(n)
        col_cost, col_lo, col_hi = [cost], [np.zeros(n)], [np.ones(n)]
        extra_rows, extra_cols, extra_vals = [], [], []
        next_col = n
        self.t_col = None
        if spec.stage == "floor" and len(fair_items):
            self.t_col = next_col
            fair = self.blocks["fair"]
            extra_rows.append(np.arange(fair.start, fair.stop))
            extra_cols.append(np.full(fair.stop - fair.start, next_col))
            extra_vals.append(-np.ones(fair.stop - fair.start))
            col_cost.append([-1.0] if spec.stage == "floor" else [0.0])
            col_lo.append([spec.t_lo])
            col_hi.append([spec.t_hi])
            next_col += 1
        # elastic slack on every row a pruned candidate set might be unable to satisfy
        slack_rows, slack_cap = [], []
        for name in self.blocks:
            if (
                name == "cover"
                or name.startswith("quota")
                or name == "load"
                or (name == "fair" and spec.stage != "floor")
            ):
                blk = self.blocks[name]
                idx = np.arange(blk.start, blk.stop)
                if name == "load":
                    idx = idx[self.row_lower[idx] > 0]
                slack_rows.append(idx)
                slack_cap.append(
                    np.full(len(idx), 3 * spec.amax + 2.0)
                    if name == "fair"
                    else np.maximum(self.row_lower[idx], 1.0)
                )
        slack_rows = np.concatenate(slack_rows) if slack_rows else np.zeros(0, np.int64)
        self.slack0 = next_col
        self.n_slack = len(slack_rows)
        if self.n_slack:
            extra_rows.append(slack_rows)
            extra_cols.append(next_col + np.arange(self.n_slack))
            extra_vals.append(np.ones(self.n_slack))
            slack_cost = 1.0 if spec.stage == "phase1" else spec.penalty
            col_cost.append(np.full(self.n_slack, slack_cost))
            col_lo.append(np.zeros(self.n_slack))
            col_hi.append(np.concatenate(slack_cap))
            self.slack_rows = slack_rows
        self.n_cols = next_col + self.n_slack
        self.col_cost = np.concatenate([np.asarray(c, dtype=np.float64) for c in col_cost])
        if spec.stage == "phase1":
            self.col_cost[: self.n_x] = 0.0
        self.col_lower = np.concatenate([np.asarray(c, dtype=np.float64) for c in col_lo])
        self.col_upper = np.concatenate([np.asarray(c, dtype=np.float64) for c in col_hi])
        self.matrix = sp.csc_array(
            (
                np.concatenate(vals + extra_vals),
                (np.concatenate(rows + extra_rows), np.concatenate(cols + extra_cols)),
            ),
            shape=(self.n_rows, self.n_cols),
        )

    # -- duality bound -----------------------------------------------------------------------
    def clip_duals(self, y: np.ndarray) -> np.ndarray:
        """Force each dual to its valid sign (HiGHS returns tiny wrong-sign noise)."""
        y = np.array(y, dtype=np.float64)
        for name, blk in self.blocks.items():
            if name.startswith("group"):
                y[blk] = np.minimum(y[blk], 0.0)
            elif name.startswith("quota") or name == "fair":
                y[blk] = np.maximum(y[blk], 0.0)
        return y

    def bound_inside(self, y: np.ndarray) -> float:
        """LB contribution of the rows and of the model's own columns (slack only in phase 1)."""
        rhs = np.where(y > 0, self.row_lower, self.row_upper)
        rhs = np.where(np.isfinite(rhs), rhs, 0.0)
        total = float(y @ rhs)
        reduced = self.col_cost - self.matrix.T @ y
        lo, hi = self.col_lower, self.col_upper
        contrib = np.minimum(reduced * lo, reduced * hi)
        real = np.ones(self.n_cols, dtype=bool)
        if self.spec.stage != "phase1" and self.n_slack:
            real[self.slack0 :] = False
        return total + float(contrib[real].sum())

    def duals_by_kind(self, y: np.ndarray) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        return {name: (self.keys[name], y[blk]) for name, blk in self.blocks.items()}

    def slack_used(self, x: np.ndarray) -> float:
        return float(x[self.slack0 :].sum()) if self.n_slack else 0.0


def dense_dual(keys: np.ndarray, values: np.ndarray, size: int) -> np.ndarray:
    out = np.zeros(size)
    out[keys] = values
    return out
