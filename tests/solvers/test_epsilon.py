"""Epsilon-constraint through dispatch: the complete exact front, or an honest partial one."""

import pytest

from models import SolveOptions, SolveRequest, Status, Termination
from models.problem import Problem
from models.result import Result
from solvers.dispatch import solve
from solvers.registry import load_builtin
from solvers.selection import SelectionError
from tests.solvers.multiobjective_cases import (
    biobjective_knapsack,
    check_front,
    facility,
    facility_front,
    job_shop,
    knapsack_front,
)

REGISTRY = load_builtin()


def run(problem: Problem, time_limit: float = 30.0) -> Result:
    request = SolveRequest(problem=problem, solver="epsilon", options=SolveOptions(time_limit=time_limit))
    return solve(request, REGISTRY)


@pytest.mark.parametrize(("n", "seed"), [(12, 1), (12, 7), (16, 3)])
def test_front_is_complete_and_exact(n: int, seed: int) -> None:
    problem = biobjective_knapsack(n, seed)
    result = run(problem)
    assert result.status is Status.optimal and result.termination is Termination.completed
    assert check_front(problem, result) == knapsack_front(problem)


def test_one_integral_criterion_is_enough() -> None:
    problem = biobjective_knapsack(12, 5)
    for item in problem.items:
        assert item.values is not None
        item.values[0] += 0.25
    result = run(problem)
    assert result.status is Status.optimal
    assert check_front(problem, result) == knapsack_front(problem)


@pytest.mark.parametrize("single_source", [False, True])
def test_facility_cost_against_max_distance_is_exact(single_source: bool) -> None:
    problem = facility(seed=6, single_source=single_source, m=4, n=6, objectives=("max_distance", "cost"))
    result = run(problem)
    assert result.status is Status.optimal and result.termination is Termination.completed
    found, exact = check_front(problem, result), facility_front(problem)
    assert len(found) == len(exact) >= 2
    for a, b in zip(found, exact, strict=True):
        assert a == pytest.approx(b, rel=1e-6)


def test_time_limit_leaves_a_partial_front() -> None:
    result = run(biobjective_knapsack(100, 2), time_limit=1.0)
    assert result.status is Status.feasible and result.termination is Termination.time_limit
    assert result.pareto_front and result.timings.total < 1.0 + 3.0


def test_requests_outside_its_scope_are_refused() -> None:
    three = biobjective_knapsack(6).model_copy(update={"objectives": None})
    for item in three.items:
        item.values = [*(item.values or []), 1.0]
    three.objectives = ["value_0", "value_1", "value_2"]
    fractional = biobjective_knapsack(6)
    for item in fractional.items:
        item.values = [v + 0.5 for v in item.values or []]
    for problem in (three, fractional, facility(), job_shop()):
        with pytest.raises(SelectionError):
            solve(SolveRequest(problem=problem, solver="epsilon"), REGISTRY)
