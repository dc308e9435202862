"""Alpha-nearness candidate lists (Helsgaun 2000, as in LKH) on the sparse graph, O(n k) memory.

Nearest-neighbour candidate lists miss edges of good tours on clustered instances (rl1304,
d1291): the shortest way out of a cluster is often not among a node's 10 nearest. LKH ranks the
edges instead by alpha-nearness: with the subgradient penalties pi of the Held-Karp ascent and
c'(i, j) = d(i, j) + pi_i + pi_j, alpha(i, j) is how much the minimum 1-tree grows when it must
contain (i, j):
- for i, j other than the special node 0: c'(i, j) - beta(i, j), beta the largest c' on the tree
  path between i and j (0 for the tree's own edges);
- for (0, j): 0 when j is one of node 0's two 1-tree neighbours, else c'(0, j) minus the larger
  of those two edges.
About 70% of the optimal tour's edges are 1-tree edges, and nearly all have small alpha, so a
node's 5 alpha-nearest neighbours cover the optimal tour better than its 10 nearest.

LKH computes alpha for all n^2 pairs; here only for the pairs of the sparse graph of
`sparse_bound.SparseGraph` (k nearest plus Delaunay edges), with beta from binary lifting on the
rooted tree (O(log n) per pair, O(n log n) memory), so 10^5 nodes need no n x n array.
"""

import numpy as np
from numpy.typing import NDArray

from solvers.families.jit import jit
from solvers.families.tsp.sparse_bound import SparseGraph, find_root

ALPHA_NEIGHBOURS = 5
"""Candidates per node for the LK move, LKH's default. Measured (tsp_ls, 10 s, pr1002, u1060,
vm1084, pcb1173, d1291, rl1304, fl1577, 4 seeds, load 2-4): median gap 0.095% with 5, 0.16% with
6; mean 0.51% vs 0.34% (fl1577 stayed at +2.76% with 5 in all 4 seeds, with 6 in 1 of 4); 8 was
no better than 6."""


@jit
def tree_edges(n, eu, ev, c):  # type: ignore[no-untyped-def]
    """Kruskal's minimum spanning tree of nodes 1..n-1 on the pairs not touching node 0, under
    costs `c`: (tail, head, cost) of its edges, and how many it found (n - 2 when spanning)."""
    order = np.argsort(c)
    parent = np.arange(n)
    tu = np.empty(n, np.int64)
    tv = np.empty(n, np.int64)
    tc = np.empty(n, np.float64)
    found = 0
    for k in order:
        u, v = eu[k], ev[k]
        if u == 0 or v == 0:
            continue
        ru, rv = find_root(parent, u), find_root(parent, v)
        if ru != rv:
            parent[ru] = rv
            tu[found], tv[found], tc[found] = u, v, c[k]
            found += 1
            if found == n - 2:
                break
    return tu, tv, tc, found


@jit
def lifting(n, tu, tv, tc):  # type: ignore[no-untyped-def]
    """Roots the tree at node 1 and builds the binary-lifting tables: `up[j, x]` is x's ancestor
    2^j levels up, `top[j, x]` the largest edge cost on that stretch; with the depths."""
    degree = np.zeros(n + 1, np.int64)
    m = tu.shape[0]
    for e in range(m):
        degree[tu[e] + 1] += 1
        degree[tv[e] + 1] += 1
    start = np.cumsum(degree)
    fill = start[:-1].copy()
    adj = np.empty(2 * m, np.int64)
    wt = np.empty(2 * m, np.float64)
    for e in range(m):
        adj[fill[tu[e]]], wt[fill[tu[e]]] = tv[e], tc[e]
        fill[tu[e]] += 1
        adj[fill[tv[e]]], wt[fill[tv[e]]] = tu[e], tc[e]
        fill[tv[e]] += 1
    levels = 1
    while (1 << levels) < n:
        levels += 1
    up = np.zeros((levels, n), np.int64)
    top = np.zeros((levels, n), np.float64)
    depth = np.full(n, -1, np.int64)
    stack = np.empty(n, np.int64)
    stack[0], depth[1], up[0, 1] = 1, 0, 1
    size = 1
    while size > 0:
        size -= 1
        x = stack[size]
        for q in range(start[x], start[x + 1]):
            y = adj[q]
            if depth[y] < 0:
                depth[y] = depth[x] + 1
                up[0, y], top[0, y] = x, wt[q]
                stack[size] = y
                size += 1
    for j in range(1, levels):
        for x in range(n):
            mid = up[j - 1, x]
            up[j, x] = up[j - 1, mid]
            top[j, x] = max(top[j - 1, x], top[j - 1, mid])
    return up, top, depth


