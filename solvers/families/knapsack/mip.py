"""0/1 knapsack, single or multi-dimensional: one binary per item, one row per dimension."""

import numpy as np

from models import KnapsackProblem, KnapsackSolution
from models.problem import Solution
from solvers.mip.array_mip import INF, FloatArray, RowCollector, make_mip
from solvers.mip.formulation import Decoded, Formulation


class KnapsackFormulation(Formulation):
    """max v @ x  s.t.  W @ x <= capacity,  x binary."""

    def __init__(self, problem: KnapsackProblem) -> None:
        self.problem = problem
        self.values = np.array(problem.criterion_values("value"), dtype=np.float64)
        self.weights = np.array(problem.weight_rows(), dtype=np.float64)
        self.capacities = np.array(problem.capacities(), dtype=np.float64)
        n, dims = len(self.values), len(self.capacities)
        rows = RowCollector(n)
        grid_rows, grid_cols = np.nonzero(self.weights)
        rows.add_many(grid_rows, grid_cols, self.weights[grid_rows, grid_cols], np.full(dims, -INF), self.capacities)
        fits = (self.weights <= self.capacities[:, None]).all(axis=0)
        self.mip = make_mip(self.values, rows, 0.0, fits.astype(np.float64), True, maximise=True)
        self._position = {str(item.id): k for k, item in enumerate(problem.items)}

    def decode(self, x: FloatArray) -> Decoded:
        chosen = np.flatnonzero(x > 0.5)
        solution = KnapsackSolution(selected=[self.problem.items[k].id for k in chosen])
        return Decoded(solution, float(self.values[chosen].sum()))

    def encode(self, solution: Solution) -> FloatArray | None:
        if not isinstance(solution, KnapsackSolution):
            return None
        x = np.zeros(len(self.values))
        for item_id in solution.selected:
            k = self._position.get(str(item_id))
            if k is None:
                return None
            x[k] = 1.0
        return x if self.mip.violation(x) <= 1e-9 else None

    def heuristic(self) -> Decoded:
        """Greedy by value per unit of (capacity-normalised) weight."""
        scale = np.where(self.capacities > 0, self.capacities, 1.0)
        load = (self.weights / scale[:, None]).sum(axis=0)
        order = np.argsort(-self.values / np.maximum(load, 1e-12), kind="stable")
        x = np.zeros(len(self.values))
        used = np.zeros(len(self.capacities))
        for k in order:
            if self.mip.col_upper[k] > 0 and (used + self.weights[:, k] <= self.capacities).all():
                x[k] = 1.0
                used += self.weights[:, k]
        return self.decode(x)
