"""CBC backend: the CBC binary bundled with PuLP, fed a PuLP model built from the array formulation.

Imported only inside a solve worker. PuLP's status label is not trusted: it says `Optimal` when
CBC stopped on its time limit with a solution. The real outcome comes from `sol_status` and
from CBC's own log (its "Result - ..." line and its best bound), read from `logPath`.
The time limit is wall-clock (`timeMode elapsed`, accepted by the bundled CBC 2.10).
"""

import math
import os
import re
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pulp

from models.problem import Problem
from solvers.contract import RawResult, SolveContext
from solvers.mip.array_mip import ArrayMip, FloatArray, RowBlock
from solvers.mip.cut_loop import CutLoop, MipOutcome, MipState
from solvers.mip.early_start import report_quick_solution, wait_for_bound
from solvers.mip.early_start import warm_up as warm_up  # a warm pool loads the quick solutions' kernels ahead
from solvers.mip.formulations import build

NAME = "cbc"
MAX_SEED = 2**31 - 2

RESULTS: tuple[tuple[str, MipState], ...] = (
    ("Optimal solution found", MipState.optimal),
    ("Problem proven infeasible", MipState.infeasible),
    ("Problem is infeasible", MipState.infeasible),
    ("Problem is unbounded", MipState.infeasible_or_unbounded),
    ("Linear relaxation infeasible", MipState.infeasible),
    ("Linear relaxation unbounded", MipState.infeasible_or_unbounded),
    ("Stopped on time", MipState.time_limit),
    ("Stopped on ctrl-c", MipState.time_limit),
    ("Stopped on iterations", MipState.other_limit),
    ("Stopped on node", MipState.other_limit),
    ("Stopped on solutions", MipState.other_limit),
    ("Stopped on difficulties", MipState.error),
)
"""CBC's "Result - ..." line -> loop state (first matching prefix wins)."""

RESULT_LINE = re.compile(r"^Result - (.+)$", re.MULTILINE)
EARLY_END_LINE = re.compile(r"^(Problem is (?:infeasible|unbounded)).*$", re.MULTILINE)
"""What CBC prints instead of a result line when its presolve or first LP settles the problem."""
BOUND_LINE = re.compile(r"^(?:Lower|Upper) bound:\s+(\S+)", re.MULTILINE)
OBJECTIVE_LINE = re.compile(r"^Objective value:\s+(\S+)", re.MULTILINE)
CRASH_RETRY_SECONDS = 0.2
CRASH_TIME_SLACK = 0.05
MIN_CBC_SECONDS = 0.05
WRITE_SECONDS_PER_ENTRY = 2e-5
"""First guess of PuLP's overhead per column and nonzero (measured: 2.0 s for a280's 39,060 columns
and 78,000 nonzeros, of which 1.95 s in writeMPS); later calls use the overhead last observed."""
WALLCLOCK_LINE = re.compile(r"^Total time \(CPU seconds\):.*\(Wallclock seconds\):\s+(\S+)", re.MULTILINE)
NO_BOUND = 1e40
"""CBC prints +-1e50 (or more) for 'no bound'."""


def native_options(context: SolveContext) -> dict[str, object]:
    """Our options in PuLP/CBC's names (the time limit is set per solve round)."""
    options = context.options
    seed = options.seed % MAX_SEED + 1  # 0 means "seed from the clock" to CBC
    return {
        "gapRel": options.relative_gap,
        "threads": options.threads if options.threads > 1 else None,
        "options": [f"randomSeed {seed}", f"randomCbcSeed {seed}"],
        "timeMode": "elapsed",
        "msg": False,
    }


def cbc_path() -> str | None:
    """The CBC shipped inside PuLP (used through COIN_CMD: PULP_CBC_CMD itself is deprecated)."""
    path = pulp.apis.coin_api.PULP_CBC_CMD.pulp_cbc_path
    return path if os.access(path, os.X_OK) else None


