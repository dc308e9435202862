"""A backend that overruns its time limit a little: reports an incumbent at once, then answers
OVERRUN seconds past the limit (a solver finishing its last step): answered for at the margin, its
process should still be reused once it has answered."""

import time

from models import KnapsackProblem, KnapsackSolution, Status, Termination
from models.problem import Problem
from solvers.contract import Incumbent, RawResult, SolveContext

OVERRUN = 0.4


def solve(problem: Problem, context: SolveContext) -> RawResult:
    assert isinstance(problem, KnapsackProblem)
    empty = KnapsackSolution(selected=[])
    context.progress(Incumbent(objective=0.0, solution=empty))
    time.sleep(context.remaining() + OVERRUN)
    return RawResult(status=Status.feasible, termination=Termination.time_limit, solution=empty, objective=0.0)
