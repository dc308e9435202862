"""HiGHS backend: highspy's array API (passModel / addRows / setSolution), never its modelling layer.

Imported only inside a solve worker (highspy and ortools cannot share a process). The family's
array formulation is passed in one call; TSP subtour cuts are appended with `addRows` between
rounds of `solvers.mip.cut_loop.CutLoop`, which also decides the final status.
Improving MIP solutions are reported as incumbents through a HiGHS callback; with lazy rows,
every MIP solution HiGHS finds is also separated (cuts for the next round). After the LP rounds
the session gives its row duals for reduced-cost fixing and deletes the columns fixed at 0
(`column_map` translates between the formulation's columns and the solver's).
"""

import time

from models.problem import Problem
from solvers.contract import RawResult, SolveContext
from solvers.families.tsp.mip import TspFormulation
from solvers.mip.cut_loop import CutLoop
from solvers.mip.early_start import report_quick_solution
from solvers.mip.early_start import warm_up as warm_up  # a warm pool loads the quick solutions' kernels ahead
from solvers.mip.formulations import build
from solvers.mip.highs_session import HighsSession

NAME = "highs"
START_SHARE = 0.1
"""At most this share of the time limit goes to the TSP start tour's local search."""
MIN_START = 0.2
"""Below this budget (time limits under 2 s) the local search is skipped: loading its compiled
kernels alone takes 0.2-1 s, more on a loaded machine."""


def solve(problem: Problem, context: SolveContext) -> RawResult:
    """The backend entry point (see `solvers.contract.SolveFunction`)."""
    began = time.monotonic()
    report_quick_solution(problem, context)
    formulation = build(problem)
    if isinstance(formulation, TspFormulation):
        formulation.seed = context.options.seed
        budget = START_SHARE * context.remaining()
        formulation.heuristic_seconds = min(formulation.heuristic_seconds, budget) if budget >= MIN_START else 0.0
    loop = CutLoop(formulation, context, NAME)
    session = HighsSession(formulation, context, loop)
    return loop.run(session, build_time=time.monotonic() - began)
