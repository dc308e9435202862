"""Certified bounds for every family without a MIP solver, for heuristics to report a gap.

Each bound is on the right side of the optimum by construction, not by trusting a solver:

- knapsack: the Dantzig bound (`knapsack_bound`) for one constraint; for several, the LP
  relaxation, certified through its duals (below), never weaker than `knapsack_bound`'s.
- TSP: the Held-Karp 1-tree bound (`tsp_bound`).
- facility location: the LP relaxation of the strong formulation (x_ij <= y_i), certified through
  its duals; for large instances (HiGHS's LP on 100 x 1000 takes 52 s) or when the LP does not
  finish in its time budget, the Lagrangian bound of `facility_bound` (demand rows relaxed,
  subgradient on their prices), and never less than the cheapest-assignment bound: every
  customer at its cheapest cost plus the cheapest cover of the demand by capacities.
- scheduling: machine and job bounds (heads, loads, setups that cannot be avoided, tails; the
  total work of flexible operations spread over the machines); a tardiness bound from job lengths.

LP duals as certificates: for min c.x, G x <= h, E x = e, l <= x <= u (finite box), ANY multipliers
mu >= 0 and nu give the Lagrangian bound -mu.h - nu.e + sum_j min(r_j l_j, r_j u_j), with reduced
costs r = c + G'mu + E'nu. It is evaluated from scipy's (HiGHS's) marginals: a solver's
tolerance can weaken the bound, never push it past the optimum.
"""

import math
import time
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

from models import FacilityLocationProblem, KnapsackProblem
from solvers.families.facility.bound import LagrangeSolution, Subgradient, lagrangian, min_cover
from solvers.families.facility.data import FacilityData
from solvers.families.facility.mip import FacilityFormulation
from solvers.families.knapsack import bound as knapsack_bound
from solvers.families.knapsack.mip import KnapsackFormulation
from solvers.families.scheduling.data import ScheduleData
from solvers.families.scheduling.heuristic import makespan_lower_bound
from solvers.families.tsp import bound as tsp_bound
from solvers.mip.array_mip import ArrayMip

FloatArray = NDArray[np.float64]
SAFETY = 1e-9
"""Relative slack taken off a dual bound against floating-point error in its own evaluation."""
LAGRANGE_ITERATIONS = 2000
"""Most subgradient steps of the facility Lagrangian bound (its time budget usually ends it)."""
LP_MAX_PAIRS = 50_000
"""Largest facilities x customers for which the facility LP is tried (measured with scipy's HiGHS:
50 x 50 solves in 0.1 s, 100 x 1000 needs 52 s)."""



@dataclass(frozen=True)
class CertifiedBound:
    """A bound on the optimum (upper when maximising, lower when minimising) and what proves it."""

    value: float
    source: str
    seconds: float = 0.0
    note: str = ""


@dataclass(frozen=True)
class LpBound:
    """The certified LP-relaxation bound and the row multipliers behind it (>= 0 for <= rows)."""

    value: float
    row_duals: FloatArray
    """One per row of the model, in the model's sense (for a maximisation: prices of capacity)."""
    primal: FloatArray
    """The LP's optimal point (heuristics round it)."""


# --------------------------------------------------------------------------------------------
# LP relaxation with a dual certificate


