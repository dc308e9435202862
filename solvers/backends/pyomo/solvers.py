"""The solvers behind the Pyomo backend: HiGHS through APPSI (default) or CBC through Pyomo's shell.

Chosen by the setting `OPTSERVE_PYOMO_SOLVER` (`highs` | `cbc`; `SolverSettings.pyomo_solver`). CBC is
the binary PuLP ships (`PULP_CBC_CMD.pulp_cbc_path`); Pyomo runs it on an LP file it writes per solve.

Each adapter translates our options into its solver's names (tables below), runs one solve on
a Pyomo model, leaves the best solution loaded into the model's variables, and reports a
`PyomoReport`: our state, whether a solution was loaded, the proven bound, the native status.
"""

import logging
import math
import os
import shutil
from dataclasses import dataclass
from typing import Protocol

import pyomo.environ as pyo
from pydantic import ValidationError
from pyomo.contrib.appsi.base import TerminationCondition as AppsiCondition
from pyomo.contrib.appsi.solvers import Highs
from pyomo.opt import SolverResults, SolverStatus
from pyomo.opt import TerminationCondition as Condition

from models import SolveOptions
from solvers.backends.pyomo.models import PyomoModel
from solvers.mip.cut_loop import MipState
from solvers.settings import SolverSettings

SOLVER_ENV = "OPTSERVE_PYOMO_SOLVER"
SOLVERS = ("highs", "cbc")

APPSI_STATE: dict[AppsiCondition, MipState] = {
    AppsiCondition.optimal: MipState.optimal,
    AppsiCondition.infeasible: MipState.infeasible,
    AppsiCondition.unbounded: MipState.unbounded,
    AppsiCondition.infeasibleOrUnbounded: MipState.infeasible_or_unbounded,
    AppsiCondition.maxTimeLimit: MipState.time_limit,
    AppsiCondition.interrupted: MipState.time_limit,
    AppsiCondition.maxIterations: MipState.other_limit,
    AppsiCondition.objectiveLimit: MipState.other_limit,
}
"""APPSI termination -> our state; anything else is an error."""

CBC_STATE: dict[Condition, MipState] = {
    Condition.optimal: MipState.optimal,
    Condition.infeasible: MipState.infeasible,
    Condition.unbounded: MipState.unbounded,
    Condition.infeasibleOrUnbounded: MipState.infeasible_or_unbounded,
    Condition.maxTimeLimit: MipState.time_limit,
    Condition.userInterrupt: MipState.time_limit,
    Condition.maxIterations: MipState.other_limit,
    Condition.maxEvaluations: MipState.other_limit,
}
"""Pyomo's shell-solver termination (CBC) -> our state; anything else is an error."""

HIGHS_OPTIONS = {"threads": "threads", "seed": "random_seed"}
"""Our option -> HiGHS option (time limit and gap go through APPSI's config)."""
CBC_OPTIONS = {"time_limit": "sec", "relative_gap": "ratio", "threads": "threads", "seed": "randomCbcSeed"}
"""Our option -> CBC command-line option; `timeMode elapsed` makes `sec` wall-clock time."""


@dataclass(frozen=True)
class PyomoReport:
    """One solve: our state, whether variable values were loaded, the proven bound, native text."""

    state: MipState
    loaded: bool
    bound: float | None
    native_status: str


class PyomoSolver(Protocol):
    name: str

    def solve(self, built: PyomoModel, time_limit: float) -> PyomoReport: ...


def solver_name() -> str:
    """The configured underlying solver; an unknown name is an error, not a silent default."""
    try:
        return SolverSettings().pyomo_solver
    except ValidationError as exc:
        raise ValueError(f"{SOLVER_ENV}: choose one of {', '.join(SOLVERS)}") from exc


def make_solver(options: SolveOptions) -> PyomoSolver:
    return AppsiHighs(options) if solver_name() == "highs" else PyomoCbc(options)


def cbc_binary() -> str:
    """The CBC binary PuLP ships (read from the class attribute: instantiating PULP_CBC_CMD is
    deprecated in PuLP 3), else a `cbc` on the PATH."""
    import pulp  # only to find the binary; needed for this solver alone

    shipped = pulp.apis.coin_api.PULP_CBC_CMD.pulp_cbc_path
    if os.access(shipped, os.X_OK):
        return str(shipped)
    return shutil.which("cbc") or "cbc"


def _finite(value: float | None) -> float | None:
    return value if value is not None and math.isfinite(value) else None


class AppsiHighs:
    """HiGHS through APPSI: a persistent interface, so re-solves after added cuts are incremental."""

    name = "highs"

    def __init__(self, options: SolveOptions) -> None:
        self.opt = Highs()
        if not self.opt.available():
            raise RuntimeError("HiGHS (highspy) is not available to Pyomo's APPSI interface")
        self.opt.config.stream_solver = False
        self.opt.config.load_solution = False
        self.opt.config.mip_gap = options.relative_gap
        self.opt.highs_options = {native: getattr(options, ours) for ours, native in HIGHS_OPTIONS.items()}
        self.opt.highs_options["output_flag"] = False

    def solve(self, built: PyomoModel, time_limit: float) -> PyomoReport:
        self.opt.config.time_limit = max(time_limit, 0.01)
        self.opt.highs_options.update(built.highs_options)
        results = self.opt.solve(built.model)
        loaded = results.best_feasible_objective is not None
        if loaded:
            results.solution_loader.load_vars()
        state = APPSI_STATE.get(results.termination_condition, MipState.error)
        return PyomoReport(state, loaded, _finite(results.best_objective_bound),
                           f"appsi_highs: {results.termination_condition.name}")


class PyomoCbc:
    """CBC (the binary shipped with PuLP) through Pyomo's shell interface, one LP file per solve."""

    name = "cbc"

    def __init__(self, options: SolveOptions) -> None:
        path = cbc_binary()
        self.opt = pyo.SolverFactory("cbc", executable=path)
        if not self.opt.available(exception_flag=False):
            raise RuntimeError(f"no usable CBC binary at {path}")
        self.options = options

    def solve(self, built: PyomoModel, time_limit: float) -> PyomoReport:
        model = built.model
        self.opt.options.clear()
        self.opt.options["timeMode"] = "elapsed"
        values = {**self.options.model_dump(), "time_limit": max(time_limit, 0.01)}
        for ours, native in CBC_OPTIONS.items():
            self.opt.options[native] = values[ours]
        results = self.opt.solve(model, load_solutions=False)
        condition = results.solver.termination_condition
        loaded = len(results.solution) > 0 and results.solver.status is not SolverStatus.error
        if loaded:
            _load_quietly(model, results)
        bound = results.problem.upper_bound if built.maximise else results.problem.lower_bound
        state = CBC_STATE.get(condition, MipState.error)
        return PyomoReport(state, loaded, _finite(_number(bound)), f"cbc: {results.solver.status}/{condition}")


def _load_quietly(model: pyo.ConcreteModel, results: SolverResults) -> None:
    """Loads a solution; Pyomo logs a warning when the run was stopped by its time limit, which is
    expected here and reported through the status instead."""
    logger = logging.getLogger("pyomo.core")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        model.solutions.load_from(results)
    finally:
        logger.setLevel(level)


def _number(value: object) -> float | None:
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
