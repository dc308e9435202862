"""The Pyomo backend: every family's MIP written once in Pyomo, solved by HiGHS (APPSI) or CBC.

The models are in `pyomo_models.py` (knapsack, facility location), `pyomo_tsp.py` and
`pyomo_scheduling.py`; the solver adapters and the `OPTSERVE_PYOMO_SOLVER` switch in
`pyomo_solvers.py`. This module runs the solve loop: solve, add lazy cuts (TSP) and solve again
until no cut is violated or time runs out, keep the best decoded solution, report incumbents,
and say honestly how it ended.

Pyomo's modelling layer is slow to build large models (`bench/pyomo_overhead.py` measures it:
seconds where arrays take milliseconds), so the service prefers the array backends on the hot
path; this one is the readable reference formulation and a second opinion.
"""

import math
import time
from typing import TYPE_CHECKING

from models import Status, Termination
from models.problem import Problem, is_multi_objective
from solvers.contract import Incumbent, RawResult, SolveContext
from solvers.gap import proven_optimal
from solvers.mip import early_start
from solvers.mip.cut_loop import MipState
from solvers.mip.formulation import Decoded

if TYPE_CHECKING:
    from solvers.backends.pyomo.models import PyomoModel
    from solvers.backends.pyomo.solvers import PyomoReport, PyomoSolver

MIN_ROUND_SECONDS = 0.05
"""Below this much time left, another cut round is not started."""
HANDOVER_PER_BUILD = 3.0
"""The first solve hands the whole model to the solver (APPSI's HiGHS instance, or CBC's model file)
before the solver's own time limit starts, in about this many times the build's own time; the first
solve is not started when that would outlast the time left. At a 0.01 s HiGHS limit on this machine:
300 random cities built in 0.34 s, first solve 0.68 s (2.0x); 400 cities 0.69 s, 1.42 s (2.1x);
facility 50 x 200 0.22 s, 0.42 s (1.9x); 100 x 1,000 1.74 s, 5.05 s (2.9x). Later rounds add
only their cuts (0.08 s at 300 cities). Without the check, 300 cities at 2 s ran to 3.4 s in-process
and 100 x 1,000 facility location would run 5 s past any shorter limit; the runner then answers
at its margin and kills the process."""

VERDICT: dict[MipState, tuple[Status, Termination]] = {
    MipState.optimal: (Status.optimal, Termination.completed),
    MipState.infeasible: (Status.infeasible, Termination.completed),
    MipState.infeasible_or_unbounded: (Status.infeasible, Termination.completed),
    MipState.unbounded: (Status.unbounded, Termination.completed),
    MipState.time_limit: (Status.feasible, Termination.time_limit),
    MipState.other_limit: (Status.feasible, Termination.iteration_limit),
    MipState.error: (Status.error, Termination.error),
}
"""The last solve's state -> (status when a solution is known, termination). Our models are
bounded, so "infeasible or unbounded" means infeasible."""


def warm_up() -> None:
    """Imports Pyomo (about 1 s, most of it Pyomo pulling in scipy.stats) and loads the kernels of the
    quick solutions: a process started ahead of requests runs it before saying it is loaded, one
    started for a request after answering. Why Pyomo is not imported with this module: a process is
    sent its request only once the module is imported, and the quick solution waited for Pyomo: on 100
    x 1,000 single-source facility location at 2 s, a process started for the request reported its
    first-fit plan at 1.6-1.7 s and the plan's bound at 1.8-2.0 s on an idle machine, and under a
    loaded clean-clone CI run no bound by the answer."""
    import solvers.backends.pyomo.build  # noqa: F401

    early_start.warm_up()


def solve(problem: Problem, context: SolveContext) -> RawResult:
    if is_multi_objective(problem):
        return RawResult(status=Status.error, termination=Termination.error,
                         native_status="unsupported: multi-objective", log="the Pyomo backend optimises one objective")
    began = time.monotonic()
    bound = early_start.report_quick_solution(problem, context)  # before Pyomo loads (a process started for it)
    from solvers.backends.pyomo.build import build, make_solver

    solver = make_solver(context.options)
    building = time.monotonic()
    model = build(problem)
    loop = _Loop(model, solver, context)
    raw = loop.run(time.monotonic() - began, handover=HANDOVER_PER_BUILD * (time.monotonic() - building))
    return early_start.wait_for_bound(bound, raw, context)


