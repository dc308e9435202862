"""Coordinate TSPs without a matrix: on-the-fly distances, candidate lists, the certified sparse
1-tree bound, the LK-style local search and the size count."""

import tracemalloc

import numpy as np
import pytest

from models import Metric, TspProblem
from models.size import size_score
from solvers.families.tsp import local_search as ls
from solvers.families.tsp.bound import one_tree
from solvers.families.tsp.candidates import nearest
from solvers.families.tsp.distance import Geometry, distance_matrix, geometry, problem_tour_length, tour_length
from solvers.families.tsp.sparse_bound import SparseGraph, certified_value, sparse_held_karp, sparse_lower_bound

METRICS = list(Metric)


@pytest.fixture(scope="module", autouse=True)
def compiled_kernels() -> None:
    ls.warm_up()


def _problem(n: int, metric: Metric, seed: int = 0) -> TspProblem:
    rng = np.random.default_rng(seed)
    scale = 90.0 if metric is Metric.geo else 3000.0
    coords = np.round(rng.random((n, 2)) * scale, 2)
    coords[7] = coords[3]  # coincident points
    return TspProblem.model_validate({"kind": "tsp", "coordinates": coords.tolist(), "metric": metric.value})


@pytest.mark.parametrize("metric", METRICS)
def test_edges_are_the_matrix_entries_bit_for_bit(metric: Metric) -> None:
    problem = _problem(120, metric)
    geo = geometry(problem)
    assert geo is not None
    matrix = distance_matrix(problem)
    i, j = np.meshgrid(np.arange(120), np.arange(120), indexing="ij")
    assert np.array_equal(geo.edges(i.ravel(), j.ravel()).reshape(120, 120), matrix)
    tour = list(np.random.default_rng(1).permutation(120))
    assert problem_tour_length(problem, tour) == tour_length(matrix, tour)


@pytest.mark.parametrize("metric", METRICS)
def test_radius_is_below_every_non_candidate_distance(metric: Metric) -> None:
    problem = _problem(200, metric)
    geo = geometry(problem)
    assert geo is not None
    cands = nearest(geo, 8)
    matrix = distance_matrix(problem).copy()
    np.fill_diagonal(matrix, np.inf)
    matrix[np.arange(200)[:, None], cands.near] = np.inf
    assert np.all(matrix.min(axis=1) >= cands.radius)


@pytest.mark.parametrize("metric", METRICS)
def test_certified_bound_is_the_complete_graph_one_tree(metric: Metric) -> None:
    """At the ascent's penalties the certified value equals the dense complete-graph L(pi)."""
    problem = _problem(300, metric, seed=2)
    geo = geometry(problem)
    assert geo is not None
    graph = SparseGraph(geo, neighbours=6)
    search = ls.IteratedLocalSearch(geo, seed=0)
    search.descend(1 << 30)
    _, pi, _ = sparse_held_karp(graph, search.length, time_limit=2.0, max_iterations=200)
    value, how = certified_value(graph, pi)
    matrix = distance_matrix(problem)
    penalised = matrix + pi[:, None] + pi[None, :]
    np.fill_diagonal(penalised, np.inf)
    dense = one_tree(penalised)[0] - 2.0 * pi.sum()
    assert how.startswith("complete graph")
    assert value == pytest.approx(dense, rel=1e-12)
    assert value <= search.exact_length()
    assert value >= 0.94 * search.exact_length()  # a descent tour is some 4% above the optimum


def test_no_matrix_is_built_for_five_thousand_cities() -> None:
    geo = Geometry(np.random.default_rng(3).random((5000, 2)) * 1e5, Metric.euc_2d)
    tracemalloc.start()
    search = ls.IteratedLocalSearch(geo, seed=1)
    search.descend(1 << 30)
    search.kick(200)
    bound = sparse_lower_bound(geo, search.length, time_limit=2.0, max_iterations=60)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 40e6  # a dense matrix alone would be 200 MB
    tour = search.best()
    assert sorted(tour.tolist()) == list(range(5000))
    assert search.length == pytest.approx(geo.tour_length(tour))
    assert 0.9 * search.length < bound.value <= search.length


def test_lk_descent_beats_two_opt_moves() -> None:
    geo = Geometry(np.random.default_rng(4).random((2000, 2)) * 1e5, Metric.euclidean)
    lengths = []
    for depth, breadth in ((1, 10), (6, 5)):
        instance = ls.Instance(geo)
        instance.P[5][-1, :3] = (depth, breadth, 1)
        search = ls.IteratedLocalSearch(geo, seed=0, instance=instance)
        search.descend(1 << 30)
        lengths.append(search.exact_length())
    assert lengths[1] < 0.99 * lengths[0]


def test_coordinates_count_n_times_k_and_matrices_n_squared() -> None:
    coords = TspProblem.model_validate({"kind": "tsp", "coordinates": [[i, i % 7] for i in range(10_000)]})
    assert size_score(coords) == 100_000
    matrix = TspProblem.model_validate({"kind": "tsp", "distances": [[0, 1, 2], [1, 0, 1], [2, 1, 0]]})
    assert size_score(matrix) == 9


def test_the_direct_complete_graph_one_tree_equals_a_dense_minimum_spanning_tree() -> None:
    from scipy.sparse.csgraph import minimum_spanning_tree

    from models import TspProblem
    from solvers.families.tsp.distance import distance_matrix, geometry
    from solvers.families.tsp.sparse_bound import dense_one_tree

    rng = np.random.default_rng(0)
    for metric in ("euc_2d", "euclidean", "att", "ceil_2d", "geo"):
        points = rng.uniform(0, 80, (120, 2)).round(1).tolist()
        problem = TspProblem.model_validate({"kind": "tsp", "coordinates": points, "metric": metric})
        shape = geometry(problem)
        assert shape is not None
        penalised = distance_matrix(problem) + (pi := rng.normal(0, 5, 120))[:, None] + pi[None, :]
        inner = penalised[1:, 1:] + 1e6  # shifted: zero-cost edges would vanish from the sparse input
        np.fill_diagonal(inner, 0)
        expected = minimum_spanning_tree(inner).sum() - 1e6 * 118 + np.sort(penalised[0, 1:])[:2].sum() - 2 * pi.sum()
        assert abs(dense_one_tree(shape, pi) - expected) <= 1e-6 * abs(expected), metric
