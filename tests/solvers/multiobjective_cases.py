"""Multi-objective instances (seeded) and their exact fronts by brute force, plus front checks."""

import itertools
import random
from typing import TypedDict

import numpy as np
from scipy.optimize import linprog

from models import FacilityLocationProblem, KnapsackProblem, Result, SchedulingProblem, TspProblem
from models.problem import Problem
from solvers import pareto
from solvers.evaluators import evaluate
from solvers.evaluators.vector import objective_vector, senses
from solvers.families.tsp.distance import distance_matrix


class ItemSpec(TypedDict):
    """One generated item as its JSON body, typed so the capacity sum stays an int."""

    id: str
    weight: int
    values: list[int]


def biobjective_knapsack(n: int, seed: int = 1) -> KnapsackProblem:
    """Uncorrelated values in 10..100, capacity half the total weight (the classic MOKP setting)."""
    rng = random.Random(seed)
    items: list[ItemSpec] = [
        {"id": f"i{k}", "weight": rng.randint(10, 100), "values": [rng.randint(10, 100), rng.randint(10, 100)]}
        for k in range(n)
    ]
    capacity = sum(item["weight"] for item in items) // 2
    return KnapsackProblem.model_validate({"kind": "knapsack", "capacity": capacity, "items": items,
                                           "objectives": ["value_0", "value_1"]})


def knapsack_front(problem: KnapsackProblem) -> list[list[float]]:
    """Every non-dominated vector, by enumerating all 2^n selections (n <= 20)."""
    n = len(problem.items)
    bits = ((np.arange(1 << n)[:, None] >> np.arange(n)) & 1).astype(np.float64)
    rows, caps = np.array(problem.weight_rows()), np.array(problem.capacities())
    feasible = (bits @ rows.T <= caps + 1e-9).all(axis=1)
    values = np.array([problem.criterion_values(name) for name in problem.criteria()])
    return _front((bits[feasible] @ values.T).tolist(), senses(problem))


def biobjective_tsp(n: int = 7, seed: int = 2) -> TspProblem:
    rng = random.Random(seed)
    coords = [[rng.randint(0, 100), rng.randint(0, 100)] for _ in range(n)]
    toll = [[0 if i == j else rng.randint(1, 50) for j in range(n)] for i in range(n)]
    return TspProblem.model_validate({"kind": "tsp", "coordinates": coords, "metric": "euc_2d",
                                      "extra_costs": [toll], "objectives": ["length", "extra_cost_0"]})


def tsp_front(problem: TspProblem) -> list[list[float]]:
    d, toll = distance_matrix(problem), np.array((problem.extra_costs or [])[0])
    vectors = []
    for perm in itertools.permutations(range(1, problem.size)):
        tour = (0, *perm, 0)
        vectors.append([float(sum(m[a, b] for a, b in itertools.pairwise(tour))) for m in (d, toll)])
    return _front(vectors, senses(problem))


def facility(seed: int = 4, single_source: bool = False, m: int = 5, n: int = 8,
             objectives: tuple[str, ...] = ("cost", "max_distance", "mean_distance")) -> FacilityLocationProblem:
    rng = random.Random(seed)
    sites = [(rng.randint(0, 100), rng.randint(0, 100)) for _ in range(m)]
    places = [(rng.randint(0, 100), rng.randint(0, 100)) for _ in range(n)]
    distances = [[round(float(np.hypot(sx - cx, sy - cy)), 1) for cx, cy in places] for sx, sy in sites]
    return FacilityLocationProblem.model_validate({
        "kind": "facility_location", "single_source": single_source,
        "facilities": [{"id": f"F{i}", "fixed_cost": rng.randint(50, 150), "capacity": rng.randint(40, 80)}
                       for i in range(m)],
        "customers": [{"id": f"C{j}", "demand": rng.randint(5, 20)} for j in range(n)],
        "costs": [[round(d * 1.5 + rng.randint(0, 10), 1) for d in row] for row in distances],
        "distances": distances, "objectives": list(objectives),
    })


