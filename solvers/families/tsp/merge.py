"""Partition crossover (GPX) of two symmetric tours: tour merging between independent runs.

Two iterated-local-search runs from different starts end in different deep local optima, and
each is usually the better one in some regions of the plane. Partition crossover (Whitley, Hains
and Howe, "Tunneling between optima", 2009; GPX2, Tinos, Whitley and Ochoa, 2018) takes the best
of both in O(n) without any search:

- the edges both tours use are kept;
- the other edges (in exactly one tour) fall apart into connected *pieces*;
- a chain of shared edges between two nodes of one piece belongs to that piece;
- a piece is *exchangeable* when both tours cross it as the same set of paths between the same
  pairs of portal nodes (where a shared edge leaves the piece): replacing one tour's paths by the
  other's then still gives one cycle through every node;
- each exchangeable piece takes the shorter tour's paths, every other piece keeps the base
  tour's (the shorter parent). So the child is never longer than the better parent, and shorter
  as soon as the worse parent wins one exchangeable piece.

Only for symmetric costs (the child may walk a parent's path backwards).
"""

import numpy as np
from numpy.typing import NDArray

from solvers.families.jit import jit
from solvers.families.tsp.metric import Kernel, cost
from solvers.families.tsp.sparse_bound import find_root

Tour = NDArray[np.int32]
FUSE_ROUNDS = 32
"""Rounds of piece fusion at most (each is O(n))."""


@jit
def _neighbours(tour):  # type: ignore[no-untyped-def]
    """Successor and predecessor of every node along `tour`."""
    n = tour.shape[0]
    succ = np.empty(n, np.int32)
    pred = np.empty(n, np.int32)
    for i in range(n):
        u = tour[i]
        v = tour[(i + 1) % n]
        succ[u] = v
        pred[v] = u
    return succ, pred


@jit
def _join(parent, touched, u, v):  # type: ignore[no-untyped-def]
    ru = find_root(parent, u)
    rv = find_root(parent, v)
    if ru != rv:
        parent[ru] = rv
    touched[u] = True
    touched[v] = True


@jit
def pieces(a, b):  # type: ignore[no-untyped-def]
    """The piece of every node (a representative node's index), or -1 where both of the node's
    edges are shared by the two tours; also both tours' successor and predecessor arrays."""
    n = a.shape[0]
    a_succ, a_pred = _neighbours(a)
    b_succ, b_pred = _neighbours(b)
    parent = np.arange(n)
    touched = np.zeros(n, np.bool_)
    for u in range(n):
        v = a_succ[u]
        if v != b_succ[u] and v != b_pred[u]:
            _join(parent, touched, u, v)
        v = b_succ[u]
        if v != a_succ[u] and v != a_pred[u]:
            _join(parent, touched, u, v)
    label = np.full(n, -1, np.int64)
    for u in range(n):
        if touched[u]:
            label[u] = find_root(parent, u)
    return label, a_succ, a_pred, b_succ, b_pred


@jit
def _first_labelled(tour, label):  # type: ignore[no-untyped-def]
    for i in range(tour.shape[0]):
        if label[tour[i]] >= 0:
            return i
    return -1


@jit
def fuse(tour, label, settled):  # type: ignore[no-untyped-def]
    """One round of growing pieces along `tour` (in place); True if a piece changed.

    Between two consecutive stretches of `tour` lies a chain of shared edges (possibly a single
    edge). When both ends are in the same piece, the chain joins that piece: both tours walk it,
    so it is inside the piece, not a way out (without this a plain 2-opt difference, whose
    reversed path is shared, would look like two crossings). When the ends are in two different
    pieces that are not `settled` (exchangeable already), the two pieces and the chain become one
    piece (GPX2's fusion): together they may be crossed the same way by both tours where each
    alone is not. Each piece fuses at most once per round, so pieces grow step by step."""
    n = tour.shape[0]
    start = _first_labelled(tour, label)
    if start < 0:
        return False
    merged_into = np.arange(n)
    fused = np.zeros(n, np.bool_)
    changed = False
    last = label[tour[start]]
    i = 1
    while i <= n:
        j = i
        while j < n and label[tour[(start + j) % n]] < 0:
            j += 1
        after = label[tour[(start + j) % n]]
        into = -1
        if after == last:
            into = last
        elif not (settled[last] or settled[after] or fused[last] or fused[after]):
            into = last
            merged_into[after] = last
            fused[last] = True
            fused[after] = True
        if into >= 0 and j > i:
            for k in range(i, j):
                label[tour[(start + k) % n]] = into
            changed = True
        changed = changed or (into >= 0 and after != last)
        last = after
        i = j + 1
    for u in range(n):
        if label[u] >= 0:
            label[u] = merged_into[label[u]]
    return changed