class _Loop:
    """Solve, separate, re-solve; the best decoded solution and the tightest bound so far."""

    def __init__(self, model: "PyomoModel", solver: "PyomoSolver", context: SolveContext) -> None:
        self.model, self.solver, self.context = model, solver, context
        self.best: Decoded | None = None
        self.bound: float | None = None
        self.rounds = 0
        self.solve_time = 0.0
        self.source = f"pyomo_{solver.name}"
        self.skipped = ""
        """Why no solve was started, if none was."""
        if model.heuristic is not None:
            self._consider(model.heuristic)

    def run(self, build_time: float, handover: float = 0.0) -> RawResult:
        """Solve rounds while time is left; none when handing the model over (`handover` seconds,
        predicted) would already outlast the time left."""
        report: PyomoReport | None = None
        cut_pending = False
        if self.context.remaining() < handover + MIN_ROUND_SECONDS:
            self.skipped = (f"not solved: handing the model to the solver would take about {handover:.2f} s, "
                            f"{max(self.context.remaining(), 0.0):.2f} s were left")
            return self._result(None, False, build_time)
        while self.context.remaining() >= MIN_ROUND_SECONDS:
            report = self._round()
            cut_pending = report.state is MipState.optimal and report.loaded and self.model.separate()
            if not cut_pending:
                break
        return self._result(report, cut_pending, build_time)

    def _round(self) -> "PyomoReport":
        began = time.monotonic()
        report = self.solver.solve(self.model, self.context.remaining())
        self.solve_time += time.monotonic() - began
        self.rounds += 1
        if report.bound is not None:
            self.bound = report.bound if self.bound is None else self._tighter(self.bound, report.bound)
        if report.loaded:
            self._consider(self.model.decode())
        return report

    def _tighter(self, a: float, b: float) -> float:
        return min(a, b) if self.model.maximise else max(a, b)

    def _consider(self, decoded: Decoded) -> None:
        better = self.best is None or (decoded.objective > self.best.objective if self.model.maximise
                                       else decoded.objective < self.best.objective)
        if better:
            self.best = decoded
            bound = self.bound if self.model.exact else None
            self.context.progress(Incumbent(objective=decoded.objective, bound=bound, solution=decoded.solution))

    def _result(self, report: "PyomoReport | None", cut_pending: bool, build_time: float) -> RawResult:
        status, termination = self._verdict(report, cut_pending)
        best = self.best if status not in (Status.infeasible, Status.unbounded) else None
        bound = self._bound(status, best)
        native = report.native_status if report else self.skipped or "time limit reached before the first solve"
        return RawResult(
            status=status,
            termination=termination,
            solution=best.solution if best else None,
            objective=best.objective if best else None,
            bound=bound,
            bound_source=self.source if bound is not None else None,
            native_status=native + (f" after {self.rounds} rounds" if self.rounds > 1 else ""),
            build_time=build_time,
            solve_time=self.solve_time,
            warnings=list(self.model.warnings),
        )

    def _verdict(self, report: "PyomoReport | None", cut_pending: bool) -> tuple[Status, Termination]:
        found = Status.feasible if self.best is not None else Status.no_solution
        if self.model.exact and self._closed():  # a solution as good as a proven bound is optimal
            found = Status.optimal
        if report is None or cut_pending:
            return found, Termination.time_limit
        status, termination = VERDICT[report.state]
        if status is Status.optimal:
            if not report.loaded or not self.model.exact:
                return found, termination
            if self.context.options.relative_gap > 0 and not self._closed():
                return Status.feasible, Termination.gap_limit
            return status, termination
        if status is Status.feasible:
            return found, termination
        if status in (Status.error, Status.infeasible) and self.best is not None:
            return Status.feasible, termination  # a known solution outranks the solver's verdict
        return status, termination

    def _closed(self) -> bool:
        if self.best is None or self.bound is None:
            return False
        return proven_optimal(self.best.objective, self.bound)

    def _bound(self, status: Status, best: Decoded | None) -> float | None:
        if not self.model.exact or status in (Status.infeasible, Status.unbounded, Status.error):
            return None
        if status is Status.optimal and best is not None:
            return best.objective
        return self.bound if self.bound is not None and math.isfinite(self.bound) else None
