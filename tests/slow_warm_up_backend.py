"""A backend whose `warm_up` takes WARM_UP_SECONDS, during which its process does not read its pipe,
as a process started for a request does after answering it (tests of requests sent meanwhile)."""

import time

from models import Status, Termination
from models.problem import Problem
from solvers.contract import RawResult, SolveContext

WARM_UP_SECONDS = 3.0


def warm_up() -> None:
    time.sleep(WARM_UP_SECONDS)


def solve(problem: Problem, context: SolveContext) -> RawResult:
    return RawResult(status=Status.error, termination=Termination.error, native_status="answered")
