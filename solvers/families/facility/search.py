"""Lagrangian heuristic for facility location: subgradient ascent, relaxed sets repaired, local search.

Every relaxed solution of `facility_bound` opens a set of facilities that covers the total demand
(the aggregate capacity row is kept in the relaxation), so it only needs an assignment to become
a solution: `facility_transport` gives the optimal split one (2-5 ms on 100 x 1000), and for
single sourcing `assign.assign_single` its regret greedy, repair and shift/swap/ejection-chain
search (a heuristic: it may miss a feasible assignment). Single sourcing also has its own, stronger
relaxation (`single`: 0/1 knapsacks per facility). Near the Lagrangian optimum the relaxed sets are
the near-optimal ones, so sets are assigned only while the bound is close to its best, each set
once. The multipliers aim at min(incumbent, best bound * (1 + `TARGET_SLACK`)), which keeps the
steps sane while the incumbent is still poor (aiming at a poor incumbent made them diverge).

When the ascent stalls, a first-improvement local search (drop, add, swap one facility) starts
from the incumbent, trying moves by increasing Lagrangian lower bound and skipping those whose
bound reaches the incumbent's cost (`neighbours`); then the ascent resumes with the better
target, until neither improves.
"""

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from models import FacilityLocationProblem, FacilitySolution
from solvers.families.facility.assign import assign_single
from solvers.families.facility.bound import LagrangeSolution, Subgradient, lagrangian
from solvers.families.facility.data import BoolArray, FacilityData, FloatArray, serving, to_solution
from solvers.families.facility.greedy import cheapest_cover
from solvers.families.facility.single import Knapsacks, single_lagrangian
from solvers.families.facility.transport import transport
from solvers.gap import gap_within

TARGET_SLACK = 0.01
HEURISTIC_WINDOW = 0.005
"""Relaxed sets are assigned only while the bound is within this share of the best bound."""
STALL_LIMIT = 300
SINGLE_STALL_LIMIT = 100
"""The same for single sourcing: its incumbents come from the local search far more than from the
relaxed sets (measured on 50 x 200), so the ascent hands over sooner."""
"""Iterations without a better bound or incumbent (by `IMPROVEMENT`) that pause the ascent."""
RESTART_THETA = 0.5
"""Step factor the ascent resumes with after a local search."""
IMPROVEMENT = 1e-6
"""Relative gap at which the search stops: the service reports such a gap as optimal."""
MOVES_PER_STEP = 500
"""Most moves assigned per local search step before giving up on the neighbourhood."""

ImproveSink = Callable[[float, FacilitySolution], None]


@dataclass
class SearchLimits:
    """When the search stops: a deadline (monotonic clock), an iteration cap, a relative gap."""

    deadline: float
    iterations: int = 100_000
    relative_gap: float = 0.0


@dataclass
class LagrangeSearch:
    """Best bound and best solution found so far; see the module docstring."""

    problem: FacilityLocationProblem
    data: FacilityData
    on_improve: ImproveSink = lambda _cost, _solution: None
    best_point: LagrangeSolution | None = None
    best_cost: float = math.inf
    best_open: BoolArray | None = None
    best_prices: FloatArray | None = None
    """The incumbent's transportation duals (split demand only): multipliers tight at it."""
    iterations: int = 0
    assigned: int = 0
    method: Subgradient = field(init=False)
    _knapsacks: Knapsacks | None = field(init=False, default=None)
    multipliers: FloatArray = field(init=False)
    _seen: dict[bytes, float] = field(default_factory=dict)
    _best_shares: FloatArray | None = None

    def __post_init__(self) -> None:
        self.method = Subgradient(self.data)
        self.multipliers = self.method.start()
        self._knapsacks = Knapsacks(self.data) if self.data.single_source else None

    def relax(self, multipliers: FloatArray) -> LagrangeSolution:
        """L(multipliers): 0/1 knapsacks per facility for single sourcing (`single`), else
        continuous ones (`bound`)."""
        if self._knapsacks is not None:
            return single_lagrangian(self.data, self._knapsacks, multipliers)
        return lagrangian(self.data, multipliers)

    @property
    def bound(self) -> float:
        return self.best_point.bound if self.best_point is not None else -math.inf

    def gap(self) -> float:
        if not math.isfinite(self.best_cost):
            return math.inf
        return (self.best_cost - self.bound) / max(abs(self.best_cost), 1e-9)

    def offer(self, opened: BoolArray) -> float:
        """Assigns customers to this open set (once per set); keeps and reports an improvement."""
        key = np.packbits(opened).tobytes()
        if key not in self._seen:
            self.assigned += 1
            self._seen[key] = self._assign(opened)
        return self._seen[key]

    def _assign(self, opened: BoolArray) -> float:
        if self.data.single_source:
            shares = single_shares(self.data, opened)
            if shares is None:
                return math.inf
            used, prices = serving(shares), None
            cost = self.data.cost(used, shares)
        else:
            found = transport(self.data, opened)
            if found is None:
                return math.inf
            used, cost, prices, shares = found.used, found.cost, found.prices, found.shares
        if cost < self.best_cost - IMPROVEMENT * max(1.0, abs(cost)):
            self.best_cost, self.best_open, self.best_prices, self._best_shares = cost, used, prices, shares
            self.on_improve(cost, to_solution(self.problem, shares))
        return cost

    @property
    def best_shares(self) -> FloatArray | None:
        """The incumbent's m x n share matrix."""
        return self._best_shares

    def solution(self) -> FacilitySolution | None:
        return None if self._best_shares is None else to_solution(self.problem, self._best_shares)

    def warm(self, solution: FacilitySolution | None) -> None:
        """Offers the open set of a caller's solution, and the cheapest cover by fixed cost per
        unit of capacity."""
        positions = {str(f.id): i for i, f in enumerate(self.problem.facilities)}
        opened = np.zeros(self.data.m, dtype=bool)
        for fid in solution.open if solution is not None else []:
            if str(fid) in positions:
                opened[positions[str(fid)]] = True
        if opened.any():
            self.offer(opened)
        self.offer(cheapest_cover(self.data))

    def ascend(self, limits: SearchLimits) -> bool:
        """Subgradient ascent until the gap closes, the steps vanish, progress stalls or a limit
        hits. True when the bound or the incumbent improved."""
        bound, cost, since_progress, stall = self.bound, self.best_cost, 0, 0
        stall_limit = SINGLE_STALL_LIMIT if self.data.single_source else STALL_LIMIT
        while self.iterations < limits.iterations and since_progress < stall_limit:
            point = self.relax(self.multipliers)
            self.iterations += 1
            improved = self._better_bound(point)
            stall = 0 if improved else stall + 1
            if stall >= self.method.patience:
                self.method.theta, stall = self.method.theta / 2, 0
            if point.bound >= self.bound - HEURISTIC_WINDOW * abs(self.bound):
                before = self.best_cost
                self.offer(point.opened)
                improved |= self.best_cost < before
            since_progress = 0 if improved else since_progress + 1
            target = min(self.best_cost, self.bound + TARGET_SLACK * abs(self.bound))
            step = self.method.step(point, target)
            if step is None or gap_within(self.gap(), limits.relative_gap) or time.monotonic() >= limits.deadline:
                break
            self.multipliers = step
        return self.bound > bound or self.best_cost < cost

    def _better_bound(self, point: LagrangeSolution) -> bool:
        """Keeps `point` if its bound is the best; True if it is better by a noticeable amount."""
        old = self.bound
        if point.bound <= old:
            return False
        self.best_point = point
        return not math.isfinite(old) or point.bound > old + IMPROVEMENT * max(1.0, abs(old))


