"""NSGA-II encoding for facility location: which facilities open, and how customers choose.

Genome: one bit per facility (open or not) followed by `RULE_BITS` bits holding a number
r in 0..2^RULE_BITS - 1 that sets the assignment rule's weight lam = r / (2^RULE_BITS - 1):
a customer prefers the open facility with the smallest lam * cost + (1 - lam) * distance (each
range-normalised over the matrix), so the decoder can reach both the cheap and the close ends
of the front. Without `distances` the rule is cost alone.

Decoding (greedy, documented rather than optimal): customers in decreasing demand, each served
whole by its most preferred open facility with enough capacity left; with split sourcing a
customer that fits nowhere whole is split over its preferred facilities in order; with single
sourcing it makes the genome infeasible (constraint value = unserved demand). Facilities left
without customers are closed. Repair (a pymoo `Repair`) opens at least one facility and, when
the open capacity is short of the total demand, opens closed facilities by increasing fixed
cost per unit of capacity until it suffices.
"""

import numpy as np
from numpy.typing import NDArray
from pymoo.operators.crossover.pntx import TwoPointCrossover
from pymoo.operators.mutation.bitflip import BitflipMutation

from models import Assignment, FacilityLocationProblem, FacilitySolution
from models.problem import Solution
from solvers.backends.nsga2.encodings import SEED_SHARE, Encoding, FloatArray, RepairWith

RULE_BITS = 3
CAPACITY_TOL = 1e-9
CACHE_SIZE = 100_000


