"""Start tours for the local search: greedy edge on the candidate edges, nearest neighbour.

The kernels take the cost argument `D` of `metric` and the number of nodes `n`.
"""

import numpy as np
from numpy.typing import NDArray

from solvers.families.jit import jit
from solvers.families.tsp.metric import Kernel, cost


@jit
def _greedy_edge_tour(D, n, near_out, order):  # type: ignore[no-untyped-def]
    """Greedy matching on the candidate edges (`order`: flat indices into `near_out`, shortest
    first; degree <= 2, no subtour), then the fragments are chained by nearest free end."""
    k_max = near_out.shape[1]
    adj = np.full((n, 2), -1, np.int32)
    deg = np.zeros(n, np.int32)
    parent = np.arange(n)
    for idx in order:
        i = idx // k_max
        j = near_out[i, idx % k_max]
        if deg[i] >= 2 or deg[j] >= 2:
            continue
        ri = i
        while parent[ri] != ri:
            parent[ri] = parent[parent[ri]]
            ri = parent[ri]
        rj = j
        while parent[rj] != rj:
            parent[rj] = parent[parent[rj]]
            rj = parent[rj]
        if ri == rj:
            continue
        parent[ri] = rj
        adj[i, deg[i]] = j
        deg[i] += 1
        adj[j, deg[j]] = i
        deg[j] += 1
    # walk fragments, joining each fragment's end to the nearest free end of another fragment
    tour = np.empty(n, np.int32)
    used = np.zeros(n, np.uint8)
    ends = np.empty(n, np.int32)
    n_ends = 0
    for i in range(n):
        if deg[i] < 2:
            ends[n_ends] = i
            n_ends += 1
    t = 0
    current = ends[0] if n_ends > 0 else 0
    while True:
        # walk the fragment from `current`
        prev = -1
        x = current
        while True:
            tour[t] = x
            t += 1
            used[x] = 1
            nxt = -1
            for s in range(deg[x]):
                y = adj[x, s]
                if y != prev and used[y] == 0:
                    nxt = y
                    break
            if nxt < 0:
                break
            prev = x
            x = nxt
        if t >= n:
            break
        best = -1
        best_d = np.inf
        for q in range(n_ends):
            y = ends[q]
            if used[y] == 0 and cost(D, x, y) < best_d:
                best_d = cost(D, x, y)
                best = y
        current = best
    return tour


@jit
def nearest_neighbour_tour(D, n, start):  # type: ignore[no-untyped-def]
    tour = np.empty(n, np.int32)
    used = np.zeros(n, np.uint8)
    x = start
    for t in range(n):
        tour[t] = x
        used[x] = 1
        best = -1
        best_d = np.inf
        for y in range(n):
            if used[y] == 0 and cost(D, x, y) < best_d:
                best_d = cost(D, x, y)
                best = y
        x = best
    return tour


def greedy_edge_tour(D: Kernel, near_out: NDArray[np.int32], near_cost: NDArray[np.float64]) -> NDArray[np.int32]:
    """Greedy edge start tour (symmetric costs) from the candidate edges and their costs."""
    order = np.argsort(near_cost.ravel(), kind="stable").astype(np.int64)
    return _greedy_edge_tour(D, near_out.shape[0], near_out, order)  # type: ignore[no-any-return]