def single_shares(data: FacilityData, opened: BoolArray) -> FloatArray | None:
    """A single-source assignment to `opened` (`assign.assign_single`) as a share matrix."""
    rows = np.flatnonzero(opened)
    where = assign_single(data.costs[rows], data.demand, data.capacity[rows])
    if where is None:
        return None
    shares = np.zeros((data.m, data.n))
    shares[rows[where], np.arange(data.n)] = 1.0
    return shares


def improve(search: LagrangeSearch, limits: SearchLimits) -> None:
    """Ascent, then local search; the ascent resumes only when the search found a better
    incumbent (a better target), until the gap closes or a limit is reached."""
    while True:
        search.ascend(limits)
        if search.best_point is None or gap_within(search.gap(), limits.relative_gap):
            return
        if not local_search(search, search.best_point, limits.deadline):
            return
        if time.monotonic() >= limits.deadline or search.iterations >= limits.iterations:
            return
        search.method.theta = max(search.method.theta, RESTART_THETA)


def local_search(search: LagrangeSearch, point: LagrangeSolution, deadline: float) -> bool:
    """First-improvement descent over `neighbours`; True when the incumbent improved."""
    start = search.best_cost
    while search.best_open is not None and time.monotonic() < deadline:
        before = search.best_cost
        for opened in neighbours(search, point)[:MOVES_PER_STEP]:
            search.offer(opened)
            if search.best_cost < before or time.monotonic() >= deadline:
                break
        if search.best_cost >= before:
            break
    return search.best_cost < start


def neighbours(search: LagrangeSearch, point: LagrangeSolution) -> list[BoolArray]:
    """Drop, add and swap moves from the incumbent, by increasing Lagrangian lower bound.

    Two bounds are valid for every set: L at the ascent's best multipliers (`point`) and L at the
    incumbent's own transportation prices (tight at the incumbent, so it measures each move's
    first-order effect). Moves whose larger bound reaches the incumbent's cost cannot improve it
    and are left out."""
    assert search.best_open is not None
    data, current = search.data, search.best_open
    keys = _move_bounds(current, point.multipliers, point.values)
    if search.best_prices is not None:
        local = search.relax(search.best_prices)
        keys = np.maximum(keys, _move_bounds(current, local.multipliers, local.values))
    inside, outside = np.flatnonzero(current), np.flatnonzero(~current)
    room = float(data.cover[current].sum()) - data.total_demand
    keys[:-1, :-1][room - data.cover[inside][:, None] + data.cover[outside][None, :] < 0] = np.inf
    keys[:-1, -1][room - data.cover[inside] < 0] = np.inf
    keys[-1, -1] = np.inf
    moves = []
    for flat in np.argsort(keys, axis=None, kind="stable"):
        a, b = divmod(int(flat), keys.shape[1])
        if keys[a, b] >= search.best_cost:
            break
        opened = current.copy()
        if a < len(inside):
            opened[inside[a]] = False
        if b < len(outside):
            opened[outside[b]] = True
        moves.append(opened)
    return moves


def _move_bounds(current: BoolArray, multipliers: FloatArray, values: FloatArray) -> FloatArray:
    """(|S| + 1) x (m - |S| + 1) lower bounds: row a drops the a-th open facility (last row: none),
    column b opens the b-th closed one (last column: none)."""
    base = float(multipliers.sum()) + float(values[current].sum())
    drop = np.append(-values[current], 0.0)
    add = np.append(values[~current], 0.0)
    return np.asarray(base + drop[:, None] + add[None, :], dtype=np.float64)
