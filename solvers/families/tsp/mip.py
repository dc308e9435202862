"""TSP by Dantzig-Fulkerson-Johnson: degree rows up front, subtour cuts added lazily.

Symmetric matrices (n >= 3) get one binary per undirected edge and degree-2 rows; otherwise one
binary per arc with out- and in-degree 1 (plus the 2-cycle cuts x_ij + x_ji <= 1, when n >= 3).
`separate` returns subtour elimination cuts (sum of the edges inside S <= |S| - 1): for an
integer solution one per subtour (connected components); for an LP point also every cut of the
support graph lighter than 2 that Stoer-Wagner meets (`solvers.families.tsp.mincut`), an exact
separation. When no subtour cut is violated, blossom cuts (`tsp_blossom`, a heuristic) lift
the LP further, and at last the subtour cuts of the sets whose LP cut weighs less than
2 + NEAR_TIGHT are added once (measured: the MIP rounds of kroA200 fell from 5-6 to 3, of pr76
from 8 to 3). Both MIP backends run LP rounds first, then MIP rounds until the solution is one
tour. The start tour is a short iterated local search (`solvers.families.tsp.start`), usually
already optimal up to 200 cities.

Decoding never yields an invalid tour: a solution with subtours (an intermediate round, or the
last one at the time limit) is patched into one tour by cheapest merges, then 2-opt.
"""

import numpy as np
from numpy.typing import NDArray

from models import TspProblem, TspSolution
from models.problem import Solution
from solvers.families.tsp.blossom import blossoms
from solvers.families.tsp.distance import distance_matrix, tour_length
from solvers.families.tsp.start import ils_tour, start_seconds
from solvers.families.tsp.tools import nearest_neighbour_tour, tour_from_warm_start
from solvers.mip.array_mip import INF, FloatArray, RowBlock, RowCollector, make_mip
from solvers.mip.formulation import Decoded, Formulation

SUPPORT_THRESHOLDS = (1e-6, 0.5)
"""Edges above these values form the graphs whose components give subtour cuts."""
CUT_TOL = 1e-6
MINCUT_TOL = 1e-5
"""Min-cut separation reports cuts lighter than 2 - MINCUT_TOL (LP noise is far below it)."""
INTEGRAL_TOL = 1e-6
BLOSSOM_TOL = 1e-4
"""Blossom cuts violated by less than this are not added (they barely move the bound)."""
NEAR_TIGHT = 0.5
"""Sets whose LP cut weighs below 2 + NEAR_TIGHT get their subtour cut once the LP is settled."""
HEURISTIC_SECONDS = 1.0
"""Default wall-clock cap of the start tour's local search (backends may lower it)."""
TWO_OPT_PASSES = 50
"""2-opt passes after a repair (each O(n^2) with numpy); repairs are cheap, not polished."""


