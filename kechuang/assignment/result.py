"""What every solver run returns."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from .checker import CheckReport
from .messages import Message

Status = Literal["optimal", "feasible", "infeasible"]

#: a run is called optimal when its objective is within this relative distance of a proven bound
OPTIMALITY_TOLERANCE = 1e-6


def relative_gap(objective: float | None, bound: float | None) -> float | None:
    if objective is None or bound is None:
        return None
    return max(0.0, bound - objective) / max(abs(bound), 1e-12)


@dataclass
class AssignmentResult:
    """Outcome of one solver run.

    `pairs` is an (n, 2) int array of (reviewer, item). `objective` is the total affinity of the
    pairs as recounted by the checker; `upper_bound` is a proven bound on the best achievable
    total under the same constraints (for fair runs: under the same fairness floor), so
    `gap = (upper_bound − objective) / upper_bound` is an honest distance to optimality.
    """

    status: Status
    solver: str
    mode: str
    seconds: float
    pairs: np.ndarray = field(default_factory=lambda: np.zeros((0, 2), dtype=np.int64))
    objective: float | None = None
    upper_bound: float | None = None
    report: CheckReport | None = None
    explanation: list[Message] = field(default_factory=list)
    alternates: dict[int, list[int]] = field(default_factory=dict)
    marginals: Any = None
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def gap(self) -> float | None:
        return relative_gap(self.objective, self.upper_bound)

    @property
    def feasible(self) -> bool:
        return self.status != "infeasible"

    def assignment_by_item(self) -> dict[int, list[int]]:
        out: dict[int, list[int]] = {}
        for r, i in self.pairs:
            out.setdefault(int(i), []).append(int(r))
        return out

    def summary(self) -> dict[str, Any]:
        """JSON-ready dict; the first four keys are the command-line contract."""
        out: dict[str, Any] = {
            "status": self.status,
            "objective": _round(self.objective),
            "upper_bound": _round(self.upper_bound),
            "seconds": round(self.seconds, 3),
            "gap": None if self.gap is None else float(f"{self.gap:.3g}"),
            "solver": self.solver,
            "mode": self.mode,
            "pairs": int(len(self.pairs)),
        }
        if self.report is not None:
            out["check"] = self.report.summary()
        for key, value in self.details.items():
            if isinstance(value, (int, float, str, bool)) or value is None:
                out[key] = _round(value) if isinstance(value, float) else value
        if self.explanation:
            out["explanation"] = [m.code for m in self.explanation]
        return out


def _round(value: float | None) -> float | None:
    return None if value is None else float(f"{value:.10g}")
