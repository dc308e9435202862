"""Simulated answers say what was proven: staffing bounds valid for the problem as stated,
`time_limit` / `cancelled` when the clock or the caller cut a run short, progress published."""

import random
import time
from typing import Any

from models import KnapsackProblem, Result, SolveRequest, StaffingProblem, Status, Termination, TspProblem
from solvers.contract import Incumbent
from solvers.dispatch import solve
from solvers.registry import load_builtin

REGISTRY = load_builtin()


def staffing(**extra: Any) -> StaffingProblem:
    """One M/M/c station with offered load 3 (rate 3, mean service 1), 1..6 servers at cost 1 each."""
    return StaffingProblem.model_validate({
        "kind": "staffing", "arrivals": {"distribution": "exponential", "mean": 1 / 3},
        "stations": [{"id": "s", "service": {"distribution": "exponential", "mean": 1.0},
                      "servers": {"min": 1, "max": 6}, "cost_per_server": 1.0}],
        "horizon": 200, "warmup": 20, **extra})


def solved(problem: StaffingProblem, **options: Any) -> Result:
    return solve(SolveRequest(problem=problem, options={"time_limit": 30, **options},
                              simulation={"replications": 5, "seed": 1}), REGISTRY)


def test_without_constraints_the_stability_rule_is_stated_and_its_bound_named() -> None:
    result = solved(staffing())
    assert result.status is Status.optimal and result.objective == 4.0 and result.bound == 4.0
    assert result.bound_source is not None and "require_stability" in result.bound_source
    assert any("require_stability raises station 's' from servers.min 1 to 4" in w for w in result.warnings)


def test_without_the_stability_rule_the_cheapest_allocation_meeting_the_constraints_wins() -> None:
    for extra in ({}, {"constraints": [{"kpi": "wait_mean", "max": 1e6}]}):
        result = solved(staffing(require_stability=False, **extra))
        assert result.status is Status.optimal and result.objective == 1.0 and result.bound == 1.0
        assert result.bound_source is not None and "servers.min" in result.bound_source
        assert not any("require_stability" in w for w in result.warnings)


def test_an_unreachable_stability_requirement_is_infeasible_not_silently_capped() -> None:
    problem = staffing()
    problem.stations[0].servers.max = 3
    result = solved(problem)
    assert result.status is Status.infeasible and result.solution is None
    assert any("no allocation meets require_stability" in w for w in result.warnings)


def test_staffing_publishes_each_confirmed_allocation_as_progress() -> None:
    seen: list[Incumbent] = []
    problem = staffing(constraints=[{"kpi": "wait_mean", "max": 0.2}])
    result = solve(SolveRequest(problem=problem, options={"time_limit": 30}, simulation={"replications": 5}),
                   REGISTRY, progress=seen.append)
    assert result.objective is not None and seen, "every confirmed allocation is an incumbent event"
    assert seen[-1].objective == result.objective and seen[-1].bound == 4.0


def random_tour_problem(n: int) -> TspProblem:
    """Large enough that the plan GA cannot stagnate within a few seconds."""
    rng = random.Random(n)
    coordinates = [[rng.uniform(0, 100), rng.uniform(0, 100)] for _ in range(n)]
    return TspProblem.model_validate({"kind": "tsp", "coordinates": coordinates, "metric": "euc_2d"})


def random_knapsack(n: int) -> KnapsackProblem:
    rng = random.Random(n)
    items = [{"id": k, "weight": rng.randint(5, 50), "value": rng.randint(5, 50)} for k in range(n)]
    return KnapsackProblem.model_validate({"kind": "knapsack", "capacity": 10 * n, "items": items})


def test_a_plan_search_cut_by_the_clock_says_time_limit_and_keeps_a_verified_plan() -> None:
    began = time.monotonic()
    # 1.5 s: the deterministic start takes its minimum of 1 s, the search's 0.5 s cannot stagnate
    request = SolveRequest(problem=random_tour_problem(120), options={"time_limit": 1.5, "seed": 0},
                           simulation={"replications": 5, "model": {"travel_time": {"distribution": "lognormal",
                                                                                    "cv": 0.3}}})
    published: list[Incumbent] = []
    result = solve(request, REGISTRY, progress=published.append)
    assert time.monotonic() - began < 1.5 + 2.5
    assert result.termination is Termination.time_limit and result.verified and result.solution is not None
    assert len(published) >= 2 and published[-1].solution == result.solution  # the start, then each stage's best
    assert any("cut short by the time limit" in w for w in result.warnings)


def test_a_cancelled_plan_search_says_cancelled() -> None:
    began = time.monotonic()
    request = SolveRequest(problem=random_knapsack(300), options={"time_limit": 20, "seed": 0},
                           simulation={"replications": 5, "model": {"weight": {"distribution": "normal", "cv": 0.2}}})
    published: list[Incumbent] = []  # the deterministic start is published; cancel right after it
    result = solve(request, REGISTRY, progress=published.append, cancelled=lambda: bool(published))
    assert published and result.termination is Termination.cancelled and result.solution is not None
    assert result.verified and any("cut short by the cancel" in w for w in result.warnings)
    assert time.monotonic() - began < 10


def test_a_staffing_answer_in_heavy_traffic_warns_that_its_intervals_may_under_cover() -> None:
    problem = StaffingProblem.model_validate({
        "kind": "staffing", "arrivals": {"distribution": "exponential", "mean": 1 / 1.9},
        "stations": [{"id": "s", "service": {"distribution": "exponential", "mean": 1.0},
                      "servers": {"min": 2, "max": 2}}], "horizon": 500})
    result = solved(problem)
    assert result.objective == 2.0
    assert any("under-cover" in w for w in result.warnings), result.warnings
    calm = solved(staffing(horizon=5000))  # 4 servers at utilisation 0.75: ~360 relaxation times
    assert calm.objective == 4.0 and not any("under-cover" in w for w in calm.warnings), calm.warnings
    unstable = solved(staffing(require_stability=False))  # 1 server for an offered load of 3
    assert any("grow without bound" in w for w in unstable.warnings), unstable.warnings
