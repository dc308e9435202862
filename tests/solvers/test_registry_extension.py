"""Adding a backend is one module plus one declaration: dispatch and selection take it unchanged."""

from models import KnapsackProblem, ProblemKind, SolveRequest, Status
from solvers.contract import BackendSpec, Capabilities
from solvers.dispatch import solve
from solvers.registry import Registry, load_builtin
from solvers.selection import SelectionError, select

PROBLEM = KnapsackProblem.model_validate({"kind": "knapsack", "capacity": 10, "items": [
    {"id": "A", "weight": 5, "value": 10}, {"id": "B", "weight": 4, "value": 40},
    {"id": "C", "weight": 6, "value": 30}, {"id": "D", "weight": 3, "value": 50}]})
CAPABILITIES = Capabilities(frozenset({ProblemKind.knapsack}), exact=False, reports_bound=False, warm_start=False,
                            deterministic=True)
TOY = BackendSpec(name="toy", module="tests.toy_backend", description="greedy", capabilities=CAPABILITIES)
TOY_ORCHESTRATOR = BackendSpec(name="toy_twice", module="tests.toy_backend", description="orchestrates toy",
                               capabilities=CAPABILITIES, orchestrator="tests.toy_backend")


def registry(*specs: BackendSpec) -> Registry:
    registry = load_builtin()
    for spec in specs:
        registry.register(spec)
    return registry


def test_a_registered_toy_backend_solves_through_dispatch_and_is_verified() -> None:
    result = solve(SolveRequest(problem=PROBLEM, solver="toy"), registry(TOY))
    assert result.solver.name == "toy" and result.verified
    assert result.status is Status.feasible and result.objective == 90.0  # greedy happens to hit the optimum
    assert result.solution is not None and sorted(result.solution.selected) == ["B", "D"]  # type: ignore[union-attr]


def test_auto_follows_the_registry_preferences_for_a_new_backend() -> None:
    preferring = Registry(preferences=lambda _problem: ["toy"])
    preferring.register(TOY)
    assert select(preferring, SolveRequest(problem=PROBLEM)).name == "toy"


def test_a_toy_orchestrator_runs_in_process_and_its_answer_is_finalized() -> None:
    result = solve(SolveRequest(problem=PROBLEM, solver="toy_twice"), registry(TOY, TOY_ORCHESTRATOR))
    assert result.solver.name == "toy_twice" and result.verified and result.objective == 90.0


def test_a_scope_refusal_names_the_reason() -> None:
    picky = BackendSpec(name="picky", module="tests.toy_backend", description="", capabilities=CAPABILITIES,
                        scope=lambda request: "picky refuses everything")
    try:
        select(registry(picky), SolveRequest(problem=PROBLEM, solver="picky"))
    except SelectionError as error:
        assert error.code == "unsupported_problem" and "picky refuses everything" in error.message
    else:
        raise AssertionError("a scope refusal must raise")
