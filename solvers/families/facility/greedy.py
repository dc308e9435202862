"""A single-source plan in milliseconds, numpy only: the quick start of the facility MIP backends.

Why: HiGHS, CBC and Pyomo started a facility MIP with no solution of their own, and on 100 x 1,000
single-source instances at a 2 s limit none found one in time (all three answered `no_solution`,
`bench/time_limits.py`), where the `facility` backend's Lagrangian search had one at once. This
plan is what such a run answers with when the solver finds nothing better. It serves every customer
from one facility, so it is feasible for split demand too.

Facilities open by increasing fixed cost per unit of capacity until they hold the total demand
(`cheapest_cover`); customers, largest demand first, go to the cheapest open facility with room
left, and when none has room, to the closed facility with room that is cheapest to open and serve
from. The order is the usual first-fit-decreasing one for bin packing, which is what single sourcing
adds to the problem. Facilities left without customers are closed again.
"""

import numpy as np

from solvers.families.facility.data import BoolArray, FacilityData, FloatArray


def cheapest_cover(data: FacilityData) -> BoolArray:
    """Facilities by increasing fixed cost per unit of capacity until they hold the demand."""
    order = np.argsort(data.fixed / np.maximum(data.cover, 1e-300), kind="stable")
    enough = np.searchsorted(np.cumsum(data.cover[order]), data.total_demand * (1 - 1e-12))
    opened = np.zeros(data.m, dtype=bool)
    opened[order[: min(int(enough), data.m - 1) + 1]] = True
    return opened


def greedy_shares(data: FacilityData) -> FloatArray | None:
    """The plan as an m x n 0/1 share matrix (a facility is open when it serves someone), or None
    when first fit finds no room for some customer (the instance may still be feasible: bin packing
    is hard, and this is one pass)."""
    opened = cheapest_cover(data)
    load = np.zeros(data.m)
    where = np.zeros(data.n, dtype=np.int64)
    for j in np.argsort(-data.demand, kind="stable"):
        room = load + data.demand[j] <= data.capacity
        candidates = opened & room
        if candidates.any():
            i = int(np.argmin(np.where(candidates, data.costs[:, j], np.inf)))
        elif room.any():
            i = int(np.argmin(np.where(room, data.fixed + data.costs[:, j], np.inf)))
            opened[i] = True
        else:
            return None
        load[i] += data.demand[j]
        where[j] = i
    shares = np.zeros((data.m, data.n))
    shares[where, np.arange(data.n)] = 1.0
    return shares
