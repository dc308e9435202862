"""Lagrangian lower bound for facility location: relax the demand rows, keep everything else.

With multipliers lam_j on the rows sum_i x_ij = 1, the problem falls apart by facility:

    L(lam) = sum_j lam_j + min { sum_i v_i y_i : sum_i cover_i y_i >= D, at least one y_i = 1 }
    v_i    = f_i + min { sum_j (c_ij - lam_j) x_ij : sum_j d_j x_ij <= s_i, 0 <= x_ij <= 1 }

v_i is a continuous knapsack (take customers by reduced cost per unit of demand, the last one
partly), solved greedily for all facilities at once with numpy. The outer problem is a 0/1
min-cover knapsack over the facilities, solved exactly: by dynamic programming over capacity in
units of the capacities' common divisor (OR-Library capacities are integers, often all equal, so
the table is tiny), otherwise by depth-first branch and bound, replaced past a node limit by its
LP bound (still valid). Every L(lam) is a lower bound of the optimum whatever lam is (weak
duality; single sourcing included, since it only restricts the problem), so the subgradient
search can stop at any time. The aggregate capacity row and "at least one facility" are valid
inequalities kept in the relaxation, and integrality of y is kept too: that is what makes this
bound far stronger than the LP relaxation of the strong formulation (measured on capa-8000: the
LP is 2.1% below the optimum and takes HiGHS 52 s; L reaches 0.07% below it in under 2 s).
"""

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from solvers.families.facility.data import BoolArray, FacilityData, FloatArray
from solvers.families.jit import jit

SAFETY = 1e-9
"""Relative slack taken off every bound against floating-point error in its own evaluation."""
NODE_LIMIT = 5_000
TABLE_LIMIT = 5_000_000
"""Largest (states x facilities) for the exact min-cover table."""


@dataclass(frozen=True)
class LagrangeSolution:
    """L(lam) at one lam, with the relaxation's optimal solution (for subgradients and heuristics)."""

    multipliers: FloatArray
    bound: float
    """A valid lower bound (already reduced by `SAFETY`)."""
    values: FloatArray
    """v_i: what opening facility i adds to L at these multipliers."""
    opened: BoolArray
    """The min-cover knapsack's choice y."""
    shares: FloatArray
    """Each facility's continuous-knapsack solution x_i. (as if it were open), m x n."""

    def subgradient(self) -> FloatArray:
        """1 - sum_i y_i x_ij: positive where a customer is under-served by the relaxation."""
        return np.asarray(1.0 - self.shares[self.opened].sum(axis=0), dtype=np.float64)


def continuous_knapsacks(reduced: FloatArray, demand: FloatArray,
                         capacity: FloatArray) -> tuple[FloatArray, FloatArray]:
    """For every row i: min sum_j reduced_ij x_ij s.t. demand.x <= capacity_i, 0 <= x <= 1.

    Returns (values, x). Only rows whose negative entries overflow the capacity are sorted."""
    negative = reduced < 0
    x = negative.astype(np.float64)
    load = negative.astype(np.float64) @ demand
    tight = np.flatnonzero(load > capacity)
    if len(tight):
        x[tight] = _fill_greedily(reduced[tight], demand, capacity[tight])
    return (reduced * x).sum(axis=1), x


def _fill_greedily(reduced: FloatArray, demand: FloatArray, capacity: FloatArray) -> FloatArray:
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(reduced < 0, np.where(demand > 0, reduced / demand, -np.inf), np.inf)
    order = np.argsort(ratio, axis=1, kind="stable")
    taken = np.take_along_axis(ratio, order, axis=1) < 0
    sorted_d = np.where(taken, demand[order], 0.0)
    room = capacity[:, None] - (np.cumsum(sorted_d, axis=1) - sorted_d)
    with np.errstate(divide="ignore", invalid="ignore"):
        part = np.where(sorted_d > 0, np.clip(room / sorted_d, 0.0, 1.0), (room >= 0).astype(np.float64))
    x = np.zeros_like(reduced)
    np.put_along_axis(x, order, np.where(taken, part, 0.0), axis=1)
    return x


