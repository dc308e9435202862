"""Which backend answers a request: the caller's choice checked, or `auto` by family and size.

The `auto` preferences come from the measurements in bench/RESULTS.md; each list is tried in
order and the first available backend that supports the problem wins.
"""

from dataclasses import dataclass

from models import FacilityLocationProblem, KnapsackProblem, ProblemKind, TspProblem
from models.problem import Problem, is_multi_objective
from solvers.backends.epsilon.scope import why_not
from solvers.contract import BackendSpec
from solvers.registry import Registry, UnknownBackend, availability


@dataclass
class SelectionError(Exception):
    """The request names a backend that cannot answer it."""

    code: str
    message: str


LARGE_FACILITY = 5000
"""Above this many facility x customer pairs the Lagrangian backend beats a plain MIP (bench/RESULTS.md)."""
SMALL_TSP = 200
"""Up to this many nodes an exact TSP method is preferred; above it a local search. Measured
(bench/tsp_exact.py, 30 s, 2-core machine at load 2-3): highs proves all 13 TSPLIB instances of
51-200 cities optimal, 11 of them in 1.5-4 s, pr76 in 9-17 s and kroA200 in 17-23 s; when it
runs out of time it still returns the local search's tour with a bound (within 0.1% there)."""


def preferences(problem: Problem) -> list[str]:
    """Backends in order of preference for this problem (from bench/RESULTS.md)."""
    kind = ProblemKind(problem.kind)
    if is_multi_objective(problem):
        return ["nsga2", "epsilon"]
    if kind is ProblemKind.staffing:
        return ["simopt"]
    if kind is ProblemKind.knapsack:
        assert isinstance(problem, KnapsackProblem)
        if problem.dimensions == 1:
            return ["knapsack_exact", "cbc", "highs"]
        return ["cbc", "highs", "pyomo"]
    if kind is ProblemKind.tsp:
        assert isinstance(problem, TspProblem)
        if problem.size <= SMALL_TSP:
            return ["highs", "cpsat", "cbc", "tsp_ls", "routing"]
        return ["tsp_ls", "routing", "highs"]
    if kind is ProblemKind.facility_location:
        assert isinstance(problem, FacilityLocationProblem)
        if len(problem.facilities) * len(problem.customers) > LARGE_FACILITY:
            return ["facility", "highs", "cbc", "pyomo"]
        return ["highs", "facility", "cbc", "pyomo"]
    return ["cpsat", "highs", "cbc"]


def supports(spec: BackendSpec, problem: Problem) -> bool:
    if ProblemKind(problem.kind) not in spec.capabilities.families:
        return False
    if is_multi_objective(problem) != spec.capabilities.multi_objective:
        return False
    if spec.name == "epsilon":
        return why_not(problem) is None
    return not (spec.name == "knapsack_exact" and isinstance(problem, KnapsackProblem) and problem.dimensions > 1)


def select(registry: Registry, name: str, problem: Problem) -> BackendSpec:
    """The backend to run, or a SelectionError saying why none can."""
    if name != "auto":
        return _check_named(registry, name, problem)
    for candidate in preferences(problem):
        if candidate in registry.names():
            spec = registry.get(candidate)
            if supports(spec, problem) and availability(spec).usable:
                return spec
    for spec in registry.specs():
        if supports(spec, problem) and availability(spec).usable:
            return spec
    raise SelectionError("no_backend", f"no available backend supports {problem.kind} problems")


def _check_named(registry: Registry, name: str, problem: Problem) -> BackendSpec:
    try:
        spec = registry.get(name)
    except UnknownBackend:
        known = ", ".join(["auto", *registry.names()])
        raise SelectionError("unknown_solver", f"unknown solver {name!r}; choose one of: {known}") from None
    if not supports(spec, problem):
        raise SelectionError("unsupported_problem", f"solver {name!r} does not solve this {problem.kind} problem")
    state = availability(spec)
    if not state.usable:
        raise SelectionError("solver_unavailable", f"solver {name!r} is unavailable here: {state.reason}")
    return spec
