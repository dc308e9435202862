"""What the CP-SAT models (scheduling, TSP) share: parameters, statuses, incumbent reporting.

Imports `ortools`: only ever loaded inside a solve worker (see `solvers/contract.py`).
"""

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

import numpy as np
from numpy.typing import NDArray
from ortools.sat.python import cp_model

from models import SolveOptions, Status, Termination
from models.problem import Solution
from solvers.contract import Incumbent, RawResult, SolveContext

NATIVE_STATUS: dict[cp_model.CpSolverStatus, tuple[Status, Termination]] = {
    cp_model.OPTIMAL: (Status.optimal, Termination.completed),
    cp_model.FEASIBLE: (Status.feasible, Termination.time_limit),
    cp_model.INFEASIBLE: (Status.infeasible, Termination.completed),
    cp_model.MODEL_INVALID: (Status.error, Termination.error),
    cp_model.UNKNOWN: (Status.no_solution, Termination.time_limit),
}
"""CP-SAT status -> (status, termination); OPTIMAL under a gap limit is refined in `finish`."""

OPTIONS_TO_PARAMETERS = {
    "time_limit": "max_time_in_seconds (the time remaining when Solve starts)",
    "relative_gap": "relative_gap_limit",
    "seed": "random_seed",
    "threads": "num_workers; job shops also run min(threads, 4) tabu searches in threads (scheduling.py)",
}
"""How our option names map onto CP-SAT's parameters (documentation; applied in `parameters`)."""

SOLVE_MARGIN = 0.05
"""Seconds kept back from the time limit for reading the answer back."""
EQUAL_TOL = 1e-6
REPORT_EVERY = 0.25
"""Seconds between incumbent reports offered through `Tracker` (each costs a wire-format solution)."""

Extract = Callable[[NDArray[np.int64]], tuple[Solution, float]]
"""Solver values (indexed by variable index) -> the solution and its TRUE objective."""


def parameters(solver: cp_model.CpSolver, context: SolveContext) -> None:
    """Translates our options into CP-SAT parameters (see OPTIONS_TO_PARAMETERS)."""
    options = context.options
    params = solver.parameters
    params.max_time_in_seconds = max(0.01, context.remaining() - SOLVE_MARGIN)
    params.relative_gap_limit = options.relative_gap
    params.random_seed = options.seed
    params.num_workers = options.threads
    params.log_search_progress = False


@dataclass
class Best:
    """The best solution known to this solve, whoever found it."""

    solution: Solution | None = None
    objective: float = math.inf
    origin: str = ""

    def offer(self, solution: Solution, objective: float, origin: str) -> bool:
        if objective < self.objective - EQUAL_TOL * max(1.0, abs(objective)):
            self.solution, self.objective, self.origin = solution, objective, origin
            return True
        return False


Native = TypeVar("Native")


class Tracker(Generic[Native]):
    """A solve in phases (heuristics, local search, CP-SAT runs): the best solution from any of
    them, kept also in its native form (to hint the next phase), the best proven bound, and
    incumbent reports throttled to one per REPORT_EVERY seconds."""

    def __init__(self, context: SolveContext, convert: Callable[[Native], Solution], start: Native,
                 value: float, origin: str, floor: float) -> None:
        self.context, self.convert, self.floor = context, convert, floor
        self.best = Best()
        self.native_best = start
        self.bound: float | None = floor
        """Best proven bound so far, never below `floor` (a valid bound known before solving)."""
        self.notes: list[str] = []
        self.log = ""
        self.native = "no CP-SAT run"
        self.best.offer(convert(start), value, origin)
        self._reported = -math.inf
        self._unreported = False
        self.report(force=True)

    def offer(self, native: Native, value: float, origin: str) -> None:
        """Keeps a better solution; reports it unless the last report is very recent."""
        if value < self.best.objective - EQUAL_TOL * max(1.0, abs(value)):
            self.best.offer(self.convert(native), value, origin)
            self.native_best = native
            self._unreported = True
            self.report()

    def report(self, force: bool = False) -> None:
        now = time.monotonic()
        if force or now - self._reported >= REPORT_EVERY:
            self._reported, self._unreported = now, False
            self.context.progress(Incumbent(objective=self.best.objective, bound=self.bound,
                                            solution=self.best.solution))

    def flush(self) -> None:
        """Reports a throttled improvement once its wait is over (a search calls this between steps,
        so its last improvement is not held back until the phase ends)."""
        if self._unreported:
            self.report()

    def tighten(self, bound: float | None) -> None:
        """Keeps the stronger of two proven (lower) bounds."""
        if bound is not None and (self.bound is None or bound > self.bound):
            self.bound = bound

    def closed(self) -> bool:
        return self.bound is not None and self.best.objective <= self.bound + EQUAL_TOL * max(1.0, abs(self.bound))


