"""The bi-objective models the epsilon-constraint sweeps work on: constraints, two criteria, a decoder.

The constraints come from the family's array formulation (`solvers.mip.formulations`); only the
objective changes between solves. Both criteria are stated in maximisation form (a minimised
criterion would be negated); the constrained one must be integral, so stepping it by one
skips no non-dominated vector.
"""

from dataclasses import dataclass

import numpy as np

from models import FacilityLocationProblem, KnapsackProblem
from models.problem import Problem, Solution
from solvers.backends.epsilon.facility import FacilityPlan
from solvers.backends.epsilon.scope import integral, why_not
from solvers.contract import FrontPoint
from solvers.families.knapsack.mip import KnapsackFormulation
from solvers.mip.array_mip import ArrayMip, FloatArray

OPTIMUM_SLACK = 1e-7
"""Relative slack when a non-integral criterion is held at its optimum (HiGHS's row tolerance)."""


@dataclass(frozen=True)
class BiObjective:
    """See the module docstring; `signs[k]` turns maximisation form back into the criterion's sense."""

    mip: ArrayMip
    coefficients: tuple[FloatArray, FloatArray]
    integral: tuple[bool, bool]
    signs: tuple[float, float]
    formulation: KnapsackFormulation

    @property
    def constrained(self) -> int:
        return 1 if self.integral[1] else 0

    @property
    def optimised(self) -> int:
        return 1 - self.constrained

    def value(self, k: int, x: FloatArray) -> float:
        return float(self.coefficients[k] @ x)

    def slack(self, k: int) -> float:
        """How far below its optimum criterion k may be held (an integral one: half a unit)."""
        return 0.5 if self.integral[k] else OPTIMUM_SLACK * max(1.0, float(np.abs(self.coefficients[k]).sum()))

    def step(self, k: int) -> float:
        """How much better the next point must be in the constrained criterion (half a unit: integral)."""
        return 0.5

    def decode(self, x: FloatArray) -> Solution:
        return self.formulation.decode(x).solution

    def point(self, x: FloatArray) -> FrontPoint:
        return FrontPoint(objectives=[self.signs[k] * self.value(k, x) for k in (0, 1)], solution=self.decode(x))


def plan(problem: Problem) -> BiObjective | FacilityPlan | str:
    """The model for `problem`, or the reason the method does not apply."""
    reason = why_not(problem)
    if reason is not None:
        return reason
    if isinstance(problem, FacilityLocationProblem):
        return FacilityPlan(problem)
    assert isinstance(problem, KnapsackProblem)
    first, second = problem.criteria()
    values = [np.array(problem.criterion_values(name), dtype=np.float64) for name in (first, second)]
    items = [item.model_copy(update={"value": float(v)}) for item, v in zip(problem.items, values[0], strict=True)]
    formulation = KnapsackFormulation(problem.model_copy(update={"items": items, "objectives": None}))
    return BiObjective(formulation.mip, (values[0], values[1]),
                       (integral(problem, first), integral(problem, second)), (1.0, 1.0), formulation)
