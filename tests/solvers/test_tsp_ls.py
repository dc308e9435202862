"""tsp_ls: the iterated local search backend, through the child-process runner, and its kernels.

The first test to run may pay the numba compile (several seconds, once per checkout: the kernels
are cached next to the module); `python -m solvers.families.tsp.local_search` fills the cache.
"""

import random

import numpy as np
import pytest

from models import SolveOptions, Status, Termination, TspProblem, TspSolution
from solvers.families.tsp import local_search as ls
from solvers.families.tsp.distance import distance_matrix, tour_length
from solvers.formats.manifest import BenchmarkLibrary, load_manifest, select
from solvers.registry import load_builtin
from solvers.runtime.runner import RunLimits, run_backend
from tests import brute, instances

SPEC = load_builtin().get("tsp_ls")
@pytest.fixture(scope="module", autouse=True)
def compiled_kernels() -> None:
    """Compile (or load) the kernels once here, so no timed solve below pays the JIT."""
    ls.warm_up()


def _solve(problem: TspProblem, **options: object):  # type: ignore[no-untyped-def]
    return run_backend(SPEC, problem, SolveOptions.model_validate(options), RunLimits(grace=2.0))


def _check_tour(problem: TspProblem, raw) -> list[int]:  # type: ignore[no-untyped-def]
    assert isinstance(raw.solution, TspSolution)
    tour = raw.solution.tour
    assert sorted(tour) == list(range(problem.size))
    assert tour[0] == 0
    assert raw.objective == pytest.approx(tour_length(distance_matrix(problem), tour))
    return tour


def _berlin52() -> TspProblem:
    entry = select(load_manifest(), problems={"tsp"}, names=["berlin52"])[0]
    problem = BenchmarkLibrary().load(entry).problem
    assert isinstance(problem, TspProblem)
    return problem


def test_berlin52_within_one_percent_in_two_seconds() -> None:
    problem = _berlin52()
    raw = _solve(problem, time_limit=2.0, seed=0)
    _check_tour(problem, raw)
    assert raw.status is Status.feasible
    assert raw.termination in {Termination.time_limit, Termination.completed}
    assert raw.objective <= 7542 * 1.01
    assert raw.bound is not None and raw.bound <= 7542
    assert raw.solve_time + raw.build_time < 2.0


def test_same_seed_and_iteration_limit_give_the_same_tour() -> None:
    rng = random.Random(17)
    coords = [[rng.uniform(0, 1000), rng.uniform(0, 1000)] for _ in range(150)]
    problem = TspProblem.model_validate({"kind": "tsp", "coordinates": coords, "metric": "euc_2d"})
    first = _solve(problem, time_limit=20, seed=5, iteration_limit=3000)
    second = _solve(problem, time_limit=20, seed=5, iteration_limit=3000)
    assert first.termination is Termination.iteration_limit
    assert _check_tour(problem, first) == _check_tour(problem, second)
    assert first.objective == second.objective


def test_eight_nodes_reach_the_brute_force_optimum() -> None:
    problem = instances.tsp_coordinates()
    raw = _solve(problem, time_limit=5, seed=1, iteration_limit=200)
    _check_tour(problem, raw)
    assert raw.objective == pytest.approx(brute.tsp_optimum(problem))
    assert raw.termination is Termination.iteration_limit


def test_asymmetric_matrix_gives_a_valid_tour() -> None:
    problem = instances.tsp_asymmetric()
    raw = _solve(problem, time_limit=5, seed=2, iteration_limit=300)
    _check_tour(problem, raw)
    assert raw.status is Status.feasible
    assert raw.objective == pytest.approx(brute.tsp_optimum(problem))
    assert raw.bound is not None and raw.bound <= raw.objective + 1e-9


def test_larger_asymmetric_matrix_stays_consistent() -> None:
    """Moves that keep path directions: the tracked length equals the recomputed one."""
    rng = np.random.default_rng(4)
    matrix = rng.integers(1, 1000, size=(120, 120)).astype(float)
    np.fill_diagonal(matrix, 0)
    search = ls.IteratedLocalSearch(matrix, seed=3)
    assert not search.symmetric
    search.descend(1 << 30)
    search.kick(2000)
    assert search.length == pytest.approx(search.exact_length())
    assert sorted(search.best().tolist()) == list(range(120))


def test_warm_start_is_used_and_tiny_instances_are_enumerated() -> None:
    problem = instances.tsp_coordinates()
    warm = TspSolution(tour=[0, 7, 6, 5, 4, 3, 2, 1])
    raw = _solve(problem, time_limit=5, seed=0, iteration_limit=10, warm_start=warm.model_dump())
    _check_tour(problem, raw)
    assert "warm start" in raw.native_status
    tiny = TspProblem.model_validate({"kind": "tsp", "distances": [[0, 1, 5], [2, 0, 1], [1, 9, 0]]})
    raw = _solve(tiny, time_limit=2)
    assert raw.status is Status.optimal and raw.objective == 3


def test_time_limit_is_respected_and_incumbents_reported() -> None:
    rng = random.Random(9)
    coords = [[rng.uniform(0, 1000), rng.uniform(0, 1000)] for _ in range(600)]
    problem = TspProblem.model_validate({"kind": "tsp", "coordinates": coords, "metric": "euclidean"})
    seen: list[float] = []
    raw = run_backend(SPEC, problem, SolveOptions(time_limit=4.0, seed=0), RunLimits(grace=1.0),
                      progress=lambda incumbent: seen.append(incumbent.objective or 0.0))
    assert raw.termination is Termination.time_limit
    assert raw.native_status != "killed at the service deadline"
    _check_tour(problem, raw)
    assert raw.objective is not None and seen and seen[-1] >= raw.objective - 1e-6
    assert seen == sorted(seen, reverse=True)


@pytest.mark.parametrize("n", [4, 5, 9])
def test_small_random_instances_match_brute_force(n: int) -> None:
    rng = np.random.default_rng(n)
    points = rng.random((n, 2)) * 100
    problem = TspProblem.model_validate({"kind": "tsp", "coordinates": points.tolist(), "metric": "euclidean"})
    matrix = distance_matrix(problem)
    search = ls.IteratedLocalSearch(matrix, seed=0)
    search.descend(1 << 30)
    search.kick(500)
    assert search.exact_length() == pytest.approx(brute.tsp_optimum(problem))
