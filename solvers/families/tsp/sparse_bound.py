"""Held-Karp 1-tree bound for coordinate TSPs on a sparse graph, valid for the complete graph.

The subgradient ascent of `bound` (L(pi) = cheapest 1-tree under c_ij + pi_i + pi_j, minus
2 sum(pi)) needs a 1-tree per step; on the complete graph that is O(n^2) per step, out of reach at
10^4-10^5 nodes. Here each step is a Kruskal tree on the sparse graph of `candidates` (k nearest
plus Delaunay edges: O(n k log n)), and it stays a valid bound for every pi because every pair
the graph lacks gets an edge weight that is a LOWER bound on its penalised cost:

    for j not among i's candidates, d_ij >= radius_i, so
    c_ij + pi_i + pi_j >= max(radius_i + pi_i, radius_j + pi_j) + min(pi) =: max(a_i, a_j).

A minimum spanning tree under weights that are nowhere larger than the true ones costs no more
than the true one, so the 1-tree found is a lower bound on the complete graph's and L(pi) stays a
bound on every tour. The implicit edges need no storage: in Kruskal's order, node i "activates"
at a_i and joins every earlier activated node at cost a_i, i.e. the component of the first one.
At pi = 0 the Delaunay graph holds the Euclidean minimum spanning tree, so the implicit edges only
matter where the penalties make a far pair cheap; `implicit` counts how often they were used.
This holds for every metric (GEO included: its candidates come from the chord distance, and
`radius` takes a unit off the rounded metrics against float ties).
"""

import math
import time
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from solvers.families.jit import jit
from solvers.families.tsp.candidates import NEIGHBOURS, nearest, sparse_graph
from solvers.families.tsp.certify import extra_pairs
from solvers.families.tsp.distance import Geometry

PATIENCE = 5
FAR = 1e300
ROUNDING_SLACK = 1e-7


@jit
def find_root(parent, x):  # type: ignore[no-untyped-def]
    """Union-find root with path halving (also used by `alpha`)."""
    while parent[x] != x:
        parent[x] = parent[parent[x]]
        x = parent[x]
    return x


@jit
def one_tree(n, eu, ev, w, pi, radius, degree):  # type: ignore[no-untyped-def]
    """Cheapest 1-tree (special node 0) under the lower-bounding weights of the module
    docstring; fills `degree`, returns (cost of the 1-tree, implicit edges used)."""
    m = w.shape[0]
    cost = w + pi[eu] + pi[ev]
    order = np.argsort(cost)
    pmin = pi.min()
    act = radius + pi + pmin
    act_order = np.argsort(act[1:]) + 1
    parent = np.arange(n)
    degree[:] = 0
    total = 0.0
    joined = 0
    implicit = 0
    longest = -np.inf
    blob = -1
    e = 0
    q = 0
    while joined < n - 2:
        while e < m and (eu[order[e]] == 0 or ev[order[e]] == 0):
            e += 1
        take_edge = e < m and (q >= n - 1 or cost[order[e]] <= act[act_order[q]])
        if take_edge:
            k = order[e]
            e += 1
            u, v = find_root(parent, eu[k]), find_root(parent, ev[k])
            if u != v:
                parent[u] = v
                total += cost[k]
                longest = max(longest, cost[k])
                degree[eu[k]] += 1
                degree[ev[k]] += 1
                joined += 1
            continue
        i = act_order[q]
        q += 1
        if blob < 0:
            blob = i
            continue
        u, v = find_root(parent, i), find_root(parent, blob)
        if u != v:
            parent[u] = v
            total += act[i]
            longest = max(longest, act[i])
            degree[i] += 1
            degree[blob] += 1
            joined += 1
            implicit += 1
    # node 0: its two cheapest edges, the implicit one (a_0) counting as many times as needed
    first = act[0]
    second = act[0]
    a = -1
    b = -1
    for k in range(m):
        if eu[k] == 0 or ev[k] == 0:
            c = cost[k]
            other = ev[k] if eu[k] == 0 else eu[k]
            if c < first:
                second, b = first, a
                first, a = c, other
            elif c < second:
                second, b = c, other
    degree[0] = 2
    if a >= 0:
        degree[a] += 1
    if b >= 0:
        degree[b] += 1
    return total + first + second, implicit, longest, second


