"""CP-SAT backend for the general pair model.

CP-SAT needs integer coefficients: affinities are scaled to integers (SCALE units per the
largest affinity), so its own objective is exact only to that resolution; the reported
objective is always recounted in floating point by the checker, and the bound comes from the
HiGHS LP over the full matrix, as for the MILP backend. Measured on the 500 × 5,000 instance
it proves optimality far more slowly than HiGHS, so 'auto' never picks it.
"""

from __future__ import annotations

import numpy as np
from ortools.sat.python import cp_model

from .model import PairModel

SCALE = 10_000


def solve_cpsat(
    model: PairModel, time_limit: float, warm: np.ndarray | None, workers: int = 2
) -> np.ndarray | None:
    """Solve the integer program over the model's pair columns; None when nothing found.

    Optimality is judged later against the LP bound over the full matrix, not by CP-SAT's own
    bound on the pruned model."""
    spec = model.spec
    n = model.n_x
    scale = SCALE / spec.amax
    scores = np.rint(model.cands.scores * scale).astype(np.int64)
    m = cp_model.CpModel()
    x = [m.new_bool_var(f"x{j}") for j in range(n)]
    csr = model.matrix[:, :n].tocsr()
    fair = model.blocks.get("fair")
    t_var = None
    if model.t_col is not None:
        t_var = m.new_int_var(
            int(np.floor(spec.t_lo * scale)), int(np.ceil(spec.t_hi * scale)), "t"
        )
    for row in range(model.n_rows):
        cols = csr.indices[csr.indptr[row] : csr.indptr[row + 1]]
        lo, hi = model.row_lower[row], model.row_upper[row]
        if fair is not None and fair.start <= row < fair.stop:
            item = model.keys["fair"][row - fair.start]
            k = int(spec.k[item])
            base = int(np.rint(spec.forced_score[item] * scale))
            expr = sum(int(scores[j]) * x[j] for j in cols) + base
            if t_var is not None:
                m.add(expr >= k * t_var)
            else:
                m.add(expr >= int(np.floor(k * spec.floor * scale)) - k)
            continue
        if not len(cols):
            if lo > 0:
                return None  # a row no candidate can serve: nothing to search
            continue
        expr = sum(x[j] for j in cols)
        if np.isfinite(lo) and lo == hi:
            m.add(expr == int(lo))
            continue
        if np.isfinite(lo) and lo > 0:
            m.add(expr >= int(lo))
        if np.isfinite(hi) and hi < len(cols):
            m.add(expr <= int(hi))
    if t_var is not None:
        m.maximize(t_var)
    else:
        m.maximize(sum(int(scores[j]) * x[j] for j in range(n)))
    if warm is not None:
        for j in range(n):
            m.add_hint(x[j], bool(warm[j] > 0.5))
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = float(max(1.0, time_limit))
    solver.parameters.num_workers = workers
    solver.parameters.random_seed = 0
    status = solver.solve(m)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    values = np.zeros(model.n_cols)
    values[:n] = [solver.value(v) for v in x]
    if t_var is not None:
        values[model.t_col] = solver.value(t_var) / scale
    return values
