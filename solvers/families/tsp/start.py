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
START_SHARE = 0.1
"""At most this share of the time left goes to the start tour's search in an exact method (and
nothing in a process that has not loaded its kernels, under COLD_FROM_SECONDS left: `affordable`).
Why not below 2 s limits whatever the process, as the HiGHS backend once did: a warm process at 1-2 s
answered kroA200 with 30,264 and tsp225 with 4,138 (the 2-opt start, 3.1% and 5.7% above the optimum).
The CBC backend ran it for its fixed cap (1 s) whatever the limit: 300 cities at a 1 s limit ended at
1.9 s without a solve."""
COLD_FROM_SECONDS = 2.0
"""Time left from which a process that has not loaded the compiled kernels runs the search anyway:
loading them takes 0.2-1 s."""

_loaded = False


def warm_up() -> None:
    """Loads the local search's compiled kernels (a solve process started ahead of requests)."""
    global _loaded
    from solvers.families.tsp.local_search import warm_up as load

    load()
    _loaded = True


def affordable(seconds_left: float) -> bool:
    """Whether a start tour's search fits in `seconds_left`: always once the kernels are loaded;
    in a process that has not, only from COLD_FROM_SECONDS left: loading is not counted in the
    search's budget, so with less left it would eat the exact method's time, or run past the limit."""
    return _loaded or seconds_left >= COLD_FROM_SECONDS


def start_seconds(seconds_left: float, cap: float, share: float = START_SHARE) -> float:
    """The start search's budget in an exact method with `seconds_left`: `share` of them, at most
    `cap`, and none where the search is not `affordable`."""
    return min(cap, share * seconds_left) if affordable(seconds_left) else 0.0


def ils_tour(d: NDArray[np.float64], seed: int, seconds: float) -> list[int] | None:
    """The best tour found in at most `seconds` of search after the kernels are loaded (rotated
    to start at node 0), or None when the instance is too small for the local search."""
    global _loaded
    n = len(d)
    if n < MIN_NODES:
        return None
    from solvers.families.tsp.local_search import IteratedLocalSearch

    search = IteratedLocalSearch(d, seed=seed)
    deadline = time.monotonic() + seconds  # loading the kernels (0.2-1 s) is not counted
    while not search.descend(20 * n):
        if time.monotonic() >= deadline:
            break
    kicks = 0
    while kicks < KICKS_PER_NODE * n and time.monotonic() < deadline:
        search.kick(n)
        kicks += n
    _loaded = True
    return [int(v) for v in search.best()]
