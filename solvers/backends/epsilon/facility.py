"""Facility location, `cost` against `max_distance`: an exact sweep over distance thresholds.

The largest served distance takes one of finitely many values (the entries of `distances`), so
the front is found exactly through thresholds: P(t) = minimum cost with every facility-customer
pair farther than t forbidden (its share's upper bound set to 0), on the family's strong MIP
formulation. Start without a threshold; after each optimal P(t), whose solution serves nobody
farther than some D <= t, continue with t = the largest distance below D. P(t) is infeasible
exactly when no solution is that close, and then the sweep is complete. No non-dominated pair is
skipped: the thresholds only ever jump to just below a solution's own largest distance, and a
solution that cheap and that close would dominate the skipped pair. Equal costs at two
thresholds leave a weakly dominated point, which the service removes.
"""

import numpy as np

from models import FacilityLocationProblem
from solvers.backends.epsilon.highs import ExactMip, Sweep
from solvers.contract import FrontPoint, SolveContext
from solvers.evaluators.vector import objective_vector
from solvers.families.facility.mip import FacilityFormulation
from solvers.mip.array_mip import ArrayMip, FloatArray


class FacilityPlan:
    """The formulation, the distance levels, and the column bounds for a threshold."""

    def __init__(self, problem: FacilityLocationProblem) -> None:
        self.problem = problem
        self.formulation = FacilityFormulation(problem)
        self.mip: ArrayMip = self.formulation.mip
        m, n = self.formulation.m, self.formulation.n
        self.distances = np.array(problem.distances, dtype=np.float64).reshape(m, n)
        self.levels = np.unique(self.distances)
        self.position = problem.criteria().index("max_distance")

    def upper_for(self, threshold: float) -> FloatArray:
        upper = self.mip.col_upper.copy()
        upper[self.formulation.m:][self.distances.ravel() > threshold] = 0.0
        return upper

    def point(self, x: FloatArray) -> FrontPoint:
        solution = self.formulation.decode(x).solution
        return FrontPoint(objectives=objective_vector(self.problem, solution), solution=solution)

    def below(self, point: FrontPoint) -> float | None:
        """The next threshold: the largest distance level under the point's largest served distance."""
        reached = point.objectives[self.position]
        lower = self.levels[self.levels < reached - 1e-12 * max(1.0, abs(reached))]
        return float(lower[-1]) if lower.size else None


def sweep_facility(plan: FacilityPlan, model: ExactMip, context: SolveContext, sweep: Sweep) -> None:
    threshold: float | None = float("inf")
    while threshold is not None:
        if sweep.out_of_time(context):
            return
        model.set_column_upper(plan.upper_for(threshold))
        answer = model.solve(context.remaining(), integral=False)
        sweep.solves += 1
        if answer.state == "infeasible":
            break
        if answer.state != "optimal" or answer.x is None:
            if answer.x is not None:
                sweep.add(plan.point(answer.x), context)
            sweep.stopped(answer)
            return
        point = plan.point(answer.x)
        sweep.add(point, context)
        threshold = plan.below(point)
    sweep.complete, sweep.native = True, "front complete"