@dataclass(frozen=True)
class SparseBound:
    value: float
    penalties: NDArray[np.float64]
    iterations: int
    seconds: float
    how: str
    """How the value was made valid on the complete graph (`certified_value`)."""


class SparseGraph:
    """The sparse graph of a coordinate instance with its weights and radii."""

    def __init__(self, geometry: Geometry, neighbours: int = NEIGHBOURS) -> None:
        cands = nearest(geometry, neighbours)
        edges = sparse_graph(geometry, cands.near)
        self.geometry = geometry
        self.n = geometry.n
        self.eu = np.ascontiguousarray(edges[:, 0])
        self.ev = np.ascontiguousarray(edges[:, 1])
        self.w = geometry.edges(self.eu, self.ev)
        self.radius = cands.radius
        self.far = np.full(self.n, FAR)
        self.integral = geometry.integral
        self.longest = self.second = 0.0
        self.connected = self.evaluate(np.zeros(self.n))[2] == 0

    def evaluate(self, pi: NDArray[np.float64], valid: bool = False) -> tuple[float, NDArray[np.int64], int]:
        """L(pi) on the graph and the degrees; with `valid`, the implicit edges make it a bound on
        the complete graph (else they only keep the tree spanning, at a prohibitive cost)."""
        degree = np.zeros(self.n, dtype=np.int64)
        radius = self.radius if valid else self.far
        tree, implicit, self.longest, self.second = one_tree(self.n, self.eu, self.ev, self.w, pi, radius, degree)
        return float(tree) - 2.0 * float(pi.sum()), degree, int(implicit)


def sparse_held_karp(graph: SparseGraph, upper: float, time_limit: float, max_iterations: int = 1000,
                     ) -> tuple[float, NDArray[np.float64], int]:
    """Subgradient ascent (Polyak steps towards `upper`, step factor halved on stalls, as
    `bound._Subgradient`) on the sparse 1-tree: the best value seen (on the sparse graph, not yet
    a bound), its penalties and the iterations run.

    It halves its step to nothing after 350-600 steps on ~1,000-city instances, leaving the
    sparse value 0.95-2.1% below the optimum and fl1577 8.0% below (certification then costs
    0-0.2% more: the ascent, not the certification, is what is weak there). An LKH-style ascent
    (Helsgaun 2000: step doubling in the first period, period and step halving, first period a
    quarter of the affordable steps; commit 8f16ce1) tightened the certified bound at the same
    budget (10 s tsp_ls, pr1002 .. fl1577, 35 runs: mean bound gap 2.53% -> 1.92%, fl1577 8.2%
    -> 5.6%; 100,000 cities 223,559,292 -> 224,089,356) but not the tours: median gap 0.02% ->
    0.05%, mean 0.098% -> 0.106%, longer in 17 pairs, shorter in 11 (fewer kicks: 18,166 ->
    16,391 a run), so it was reverted (bench/RESULTS.md, "Held-Karp ascent after Helsgaun")."""
    started = time.monotonic()
    n = graph.n
    valid = not graph.connected
    pi = np.zeros(n)
    best, best_pi = -math.inf, pi.copy()
    lam, stall, iterations = 2.0, 0, 0
    previous = np.zeros(n)
    while iterations < max_iterations and time.monotonic() - started < time_limit:
        iterations += 1
        value, degree, _ = graph.evaluate(pi, valid)
        if iterations == 1 or value > best + 1e-9 * max(1.0, abs(best)):
            best, best_pi, stall = value, pi.copy(), 0
        else:
            stall += 1
        g = (degree - 2).astype(np.float64)
        if not g.any() or lam < 1e-5 or best >= upper - 1e-9:
            break
        if stall >= PATIENCE:
            lam, stall, pi, previous = lam / 2.0, 0, best_pi.copy(), np.zeros(n)
            continue
        direction = 0.7 * g + 0.3 * previous
        previous = g
        gap = max(upper - value, 1e-6 * max(1.0, abs(upper)))
        pi = pi + lam * gap / float((direction**2).sum()) * direction
    return best, best_pi, iterations