def min_cover(values: FloatArray, weights: FloatArray, need: float,
              at_least_one: bool = True) -> tuple[float, BoolArray]:
    """min values.y s.t. weights.y >= need, y binary (and at least one y_i = 1 if asked).

    Returns (value, y): the optimum, or past `NODE_LIMIT` nodes the LP bound with the best cover
    found (value <= values.y then). Infinite values mark excluded facilities; (inf, all False)
    when no cover exists."""
    usable = np.isfinite(values)
    take = usable & (values <= 0)
    base = float(values[take].sum())
    rest = need - float(weights[take].sum())
    if rest <= 0 and (take.any() or not at_least_one):
        return base, take
    free = np.flatnonzero(usable & ~take)
    if not len(free) or float(weights[free].sum()) < rest:
        return math.inf, np.zeros(len(values), dtype=bool)
    y = take.copy()
    if rest <= 0:  # covered by nothing at all: the cheapest facility is the one to open
        k = free[np.argmin(values[free])]
        y[k] = True
        return base + float(values[k]), y
    free = free[weights[free] > 0]
    exact = _cover_by_table(values[free], weights[free], rest)
    if exact is not None:
        y[free[exact[1]]] = True
        return base + exact[0], y
    order = free[np.argsort(values[free] / weights[free], kind="stable")]
    search = _CoverSearch([float(v) for v in values[order]], [float(w) for w in weights[order]], rest)
    y[order[search.run()]] = True
    return base + (search.best if search.complete else search.root_bound), y


