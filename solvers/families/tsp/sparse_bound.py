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
PERIOD_SHARE = 0.25
"""First period of the ascent as a share of the steps the time allows (the periods then sum to
about half of them, plus doublings). Measured in a prototype (first step one distance unit) at
1.3 s and at most 1,300 steps on the seven ~1,000-city instances of `sparse_held_karp` (load
4-5): mean gap of the sparse value to the optimum 1.68% with 1/4, 1.74% with 1/3, 2.78% with 1/2
(rl1304 6.3%: the schedule was cut off while the step was still large); 2.37% before."""
MIN_PERIOD = 10
INITIAL_STEP_SHARE = 0.002
"""First step as a share of L(0) / |v(0)|^2: about 1% of the Polyak step towards a tour 20% above
L(0). In the prototype, 0.2%, 1% and 5% of the Polyak step to the descent tour gave the same
bounds within 0.2% (mean 1.67-1.70%): the doubling phase makes the choice matter little."""
LKH_STEPS_FACTOR = 3
"""The LKH-style ascent may take this many times the Polyak ascent's step limit (the time limit
still rules): a prototype needed about 2,100 steps for fl1577 3.94% and d1291 1.17% below the
optimum. tsp_ls 10 s, seeds 0-1 on d1291, rl1304, fl1577 and seed 0 on pr1002, u1060, vm1084,
pcb1173, alternating with the factor 1 (load 0.8-1.5): the same tour in 10 of 10 pairs, 0-7% fewer
kicks; bound gap d1291 1.64% -> 1.41% (both seeds), fl1577 6.29% -> 5.43% and 5.60% -> 4.89%,
rl1304 1.69% -> 1.69% and 2.15% -> 2.18%, the four others within 0.02 points."""
MIN_STEP_SHARE = 1e-6
"""The ascent stops once its step is below this share of the average 1-tree edge."""
FAR = 1e300
ROUNDING_SLACK = 1e-7


@jit
def find_root(parent, x):  # type: ignore[no-untyped-def]
    """Union-find root with path halving (also used by `alpha` and `merge`)."""
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
    """The Polyak ascent's penalties (for the alpha-nearness lists), not necessarily the value's."""
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
    0-0.2% more: the ascent, not the certification, is what is weak there). Its penalties still
    make the alpha-nearness lists: the penalties of `lkh_held_karp` (a far better bound) made
    worse tours (commit 8f16ce1; 10 s tsp_ls on pr1002 .. fl1577, seeds 0-4: median gap 0.02% ->
    0.05%, longer in 17 of 35 pairs, shorter in 11), see `sparse_lower_bound`.
    """
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


def lkh_held_karp(graph: SparseGraph, upper: float, time_limit: float, max_iterations: int,
                  ) -> tuple[float, NDArray[np.float64], int]:
    """LKH-style ascent (Helsgaun 2000, LKH's `Ascent`) from pi = 0: the best value seen (on the
    sparse graph), its penalties and the iterations run.

    Steps pi += t (0.7 v + 0.3 v_prev), v = degree - 2, in periods: t doubles on every improvement
    until the first period stalls in its second half (then t *= 3/4 and the period restarts);
    afterwards t and the period halve together, and a period whose last step improved is doubled
    (up to the first). The first period is at most `PERIOD_SHARE` of the steps the time allows
    (LKH: n/2); the first step `INITIAL_STEP_SHARE` |L(0)| / |v|^2 (LKH: one distance unit).

    Same graph and descent tour as tsp_ls, 1.3 s and at most 1,000 steps (load 4.1-4.3), certified
    value below the optimum, Polyak (`sparse_held_karp`) -> this: pr1002 0.95% -> 0.91%, u1060
    1.25 -> 0.68, vm1084 1.63 -> 1.33, pcb1173 0.96 -> 0.96, d1291 2.17 -> 1.60, rl1304 1.92 ->
    1.67, fl1577 8.18 -> 5.58. With 20 s and no step limit (about 2,100 steps, first period 800) a
    prototype reached fl1577 3.94% and d1291 1.17%: at 10 s the budget limits these two.
    """
    if max_iterations < 1 or time_limit <= 0.0:
        return -math.inf, np.zeros(graph.n), 0
    started = time.monotonic()
    n = graph.n
    valid = not graph.connected
    pi = np.zeros(n)
    value, degree, _ = graph.evaluate(pi, valid)
    first_seconds = time.monotonic() - started
    iterations = 1
    best, best_pi = value, pi.copy()
    v = (degree - 2).astype(np.float64)
    norm = float((v**2).sum())
    if norm == 0.0 or best >= upper - 1e-9:
        return best, best_pi, iterations
    affordable = min(max_iterations, int(time_limit / max(first_seconds, 1e-9)))
    initial_period = max(min(n // 2, int(PERIOD_SHARE * affordable)), MIN_PERIOD)
    scale = max(abs(value), 1e-9)
    step = INITIAL_STEP_SHARE * scale / norm
    min_step = MIN_STEP_SHARE * scale / n
    previous = v
    period, initial_phase = initial_period, True
    while period > 0 and step > min_step:
        p = 1
        while p <= period:
            if iterations >= max_iterations or time.monotonic() - started >= time_limit:
                return best, best_pi, iterations
            pi = pi + step * (0.7 * v + 0.3 * previous)
            previous = v
            value, degree, _ = graph.evaluate(pi, valid)
            iterations += 1
            v = (degree - 2).astype(np.float64)
            if value > best:
                best, best_pi = value, pi.copy()
                if best >= upper - 1e-9:
                    return best, best_pi, iterations
                if initial_phase:
                    step *= 2.0
                if p == period:
                    period = min(2 * period, initial_period)
            elif initial_phase and 2 * p > period:
                initial_phase, p, step = False, 0, 0.75 * step
            if not v.any():
                return best, best_pi, iterations
            p += 1
        period //= 2
        step /= 2.0
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
    """The certified bound, rounded up (less a float slack) for the integer metrics.

    Two ascents share the time: the Polyak ascent (`sparse_held_karp`, which ends by itself) gives
    the penalties returned (tsp_ls makes its alpha-nearness lists from them), and the LKH-style
    ascent (`lkh_held_karp`, from pi = 0, with the time left and its own `max_iterations`) the
    value, when its sparse value is the higher. Measured (tsp_ls, 10 s, pr1002, u1060, vm1084,
    pcb1173, d1291, rl1304, fl1577, seeds 0-2, alternating with the Polyak ascent alone, load
    1.6-2.1): the same tour in 21 of 21 pairs (the search ends on the same tour with 9% fewer
    kicks), mean bound gap 2.56% -> 1.94% (fl1577 8.2-8.9% -> 5.6-6.3%, d1291 2.2-2.9% -> 1.6-2.3%).
    At 10^4 nodes and more the Polyak ascent uses the whole time, so nothing changes there."""
    started = time.monotonic()
    graph = graph or SparseGraph(geometry)
    polyak, pi, iterations = sparse_held_karp(graph, upper, time_limit, max_iterations)
    lkh, tight, more = lkh_held_karp(graph, upper, time_limit - (time.monotonic() - started),
                                     LKH_STEPS_FACTOR * max_iterations)
    iterations += more
    value, how = certified_value(graph, tight if lkh > polyak else pi)
    if graph.integral and math.isfinite(value):
        value = float(math.ceil(value - ROUNDING_SLACK * max(1.0, abs(value))))
    return SparseBound(value, pi, iterations, time.monotonic() - started, how)
