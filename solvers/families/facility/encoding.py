"""Facility location encoding: a bit per facility (open or not) and the best assignment for it.

The GA only chooses which facilities open; customers are then assigned:
- uncapacitated: each to its cheapest open facility (optimal);
- capacitated, split demand: the transportation LP (scipy's HiGHS), skipped when the cheapest
  assignment already respects every capacity (then it is optimal);
- single source: `assign.assign_single` (compiled regret greedy, repair of overloads, then
  shift, swap and two-step ejection-chain moves). This is a heuristic: a set of open facilities
  may be scored worse than it could be, or found infeasible when it is not.

The initial population starts from the relaxation's opening levels (LP or Lagrangian, solved for
the bound anyway) rounded at a few thresholds. Before assigning, a genome whose open
capacity cannot cover the demand is repaired by opening facilities by increasing fixed cost per
unit of capacity; after assigning, facilities serving
no one are closed (Lamarckian). Evaluations are cached by the engine, keyed by the bit vector;
assignments are not kept (a 100 x 1000 share matrix per entry would not fit): the solution of
the best genome is rebuilt from the bit vector, which reproduces its cost.
"""

import math
import random
import time

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

from models import Assignment, FacilityLocationProblem, FacilitySolution
from models.problem import Solution
from solvers.families.facility.assign import assign_single
from solvers.families.facility.data import FacilityData, clean_shares

Genome = NDArray[np.uint8]
LP_TIME_CAP = 3600.0


