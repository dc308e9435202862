"""The tour a MIP backend reports before building a TSP: first alone, then, for a large one, with a 1-tree
bound from the coordinates' candidate graph (certified on the complete graph)."""

import math

import numpy as np
import pytest

from solvers.contract import Incumbent
from solvers.families.tsp import certified
from solvers.families.tsp.bound import one_tree, symmetric
from solvers.families.tsp.distance import distance_matrix, tour_length
from solvers.families.tsp.early_start import EARLY_FROM, report_nearest_neighbour_tour
from solvers.families.tsp.generator import random_tsp
from solvers.families.tsp.mip import two_opt
from solvers.families.tsp.tools import nearest_neighbour_tour


def test_a_process_without_the_sparse_kernels_takes_the_dense_bound(monkeypatch: pytest.MonkeyPatch) -> None:
    """Loading them takes longer than the budget: the 1-tree comes from the matrix at once."""
    monkeypatch.setattr(certified, "_sparse_loaded", False)
    sources: list[object] = []
    bound = certified.tsp_lower_bound

    def spy(source: object, *rest: object) -> object:
        sources.append(source)
        return bound(source, *rest)  # type: ignore[arg-type]

    monkeypatch.setattr(certified, "tsp_lower_bound", spy)
    problem = random_tsp(EARLY_FROM, seed=2)
    reported: list[Incumbent] = []
    report_nearest_neighbour_tour(problem, 0.0, reported.append)
    assert [type(source) for source in sources] == [np.ndarray]
    assert reported[-1].bound == math.ceil(one_tree(symmetric(distance_matrix(problem)))[0] - 1e-6)


def test_small_instances_report_the_polished_tour_alone_and_leave_the_bound_to_the_thread_beside() -> None:
    problem = random_tsp(EARLY_FROM - 1, seed=1)
    matrix = distance_matrix(problem)
    reported: list[Incumbent] = []
    assert report_nearest_neighbour_tour(problem, 0.1, reported.append) is False
    polished = tour_length(matrix, two_opt(matrix, nearest_neighbour_tour(matrix)))
    assert [(r.objective, r.bound) for r in reported] == [(polished, None)]
    assert polished < tour_length(matrix, nearest_neighbour_tour(matrix))


def test_the_tour_comes_first_then_again_with_a_bound_well_above_the_plain_one_tree() -> None:
    """2,000 cities: the dense subgradient found nothing above the plain 1-tree (29,437) in 0.2 s and
    reached 30,452 in 0.5 s; the candidate graph's ascent 32,283 in 0.2 s (the best tour found there is
    32,565)."""
    certified.warm_up()  # as in a process started ahead of requests
    problem = random_tsp(2000, seed=5)
    matrix = distance_matrix(problem)
    length = tour_length(matrix, nearest_neighbour_tour(matrix))
    reported: list[Incumbent] = []
    report_nearest_neighbour_tour(problem, 0.5, reported.append)
    assert len(reported) == 2 and (reported[0].objective, reported[0].bound) == (length, None)
    bound = reported[1].bound
    plain = math.ceil(one_tree(symmetric(matrix))[0] - 1e-6)
    assert bound is not None and 1.04 * plain <= bound <= length
    assert reported[1].bound_source == "held_karp_1tree"
