"""A backend that finds a small knapsack's optimum by enumeration, reports it with a bound equal to
it (which closes any race), and answers CLOSE_DELAY later (tests of a portfolio that must let the
member that closed it answer instead of killing it)."""

import itertools
import time

from models import KnapsackProblem, KnapsackSolution, Status, Termination
from models.problem import Problem
from solvers.contract import Incumbent, RawResult, SolveContext

CLOSE_DELAY = 0.1


def _weight(weight: float | list[float]) -> float:
    return float(weight[0] if isinstance(weight, list) else weight)


def solve(problem: Problem, context: SolveContext) -> RawResult:
    assert isinstance(problem, KnapsackProblem)
    capacity = problem.capacities()[0]
    subsets = (chosen for size in range(len(problem.items) + 1)
               for chosen in itertools.combinations(problem.items, size))
    best = max((c for c in subsets if sum(_weight(i.weight) for i in c) <= capacity),
               key=lambda c: sum(i.value or 0.0 for i in c))
    value = float(sum(i.value or 0.0 for i in best))
    solution = KnapsackSolution(selected=[i.id for i in best])
    context.progress(Incumbent(objective=value, bound=value, solution=solution, bound_source="enumeration"))
    time.sleep(CLOSE_DELAY)
    return RawResult(status=Status.optimal, termination=Termination.completed, objective=value, bound=value,
                     solution=solution)
