"""Warm-up chosen from the data: the MSER-5 truncation rule.

A steady-state simulation that starts empty is biased low for a while; deleting a fixed stretch
guesses how long "a while" is. MSER (marginal standard error rule, White 1997; MSER-5 with batch
means of 5, White, Cobb & Spratt 2000, "A comparison of five steady-state truncation heuristics
for simulation", WSC) picks the deletion point d that minimises the squared standard error of
the mean of what is kept,

    MSER(d) = sum_{j > d} (Z_j - mean(Z_{d+1..b}))^2 / (b - d)^2,

over batch means Z_1..Z_b of 5 consecutive observations. Only the first half of the batches are
candidates: a minimum further out means the run never settled, which the caller should report
(`Truncation.at_limit`) rather than trust.
"""

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

BATCH = 5
"""Observations per batch mean (the "5" of MSER-5): smooths the series so single outliers do not
drive the deletion point."""
MIN_BATCHES = 4
"""Shorter series are not truncated: MSER needs a few batch means to compare."""


@dataclass(frozen=True)
class Truncation:
    """Where MSER-5 cut a series: observations deleted, and whether the search limit bound it."""

    deleted: int
    at_limit: bool


def mser5(series: Sequence[float] | np.ndarray) -> Truncation:
    """MSER-5 deletion point of `series` (observations in time order, e.g. waits by arrival).

    Returns how many leading observations to delete (a multiple of 5) and whether the minimum sat
    at the last candidate, the half-way batch (a sign the transient outlasts the run)."""
    values = np.asarray(series, dtype=float)
    batches = len(values) // BATCH
    if batches < MIN_BATCHES:
        return Truncation(deleted=0, at_limit=False)
    z = values[: batches * BATCH].reshape(batches, BATCH).mean(axis=1)
    candidates = batches // 2  # d = 0 .. candidates - 1: at least half the run is kept
    tail_sum = np.cumsum(z[::-1])[::-1][:candidates]
    tail_squares = np.cumsum((z * z)[::-1])[::-1][:candidates]
    kept = batches - np.arange(candidates)
    sse = np.maximum(tail_squares - tail_sum * tail_sum / kept, 0.0)
    best = int(np.argmin(sse / (kept * kept)))
    return Truncation(deleted=best * BATCH, at_limit=candidates > 1 and best == candidates - 1)
