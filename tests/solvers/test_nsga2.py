"""NSGA-II through dispatch: verified, mutually non-dominated fronts; reproducible under a seed."""

import pytest

from models import SolveOptions, SolveRequest, Status, Termination, TspProblem
from models.problem import Problem
from models.result import Result
from solvers import pareto
from solvers.dispatch import solve
from solvers.evaluators.vector import senses
from solvers.registry import load_builtin
from tests.solvers.multiobjective_cases import (
    biobjective_knapsack,
    biobjective_tsp,
    check_front,
    facility,
    job_shop,
    knapsack_front,
    tsp_front,
)

REGISTRY = load_builtin()


def run(problem: Problem, solver: str = "nsga2", **options: float) -> Result:
    settings = {"time_limit": 20.0, "seed": 3, **options}
    return solve(SolveRequest(problem=problem, solver=solver, options=SolveOptions.model_validate(settings)), REGISTRY)


def test_auto_sends_a_multi_objective_request_beyond_the_exact_sweep_to_nsga2() -> None:
    """Bi-objective knapsacks go to `front` (tests/solvers/test_front.py); a TSP front to NSGA-II."""
    result = run(biobjective_tsp(), solver="auto", iteration_limit=5)
    assert result.solver.name == "nsga2"


def test_knapsack_front_is_verified_non_dominated_and_reproducible() -> None:
    problem = biobjective_knapsack(20)
    first = run(problem, iteration_limit=40)
    assert first.status is Status.feasible and first.termination is Termination.iteration_limit
    vectors = check_front(problem, first)
    second = run(problem, iteration_limit=40)
    assert [p.model_dump() for p in second.pareto_front or []] == [p.model_dump() for p in first.pareto_front or []]
    assert vectors == check_front(problem, second)
    other_seed = run(problem, iteration_limit=40, seed=4)
    check_front(problem, other_seed)


def test_knapsack_hypervolume_is_close_to_the_exact_front() -> None:
    problem = biobjective_knapsack(12)
    exact = knapsack_front(problem)
    reference = pareto.default_reference_point(exact, senses(problem))
    found = check_front(problem, run(problem, iteration_limit=60))
    ratio = pareto.hypervolume(found, reference, senses(problem)) / pareto.hypervolume(exact, reference,
                                                                                       senses(problem))
    assert ratio >= 0.9


def test_small_tsp_front_is_found_exactly() -> None:
    problem = biobjective_tsp()
    assert check_front(problem, run(problem, iteration_limit=60)) == tsp_front(problem)


@pytest.mark.parametrize("single_source", [False, True])
def test_facility_front_with_three_criteria(single_source: bool) -> None:
    problem = facility(single_source=single_source)
    result = run(problem, iteration_limit=30)
    assert len(check_front(problem, result)) >= 2
    assert result.reference_point is not None and len(result.reference_point) == 3


def test_scheduling_front_and_warm_start() -> None:
    problem = job_shop()
    result = run(problem, iteration_limit=30)
    check_front(problem, result)
    assert result.pareto_front is not None
    quickest = min(result.pareto_front, key=lambda point: point.objectives[0])
    warm = run(problem, iteration_limit=2, warm_start=quickest.solution)  # type: ignore[arg-type]
    assert min(vector[0] for vector in check_front(problem, warm)) <= quickest.objectives[0]


def test_time_limit_stops_the_search() -> None:
    result = run(biobjective_knapsack(200), time_limit=2.0)
    assert result.termination is Termination.time_limit
    assert result.timings.total < 2.0 + 3.0
    assert result.pareto_front


def test_instances_too_small_for_the_operators() -> None:
    tiny_tsp = TspProblem.model_validate({"kind": "tsp", "distances": [[0, 3], [4, 0]],
                                          "extra_costs": [[[0, 1], [1, 0]]], "objectives": ["length", "extra_cost_0"]})
    assert check_front(tiny_tsp, run(tiny_tsp)) == [[7.0, 2.0]]
    two_items = biobjective_knapsack(2, seed=3)
    assert check_front(two_items, run(two_items)) == knapsack_front(two_items)
