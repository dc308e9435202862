"""The routing backend through the runner: tour quality, an honest 1-tree bound, warm starts."""

import time
from collections.abc import Iterator

import pytest

from models import SolveOptions, Status, Termination, TspProblem, TspSolution
from solvers.contract import Incumbent, RawResult
from solvers.families.tsp.distance import distance_matrix, tour_length
from solvers.registry import load_builtin
from solvers.runtime.pool import WorkerPool
from solvers.runtime.runner import RunLimits, run_backend
from tests import brute
from tests.instances import tsp_asymmetric, tsp_coordinates
from tests.solvers.cases import berlin52

ROUTING = load_builtin().get("routing")
BERLIN52_OPTIMUM = 7542
TWO_NODES = TspProblem.model_validate({"kind": "tsp", "distances": [[0, 4], [3, 0]]})


@pytest.fixture(scope="module")
def pool() -> Iterator[WorkerPool]:
    """A warm routing process, as the service keeps one: time limits then measure the search."""
    workers = WorkerPool()
    run_backend(ROUTING, TWO_NODES, SolveOptions(time_limit=5), pool=workers)
    yield workers
    workers.close()


def solve(problem: TspProblem, time_limit: float, pool: WorkerPool | None = None,
          **options: object) -> tuple[RawResult, list[Incumbent], float]:
    events: list[Incumbent] = []
    started = time.monotonic()
    settings = SolveOptions.model_validate({"time_limit": time_limit, **options})
    raw = run_backend(ROUTING, problem, settings, RunLimits(grace=1.0),
                      progress=events.append, pool=pool)
    return raw, events, time.monotonic() - started


def test_berlin52_within_two_percent_in_five_seconds_with_a_real_bound(pool: WorkerPool) -> None:
    raw, events, elapsed = solve(berlin52(), time_limit=5, pool=pool)  # GLS is time-driven: 3 s gave 2.2% here
    assert elapsed < 5 + 1.0
    assert raw.status is Status.feasible, "a heuristic never claims optimality"
    assert raw.objective is not None and raw.objective <= 1.02 * BERLIN52_OPTIMUM
    assert raw.bound_source == "held_karp_1tree"
    assert raw.bound is not None and 0.9 * BERLIN52_OPTIMUM < raw.bound <= BERLIN52_OPTIMUM
    assert isinstance(raw.solution, TspSolution) and sorted(raw.solution.tour) == list(range(52))
    assert raw.objective == tour_length(distance_matrix(berlin52()), raw.solution.tour)
    assert events and all(e.bound == raw.bound for e in events)


@pytest.mark.parametrize("make", [tsp_coordinates, tsp_asymmetric], ids=["euc_2d", "asymmetric"])
def test_small_instances_reach_the_optimum(make) -> None:  # type: ignore[no-untyped-def]
    problem: TspProblem = make()
    optimum = brute.tsp_optimum(problem)
    raw, _, _ = solve(problem, time_limit=2)
    assert raw.status is Status.feasible
    assert raw.objective == pytest.approx(optimum)
    assert raw.bound is not None and raw.bound <= optimum


def test_the_search_stops_once_the_bound_is_reached() -> None:
    raw, _, elapsed = solve(tsp_coordinates(), time_limit=20)
    assert raw.objective == raw.bound and raw.termination is Termination.completed
    assert elapsed < 10


def test_a_warm_start_is_the_first_incumbent() -> None:
    problem = berlin52()
    tour = list(range(52))
    raw, events, _ = solve(problem, time_limit=2, warm_start=TspSolution(tour=tour))
    assert events[0].objective == tour_length(distance_matrix(problem), tour)
    assert raw.objective is not None and raw.objective < events[0].objective
    assert raw.warnings == []


def test_a_broken_warm_start_is_ignored_with_a_warning() -> None:
    raw, _, _ = solve(berlin52(), time_limit=1, warm_start=TspSolution(tour=[0, 1, 1]))
    assert raw.status is Status.feasible and any("warm start" in w for w in raw.warnings)


@pytest.mark.parametrize("distances", [[[0, 4], [3, 0]], [[0, 1, 5], [2, 0, 1], [1, 9, 0]]], ids=["two", "three"])
def test_two_and_three_nodes(distances: list[list[float]], pool: WorkerPool) -> None:
    problem = TspProblem.model_validate({"kind": "tsp", "distances": distances})
    raw, _, _ = solve(problem, time_limit=1, pool=pool)
    assert raw.objective == pytest.approx(brute.tsp_optimum(problem))
    assert raw.objective is not None
    assert raw.bound is not None and raw.bound <= raw.objective


def test_a_relative_gap_stops_the_search() -> None:
    raw, _, elapsed = solve(berlin52(), time_limit=20, relative_gap=0.1)
    assert raw.termination is Termination.gap_limit and raw.status is Status.feasible
    assert raw.objective is not None and raw.bound is not None
    assert (raw.objective - raw.bound) / raw.objective <= 0.1
    assert elapsed < 10
