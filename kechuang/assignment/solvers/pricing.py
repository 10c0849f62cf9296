"""Pricing every left-out (reviewer, item) pair against the current node potentials.

Reads the full matrix in column blocks. For each eligible pair outside the network the reduced
weight is w̄ = a − y_reviewer + y_target, where the target is the item, or the pair's
(item, group) node. Two results:

* the pairs' share of the LP-duality bound: c·max(w̄, 0) each; when the (item, group) node is
  not in the network its potential is free, and the best choice makes the group's share the
  largest D·cap units of w̄ (a fractional knapsack filled greedily);
* the best few improving pairs per item, to add to the network.

Near the optimum only a handful of pairs have w̄ > 0, so after one dense pass per block the
work is done on the sparse list of positive entries.
"""

from __future__ import annotations

import numpy as np

from .network import PRICE_TOL, FlowSpec, Network

#: above this many positive entries per item in a block, pick additions densely
DENSE_PICK_FACTOR = 16


def price_all(
    spec: FlowSpec, net: Network, y: np.ndarray, add_per_item: int, need_bound: bool = True
) -> tuple[float, tuple[np.ndarray, np.ndarray, np.ndarray]]:
    p, rem = spec.problem, spec.remaining
    n_rev = p.n_reviewers
    c, D = spec.arc_cap, spec.unit
    y_rev = y[net.rev0 : net.rev0 + n_rev]
    y_item = y[net.item0 : net.item0 + p.n_items]
    cands = net.cands
    node_keys = net.node_keys
    y_node = y[net.node0 : net.node0 + len(node_keys)]
    group = spec.group
    forced = rem.forced

    bound = 0.0
    add_r, add_i, add_a = [], [], []
    for start, stop in p.item_blocks():
        width = stop - start
        block = p.affinity_block(start, stop)
        wbar = np.subtract(block, y_rev[:, None])
        wbar += y_item[None, start:stop]
        conflicts = p.conflict_block(start, stop)
        if conflicts is not None:
            np.copyto(wbar, -np.inf, where=conflicts)
        wbar[:, rem.demand[start:stop] == 0] = -np.inf
        lo, hi = np.searchsorted(cands.items, [start, stop])
        wbar[cands.reviewers[lo:hi], cands.items[lo:hi] - start] = -np.inf
        inside = (forced[:, 1] >= start) & (forced[:, 1] < stop)
        wbar[forced[inside, 0], forced[inside, 1] - start] = -np.inf

        uses = spec.item_uses_nodes[start:stop]
        grouped_block = group is not None and uses.any()
        threshold = np.full(width, PRICE_TOL)
        if grouped_block:
            # a node's potential may sit above its item's; lower that column's threshold so
            # the exact check on the survivors below sees every pair that could be positive
            k_lo, k_hi = np.searchsorted(node_keys, [start * spec.n_groups, stop * spec.n_groups])
            cols = node_keys[k_lo:k_hi] // spec.n_groups - start
            delta = y_node[k_lo:k_hi] - y_item[start + cols]
            lift = np.zeros(width)
            np.maximum.at(lift, cols, delta)
            threshold -= lift
        rr, jj = np.nonzero(wbar > threshold[None, :])
        if not len(rr):
            continue
        vals = wbar[rr, jj]
        absent = np.zeros(len(rr), dtype=bool)
        if grouped_block:
            labels = group.labels[rr]
            keys = (start + jj) * spec.n_groups + labels
            routed = (labels >= 0) & uses[jj]
            on_node, at = _lookup(node_keys, keys)
            on_node &= routed
            vals[on_node] += y_node[at[on_node]] - y_item[start + jj[on_node]]
            absent = routed & ~_lookup(net.group_keys, keys)[0]
            if len(spec.used_keys):
                vals[routed & (spec.cap_left(keys) <= 0)] = -np.inf
            keep = vals > PRICE_TOL
            rr, jj, vals, absent, keys = rr[keep], jj[keep], vals[keep], absent[keep], keys[keep]
            if not len(rr):
                continue
            wbar[rr, jj] = vals
        if need_bound:
            bound += c * float(vals[~absent].sum())
            if absent.any():
                bound += _knapsack_share(
                    keys[absent], vals[absent], D * spec.cap_left(keys[absent]), c
                )
        take = min(add_per_item, n_rev)
        if len(rr) > DENSE_PICK_FACTOR * take * width:
            cols = np.unique(jj)
            sub = np.ascontiguousarray(wbar[:, cols].T)
            top = np.argpartition(-sub, take - 1, axis=1)[:, :take] if take < n_rev else None
            if top is None:
                top = np.broadcast_to(np.arange(n_rev), sub.shape)
            row_idx = np.repeat(np.arange(len(cols)), top.shape[1])
            picked = sub[row_idx, top.ravel()] > PRICE_TOL
            rev, item = top.ravel()[picked], start + cols[row_idx[picked]]
        else:
            order = np.lexsort((-vals, jj))
            jj_s = jj[order]
            first = np.r_[True, jj_s[1:] != jj_s[:-1]]
            rank = np.arange(len(jj_s)) - np.maximum.accumulate(
                np.where(first, np.arange(len(jj_s)), 0)
            )
            keep = order[rank < take]
            rev, item = rr[keep], start + jj[keep]
        add_r.append(rev)
        add_i.append(item)
        add_a.append(np.asarray(block[rev, item - start], dtype=np.float64))
    if not need_bound:
        bound = float("inf")
    if not add_r:
        empty = np.zeros(0, np.int64)
        return bound, (empty, empty, np.zeros(0))
    return bound, (
        np.concatenate(add_r).astype(np.int64),
        np.concatenate(add_i).astype(np.int64),
        np.concatenate(add_a),
    )


def _lookup(sorted_keys: np.ndarray, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Which `keys` occur in `sorted_keys`, and where."""
    if not len(sorted_keys):
        return np.zeros(len(keys), dtype=bool), np.zeros(len(keys), dtype=np.int64)
    at = np.minimum(np.searchsorted(sorted_keys, keys), len(sorted_keys) - 1)
    return sorted_keys[at] == keys, at


def _knapsack_share(keys: np.ndarray, values: np.ndarray, capacity: np.ndarray, c: int) -> float:
    """Σ over keys of the best fill of `capacity` units by arcs of `c` units worth `values`."""
    order = np.lexsort((-values, keys))
    keys, values, capacity = keys[order], values[order], capacity[order]
    first = np.r_[True, keys[1:] != keys[:-1]]
    group_start = np.maximum.accumulate(np.where(first, np.arange(len(keys)), 0))
    rank = np.arange(len(keys)) - group_start
    units = np.clip(capacity - rank * c, 0, c)
    return float((units * values).sum())
