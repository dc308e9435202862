"""The CP-SAT backend through the runner: scheduling variants against brute force, TSP, warm starts."""

import time

import pytest

from models import ScheduleSolution, SchedulingProblem, SolveOptions, Status, Termination, TspProblem, TspSolution
from models.problem import Problem
from solvers.contract import Incumbent, RawResult
from solvers.families.tsp.distance import distance_matrix, tour_length
from solvers.families.tsp.generator import random_tsp
from solvers.families.tsp.start import ils_tour
from solvers.families.tsp.tools import nearest_neighbour_tour
from solvers.registry import load_builtin
from solvers.runtime.runner import RunLimits, run_backend
from tests import brute
from tests.instances import tsp_asymmetric, tsp_coordinates
from tests.solvers.cases import (
    FT06,
    FT10,
    LA01,
    berlin52,
    brute_force_schedule,
    jsplib,
    parallel_with_setups,
    released_with_due_dates,
    schedule_objective,
    schedule_violations,
)

CPSAT = load_builtin().get("cpsat")


def solve(problem: Problem, time_limit: float = 20.0, **options: object) -> tuple[RawResult, list[Incumbent], float]:
    events: list[Incumbent] = []
    started = time.monotonic()
    settings = SolveOptions.model_validate({"time_limit": time_limit, **options})
    raw = run_backend(CPSAT, problem, settings, RunLimits(grace=1.0),
                      progress=events.append)
    return raw, events, time.monotonic() - started


def scheduling(machines: list[str], jobs: list[dict[str, object]], **extra: object) -> SchedulingProblem:
    return SchedulingProblem.model_validate({"kind": "scheduling", "machines": machines, "jobs": jobs, **extra})


def flexible() -> SchedulingProblem:
    def alt(*pairs: tuple[str, int]) -> dict[str, object]:
        return {"alternatives": [{"machine": m, "duration": d} for m, d in pairs]}

    return scheduling(["M1", "M2", "M3"], [
        {"id": "J0", "operations": [alt(("M1", 3), ("M2", 5)), {"machine": "M3", "duration": 2}]},
        {"id": "J1", "operations": [alt(("M2", 2), ("M3", 4)), alt(("M1", 3), ("M3", 1))]},
        {"id": "J2", "operations": [{"machine": "M1", "duration": 4}, alt(("M2", 2), ("M3", 3))]},
    ])


def job_shop_with_setups() -> SchedulingProblem:
    ops = [[("A", 3), ("B", 2)], [("B", 4), ("A", 1)], [("A", 2), ("B", 3)]]
    return scheduling(["A", "B"], [
        {"id": f"J{j}", "operations": [{"machine": m, "duration": d} for m, d in steps]} for j, steps in enumerate(ops)
    ], setup_times={"A": [[0, 4, 1], [2, 0, 5], [3, 1, 0]], "B": [[0, 2, 6], [1, 0, 2], [4, 3, 0]]})


def assert_verified(problem: SchedulingProblem, raw: RawResult) -> None:
    assert isinstance(raw.solution, ScheduleSolution)
    assert schedule_violations(problem, raw.solution) == []
    assert raw.objective == pytest.approx(schedule_objective(problem, raw.solution))


def test_ft06_is_solved_and_proved_optimal() -> None:
    problem = jsplib(FT06)
    raw, events, _ = solve(problem)
    assert (raw.status, raw.termination) == (Status.optimal, Termination.completed)
    assert raw.objective == 55 and raw.bound == 55 and raw.bound_source == "cpsat"
    assert_verified(problem, raw)
    assert events and events[0].solution is not None, "the heuristic schedule is reported first"


def test_la01_reaches_666_within_seconds() -> None:
    problem = jsplib(LA01)
    raw, _, elapsed = solve(problem)
    assert raw.status is Status.optimal and raw.objective == 666
    assert_verified(problem, raw)
    assert elapsed < 10


