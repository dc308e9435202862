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
from solvers.mip.cut_loop import CutLoop
from solvers.mip.early_start import report_quick_solution, wait_for_bound
from solvers.mip.early_start import warm_up as warm_up  # a warm pool loads the quick solutions' kernels ahead
from solvers.mip.formulations import build
from solvers.mip.highs_session import HighsSession

NAME = "highs"


def solve(problem: Problem, context: SolveContext) -> RawResult:
    """The backend entry point (see `solvers.contract.SolveFunction`)."""
    began = time.monotonic()
    bound = report_quick_solution(problem, context)
    formulation = build(problem)
    formulation.plan_start(context.remaining(), context.options.seed)
    loop = CutLoop(formulation, context, NAME)
    session = HighsSession(formulation, context, loop)
    return wait_for_bound(bound, loop.run(session, build_time=time.monotonic() - began), context)
