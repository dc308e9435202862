"""`auto`'s order depends on the time limit where a measurement said so (solvers/builtin.py)."""

from models import KnapsackProblem, SolveOptions, SolveRequest, TspProblem
from solvers.builtin import MULTI_KNAPSACK_CBC_FROM, SMALL_TSP
from solvers.registry import load_builtin
from solvers.selection import select

MULTI_KNAPSACK = KnapsackProblem.model_validate({"kind": "knapsack", "capacity": [10, 8], "items": [
    {"id": "A", "weight": [5, 2], "value": 10}, {"id": "B", "weight": [4, 6], "value": 40},
    {"id": "C", "weight": [6, 1], "value": 30}]})


def chosen(problem: KnapsackProblem | TspProblem, time_limit: float) -> str:
    return select(load_builtin(), SolveRequest(problem=problem, options=SolveOptions(time_limit=time_limit))).name


def test_multi_dimensional_knapsacks_go_to_highs_first_under_two_seconds_and_cbc_from_there() -> None:
    assert chosen(MULTI_KNAPSACK, MULTI_KNAPSACK_CBC_FROM - 1) == "highs"
    assert chosen(MULTI_KNAPSACK, MULTI_KNAPSACK_CBC_FROM) == "cbc"
    assert chosen(MULTI_KNAPSACK, 30) == "cbc"


def test_a_short_limit_sends_a_200_city_tsp_to_the_local_search() -> None:
    tour = TspProblem.model_validate({"kind": "tsp", "coordinates": [[i % 17, i // 17] for i in range(SMALL_TSP)]})
    assert chosen(tour, 2) == "tsp_ls"
    assert chosen(tour, 10) == "highs"