class CbcSession:
    """A PuLP problem mirroring the array model; each `solve` runs the CBC binary once."""

    def __init__(self, mip: ArrayMip, context: SolveContext) -> None:
        self.options = native_options(context)
        self.maximise = mip.maximise
        self.problem = pulp.LpProblem("optserve", pulp.LpMaximize if mip.maximise else pulp.LpMinimize)
        self.vars = [
            self.problem.add_variable(f"x{j}", _finite(lo), _finite(hi),
                                      pulp.LpInteger if integral else pulp.LpContinuous)
            for j, (lo, hi, integral) in enumerate(zip(mip.col_lower, mip.col_upper, mip.integrality, strict=True))
        ]
        nonzero = np.flatnonzero(mip.c)
        self.problem.setObjective(pulp.LpAffineExpression([(self.vars[j], float(mip.c[j])) for j in nonzero],
                                                          constant=mip.offset))
        self.n_rows = 0
        self.add_rows(RowBlock(mip.a, mip.row_lower, mip.row_upper))
        self._workdir = tempfile.TemporaryDirectory(prefix="optserve-cbc-")
        self.overhead = WRITE_SECONDS_PER_ENTRY * (mip.n_cols + mip.a.nnz)
        """Seconds PuLP spends around CBC (writing the MPS file, reading the solution), as last seen."""

    def add_rows(self, rows: RowBlock) -> None:
        a = rows.a
        for r in range(rows.n_rows):
            span = slice(a.indptr[r], a.indptr[r + 1])
            expr = pulp.LpAffineExpression([(self.vars[j], float(v)) for j, v in zip(a.indices[span], a.data[span],
                                                                                       strict=True)])
            lower, upper, name = float(rows.lower[r]), float(rows.upper[r]), f"r{self.n_rows}"
            if lower == upper:
                self.problem.addConstraint(pulp.LpConstraint(expr, pulp.LpConstraintEQ, rhs=upper), name)
            else:
                if math.isfinite(upper):
                    self.problem.addConstraint(pulp.LpConstraint(expr, pulp.LpConstraintLE, rhs=upper), name + "u")
                if math.isfinite(lower):
                    self.problem.addConstraint(pulp.LpConstraint(expr, pulp.LpConstraintGE, rhs=lower), name + "l")
            self.n_rows += 1

    def close(self) -> None:
        self._workdir.cleanup()

    def solve(self, time_limit: float, start: FloatArray | None) -> MipOutcome:
        if start is not None:
            for var, value in zip(self.vars, start, strict=True):
                var.setInitialValue(float(value))
        run = self._run(time_limit, mip=True, warm=start is not None)
        if run.failure is not None:  # see CbcRun.failure
            if start is not None and run.remaining >= CRASH_RETRY_SECONDS:
                return self.solve(run.remaining, None)
            at_limit = start is not None or run.remaining <= CRASH_TIME_SLACK
            return MipOutcome(MipState.time_limit if at_limit else MipState.error, None, None, run.failure)
        has_x = self.problem.sol_status in (pulp.LpSolutionOptimal, pulp.LpSolutionIntegerFeasible)
        x = np.array([v.varValue or 0.0 for v in self.vars]) if has_x else None
        state, native = _state(run.log, self.problem.sol_status)
        return MipOutcome(state=state, x=x, bound=_bound(run.log, state, x is not None), native_status=native,
                          log=_summary(run.log))

    def relax(self, time_limit: float) -> MipOutcome:
        run = self._run(time_limit, mip=False, warm=False)
        if run.failure is not None:
            return MipOutcome(MipState.error, None, None, run.failure)
        if self.problem.sol_status != pulp.LpSolutionOptimal:
            return MipOutcome(MipState.other_limit, None, None, f"LP relaxation: {pulp.LpStatus[self.problem.status]}")
        x = np.array([v.varValue or 0.0 for v in self.vars])
        return MipOutcome(MipState.optimal, x, float(pulp.value(self.problem.objective)), "LP relaxation optimal")

    def _run(self, time_limit: float, mip: bool, warm: bool) -> "CbcRun":
        """One CBC call within `time_limit` seconds, PuLP's file writing included."""
        began = time.monotonic()
        budget = time_limit - self.overhead
        if budget < MIN_CBC_SECONDS:
            return CbcRun("", "no time left for CBC after writing the model", 0.0)
        log_path = Path(self._workdir.name) / "cbc.log"
        command = pulp.COIN_CMD(path=cbc_path(), mip=mip, timeLimit=budget, warmStart=warm, logPath=str(log_path),
                                **self.options)
        command.tmpDir = self._workdir.name  # PuLP leaves its files behind when CBC crashes; close() removes them
        failure = None
        try:
            self.problem.solve(command)
        except pulp.PulpSolverError as exc:
            failure = f"CBC stopped without a solution file ({exc})"
        log = log_path.read_text(errors="replace") if log_path.exists() else ""
        spent = time.monotonic() - began
        inside = WALLCLOCK_LINE.search(log)
        if inside is not None:
            self.overhead = max(0.0, spent - float(inside.group(1)))
        return CbcRun(log, failure, time_limit - spent)


@dataclass(frozen=True)
class CbcRun:
    """What one CBC call left: its log, why it failed if it did, the time left of its budget.

    A failure means no solution file. Measured: the bundled CBC 2.10.3 segfaults when its time
    limit strikes at the root right after accepting a MIP start (la21, ft10 with -sec 0.1 to 0.3),
    so a MIP solve retries once without the start while time is left, else counts as timed out."""

    log: str
    failure: str | None
    remaining: float


def _finite(value: float) -> float | None:
    return float(value) if math.isfinite(value) else None


def _state(log: str, sol_status: int) -> tuple[MipState, str]:
    """The loop state from CBC's result line, cross-checked with PuLP's solution status."""
    found = RESULT_LINE.search(log) or EARLY_END_LINE.search(log)
    if found is None:
        return MipState.error, f"no result line in the CBC log (PuLP solution status {sol_status})"
    text = found.group(1).strip()
    for prefix, state in RESULTS:
        if text.startswith(prefix):
            if state is MipState.optimal and sol_status != pulp.LpSolutionOptimal:
                return MipState.error, f"{text} (but PuLP solution status {sol_status})"
            return state, text
    return MipState.error, text


def _bound(log: str, state: MipState, has_solution: bool) -> float | None:
    """CBC's proven bound: its bound line when it stopped early, the objective when optimal."""
    line = BOUND_LINE.search(log)
    if line is None and state is MipState.optimal and has_solution:
        line = OBJECTIVE_LINE.search(log)
    if line is None:
        return None
    try:
        value = float(line.group(1))
    except ValueError:
        return None
    return value if math.isfinite(value) and abs(value) < NO_BOUND else None


def _summary(log: str) -> str:
    start = log.rfind("Result - ")
    return log[start:] if start >= 0 else log[-2000:]


def solve(problem: Problem, context: SolveContext) -> RawResult:
    """The backend entry point (see `solvers.contract.SolveFunction`)."""
    began = time.monotonic()
    bound = report_quick_solution(problem, context)
    formulation = build(problem)
    formulation.plan_start(context.remaining(), context.options.seed)
    loop = CutLoop(formulation, context, NAME)
    session = CbcSession(formulation.mip, context)
    try:
        return wait_for_bound(bound, loop.run(session, build_time=time.monotonic() - began), context)
    finally:
        session.close()
