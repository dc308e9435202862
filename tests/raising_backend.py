"""A backend that reports two incumbents in a row (the second held back by the throttle) and then
raises (`options.seed` 0), or reports nothing and answers after 0.3 s (seed 1): a reused process must
not carry the first solve's held-back incumbent into the second."""

import time

from models import KnapsackProblem, KnapsackSolution, Status, Termination
from models.problem import Problem
from solvers.contract import Incumbent, RawResult, SolveContext


def solve(problem: Problem, context: SolveContext) -> RawResult:
    assert isinstance(problem, KnapsackProblem)
    empty = KnapsackSolution(selected=[])
    if context.options.seed == 0:
        context.progress(Incumbent(objective=0.0, solution=empty))
        context.progress(Incumbent(objective=1.0, solution=empty))
        raise RuntimeError("the model could not be built")
    time.sleep(0.3)
    return RawResult(status=Status.feasible, termination=Termination.completed, solution=empty, objective=0.0)
