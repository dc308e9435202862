"""Facility location: the strong (disaggregated) formulation, split or single sourcing.

Columns: y_i (open facility i, binary) then x_ij at m + i*n + j (share of customer j's demand
served by i; binary when `single_source`).

    min  sum_i f_i y_i + sum_ij c_ij x_ij       (c_ij serves ALL of j's demand: OR-Library)
    s.t. sum_i x_ij = 1                          every customer fully served
         x_ij - y_i <= 0                         only from open facilities (the tight linking)
         sum_j d_j x_ij - s_i y_i <= 0           capacity, for capacitated facilities
         sum_i s_i y_i >= sum_j d_j              aggregate capacity cut, when all are capacitated
"""

import numpy as np

from models import Assignment, FacilityLocationProblem, FacilitySolution
from models.problem import Solution
from solvers.families.facility.data import FacilityData
from solvers.families.facility.greedy import greedy_shares
from solvers.mip.array_mip import INF, FloatArray, RowCollector, make_mip
from solvers.mip.formulation import Decoded, Formulation

SHARE_EPS = 1e-7
"""Shares below this are solver noise: dropped, and the rest renormalised to sum to one."""


class FacilityFormulation(Formulation):
    """See the module docstring."""

    def __init__(self, problem: FacilityLocationProblem) -> None:
        self.problem = problem
        self.m, self.n = m, n = len(problem.facilities), len(problem.customers)
        self.fixed = np.array([f.fixed_cost for f in problem.facilities], dtype=np.float64)
        self.costs = np.array(problem.costs, dtype=np.float64).reshape(m, n)
        self.demand = np.array([c.demand for c in problem.customers], dtype=np.float64)
        self.xcol = m + np.arange(m * n).reshape(m, n)
        """Column of x_ij."""
        caps = [f.capacity for f in problem.facilities]
        self.capacitated = np.array([c is not None for c in caps])
        self.capacity = np.array([np.inf if c is None else c for c in caps], dtype=np.float64)
        rows = self._rows()
        integral = np.concatenate([np.ones(m, dtype=bool), np.full(m * n, problem.single_source)])
        self.mip = make_mip(np.concatenate([self.fixed, self.costs.ravel()]), rows, 0.0, 1.0, integral)
        self._fac = {str(f.id): i for i, f in enumerate(problem.facilities)}
        self._cust = {str(c.id): j for j, c in enumerate(problem.customers)}

    def _rows(self) -> RowCollector:
        m, n = self.m, self.n
        rows = RowCollector(m + m * n)
        facility = np.repeat(np.arange(m), n)
        # demand rows: one per customer j over all facilities
        rows.add_many(np.tile(np.arange(n), m), self.xcol.ravel(), 1.0, np.ones(n), 1.0)
        # linking rows x_ij - y_i <= 0, one per pair
        rows.add_many(np.repeat(np.arange(m * n), 2), np.column_stack([self.xcol.ravel(), facility]).ravel(),
                      np.tile([1.0, -1.0], m * n), np.full(m * n, -INF), 0.0)
        for i in np.flatnonzero(self.capacitated):
            rows.add(np.append(self.xcol[i], i), np.append(self.demand, -self.capacity[i]), -INF, 0.0)
        if self.capacitated.all():
            rows.add(np.arange(m), self.capacity, float(self.demand.sum()), INF)
        return rows

    def shares(self, x: FloatArray) -> FloatArray:
        """The m x n matrix of served shares, cleaned of noise, each column summing to one."""
        share = np.clip(x[self.m:].reshape(self.m, self.n), 0.0, 1.0)
        if self.problem.single_source:
            pick = np.zeros_like(share)
            pick[np.argmax(share, axis=0), np.arange(self.n)] = 1.0
            return pick
        share = np.where(share < SHARE_EPS, 0.0, share)
        total: FloatArray = np.maximum(share.sum(axis=0, keepdims=True), SHARE_EPS)
        return share / total

    def decode(self, x: FloatArray) -> Decoded:
        share = self.shares(x)
        opened = (x[: self.m] > 0.5) | (share > 0).any(axis=1)
        facilities, customers = self.problem.facilities, self.problem.customers
        assignments = [
            Assignment(customer=customers[j].id, facility=facilities[i].id, fraction=min(1.0, float(share[i, j])))
            for j in range(self.n) for i in np.flatnonzero(share[:, j])
        ]
        solution = FacilitySolution(open=[facilities[i].id for i in np.flatnonzero(opened)], assignments=assignments)
        cost = float(self.fixed[opened].sum() + (self.costs * share).sum())
        return Decoded(solution, cost)

    def quick_start(self) -> Decoded | None:
        """The first-fit plan of `greedy.greedy_shares` (numpy only; 0.013 s on 100 x 1,000)."""
        data = FacilityData(fixed=self.fixed, capacity=self.capacity, demand=self.demand, costs=self.costs,
                            single_source=self.problem.single_source)  # the arrays this model already holds
        shares = greedy_shares(data)
        if shares is None:
            return None
        return self.decode(np.concatenate([shares.any(axis=1).astype(np.float64), shares.ravel()]))

    def encode(self, solution: Solution) -> FloatArray | None:
        if not isinstance(solution, FacilitySolution):
            return None
        x = np.zeros(self.m + self.m * self.n)
        for fid in solution.open:
            if str(fid) not in self._fac:
                return None
            x[self._fac[str(fid)]] = 1.0
        for a in solution.assignments:
            i, j = self._fac.get(str(a.facility)), self._cust.get(str(a.customer))
            if i is None or j is None:
                return None
            x[self.xcol[i, j]] += a.fraction
        return x if self.mip.violation(x) <= 1e-6 else None
