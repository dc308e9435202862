"""A backend that never answers and never reports (a solver stuck before its first solution)."""

import time

from models import Status, Termination
from models.problem import Problem
from solvers.contract import RawResult, SolveContext


def solve(problem: Problem, context: SolveContext) -> RawResult:
    time.sleep(3600)
    return RawResult(status=Status.error, termination=Termination.error)
