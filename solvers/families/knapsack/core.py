"""Exact single-constraint 0/1 knapsack in numpy: reduction, then an expanding-core state search,
with a dense dynamic programme as the fallback when the states explode.

The method follows Pisinger's minknap ("A minimal algorithm for the 0-1 knapsack problem",
Operations Research 45, 1997) in spirit:

1. Items are sorted by efficiency (value/weight); the break solution gives the Dantzig bound
   and, filled greedily, a first incumbent (or the caller's start, when better).
2. Reduction (Martello-Toth): an item whose LP bound when flipped away from the break solution
   cannot beat the incumbent is fixed (`knapsack_reduce`). On uncorrelated data this leaves a
   few dozen items.
3. The free items are enumerated outward from the break item as Pareto states
   (`knapsack_core_states`); the incumbent is optimal when no state is left.
4. On integer data, when the states would cost more than a dense programme over capacities
   (`knapsack_dense`: items x capacity cells, SIMD-fast), the search switches to it: a
   ski-rental rule that keeps the worst case within about twice the better method.

Integer data, and decimals of up to 9 places (scaled by a power of ten), are handled in exact
int64 arithmetic. Other real data uses floats: an improvement below `REAL_TOLERANCE` (relative)
counts as none and the capacity may be exceeded by `CAPACITY_SLACK` (relative) through rounding,
so the result is optimal and feasible to those tolerances. Nothing here imports a solver library.
"""

import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from solvers.families.knapsack import dense
from solvers.families.knapsack import reduce as kr
from solvers.families.knapsack.core_states import StateSearch, Target
from solvers.gap import gap_closed

REAL_TOLERANCE = 1e-9
"""Relative improvement below which real-valued solutions count as equal."""
STATE_SECONDS = 100e-9
"""Measured cost of one state in one enumeration step (merge, Pareto filter, bounds), at least: the
deadline check uses the last step's own cost (never less), which on a strongly correlated 1,000-item instance was
280-560 ns per state, so that a step started in time ended up to 1 s past a 1 s limit."""
STEP_SAFETY = 2.0
"""The next step is started only if STEP_SAFETY times its predicted cost fits before the deadline: one
step's cost per state is up to 2.3 times the step's before (the same instance, idle machine: 30 ms ->
98 ms for 185,000 -> 294,000 states; 123-332 ns per state over three runs), more beside other work.
Stopping one step early costs little, as each step only widens the core by one item."""
SAFE_INT = 2**53
"""Integer data is solved exactly in int64 while every sum and product stays below this."""
MAX_DECIMALS = 9
DECIMAL_SLACK = 1e-6
DECIMAL_RELATIVE = 1e-9
"""A number counts as a decimal of k places when 10^k times it is within DECIMAL_SLACK of an
integer, and within DECIMAL_RELATIVE of it relative to its size (so 1e-7 is not taken for 0)."""
CAPACITY_SLACK = 1e-10
"""Real data: states may exceed the capacity by this fraction of it (rounding of running sums)."""
REPORT_INTERVAL = 0.2

Report = Callable[[NDArray[np.bool_], float, float], None]
"""Receives (selected mask over the original items, value, Dantzig's upper bound) on improvements."""


@dataclass(frozen=True)
class KnapsackOutcome:
    """What the exact solver established."""

    selected: NDArray[np.bool_]
    value: float
    bound: float
    dantzig: float
    optimal: bool
    stopped: str
    """"completed", "time_limit", "gap_limit" or "memory" (optimum value proven, as `bound`,
    but its solution not rebuilt)."""


@dataclass(frozen=True)
class _Scaled:
    """The data the search works on: integers when the input has few enough decimals."""

    values: NDArray[np.float64]
    weights: NDArray[np.float64]
    capacity: float
    value_scale: float
    integral: bool


def scaled(values: NDArray[np.float64], weights: NDArray[np.float64], capacity: float) -> _Scaled:
    """Integers when values and weights (with the capacity) are decimals of at most
    `MAX_DECIMALS` places (times a power of ten, exact int64 arithmetic then applies); otherwise
    the floats as given."""
    places_v = _decimal_places(values)
    places_w = _decimal_places(np.append(weights, capacity))
    if places_v is not None and places_w is not None:
        scale_v, scale_w = 10.0**places_v, 10.0**places_w
        v, w, c = np.round(values * scale_v), np.round(weights * scale_w), float(round(capacity * scale_w))
        if float(v.sum()) * 2 < SAFE_INT and float(v.max(initial=0)) * max(c, 1.0) < SAFE_INT:
            return _Scaled(v, w, c, scale_v, True)
    return _Scaled(values, weights, capacity, 1.0, False)


