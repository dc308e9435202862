"""The Held-Karp 1-tree bound and the integer-cost helper: valid, tight where known, solver-free."""

import random

import numpy as np
import pytest

from models import TspProblem, TspSolution
from solvers.families.tsp.bound import held_karp_bound, one_tree, symmetric, tsp_lower_bound
from solvers.families.tsp.distance import distance_matrix
from solvers.families.tsp.tools import integer_costs, nearest_neighbour_tour, tour_from_warm_start
from tests import brute
from tests.solvers.cases import berlin52


def random_problem(seed: int, n: int, asymmetric: bool) -> TspProblem:
    rng = random.Random(seed)
    if asymmetric:
        matrix = [[0 if i == j else rng.randint(1, 50) for j in range(n)] for i in range(n)]
        return TspProblem.model_validate({"kind": "tsp", "distances": matrix})
    coords = [[rng.uniform(0, 100), rng.uniform(0, 100)] for _ in range(n)]
    return TspProblem.model_validate({"kind": "tsp", "coordinates": coords,
                                      "metric": "euc_2d" if seed % 2 else "euclidean"})


@pytest.mark.parametrize("seed", range(8))
@pytest.mark.parametrize("asymmetric", [False, True], ids=["symmetric", "asymmetric"])
def test_the_bound_never_exceeds_the_optimum(seed: int, asymmetric: bool) -> None:
    problem = random_problem(seed, 7, asymmetric)
    bound = tsp_lower_bound(distance_matrix(problem), time_limit=1.0)
    assert bound <= brute.tsp_optimum(problem) + 1e-9


def test_berlin52_bound_is_tight() -> None:
    matrix = distance_matrix(berlin52())
    assert 0.99 * 7542 <= tsp_lower_bound(matrix, time_limit=2.0) <= 7542


def test_integer_distances_round_the_bound_up_and_others_do_not() -> None:
    matrix = distance_matrix(random_problem(1, 9, asymmetric=False))
    assert tsp_lower_bound(matrix) == int(tsp_lower_bound(matrix))
    exact = held_karp_bound(matrix).value
    assert tsp_lower_bound(matrix) == np.ceil(exact - 1e-6)
    fractional = matrix + 0.25
    np.fill_diagonal(fractional, 0.0)
    assert tsp_lower_bound(fractional) == pytest.approx(held_karp_bound(fractional).value)


def test_a_one_tree_has_n_edges_and_degree_two_at_the_special_node() -> None:
    cost = symmetric(distance_matrix(random_problem(3, 12, asymmetric=False)))
    _, degree = one_tree(cost)
    assert degree.sum() == 2 * 12 and degree[0] == 2 and degree.min() >= 1


def test_integer_costs() -> None:
    ints = np.array([[0.0, 3.0], [4.0, 0.0]])
    assert integer_costs(ints).scale == 1 and integer_costs(ints).exact and integer_costs(ints).warning() is None
    decimals = integer_costs(np.array([[0.0, 1.25], [0.5, 0.0]]))
    assert (decimals.scale, decimals.exact) == (100, True) and decimals.costs.tolist() == [[0, 125], [50, 0]]
    irrational = integer_costs(np.array([[0.0, np.sqrt(2)], [np.pi, 0.0]]))
    assert not irrational.exact and irrational.warning() is not None
    assert np.all(irrational.costs / irrational.scale <= np.array([[0.0, np.sqrt(2)], [np.pi, 0.0]]))


def test_tour_helpers() -> None:
    matrix = distance_matrix(random_problem(2, 10, asymmetric=False))
    assert sorted(nearest_neighbour_tour(matrix)) == list(range(10))
    assert tour_from_warm_start(TspSolution(tour=[2, 0, 1]), 3) == [0, 1, 2]
    assert tour_from_warm_start(TspSolution(tour=[0, 1]), 3) is None