@pytest.mark.parametrize("make", [flexible, job_shop_with_setups, lambda: parallel_with_setups(5, 2, seed=7),
                                  released_with_due_dates], ids=["flexible", "job_shop_setups",
                                                                 "parallel_setups", "release_tardiness"])
def test_small_variants_match_brute_force(make) -> None:  # type: ignore[no-untyped-def]
    problem = make()
    raw, _, _ = solve(problem)
    assert raw.status is Status.optimal
    assert raw.objective == pytest.approx(brute_force_schedule(problem))
    assert raw.bound == pytest.approx(raw.objective)
    assert_verified(problem, raw)


def test_weighted_tardiness_by_hand() -> None:
    # One machine. Orders and their weighted tardiness: B,A,C -> A ends 5 (2 late x 1), B on time,
    # C ends 9 (4 late x 0.5): 4.0. Every other order is worse (A,B,C 9.5; B,C,A 6.5; C,B,A 16).
    problem = scheduling(["M"], [
        {"id": "A", "due": 3, "weight": 1.0, "operations": [{"machine": "M", "duration": 3}]},
        {"id": "B", "due": 2, "weight": 2.5, "operations": [{"machine": "M", "duration": 2}]},
        {"id": "C", "due": 5, "weight": 0.5, "operations": [{"machine": "M", "duration": 4}]},
    ], objective="total_weighted_tardiness")
    raw, _, _ = solve(problem)
    assert raw.status is Status.optimal
    assert raw.objective == pytest.approx(4.0) and raw.bound == pytest.approx(4.0)
    assert isinstance(raw.solution, ScheduleSolution)
    assert [o.job for o in sorted(raw.solution.operations, key=lambda o: o.start)] == ["B", "A", "C"]


def test_a_warm_start_is_used_and_a_broken_one_reported() -> None:
    problem = jsplib(FT06)
    first, _, _ = solve(problem)
    assert isinstance(first.solution, ScheduleSolution)
    again, _, _ = solve(problem, warm_start=first.solution)
    assert again.status is Status.optimal and again.objective == 55 and again.warnings == []
    broken = ScheduleSolution.model_validate({"operations": [{"job": "nobody", "index": 0, "machine": "M0",
                                                                "start": 0, "end": 1}]})
    ignored, _, _ = solve(problem, warm_start=broken)
    assert ignored.objective == 55 and any("warm start" in w for w in ignored.warnings)


def test_a_big_setup_model_has_a_schedule_within_two_seconds() -> None:
    problem = parallel_with_setups()
    raw, events, _ = solve(problem, time_limit=2.0)
    assert raw.status is Status.feasible and raw.termination is Termination.time_limit
    assert_verified(problem, raw)
    assert raw.bound is not None and 0 < raw.bound <= raw.objective  # type: ignore[operator]
    assert events[0].objective is not None and events[0].objective >= raw.objective  # type: ignore[operator]


@pytest.mark.parametrize(("jobs", "machines", "optimum"), [(8, 2, 72), (8, 3, 41), (20, 2, 151), (20, 3, 86),
                                                           (20, 5, 52)])
def test_setup_instances_with_8_and_20_jobs_are_proven_optimal(jobs: int, machines: int, optimum: int) -> None:
    # Target 5 s: measured 0.3-5.0 s at load 6.5 (20 x 3 the slowest: CP-SAT's proof; 20 x 5 by the
    # exact cover in 1.4 s; raw CP-SAT does not prove 20 x 5 in 40 s). Generous wall limit for CI.
    problem = parallel_with_setups(jobs, machines, seed=1)
    raw, _, elapsed = solve(problem, time_limit=10.0)
    assert raw.status is Status.optimal and raw.objective == optimum and raw.bound == optimum
    assert_verified(problem, raw)
    assert elapsed < 8


