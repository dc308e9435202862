"""Facility location as numpy arrays, shared by the Lagrangian bound, the heuristics and the reduction.

Costs follow the OR-Library convention of the wire model: `costs[i, j]` serves ALL of customer
j's demand from facility i, so a share x_ij in [0, 1] costs `costs[i, j] * x_ij` and uses
`demand[j] * x_ij` of i's capacity. Uncapacitated facilities get capacity +inf here; `cover`
caps every capacity at the total demand, which keeps sums finite where only "covers the demand
or not" matters (the aggregate capacity constraint sum_i cover_i y_i >= D is valid either way).
"""

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from models import Assignment, FacilityLocationProblem, FacilitySolution

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]
SHARE_EPS = 1e-9
"""Shares below this are solver noise: dropped, and each customer's shares renormalised to one."""


@dataclass(frozen=True)
class FacilityData:
    """The arrays of one problem (see the module docstring)."""

    fixed: FloatArray
    capacity: FloatArray
    demand: FloatArray
    costs: FloatArray
    single_source: bool

    @classmethod
    def from_problem(cls, problem: FacilityLocationProblem) -> "FacilityData":
        m, n = len(problem.facilities), len(problem.customers)
        return cls(
            fixed=np.array([f.fixed_cost for f in problem.facilities], dtype=np.float64),
            capacity=np.array([np.inf if f.capacity is None else f.capacity for f in problem.facilities],
                              dtype=np.float64),
            demand=np.array([c.demand for c in problem.customers], dtype=np.float64),
            costs=np.array(problem.costs, dtype=np.float64).reshape(m, n),
            single_source=problem.single_source,
        )

    @property
    def m(self) -> int:
        return len(self.fixed)

    @property
    def n(self) -> int:
        return len(self.demand)

    @property
    def total_demand(self) -> float:
        return float(self.demand.sum())

    @property
    def cover(self) -> FloatArray:
        """Capacities capped at the total demand (finite even for uncapacitated facilities)."""
        return np.minimum(self.capacity, self.total_demand)

    @property
    def capacitated(self) -> bool:
        """True when some facility has a capacity (`solvers.families.facility.encoding` branches on it)."""
        return bool(np.isfinite(self.capacity).any())

    def cost(self, opened: BoolArray, shares: FloatArray) -> float:
        """Fixed costs of the open facilities plus the service cost of the shares."""
        return float(self.fixed[opened].sum() + (self.costs * shares).sum())

    def feasible_capacity(self, opened: BoolArray) -> bool:
        """True when the open facilities can hold the total demand (necessary, not sufficient for
        single sourcing)."""
        return bool(self.cover[opened].sum() >= self.total_demand * (1 - 1e-12))


def clean_shares(shares: FloatArray) -> FloatArray:
    """Shares with noise dropped and each customer's column summing to exactly one."""
    share = np.clip(shares, 0.0, 1.0)
    share = np.where(share < SHARE_EPS, 0.0, share)
    return np.asarray(share / np.maximum(share.sum(axis=0, keepdims=True), SHARE_EPS), dtype=np.float64)


def to_solution(problem: FacilityLocationProblem, shares: FloatArray) -> FacilitySolution:
    """The wire solution of a share matrix; exactly the facilities that serve someone are open."""
    facilities, customers = problem.facilities, problem.customers
    opened = np.flatnonzero(serving(shares))
    rows, cols = np.nonzero(shares.T)  # customer-major, as the formulation's decoder writes them
    return FacilitySolution(
        open=[facilities[i].id for i in opened],
        assignments=[Assignment(customer=customers[j].id, facility=facilities[i].id,
                                fraction=min(1.0, float(shares[i, j]))) for j, i in zip(rows, cols, strict=True)],
    )


def serving(shares: FloatArray) -> BoolArray:
    """The facilities that serve some share of some customer."""
    return np.asarray((shares > 0).any(axis=1), dtype=np.bool_)


def shares_of(problem: FacilityLocationProblem, solution: FacilitySolution) -> FloatArray:
    """The m x n share matrix of a wire solution (assignments to unknown ids are left out)."""
    rows = {str(f.id): i for i, f in enumerate(problem.facilities)}
    cols = {str(c.id): j for j, c in enumerate(problem.customers)}
    shares = np.zeros((len(rows), len(cols)))
    for a in solution.assignments:
        i, j = rows.get(str(a.facility)), cols.get(str(a.customer))
        if i is not None and j is not None:
            shares[i, j] += a.fraction
    return shares