@jit
def beta(u, v, up, top, depth):  # type: ignore[no-untyped-def]
    """The largest edge cost on the tree path between u and v (-inf when u == v)."""
    best = -np.inf
    if depth[u] < depth[v]:
        u, v = v, u
    diff = depth[u] - depth[v]
    j = 0
    while diff > 0:
        if diff & 1:
            best = max(best, top[j, u])
            u = up[j, u]
        diff >>= 1
        j += 1
    if u == v:
        return best
    for j in range(up.shape[0] - 1, -1, -1):
        if up[j, u] != up[j, v]:
            best = max(best, top[j, u], top[j, v])
            u, v = up[j, u], up[j, v]
    return max(best, top[0, u], top[0, v])


@jit
def alpha_values(n, eu, ev, c):  # type: ignore[no-untyped-def]
    """alpha of every pair (eu[k], ev[k]) under the penalised costs `c` (module docstring);
    an empty array when the pairs not touching node 0 do not span nodes 1..n-1."""
    m = eu.shape[0]
    tu, tv, tc, found = tree_edges(n, eu, ev, c)
    if found < n - 2:
        return np.empty(0, np.float64)
    up, top, depth = lifting(n, tu[:found], tv[:found], tc[:found])
    first = np.inf
    second = np.inf
    for k in range(m):  # node 0's two cheapest edges
        if eu[k] == 0 or ev[k] == 0:
            if c[k] < first:
                first, second = c[k], first
            elif c[k] < second:
                second = c[k]
    alpha = np.empty(m, np.float64)
    for k in range(m):
        if eu[k] == 0 or ev[k] == 0:
            alpha[k] = max(c[k] - second, 0.0)
        else:
            alpha[k] = max(c[k] - beta(eu[k], ev[k], up, top, depth), 0.0)
    return alpha


def pair_alphas(graph: SparseGraph, pi: NDArray[np.float64]) -> NDArray[np.float64]:
    """alpha of every pair of `graph` at penalties `pi` (empty when its tree does not span)."""
    c = graph.w + pi[graph.eu] + pi[graph.ev]
    return np.asarray(alpha_values(graph.n, graph.eu, graph.ev, c), dtype=np.float64)


def alpha_candidates(graph: SparseGraph, pi: NDArray[np.float64], k: int = ALPHA_NEIGHBOURS,
                     ) -> NDArray[np.int32] | None:
    """Each node's k alpha-nearest neighbours among its sparse-graph pairs (ties by distance),
    n x k int32; None when the graph's tree does not span (then keep the nearest lists)."""
    n = graph.n
    alpha = pair_alphas(graph, pi)
    if alpha.size == 0:
        return None
    src = np.concatenate([graph.eu, graph.ev])
    dst = np.concatenate([graph.ev, graph.eu])
    order = np.lexsort((np.concatenate([graph.w, graph.w]), np.concatenate([alpha, alpha]), src))
    src, dst = src[order], dst[order]
    counts = np.bincount(src, minlength=n)
    k = int(min(k, counts.min()))
    if k < 1:
        return None
    first = np.concatenate([[0], np.cumsum(counts)[:-1]])
    rank = np.arange(src.size) - first[src]
    chosen = rank < k
    near = np.empty((n, k), np.int32)
    near[src[chosen], rank[chosen]] = dst[chosen]
    return near