def lp_dual_bound(mip: ArrayMip, time_limit: float) -> LpBound | None:
    """The LP relaxation's bound for `mip` (integrality dropped), or None when the LP did not
    finish within `time_limit` seconds or a column is unbounded."""
    from scipy.optimize import linprog  # lazily: only heuristics that need an LP pay its import

    if not mip.bounded():
        return None
    sign = -1.0 if mip.maximise else 1.0
    cost = sign * mip.c
    eq = mip.row_lower == mip.row_upper
    upper = ~eq & np.isfinite(mip.row_upper)
    lower = ~eq & np.isfinite(mip.row_lower)
    a = mip.a.tocsr()
    a_ub = sp.vstack([a[upper], -a[lower]], format="csr")
    b_ub = np.concatenate([mip.row_upper[upper], -mip.row_lower[lower]])
    a_eq, b_eq = a[eq], mip.row_upper[eq]
    result = linprog(cost, A_ub=a_ub if a_ub.shape[0] else None, b_ub=b_ub if a_ub.shape[0] else None,
                     A_eq=a_eq if a_eq.shape[0] else None, b_eq=b_eq if a_eq.shape[0] else None,
                     bounds=np.column_stack([mip.col_lower, mip.col_upper]), method="highs",
                     options={"time_limit": max(time_limit, 1e-3)})
    if result.status != 0:
        return None
    m_ub = np.minimum(np.asarray(result.ineqlin.marginals, dtype=np.float64), 0.0) if a_ub.shape[0] else np.zeros(0)
    m_eq = np.asarray(result.eqlin.marginals, dtype=np.float64) if a_eq.shape[0] else np.zeros(0)
    reduced = cost - a_ub.T @ m_ub - a_eq.T @ m_eq
    box = np.where(reduced >= 0, reduced * mip.col_lower, reduced * mip.col_upper).sum()
    value = float(m_ub @ b_ub + m_eq @ b_eq + box)
    value -= SAFETY * max(1.0, abs(value))
    duals = np.zeros(mip.n_rows)
    n_up = int(upper.sum())
    duals[upper] = -m_ub[:n_up]
    duals[lower] = m_ub[n_up:]
    duals[eq] = -m_eq
    return LpBound(sign * value + mip.offset, duals, np.asarray(result.x, dtype=np.float64))


# --------------------------------------------------------------------------------------------
# Knapsack


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


# --------------------------------------------------------------------------------------------
# TSP


def tsp_lower_bound(matrix: FloatArray, upper: float | None, time_limit: float) -> CertifiedBound:
    """The Held-Karp 1-tree bound (rounded up for integer distances)."""
    started = time.monotonic()
    value = tsp_bound.tsp_lower_bound(matrix, upper, time_limit=time_limit)
    return CertifiedBound(value, tsp_bound.BOUND_SOURCE, time.monotonic() - started)


# --------------------------------------------------------------------------------------------
# Facility location


def facility_lower_bound(problem: FacilityLocationProblem, time_limit: float,
                         iterations: int | None = None) -> tuple[CertifiedBound, FloatArray | None]:
    """The LP relaxation of the strong formulation when it is small enough and finishes in
    `time_limit`, else the Lagrangian bound (never weaker than the cheapest-assignment bound).
    Valid for single sourcing too (a relaxation). Also returns the opening levels y (one per
    facility) of the relaxation's solution, for heuristics to round. `iterations` caps the
    Lagrangian's subgradient steps (default `LAGRANGE_ITERATIONS`)."""
    started = time.monotonic()
    cheap = cheapest_assignment_bound(problem)
    note = ""
    if len(problem.facilities) * len(problem.customers) <= LP_MAX_PAIRS:
        lp = lp_dual_bound(FacilityFormulation(problem).mip, time_limit)
        if lp is not None:
            source, value = ("lp_relaxation", lp.value) if lp.value > cheap else ("cheapest_assignment", cheap)
            return CertifiedBound(value, source, time.monotonic() - started), lp.primal[: len(problem.facilities)]
        note = f"LP relaxation did not finish in {time_limit:.2g} s; "
    remaining = max(0.0, time_limit - (time.monotonic() - started))
    lagrangian, opening = lagrangian_bound(problem, remaining, iterations or LAGRANGE_ITERATIONS)
    seconds = time.monotonic() - started
    if lagrangian > cheap:
        return CertifiedBound(lagrangian, "lagrangian", seconds, note + "Lagrangian bound used"), opening
    return CertifiedBound(cheap, "cheapest_assignment", seconds, note + "cheapest-assignment bound used"), opening


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


# --------------------------------------------------------------------------------------------
# Scheduling


