"""Ranking and selection: the KN fully sequential procedure (Kim & Nelson, 2001).

Among k systems (larger is better here), KN returns one whose mean is within the indifference
zone `delta` of the best with probability at least 1 - alpha, under normal observations. It
allows common random numbers: every pair is judged on the variance of its *paired* differences
from the first n0 replications,

    eta = ((2 alpha / (k - 1)) ** (-2 / (n0 - 1)) - 1) / 2,   h2 = 2 eta (n0 - 1),

and after r replications system i is eliminated when some survivor l has
mean_i(r) < mean_l(r) - max(0, delta / (2 r) * (h2 S2_il / delta**2 - r)). Survivors get more
replications (`step` at a time — looking less often only makes elimination more conservative)
until one is left. Systems identical to a lower-indexed one on every replication are dropped.
If the replication cap or the deadline comes first, the survivor with the
best mean is returned and the guarantee does not hold: the probability of correct selection is
then an estimate, the Bonferroni bound 1 - sum_l P(T_{r-1} > t_l) with t_l the studentised
paired lead of the winner over l plus delta.
"""

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy import stats

from solvers.simulation.evaluator import SimulationStopped


@dataclass
class Selection:
    """The outcome of the procedure."""

    winner: int
    survivors: list[int]
    replications: int
    probability_correct: float
    guaranteed: bool
    """True when KN ended by elimination (its 1 - alpha bound holds); False when truncated."""


def kn_constant(k: int, n0: int, alpha: float) -> float:
    """h^2 of the KN procedure for k systems, first stage n0, error alpha."""
    eta = 0.5 * ((2 * alpha / max(k - 1, 1)) ** (-2 / (n0 - 1)) - 1)
    return float(2 * eta * (n0 - 1))


def kn_select(sample: Callable[[int, int], list[float]], k: int, n0: int, n_max: int, delta: float,
              alpha: float, step: int = 4) -> Selection:
    """`sample(i, r)`: the first r observations of system i (larger is better); it may raise
    SimulationStopped, which ends the procedure early with what it has."""
    data = np.array([sample(i, n0) for i in range(k)], dtype=float)
    if k == 1:
        return Selection(0, [0], n0, 1.0, True)
    h2 = kn_constant(k, n0, alpha)
    var = _pair_variances(data[:, :n0])
    alive, r = list(range(k)), n0
    while True:
        alive = _survivors(data[:, :r].mean(axis=1), alive, var, h2, delta, r)
        if len(alive) == 1:
            return Selection(alive[0], alive, r, 1 - alpha, True)
        if r >= n_max:
            break
        target = min(n_max, r + step)
        try:
            rows = {i: sample(i, target) for i in alive}
        except SimulationStopped:
            break
        grown = np.full((k, target), np.nan)
        grown[:, :r] = data[:, :r]
        for i, values in rows.items():
            grown[i] = values
        data, r = grown, target
    return _truncated(data[:, :r], alive, delta, r)


def _pair_variances(first: NDArray[np.float64]) -> NDArray[np.float64]:
    diffs = first[:, None, :] - first[None, :, :]
    return np.asarray(np.var(diffs, axis=2, ddof=1), dtype=float)


def _survivors(means: NDArray[np.float64], alive: list[int], var: NDArray[np.float64], h2: float, delta: float,
               r: int) -> list[int]:
    def width(i: int, j: int) -> float:
        return max(0.0, float(delta / (2 * r) * (h2 * var[i, j] / delta**2 - r)))

    def twin(i: int, j: int) -> bool:
        """j < i gave exactly the same observations in every first-stage replication: i adds
        nothing (KN could never separate them), the lower index stays (index 0: the optimum)."""
        return j < i and var[i, j] == 0 and means[i] == means[j]

    return [i for i in alive if all(means[i] >= means[j] - width(i, j) and not twin(i, j) for j in alive if j != i)]


def _truncated(data: NDArray[np.float64], alive: list[int], delta: float, r: int) -> Selection:
    means = data.mean(axis=1)
    winner = max(alive, key=lambda i: (means[i], -i))
    error = 0.0
    for other in alive:
        if other == winner:
            continue
        diffs = data[winner] - data[other]
        se = float(np.std(diffs, ddof=1)) / math.sqrt(r)
        if se > 0:
            error += float(stats.t.sf((float(diffs.mean()) + delta) / se, r - 1))
        elif diffs.mean() + delta <= 0:
            error += 1.0
    return Selection(winner, alive, r, max(0.0, 1.0 - error), False)
