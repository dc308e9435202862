"""A backend whose answer forgets the bounds it reported on the way (as HiGHS's answer on 2,000 cities
forgot the 1-tree bound reported with the quick tour): the runner must answer with the tightest one.

`options.seed` picks the ending: 0 answers without a bound, 1 with a weaker one than reported, 2
never answers (the runner answers for it at the margin)."""

import time

from models import KnapsackProblem, KnapsackSolution, Status, Termination
from models.problem import Problem
from solvers.contract import Incumbent, RawResult, SolveContext

REPORTED = [(500.0, "family_bound"), (300.0, None), (None, None)]
"""The bounds reported with the incumbents, in order (a maximisation: 300 is the tightest, the backend's own)."""
WEAKER = 400.0


def solve(problem: Problem, context: SolveContext) -> RawResult:
    assert isinstance(problem, KnapsackProblem)
    empty = KnapsackSolution(selected=[])
    for bound, source in REPORTED:
        context.progress(Incumbent(objective=0.0, bound=bound, bound_source=source, solution=empty))
    if context.options.seed == 2:
        time.sleep(3600)
    return RawResult(status=Status.feasible, termination=Termination.time_limit, solution=empty, objective=0.0,
                     bound=WEAKER if context.options.seed == 1 else None)
