"""Small changes to a plan that keep it feasible: the moves of the simulation-optimisation search.

Scheduling moves swap two consecutive operations on a machine and re-time the whole plan with
nominal durations (a swap that would deadlock the jobs is discarded); TSP moves reverse a
segment; knapsack moves drop, exchange or add an item or swap two in loading order; facility
location moves open, close or swap a facility (customers reassigned at least cost) or shift one
customer to another open facility with room (solvers/backends/simopt/facility_moves.py).
"""

import random
from collections import defaultdict

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
from solvers.backends.simopt.facility_moves import facility_move
from solvers.evaluators import evaluate
from solvers.families.scheduling.data import flatten


def neighbours(problem: Problem, solution: Solution, rng: random.Random, count: int) -> list[Solution]:
    """Up to `count` distinct feasible neighbours of `solution`."""
    found: dict[str, Solution] = {}
    for _ in range(count * 5):
        candidate = _move(problem, solution, rng)
        if candidate is not None and evaluate(problem, candidate).feasible:
            found.setdefault(candidate.model_dump_json(), candidate)
        if len(found) >= count:
            break
    return list(found.values())


def _move(problem: Problem, solution: Solution, rng: random.Random) -> Solution | None:
    if isinstance(problem, TspProblem) and isinstance(solution, TspSolution):
        tour = list(solution.tour)
        i, j = sorted(rng.sample(range(1, len(tour)), 2)) if len(tour) > 3 else (1, 1)
        return TspSolution(tour=tour[:i] + tour[i:j + 1][::-1] + tour[j + 1:])
    if isinstance(problem, KnapsackProblem) and isinstance(solution, KnapsackSolution):
        return _knapsack_move(problem, solution, rng)
    if isinstance(problem, SchedulingProblem) and isinstance(solution, ScheduleSolution):
        return _swap_on_machine(problem, solution, rng)
    if isinstance(problem, FacilityLocationProblem) and isinstance(solution, FacilitySolution):
        return facility_move(problem, solution, rng)
    return None


def _knapsack_move(problem: KnapsackProblem, solution: KnapsackSolution, rng: random.Random) -> KnapsackSolution:
    """Drop, exchange, add (the caller discards what no longer fits) or swap two items' loading
    order (the simulated packer loads in plan order, so order changes what is kept)."""
    chosen = list(solution.selected)
    others = [item.id for item in problem.items if item.id not in set(chosen)]
    if not chosen:
        return KnapsackSolution(selected=[rng.choice(others)]) if others else solution
    move = rng.choice(["drop", "exchange", "add", "reorder"])
    out = rng.randrange(len(chosen))
    if move == "add" and others:
        chosen.insert(rng.randrange(len(chosen) + 1), rng.choice(others))
    elif move == "exchange" and others:
        chosen[out] = rng.choice(others)
    elif move == "reorder" and len(chosen) > 1:
        other = rng.randrange(len(chosen))
        chosen[out], chosen[other] = chosen[other], chosen[out]
    else:
        chosen.pop(out)
    return KnapsackSolution(selected=chosen)


def _swap_on_machine(problem: SchedulingProblem, solution: ScheduleSolution, rng: random.Random
                     ) -> ScheduleSolution | None:
    by_machine: dict[str, list[ScheduledOperation]] = defaultdict(list)
    for op in solution.operations:
        by_machine[str(op.machine)].append(op)
    busy = [m for m, ops in by_machine.items() if len(ops) > 1]
    if not busy:
        return None
    machine = rng.choice(busy)
    sequence = sorted(by_machine[machine], key=lambda op: op.start)
    k = rng.randrange(len(sequence) - 1)
    sequence[k], sequence[k + 1] = sequence[k + 1], sequence[k]
    by_machine[machine] = sequence
    orders = {m: sorted(ops, key=lambda op: op.start) if m != machine else ops for m, ops in by_machine.items()}
    return retime(problem, orders)


def retime(problem: SchedulingProblem, orders: dict[str, list[ScheduledOperation]]) -> ScheduleSolution | None:
    """Earliest start times for fixed machine orders (nominal durations); None if the orders deadlock."""
    data = flatten(problem)
    job_pos = {str(job.id): j for j, job in enumerate(problem.jobs)}
    machine_pos = {str(m): k for k, m in enumerate(data.machine_ids)}
    pointer = dict.fromkeys(orders, 0)
    end: dict[tuple[int, int], int] = {}
    placed: list[ScheduledOperation] = []
    free = dict.fromkeys(orders, (0, -1))
    while len(placed) < len(data.ops):
        progressed = False
        for m, ops in orders.items():
            while pointer[m] < len(ops):
                op = ops[pointer[m]]
                j = job_pos[str(op.job)]
                if op.index > 0 and (j, op.index - 1) not in end:
                    break
                ready = end[(j, op.index - 1)] if op.index > 0 else problem.jobs[j].release
                machine_free, last_job = free[m]
                setup = data.setup(machine_pos[m], last_job, j) if last_job >= 0 else 0
                start = max(ready, machine_free + setup)
                finish = start + (op.end - op.start)
                placed.append(op.model_copy(update={"start": start, "end": finish}))
                end[(j, op.index)] = finish
                free[m] = (finish, j)
                pointer[m] += 1
                progressed = True
        if not progressed:
            return None
    return ScheduleSolution(operations=placed)
