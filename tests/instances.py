"""Tiny instances of every family, with optima computed by brute force (tests/brute.py)."""

import random

from models import FacilityLocationProblem, KnapsackProblem, SchedulingProblem, TspProblem
from models.problem import Problem
from tests import brute


def knapsack() -> KnapsackProblem:
    rng = random.Random(7)
    items = [{"id": f"i{k}", "weight": rng.randint(3, 30), "value": rng.randint(5, 50)} for k in range(12)]
    return KnapsackProblem.model_validate({"kind": "knapsack", "capacity": 80, "items": items})


def knapsack_multi() -> KnapsackProblem:
    rng = random.Random(11)
    items = [{"id": k, "weight": [rng.randint(1, 20), rng.randint(1, 20)], "value": rng.randint(1, 30)}
             for k in range(10)]
    return KnapsackProblem.model_validate({"kind": "knapsack", "capacity": [50, 45], "items": items})


def tsp_coordinates() -> TspProblem:
    rng = random.Random(3)
    coords = [[rng.randint(0, 100), rng.randint(0, 100)] for _ in range(8)]
    return TspProblem.model_validate({"kind": "tsp", "coordinates": coords, "metric": "euc_2d"})


def tsp_asymmetric() -> TspProblem:
    rng = random.Random(5)
    n = 7
    matrix = [[0 if i == j else rng.randint(1, 60) for j in range(n)] for i in range(n)]
    return TspProblem.model_validate({"kind": "tsp", "distances": matrix})


def facility(single_source: bool = False, capacitated: bool = True) -> FacilityLocationProblem:
    rng = random.Random(13 + single_source + 2 * capacitated)
    m, n = 4, 6
    facilities = [{"id": f"F{i}", "fixed_cost": rng.randint(50, 150),
                   **({"capacity": rng.randint(30, 60)} if capacitated else {})} for i in range(m)]
    customers = [{"id": f"C{j}", "demand": rng.randint(5, 20)} for j in range(n)]
    costs = [[rng.randint(5, 80) for _ in range(n)] for _ in range(m)]
    return FacilityLocationProblem.model_validate({"kind": "facility_location", "facilities": facilities,
                                                   "customers": customers, "costs": costs,
                                                   "single_source": single_source})


def job_shop() -> SchedulingProblem:
    jobs = [
        [("M1", 3), ("M2", 2), ("M3", 2)],
        [("M1", 2), ("M3", 1), ("M2", 4)],
        [("M2", 4), ("M3", 3)],
    ]
    return SchedulingProblem.model_validate({
        "kind": "scheduling", "machines": ["M1", "M2", "M3"],
        "jobs": [{"id": f"J{j}", "operations": [{"machine": m, "duration": d} for m, d in ops]}
                 for j, ops in enumerate(jobs)],
    })


def optimum(problem: Problem) -> float:
    """The brute-force optimum of one of the instances above."""
    if isinstance(problem, KnapsackProblem):
        return brute.knapsack_optimum(problem)
    if isinstance(problem, TspProblem):
        return brute.tsp_optimum(problem)
    if isinstance(problem, FacilityLocationProblem):
        return brute.facility_optimum(problem)
    assert isinstance(problem, SchedulingProblem)
    return float(brute.job_shop_makespan(problem))


TINY: dict[str, Problem] = {
    "knapsack": knapsack(),
    "knapsack_multi": knapsack_multi(),
    "tsp_coordinates": tsp_coordinates(),
    "tsp_asymmetric": tsp_asymmetric(),
    "facility_capacitated": facility(),
    "facility_uncapacitated": facility(capacitated=False),
    "facility_single_source": facility(single_source=True),
    "job_shop": job_shop(),
}
