"""A backend that ignores its time limit, as native solvers do: reports one incumbent, then blocks.

Used by tests to prove that the service's own deadline and cancellation hold even when the
solver never returns control.
"""

import time

from models import KnapsackProblem, KnapsackSolution, Status, Termination
from models.problem import Problem
from solvers.contract import Incumbent, RawResult, SolveContext


def solve(problem: Problem, context: SolveContext) -> RawResult:
    assert isinstance(problem, KnapsackProblem)
    first = problem.items[0]
    feasible = [first.id] if isinstance(first.weight, float | int) and first.weight <= problem.capacities()[0] else []
    value = first.value if feasible else 0.0
    context.progress(Incumbent(objective=value, solution=KnapsackSolution(selected=feasible)))
    time.sleep(3600)  # a native call that does not look at the clock
    return RawResult(status=Status.error, termination=Termination.error)