class TspFormulation(Formulation):
    """See the module docstring."""

    def __init__(self, problem: TspProblem) -> None:
        self.d = d = distance_matrix(problem)
        self.n = n = len(d)
        self.symmetric = n >= 3 and bool(np.array_equal(d, d.T))
        if self.symmetric:
            tails, heads = np.triu_indices(n, 1)
        else:
            tails, heads = np.nonzero(~np.eye(n, dtype=bool))
        self.tails, self.heads = tails, heads
        self.index = np.full((n, n), -1, dtype=np.int64)
        self.index[tails, heads] = np.arange(len(tails))
        if self.symmetric:
            self.index[heads, tails] = np.arange(len(tails))
        self.mip = make_mip(d[tails, heads], self._degree_rows(), 0.0, 1.0, True)
        self.lazy_rows = True
        self.heuristic_seconds = HEURISTIC_SECONDS
        self._quick: Decoded | None = None
        self.near_tight: set[bytes] = set()
        self.seed = 0

    def _degree_rows(self) -> RowCollector:
        n, edges = self.n, np.arange(len(self.tails))
        rows = RowCollector(len(edges))
        if self.symmetric:
            rows.add_many(np.concatenate([self.tails, self.heads]), np.concatenate([edges, edges]), 1.0,
                          np.full(n, 2.0), 2.0)
            return rows
        rows.add_many(np.concatenate([self.tails, n + self.heads]), np.concatenate([edges, edges]), 1.0,
                      np.ones(2 * n), 1.0)
        if n >= 3:
            i, j = np.triu_indices(n, 1)
            pairs = np.arange(len(i))
            rows.add_many(np.repeat(pairs, 2), np.column_stack([self.index[i, j], self.index[j, i]]).ravel(), 1.0,
                          np.full(len(i), -INF), 1.0)
        return rows

    # --- lazy subtour cuts ------------------------------------------------------------------

    def separate(self, x: FloatArray) -> RowBlock | None:
        """Violated subtour cuts: components of the support of x at a few thresholds, and for a
        fractional x every Stoer-Wagner phase cut lighter than 2 (exact: if a subtour cut is
        violated, at least one is returned). For an integer x, one cut per subtour. A symmetric
        fractional x that violates no subtour cut gets blossom cuts instead, when any is found."""
        rows, seen = RowCollector(self.mip.n_cols), set()
        for nodes in self._candidate_sets(x):
            key = nodes.tobytes()
            if key in seen:
                continue
            seen.add(key)
            cols = self.inside(nodes)
            if x[cols].sum() > len(nodes) - 1 + CUT_TOL:
                rows.add(cols, 1.0, -INF, len(nodes) - 1.0)
        if not rows.n_rows and self.symmetric and _fractional(x).any():
            self._blossom_rows(rows, x)
        if not rows.n_rows and _fractional(x).any():
            self._near_tight_rows(rows, x)
        return rows.block() if rows.n_rows else None

    def _near_tight_rows(self, rows: RowCollector, x: FloatArray) -> None:
        """Subtour cuts of sets whose LP cut weighs little more than 2, each added once: they do
        not move the LP bound, but a 2-factor that splits the tour tends to split there, so they
        spare MIP rounds."""
        from solvers.families.tsp.mincut import violated_sets

        support = x > INTEGRAL_TOL
        for nodes in violated_sets(self.n, self.tails[support], self.heads[support], x[support], -NEAR_TIGHT):
            key = nodes.tobytes()
            if len(nodes) >= 3 and key not in self.near_tight:
                self.near_tight.add(key)
                rows.add(self.inside(nodes), 1.0, -INF, len(nodes) - 1.0)

    def _blossom_rows(self, rows: RowCollector, x: FloatArray) -> None:
        """Violated blossoms of the component heuristic. (Tried and dropped: candidates from
        Gusfield's minimum cuts under min(x, 1 - x), after Padberg-Rao, lifted kroA200's LP from
        29,223 to 29,270 but the extra rows made the MIP rounds slower: 2 of 3 runs no longer
        finished within 30 s.)"""
        support = x > INTEGRAL_TOL
        for blossom in blossoms(self.n, self.tails[support], self.heads[support], x[support]):
            teeth = np.array(blossom.teeth, dtype=np.int64)
            cols = np.concatenate([self.inside(blossom.handle), self.index[teeth[:, 0], teeth[:, 1]]])
            if x[cols].sum() > blossom.rhs + BLOSSOM_TOL:
                rows.add(cols, 1.0, -INF, blossom.rhs)

    def _candidate_sets(self, x: FloatArray) -> list[NDArray[np.int64]]:
        sets = []
        for threshold in SUPPORT_THRESHOLDS:
            count, labels = self._components(x > threshold)
            for label in range(count if count > 1 else 0):
                nodes = np.flatnonzero(labels == label)
                if 2 * len(nodes) > self.n:
                    nodes = np.flatnonzero(labels != label)  # same cut given degree rows, fewer nonzeros
                sets.append(nodes)
        if not _fractional(x).any():
            return sets
        from solvers.families.tsp.mincut import violated_sets

        support = x > INTEGRAL_TOL
        return sets + violated_sets(self.n, self.tails[support], self.heads[support], x[support], MINCUT_TOL)

    def inside(self, nodes: NDArray[np.int64]) -> NDArray[np.int64]:
        """Columns of the edges (arcs) with both ends in `nodes`."""
        if self.symmetric:
            a, b = np.triu_indices(len(nodes), 1)
        else:
            a, b = np.nonzero(~np.eye(len(nodes), dtype=bool))
        return self.index[nodes[a], nodes[b]]

    def _components(self, chosen: NDArray[np.bool_]) -> tuple[int, NDArray[np.int64]]:
        """Connected components of the chosen edges (directions ignored), by union-find."""
        parent = list(range(self.n))

        def root(v: int) -> int:
            while parent[v] != v:
                parent[v] = parent[parent[v]]
                v = parent[v]
            return v

        for a, b in zip(self.tails[chosen].tolist(), self.heads[chosen].tolist(), strict=True):
            parent[root(a)] = root(b)
        _, labels = np.unique([root(v) for v in range(self.n)], return_inverse=True)
        return int(labels.max()) + 1, labels

    # --- decoding and encoding --------------------------------------------------------------

    def decode(self, x: FloatArray) -> Decoded:
        cycles = self.cycles(x > 0.5)
        if cycles is None:
            tour = self._improve(nearest_neighbour_tour(self.d))
        elif len(cycles) == 1:
            tour = cycles[0]
        else:
            tour = self._improve(merge_cycles(self.d, cycles, self.symmetric))
        return self._decoded(tour)

    def _decoded(self, tour: list[int]) -> Decoded:
        first = tour.index(0)
        tour = tour[first:] + tour[:first]
        return Decoded(TspSolution(tour=tour), tour_length(self.d, tour))

    def cycles(self, chosen: NDArray[np.bool_]) -> list[list[int]] | None:
        """The cycles formed by the chosen edges, or None when they are not a 2-factor."""
        tails, heads = self.tails[chosen], self.heads[chosen]
        if self.symmetric:
            ends = np.concatenate([tails, heads])
            if len(tails) != self.n or np.bincount(ends, minlength=self.n).max(initial=0) != 2:
                return None
            order = np.argsort(ends, kind="stable")
            others = np.concatenate([heads, tails])[order].reshape(self.n, 2)
            return _walk(lambda node, prev: int(others[node, 1] if others[node, 0] == prev else others[node, 0]),
                         self.n)
        successor = np.full(self.n, -1)
        successor[tails] = heads
        if len(tails) != self.n or (successor < 0).any() or len(np.unique(heads)) != self.n:
            return None
        return _walk(lambda node, _prev: int(successor[node]), self.n)

    def encode(self, solution: Solution) -> FloatArray | None:
        tour = tour_from_warm_start(solution, self.n)
        if tour is None:
            return None
        order = np.asarray(tour)
        x = np.zeros(self.mip.n_cols)
        x[self.index[order, np.roll(order, -1)]] = 1.0
        return x

    def plan_start(self, seconds_left: float, seed: int) -> None:
        """The local search gets a share of the time left (`start.start_seconds`), never its whole cap."""
        self.seed = seed
        self.heuristic_seconds = start_seconds(seconds_left, self.heuristic_seconds)

    def heuristic(self) -> Decoded:
        """The local search's tour; nearest neighbour + 2-opt (no numba to load) when the
        backend allows it no time, or for tiny instances."""
        tour = ils_tour(self.d, self.seed, self.heuristic_seconds) if self.heuristic_seconds > 0 else None
        return self._decoded(tour) if tour is not None else self.quick_start()

    def quick_start(self) -> Decoded:
        """Nearest neighbour + 2-opt: numpy only, a few milliseconds for 200 cities (computed once:
        the cut loop reports it first and `heuristic` falls back on it)."""
        if self._quick is None:
            self._quick = self._decoded(self._improve(nearest_neighbour_tour(self.d)))
        return self._quick

    def _improve(self, tour: list[int]) -> list[int]:
        return two_opt(self.d, tour) if self.symmetric else tour