def scheduling_lower_bound(data: ScheduleData) -> CertifiedBound:
    """Makespan: max of job chains (release + shortest durations), per machine head + load +
    unavoidable setups + tail, and the total work spread over all machines. Weighted tardiness:
    each job's chain against its due date."""
    started = time.monotonic()
    if data.minimise_makespan:
        value = float(max(makespan_lower_bound(data), _machine_bound(data), _spread_bound(data)))
    else:
        value = _tardiness_bound(data)
    return CertifiedBound(value, "machine_job_bound", time.monotonic() - started)


def _shortest(data: ScheduleData, op: int) -> int:
    return min(c.duration for c in data.ops[op].choices)


def _heads_tails(data: ScheduleData) -> tuple[list[int], list[int]]:
    """For each operation: earliest start (release + predecessors) and least work after it."""
    heads, tails = [0] * len(data.ops), [0] * len(data.ops)
    for j, ops in enumerate(data.job_ops):
        clock = data.problem.jobs[j].release
        for o in ops:
            heads[o] = clock
            clock += _shortest(data, o)
        rest = 0
        for o in reversed(ops):
            tails[o] = rest
            rest += _shortest(data, o)
    return heads, tails


def _least_setups(data: ScheduleData, machine: int, ops: list[int]) -> dict[int, int]:
    """For each job with an operation in `ops` (every operation that may run on `machine`): the
    least setup before it there, over every other operation of `ops` that could precede it."""
    matrix = data.setups[machine]
    jobs = [data.ops[o].job for o in ops]
    if matrix is None:
        return dict.fromkeys(jobs, 0)
    count = np.bincount(jobs, minlength=data.n_jobs)
    present = np.flatnonzero(count)
    never = np.iinfo(np.int64).max
    block = np.array(matrix, dtype=np.int64)[np.ix_(present, present)]
    alone = np.flatnonzero(count[present] == 1)
    block[alone, alone] = never  # an operation never precedes itself
    least = block.min(axis=0)
    return {int(j): 0 if v == never else int(v) for j, v in zip(present, least, strict=True)}


def _machine_bound(data: ScheduleData) -> int:
    """Per machine, over the operations fixed to it: min head + load + setups + min tail. Each of
    them but the first pays at least its cheapest setup from any operation that may precede it
    there (flexible ones included)."""
    heads, tails = _heads_tails(data)
    users = _users(data)
    best = 0
    for m in range(data.n_machines):
        fixed = [o for o in users[m] if len(data.ops[o].choices) == 1]
        if not fixed:
            continue
        least = _least_setups(data, m, users[m])
        setups = sorted(least[data.ops[o].job] for o in fixed)
        load = sum(data.ops[o].choices[0].duration for o in fixed)
        best = max(best, min(heads[o] for o in fixed) + load + sum(setups[:-1]) + min(tails[o] for o in fixed))
    return best


def _users(data: ScheduleData) -> list[list[int]]:
    """For each machine, the operations that may run on it."""
    users: list[list[int]] = [[] for _ in range(data.n_machines)]
    for o, op in enumerate(data.ops):
        for c in op.choices:
            users[c.machine].append(o)
    return users


def _spread_bound(data: ScheduleData) -> int:
    """All processing plus unavoidable setups fits in machines x makespan; the first operation on
    each machine pays no setup, so the machine-count largest setup terms are left out."""
    users = _users(data)
    work = sum(_shortest(data, o) for o in range(len(data.ops)))
    setups: list[int] = []
    if data.has_setups:
        least = [_least_setups(data, m, users[m]) if users[m] else {} for m in range(data.n_machines)]
        for op in data.ops:
            setups.append(min(least[c.machine][op.job] for c in op.choices))
        setups.sort()
        work += sum(setups[: max(0, len(setups) - data.n_machines)])
    return math.ceil(work / data.n_machines) if data.n_machines else 0


def _tardiness_bound(data: ScheduleData) -> float:
    heads, _ = _heads_tails(data)
    total = 0.0
    for job, ops in zip(data.problem.jobs, data.job_ops, strict=True):
        if job.due is not None and ops:
            finish = heads[ops[-1]] + _shortest(data, ops[-1])
            total += job.weight * max(0, finish - job.due)
    return total
