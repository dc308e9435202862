"""Knapsack encoding: a bit per item, kept feasible by greedy repair (Chu and Beasley's GA).

Every genome is repaired before it is scored, so the population holds only feasible, maximal
selections: first the selected items with the worst value/weight ratio are dropped until every
capacity holds, then unselected items are added by decreasing ratio while they fit. With several
capacities the ratio divides by a surrogate weight: the LP relaxation's capacity prices when the
bound computation produced them (as Chu and Beasley do), else the capacity-normalised sum.
Operators: uniform crossover, mutation flipping two random bits.
"""

import random

import numpy as np
from numba import njit
from numpy.typing import NDArray

from models import KnapsackProblem, KnapsackSolution
from models.problem import Solution
from solvers.families.jit import CACHE
from solvers.families.knapsack.bound import efficiency_order

MUTATED_BITS = 2

Genome = NDArray[np.uint8]


@njit(cache=CACHE)
def repair(x, weights, capacity, order, usable):  # type: ignore[no-untyped-def]
    """Drops worst-ratio items until feasible, then adds best-ratio items that fit (in place)."""
    dims, n = weights.shape
    load = np.zeros(dims)
    for k in range(n):
        if x[k] and not usable[k]:
            x[k] = 0
        if x[k]:
            for d in range(dims):
                load[d] += weights[d, k]
    for t in range(len(order) - 1, -1, -1):
        over = False
        for d in range(dims):
            if load[d] > capacity[d]:
                over = True
        if not over:
            break
        k = order[t]
        if x[k]:
            x[k] = 0
            for d in range(dims):
                load[d] -= weights[d, k]
    for t in range(len(order)):
        k = order[t]
        if x[k]:
            continue
        fits = True
        for d in range(dims):
            if load[d] + weights[d, k] > capacity[d]:
                fits = False
                break
        if fits:
            x[k] = 1
            for d in range(dims):
                load[d] += weights[d, k]
    return x


class KnapsackEncoding:
    """See the module docstring; `prices` are capacity multipliers (LP duals) or None."""

    maximise = True

    def __init__(self, problem: KnapsackProblem, prices: NDArray[np.float64] | None = None) -> None:
        self.problem = problem
        self.values = np.array([item.value for item in problem.items], dtype=np.float64)
        self.weights: NDArray[np.float64] = np.ascontiguousarray(problem.weight_rows(), dtype=np.float64)
        self.capacity = np.array(problem.capacities(), dtype=np.float64)
        self.n = len(self.values)
        self.usable: Genome = np.asarray((self.weights <= self.capacity[:, None]).all(axis=0), dtype=np.uint8)
        order = efficiency_order(self.values, self._surrogate(prices))
        self.order = np.ascontiguousarray(order[self.usable[order] == 1], dtype=np.int64)
        self._position = {str(item.id): k for k, item in enumerate(problem.items)}

    def _surrogate(self, prices: NDArray[np.float64] | None) -> NDArray[np.float64]:
        """The weight the ratio divides by: the only one, priced by the LP, or capacity-normalised."""
        surrogate: NDArray[np.float64]
        if len(self.capacity) == 1:
            surrogate = self.weights[0]
        elif prices is not None and prices.shape == self.capacity.shape and (prices > 0).any():
            surrogate = np.asarray(prices @ self.weights, dtype=np.float64)
        else:
            scale = np.where(self.capacity > 0, self.capacity, 1.0)
            surrogate = np.asarray((self.weights / scale[:, None]).sum(axis=0), dtype=np.float64)
        return surrogate

    # -- the encoding protocol

    def initial(self, rng: random.Random, count: int) -> list[Genome]:
        """The greedy selection, then random selections about as heavy as the capacity."""
        genomes = [np.zeros(self.n, dtype=np.uint8)]
        totals = self.weights.sum(axis=1)
        density = float(np.min(np.where(totals > 0, self.capacity / np.maximum(totals, 1e-300), 1.0)))
        threshold = int(min(1.0, density) * 2**16)
        for _ in range(count - 1):
            draws = np.frombuffer(rng.getrandbits(16 * self.n).to_bytes(2 * self.n, "little"), dtype=np.uint16)
            genomes.append((draws < threshold).astype(np.uint8))
        return genomes[:max(count, 1)]

    def crossover(self, a: Genome, b: Genome, rng: random.Random) -> Genome:
        """Uniform crossover: each bit from either parent with probability 1/2."""
        mask = self._bits(rng)
        return np.where(mask, a, b).astype(np.uint8)

    def mutate(self, genome: Genome, rng: random.Random) -> Genome:
        child = genome.copy()
        for _ in range(MUTATED_BITS):
            k = rng.randrange(self.n)
            child[k] ^= 1
        return child

    def evaluate(self, genome: Genome) -> tuple[Genome, float]:
        repaired = repair(genome.copy(), self.weights, self.capacity, self.order, self.usable)
        return repaired, float(self.values @ repaired)

    def key(self, genome: Genome) -> bytes:
        return np.packbits(genome).tobytes()

    # -- wire formats

    def solution(self, genome: Genome) -> KnapsackSolution:
        return KnapsackSolution(selected=[self.problem.items[k].id for k in np.flatnonzero(genome)])

    def from_solution(self, solution: Solution) -> Genome | None:
        if not isinstance(solution, KnapsackSolution):
            return None
        genome = np.zeros(self.n, dtype=np.uint8)
        for item_id in solution.selected:
            k = self._position.get(str(item_id))
            if k is None:
                return None
            genome[k] = 1
        return genome

    def _bits(self, rng: random.Random) -> NDArray[np.bool_]:
        raw = rng.getrandbits(8 * ((self.n + 7) // 8)).to_bytes((self.n + 7) // 8, "little")
        return np.unpackbits(np.frombuffer(raw, dtype=np.uint8))[: self.n].astype(bool)


def warm_up() -> None:
    """Compiles (or loads from numba's cache) the repair kernel."""
    problem = KnapsackProblem.model_validate({"kind": "knapsack", "capacity": [5, 5], "items": [
        {"id": k, "weight": [k + 1, 3], "value": k} for k in range(4)]})
    KnapsackEncoding(problem).evaluate(np.ones(4, dtype=np.uint8))