def _fractional(x: FloatArray) -> NDArray[np.bool_]:
    return (x > INTEGRAL_TOL) & (x < 1.0 - INTEGRAL_TOL)


def _walk(step, n: int) -> list[list[int]]:  # type: ignore[no-untyped-def]
    """Follows `step(node, previous)` from each unvisited node until the cycle closes."""
    seen = np.zeros(n, dtype=bool)
    cycles = []
    for first in range(n):
        if seen[first]:
            continue
        cycle, prev, node = [], -1, first
        while not seen[node]:
            seen[node] = True
            cycle.append(node)
            prev, node = node, step(node, prev)
        cycles.append(cycle)
    return cycles


def merge_cycles(d: FloatArray, cycles: list[list[int]], symmetric: bool) -> list[int]:
    """Patches cycles into one tour: repeatedly splices in the cycle that is cheapest to join."""
    tour = next(c for c in cycles if 0 in c)
    rest = [c for c in cycles if 0 not in c]
    while rest:
        t = np.asarray(tour)
        t_next = np.roll(t, -1)
        best: tuple[float, int, int, int, bool] | None = None
        for k, cycle in enumerate(rest):
            c = np.asarray(cycle)
            c_next = np.roll(c, -1)
            base = d[t, t_next][:, None] + d[c, c_next][None, :]
            options = [(d[t[:, None], c_next[None, :]] + d[c[None, :], t_next[:, None]] - base, False)]
            if symmetric:
                options.append((d[t[:, None], c[None, :]] + d[c_next[None, :], t_next[:, None]] - base, True))
            for delta, reverse in options:
                at, into = np.unravel_index(int(np.argmin(delta)), delta.shape)
                if best is None or delta[at, into] < best[0]:
                    best = (float(delta[at, into]), k, int(at), int(into), reverse)
        assert best is not None
        _, k, p, q, reverse = best
        cycle = rest.pop(k)
        piece = cycle[: q + 1][::-1] + cycle[q + 1:][::-1] if reverse else cycle[q + 1:] + cycle[: q + 1]
        tour = tour[: p + 1] + piece + tour[p + 1:]
    return tour


def two_opt(d: FloatArray, tour: list[int], passes: int = TWO_OPT_PASSES) -> list[int]:
    """First-improvement 2-opt for symmetric matrices, vectorised over the second edge."""
    t = np.asarray(tour)
    n = len(t)
    for _ in range(passes):
        improved = False
        for i in range(n - 2):
            a, b = t[i], t[i + 1]
            c = t[i + 2:]
            c_next = np.append(t[i + 3:], t[0])
            delta = d[a, c] + d[b, c_next] - d[a, b] - d[c, c_next]
            if i == 0:
                delta[-1] = 0.0  # the edge (t[n-1], t[0]) shares node a
            j = int(np.argmin(delta))
            if delta[j] < -1e-9:
                t[i + 1: i + 3 + j] = t[i + 1: i + 3 + j][::-1]
                improved = True
        if not improved:
            break
    return [int(v) for v in t]
