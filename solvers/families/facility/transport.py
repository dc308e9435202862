"""The best split-demand assignment for a set of open facilities, with its dual prices.

For a fixed open set the assignment is a transportation problem with few sources (the open
facilities, k) and many sinks (the customers, n). It is solved exactly by successive shortest
paths on the k facilities: start from every customer at its cheapest open facility (optimal
without capacities), then move demand out of overloaded facilities along the cheapest chain of
moves "customer j from a to b" (unit cost u_bj - u_aj, u = cost per unit of demand) to a
facility with room, one chain at a time (Bellman-Ford on k nodes: moves may cost less than
zero). Each chain empties a customer's share, an overload or a room, so it ends; shortest
chains keep the assignment optimal for the loads reached, hence optimal at the end. Compiled
with numba it takes 2-5 ms on 10 x 1000 where scipy's HiGHS takes 35-50 ms (measured), which is
what lets the Lagrangian heuristic and the local search try hundreds of open sets.

The capacity prices p_i are the final shortest distances to a facility with room; the customer
prices lam_j = min_i (c_ij + d_j p_i) are then the duals of the demand rows: Lagrangian
multipliers at which `facility_bound.lagrangian` is tight at this open set and bounds every
neighbouring set from below (what `facility_search` prunes moves with).
"""

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from solvers.families.facility.data import BoolArray, FacilityData, FloatArray, clean_shares, serving
from solvers.families.jit import jit

IntArray = NDArray[np.int64]
MAX_ROUNDS_PER_CUSTOMER = 50
"""Safety stop for the chain loop (never reached in practice: rounds are a fraction of n)."""


@dataclass(frozen=True)
class Transport:
    """An optimal assignment for one open set."""

    shares: FloatArray
    """m x n, each column summing to one, non-zero only on open rows."""
    cost: float
    """Fixed costs of the facilities that serve someone plus the service cost."""
    prices: FloatArray
    """lam_j: the demand rows' duals (what serving customer j costs at the margin)."""

    @property
    def used(self) -> BoolArray:
        return serving(self.shares)


def transport(data: FacilityData, opened: BoolArray) -> Transport | None:
    """The optimal split assignment to `opened` (None when it cannot hold the demand)."""
    rows = np.flatnonzero(opened)
    if not len(rows) or not data.feasible_capacity(opened):
        return None
    costs = data.costs[rows]
    positive = data.demand > 0
    flow, price = np.zeros((len(rows), 0)), np.zeros(len(rows))
    if positive.any():
        flow, price, ok = _chains(np.ascontiguousarray(costs[:, positive]), data.demand[positive],
                                  data.capacity[rows])
        if not ok:
            return None
    shares = np.zeros((data.m, data.n))
    part = np.zeros((len(rows), data.n))
    part[:, positive] = flow / data.demand[positive]
    part[np.argmin(costs[:, ~positive], axis=0), np.flatnonzero(~positive)] = 1.0
    shares[rows] = part
    shares = clean_shares(shares)
    finite = np.isfinite(price)
    prices = (costs[finite] + data.demand[None, :] * price[finite, None]).min(axis=0)
    return Transport(shares, data.cost(serving(shares), shares), np.asarray(prices, dtype=np.float64))


@jit
def _chains(costs: FloatArray, demand: FloatArray, capacity: FloatArray) -> tuple[FloatArray, FloatArray, bool]:
    """Flows (k x n, in units of demand), capacity prices, and whether the demand fits."""
    k, n = costs.shape
    unit = costs / demand.reshape(1, n)
    flow = np.zeros((k, n))
    excess = -capacity.copy()
    for j in range(n):
        best = np.argmin(unit[:, j])
        flow[best, j] = demand[j]
        excess[best] += demand[j]
    tol = 1e-9 * max(1.0, demand.sum())
    eps = 1e-10 * max(1.0, np.abs(unit).max())
    move = np.empty((k, k))
    via = np.zeros((k, k), dtype=np.int64)
    for _ in range(MAX_ROUNDS_PER_CUSTOMER * n + k):
        if excess.max() <= tol:
            return flow, _prices(move, via, flow, unit, excess, tol, eps), True
        _moves(unit, flow, move, via)
        dist, pred = _shortest(move, excess > tol, eps)
        if not _augment(flow, excess, dist, pred, via, tol):
            return flow, excess, False
    return flow, excess, False


