"""NSGA-II encodings: the contract every family meets, and the knapsack and TSP encodings.

An encoding turns genomes into feasible solutions and objective vectors in minimisation form
(maximised criteria negated), supplies pymoo operators that keep its representation valid, and
builds a starting population (constructive seeds for spread-out weights of the criteria, the
caller's warm start, then random genomes) from the generator it is handed, so runs are
reproducible under a seed.

- knapsack: one bit per item, repaired greedily (pymoo `Repair`): selected items are dropped by
  increasing efficiency until every capacity holds, then unselected items are added by
  decreasing efficiency while they fit, so every genome is a maximal feasible selection.
  Efficiency = best value share over the criteria divided by the capacity-normalised weight.
  Two-point crossover, bit-flip mutation. Seeds: greedy fills for weighted sums of the criteria.
- tsp: node 0 fixed first, the genome a permutation of the other nodes; order crossover and
  inversion mutation. Seeds: nearest-neighbour tours on weighted sums of the (range-normalised)
  criteria matrices, improved by 2-opt when that matrix is symmetric.
"""

import time
from abc import ABC, abstractmethod
from typing import Any

import numpy as np
from numpy.typing import NDArray
from pymoo.core.repair import Repair
from pymoo.operators.crossover.ox import OrderCrossover
from pymoo.operators.crossover.pntx import TwoPointCrossover
from pymoo.operators.mutation.bitflip import BitflipMutation
from pymoo.operators.mutation.inversion import InversionMutation

from models import KnapsackProblem, KnapsackSolution, TspProblem, TspSolution
from models.problem import Problem, Solution
from solvers.evaluators.vector import senses
from solvers.families.tsp.distance import distance_matrix
from solvers.families.tsp.tools import tour_from_warm_start

FloatArray = NDArray[Any]
SEED_SHARE = 0.3
"""Share of the starting population built by constructive heuristics."""
TWO_OPT_SECONDS = 2.0
"""Time budget for improving TSP seeds with 2-opt."""


class Encoding(ABC):
    """What the NSGA-II driver needs from a family (see the module docstring)."""

    n_var: int
    n_obj: int
    n_constr: int = 0
    lower: FloatArray | float
    upper: FloatArray | float
    vtype: type = float
    warnings: tuple[str, ...] = ()

    def __init__(self, problem: Problem) -> None:
        self.signs = np.array([-1.0 if s == "max" else 1.0 for s in senses(problem)])
        self.n_obj = len(self.signs)

    @abstractmethod
    def operators(self) -> dict[str, object]:
        """Keyword arguments for pymoo's NSGA2: crossover, mutation, repair, duplicate elimination."""

    @abstractmethod
    def initial(self, count: int, rng: np.random.Generator, warm: Solution | None) -> FloatArray:
        """`count` starting genomes (the driver's pymoo repair, if any, runs on them)."""

    @abstractmethod
    def evaluate(self, x: FloatArray) -> tuple[FloatArray, FloatArray | None]:
        """Objective vectors in minimisation form, one row per genome, and constraint values (<= 0)."""

    @abstractmethod
    def decode(self, x: FloatArray) -> Solution:
        """The wire solution a genome stands for."""

    def repair(self, x: FloatArray) -> FloatArray:
        """The genomes (rows) made valid; pymoo calls it on every new genome when `operators` lists it."""
        return x

    def report_vector(self, f: FloatArray) -> list[float]:
        """A minimisation-form vector back in the criteria's own senses."""
        return [float(v) for v in f * self.signs]

    def neighbours(self, x: FloatArray) -> FloatArray | None:
        """Valid genomes one move away from `x`, for the Pareto local search after NSGA-II; None
        when the family has no such neighbourhood."""
        return None


def weight_vectors(n_obj: int, count: int, rng: np.random.Generator) -> FloatArray:
    """Spread-out convex weights: a grid for two criteria, unit vectors plus Dirichlet draws beyond."""
    if n_obj == 2:
        share = np.linspace(0.0, 1.0, max(count, 2))
        return np.column_stack([share, 1.0 - share])
    extra = rng.dirichlet(np.ones(n_obj), size=max(0, count - n_obj))
    return np.vstack([np.eye(n_obj), extra])