class FacilityEncoding:
    """See the module docstring."""

    maximise = False

    def __init__(self, problem: FacilityLocationProblem, opening: NDArray[np.float64] | None = None,
                 deadline: float = math.inf) -> None:
        self.problem = problem
        self.opening = opening
        """The relaxation's opening levels, rounded into starting genomes."""
        self.deadline = deadline
        """No transportation LP of the search runs past this `time.monotonic()` value (it fails
        instead); rebuilding a solution is never cut short."""
        self.data = data = FacilityData.from_problem(problem)
        self.m, self.n = data.m, data.n
        self.fixed, self.costs, self.demand, self.capacity = data.fixed, data.costs, data.demand, data.capacity
        self.total_demand = data.total_demand
        self.open_order = np.argsort(data.fixed / np.maximum(data.cover, 1e-9), kind="stable")
        self._position = {str(f.id): i for i, f in enumerate(problem.facilities)}

    # -- the encoding protocol

    def initial(self, rng: random.Random, count: int) -> list[Genome]:
        """The LP relaxation rounded at a few levels (when given), everything open, then random
        vectors of increasing density."""
        genomes = []
        if self.opening is not None:
            for level in (1e-6, 0.25, 0.5, 0.75, 1 - 1e-6):
                genomes.append((self.opening >= level).astype(np.uint8))
        genomes.append(np.ones(self.m, dtype=np.uint8))
        for k in range(len(genomes), count):
            density = k / max(count, 2)
            genomes.append(np.array([rng.random() < density for _ in range(self.m)], dtype=np.uint8))
        return genomes[:max(count, 1)]

    def crossover(self, a: Genome, b: Genome, rng: random.Random) -> Genome:
        bits = rng.getrandbits(self.m)
        mask = np.array([(bits >> i) & 1 for i in range(self.m)], dtype=bool)
        return np.where(mask, a, b).astype(np.uint8)

    def mutate(self, genome: Genome, rng: random.Random) -> Genome:
        """Flips one facility, sometimes two."""
        child = genome.copy()
        for _ in range(1 + (rng.random() < 0.3)):
            child[rng.randrange(self.m)] ^= 1
        return child

    def evaluate(self, genome: Genome) -> tuple[Genome, float]:
        """The open set actually used and its cost; `assign` of the returned genome reproduces the
        cost (the solution is rebuilt from the genome alone)."""
        opened = self._repair(genome)
        shares = self.assign(opened, self.deadline)
        if shares is None:
            return opened, float("inf")
        used: Genome = np.asarray((shares > 0).any(axis=1), dtype=np.uint8)
        if np.array_equal(used, opened) or not self.problem.single_source:
            return used, self.cost(used, shares)  # optimal assignments: closing idle sites keeps them
        again = self.assign(used, self.deadline)
        if again is not None and self.cost(used, again) <= self.cost(opened, shares):
            return used, self.cost(used, again)
        return opened, self.cost(opened, shares)

    def key(self, genome: Genome) -> bytes:
        return np.packbits(genome).tobytes()

    # -- assignments

    def assign(self, opened: Genome, deadline: float = math.inf) -> NDArray[np.float64] | None:
        """The m x n matrix of shares for this open set, or None when none was found."""
        rows = np.flatnonzero(opened)
        if not len(rows):
            return None
        cheapest = rows[np.argmin(self.costs[rows], axis=0)]
        shares = np.zeros((self.m, self.n))
        shares[cheapest, np.arange(self.n)] = 1.0
        load = shares @ self.demand
        if not self.data.capacitated or (load <= self.capacity + 1e-9).all():
            return shares
        if self.problem.single_source:
            return self._single_source(rows)
        return self._transportation(rows, deadline)

    def cost(self, opened: Genome, shares: NDArray[np.float64]) -> float:
        return self.data.cost(opened.astype(bool), shares)

    def _repair(self, genome: Genome) -> Genome:
        opened = genome.copy()
        if not opened.any():
            opened[self.open_order[0]] = 1
        if self.data.capacitated:
            room = float(self.capacity[opened == 1].sum()) if np.isfinite(self.capacity[opened == 1]).all() else np.inf
            for i in self.open_order:
                if room >= self.total_demand:
                    break
                if not opened[i]:
                    opened[i] = 1
                    room += self.capacity[i]
        return opened

    def _transportation(self, rows: NDArray[np.intp], deadline: float) -> NDArray[np.float64] | None:
        from scipy.optimize import linprog

        k, n = len(rows), self.n
        a_eq = sp.hstack([sp.identity(n, format="csr")] * k, format="csr")
        limited = np.flatnonzero(np.isfinite(self.capacity[rows]))
        a_ub = sp.csr_matrix((np.tile(self.demand, len(limited)),
                              (np.repeat(np.arange(len(limited)), n), (limited[:, None] * n + np.arange(n)).ravel())),
                             shape=(len(limited), k * n))
        seconds = min(deadline - time.monotonic(), LP_TIME_CAP)
        result = linprog(self.costs[rows].ravel(), A_ub=a_ub, b_ub=self.capacity[rows][limited], A_eq=a_eq,
                         b_eq=np.ones(n), bounds=(0.0, 1.0), method="highs", options={"time_limit": max(seconds, 0.01)})
        if result.status != 0:
            return None
        shares = np.zeros((self.m, n))
        shares[rows] = clean_shares(result.x.reshape(k, n))
        return shares

    def _single_source(self, rows: NDArray[np.intp]) -> NDArray[np.float64] | None:
        """Regret greedy, repair, then shift/swap/ejection-chain search (`assign.assign_single`)."""
        where = assign_single(self.costs[rows], self.demand, self.capacity[rows])
        if where is None:
            return None
        shares = np.zeros((self.m, self.n))
        shares[rows[where], np.arange(self.n)] = 1.0
        return shares

    # -- wire formats

    def solution(self, genome: Genome) -> FacilitySolution:
        shares = self.assign(genome)
        assert shares is not None, "the solution of an infeasible genome was asked for"
        facilities, customers = self.problem.facilities, self.problem.customers
        return FacilitySolution(
            open=[facilities[i].id for i in np.flatnonzero(genome)],
            assignments=[Assignment(customer=customers[j].id, facility=facilities[i].id,
                                    fraction=min(1.0, float(shares[i, j])))
                         for j in range(self.n) for i in np.flatnonzero(shares[:, j])],
        )

    def from_solution(self, solution: Solution) -> Genome | None:
        if not isinstance(solution, FacilitySolution):
            return None
        genome = np.zeros(self.m, dtype=np.uint8)
        for fid in solution.open:
            i = self._position.get(str(fid))
            if i is None:
                return None
            genome[i] = 1
        return genome
