"""Independent evaluators: feasibility and objective recomputed from the solution alone.

They share no code with the backends' formulations, so a modelling bug in a backend shows up
as a verification failure instead of a silently wrong answer.
"""

from models import (
    FacilityLocationProblem,
    FacilitySolution,
    KnapsackProblem,
    KnapsackSolution,
    ScheduleSolution,
    SchedulingProblem,
    StaffingProblem,
    StaffingSolution,
    TspProblem,
    TspSolution,
)
from models.problem import Problem, Solution
from solvers.evaluators import facility, knapsack, scheduling, staffing, tsp
from solvers.evaluators.base import Evaluation

__all__ = ["Evaluation", "evaluate"]


def evaluate(problem: Problem, solution: Solution) -> Evaluation:
    """Checks `solution` against `problem`; a solution of the wrong family is a violation."""
    if isinstance(problem, KnapsackProblem) and isinstance(solution, KnapsackSolution):
        return knapsack.evaluate(problem, solution)
    if isinstance(problem, TspProblem) and isinstance(solution, TspSolution):
        return tsp.evaluate(problem, solution)
    if isinstance(problem, FacilityLocationProblem) and isinstance(solution, FacilitySolution):
        return facility.evaluate(problem, solution)
    if isinstance(problem, SchedulingProblem) and isinstance(solution, ScheduleSolution):
        return scheduling.evaluate(problem, solution)
    if isinstance(problem, StaffingProblem) and isinstance(solution, StaffingSolution):
        return staffing.evaluate(problem, solution)
    return Evaluation(violations=[f"a {type(solution).__name__} is not a solution of a {problem.kind} problem"])
