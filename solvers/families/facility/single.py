"""Lagrangian lower bound for SINGLE-SOURCE facility location: 0/1 knapsacks per facility.

With multipliers lam_j on the assignment rows sum_i x_ij = 1 (x binary), the problem falls apart
by facility, as in `bound` but with integral shares:

    L(lam) = sum_j lam_j + min { sum_i v_i y_i : sum_i cover_i y_i >= D, at least one y_i = 1 }
    v_i    = f_i + min { sum_j (c_ij - lam_j) x_ij : sum_j d_j x_ij <= s_i, x_ij in {0, 1} }

v_i is a 0/1 knapsack over the customers of negative reduced cost (the others are never taken).
It is solved exactly by dynamic programming over capacity when the demands are integers (divided
by their common divisor) and the table of one facility has at most `CELL_LIMIT` cells; otherwise
its continuous relaxation is used, which is smaller, so L stays a valid lower bound (just weaker
for that facility). Since the knapsacks keep integrality, this bound is at least the split-demand
bound of `bound.lagrangian` at the same multipliers (Beasley 1993; Holmberg, Rönnqvist and Yuan
1999, "An exact algorithm for the capacitated facility location problems with single sourcing",
EJOR 113). The result is a `bound.LagrangeSolution`, so the subgradient ascent, the move bounds
of `search` and the reduced-cost fixing of `reduce` take it unchanged.
"""

import math

import numpy as np
from numpy.typing import NDArray

from solvers.families.facility.bound import SAFETY, LagrangeSolution, min_cover
from solvers.families.facility.data import FacilityData, FloatArray
from solvers.families.jit import jit

IntArray = NDArray[np.int64]
CELL_LIMIT = 4_000_000
"""Largest knapsack table (items x capacity units) solved exactly for one facility."""
INT_CAP = 1 << 40
"""Capacity units standing for 'unlimited' (uncapacitated facilities take all negative items)."""


