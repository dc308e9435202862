"""A backend whose module takes LOAD_SECONDS to import, as a solver library and its compiled kernels
do in a fresh process (tests of requests handed to a process still loading)."""

import time

from models import Status, Termination
from models.problem import Problem
from solvers.contract import RawResult, SolveContext

LOAD_SECONDS = 3.0
time.sleep(LOAD_SECONDS)


def solve(problem: Problem, context: SolveContext) -> RawResult:
    return RawResult(status=Status.error, termination=Termination.error, native_status="loaded")
