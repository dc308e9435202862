"""The constructive scheduling heuristic: feasible, fast, honest about its objective and bounds."""

import time

import pytest

from solvers.families.scheduling.data import flatten
from solvers.families.scheduling.heuristic import (
    MAKESPAN_RULES,
    best_schedule,
    build,
    heuristic_solution,
    makespan_lower_bound,
    objective,
    to_solution,
)
from tests.solvers.cases import (
    FT06,
    FT10,
    LA01,
    brute_force_schedule,
    jsplib,
    parallel_with_setups,
    released_with_due_dates,
    schedule_objective,
    schedule_violations,
)


@pytest.mark.parametrize("name", ["ft10", "parallel_50x5_setups"])
def test_the_heuristic_is_feasible_and_fast(name: str) -> None:
    problem = jsplib(FT10) if name == "ft10" else parallel_with_setups()
    started = time.perf_counter()
    solution, value = heuristic_solution(flatten(problem))
    elapsed = time.perf_counter() - started
    assert schedule_violations(problem, solution) == []
    assert value == schedule_objective(problem, solution)
    assert elapsed < 0.5, f"{name}: {elapsed:.3f} s"


def test_every_rule_gives_a_feasible_schedule() -> None:
    problem = parallel_with_setups(n_jobs=12, n_machines=3, seed=4)
    data = flatten(problem)
    for rule in MAKESPAN_RULES:
        placements = build(data, rule)
        assert schedule_violations(problem, to_solution(data, placements)) == [], rule


def test_releases_alternatives_setups_and_tardiness_are_respected() -> None:
    problem = released_with_due_dates()
    solution, value = heuristic_solution(flatten(problem))
    assert schedule_violations(problem, solution) == []
    assert value == pytest.approx(schedule_objective(problem, solution))


def test_the_best_rule_is_kept() -> None:
    data = flatten(jsplib(LA01))
    best = best_schedule(data)
    assert best.objective == min(objective(data, build(data, rule)) for rule in MAKESPAN_RULES)


@pytest.mark.parametrize(("text", "optimum"), [(FT06, 55), (LA01, 666), (FT10, 930)])
def test_the_lower_bound_is_below_the_optimum_and_the_heuristic_above(text: str, optimum: int) -> None:
    data = flatten(jsplib(text))
    assert 0 < makespan_lower_bound(data) <= optimum <= best_schedule(data).objective


def test_the_lower_bound_holds_with_parallel_machines() -> None:
    problem = parallel_with_setups(n_jobs=6, n_machines=2, seed=3)
    data = flatten(problem)
    assert makespan_lower_bound(data) <= brute_force_schedule(problem) <= best_schedule(data).objective