class FacilityEncoding(Encoding):
    """See the module docstring."""

    vtype = bool

    def __init__(self, problem: FacilityLocationProblem) -> None:
        super().__init__(problem)
        self.problem = problem
        self.m, self.n = m, n = len(problem.facilities), len(problem.customers)
        self.criteria = problem.criteria()
        self.fixed = np.array([f.fixed_cost for f in problem.facilities], dtype=np.float64)
        self.costs = np.array(problem.costs, dtype=np.float64).reshape(m, n)
        self.distances = (np.array(problem.distances, dtype=np.float64).reshape(m, n)
                          if problem.distances is not None else None)
        self.demand = np.array([c.demand for c in problem.customers], dtype=np.float64)
        self.capacity = np.array([np.inf if f.capacity is None else f.capacity for f in problem.facilities])
        self.rule_bits = RULE_BITS if self.distances is not None else 0
        self.n_var = m + self.rule_bits
        self.lower, self.upper = np.zeros(self.n_var), np.ones(self.n_var)
        self.n_constr = 1
        self.open_order = np.argsort(self.fixed / np.maximum(self.capacity, 1e-12), kind="stable")
        self.customer_order = np.argsort(-self.demand, kind="stable")
        self._cache: dict[bytes, tuple[NDArray[np.float64], float, NDArray[np.float64]]] = {}

    def operators(self) -> dict[str, object]:
        return {"crossover": TwoPointCrossover(), "mutation": BitflipMutation(),
                "repair": RepairWith(self.repair), "eliminate_duplicates": True}

    def repair(self, x: FloatArray) -> FloatArray:
        x = np.asarray(x, dtype=bool).copy()
        need = float(self.demand.sum())
        for row in x:
            opened = row[: self.m]
            if not opened.any():
                opened[self.open_order[0]] = True
            for i in self.open_order:
                if self.capacity[opened].sum() >= need - CAPACITY_TOL:
                    break
                opened[i] = True
        return x

    def rule(self, genome: FloatArray) -> float:
        if not self.rule_bits:
            return 1.0
        bits = np.asarray(genome[self.m:], dtype=np.int64)
        return float(bits @ (1 << np.arange(self.rule_bits)[::-1])) / ((1 << self.rule_bits) - 1)

    def shares(self, genome: FloatArray) -> tuple[NDArray[np.float64], float]:
        """The m x n served shares and the unserved demand (> 0 only when the greedy fails)."""
        key = np.packbits(np.asarray(genome, dtype=bool)).tobytes()
        hit = self._cache.get(key)
        if hit is None:
            if len(self._cache) >= CACHE_SIZE:
                self._cache.clear()
            hit = self._assign(np.asarray(genome[: self.m], dtype=bool), self.rule(genome))
            self._cache[key] = hit
        return hit[0], hit[1]

    def _assign(self, opened: NDArray[np.bool_], lam: float) -> tuple[NDArray[np.float64], float, NDArray[np.float64]]:
        score = lam * self.costs / max(float(np.ptp(self.costs)), 1e-12)
        if self.distances is not None:
            score = score + (1 - lam) * self.distances / max(float(np.ptp(self.distances)), 1e-12)
        left = np.where(opened, self.capacity, 0.0)
        share = np.zeros((self.m, self.n))
        unserved = 0.0
        candidates = np.flatnonzero(opened)
        for j in self.customer_order:
            preferred = candidates[np.argsort(score[candidates, j], kind="stable")]
            d = self.demand[j]
            whole = preferred[left[preferred] >= d - CAPACITY_TOL]
            if len(whole):
                share[whole[0], j] = 1.0
                left[whole[0]] -= d
            elif self.problem.single_source or d <= 0:
                unserved += d
            else:
                unserved += self._split(j, preferred, left, share)
        return share, unserved, left

    def _split(self, j: int, preferred: NDArray[np.int64], left: NDArray[np.float64],
               share: NDArray[np.float64]) -> float:
        rest = self.demand[j]
        for i in preferred:
            take = min(rest, left[i])
            if take > CAPACITY_TOL:
                share[i, j] = take / self.demand[j]
                left[i] -= take
                rest -= take
        return rest if rest > CAPACITY_TOL else 0.0

    def evaluate(self, x: FloatArray) -> tuple[FloatArray, FloatArray]:
        f = np.zeros((len(x), self.n_obj))
        g = np.zeros((len(x), 1))
        for row, genome in enumerate(x):
            share, unserved = self.shares(genome)
            f[row] = self._vector(share)
            g[row, 0] = unserved
        return f, g

    def _vector(self, share: NDArray[np.float64]) -> list[float]:
        used = share.sum(axis=1) > 0
        values = []
        for name in self.criteria:
            if name == "cost":
                values.append(float(self.fixed[used].sum() + (self.costs * share).sum()))
                continue
            assert self.distances is not None
            served = share > 0
            if name == "max_distance":
                values.append(float(self.distances[served].max(initial=0.0)))
            else:
                weight = share * self.demand[None, :]
                total = float(weight.sum())
                values.append(float((self.distances * weight).sum() / total) if total > 0 else 0.0)
        return values

    def decode(self, x: FloatArray) -> FacilitySolution:
        share, _ = self.shares(x)
        facilities, customers = self.problem.facilities, self.problem.customers
        used = np.flatnonzero(share.sum(axis=1) > 0)
        assignments = [Assignment(customer=customers[j].id, facility=facilities[i].id,
                                  fraction=min(1.0, float(share[i, j])))
                       for j in range(self.n) for i in np.flatnonzero(share[:, j] > 0)]
        return FacilitySolution(open=[facilities[i].id for i in used], assignments=assignments)

    def initial(self, count: int, rng: np.random.Generator, warm: Solution | None) -> FloatArray:
        seeds = []
        levels = 1 << self.rule_bits
        for r in range(levels):
            rule = [(r >> b) & 1 == 1 for b in range(self.rule_bits)][::-1]
            seeds.append(np.array([True] * self.m + rule))
            if len(seeds) >= count * SEED_SHARE:
                break
        if isinstance(warm, FacilitySolution):
            opened = {str(i) for i in warm.open}
            seeds.append(np.array([str(f.id) in opened for f in self.problem.facilities] + [True] * self.rule_bits))
        randoms = rng.random((max(0, count - len(seeds)), self.n_var)) < 0.5
        return self.repair(np.vstack([np.array(seeds, dtype=bool), randoms]))
