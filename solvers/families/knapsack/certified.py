"""The knapsack's certified upper bound for heuristics: Dantzig for one constraint; for several,
the LP relaxation certified through its duals (`solvers.mip.lp_bound`), never weaker than Dantzig's."""

import time

from models import KnapsackProblem
from solvers.families.knapsack import bound as knapsack_bound
from solvers.families.knapsack.mip import KnapsackFormulation
from solvers.mip.lp_bound import CertifiedBound, LpBound, lp_dual_bound


def knapsack_upper_bound(problem: KnapsackProblem, time_limit: float) -> tuple[CertifiedBound, LpBound | None]:
    """Dantzig for one dimension; for several the LP relaxation (and its duals, the surrogate
    multipliers of the capacity rows), unless it is no better than the Dantzig family."""
    started = time.monotonic()
    dantzig = knapsack_bound.upper_bound(problem)
    if problem.dimensions == 1:
        return CertifiedBound(dantzig, "dantzig", time.monotonic() - started), None
    lp = lp_dual_bound(KnapsackFormulation(problem).mip, time_limit)
    if lp is None or lp.value >= dantzig:
        note = "" if lp is not None else "LP relaxation did not finish in time"
        return CertifiedBound(dantzig, "dantzig", time.monotonic() - started, note), lp
    return CertifiedBound(lp.value, "lp_relaxation", time.monotonic() - started), lp
