"""The one place the optimality gap is computed and judged (DESIGN.md section 3).

Every stopping rule and every status decision asks `gap_closed`: a backend that stops early,
a portfolio that ends its race and `finalize` that grants `optimal` all use the same formula and
the same tolerance, so "optimal" and "gap target met" mean one thing everywhere.
"""

import math

GAP_FLOOR = 1e-9
"""Denominator floor: objectives of 0 still get a finite relative gap."""
OPTIMALITY_TOL = 1e-6
"""Relative gap at or below which a solution counts as proven optimal (absorbs float noise of solvers)."""


def relative_gap(objective: float | None, bound: float | None) -> float | None:
    """|objective - bound| / max(|objective|, 1e-9); None when either side is missing."""
    if objective is None or bound is None:
        return None
    if not (math.isfinite(objective) and math.isfinite(bound)):
        return math.inf
    return abs(objective - bound) / max(abs(objective), GAP_FLOOR)


def gap_within(gap: float | None, target: float = 0.0) -> bool:
    """True when a computed gap is within `target` (the caller's `relative_gap`) plus the tolerance."""
    return gap is not None and gap <= max(target, 0.0) + OPTIMALITY_TOL


def gap_closed(objective: float | None, bound: float | None, target: float = 0.0) -> bool:
    """True when objective and bound are within `target` of each other (see `gap_within`)."""
    return gap_within(relative_gap(objective, bound), target)


def proven_optimal(objective: float | None, bound: float | None) -> bool:
    """The bound meets the objective: optimality is proven."""
    return gap_closed(objective, bound, 0.0)
