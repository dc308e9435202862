"""One solve, end to end: choose the backend, run it (child process or orchestrator), finalize.

Every answer, whatever produced it, leaves through `finalize`: single-objective results, fronts,
simulated plans and staffing allocations alike. Nothing here names a backend: the backend's
declaration says whether it runs in a child under a hard deadline (`module`) or orchestrates
from this process (`orchestrator`).
"""

import importlib
import time
from collections.abc import Callable
from dataclasses import dataclass

from models import Result, SolveOptions, SolveRequest, SolverInfo, Timings
from solvers.contract import BackendSpec, Incumbent, Orchestration, ProgressSink, RawResult
from solvers.evaluators import evaluate
from solvers.finalize import finalize
from solvers.registry import Registry, availability
from solvers.runtime.pool import WorkerPool
from solvers.runtime.runner import RunLimits, run_backend
from solvers.selection import select


@dataclass(frozen=True)
class DispatchLimits:
    """Server-side caps applied to every request."""

    max_time_limit: float = 300.0
    grace: float = 1.0
    max_memory: int | None = 8 * 1024**3
    answer_margin: float = 0.25
    """See `solvers.runtime.runner.RunLimits`."""

    def run_limits(self) -> RunLimits:
        return RunLimits(self.grace, self.max_memory, self.answer_margin)


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
    spec = select(registry, request)
    warnings: list[str] = []
    options = _effective_options(request, limits, warnings)
    run_limits = limits.run_limits()
    if spec.orchestrates(request.problem):
        inner = request.model_copy(update={"options": options})
        raw = _orchestrate(spec, inner, registry, limits, progress, cancelled, pool)
    else:
        raw = run_backend(spec, request.problem, options, run_limits, progress, cancelled, pool)
    solver = SolverInfo(name=spec.name, version=availability(spec).version)
    timings = Timings(total=0.0, queue=queued, build=raw.build_time, solve=raw.solve_time)
    result = finalize(request.problem, options, raw, solver, timings, warnings)
    result.timings.total = time.perf_counter() - started + queued
    return result


def _orchestrate(spec: BackendSpec, request: SolveRequest, registry: Registry, limits: DispatchLimits,
                 progress: ProgressSink | None, cancelled: Callable[[], bool], pool: WorkerPool | None) -> RawResult:
    """Runs an in-process orchestrator with the means to dispatch inner requests like this one."""
    def inner(sub: SolveRequest, progress: ProgressSink | None = None) -> Result:
        return solve(sub, registry, limits, progress=progress, cancelled=cancelled, pool=pool)

    def sink(incumbent: Incumbent) -> None:
        if progress is not None:
            progress(incumbent)

    env = Orchestration(registry=registry, limits=limits.run_limits(), progress=sink,
                        cancelled=cancelled, pool=pool, solve=inner, version=availability(spec).version)
    assert spec.orchestrator is not None
    entry = importlib.import_module(spec.orchestrator)
    raw: RawResult = entry.orchestrate(request, env)
    return raw


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
