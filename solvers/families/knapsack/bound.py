"""Upper bounds for the 0/1 knapsack without any solver: the Dantzig (LP) bound and friends.

The Dantzig bound is the LP relaxation of the single-constraint knapsack, solved greedily: take
items by decreasing value/weight until the break item, then a fraction of it. Any backend (exact
or heuristic) can report it as `bound_source: "dantzig"`.

For multi-dimensional knapsacks every single dimension alone is a relaxation, and so is any
non-negative combination of the constraints (a surrogate constraint): the bound returned is
the smallest of those Dantzig bounds. It is weaker than the full LP relaxation but needs no LP
solver.
"""

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from models import KnapsackProblem

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class BreakSolution:
    """The greedy LP solution by efficiency order: items before `index` taken, a fraction of it."""

    order: NDArray[np.int64]
    """Positions of the items sorted by decreasing value/weight (zero weights first)."""
    index: int
    """Position in `order` of the break item (== len(order) when everything fits)."""
    value: float
    """Value of the items before the break item."""
    weight: float
    """Weight of the items before the break item."""
    bound: float
    """The Dantzig bound: `value` plus the fractional value of the break item."""


def efficiency_order(values: FloatArray, weights: FloatArray) -> NDArray[np.int64]:
    """Item positions by decreasing value/weight; zero-weight items first, ties by smaller weight."""
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(weights > 0, values / np.where(weights > 0, weights, 1.0), np.inf)
    return np.lexsort((weights, -ratio)).astype(np.int64)


def break_solution(values: FloatArray, weights: FloatArray, capacity: float) -> BreakSolution:
    """The LP relaxation of max v.x s.t. w.x <= capacity, 0 <= x <= 1 (items of weight > capacity
    stay usable fractionally, as in the LP)."""
    order = efficiency_order(values, weights)
    cum_w = np.cumsum(weights[order])
    cum_v = np.cumsum(values[order])
    index = int(np.searchsorted(cum_w, capacity, side="right"))
    if index == len(order):
        total = float(cum_v[-1]) if len(order) else 0.0
        return BreakSolution(order, index, total, float(cum_w[-1]) if len(order) else 0.0, total)
    value = float(cum_v[index - 1]) if index else 0.0
    weight = float(cum_w[index - 1]) if index else 0.0
    item = order[index]
    fraction = (capacity - weight) / float(weights[item])
    return BreakSolution(order, index, value, weight, value + fraction * float(values[item]))


def dantzig_bound(values: FloatArray, weights: FloatArray, capacity: float) -> float:
    """The LP bound of a single-constraint 0/1 knapsack (items heavier than the capacity dropped)."""
    usable = weights <= capacity
    return break_solution(values[usable], weights[usable], capacity).bound


def upper_bound(problem: KnapsackProblem) -> float:
    """A valid upper bound for any knapsack problem: Dantzig for one dimension; for several, the
    smallest Dantzig bound over each dimension alone and the capacity-normalised surrogate."""
    values = np.array(problem.criterion_values("value"), dtype=np.float64)
    rows = np.array(problem.weight_rows(), dtype=np.float64)
    caps = np.array(problem.capacities(), dtype=np.float64)
    fits = np.all(rows <= caps[:, None], axis=0)
    values, rows = values[fits], rows[:, fits]
    bounds = [dantzig_bound(values, rows[d], float(caps[d])) for d in range(len(caps))]
    if len(caps) > 1 and np.all(caps > 0):
        surrogate = (rows / caps[:, None]).sum(axis=0)
        bounds.append(dantzig_bound(values, surrogate, float(len(caps))))
    return float(min(bounds))
