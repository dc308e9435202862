"""Objective vectors for multi-objective answers, recomputed from the solution alone.

Feasibility is checked by the family evaluators; this module only measures each criterion the
request named, in the order it named them.
"""

import numpy as np

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
from solvers.families.tsp.distance import problem_tour_length, tour_length

MAXIMISED_CRITERIA_PREFIX = "value"
"""Knapsack criteria (`value`, `value_<k>`) are maximised; every other criterion is minimised."""


def senses(problem: Problem) -> list[str]:
    """`max` or `min` for each criterion of the problem."""
    return ["max" if name.startswith(MAXIMISED_CRITERIA_PREFIX) else "min" for name in problem.criteria()]


def remeasured_vector(problem: Problem, solution: Solution, claimed: list[float]) -> list[float] | None:
    """The criteria recomputed from the solution; a simulated criterion (a staffing wait) cannot be,
    so its claimed value (a re-simulated mean) is kept. None when such a value is missing."""
    if isinstance(problem, StaffingProblem) and isinstance(solution, StaffingSolution):
        if len(claimed) != len(problem.criteria()):
            return None
        cost = _staffing_cost(problem, solution)
        return [cost if name == "cost" else value for name, value in zip(problem.criteria(), claimed, strict=True)]
    return objective_vector(problem, solution)


def _staffing_cost(problem: StaffingProblem, solution: StaffingSolution) -> float:
    return float(sum(solution.servers[str(s.id)] * s.cost_per_server for s in problem.stations))


def objective_vector(problem: Problem, solution: Solution) -> list[float]:
    """The value of each criterion in `problem.criteria()` for a feasible solution."""
    if isinstance(problem, KnapsackProblem) and isinstance(solution, KnapsackSolution):
        chosen = {item_id for item_id in solution.selected}
        mask = [item.id in chosen for item in problem.items]
        return [float(sum(v for v, m in zip(problem.criterion_values(name), mask, strict=True) if m))
                for name in problem.criteria()]
    if isinstance(problem, TspProblem) and isinstance(solution, TspSolution):
        return [_tour_cost(problem, name, solution.tour) for name in problem.criteria()]
    if isinstance(problem, FacilityLocationProblem) and isinstance(solution, FacilitySolution):
        return [_facility_criterion(problem, name, solution) for name in problem.criteria()]
    if isinstance(problem, SchedulingProblem) and isinstance(solution, ScheduleSolution):
        return [_schedule_criterion(problem, name, solution) for name in problem.criteria()]
    raise TypeError(f"a {type(solution).__name__} is not a solution of a {problem.kind} problem")


def _tour_cost(problem: TspProblem, name: str, tour: list[int]) -> float:
    if name == "length":
        return problem_tour_length(problem, tour)
    k = int(name.removeprefix("extra_cost_"))
    return tour_length(np.array((problem.extra_costs or [])[k], dtype=np.float64), tour)


def _facility_criterion(problem: FacilityLocationProblem, name: str, solution: FacilitySolution) -> float:
    fac = {f.id: i for i, f in enumerate(problem.facilities)}
    cust = {c.id: j for j, c in enumerate(problem.customers)}
    if name == "cost":
        fixed = sum(problem.facilities[fac[f]].fixed_cost for f in set(solution.open))
        return float(fixed + sum(a.fraction * problem.costs[fac[a.facility]][cust[a.customer]]
                                 for a in solution.assignments))
    distances = problem.distances or []
    served = [(distances[fac[a.facility]][cust[a.customer]], a.fraction * problem.customers[cust[a.customer]].demand)
              for a in solution.assignments]
    if name == "max_distance":
        return float(max((d for d, _ in served), default=0.0))
    total = sum(w for _, w in served)
    return float(sum(d * w for d, w in served) / total) if total > 0 else 0.0


def _schedule_criterion(problem: SchedulingProblem, name: str, solution: ScheduleSolution) -> float:
    completion: dict[str, int] = {}
    for op in solution.operations:
        key = str(op.job)
        completion[key] = max(completion.get(key, 0), op.end)
    if name == "makespan":
        return float(max(completion.values(), default=0))
    if name == "total_completion_time":
        return float(sum(completion.values()))
    return float(sum(job.weight * max(0, completion.get(str(job.id), 0) - job.due)
                     for job in problem.jobs if job.due is not None))
