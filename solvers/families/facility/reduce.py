"""Reduced-cost fixing for facility location: which facilities any better solution must close or open.

`facility_bound.forced_bounds` gives, per facility, a lower bound on every solution that puts it
on the other side of the Lagrangian relaxation's choice. When that bound exceeds the incumbent's
cost, no solution better than the incumbent does so: the facility is fixed. The problem restricted
to the facilities left (with the fixed-open ones forced open) then has the same optimum as the
original whenever the original's optimum is below the incumbent, which is what lets a MIP over the
small problem prove optimality of the large one (see `Reduction.valid_bound`).
"""

from dataclasses import dataclass

import numpy as np

from models import FacilityLocationProblem
from solvers.families.facility.bound import LagrangeSolution, forced_bounds
from solvers.families.facility.data import BoolArray, FacilityData, FloatArray

MARGIN = 1e-7
"""Relative margin by which a forced bound must beat the incumbent before a facility is fixed."""
KERNEL_PAIRS = 5
"""Cheapest facilities per customer kept by `pair_kernel`."""
KERNEL_FACILITIES = 2.0
"""`pair_kernel` keeps this many times the incumbent's open count of facilities."""


@dataclass(frozen=True)
class Reduction:
    """Facilities kept (`keep`, positions in the original) and those forced open among them."""

    keep: BoolArray
    forced_open: BoolArray
    incumbent: float
    """The incumbent's cost the tests were run against."""

    @property
    def n_closed(self) -> int:
        return int((~self.keep).sum())

    @property
    def n_open(self) -> int:
        return int(self.forced_open.sum())

    def valid_bound(self, restricted_bound: float) -> float:
        """A lower bound of the ORIGINAL problem from one of the restricted problem: any solution
        that breaks a fixing costs more than the incumbent, so the optimum is at least the smaller
        of the two."""
        return min(restricted_bound, self.incumbent)


def reduce(data: FacilityData, point: LagrangeSolution, incumbent: float,
           previous: Reduction | None = None) -> Reduction:
    """The fixings `point`'s multipliers prove against `incumbent` (joined with `previous`, which
    stays valid: the incumbent only improves)."""
    forced = forced_bounds(data, point)
    fixed = forced > incumbent + MARGIN * max(1.0, abs(incumbent))
    keep = ~(fixed & ~point.opened)
    forced_open = fixed & point.opened
    if previous is not None:
        keep &= previous.keep
        forced_open |= previous.forced_open
    return Reduction(keep, forced_open & keep, incumbent)


def restricted_problem(problem: FacilityLocationProblem, keep: BoolArray) -> FacilityLocationProblem:
    """The same problem over the kept facilities only (ids unchanged, so its solutions are solutions
    of the original problem)."""
    rows = np.flatnonzero(keep)
    return problem.model_copy(update={
        "facilities": [problem.facilities[i] for i in rows],
        "costs": [problem.costs[i] for i in rows],
        "distances": None if problem.distances is None else [problem.distances[i] for i in rows],
    })


def pair_kernel(data: FacilityData, reduction: Reduction, point: LagrangeSolution, incumbent_shares: FloatArray,
                per_customer: int = KERNEL_PAIRS, facility_factor: float = KERNEL_FACILITIES) -> BoolArray:
    """A heuristic restriction (kernel search) for a single-source MIP that does not fit whole:
    the facilities kept by `reduction` that the incumbent opens or that rank among the
    `facility_factor` x (open count) most promising (lowest bound with the facility open, then
    lowest v_i per unit of capacity: near-optimal covers often differ from the relaxation's in half
    their facilities, measured on 50 x 200, and all of them have the same bound), and for each
    customer its `per_customer` cheapest pairs among them, its `per_customer` cheapest among the
    incumbent's open facilities (reassigning within the open set is where the greedy loses most)
    and its incumbent pair.
    Returns the m x n allowed pairs. The MIP over it finds solutions, never bounds."""
    serving = incumbent_shares > 0
    opened = np.asarray(serving.any(axis=1), dtype=np.bool_)
    budget = max(int(facility_factor * opened.sum()), int(opened.sum()) + 1)
    promise = np.where(point.opened, point.bound, forced_bounds(data, point))
    ranked = [i for i in np.lexsort((point.values / np.maximum(data.cover, 1e-300), promise)) if reduction.keep[i]]
    rows = opened | reduction.forced_open
    rows[ranked[:budget]] = True
    rows &= reduction.keep | opened
    allowed = serving.copy()
    for chosen in (rows, opened):  # the cheapest among the candidates, and among the open ones
        costs = np.where(chosen[:, None], data.costs, np.inf)
        nearest = np.argsort(costs, axis=0, kind="stable")[:per_customer]
        allowed[nearest, np.arange(data.n)[None, :]] |= chosen[nearest]
    return np.asarray(allowed, dtype=np.bool_)


def allowed_pairs(data: FacilityData, point: LagrangeSolution, reduction: Reduction) -> BoolArray:
    """Single sourcing: the pairs (i, j) that some solution better than `reduction.incumbent` may
    use, by the pair bounds of `single.pair_bounds` (`point` must come from `single`'s relaxation),
    on the facilities `reduction` keeps. Valid fixings: a MIP over these pairs still proves."""
    from solvers.families.facility.single import Knapsacks, pair_bounds

    opened_bound = np.where(point.opened, point.bound, forced_bounds(data, point))
    bounds = pair_bounds(data, Knapsacks(data), point, np.asarray(opened_bound, dtype=np.float64))
    limit = reduction.incumbent + MARGIN * max(1.0, abs(reduction.incumbent))
    return np.asarray((bounds <= limit) & reduction.keep[:, None], dtype=np.bool_)