class Reporter(cp_model.CpSolverSolutionCallback):
    """Sends every improved incumbent (with CP-SAT's current bound) to the progress sink."""

    def __init__(self, extract: Extract, best: Best, context: SolveContext, bound_scale: float,
                 floor_bound: float | None = None) -> None:
        super().__init__()
        self._extract = extract
        self._best = best
        self._context = context
        self._scale = bound_scale
        self._floor = floor_bound

    def on_solution_callback(self) -> None:
        values = np.asarray(self.response_proto.solution, dtype=np.int64)
        solution, value = self._extract(values)
        if self._best.offer(solution, value, "cpsat"):
            bound = scaled_bound(self.best_objective_bound, self._scale, self._floor)
            self._context.progress(Incumbent(objective=value, bound=bound, solution=solution))


def scaled_bound(raw: float, scale: float, floor: float | None = None) -> float | None:
    """CP-SAT's bound in the user's units, never weaker than a known `floor`; None if infinite."""
    if not math.isfinite(raw):
        return floor
    value = raw / scale
    return value if floor is None else max(value, floor)


@dataclass
class Outcome:
    """What a finished CP-SAT run produced, before it is turned into a RawResult."""

    status: cp_model.CpSolverStatus
    best: Best
    bound: float | None
    build_time: float
    solve_time: float
    log: str = ""
    warnings: list[str] = field(default_factory=list)


def finish(outcome: Outcome, options: SolveOptions, native: str) -> RawResult:
    """Maps the native status onto ours; the best known solution is always returned."""
    status, termination = NATIVE_STATUS.get(outcome.status, (Status.error, Termination.error))
    best = outcome.best
    has_solution = best.solution is not None
    if has_solution and status in (Status.optimal, Status.feasible, Status.no_solution):
        status, termination = _with_solution(status, termination, best.objective, outcome.bound, options)
    if has_solution and status is Status.infeasible:
        status, termination = Status.error, Termination.error
        outcome.warnings.append("CP-SAT reported infeasible although a feasible solution is known (model bug)")
    keep = has_solution and status in (Status.optimal, Status.feasible)
    return RawResult(
        status=status, termination=termination,
        solution=best.solution if keep else None, objective=best.objective if keep else None,
        bound=outcome.bound, bound_source="cpsat" if outcome.bound is not None else None,
        native_status=native, log=outcome.log[-4000:],
        build_time=outcome.build_time, solve_time=outcome.solve_time, warnings=outcome.warnings,
    )


def _with_solution(status: Status, termination: Termination, objective: float, bound: float | None,
                   options: SolveOptions) -> tuple[Status, Termination]:
    """Optimal exactly when the best solution meets CP-SAT's bound (from this run or an earlier one)."""
    closed = bound is not None and abs(objective - bound) <= EQUAL_TOL * max(1.0, abs(objective))
    if closed:
        return Status.optimal, Termination.completed
    if status is Status.no_solution:  # CP-SAT found nothing in time; an earlier incumbent stands
        return Status.feasible, Termination.time_limit
    if status is Status.feasible:
        return status, termination
    # OPTIMAL with an open gap: stopped by relative_gap_limit, or optimal only for scaled data
    return Status.feasible, Termination.gap_limit if options.relative_gap > 0 else Termination.completed
