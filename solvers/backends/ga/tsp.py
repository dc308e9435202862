"""TSP encoding: a permutation, order crossover (OX), and local search as part of evaluation.

A memetic GA: every child is improved before it is scored (Lamarckian), by the compiled local
search of `solvers.families.tsp.local_search` (2-opt, Or-opt, or-3opt with neighbour lists and a
work queue) followed by a few of its iterated-local-search kicks (double bridge + local search,
kept when not worse). Only the nodes at edges the child did not inherit from either parent are
queued, so improving a child costs little more than repairing what the crossover broke.

Mutation is a double bridge on the permutation (segments B and C swapped), its end nodes queued.
Evaluation is a pure function of the genome (the kick random stream is seeded from the genome's
key), as the engine's cache requires.
"""

import random
import zlib
from dataclasses import dataclass
from functools import cached_property

import numpy as np
from numpy.typing import NDArray

from models import TspSolution
from models.problem import Solution
from solvers.families.tsp import local_search as ls
from solvers.families.tsp.distance import Geometry
from solvers.families.tsp.tools import tour_from_warm_start

Order = NDArray[np.int32]
MIN_SEARCH = 5
"""Smallest tour the compiled local search is used on (its moves need a few nodes)."""
BIG = 1 << 40


@dataclass(frozen=True)
class Tour:
    """A permutation of the nodes, and the nodes whose tour edges changed (None: all of them)."""

    order: Order
    dirty: NDArray[np.int32] | None = None


class TspEncoding:
    """See the module docstring. `kicks` is the number of ILS kicks per evaluation."""

    maximise = False

    def __init__(self, source: NDArray[np.float64] | Geometry, kicks: int) -> None:
        """`source`: an explicit matrix, or a `Geometry` (coordinates: the local search's
        candidate lists and on-the-fly distances, no n x n matrix)."""
        self.source = source if isinstance(source, Geometry) else np.ascontiguousarray(source, dtype=np.float64)
        self.n = n = source.n if isinstance(source, Geometry) else len(source)
        self.kicks = kicks if n >= 8 else 0
        self.search = n >= MIN_SEARCH
        self.symmetric = isinstance(source, Geometry) or ls.is_symmetric(source)

    @cached_property
    def _prepared(self) -> "ls.IteratedLocalSearch":
        """What the kernels need (candidate lists, tolerance, a greedy start tour), as the ILS
        driver prepares it; built on first use, so the compiled code loads only then."""
        return ls.IteratedLocalSearch(self.source)

    def _length(self, order: Order) -> float:
        if isinstance(self.source, Geometry):
            return self.source.tour_length(order)
        return ls.tour_cost(self.source, order)

    # -- the encoding protocol

    def initial(self, rng: random.Random, count: int) -> list[Tour]:
        """Greedy edge (symmetric) or nearest neighbour from node 0, nearest neighbour from random
        starts for a third of the population, random permutations for the rest."""
        tours = [Tour(np.asarray(self._prepared.tour, dtype=np.int32))] if self.search else []
        while len(tours) < count:
            if self.search and len(tours) < count // 3:
                tours.append(Tour(self._prepared.instance.nearest_neighbour(rng.randrange(self.n))))
            else:
                rest = list(range(1, self.n))
                rng.shuffle(rest)
                tours.append(Tour(np.array([0, *rest], dtype=np.int32)))
        return tours[:count]

    def crossover(self, a: Tour, b: Tour, rng: random.Random) -> Tour:
        """OX: a slice of `a` kept in place, the other nodes in `b`'s order from the slice end."""
        n = self.n
        if n < 3:
            return a
        i, j = sorted(rng.sample(range(n + 1), 2))
        child = np.empty(n, dtype=np.int32)
        child[i:j] = a.order[i:j]
        taken = np.zeros(n, dtype=bool)
        taken[a.order[i:j]] = True
        rest = np.roll(b.order, -(j % n))
        child[(j + np.arange(n - (j - i))) % n] = rest[~taken[rest]]
        return Tour(child, self._new_edge_ends(child, a.order, b.order))

    def mutate(self, genome: Tour, rng: random.Random) -> Tour:
        """Double bridge A B C D -> A C B D (a swap of two nodes on tiny tours)."""
        order, n = genome.order, self.n
        if n < 3:
            return genome
        if n < MIN_SEARCH:
            i, j = rng.sample(range(1, n), 2)
            child = order.copy()
            child[i], child[j] = child[j], child[i]
            return Tour(child)
        p1, p2, p3 = sorted(rng.sample(range(1, n), 3))
        child = np.concatenate([order[:p1], order[p2:p3], order[p1:p2], order[p3:]])
        ends = order[[p1 - 1, p1, p2 - 1, p2, p3 - 1, p3 % n]]
        dirty = ends if genome.dirty is None else np.concatenate([genome.dirty, ends])
        return Tour(child, np.unique(dirty).astype(np.int32))

    def evaluate(self, genome: Tour) -> tuple[Tour, float]:
        if not self.search:
            return Tour(self._canonical(genome.order)), self._length(genome.order)
        tour = np.ascontiguousarray(genome.order, dtype=np.int32).copy()
        best = self._improve(tour, genome.dirty, zlib.crc32(self.key(genome)))
        return Tour(self._canonical(best)), self._length(best)

    def key(self, genome: Tour) -> bytes:
        return self._canonical(genome.order).tobytes()

    # -- wire formats

    def solution(self, genome: Tour) -> TspSolution:
        return TspSolution(tour=[int(v) for v in self._canonical(genome.order)])

    def from_solution(self, solution: Solution) -> Tour | None:
        tour = tour_from_warm_start(solution, self.n)
        return None if tour is None else Tour(np.array(tour, dtype=np.int32))

    # -- helpers

    def _improve(self, tour: Order, dirty: NDArray[np.int32] | None, seed: int) -> Order:
        """Local search from the dirty nodes, then `kicks` ILS rounds; returns the best tour."""
        instance = self._prepared.instance
        state = instance.state(tour, tour if dirty is None else dirty)
        ls.local_search(state, instance.P, np.int64(BIG))
        if not self.kicks:
            return tour
        best_tour, best_pos = tour.copy(), state[1].copy()
        lengths = np.array([self._length(tour)], np.float64)
        rng = np.array([seed % 0xFFFFFFFF + 1], np.int64)
        adapt = np.array([ls.KICK_SEGMENT, BIG, ls.KICK_SEGMENT, 0], np.int64)  # fixed kick size
        ls.ils_kicks(state, instance.P, best_tour, best_pos, lengths, rng, self.kicks, adapt)
        return best_tour

    def _canonical(self, order: Order) -> Order:
        """Rotated to start at node 0; symmetric tours also in the direction of the smaller neighbour."""
        start = int(np.flatnonzero(order == 0)[0])
        rotated = np.roll(order, -start).astype(np.int32)
        if self.symmetric and self.n > 2 and rotated[1] > rotated[-1]:
            rotated[1:] = rotated[1:][::-1].copy()
        return rotated

    def _new_edge_ends(self, child: Order, a: Order, b: Order) -> NDArray[np.int32]:
        """End nodes of the child's edges that neither parent has."""
        after = np.roll(child, -1)
        inherited = np.zeros(self.n, dtype=bool)
        for parent in (a, b):
            succ = np.empty(self.n, dtype=np.int32)
            succ[parent] = np.roll(parent, -1)
            inherited |= succ[child] == after
            if self.symmetric:
                inherited |= succ[after] == child
        new = ~inherited
        return np.unique(np.concatenate([child[new], after[new]])).astype(np.int32)
