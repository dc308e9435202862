"""Partition crossover (`solvers.families.tsp.merge`) and the restarts that use it (`restarts`)."""

import re

import numpy as np
import pytest

from models import Metric, SolveOptions, Termination, TspProblem
from solvers.families.tsp import local_search as ls
from solvers.families.tsp.distance import Geometry
from solvers.families.tsp.merge import partition_crossover
from solvers.families.tsp.restarts import Restarts
from solvers.registry import load_builtin
from solvers.runtime.runner import RunLimits, run_backend


@pytest.fixture(scope="module", autouse=True)
def compiled_kernels() -> None:
    ls.warm_up()


def _circle(n: int) -> Geometry:
    """Points in convex position: the angular order is the only optimal tour."""
    angles = np.linspace(0.0, 2.0 * np.pi, n, endpoint=False)
    return Geometry(np.column_stack([np.cos(angles), np.sin(angles)]) * 1000.0, Metric.euclidean)


def _reversed(tour: np.ndarray, first: int, last: int) -> np.ndarray:
    out = tour.copy()
    out[first:last] = out[first:last][::-1]
    return out


def test_two_tours_each_wrong_in_one_place_give_the_optimum() -> None:
    geo = _circle(40)
    optimum = np.arange(40, dtype=np.int32)
    wrong_left = _reversed(optimum, 5, 11)  # a 2-opt defect: its reversed path is shared with the other tour
    wrong_right = _reversed(optimum, 25, 31)
    child, taken = partition_crossover(wrong_left, wrong_right, geo.kernel())
    assert child.tolist() == optimum.tolist()
    assert taken == 1
    assert geo.tour_length(child) < min(geo.tour_length(wrong_left), geo.tour_length(wrong_right))


def test_a_tour_merged_with_itself_is_itself() -> None:
    geo = _circle(12)
    tour = np.roll(_reversed(np.arange(12, dtype=np.int32), 3, 7), 4)
    child, taken = partition_crossover(tour, tour[::-1].copy(), geo.kernel())
    assert taken == 0
    assert geo.tour_length(child) == pytest.approx(geo.tour_length(tour))
    assert child[0] == 0


@pytest.mark.parametrize("seed", range(6))
def test_children_of_independent_runs_are_tours_no_longer_than_the_better_parent(seed: int) -> None:
    rng = np.random.default_rng(seed)
    geo = Geometry(rng.random((300, 2)) * 1000.0, Metric.euc_2d)
    instance = ls.Instance(geo)
    parents = []
    for run in range(2):
        start = rng.permutation(300).astype(np.int32) if run else None
        search = ls.IteratedLocalSearch(geo, seed=seed * 2 + run, start=start, instance=instance)
        search.descend(1 << 30)
        search.kick(150)
        parents.append(search.best())
    parents.sort(key=geo.tour_length)
    child, taken = partition_crossover(parents[0], parents[1], geo.kernel())
    assert sorted(child.tolist()) == list(range(300))
    assert geo.tour_length(child) <= geo.tour_length(parents[0])
    if taken:
        assert geo.tour_length(child) < geo.tour_length(parents[0])


def test_stalled_runs_start_side_runs_and_merge_them() -> None:
    geo = Geometry(np.random.default_rng(3).random((120, 2)) * 1000.0, Metric.euc_2d)
    main = ls.IteratedLocalSearch(geo, seed=1)
    main.descend(1 << 30)
    restarts = Restarts(main, seed=1)
    while restarts.kicks < 20 * restarts.stall:
        restarts.kick(restarts.room())
    restarts.finish()
    assert restarts.side_runs >= 2
    assert restarts.side is None
    tour = restarts.tour()
    assert sorted(tour.tolist()) == list(range(120))
    assert geo.tour_length(tour) == pytest.approx(restarts.best().exact_length())


def test_asymmetric_costs_never_restart() -> None:
    rng = np.random.default_rng(4)
    matrix = rng.random((30, 30)) * 100.0
    np.fill_diagonal(matrix, 0.0)
    main = ls.IteratedLocalSearch(matrix, seed=0)
    main.descend(1 << 30)
    restarts = Restarts(main, seed=0)
    for _ in range(50):
        restarts.kick(100)
    assert not restarts.enabled and restarts.side_runs == 0


def test_the_backend_reports_its_side_runs_and_stays_reproducible() -> None:
    rng = np.random.default_rng(17)
    problem = TspProblem.model_validate({"kind": "tsp", "coordinates": (rng.random((150, 2)) * 1000).tolist(),
                                         "metric": "euc_2d"})
    spec = load_builtin().get("tsp_ls")
    options = SolveOptions(time_limit=20, seed=5, iteration_limit=6000)
    first = run_backend(spec, problem, options, RunLimits(grace=2.0))
    second = run_backend(spec, problem, options, RunLimits(grace=2.0))
    assert first.termination is Termination.iteration_limit
    found = re.search(r"(\d+) side runs", first.native_status or "")
    assert found and int(found.group(1)) >= 1
    assert first.solution == second.solution and first.objective == second.objective


def test_a_new_side_run_descends_in_bounded_steps_before_it_kicks(monkeypatch: pytest.MonkeyPatch) -> None:
    """The caller checks its clock between calls: a side run's first descent (seconds on 10^5
    nodes) must not happen inside one call."""
    from solvers.families.tsp import restarts as module

    monkeypatch.setattr(module, "DESCENT_MOVES", 5)
    geo = Geometry(np.random.default_rng(5).random((400, 2)) * 1000.0, Metric.euc_2d)
    main = ls.IteratedLocalSearch(geo, seed=2)
    main.descend(1 << 30)
    restarts = Restarts(main, seed=2)
    restarts._start_side_run()
    side = restarts.side
    assert side is not None
    calls = 0
    while not side.stats.local_optimum:
        kicks_before = restarts.kicks
        assert restarts.kick(10) == 0 and restarts.kicks == kicks_before
        calls += 1
    assert calls > 5
    restarts.kick(restarts.room())
    assert restarts.kicks > 0 and side.stats.kicks > 0
