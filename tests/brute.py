"""Brute-force optima for tiny instances: slow, obvious, and independent of every backend."""

import itertools
import math

import numpy as np
from scipy.optimize import linprog

from models import FacilityLocationProblem, KnapsackProblem, SchedulingProblem, TspProblem
from solvers.families.tsp.distance import distance_matrix


def item_values(problem: KnapsackProblem) -> list[float]:
    """Each item's `value`, asserting it is there (these checks cover single-objective knapsacks only)."""
    values: list[float] = []
    for item in problem.items:
        assert item.value is not None, f"item {item.id!r} has no single value"
        values.append(item.value)
    return values


def knapsack_optimum(problem: KnapsackProblem) -> float:
    rows, caps = problem.weight_rows(), problem.capacities()
    values = item_values(problem)
    best = 0.0
    n = len(problem.items)
    for mask in range(1 << n):
        chosen = [i for i in range(n) if mask >> i & 1]
        if all(sum(row[i] for i in chosen) <= cap + 1e-9 for row, cap in zip(rows, caps, strict=True)):
            best = max(best, sum(values[i] for i in chosen))
    return best


def tsp_optimum(problem: TspProblem) -> float:
    d = distance_matrix(problem)
    n = problem.size
    best = float("inf")
    for perm in itertools.permutations(range(1, n)):
        tour = (0, *perm)
        best = min(best, sum(d[tour[k], tour[(k + 1) % n]] for k in range(n)))
    return float(best)


def facility_optimum(problem: FacilityLocationProblem) -> float:
    m = len(problem.facilities)
    best = float("inf")
    for mask in range(1, 1 << m):
        opened = [i for i in range(m) if mask >> i & 1]
        cost = _assignment_cost(problem, opened)
        if cost is not None:
            best = min(best, cost + sum(problem.facilities[i].fixed_cost for i in opened))
    return best


def _assignment_cost(problem: FacilityLocationProblem, opened: list[int]) -> float | None:
    n = len(problem.customers)
    demand = [c.demand for c in problem.customers]
    if problem.single_source:
        caps = [math.inf if f.capacity is None else f.capacity for f in problem.facilities]
        best: float | None = None
        for choice in itertools.product(opened, repeat=n):
            load = dict.fromkeys(opened, 0.0)
            for j, i in enumerate(choice):
                load[i] += demand[j]
            if all(load[i] <= caps[i] + 1e-9 for i in opened):
                cost = sum(problem.costs[i][j] for j, i in enumerate(choice))
                best = cost if best is None else min(best, cost)
        return best
    k = len(opened)
    c = np.array([[problem.costs[i][j] for j in range(n)] for i in opened]).ravel()
    a_eq = np.zeros((n, k * n))
    for j in range(n):
        a_eq[j, j::n] = 1.0
    a_ub, b_ub = [], []
    for r, i in enumerate(opened):
        cap = problem.facilities[i].capacity
        if cap is not None:
            row = np.zeros(k * n)
            row[r * n:(r + 1) * n] = demand
            a_ub.append(row)
            b_ub.append(cap)
    res = linprog(c, A_ub=np.array(a_ub) if a_ub else None, b_ub=b_ub or None, A_eq=a_eq, b_eq=np.ones(n),
                  bounds=(0, 1), method="highs")
    return float(res.fun) if res.status == 0 else None


def job_shop_makespan(problem: SchedulingProblem) -> int:
    """Best semi-active schedule over every machine order (plain job shop, no setups)."""
    ops = {m: [(j, k) for j, job in enumerate(problem.jobs) for k, op in enumerate(job.operations)
               if op.machine == m] for m in problem.machines}
    best = None
    for orders in itertools.product(*(itertools.permutations(v) for v in ops.values())):
        makespan = _simulate(problem, dict(zip(ops, orders, strict=True)))
        if makespan is not None:
            best = makespan if best is None else min(best, makespan)
    assert best is not None
    return best


def _simulate(problem: SchedulingProblem, orders: dict[object, tuple[tuple[int, int], ...]]) -> int | None:
    end: dict[tuple[int, int], int] = {}
    pointer = dict.fromkeys(orders, 0)
    machine_free = dict.fromkeys(orders, 0)
    total = sum(len(job.operations) for job in problem.jobs)
    while len(end) < total:
        progressed = False
        for m, order in orders.items():
            if pointer[m] == len(order):
                continue
            j, k = order[pointer[m]]
            if k > 0 and (j, k - 1) not in end:
                continue
            ready = end[(j, k - 1)] if k > 0 else problem.jobs[j].release
            op = problem.jobs[j].operations[k]
            assert op.duration is not None
            end[(j, k)] = max(ready, machine_free[m]) + op.duration
            machine_free[m] = end[(j, k)]
            pointer[m] += 1
            progressed = True
        if not progressed:
            return None
    return max(end.values())