def _cover_by_table(values: FloatArray, weights: FloatArray, need: float) -> tuple[float, BoolArray] | None:
    """Exact min-cover by dynamic programming over covered capacity, when the weights are integers
    whose common divisor g leaves at most `TABLE_LIMIT` states (sums of multiples of g reach `need`
    exactly when they reach g * ceil(need / g)); None otherwise. Capacities are integers in every
    OR-Library instance, often equal, which makes the table tiny."""
    if not np.all(weights == np.round(weights)) or weights.max() > 2**52:
        return None
    ints = weights.astype(np.int64)
    g = int(np.gcd.reduce(ints))
    target = math.ceil(need / g - 1e-9)
    if target * len(ints) > TABLE_LIMIT:
        return None
    steps = np.minimum(ints // g, target).astype(np.int64)
    value, chosen = _cover_table(np.ascontiguousarray(values, dtype=np.float64), steps, int(target))
    if not math.isfinite(value):
        return None
    return float(value), chosen


@jit
def _cover_table(values: FloatArray, steps: NDArray[np.int64], target: int) -> tuple[float, BoolArray]:
    """The table of `_cover_by_table` (compiled): best[c] = cheapest set covering exactly c units
    (c < target) or at least target (c = target)."""
    k = len(values)
    best = np.full(target + 1, np.inf)
    best[0] = 0.0
    took = np.zeros((k, target + 1), dtype=np.bool_)
    capped_from = np.zeros(k, dtype=np.int64)
    new = best.copy()
    for t in range(k):
        v, w = values[t], steps[t]
        new[:] = best
        for c in range(w, target):  # states below the target come from exactly one state, w lower
            if best[c - w] + v < new[c]:
                new[c] = best[c - w] + v
                took[t, c] = True
        low = max(target - w, 0)  # the target (capped) state comes from any state >= target - w
        origin = low
        for c in range(low, target + 1):
            if best[c] < best[origin]:
                origin = c
        if best[origin] + v < new[target]:
            new[target] = best[origin] + v
            took[t, target] = True
            capped_from[t] = origin
        best[:] = new
    chosen = np.zeros(k, dtype=np.bool_)
    if best[target] == np.inf:
        return np.inf, chosen
    level = target
    for t in range(k - 1, -1, -1):
        if took[t, level]:
            chosen[t] = True
            level = capped_from[t] if level == target else level - steps[t]
    return best[target], chosen


class _CoverSearch:
    """Depth-first branch and bound for the min-cover knapsack, items sorted by value/weight."""

    def __init__(self, values: list[float], weights: list[float], need: float) -> None:
        self.values, self.weights, self.need = values, weights, need
        self.best, self.best_set = math.inf, [0]
        self.nodes, self.complete = 0, True
        self.root_bound = self._lp(0, need)

    def run(self) -> list[int]:
        self._greedy()
        self._dfs(0, self.need, 0.0, [])
        return self.best_set

    def _greedy(self) -> None:
        chosen, need, total = [], self.need, 0.0
        for k, (v, w) in enumerate(zip(self.values, self.weights, strict=True)):
            chosen.append(k)
            total += v
            need -= w
            if need <= 0:
                break
        self.best, self.best_set = total, chosen

    def _lp(self, k: int, need: float) -> float:
        total = 0.0
        for v, w in zip(self.values[k:], self.weights[k:], strict=True):
            if w >= need:
                return total + v * (need / w if w > 0 else 1.0)
            total += v
            need -= w
        return math.inf

    def _dfs(self, k: int, need: float, total: float, chosen: list[int]) -> None:
        if need <= 0 and chosen:
            if total < self.best:
                self.best, self.best_set = total, list(chosen)
            return
        self.nodes += 1
        if self.nodes > NODE_LIMIT:
            self.complete = False
            return
        if k >= len(self.values) or total + self._lp(k, max(need, 0.0)) >= self.best:
            return
        chosen.append(k)
        self._dfs(k + 1, need - self.weights[k], total + self.values[k], chosen)
        chosen.pop()
        self._dfs(k + 1, need, total, chosen)


def lagrangian(data: FacilityData, multipliers: FloatArray) -> LagrangeSolution:
    """L(multipliers) and the relaxation's solution."""
    reduced = data.costs - multipliers[None, :]
    part, shares = continuous_knapsacks(reduced, data.demand, data.capacity)
    values = data.fixed + part
    cover_value, opened = min_cover(values, data.cover, data.total_demand)
    bound = float(multipliers.sum()) + cover_value
    bound -= SAFETY * max(1.0, abs(bound))
    return LagrangeSolution(multipliers, bound, values, opened, shares)


def forced_bounds(data: FacilityData, point: LagrangeSolution) -> FloatArray:
    """For every facility: L at `point`'s multipliers with that facility forced to the other
    side of the relaxation's choice (open if it was closed, closed if open). A value above an
    incumbent's cost proves the facility takes the relaxation's side in every better solution."""
    offset = float(point.multipliers.sum())
    out = np.empty(data.m)
    cover, need = data.cover, data.total_demand
    for i in range(data.m):
        values = point.values.copy()
        values[i] = np.inf
        if point.opened[i]:
            value, _ = min_cover(values, cover, need)
        else:  # open i: its value plus the cheapest cover of what its capacity leaves
            rest, _ = min_cover(values, cover, need - float(cover[i]), at_least_one=False)
            value = float(point.values[i]) + rest
        out[i] = offset + value
    finite = np.isfinite(out)
    out[finite] -= SAFETY * np.maximum(1.0, np.abs(out[finite]))
    return out


@dataclass
class Subgradient:
    """Subgradient ascent on L (Polyak steps towards an incumbent's cost, halved on stalls)."""

    data: FacilityData
    theta: float = 2.0
    patience: int = 20
    """Iterations without a better bound before theta is halved."""
    min_theta: float = 1e-3

    def start(self) -> FloatArray:
        """lam_j = the cheapest way to serve j: L is then the cheapest-assignment bound."""
        return np.asarray(self.data.costs.min(axis=0), dtype=np.float64)

    def step(self, point: LagrangeSolution, upper: float) -> FloatArray | None:
        """The next multipliers, or None when the search is over (zero subgradient, tiny theta)."""
        g = point.subgradient()
        norm = float(g @ g)
        if norm < 1e-12 or self.theta < self.min_theta:
            return None
        target = upper if math.isfinite(upper) else point.bound + 0.05 * abs(point.bound) + 1.0
        return np.asarray(point.multipliers + self.theta * max(target - point.bound, 0.0) / norm * g,
                          dtype=np.float64)