def _decimal_places(x: NDArray[np.float64]) -> int | None:
    for places in range(MAX_DECIMALS + 1):
        shifted = x * 10.0**places
        if float(np.abs(shifted).max(initial=0)) >= SAFE_INT:
            return None
        slack = np.minimum(DECIMAL_SLACK, DECIMAL_RELATIVE * np.maximum(1.0, np.abs(shifted)))
        if np.all(np.abs(shifted - np.round(shifted)) <= slack):
            return places
    return None


def solve(
    values: NDArray[np.float64],
    weights: NDArray[np.float64],
    capacity: float,
    deadline: float,
    relative_gap: float = 0.0,
    start: NDArray[np.bool_] | None = None,
    report: Report | None = None,
) -> KnapsackOutcome:
    """Maximises values.x subject to weights.x <= capacity, x binary (data non-negative)."""
    data = scaled(values, weights, capacity)
    kind = np.int64 if data.integral else np.float64
    with np.errstate(over="ignore"):  # tiny weights may give infinite efficiencies: valid, loose bounds
        items = kr.prepare(data.values.astype(kind), data.weights.astype(kind), kind(data.capacity))
        incumbent = kr.greedy(items, len(values))
        if start is not None and _fits(data, start) and data.values[start].sum() > data.values[incumbent].sum():
            incumbent = start.copy()
        outcome = _Search(data, items, incumbent, report).run(deadline, relative_gap)
    value = float(values[outcome.selected].sum())  # in the caller's numbers, as the evaluator sums them
    bound = value if outcome.optimal else max(value, outcome.bound / data.value_scale)
    return KnapsackOutcome(outcome.selected, value, bound, outcome.dantzig / data.value_scale, outcome.optimal,
                           outcome.stopped)


def _fits(data: _Scaled, selected: NDArray[np.bool_]) -> bool:
    return bool(data.weights[selected].sum() <= data.capacity)