class KnapsackEncoding(Encoding):
    """See the module docstring."""

    vtype = bool

    def __init__(self, problem: KnapsackProblem) -> None:
        super().__init__(problem)
        self.problem = problem
        self.values = np.array([problem.criterion_values(name) for name in problem.criteria()], dtype=np.float64)
        self.weights = np.array(problem.weight_rows(), dtype=np.float64)
        self.capacities = np.array(problem.capacities(), dtype=np.float64)
        self.n_var = n = self.values.shape[1]
        self.lower, self.upper = np.zeros(n), np.ones(n)
        self.usable: NDArray[np.bool_] = np.asarray((self.weights <= self.capacities[:, None] + 1e-12).all(axis=0))
        self.load = (self.weights / np.where(self.capacities > 0, self.capacities, 1.0)[:, None]).sum(axis=0)
        share = self.values / np.maximum(self.values.sum(axis=1, keepdims=True), 1e-12)
        self.order = self._order(share.max(axis=0))

    def _order(self, merit: FloatArray) -> NDArray[np.int64]:
        """Items by decreasing efficiency (zero-weight items first), ties by position."""
        efficiency = np.where(self.load > 0, merit / np.maximum(self.load, 1e-300), np.inf)
        return np.lexsort((np.arange(self.n_var), -efficiency)).astype(np.int64)

    def repair(self, x: FloatArray) -> FloatArray:
        return self.fill(x, self.order)

    def fill(self, x: FloatArray, order: NDArray[np.int64]) -> FloatArray:
        """Drops least efficient items until feasible, then adds the most efficient that fit (all rows)."""
        x = np.asarray(x, dtype=bool) & self.usable
        w = self.weights[:, order]
        selected = x[:, order]
        load = selected.astype(np.float64) @ w.T
        drop_from_end = (selected[:, ::-1, None] * w.T[None, ::-1, :]).cumsum(axis=1)
        over = (load[:, None, :] - drop_from_end > self.capacities + 1e-9).any(axis=2)
        feasible_now = ~(load > self.capacities + 1e-9).any(axis=1)
        cut = np.where(feasible_now, 0, over.argmin(axis=1) + 1)  # items dropped, counted from the end
        selected = selected & (np.arange(self.n_var)[None, :] < (self.n_var - cut)[:, None])
        load = selected.astype(np.float64) @ w.T
        for t in range(self.n_var):
            fits = ~selected[:, t] & (load + w[:, t] <= self.capacities + 1e-9).all(axis=1) & self.usable[order[t]]
            selected[fits, t] = True
            load[fits] += w[:, t]
        repaired = np.zeros_like(x)
        repaired[:, order] = selected
        return repaired

    def operators(self) -> dict[str, object]:
        return {"crossover": TwoPointCrossover(), "mutation": BitflipMutation(),
                "repair": RepairWith(self.repair), "eliminate_duplicates": True}

    def initial(self, count: int, rng: np.random.Generator, warm: Solution | None) -> FloatArray:
        share = self.values / np.maximum(self.values.sum(axis=1, keepdims=True), 1e-12)
        seeds = [self.fill(np.zeros((1, self.n_var), dtype=bool), self._order(weights @ share))[0]
                 for weights in weight_vectors(self.n_obj, int(count * SEED_SHARE), rng)]
        if isinstance(warm, KnapsackSolution):
            chosen = {str(i) for i in warm.selected}
            seeds.append(np.array([str(item.id) in chosen for item in self.problem.items]))
        fill = min(1.0, float(self.capacities.min() / max(self.weights.sum(axis=1).max(), 1e-12)))
        randoms = rng.random((max(0, count - len(seeds)), self.n_var)) < fill
        return self.repair(np.vstack([np.array(seeds, dtype=bool).reshape(-1, self.n_var), randoms]))

    def evaluate(self, x: FloatArray) -> tuple[FloatArray, None]:
        return -(np.asarray(x, dtype=np.float64) @ self.values.T), None

    def neighbours(self, x: FloatArray) -> FloatArray:
        """Every feasible selection one flip (an item in or out) or one swap (one item out, another
        in) away from `x`, and each of them filled up greedily (the repair): a swap that frees
        room for a third item is often dominated until that item is in."""
        x = np.asarray(x, dtype=bool)
        inside, outside = np.flatnonzero(x), np.flatnonzero(~x & self.usable)
        outs = np.concatenate([inside, np.full(len(outside), -1), np.repeat(inside, len(outside))])
        ins = np.concatenate([np.full(len(inside), -1), outside, np.tile(outside, len(inside))])
        load = self.weights @ x
        change = np.where(ins >= 0, self.weights[:, ins], 0.0) - np.where(outs >= 0, self.weights[:, outs], 0.0)
        fits = (load[:, None] + change <= self.capacities[:, None] + 1e-9).all(axis=0)
        outs, ins = outs[fits], ins[fits]
        genomes = np.tile(x, (len(outs), 1))
        rows = np.arange(len(outs))
        genomes[rows[outs >= 0], outs[outs >= 0]] = False
        genomes[rows[ins >= 0], ins[ins >= 0]] = True
        return np.unique(np.vstack([genomes, self.repair(genomes)]), axis=0)

    def decode(self, x: FloatArray) -> KnapsackSolution:
        return KnapsackSolution(selected=[self.problem.items[k].id for k in np.flatnonzero(x)])


