"""Preparing a single-constraint knapsack for exact search: sort, break solution, greedy, reduction.

All functions work in the instance's own arithmetic: int64 for integer data (bounds floored,
exact), float64 otherwise.
"""

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from solvers.families.knapsack.core_states import Numbers, Target


@dataclass(frozen=True)
class Items:
    """Free items in decreasing efficiency, plus what is already fixed in."""

    index: NDArray[np.int64]
    """Original positions of the free items."""
    values: Numbers
    weights: Numbers
    capacity: Any
    """Capacity left for the free items."""
    fixed_value: Any
    fixed_in: NDArray[np.int64]
    """Original positions of the items fixed in (their weight is already out of `capacity`)."""


def prepare(values: Numbers, weights: Numbers, capacity: Any) -> Items:
    """Zero-weight items are taken, worthless or oversized ones dropped, the rest sorted by
    decreasing value/weight (ties: lighter first)."""
    free_in = np.flatnonzero((weights == 0) & (values > 0))
    usable = np.flatnonzero((weights > 0) & (weights <= capacity) & (values > 0))
    ratio = values[usable].astype(np.float64) / weights[usable].astype(np.float64)
    order = usable[np.lexsort((weights[usable], -ratio))]
    return Items(order, values[order], weights[order], capacity, values[free_in].sum(), free_in)


def break_index(items: Items) -> int:
    """Number of leading items that fit together (the break item's position)."""
    return int(np.searchsorted(np.cumsum(items.weights), items.capacity, side="right"))


def dantzig(items: Items) -> float:
    """The LP bound, including the fixed items' value."""
    b = break_index(items)
    value = float(items.fixed_value + items.values[:b].sum())
    if b == len(items.index):
        return value
    slack = items.capacity - items.weights[:b].sum()
    return value + float(slack) * float(items.values[b]) / float(items.weights[b])


def greedy(items: Items, n: int) -> NDArray[np.bool_]:
    """The break solution filled greedily with later items that still fit (mask over n items)."""
    selected = np.zeros(n, dtype=bool)
    selected[items.fixed_in] = True
    b = break_index(items)
    selected[items.index[:b]] = True
    slack = items.capacity - items.weights[:b].sum()
    for j in np.flatnonzero(items.weights[b:] <= slack) + b:
        if items.weights[j] <= slack:
            selected[items.index[j]] = True
            slack -= items.weights[j]
    return selected


def reduce(items: Items, target: Target) -> Items:
    """Fixes every item whose LP bound, flipped from the break solution, cannot beat `target`
    (a value relative to `items.fixed_value`); the LP bounds are exact, one searchsorted each."""
    p, w, cap = items.values, items.weights, items.capacity
    n, b = len(p), break_index(items)
    zero = np.zeros(1, dtype=p.dtype)
    cw, cp = np.concatenate([zero, np.cumsum(w)]), np.concatenate([zero, np.cumsum(p)])
    keep = np.ones(n, dtype=bool)
    if b > 0:  # taken in the break solution: LP bound when left out
        j = np.arange(b)
        room = cap - cw[b] + w[j]
        k = np.searchsorted(cw, cw[b] + room, side="right") - 1
        bound = cp[b] - p[j] + cp[k] - cp[b] + _fraction(room - (cw[k] - cw[b]), p, w, k, target.integral)
        keep[j] = target.improvable_many(bound)
    if b < n:  # left out in the break solution: LP bound when taken
        j = np.arange(b, n)
        room = cap - w[j]
        k = np.searchsorted(cw, room, side="right") - 1
        bound = p[j] + cp[k] + _fraction(room - cw[k], p, w, k, target.integral)
        keep[j] = target.improvable_many(bound)
    fixed_in = np.flatnonzero(~keep[:b])
    free = np.flatnonzero(keep)
    return Items(
        items.index[free], p[free], w[free], cap - w[fixed_in].sum(),
        items.fixed_value + p[fixed_in].sum(), np.concatenate([items.fixed_in, items.index[fixed_in]]),
    )


def _fraction(
    room: Numbers, p: Numbers, w: Numbers, k: NDArray[np.int64], integral: bool
) -> Numbers:
    """Value of `room` spent on item k fractionally (0 past the last item); floored for integers."""
    inside = k < len(p)
    kk = np.where(inside, k, 0)
    if integral:
        return np.where(inside, (room * p[kk]) // w[kk], 0)
    return np.where(inside, room * p[kk] / w[kk], 0.0)