class _Search:
    """Reduction, state enumeration and the dense fallback, against an improving incumbent.
    Works in the scaled units of `_Scaled`; reports go out in the caller's units."""

    def __init__(self, data: _Scaled, items: kr.Items, incumbent: NDArray[np.bool_], report: Report | None) -> None:
        self.data, self.values, self.items, self.integral = data, data.values, items, data.integral
        self.report = report
        self.slack = 0.0 if data.integral else CAPACITY_SLACK * data.capacity
        self.best = incumbent
        self.best_value = float(self.values[incumbent].sum())
        self.dantzig = kr.dantzig(items)
        self.tolerance = 0.0 if self.integral else REAL_TOLERANCE * max(abs(self.dantzig), 1e-300)
        self._reported = 0.0
        self._pending = False

    def run(self, deadline: float, relative_gap: float) -> KnapsackOutcome:
        self._report(force=True)
        if not self._target(0.0).improvable(self.dantzig):
            return self._outcome(self.best_value, "completed")
        if self._gap_reached(self.dantzig, relative_gap):
            return self._outcome(self.dantzig, "gap_limit")
        if time.monotonic() >= deadline:
            return self._outcome(self.dantzig, "time_limit")
        reduced = kr.reduce(self.items, self._target(float(self.items.fixed_value)))
        return self._enumerate(reduced, self._target(float(reduced.fixed_value)), deadline, relative_gap)

    def _enumerate(self, reduced: kr.Items, target: Target, deadline: float, relative_gap: float) -> KnapsackOutcome:
        states = StateSearch(reduced.values, reduced.weights, reduced.capacity, target, self.slack)
        self._adopt(reduced, states)
        dense_seconds = self._dense_seconds(reduced)
        switch_at = time.monotonic() + dense_seconds
        state_seconds = STATE_SECONDS  # then the last step's measured cost per state
        while not states.finished():
            now = time.monotonic()
            if now + STEP_SAFETY * state_seconds * states.size >= deadline:
                return self._outcome(self._open_bound(reduced, states), "time_limit")
            if now >= switch_at or STATE_SECONDS * states.size * states.remaining() > 2 * dense_seconds:
                return self._dense(self._open_bound(reduced, states), deadline)
            size = states.size
            stepped = states.step()
            state_seconds = max(STATE_SECONDS, (time.monotonic() - now) / max(size, 1))
            if stepped:
                self._adopt(reduced, states)
            elif self._pending:
                self._report()
            bound = self._open_bound(reduced, states)
            if not states.finished() and self._gap_reached(bound, relative_gap):
                return self._outcome(bound, "gap_limit")
        if states.unrebuilt is not None:
            return self._rebuild(reduced, states.unrebuilt, deadline)
        return self._outcome(self.best_value, "completed")

    def _rebuild(self, reduced: kr.Items, value: float, deadline: float) -> KnapsackOutcome:
        """Searches again for a solution of a value known to exist: the bounds now prune hard."""
        known = float(reduced.fixed_value) + value
        if self.best_value >= known - self.tolerance:
            return self._outcome(self.best_value, "completed")
        below = value - (1.0 if self.integral else 2 * self.tolerance)
        target = Target(below, self.integral, self.tolerance)
        states = StateSearch(reduced.values, reduced.weights, reduced.capacity, target, self.slack)
        self._adopt(reduced, states)
        while not states.finished() and states.recording and time.monotonic() < deadline:
            if states.step():
                self._adopt(reduced, states)
        if self.best_value >= known - self.tolerance:
            return self._outcome(self.best_value, "completed")
        return self._outcome(known, "memory" if time.monotonic() < deadline else "time_limit")

    def _dense_seconds(self, reduced: kr.Items) -> float:
        """Cost of the dense programme; infinite when it does not apply (real data, memory)."""
        if not self.integral or not dense.eligible(len(reduced.values), int(reduced.capacity)):
            return float("inf")
        return dense.estimated_seconds(len(reduced.values), int(reduced.capacity))

    def _dense(self, bound: float, deadline: float) -> KnapsackOutcome:
        """Finishes with the dense programme on what a reduction against the (now better)
        incumbent leaves free."""
        reduced = kr.reduce(self.items, self._target(float(self.items.fixed_value)))
        chosen, value, complete = dense.solve_dense(reduced.values, reduced.weights, int(reduced.capacity), deadline)
        if value + float(reduced.fixed_value) > self.best_value:
            self._improve(reduced, reduced.index[chosen])
        if complete:
            return self._outcome(self.best_value, "completed")
        return self._outcome(bound, "time_limit")

    def _target(self, fixed_value: float) -> Target:
        """The incumbent's value, relative to items already fixed in."""
        return Target(self.best_value - fixed_value, self.integral, self.tolerance)

    def _adopt(self, reduced: kr.Items, states: StateSearch) -> None:
        """Takes the states' best solution when it beats the incumbent."""
        if states.best_ref is not None and states.recording:
            self._improve(reduced, reduced.index[states.best_selection()])

    def _improve(self, reduced: kr.Items, free_chosen: NDArray[np.int64]) -> None:
        selected = np.zeros(len(self.values), dtype=bool)
        selected[reduced.fixed_in] = True
        selected[free_chosen] = True
        value = float(self.values[selected].sum())
        if value > self.best_value:
            self.best, self.best_value, self._pending = selected, value, True
            self._report()

    def _open_bound(self, reduced: kr.Items, states: StateSearch) -> float:
        """Upper bound while the search runs: the best live state's bound, capped by Dantzig."""
        open_bound = states.open_bound()
        known = float(reduced.fixed_value) + states.target.value
        if open_bound is None:
            return max(self.best_value, known)
        return min(self.dantzig, max(self.best_value, known, float(reduced.fixed_value) + open_bound))

    def _gap_reached(self, bound: float, relative_gap: float) -> bool:
        return relative_gap > 0 and gap_closed(self.best_value, bound, relative_gap)

    def _report(self, force: bool = False) -> None:
        now = time.monotonic()
        if self.report is not None and (force or now - self._reported >= REPORT_INTERVAL):
            self._reported, self._pending = now, False
            scale = self.data.value_scale
            self.report(self.best, self.best_value / scale, self.dantzig / scale)

    def _outcome(self, bound: float, stopped: str) -> KnapsackOutcome:
        optimal = stopped == "completed"
        bound = self.best_value if optimal else max(bound, self.best_value)
        return KnapsackOutcome(self.best, self.best_value, bound, self.dantzig, optimal, stopped)
