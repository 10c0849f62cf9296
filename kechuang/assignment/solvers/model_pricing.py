"""Reduced costs of every left-out pair for the general model, in column blocks.

d = c − y_cover − y_load − Σ y_quota·[member] − y_fair·a/k − Σ y_group. Group duals are ≤ 0
(upper-bound rows), so they only raise d: a dense pass without them finds a superset of the
negative entries, and the few survivors get their group duals looked up exactly.
"""

from __future__ import annotations

import numpy as np

from .model import TOL, ModelSpec, PairModel, dense_dual


def price_model(
    spec: ModelSpec, model: PairModel, y: np.ndarray, add_per_item: int
) -> tuple[float, tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """(Σ min(0, d) over left-out pairs, the most negative pairs per item to add)."""
    p, rem = spec.problem, spec.remaining
    duals = model.duals_by_kind(y)
    y_cover = dense_dual(*duals["cover"], p.n_items)
    y_load = dense_dual(*duals["load"], p.n_reviewers)
    y_quota = [dense_dual(*duals[f"quota{q}"], p.n_items) for q in range(len(p.quotas))]
    y_fair = dense_dual(*duals["fair"], p.n_items) if "fair" in duals else np.zeros(p.n_items)
    weight = y_fair / spec.k
    if spec.stage == "total":
        weight = weight + 1.0
    cands, forced = model.cands, rem.forced
    bound = 0.0
    add_r, add_i, add_a = [], [], []
    for start, stop in p.item_blocks():
        block = p.affinity_block(start, stop)
        d = np.multiply(block, -weight[None, start:stop])
        d -= y_cover[None, start:stop]
        d -= y_load[:, None]
        for q, quota in enumerate(p.quotas):
            yq = y_quota[q][start:stop]
            if yq.any():
                d -= np.outer(quota.members, yq)
        conflicts = p.conflict_block(start, stop)
        if conflicts is not None:
            np.copyto(d, np.inf, where=conflicts)
        d[:, rem.demand[start:stop] == 0] = np.inf
        lo, hi = np.searchsorted(cands.items, [start, stop])
        d[cands.reviewers[lo:hi], cands.items[lo:hi] - start] = np.inf
        inside = (forced[:, 1] >= start) & (forced[:, 1] < stop)
        d[forced[inside, 0], forced[inside, 1] - start] = np.inf
        rr, jj = np.nonzero(d < -TOL)
        if not len(rr):
            continue
        vals = d[rr, jj]
        for f, fam in enumerate(spec.families):
            labels = fam.group.labels[rr]
            grouped = labels >= 0
            keys = (start + jj) * fam.n_groups + labels
            row_keys, row_duals = duals[f"group{f}"]
            if len(row_keys):
                at = np.minimum(np.searchsorted(row_keys, keys), len(row_keys) - 1)
                hit = grouped & (row_keys[at] == keys)
                vals[hit] -= row_duals[at[hit]]
            if len(fam.used_keys):
                vals[grouped & (fam.cap_left(keys) <= 0)] = np.inf
        keep = vals < -TOL
        rr, jj, vals = rr[keep], jj[keep], vals[keep]
        if not len(rr):
            continue
        bound += float(vals.sum())
        order = np.lexsort((vals, jj))
        jj_sorted = jj[order]
        first = np.r_[True, jj_sorted[1:] != jj_sorted[:-1]]
        rank = np.arange(len(order)) - np.maximum.accumulate(
            np.where(first, np.arange(len(order)), 0)
        )
        chosen = order[rank < add_per_item]
        add_r.append(rr[chosen])
        add_i.append(start + jj[chosen])
        add_a.append(np.asarray(block[rr[chosen], jj[chosen]], dtype=np.float64))
    if not add_r:
        empty = np.zeros(0, np.int64)
        return bound, (empty, empty, np.zeros(0))
    return bound, (
        np.concatenate(add_r).astype(np.int64),
        np.concatenate(add_i).astype(np.int64),
        np.concatenate(add_a),
    )
