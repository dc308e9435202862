"""A backend that finds its first solution only after its time limit, then blocks (a model build
that outlasts the limit, then a first incumbent): the service must wait for it up to the grace."""

import time

from models import KnapsackProblem, KnapsackSolution, Status, Termination
from models.problem import Problem
from solvers.contract import Incumbent, RawResult, SolveContext

LATE_BY = 0.5
"""Seconds past the time limit at which the incumbent is reported."""


def solve(problem: Problem, context: SolveContext) -> RawResult:
    assert isinstance(problem, KnapsackProblem)
    time.sleep(context.remaining() + LATE_BY)
    context.progress(Incumbent(objective=0.0, solution=KnapsackSolution(selected=[])))
    time.sleep(3600)
    return RawResult(status=Status.error, termination=Termination.error)