def test_fifty_jobs_on_five_machines_get_a_real_bound_within_a_few_percent() -> None:
    # The bound is CP-SAT's LP with the per-machine load cut: 110 (109 at load 6-7). With the compiled
    # iterated greedy the schedule is 114 at load 1-8 (3.5%); the plain-Python one ended at 115-116.
    # The target is 5%, asserted at 6% for a loaded CI machine.
    problem = parallel_with_setups()
    raw, _, _ = solve(problem, time_limit=10.0)
    assert raw.objective is not None and raw.bound is not None
    assert raw.bound <= 113  # the best known schedule: a valid lower bound never exceeds it
    assert (raw.objective - raw.bound) / raw.objective <= 0.06
    assert_verified(problem, raw)


@pytest.mark.parametrize("make", [tsp_coordinates, tsp_asymmetric], ids=["euc_2d", "asymmetric"])
def test_small_tsp_matches_brute_force(make) -> None:  # type: ignore[no-untyped-def]
    problem: TspProblem = make()
    raw, _, _ = solve(problem)
    assert raw.status is Status.optimal
    assert raw.objective == pytest.approx(brute.tsp_optimum(problem))
    assert raw.bound == pytest.approx(raw.objective)


def test_non_integer_distances_are_scaled_and_the_objective_stays_true() -> None:
    problem = TspProblem.model_validate({**tsp_coordinates().model_dump(), "metric": "euclidean"})
    optimum = brute.tsp_optimum(problem)
    raw, _, _ = solve(problem)
    assert raw.objective == pytest.approx(optimum, rel=1e-5)
    assert raw.bound is not None and raw.bound <= optimum + 1e-9
    assert any("scaled" in w for w in raw.warnings)


def test_berlin52_is_solved_to_7542() -> None:
    raw, _, _ = solve(berlin52(), time_limit=30)
    assert raw.status is Status.optimal and raw.objective == 7542 and raw.bound == 7542
    assert isinstance(raw.solution, TspSolution) and sorted(raw.solution.tour) == list(range(52))


def test_a_relative_gap_stops_early_and_says_so() -> None:
    problem = jsplib(FT10)
    raw, _, elapsed = solve(problem, time_limit=30, relative_gap=0.25)
    assert (raw.status, raw.termination) == (Status.feasible, Termination.gap_limit)
    assert raw.bound is not None and raw.objective is not None
    assert (raw.objective - raw.bound) / raw.objective <= 0.25
    assert_verified(problem, raw)
    assert elapsed < 20


def test_a_mid_sized_tsp_starts_from_the_local_search_tour() -> None:
    """From the nearest-neighbour tour CP-SAT found no better one in 10 s on kroA200 (22% above the
    optimum); hinted with a short run of the iterated local search it answers near the optimum, in a
    process that has to load the local search's kernels first. Such a process runs the search only
    with 2 s left once loaded: at 3 s a clean-clone CI run had less (the process and OR-Tools loading
    beside the other test worker) and answered the nearest-neighbour start; 5 s leaves room."""
    problem = random_tsp(200, seed=3)
    matrix = distance_matrix(problem)
    reference = ils_tour(matrix, 0, 5.0)
    assert reference is not None
    raw, events, _ = solve(problem, time_limit=5.0)
    assert raw.objective is not None and raw.solution is not None
    nearest = tour_length(matrix, nearest_neighbour_tour(matrix))
    assert events[0].objective == pytest.approx(nearest)  # reported first, while the local search runs
    assert raw.objective <= 1.02 * tour_length(matrix, reference) < 0.95 * nearest


def test_a_tsp_too_large_to_model_in_time_answers_its_start_tour_with_the_one_tree_bound() -> None:
    """2,000 cities at 2 s: the circuit model is still being built at the limit; the run is answered
    at the margin with the start tour and the 1-tree bound reported before building, named as such
    (before: killed at the grace, its bound labelled `cpsat`)."""
    problem = random_tsp(2000, seed=5)
    raw, _, elapsed = solve(problem, time_limit=2.0)
    assert raw.status is Status.feasible and raw.termination is Termination.time_limit, raw.native_status
    assert elapsed < 2.0 + 0.9
    assert raw.bound is not None and raw.objective is not None and raw.bound <= raw.objective
    assert raw.bound_source == "held_karp_1tree"