@jit
def _moves(unit: FloatArray, flow: FloatArray, move: FloatArray, via: IntArray) -> None:
    """move[a, b]: the cheapest unit cost of moving some customer's demand from a to b, via[a, b]
    that customer (only customers a serves can move away from a)."""
    k, n = unit.shape
    move[:, :] = np.inf
    for j in range(n):
        for a in range(k):
            if flow[a, j] > 0.0:
                for b in range(k):
                    c = unit[b, j] - unit[a, j]
                    if b != a and c < move[a, b]:
                        move[a, b] = c
                        via[a, b] = j


@jit
def _shortest(move: FloatArray, start: NDArray[np.bool_], eps: float) -> tuple[FloatArray, IntArray]:
    """Bellman-Ford from every `start` node at distance 0 (moves may cost less than zero)."""
    k = move.shape[0]
    dist = np.where(start, 0.0, np.inf)
    pred = np.full(k, -1, dtype=np.int64)
    for _ in range(k):
        changed = False
        for a in range(k):
            if dist[a] < np.inf:
                for b in range(k):
                    if dist[a] + move[a, b] < dist[b] - eps:
                        dist[b] = dist[a] + move[a, b]
                        pred[b] = a
                        changed = True
        if not changed:
            break
    return dist, pred


@jit
def _augment(flow: FloatArray, excess: FloatArray, dist: FloatArray, pred: IntArray, via: IntArray,
             tol: float) -> bool:
    """Pushes as much as possible along the shortest chain to the nearest facility with room."""
    k = len(dist)
    sink = -1
    for i in range(k):
        if excess[i] < -tol and dist[i] < np.inf and (sink < 0 or dist[i] < dist[sink]):
            sink = i
    if sink < 0:
        return False
    amount, b, steps = -excess[sink], sink, 0
    while pred[b] >= 0:
        amount = min(amount, flow[pred[b], via[pred[b], b]])
        b, steps = pred[b], steps + 1
        if steps > k:
            return False  # a cycle: only floating-point noise can make one
    amount = min(amount, excess[b])
    source, b = b, sink
    while pred[b] >= 0:
        a = pred[b]
        flow[a, via[a, b]] -= amount
        flow[b, via[a, b]] += amount
        b = a
    excess[sink] += amount
    excess[source] -= amount
    return True


@jit
def _prices(move: FloatArray, via: IntArray, flow: FloatArray, unit: FloatArray, excess: FloatArray, tol: float,
             eps: float) -> FloatArray:
    """p_a: the cheapest chain of moves from a to a facility with room (0 there); without any
    room anywhere, distances shifted to a minimum of 0. Infinite for facilities serving no one
    that no chain leaves."""
    _moves(unit, flow, move, via)
    reverse = move.T.copy()
    room = excess < -tol
    dist, _ = _shortest(reverse, room if room.any() else np.ones(len(excess), dtype=np.bool_), eps)
    if not room.any():
        dist -= dist[np.isfinite(dist)].min()
    return np.maximum(dist, 0.0)


def warm_up() -> None:
    """Compiles (or loads from numba's cache) the kernel on a tiny instance, and the single-source
    ones (`assign`, `single`, the min-cover table of `bound`)."""
    from solvers.families.facility import assign
    from solvers.families.facility.single import Knapsacks, single_lagrangian

    _chains(np.array([[1.0, 4.0, 2.0], [3.0, 1.0, 5.0]]), np.array([2.0, 1.0, 1.0]), np.array([2.0, 3.0]))
    assign.warm_up()
    data = FacilityData(fixed=np.array([5.0, 7.0, 6.0]), capacity=np.array([3.0, 2.0, 2.0]),
                        demand=np.array([2.0, 1.0, 1.0]), costs=np.array([[1.0, 4.0, 2.0], [3.0, 1.0, 5.0],
                                                                           [2.0, 2.0, 2.0]]), single_source=True)
    for level in (0.0, 9.0):  # the min-cover table, then the knapsack table
        single_lagrangian(data, Knapsacks(data), np.full(3, level))
