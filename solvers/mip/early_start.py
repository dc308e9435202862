"""A family's quick solution, reported by a MIP backend before it builds its model.

Why: `Formulation.quick_start` is reported first by the cut loop, but only once the model exists;
on large instances building outlasts short limits (a 300 x 20 job shop at 5 s, 2,000 cities at 2 s,
Pyomo's 100 x 1,000 facility model at 2 s), and a run cut short while building answered
`no_solution`. Each family decides from what size its quick solution is worth computing ahead
(`EARLY_FROM` in its `early_start` module); the runner answers a run still building at the limit
with the last incumbent reported (`solvers.runtime.runner.RunLimits.answer_margin`).
"""

from models import FacilityLocationProblem, SchedulingProblem, TspProblem
from models.problem import Problem
from solvers.contract import SolveContext
from solvers.families.facility.early_start import greedy_incumbent
from solvers.families.scheduling.early_start import constructive_incumbent
from solvers.families.tsp.early_start import nearest_neighbour_incumbent


def report_quick_solution(problem: Problem, context: SolveContext) -> None:
    """Reports the family's quick solution of a large instance as the first incumbent."""
    found = None
    if isinstance(problem, SchedulingProblem):
        found = constructive_incumbent(problem)
    elif isinstance(problem, TspProblem):
        found = nearest_neighbour_incumbent(problem)
    elif isinstance(problem, FacilityLocationProblem):
        found = greedy_incumbent(problem)
    if found is not None:
        context.progress(found)
