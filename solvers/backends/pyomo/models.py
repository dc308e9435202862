"""The four families as Pyomo models, written once for any Pyomo solver.

Each `*_model(problem)` returns a `PyomoModel`: the concrete model, its sense, a decoder that reads the
loaded variable values into a wire solution with its objective recomputed from the data, and
for the TSP a separator adding lazy subtour cuts. Knapsack and facility location are here; the
TSP is in `pyomo_tsp.py`, scheduling in `pyomo_scheduling.py`.

    knapsack            max v.x  s.t.  W x <= capacity (one row per dimension), x binary
    facility location   min f.y + c.x  s.t.  sum_i x_ij = 1,  x_ij <= y_i (disaggregated),
                        sum_j d_j x_ij <= s_i y_i,  sum_i s_i y_i >= sum_j d_j (all capacitated),
                        x_ij in [0, 1] or binary when single_source
"""

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pyomo.environ as pyo
from numpy.typing import NDArray

from models import (
    Assignment,
    FacilityLocationProblem,
    FacilitySolution,
    KnapsackProblem,
    KnapsackSolution,
)
from solvers.families.facility.data import FacilityData
from solvers.families.facility.greedy import greedy_shares
from solvers.mip.formulation import Decoded

SHARE_EPS = 1e-7
"""Facility shares below this are solver noise: dropped, and the rest renormalised."""


def _no_cuts() -> bool:
    return False


@dataclass
class PyomoModel:
    """A family's model and how to read its solutions."""

    model: pyo.ConcreteModel
    maximise: bool
    decode: Callable[[], Decoded]
    """The solution the loaded variable values stand for (repaired where the family needs it)."""
    separate: Callable[[], bool] = _no_cuts
    """Adds the lazy rows the loaded values violate; True when it added any."""
    exact: bool = True
    """False when the model is a restriction: then no optimality or bound is claimed."""
    warnings: tuple[str, ...] = ()
    heuristic: Decoded | None = None
    """A solution known before solving (kept if the solver finds nothing better)."""
    highs_options: dict[str, object] = field(default_factory=dict)
    """Measured HiGHS tuning for this model (used when HiGHS is the solver)."""


def knapsack_model(problem: KnapsackProblem) -> PyomoModel:
    values = [float(v) for v in problem.criterion_values("value")]
    rows, caps = problem.weight_rows(), problem.capacities()
    n = len(values)
    m = pyo.ConcreteModel(name="knapsack")
    m.x = pyo.Var(range(n), domain=pyo.Binary)
    for i in range(n):
        if any(row[i] > cap for row, cap in zip(rows, caps, strict=True)):
            m.x[i].fix(0)
    m.value = pyo.Objective(expr=pyo.quicksum(values[i] * m.x[i] for i in range(n) if values[i]),
                            sense=pyo.maximize)

    def capacity(model: pyo.ConcreteModel, d: int) -> object:
        terms = [rows[d][i] * model.x[i] for i in range(n) if rows[d][i]]
        return pyo.quicksum(terms) <= caps[d] if terms else pyo.Constraint.Skip

    m.capacity = pyo.Constraint(range(len(caps)), rule=capacity)

    def decode() -> Decoded:
        chosen = [i for i in range(n) if (m.x[i].value or 0.0) > 0.5]
        return Decoded(KnapsackSolution(selected=[problem.items[i].id for i in chosen]),
                       float(sum(values[i] for i in chosen)))

    # Measured (HiGHS 1.15, knapPI 10,000 items): presolve takes 6-15 s on one-row knapsacks, which
    # are then proven optimal in under a second without it (the highs backend does the same).
    hints: dict[str, object] = {"presolve": "off"} if len(caps) == 1 else {}
    return PyomoModel(m, True, decode, highs_options=hints)


def facility_model(problem: FacilityLocationProblem) -> PyomoModel:
    fixed = [f.fixed_cost for f in problem.facilities]
    caps = [f.capacity for f in problem.facilities]
    demand = [c.demand for c in problem.customers]
    costs = problem.costs
    facilities, customers = range(len(fixed)), range(len(demand))
    m = pyo.ConcreteModel(name="facility_location")
    m.y = pyo.Var(facilities, domain=pyo.Binary)
    m.x = pyo.Var(facilities, customers, domain=pyo.Binary if problem.single_source else pyo.UnitInterval)
    m.cost = pyo.Objective(expr=pyo.quicksum(fixed[i] * m.y[i] for i in facilities)
                           + pyo.quicksum(costs[i][j] * m.x[i, j] for i in facilities for j in customers))
    m.serve = pyo.Constraint(customers, rule=lambda m, j: pyo.quicksum(m.x[i, j] for i in facilities) == 1)
    m.link = pyo.Constraint(facilities, customers, rule=lambda m, i, j: m.x[i, j] <= m.y[i])
    capacitated = [i for i in facilities if caps[i] is not None]
    m.capacity = pyo.Constraint(capacitated, rule=lambda m, i: pyo.quicksum(
        demand[j] * m.x[i, j] for j in customers) <= caps[i] * m.y[i])
    if len(capacitated) == len(fixed):
        m.enough = pyo.Constraint(expr=pyo.quicksum(caps[i] * m.y[i] for i in facilities) >= sum(demand))

    def decode() -> Decoded:
        x = np.array([[m.x[i, j].value or 0.0 for j in customers] for i in facilities], dtype=np.float64)
        return facility_solution(problem, x)

    shares = greedy_shares(FacilityData.from_problem(problem))
    start = facility_solution(problem, shares) if shares is not None else None
    return PyomoModel(m, False, decode, heuristic=start)


def facility_solution(problem: FacilityLocationProblem, x: NDArray[np.float64]) -> Decoded:
    """Shares (facilities x customers) cleaned of noise, as open facilities and assignments."""
    share = np.clip(x, 0.0, 1.0)
    if problem.single_source:
        pick = np.zeros_like(share)
        pick[np.argmax(share, axis=0), np.arange(share.shape[1])] = 1.0
        share = pick
    else:
        share = np.where(share < SHARE_EPS, 0.0, share)
        share = share / np.maximum(share.sum(axis=0, keepdims=True), SHARE_EPS)
    opened = share.sum(axis=1) > 0
    facilities, customers = problem.facilities, problem.customers
    assignments = [
        Assignment(customer=customers[j].id, facility=facilities[i].id, fraction=min(1.0, float(share[i, j])))
        for j in range(share.shape[1]) for i in np.flatnonzero(share[:, j])
    ]
    fixed = np.array([f.fixed_cost for f in facilities], dtype=np.float64)
    cost = float(fixed[opened].sum() + (np.array(problem.costs, dtype=np.float64) * share).sum())
    solution = FacilitySolution(open=[facilities[i].id for i in np.flatnonzero(opened)], assignments=assignments)
    return Decoded(solution, cost)
