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
from solvers.families.tsp.start import affordable
from solvers.mip.cut_loop import CutLoop
from solvers.mip.early_start import report_quick_solution
from solvers.mip.early_start import warm_up as warm_up  # a warm pool loads the quick solutions' kernels ahead
from solvers.mip.formulations import build
from solvers.mip.highs_session import HighsSession

NAME = "highs"
START_SHARE = 0.1
"""At most this share of the time left goes to the TSP start tour's local search (skipped under 2 s
left in a process that has not loaded its kernels: `solvers.families.tsp.start.affordable`). Why
not below 2 s limits whatever the process, as before: a warm process at 1-2 s answered kroA200 with
30,264 and tsp225 with 4,138 (the 2-opt start, 3.1% and 5.7% above the optimum)."""


def solve(problem: Problem, context: SolveContext) -> RawResult:
    """The backend entry point (see `solvers.contract.SolveFunction`)."""
    began = time.monotonic()
    report_quick_solution(problem, context)
    formulation = build(problem)
    if isinstance(formulation, TspFormulation):
        formulation.seed = context.options.seed
        left = context.remaining()
        budget = min(formulation.heuristic_seconds, START_SHARE * left)
        formulation.heuristic_seconds = budget if affordable(left) else 0.0
    loop = CutLoop(formulation, context, NAME)
    session = HighsSession(formulation, context, loop)
    return loop.run(session, build_time=time.monotonic() - began)
