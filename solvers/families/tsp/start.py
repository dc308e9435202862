"""A strong start tour for the exact TSP methods: a short run of the iterated local search.

An exact method prunes with its incumbent, so a near-optimal tour up front is worth a few
tenths of a second: measured on the TSPLIB instances of 51-200 cities, 50 kicks per node reach
the optimum on all but ch130 (0.3% above) in 0.2-1.0 s, compiled kernels loaded from the cache.
The kick budget is a number (reproducible from the seed), capped by a wall clock.
"""

import time

import numpy as np
from numpy.typing import NDArray

KICKS_PER_NODE = 50
"""ILS rounds per node, at most (measured above)."""
MIN_NODES = 4
"""The local search needs at least this many nodes."""


def ils_tour(d: NDArray[np.float64], seed: int, seconds: float) -> list[int] | None:
    """The best tour found in at most `seconds` of search after the kernels are loaded (rotated
    to start at node 0), or None when the instance is too small for the local search."""
    n = len(d)
    if n < MIN_NODES:
        return None
    from solvers.families.tsp.local_search import IteratedLocalSearch

    search = IteratedLocalSearch(d, seed=seed)
    deadline = time.monotonic() + seconds  # loading the kernels (0.2-1 s) is not counted
    while not search.descend(20 * n):
        if time.monotonic() >= deadline:
            return [int(v) for v in search.best()]
    kicks = 0
    while kicks < KICKS_PER_NODE * n and time.monotonic() < deadline:
        search.kick(n)
        kicks += n
    return [int(v) for v in search.best()]
