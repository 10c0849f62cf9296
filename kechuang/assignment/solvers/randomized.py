"""Randomised assignment with a per-pair probability cap (Jecmen et al., NeurIPS 2020).

Step 1 is the LP "maximise expected affinity with every P(r reviews i) ≤ q". With q = a/D it
is exactly the flow network of `network.py` scaled by D with pair arcs of capacity a, so it is
solved exactly, loads, conflicts and one group cap included. Step 2 samples one assignment
whose pair probabilities are exactly those marginals (dependent rounding, `rounding.py`),
from a seeded generator: the same seed gives the same draw.

No single reviewer can be sure to get an item (nor an applicant sure to get a reviewer), yet
the expected affinity is the best any such lottery can reach.
"""

from __future__ import annotations

import math
import time
from fractions import Fraction

import numpy as np
import scipy.sparse as sp

from ..explain import explain_infeasibility
from ..messages import Message, SolverError, UnsupportedProblemError, problem_error
from ..problem import AssignmentProblem
from ..result import AssignmentResult
from .base import SolveOptions, finish, infeasible_result, place_forced, totals_impossible
from .flow import default_candidates, flow_unsupported
from .network import FlowSpec, solve_flow
from .rounding import dependent_round

#: q is represented as a fraction with at most this denominator (rounded down, never up)
MAX_DENOMINATOR = 100


def probability_units(prob_cap: float) -> tuple[int, int]:
    """(D, a) with a/D ≤ q as close as a denominator ≤ 100 allows."""
    if not 0 < prob_cap <= 1:
        raise problem_error(
            "prob_cap_range",
            f"probability cap must be in (0, 1], got {prob_cap}",
            f"随机概率上限须在 (0, 1] 之间，实际为 {prob_cap}",
        )
    frac = Fraction(prob_cap).limit_denominator(MAX_DENOMINATOR)
    if frac > prob_cap:
        # never round the cap up: take the largest a/D ≤ q over all D ≤ 100
        frac = max(Fraction(math.floor(prob_cap * d), d) for d in range(1, MAX_DENOMINATOR + 1))
    if frac.numerator == 0:
        raise problem_error(
            "prob_cap_too_small",
            f"probability cap {prob_cap} is below 1/{MAX_DENOMINATOR}",
            f"随机概率上限 {prob_cap} 小于 1/{MAX_DENOMINATOR}",
        )
    return frac.denominator, frac.numerator


def solve_randomized(problem: AssignmentProblem, options: SolveOptions) -> AssignmentResult:
    started = time.perf_counter()
    reason = flow_unsupported(problem, options)
    if reason is not None:
        raise UnsupportedProblemError(reason)
    if options.prob_cap is None or options.seed is None:
        raise problem_error(
            "randomized_needs_cap_and_seed",
            "randomised assignment needs both a probability cap and a seed",
            "随机分配需要同时给出概率上限和随机种子",
        )
    unit, arc_cap = probability_units(options.prob_cap)
    q = arc_cap / unit
    remaining, findings = place_forced(problem)
    if remaining is None:
        return infeasible_result("randomized", "randomized", started, findings)
    if totals_impossible(problem, remaining):
        return infeasible_result(
            "randomized", "randomized", started, explain_infeasibility(problem, prob_cap=q)
        )
    group = problem.group_caps[0] if problem.group_caps else None
    spec = FlowSpec(problem, remaining, group, unit=unit, arc_cap=arc_cap)
    per_item = options.candidates_per_item or int(
        max(default_candidates(problem), 3 * math.ceil(int(problem.per_item.max()) / q))
    )
    options.say(f"randomised LP: probability cap {arc_cap}/{unit}")
    lp = solve_flow(spec, options, per_item)
    net, flows = lp["network"], lp["flows"]
    if lp["slack"] > 0:
        if not lp["converged"]:
            raise SolverError(
                Message(
                    "time_limit_no_feasible",
                    f"time limit of {options.time_limit}s reached before a feasible lottery",
                    f"在 {options.time_limit} 秒时限内未找到可行的随机分配",
                )
            )
        uncovered = np.flatnonzero(flows[net.kinds["slack"]] > 0)
        return infeasible_result(
            "randomized",
            "randomized",
            started,
            explain_infeasibility(problem, prob_cap=q, uncovered=uncovered),
        )

    cands = lp["candidates"]
    pair = net.kinds["pair"]
    used = flows[pair] > 0
    forced = remaining.forced
    marginals = sp.coo_array(
        (
            np.concatenate([flows[pair][used] / unit, np.ones(len(forced))]),
            (
                np.concatenate([cands.reviewers[used], forced[:, 0]]),
                np.concatenate([cands.items[used], forced[:, 1]]),
            ),
        ),
        shape=(problem.n_reviewers, problem.n_items),
    ).tocsr()

    # the lottery: round the real arcs of the network (source and sink merged)
    options.say("sampling one assignment from the lottery (dependent rounding)")
    kinds = [net.kinds["source"], pair, net.kinds["node"]]
    tail = np.concatenate([net.tail[k] for k in kinds])
    head = np.concatenate([net.head[k] for k in kinds])
    real_flow = flows.copy()
    real_flow[net.kinds["source"]] += unit * remaining.min_load
    values = np.concatenate([real_flow[k] for k in kinds])
    rng = np.random.default_rng(options.seed)
    rounded = dependent_round(tail, head, values, unit, rng)
    n_source = len(remaining.min_load)
    chosen = rounded[n_source : n_source + len(cands.keys)] == unit
    pairs = np.concatenate([np.stack([cands.reviewers[chosen], cands.items[chosen]], 1), forced])

    # the honest bound for any single draw is the deterministic optimum's bound
    options.say("deterministic optimum for the bound")
    det = solve_flow(
        FlowSpec(problem, remaining, group), _quiet(options), default_candidates(problem)
    )
    bound = det["upper_bound"] + remaining.forced_affinity
    expected = lp["objective"] + remaining.forced_affinity
    return finish(
        problem,
        options,
        "randomized",
        started,
        pairs,
        bound,
        proven_optimal=False,
        marginals=marginals,
        details={
            "expected_objective": expected,
            "expected_bound": lp["upper_bound"] + remaining.forced_affinity,
            "deterministic_optimum": det["objective"] + remaining.forced_affinity,
            "expected_ratio": expected / max(bound, 1e-12),
            "prob_cap_effective": q,
            "seed": int(options.seed),
            "max_pair_probability": float(flows[pair].max(initial=0) / unit),
        },
    )


def _quiet(options: SolveOptions) -> SolveOptions:
    return SolveOptions(time_limit=options.time_limit, progress=None)
