"""Recombining two plans of the same family into a child plan (may be infeasible: the caller
checks every child with the independent evaluator and never simulates an infeasible one).

- TSP: order crossover (OX) — a slice of the first tour in place, the other cities in the second
  tour's order — rotated to start where the first tour starts.
- Knapsack: uniform crossover of the selections (items in both parents kept, items in one kept
  with probability 1/2), loading order of the first parent then the second, repaired by dropping
  the least valuable per unit of weight until the nominal weights fit.
- Facility location: uniform crossover of the open vectors, customers reassigned at least cost.
- Scheduling: per machine, the sequence of one parent or the other, re-timed (None on deadlock).
"""

import random
from collections import defaultdict

import numpy as np

from models import (
    FacilityLocationProblem,
    FacilitySolution,
    KnapsackProblem,
    KnapsackSolution,
    ScheduledOperation,
    ScheduleSolution,
    SchedulingProblem,
    TspProblem,
    TspSolution,
)
from models.problem import Problem
from models.problem_solutions import Solution
from solvers.backends.simopt.facility_moves import open_vector, with_open
from solvers.backends.simopt.neighbours import retime


def crossover(problem: Problem, a: Solution, b: Solution, rng: random.Random) -> Solution | None:
    """A child of `a` and `b`, or None when the family has no recombination or it failed."""
    if isinstance(problem, TspProblem) and isinstance(a, TspSolution) and isinstance(b, TspSolution):
        return order_crossover(a, b, rng)
    if isinstance(problem, KnapsackProblem) and isinstance(a, KnapsackSolution) and isinstance(b, KnapsackSolution):
        return knapsack_crossover(problem, a, b, rng)
    if isinstance(problem, FacilityLocationProblem) and isinstance(a, FacilitySolution) \
            and isinstance(b, FacilitySolution):
        mask = np.array([rng.random() < 0.5 for _ in problem.facilities])
        return with_open(problem, np.where(mask, open_vector(problem, a), open_vector(problem, b)).astype(np.uint8))
    if isinstance(problem, SchedulingProblem) and isinstance(a, ScheduleSolution) and isinstance(b, ScheduleSolution):
        return machine_crossover(problem, a, b, rng)
    return None


def order_crossover(a: TspSolution, b: TspSolution, rng: random.Random) -> TspSolution:
    tour_a, tour_b = list(a.tour), list(b.tour)
    n = len(tour_a)
    if n < 4 or sorted(tour_a) != sorted(tour_b):
        return a
    i, j = sorted(rng.sample(range(n + 1), 2))
    kept = set(tour_a[i:j])
    rest = [v for v in tour_b[j:] + tour_b[:j] if v not in kept]
    child = [0] * n
    child[i:j] = tour_a[i:j]
    for k, v in zip([(j + t) % n for t in range(n - (j - i))], rest, strict=True):
        child[k] = v
    start = child.index(tour_a[0])
    return TspSolution(tour=child[start:] + child[:start])


def knapsack_crossover(problem: KnapsackProblem, a: KnapsackSolution, b: KnapsackSolution,
                       rng: random.Random) -> KnapsackSolution:
    in_a, in_b = set(a.selected), set(b.selected)
    order = [*a.selected, *(i for i in b.selected if i not in in_a)]
    chosen = [i for i in order if (i in in_a and i in in_b) or rng.random() < 0.5]
    return KnapsackSolution(selected=repair_knapsack(problem, chosen))


def repair_knapsack(problem: KnapsackProblem, chosen: list[int | str]) -> list[int | str]:
    """Drops the item of least value per unit of (relative) weight until the nominal weights fit."""
    by_id = {item.id: item for item in problem.items}
    caps = problem.capacities()

    def weights(i: int | str) -> list[float]:
        w = by_id[i].weight
        return list(w) if isinstance(w, list) else [w]

    chosen = list(chosen)
    while chosen:
        load = [sum(weights(i)[d] for i in chosen) for d in range(len(caps))]
        if all(load[d] <= caps[d] + 1e-9 for d in range(len(caps))):
            break
        worst = min(chosen, key=lambda i: (by_id[i].value or 0.0)
                    / max(1e-12, sum(w / max(c, 1e-12) for w, c in zip(weights(i), caps, strict=True))))
        chosen.remove(worst)
    return chosen


def machine_crossover(problem: SchedulingProblem, a: ScheduleSolution, b: ScheduleSolution,
                      rng: random.Random) -> ScheduleSolution | None:
    orders_a, orders_b = _sequences(a), _sequences(b)
    if set(orders_a) != set(orders_b):
        return None
    orders = {m: (orders_a[m] if rng.random() < 0.5 else orders_b[m]) for m in orders_a}
    ops = [(str(op.job), op.index) for seq in orders.values() for op in seq]
    if len(set(ops)) != len(a.operations) or len(ops) != len(a.operations):
        return None  # flexible shops: the parents route an operation to different machines
    return retime(problem, orders)


def _sequences(solution: ScheduleSolution) -> dict[str, list[ScheduledOperation]]:
    by_machine: dict[str, list[ScheduledOperation]] = defaultdict(list)
    for op in solution.operations:
        by_machine[str(op.machine)].append(op)
    return {m: sorted(ops, key=lambda op: (op.start, op.end)) for m, ops in by_machine.items()}
