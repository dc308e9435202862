"""Dense dynamic programme over capacities for integer knapsacks, vectorised in numpy.

dp[c] is the best value of the items seen so far within capacity c; each item is one shifted
maximum over the whole array (SIMD-fast: about 0.3 ms per item at a capacity of 10^6 on this
machine). Decisions are kept as packed bits, one row per item, to rebuild the solution.

It costs items x capacity whatever the data, so the exact backend uses it only when the
state enumeration (cheap on most instances) is losing: on instances built against core
algorithms, such as Jooken et al.'s (2022), the Pareto state lists grow to 10^5 states.
"""

import time
from typing import Any

import numpy as np
from numpy.typing import NDArray

SECONDS_PER_CELL = 0.6e-9
"""Measured cost of one dp cell update (int32, including decision bits), a little pessimistic."""
MAX_CAPACITY = 20_000_000
"""Above this the dp and scratch arrays alone would take hundreds of megabytes."""
MAX_DECISION_BYTES = 1 << 30


def estimated_seconds(count: int, capacity: int) -> float:
    return SECONDS_PER_CELL * count * (capacity + 1)


def eligible(count: int, capacity: int) -> bool:
    """Whether the dense programme fits in memory for `count` items and this integer capacity."""
    return 0 <= capacity <= MAX_CAPACITY and count * (capacity + 1) / 8 <= MAX_DECISION_BYTES


Rows = list[tuple[int, int, NDArray[np.uint8]]]
"""Per processed item: the capacities it updated (lo, hi) and its packed take-bits over them."""


def solve_dense(
    values: NDArray[Any], weights: NDArray[Any], capacity: int, deadline: float
) -> tuple[NDArray[np.int64], int, bool]:
    """Best selection (positions), its value, and whether every item was processed.

    Items go lightest first, and item k only updates the capacities that can still matter:
    at most the weight of the items so far (above it everything fits: the dp is their total
    value) and at least the capacity minus the weight of the items still to come (lower cells
    cannot reach dp[capacity]). On Jooken's instances that skips a third of the cells.

    When the deadline stops it early, the selection is optimal for the items processed so far:
    still feasible, so still useful as an incumbent.
    """
    order = np.argsort(weights, kind="stable")
    w_sorted, v_sorted = weights[order], values[order]
    kind = np.int32 if int(values.sum()) < np.iinfo(np.int32).max else np.int64
    dp = np.zeros(capacity + 1, dtype=kind)
    candidate = np.empty(capacity + 1, dtype=kind)
    take = np.empty(capacity + 1, dtype=bool)
    prefix, suffix = np.cumsum(w_sorted), int(w_sorted.sum()) - np.cumsum(w_sorted)
    rows: Rows = []
    total, filled = 0, 0
    for k in range(len(order)):
        if time.monotonic() >= deadline:
            break
        w = int(w_sorted[k])
        hi, lo = min(capacity, int(prefix[k])), max(w, capacity - int(suffix[k]))
        if hi > filled:  # cells no earlier item could fill hold the total value so far
            dp[filled + 1: hi + 1] = total
            filled = hi
        total += int(v_sorted[k])
        if lo > hi:
            rows.append((lo, hi, np.zeros(0, dtype=np.uint8)))
            continue
        size = hi - lo + 1
        c, t = candidate[:size], take[:size]
        np.add(dp[lo - w: hi - w + 1], kind(v_sorted[k]), out=c)
        np.greater(c, dp[lo: hi + 1], out=t)
        np.maximum(dp[lo: hi + 1], c, out=dp[lo: hi + 1])
        rows.append((lo, hi, np.packbits(t)))
    complete = len(rows) == len(order)
    chosen = _rebuild(rows, w_sorted, capacity)
    return np.sort(order[chosen]), int(values[order[chosen]].sum()), complete


def _rebuild(rows: Rows, weights: NDArray[np.int64], capacity: int) -> NDArray[np.int64]:
    """Walks the decision rows back from dp[capacity]."""
    chosen: list[int] = []
    c = capacity
    for k in range(len(rows) - 1, -1, -1):
        lo, hi, bits = rows[k]
        if c > hi:  # every item up to k fits in c: the dp took them all
            chosen.extend(range(k + 1))
            break
        if c < lo:
            continue
        i = c - lo
        if (bits[i >> 3] >> (7 - (i & 7))) & 1:
            chosen.append(k)
            c -= int(weights[k])
    return np.array(sorted(chosen), dtype=np.int64)
