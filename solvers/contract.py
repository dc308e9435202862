"""The backend contract: what a backend declares, what it receives, what it returns.

A backend module (e.g. `solvers/backends/highs.py`) imports its solver library at top level and
is only ever imported inside a solve worker (see `solvers/runtime/worker.py`): `ortools` and
`highspy` cannot share a process, and the service process must never load a native solver. The
service side knows a backend only through its `BackendSpec`: name, module, capabilities, scope,
and, for backends that orchestrate other solves from the calling process, an `orchestrator`
module. Dispatch and selection read these declarations and name no backend.
"""

import importlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from pydantic import BaseModel, Field

from models import ProblemKind, Result, SolveOptions, SolveRequest, Status, Termination
from models.problem import Problem, Solution
from models.result import MemberReport
from models.simulation import KpiStat, SimulationReport

if TYPE_CHECKING:
    from solvers.runtime.pool import WorkerPool
    from solvers.runtime.runner import RunLimits


@dataclass(frozen=True)
class Capabilities:
    """What a backend can do, as shown by GET /solvers and used by `auto` selection."""

    families: frozenset[ProblemKind]
    exact: bool
    reports_bound: bool
    warm_start: bool
    deterministic: bool
    multi_objective: bool = False
    simulation: frozenset[ProblemKind] = frozenset()
    """Families for which the backend itself answers requests carrying a `simulation` block."""


@dataclass(frozen=True)
class BackendSpec:
    """A registered backend, known without importing its solver library."""

    name: str
    module: str
    description: str
    capabilities: Capabilities
    requires: tuple[str, ...] = ()
    """Import names that must be importable; their absence makes the backend unavailable."""
    version_of: str | None = None
    """Distribution whose version is reported as the solver version."""
    scope: "Callable[[SolveRequest], str | None] | str | None" = None
    """Why the backend cannot answer a request its families and objectives admit (None: it can): a
    function, or `"module:function"` when it lives in the backend's package (named, like `module`,
    so that declaring a backend imports nothing of it). Must stay light: it runs in the service."""
    orchestrator: str | None = None
    """Module exporting `orchestrate(request, env) -> RawResult`, run in the calling process: the
    backend drives child solves, worker pools or simulations itself (portfolio, simopt)."""
    orchestrated_families: frozenset[ProblemKind] | None = None
    """Families the orchestrator handles (None: all); the others run `module` in a child process."""

    def why_out_of_scope(self, request: SolveRequest) -> str | None:
        """The declared scope's objection to `request`, if any."""
        if self.scope is None:
            return None
        check = self.scope
        if isinstance(check, str):
            module, _, function = check.partition(":")
            check = getattr(importlib.import_module(module), function)
        return check(request)

    def orchestrates(self, problem: Problem) -> bool:
        """True when this problem is answered by the in-process orchestrator, not a child solve."""
        if self.orchestrator is None:
            return False
        families = self.orchestrated_families
        return families is None or ProblemKind(problem.kind) in families


class FrontPoint(BaseModel):
    """One point of a multi-objective answer: the solution and its claimed objective vector."""

    objectives: list[float]
    """In the order of `problem.criteria()`; the service recomputes every criterion it can measure
    from the solution alone and keeps the claimed value only for simulated ones (staffing waits)."""
    solution: Solution
    kpis: dict[str, KpiStat] | None = None
    """Simulated points: each KPI's mean and confidence interval."""


class RawResult(BaseModel):
    """A backend's answer before the service checks it: what it claims, not yet verified.

    Multi-objective backends fill `front` (mutually non-dominated or not: the service filters);
    `status` is `optimal` only when the method proved the front complete.
    """

    status: Status
    termination: Termination
    solution: Solution | None = None
    objective: float | None = None
    bound: float | None = None
    bound_source: str | None = None
    native_status: str = ""
    log: str = ""
    build_time: float = 0.0
    solve_time: float = 0.0
    warnings: list[str] = Field(default_factory=list)
    front: list[FrontPoint] | None = None
    found_by: str | None = None
    """Composite backends (portfolio): the member whose solution this is."""
    bound_by: str | None = None
    """Composite backends (portfolio): the member whose bound this is (`bound_source`: how it proved it)."""
    members: list[MemberReport] | None = None
    """Composite backends (portfolio): each member's own best objective and bound."""
    simulation: SimulationReport | None = None
    """Simulated answers: the statistics of the returned plan (or of the front's compromise point)."""


class Incumbent(BaseModel):
    """Progress while solving: the best solution so far and the best bound so far."""

    objective: float | None = None
    bound: float | None = None
    solution: Solution | None = None
    bound_source: str | None = None
    """What proves `bound` when it is not the reporting backend's own (a family's certified bound
    reported with a quick solution); None: the backend's."""


ProgressSink = Callable[[Incumbent], None]


@dataclass
class SolveContext:
    """Everything a backend needs besides the problem: options, the clock, a progress sink."""

    options: SolveOptions
    progress: ProgressSink = field(default=lambda _incumbent: None)
    started: float = field(default_factory=time.monotonic)

    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def remaining(self) -> float:
        """Seconds left of the time limit (never negative); solvers get this as their own limit."""
        return max(0.0, self.options.time_limit - self.elapsed())


class SolveFunction(Protocol):
    """The one function each backend module exports (besides, optionally, `warm_up()`, which a
    solve process started ahead of requests calls once to load compiled kernels)."""

    def __call__(self, problem: Problem, context: SolveContext) -> RawResult: ...


@dataclass
class Orchestration:
    """What an orchestrating backend gets from dispatch: the means to run child solves and inner
    requests under the same limits, progress sink and stop signal as the request itself."""

    registry: Any
    """The `solvers.registry.Registry` the request was dispatched from."""
    limits: "RunLimits"
    progress: ProgressSink
    cancelled: Callable[[], bool]
    pool: "WorkerPool | None"
    solve: "InnerSolve"
    """Dispatches an inner request (its own selection, child process, finalize)."""
    version: str | None = None
    """The orchestrating backend's reported version."""


class InnerSolve(Protocol):
    """`Orchestration.solve`: an inner request solved like any other; its incumbents go to
    `progress` when given (an orchestrator passes its own sink when they answer the same problem)."""

    def __call__(self, request: SolveRequest, progress: ProgressSink | None = None, /) -> Result: ...


class OrchestrateFunction(Protocol):
    """The function an `orchestrator` module exports; `request.options` are already capped."""

    def __call__(self, request: SolveRequest, env: Orchestration) -> RawResult: ...
