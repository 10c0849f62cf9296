"""Dependent rounding of a fractional flow, keeping every edge's expectation.

Flows are integers in units of 1/`unit`; an edge is fractional while its flow is not a
multiple of `unit`. Conservation means a node touching one fractional edge touches at least
two (source and sink are merged into one node so the whole flow is a circulation), so the
fractional edges always contain a cycle. Pushing flow around a cycle one way by α or the other
way by β, with probabilities β/(α+β) and α/(α+β), leaves every edge's expected flow unchanged
and makes at least one edge integral (Jecmen et al. 2020, §4; the Birkhoff–von Neumann idea
on a general flow network). Each edge ends at the floor or ceiling of its fractional value, so
loads, group caps and demands that held fractionally hold for the sample, and
P(reviewer r reviews item i) equals the fractional flow r → i exactly.

With q = 1/2 every fractional edge sits exactly halfway, so each cycle clears all its edges
and the walk is linear in the number of edges.
"""

from __future__ import annotations

import numpy as np


def dependent_round(
    tail: np.ndarray, head: np.ndarray, flow: np.ndarray, unit: int, rng: np.random.Generator
) -> np.ndarray:
    """Return integral flows (multiples of `unit`) with the same expectation per edge."""
    flow = np.asarray(flow, dtype=np.int64).copy()
    frac_edges = np.flatnonzero(flow % unit != 0)
    if not len(frac_edges):
        return flow
    tails = tail.tolist()
    heads = head.tolist()
    values = flow.tolist()
    alive = [False] * len(values)
    adjacency: dict[int, list[int]] = {}
    for e in frac_edges.tolist():
        alive[e] = True
        adjacency.setdefault(tails[e], []).append(e)
        adjacency.setdefault(heads[e], []).append(e)
    cursor = dict.fromkeys(adjacency, 0)

    def next_edge(node: int, exclude: int) -> int:
        edges = adjacency[node]
        i = cursor[node]
        while i < len(edges) and not alive[edges[i]]:
            i += 1
        cursor[node] = i
        while i < len(edges):
            e = edges[i]
            if alive[e] and e != exclude:
                return e
            i += 1
        return -1

    for start in list(adjacency):
        path_nodes = [start]
        path_edges: list[int] = []
        position = {start: 0}
        while True:
            node = path_nodes[-1]
            came = path_edges[-1] if path_edges else -1
            e = next_edge(node, came)
            if e < 0:
                # only the start of an empty path can run out of edges (parity argument)
                break
            other = heads[e] if tails[e] == node else tails[e]
            if other not in position:
                position[other] = len(path_nodes)
                path_nodes.append(other)
                path_edges.append(e)
                continue
            at = position[other]
            cycle = path_edges[at:] + [e]
            cycle_from = path_nodes[at:]
            up = []  # does pushing "forward" along the walk raise this edge's flow?
            for edge, frm in zip(cycle, cycle_from, strict=True):
                up.append(tails[edge] == frm)
            alpha = min(
                (unit - values[ed] % unit) if u else (values[ed] % unit)
                for ed, u in zip(cycle, up, strict=True)
            )
            beta = min(
                (values[ed] % unit) if u else (unit - values[ed] % unit)
                for ed, u in zip(cycle, up, strict=True)
            )
            step = alpha if rng.random() < beta / (alpha + beta) else -beta
            for ed, u in zip(cycle, up, strict=True):
                values[ed] += step if u else -step
                if values[ed] % unit == 0:
                    alive[ed] = False
            for n in path_nodes[at + 1 :]:
                del position[n]
            del path_nodes[at + 1 :]
            del path_edges[at:]
            if not path_edges and next_edge(start, -1) < 0:
                break
    if any(alive):
        raise RuntimeError("dependent rounding left fractional edges: flow not conserved")
    return np.asarray(values, dtype=np.int64)