def facility_front(problem: FacilityLocationProblem) -> list[list[float]]:
    """Cost against max distance: for every distance level t, the cheapest solution serving nobody
    farther than t (every open set, then an LP or every single-source assignment); then filtered."""
    m = len(problem.facilities)
    distances = np.array(problem.distances)
    vectors = []
    for level in np.unique(distances):
        costs = [_cheapest(problem, [i for i in range(m) if mask >> i & 1], distances <= level)
                 for mask in range(1, 1 << m)]
        found = [c for c in costs if c is not None]
        if found:
            point = {"cost": min(found), "max_distance": float(level)}
            vectors.append([point[name] for name in problem.criteria()])
    return _front(vectors, senses(problem))


def _cheapest(problem: FacilityLocationProblem, opened: list[int], allowed: np.ndarray) -> float | None:
    n = len(problem.customers)
    demand = np.array([c.demand for c in problem.customers])
    fixed = sum(problem.facilities[i].fixed_cost for i in opened)
    caps = [problem.facilities[i].capacity for i in opened]
    if problem.single_source:
        best = None
        for choice in itertools.product(*[[r for r, i in enumerate(opened) if allowed[i, j]] for j in range(n)]):
            load = np.bincount(np.array(choice, dtype=int), weights=demand, minlength=len(opened))
            if all(cap is None or load[r] <= cap + 1e-9 for r, cap in enumerate(caps)):
                cost = sum(problem.costs[opened[r]][j] for j, r in enumerate(choice))
                best = cost if best is None else min(best, cost)
        return None if best is None else fixed + best
    k = len(opened)
    a_eq = np.zeros((n, k * n))
    for j in range(n):
        a_eq[j, j::n] = 1.0
    a_ub = [np.concatenate([demand if s == r else np.zeros(n) for s in range(k)]) for r in range(k)
            if caps[r] is not None]
    b_ub = [cap for cap in caps if cap is not None]
    bounds = [(0.0, 1.0 if allowed[i, j] else 0.0) for i in opened for j in range(n)]
    c = [problem.costs[i][j] for i in opened for j in range(n)]
    res = linprog(c, A_ub=np.array(a_ub) if a_ub else None, b_ub=b_ub or None, A_eq=a_eq, b_eq=np.ones(n),
                  bounds=bounds, method="highs")
    return fixed + float(res.fun) if res.status == 0 else None


def job_shop(seed: int = 5) -> SchedulingProblem:
    rng = random.Random(seed)
    machines = ["M1", "M2", "M3"]
    jobs = [{"id": f"J{j}", "due": rng.randint(8, 20), "weight": rng.randint(1, 3),
             "operations": [{"machine": m, "duration": rng.randint(1, 6)} for m in rng.sample(machines, 3)]}
            for j in range(4)]
    return SchedulingProblem.model_validate({"kind": "scheduling", "machines": machines, "jobs": jobs,
                                             "objectives": ["makespan", "total_weighted_tardiness",
                                                            "total_completion_time"]})


def _front(vectors: list[list[float]], directions: list[str]) -> list[list[float]]:
    unique = [list(v) for v in {tuple(v) for v in vectors}]
    keep = pareto.non_dominated(unique, directions)
    return sorted(unique[i] for i in keep)


def check_front(problem: Problem, result: Result) -> list[list[float]]:
    """Asserts every point is feasible, measured right and mutually non-dominated; returns the vectors."""
    assert result.verified and result.pareto_front, result.message
    assert result.objectives == problem.criteria()
    vectors = [point.objectives for point in result.pareto_front]
    for point in result.pareto_front:
        assert evaluate(problem, point.solution).feasible
        assert objective_vector(problem, point.solution) == point.objectives
    for a, b in itertools.permutations(vectors, 2):
        assert not pareto.dominates(a, b, senses(problem)) and a != b
    assert result.compromise is not None and 0 <= result.compromise < len(vectors)
    assert result.hypervolume is not None and result.hypervolume > 0
    return sorted(vectors)
