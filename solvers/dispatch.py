"""One solve, end to end: choose the backend, run it in a child under a deadline, verify, report."""

import time
from collections.abc import Callable
from dataclasses import dataclass

from models import Result, SolveOptions, SolveRequest, SolverInfo, StaffingProblem, Timings
from solvers.backends.portfolio.backend import NAME as PORTFOLIO
from solvers.backends.portfolio.backend import run_portfolio
from solvers.contract import BackendSpec, ProgressSink
from solvers.evaluators import evaluate
from solvers.finalize import finalize
from solvers.registry import Registry, availability
from solvers.runtime.pool import WorkerPool
from solvers.runtime.runner import RunLimits, run_backend
from solvers.selection import SelectionError, select


@dataclass(frozen=True)
class DispatchLimits:
    """Server-side caps applied to every request."""

    max_time_limit: float = 300.0
    grace: float = 1.0
    max_memory: int | None = 8 * 1024**3


def solve(
    request: SolveRequest,
    registry: Registry,
    limits: DispatchLimits = DispatchLimits(),
    progress: ProgressSink | None = None,
    cancelled: Callable[[], bool] = lambda: False,
    queued: float = 0.0,
    pool: WorkerPool | None = None,
) -> Result:
    """Solves `request`; raises `SelectionError` when no named backend can answer it."""
    started = time.perf_counter()
    if request.simulation is not None and not isinstance(request.problem, StaffingProblem):
        return _simulated(request, registry, limits, cancelled, pool)
    spec = select(registry, request.solver, request.problem)
    staffing = isinstance(request.problem, StaffingProblem)  # simopt, or nsga2 for a front: simulated in process
    if (spec.in_process and spec.name != PORTFOLIO) or staffing:  # the portfolio's raw result is finalized below
        return _solve_in_process(spec, request, registry, limits, cancelled, pool)
    warnings: list[str] = []
    options = _effective_options(request, limits, warnings)
    run_limits = RunLimits(limits.grace, limits.max_memory)
    if spec.name == PORTFOLIO:  # orchestrates several child solves from this process
        raw = run_portfolio(request.problem, options, registry, run_limits, progress, cancelled, pool)
    else:
        raw = run_backend(spec, request.problem, options, run_limits, progress, cancelled, pool)
    solver = SolverInfo(name=spec.name, version=availability(spec).version)
    timings = Timings(total=0.0, queue=queued, build=raw.build_time, solve=raw.solve_time)
    result = finalize(request.problem, options, raw, solver, timings, warnings)
    result.timings.total = time.perf_counter() - started + queued
    return result


def _simulated(request: SolveRequest, registry: Registry, limits: DispatchLimits, cancelled: Callable[[], bool],
               pool: WorkerPool | None) -> Result:
    """A plan family with a `simulation` block: deterministic solve, then simulation-optimisation."""
    from solvers.backends.simopt.backend import solve_plan

    def deterministic(inner: SolveRequest) -> Result:
        return solve(inner, registry, limits, cancelled=cancelled, pool=pool)

    version = availability(registry.get("simopt")).version if "simopt" in registry.names() else None
    return solve_plan(request, deterministic, limits.max_time_limit, cancelled, version)


def _solve_in_process(spec: BackendSpec, request: SolveRequest, registry: Registry, limits: DispatchLimits,
                      cancelled: Callable[[], bool], pool: WorkerPool | None) -> Result:
    """Composite backends that orchestrate child solves or worker pools from this process."""
    version = availability(spec).version
    if spec.name == "simopt" or isinstance(request.problem, StaffingProblem):  # nsga2: a simulated front
        from solvers.backends.simopt.backend import solve_staffing

        return solve_staffing(request, limits.max_time_limit, cancelled, version)
    raise SelectionError("unsupported_problem", f"backend {spec.name!r} cannot run in process")


def _effective_options(request: SolveRequest, limits: DispatchLimits, warnings: list[str]) -> SolveOptions:
    """Caps the time limit and drops a warm start that fails the independent check."""
    options = request.options.model_copy()
    if options.time_limit > limits.max_time_limit:
        warnings.append(f"time_limit {options.time_limit} s capped to the server maximum {limits.max_time_limit} s")
        options.time_limit = limits.max_time_limit
    if options.warm_start is not None:
        check = evaluate(request.problem, options.warm_start)
        if not check.feasible:
            warnings.append("warm_start ignored: " + "; ".join(check.violations[:5]))
            options.warm_start = None
    return options
