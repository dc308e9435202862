"""Facility location's certified lower bound for heuristics.

The LP relaxation of the strong formulation (x_ij <= y_i), certified through its duals; for large
instances (HiGHS's LP on 100 x 1000 takes 52 s) or when the LP does not finish in its time budget,
the Lagrangian bound of `bound` (demand rows relaxed, subgradient on their prices), and never less
than the cheapest-assignment bound: every customer at its cheapest cost plus the cheapest cover of
the demand by capacities. Valid for single sourcing too (a relaxation).
"""

import math
import time

import numpy as np

from models import FacilityLocationProblem
from solvers.families.facility.bound import LagrangeSolution, Subgradient, lagrangian, min_cover
from solvers.families.facility.data import FacilityData
from solvers.families.facility.mip import FacilityFormulation
from solvers.mip.lp_bound import CertifiedBound, FloatArray, lp_dual_bound

LAGRANGE_ITERATIONS = 2000
"""Most subgradient steps of the facility Lagrangian bound (its time budget usually ends it)."""
LP_MAX_PAIRS = 50_000
"""Largest facilities x customers for which the facility LP is tried (measured with scipy's HiGHS:
50 x 50 solves in 0.1 s, 100 x 1000 needs 52 s)."""
CHEAPEST = "cheapest_assignment"
"""The source name of `cheapest_assignment_bound`."""
LP_SHARE = 0.5
"""Share of the time the LP may take; the Lagrangian gets what is left. Why not all of it: an LP that
did not finish left the Lagrangian no time, so the bound fell to the cheapest assignment (50 x 200 at
a 0.2 s budget: 18,987 against 22,788 for the Lagrangian; the GA's and the MIP backends' bounds at 2 s)."""


def facility_lower_bound(problem: FacilityLocationProblem, time_limit: float, iterations: int | None = None,
                         lp: bool = True) -> tuple[CertifiedBound, FloatArray | None]:
    """The LP relaxation of the strong formulation when it is small enough and finishes in
    `time_limit` (`lp=False`: never; a MIP backend solves that LP itself), else the Lagrangian bound
    (never weaker than the cheapest-assignment bound). Valid for single sourcing too (a relaxation).
    Also returns the opening levels y (one per facility) of the relaxation's solution, for heuristics
    to round. `iterations` caps the Lagrangian's subgradient steps (default `LAGRANGE_ITERATIONS`)."""
    started = time.monotonic()
    if problem.single_source and any(f.capacity is not None for f in problem.facilities):
        return single_source_bound(problem, time_limit, iterations)
    cheap = cheapest_assignment_bound(problem)
    note = ""
    if lp and len(problem.facilities) * len(problem.customers) <= LP_MAX_PAIRS:
        relaxation = lp_dual_bound(FacilityFormulation(problem).mip, LP_SHARE * time_limit)
        if relaxation is not None:
            source, value = ("lp_relaxation", relaxation.value) if relaxation.value > cheap else \
                (CHEAPEST, cheap)
            opening = relaxation.primal[: len(problem.facilities)]
            return CertifiedBound(value, source, time.monotonic() - started), opening
        note = f"LP relaxation did not finish in {LP_SHARE * time_limit:.2g} s; "
    remaining = max(0.0, time_limit - (time.monotonic() - started))
    lagrangian, opening = lagrangian_bound(problem, remaining, iterations or LAGRANGE_ITERATIONS)
    seconds = time.monotonic() - started
    if lagrangian > cheap:
        return CertifiedBound(lagrangian, "lagrangian", seconds, note + "Lagrangian bound used"), opening
    return CertifiedBound(cheap, CHEAPEST, seconds, note + "cheapest-assignment bound used"), opening


def cheapest_assignment_bound(problem: FacilityLocationProblem) -> float:
    """sum_j min_i c_ij plus the cheapest set of facilities whose capacity covers the total demand
    (at least one facility): two relaxations of disjoint cost terms."""
    data = FacilityData.from_problem(problem)
    cover, _ = min_cover(data.fixed, data.cover, data.total_demand)
    return float(data.costs.min(axis=0).sum()) + cover


def lagrangian_bound(problem: FacilityLocationProblem, time_limit: float,
                     max_iterations: int = LAGRANGE_ITERATIONS) -> tuple[float, FloatArray]:
    """Beasley's Lagrangian bound (`facility_bound`: demand rows relaxed, one continuous knapsack
    per facility, a min-cover of the demand), improved by subgradient steps for `time_limit`
    seconds. Returns the best bound and the relaxation's opening choice behind it (0/1 levels)."""
    started = time.monotonic()
    data = FacilityData.from_problem(problem)
    search = Subgradient(data)
    multipliers: FloatArray | None = search.start()
    best: LagrangeSolution | None = None
    stall = 0
    for _ in range(max_iterations):
        assert multipliers is not None
        point = lagrangian(data, multipliers)
        if best is None or point.bound > best.bound + 1e-9 * max(1.0, abs(best.bound)):
            best, stall = point, 0
        else:
            stall += 1
            if stall >= search.patience:
                search.theta, stall = search.theta / 2.0, 0
        multipliers = search.step(point, math.inf)
        if multipliers is None or time.monotonic() - started > time_limit:
            break
    assert best is not None
    return best.bound, best.opened.astype(np.float64)


def single_source_bound(problem: FacilityLocationProblem, time_limit: float,
                        iterations: int | None = None) -> tuple[CertifiedBound, FloatArray | None]:
    """Single sourcing: the knapsack Lagrangian bound of `single` (stronger than the split LP: 0.1-0.2%
    below the optimum on 25 x 100 where the LP is 1-2% below), found by the Lagrangian search of
    `search`, whose best open set is returned as the opening levels (0/1). With `iterations` the
    search runs that many subgradient steps whatever the clock (reproducible seeds)."""
    from solvers.families.facility.search import LagrangeSearch, SearchLimits, improve

    started = time.monotonic()
    cheap = cheapest_assignment_bound(problem)
    search = LagrangeSearch(problem, FacilityData.from_problem(problem))
    search.warm(None)
    deadline = math.inf if iterations is not None else started + time_limit
    improve(search, SearchLimits(deadline=deadline, iterations=iterations or 100_000))
    seconds = time.monotonic() - started
    opening = None if search.best_open is None else search.best_open.astype(np.float64)
    if search.bound > cheap:
        return CertifiedBound(search.bound, "lagrangian", seconds, "single-source Lagrangian bound"), opening
    return CertifiedBound(cheap, CHEAPEST, seconds, "cheapest-assignment bound used"), opening