DENSE_CERTIFY_MAX = 2500
"""Up to this many nodes, when `certify` finds too many candidate pairs, the complete graph's
1-tree is computed directly (Prim, one row of distances at a time: O(n^2) time, O(n) memory):
the implicit-edge bound can be far weaker (measured: pr1002 66%, fl1577 negative). Measured cost
of the direct tree: 0.64 s (euc_2d) and 0.99 s (geo) at 4,000 nodes, so about 0.25-0.4 s here."""


def dense_one_tree(geometry: Geometry, pi: NDArray[np.float64]) -> float:
    """L(pi) on the complete graph, exactly: Prim's tree over nodes 1..n-1 under c_ij + pi_i + pi_j,
    plus node 0's two cheapest penalised edges, minus 2 sum(pi)."""
    n = geometry.n
    nodes = np.arange(n)
    best = np.full(n, np.inf)
    done = np.zeros(n, dtype=bool)
    done[0] = True
    current, tree = 1, 0.0
    for _ in range(n - 2):
        done[current] = True
        row = geometry.edges(np.full(n, current), nodes) + pi[current] + pi
        best = np.where(done, np.inf, np.minimum(best, row))
        current = int(np.argmin(best))
        tree += float(best[current])
    zero = np.sort(geometry.edges(np.zeros(n - 1, dtype=np.int64), nodes[1:]) + pi[0] + pi[1:])[:2]
    return tree + float(zero.sum()) - 2.0 * float(pi.sum())


def certified_value(graph: SparseGraph, pi: NDArray[np.float64]) -> tuple[float, str]:
    """L(pi) of the complete graph (`certify`, or directly up to `DENSE_CERTIFY_MAX` nodes), or the
    implicit-edge bound when that is too costly; with how it was obtained."""
    implicit = graph.evaluate(pi)[2]
    if implicit == 0:
        pairs = extra_pairs(graph.geometry, pi, graph.longest, graph.second, graph.eu, graph.ev)
        if pairs is not None:
            eu = np.concatenate([graph.eu, pairs[:, 0]])
            ev = np.concatenate([graph.ev, pairs[:, 1]])
            w = np.concatenate([graph.w, graph.geometry.edges(pairs[:, 0], pairs[:, 1])])
            degree = np.zeros(graph.n, dtype=np.int64)
            tree, implicit, _, _ = one_tree(graph.n, eu, ev, w, pi, graph.far, degree)
            if implicit == 0:
                return float(tree) - 2.0 * float(pi.sum()), f"complete graph (+{len(pairs)} pairs)"
    implicit_bound = graph.evaluate(pi, valid=True)[0]
    if graph.n <= DENSE_CERTIFY_MAX:
        return max(implicit_bound, dense_one_tree(graph.geometry, pi)), "complete graph (direct)"
    return implicit_bound, "implicit edges"


def sparse_lower_bound(geometry: Geometry, upper: float, time_limit: float, max_iterations: int = 1000,
                       graph: SparseGraph | None = None) -> SparseBound:
    """The certified bound, rounded up (less a float slack) for the integer metrics."""
    started = time.monotonic()
    graph = graph or SparseGraph(geometry)
    _, pi, iterations = sparse_held_karp(graph, upper, time_limit, max_iterations)
    value, how = certified_value(graph, pi)
    if graph.integral and math.isfinite(value):
        value = float(math.ceil(value - ROUNDING_SLACK * max(1.0, abs(value))))
    return SparseBound(value, pi, iterations, time.monotonic() - started, how)
