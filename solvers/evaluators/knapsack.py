"""Knapsack check: known distinct items, capacity respected in every dimension, value summed."""

from collections import Counter

from models import KnapsackProblem, KnapsackSolution
from solvers.evaluators.base import Evaluation, exceeds


def evaluate(problem: KnapsackProblem, solution: KnapsackSolution) -> Evaluation:
    result = Evaluation()
    by_id = {item.id: item for item in problem.items}
    for item_id, count in Counter(solution.selected).items():
        if item_id not in by_id:
            result.violate(f"selected item {item_id!r} does not exist")
        elif count > 1:
            result.violate(f"item {item_id!r} selected {count} times")
    chosen = [by_id[i] for i in dict.fromkeys(solution.selected) if i in by_id]
    caps = problem.capacities()
    for dim, cap in enumerate(caps):
        load = sum(_weight(item.weight, dim) for item in chosen)
        if exceeds(load, cap):
            result.violate(f"dimension {dim}: load {load} exceeds capacity {cap}")
    result.objective = float(sum(item.value or 0.0 for item in chosen))
    return result


def _weight(weight: float | list[float], dim: int) -> float:
    return weight[dim] if isinstance(weight, list) else weight