class RepairWith(Repair):  # type: ignore[misc]
    """A pymoo repair calling a function on the whole (n, n_var) genome matrix."""

    def __init__(self, function: Any) -> None:
        super().__init__()
        self.function = function

    def _do(self, problem: object, x: FloatArray, **kwargs: object) -> FloatArray:
        return np.asarray(self.function(x))


class TspEncoding(Encoding):
    """See the module docstring."""

    vtype = int

    def __init__(self, problem: TspProblem) -> None:
        super().__init__(problem)
        self.size = n = problem.size
        self.matrices = np.array([_criterion_matrix(problem, name) for name in problem.criteria()])
        self.n_var = n - 1
        self.lower, self.upper = 0, n - 2

    def tours(self, x: FloatArray) -> NDArray[np.int64]:
        genomes = np.asarray(x, dtype=np.int64).reshape(-1, self.n_var)
        return np.hstack([np.zeros((len(genomes), 1), dtype=np.int64), genomes + 1])

    def evaluate(self, x: FloatArray) -> tuple[FloatArray, None]:
        tours = self.tours(x)
        following = np.roll(tours, -1, axis=1)
        return np.stack([m[tours, following].sum(axis=1) for m in self.matrices], axis=1), None

    def decode(self, x: FloatArray) -> TspSolution:
        return TspSolution(tour=[int(v) for v in self.tours(x)[0]])

    def operators(self) -> dict[str, object]:
        return {"crossover": OrderCrossover(), "mutation": InversionMutation(), "eliminate_duplicates": True}

    def initial(self, count: int, rng: np.random.Generator, warm: Solution | None) -> FloatArray:
        spans = np.array([max(float(np.ptp(m)), 1e-12) for m in self.matrices])
        seeds: list[NDArray[np.int64]] = []
        deadline = time.monotonic() + TWO_OPT_SECONDS
        for weights in weight_vectors(self.n_obj, int(count * SEED_SHARE), rng):
            combined = np.tensordot(weights / spans, self.matrices, axes=1)
            tour = _nearest_neighbour(combined)
            if np.allclose(combined, combined.T) and time.monotonic() < deadline:
                tour = _two_opt(combined, tour, deadline)
            seeds.append(np.array(tour[1:]) - 1)
        warm_tour = tour_from_warm_start(warm, self.size)
        if warm_tour is not None:
            seeds.append(np.array(warm_tour[1:]) - 1)
        randoms = [rng.permutation(self.n_var) for _ in range(max(0, count - len(seeds)))]
        return np.array(seeds + randoms, dtype=np.int64)


def _criterion_matrix(problem: TspProblem, name: str) -> FloatArray:
    if name == "length":
        return distance_matrix(problem)
    return np.array((problem.extra_costs or [])[int(name.removeprefix("extra_cost_"))], dtype=np.float64)


def _nearest_neighbour(matrix: FloatArray) -> list[int]:
    n = len(matrix)
    visited = np.zeros(n, dtype=bool)
    tour = [0]
    visited[0] = True
    for _ in range(n - 1):
        nxt = int(np.argmin(np.where(visited, np.inf, matrix[tour[-1]])))
        tour.append(nxt)
        visited[nxt] = True
    return tour


def _two_opt(matrix: FloatArray, tour: list[int], deadline: float) -> list[int]:
    """First-improvement 2-opt on a symmetric matrix (node 0 stays first), until none or the deadline."""
    order = np.array(tour)
    n = len(order)
    improved = True
    while improved and time.monotonic() < deadline:
        improved = False
        for i in range(n - 2):
            a, b = order[i], order[i + 1]
            c, d = order[i + 2:], np.roll(order, -1)[i + 2:]
            delta = matrix[a, c] + matrix[b, d] - matrix[a, b] - matrix[c, d]
            j = int(np.argmin(delta))
            if delta[j] < -1e-9:
                k = i + 2 + j
                order[i + 1:k + 1] = order[i + 1:k + 1][::-1]
                improved = True
    return [int(v) for v in order]
