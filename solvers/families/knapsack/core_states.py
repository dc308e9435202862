"""The expanding-core enumeration of the exact knapsack: Pareto states around the break solution.

Items are in decreasing efficiency. A state is (weight, value) of a solution that agrees with
the break solution outside the core [s+1, t-1]: items before the core taken, after it left out.
Each step widens the core by one item, alternately adding the next item after the break or
removing the next one before it, merges the shifted copies of the states with the old ones and
keeps only Pareto-optimal states (lighter and more valuable wins). A state is dropped when its
bound, value + slack x the efficiency of the next item outside the core (the next addition when
slack >= 0, the next removal when the state is overweight), cannot beat the incumbent: that
is a Lagrangian bound, valid for every completion.

Each step stores, per surviving state, its parent's position and whether the step's item was
flipped, so the best solution is rebuilt by walking back through the steps. When those
records outgrow `MAX_STORED` the search continues without them: it still proves optimality,
and an improvement it finds is known by value only (`unrebuilt`), to be found again by a
second search aimed at that value.
"""

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

Numbers = NDArray[Any]
"""int64 arrays for integer data, float64 otherwise."""
DEAD = np.iinfo(np.int64).min // 4
MAX_STORED = 150_000_000
"""Parent records kept for rebuilding solutions (4 bytes each); past this the search goes on
without them and reports only the value of what it finds."""
INT_SLACK = 1e-7
"""Float bounds on integer data are floored after adding this (conservative: keeps more)."""


@dataclass
class Target:
    """The value to beat (relative to the items already fixed) and how to compare with it."""

    value: float
    integral: bool
    tolerance: float

    def improvable(self, bound: float) -> bool:
        """Whether a solution with value <= bound may be strictly better than the target."""
        if self.integral:
            return math.floor(bound + INT_SLACK) >= self.value + 1
        return bound > self.value + self.tolerance

    def improvable_many(self, bounds: Numbers) -> NDArray[np.bool_]:
        """Vectorised `improvable` for exact (already floored) integer or float bounds."""
        if self.integral:
            return bounds >= self.value + 0.5
        return bounds > self.value + self.tolerance


class StateSearch:
    """Pareto states of the core enumeration, one step at a time."""

    def __init__(self, values: Numbers, weights: Numbers, capacity: Any, target: Target, slack: float = 0.0) -> None:
        self.p, self.w, self.cap, self.target = values, weights, capacity, target
        self.fits = capacity + slack if slack else capacity
        """States up to this weight count as feasible (float data: rounding of the running sums)."""
        self.n = len(values)
        cum = np.cumsum(weights)
        self.base = int(np.searchsorted(cum, capacity, side="right"))
        self.s, self.t = self.base - 1, self.base
        self.add_turn = True
        self.mu = np.array([weights[: self.base].sum()], dtype=weights.dtype)
        self.pi = np.array([values[: self.base].sum()], dtype=values.dtype)
        self.codes: list[NDArray[np.int32]] = []
        self.items: list[int] = []
        self.best_ref: tuple[int, int] | None = None
        self.recording = True
        self.stored = 0
        self.unrebuilt: float | None = None
        """Value of a better solution found after recording stopped."""
        if self.mu[0] <= self.fits and self.pi[0] > target.value:
            self.target.value = float(self.pi[0])
            self.best_ref = (-1, 0)
        self._open: float | None = None
        self._fathom(self.mu, self.pi, np.zeros(1, dtype=np.int64))
        self.codes.clear()

    @property
    def size(self) -> int:
        """Number of live states."""
        return len(self.mu)

    def remaining(self) -> int:
        """Items not yet in the core."""
        return self.s + 1 + self.n - self.t

    def finished(self) -> bool:
        return len(self.mu) == 0 or (self.s < 0 and self.t >= self.n)

    def open_bound(self) -> float | None:
        """Best bound over live states (relative), None when the search is over."""
        return None if self.finished() else self._open

    def step(self) -> bool:
        """Widens the core by one item; True when the incumbent improved."""
        if self.t < self.n and (self.add_turn or self.s < 0):
            item, sign = self.t, 1
            self.t += 1
        else:
            item, sign = self.s, -1
            self.s -= 1
        self.add_turn = not self.add_turn
        mu, pi, code = self._merge(sign * self.w[item], sign * self.p[item])
        improved = self._record(mu, pi, code)
        self.items.append(item)
        self._fathom(mu, pi, code)
        return improved

    def _merge(self, dw: Any, dp: Any) -> tuple[Numbers, Numbers, NDArray[np.int64]]:
        """Old states plus shifted copies, reduced to the Pareto frontier (sorted by weight)."""
        count = len(self.mu)
        parents = np.arange(count, dtype=np.int64) * 2
        mu = np.concatenate([self.mu, self.mu + dw])
        pi = np.concatenate([self.pi, self.pi + dp])
        code = np.concatenate([parents, parents + 1])
        order = np.argsort(mu, kind="stable")
        mu, pi, code = mu[order], pi[order], code[order]
        keep = np.empty(len(mu), dtype=bool)
        keep[0] = True
        np.greater(pi[1:], np.maximum.accumulate(pi)[:-1], out=keep[1:])
        mu, pi, code = mu[keep], pi[keep], code[keep]
        last = np.empty(len(mu), dtype=bool)
        last[-1] = True
        np.not_equal(mu[:-1], mu[1:], out=last[:-1])
        return mu[last], pi[last], code[last]

    def _record(self, mu: Numbers, pi: Numbers, code: NDArray[np.int64]) -> bool:
        k = int(np.searchsorted(mu, self.fits, side="right")) - 1
        if k < 0 or pi[k] <= self.target.value:
            return False
        self.target.value = float(pi[k])
        if not self.recording:
            self.unrebuilt = self.target.value
            return False
        self.best_ref = (len(self.items), int(code[k]))
        return True

    def _fathom(self, mu: Numbers, pi: Numbers, code: NDArray[np.int64]) -> None:
        bound = self._bounds(mu, pi)
        alive = self.target.improvable_many(bound)
        self.mu, self.pi = mu[alive], pi[alive]
        if self.recording:
            self.codes.append(code[alive].astype(np.int32))
            self.stored += len(self.mu)
            if self.stored > MAX_STORED:
                self.recording = False
                self.codes.clear()
        self._open = float(bound[alive].max()) if len(self.mu) else None

    def _bounds(self, mu: Numbers, pi: Numbers) -> Numbers:
        slack = self.cap - mu
        under = slack >= 0
        pa, wa = (self.p[self.t], self.w[self.t]) if self.t < self.n else (0, 1)
        if self.p.dtype.kind == "i":
            up = pi + (slack * pa) // wa
            down = pi + (slack * self.p[self.s]) // self.w[self.s] if self.s >= 0 else np.full_like(pi, DEAD)
            return np.where(under, up, down)
        up = pi + slack * pa / wa  # (slack * p) / w: never 0 * inf
        down = pi + slack * self.p[self.s] / self.w[self.s] if self.s >= 0 else np.full_like(pi, -np.inf)
        return np.where(under, up, down)

    def best_selection(self) -> NDArray[np.int64]:
        """Positions (in this search's item order) of the incumbent found by the search."""
        if self.best_ref is None or not self.recording:
            raise LookupError("no rebuildable improvement")
        selected = np.zeros(self.n, dtype=bool)
        selected[: self.base] = True
        stage, code = self.best_ref
        while stage >= 0:
            if code & 1:
                selected[self.items[stage]] ^= True
            parent = code >> 1
            stage -= 1
            if stage >= 0:
                code = int(self.codes[stage][parent])
        return np.flatnonzero(selected)
