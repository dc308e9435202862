"""The solve process's side of the pipe."""

from multiprocessing import Pipe

from models import SolveOptions
from solvers.contract import Incumbent, SolveContext
from solvers.runtime import worker
from tests.instances import knapsack

PROBLEM, OPTIONS = knapsack().model_dump_json(), SolveOptions(time_limit=1).model_dump_json()


class ReportsThenFinishes:
    """A backend that reports an incumbent (the pipe breaks there) and would then answer."""

    @staticmethod
    def solve(problem: object, context: SolveContext) -> object:
        context.progress(Incumbent(objective=1.0))
        raise AssertionError("the broken pipe should have ended the solve at the report")


class BreaksItsOwnPipe:
    """A backend whose own pipe (say, to a solver binary) breaks while the parent still listens."""

    @staticmethod
    def solve(problem: object, context: SolveContext) -> object:
        raise BrokenPipeError("the solver binary went away")


def test_a_solve_whose_parent_hung_up_ends_quietly() -> None:
    """The parent closes the pipe when it gives up on a solve (time limit, cancel); a report sent
    after that used to raise BrokenPipeError, then again while sending the error, and the process
    died printing both tracebacks (seen in `bench.anytime`'s output at 1 s limits)."""
    parent, child = Pipe()
    parent.close()
    worker._solve_one(child, ReportsThenFinishes(), PROBLEM, OPTIONS, 0.0)
    child.close()


def test_a_broken_pipe_of_the_backend_itself_still_reaches_the_parent_as_an_error() -> None:
    parent, child = Pipe()
    worker._solve_one(child, BreaksItsOwnPipe(), PROBLEM, OPTIONS, 0.0)
    kind, text = parent.recv()
    assert kind == "error" and text.startswith("BrokenPipeError: the solver binary went away")
    parent.close()
    child.close()
