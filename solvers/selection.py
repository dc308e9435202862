"""Which backend answers a request: the caller's choice checked, or `auto` by the registry's order.

Nothing here names a backend. A backend takes a request when the request's family is among its
declared families, its single/multi-objective kind matches, a `simulation` block (if any) is one
it handles, and its declared `scope` raises no objection. A request with a `simulation` block
naming a backend that does not simulate is answered by a simulating orchestrator, which then
uses the named backend for its deterministic solve.
"""

from dataclasses import dataclass

from models import ProblemKind, SolveRequest
from models.problem import is_multi_objective
from solvers.contract import BackendSpec
from solvers.registry import Registry, UnknownBackend, availability


@dataclass
class SelectionError(Exception):
    """The request names a backend that cannot answer it."""

    code: str
    message: str


def why_not(spec: BackendSpec, request: SolveRequest) -> str | None:
    """None when `spec` can answer `request`, else the reason it cannot."""
    problem = request.problem
    kind = ProblemKind(problem.kind)
    capabilities = spec.capabilities
    if kind not in capabilities.families:
        return f"{spec.name} does not solve {kind.value} problems"
    if is_multi_objective(problem) != capabilities.multi_objective:
        wanted = "several objectives" if is_multi_objective(problem) else "a single objective"
        return f"{spec.name} does not solve {kind.value} problems with {wanted}"
    if request.simulation is not None and kind not in capabilities.simulation:
        return f"{spec.name} does not evaluate {kind.value} answers by simulation"
    return spec.why_out_of_scope(request)


def supports(spec: BackendSpec, request: SolveRequest) -> bool:
    return why_not(spec, request) is None


def select(registry: Registry, request: SolveRequest) -> BackendSpec:
    """The backend to run, or a SelectionError saying why none can."""
    if request.solver != "auto":
        spec = _named(registry, request.solver)
        if request.simulation is not None and why_not(spec, request) is not None:
            inner = request.model_copy(update={"simulation": None})
            _check(spec, inner)  # the named backend must still answer the deterministic problem
            return _first_usable(registry, request)
        _check(spec, request)
        return spec
    return _first_usable(registry, request)


def _first_usable(registry: Registry, request: SolveRequest) -> BackendSpec:
    for spec in registry.in_preference_order(request):
        if supports(spec, request) and availability(spec).usable:
            return spec
    raise SelectionError("no_backend", f"no available backend supports this {request.problem.kind} request")


def _named(registry: Registry, name: str) -> BackendSpec:
    try:
        return registry.get(name)
    except UnknownBackend:
        known = ", ".join(["auto", *registry.names()])
        raise SelectionError("unknown_solver", f"unknown solver {name!r}; choose one of: {known}") from None


def _check(spec: BackendSpec, request: SolveRequest) -> None:
    reason = why_not(spec, request)
    if reason is not None:
        raise SelectionError("unsupported_problem", f"solver {spec.name!r} cannot answer this request: {reason}")
    state = availability(spec)
    if not state.usable:
        raise SelectionError("solver_unavailable", f"solver {spec.name!r} is unavailable here: {state.reason}")
