"""A backend that tells whether its `warm_up` ran in its process (tests of warm solve processes)."""

from models import Status, Termination
from models.problem import Problem
from solvers.contract import RawResult, SolveContext

warmed = False


def warm_up() -> None:
    global warmed
    warmed = True


def solve(problem: Problem, context: SolveContext) -> RawResult:
    return RawResult(status=Status.error, termination=Termination.error, native_status=f"warmed={warmed}")