@jit
def portal_pairs(tour, label):  # type: ignore[no-untyped-def]
    """One row (piece, smaller end, larger end) per maximal stretch of `tour` inside one piece;
    no rows when no stretch ends (one piece spans the whole tour, or the tours are equal)."""
    n = tour.shape[0]
    start = -1
    for i in range(n):
        if label[tour[i]] != label[tour[i - 1]]:
            start = i
            break
    rows = np.empty((n, 3), np.int64)
    count = 0
    if start < 0:
        return rows[:0]
    i = 0
    while i < n:
        here = label[tour[(start + i) % n]]
        j = i
        while j + 1 < n and label[tour[(start + j + 1) % n]] == here:
            j += 1
        if here >= 0:
            x = tour[(start + i) % n]
            y = tour[(start + j) % n]
            rows[count, 0] = here
            rows[count, 1] = min(x, y)
            rows[count, 2] = max(x, y)
            count += 1
        i = j + 1
    return rows[:count]


@jit
def own_edge_costs(tour, other_succ, other_pred, label, D):  # type: ignore[no-untyped-def]
    """Per piece, the length of `tour`'s edges that the other tour does not use."""
    n = tour.shape[0]
    total = np.zeros(n, np.float64)
    for i in range(n):
        u = tour[i]
        v = tour[(i + 1) % n]
        if v != other_succ[u] and v != other_pred[u]:
            total[label[u]] += cost(D, u, v)
    return total


@jit
def walk(first, second):  # type: ignore[no-untyped-def]
    """The cycle through the degree-2 graph given by each node's two neighbours, from node 0;
    the second value is False when it is not a single cycle through all nodes."""
    n = first.shape[0]
    tour = np.empty(n, np.int32)
    seen = np.zeros(n, np.bool_)
    previous = -1
    u = 0
    for i in range(n):
        if seen[u]:
            return tour, False
        seen[u] = True
        tour[i] = u
        step = first[u] if first[u] != previous else second[u]
        previous = u
        u = step
    return tour, u == 0


def exchangeable(a: Tour, b: Tour, label: NDArray[np.int64]) -> NDArray[np.int64]:
    """The pieces both tours cross with the same portal pairs."""
    rows_a = portal_pairs(a, label)
    rows_b = portal_pairs(b, label)
    if len(rows_a) == 0 or len(rows_a) != len(rows_b):
        return np.empty(0, np.int64)
    rows_a = rows_a[np.lexsort(rows_a.T[::-1])]
    rows_b = rows_b[np.lexsort(rows_b.T[::-1])]
    if not np.array_equal(rows_a[:, 0], rows_b[:, 0]):  # the piece counts always agree: defensive
        return np.empty(0, np.int64)
    differ = np.any(rows_a[:, 1:] != rows_b[:, 1:], axis=1)
    return np.setdiff1d(rows_a[:, 0], rows_a[differ, 0])


def grow_pieces(a: Tour, b: Tour, label: NDArray[np.int64]) -> NDArray[np.int64]:
    """Fuses pieces (in place) until every piece is exchangeable or nothing changes; returns the
    exchangeable pieces."""
    everything = np.ones(len(a), np.bool_)
    settled = np.zeros(len(a), np.bool_)
    for _ in range(FUSE_ROUNDS):
        fuse(a, label, everything)  # chains inside pieces first: they may make a piece exchangeable
        swap = exchangeable(a, b, label)
        settled[:] = False
        settled[swap] = True
        if not fuse(a, label, settled):
            break
    return exchangeable(a, b, label)


def partition_crossover(base: Tour, other: Tour, D: Kernel) -> tuple[Tour, int]:
    """The child of `base` (the shorter parent) and `other`, and how many pieces came from `other`.

    The child starts at node 0; it is `base` (rotated) when no exchangeable piece favours `other`."""
    base = np.ascontiguousarray(base, dtype=np.int32)
    other = np.ascontiguousarray(other, dtype=np.int32)
    label, a_succ, a_pred, b_succ, b_pred = pieces(base, other)
    swap = grow_pieces(base, other, label)
    if len(swap):
        base_cost = own_edge_costs(base, b_succ, b_pred, label, D)[swap]
        other_cost = own_edge_costs(other, a_succ, a_pred, label, D)[swap]
        swap = swap[other_cost < base_cost]
    if len(swap) == 0:
        return np.roll(base, -int(np.flatnonzero(base == 0)[0])), 0
    from_other = np.zeros(len(base), np.bool_)
    from_other[swap] = True
    use = np.zeros(len(base), np.bool_)
    use[label >= 0] = from_other[label[label >= 0]]
    child, closed = walk(np.where(use, b_succ, a_succ), np.where(use, b_pred, a_pred))
    if not closed:
        raise AssertionError("partition crossover broke the tour: exchangeable pieces are wrong")
    return child, len(swap)