class Knapsacks:
    """The integer weights and capacities of one problem's facility knapsacks (computed once)."""

    def __init__(self, data: FacilityData) -> None:
        demand = data.demand
        self.integral = bool(np.all(demand == np.round(demand)) and demand.max(initial=0.0) < 2**40)
        g = int(np.gcd.reduce(demand.astype(np.int64))) if self.integral and demand.any() else 1
        self.divisor = max(g, 1)
        self.weight = (demand // self.divisor).astype(np.int64) if self.integral else np.zeros(len(demand), np.int64)
        capacity = np.minimum(data.capacity, float(INT_CAP) * self.divisor)
        self.units = np.floor(capacity / self.divisor + 1e-9).astype(np.int64)
        self.demand, self.capacity = demand, np.minimum(data.capacity, 1e300)

    def solve(self, reduced: FloatArray) -> tuple[FloatArray, FloatArray]:
        """(v_i - f_i, x): every facility's knapsack optimum (or its LP bound) and choice."""
        return _knapsacks(np.ascontiguousarray(reduced), self.weight, self.units, self.demand, self.capacity,
                          self.integral, CELL_LIMIT)


def single_lagrangian(data: FacilityData, knapsacks: Knapsacks, multipliers: FloatArray) -> LagrangeSolution:
    """L(multipliers) of the single-source relaxation and its solution."""
    part, shares = knapsacks.solve(data.costs - multipliers[None, :])
    values = data.fixed + part
    cover_value, opened = min_cover(values, data.cover, data.total_demand)
    bound = float(multipliers.sum()) + cover_value
    if math.isfinite(bound):
        bound -= SAFETY * max(1.0, abs(bound))
    return LagrangeSolution(multipliers, bound, values, opened, shares)


@jit
def _knapsacks(reduced: FloatArray, weight: IntArray, units: IntArray, demand: FloatArray, capacity: FloatArray,
               integral: bool, cell_limit: int) -> tuple[FloatArray, FloatArray]:
    m, n = reduced.shape
    values = np.zeros(m)
    x = np.zeros((m, n))
    items = np.empty(n, dtype=np.int64)
    for i in range(m):
        k, load = 0, 0.0
        for j in range(n):
            if reduced[i, j] < 0.0:
                items[k] = j
                k += 1
                load += demand[j]
        if load <= capacity[i]:
            for t in range(k):
                x[i, items[t]] = 1.0
                values[i] += reduced[i, items[t]]
        elif integral and k * (units[i] + 1) <= cell_limit:
            values[i] = _dp(reduced[i], weight, units[i], items[:k], x[i])
        else:
            values[i] = _fractional(reduced[i], demand, capacity[i], items[:k], x[i])
    return values, x


@jit
def _dp(reduced: FloatArray, weight: IntArray, cap: int, items: IntArray, out: FloatArray) -> float:
    """Exact 0/1 knapsack by dynamic programming over capacity units; writes the choice to out."""
    k = len(items)
    best = np.zeros(cap + 1)
    keep = np.zeros((k, cap + 1), dtype=np.uint8)
    for t in range(k):
        w, p = weight[items[t]], -reduced[items[t]]
        for c in range(cap, w - 1, -1):
            if best[c - w] + p > best[c]:
                best[c] = best[c - w] + p
                keep[t, c] = 1
    c = cap
    for t in range(k - 1, -1, -1):
        if keep[t, c]:
            out[items[t]] = 1.0
            c -= weight[items[t]]
    return float(-best[cap])


@jit
def _fractional(reduced: FloatArray, demand: FloatArray, capacity: float, items: IntArray, out: FloatArray) -> float:
    """The continuous knapsack (a lower bound of the 0/1 one): best ratio first, the last one partly."""
    ratio = np.empty(len(items))
    for t in range(len(items)):
        d = demand[items[t]]
        ratio[t] = reduced[items[t]] / d if d > 0 else -np.inf
    room, value = capacity, 0.0
    for t in np.argsort(ratio):
        j = items[t]
        share = 1.0 if demand[j] <= room else (room / demand[j] if demand[j] > 0 else 1.0)
        if share <= 0.0:
            break
        out[j] = share
        value += share * reduced[j]
        room -= share * demand[j]
    return value


def pair_bounds(data: FacilityData, knapsacks: Knapsacks, point: LagrangeSolution,
                opened_bound: FloatArray) -> FloatArray:
    """For every pair (i, j): a lower bound on every solution that serves j from i.

    Such a solution opens i, so it costs at least `opened_bound[i]` (L at `point`'s multipliers
    with i forced open: `bound.forced_bounds` for the facilities the relaxation closes, L itself
    for the others), plus what forcing j into i's knapsack adds to v_i: at least
    r_ij - (K_i(s_i) - K_i(s_i - d_j)), K_i(c) being the best knapsack profit at capacity c over
    all of i's negative items (j included, so it can only overstate what is left: still valid).
    Facilities whose knapsack is not solved exactly get r_ij alone (valid: K only grows with c).
    Pairs whose bound exceeds an incumbent's cost can be left out of every better solution."""
    reduced = data.costs - point.multipliers[None, :]
    delta = _forced_item_costs(np.ascontiguousarray(reduced), knapsacks.weight, knapsacks.units, knapsacks.demand,
                               knapsacks.capacity, knapsacks.integral, CELL_LIMIT)
    out = np.asarray(opened_bound[:, None] + np.maximum(delta, 0.0), dtype=np.float64)
    finite = np.isfinite(out)
    out[finite] -= SAFETY * np.maximum(1.0, np.abs(out[finite]))
    return out


@jit
def _forced_item_costs(reduced: FloatArray, weight: IntArray, units: IntArray, demand: FloatArray,
                       capacity: FloatArray, integral: bool, cell_limit: int) -> FloatArray:
    m, n = reduced.shape
    out = np.empty((m, n))
    for i in range(m):
        k, load = 0, 0.0
        for j in range(n):
            if reduced[i, j] < 0.0:
                k += 1
                load += demand[j]
        exact = integral and load > capacity[i] and k * (units[i] + 1) <= cell_limit
        best = np.zeros(1)
        if exact:
            cap = units[i]
            best = np.zeros(cap + 1)
            for j in range(n):
                if reduced[i, j] < 0.0:
                    w, p = weight[j], -reduced[i, j]
                    for c in range(cap, w - 1, -1):
                        if best[c - w] + p > best[c]:
                            best[c] = best[c - w] + p
        for j in range(n):
            if demand[j] > capacity[i]:
                out[i, j] = np.inf
            elif exact:
                out[i, j] = reduced[i, j] + best[units[i]] - best[units[i] - weight[j]]
            elif load <= capacity[i] and reduced[i, j] < 0.0:
                out[i, j] = 0.0  # every negative item fits: j is already in
            else:
                out[i, j] = reduced[i, j]
    return out
