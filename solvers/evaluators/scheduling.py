"""Scheduling check: every operation once, on an allowed machine, for its duration, in job order,
after its release, never overlapping on a machine (setup times included); objective recomputed."""

import itertools
from collections import defaultdict

from models import ScheduledOperation, ScheduleSolution, SchedulingObjective, SchedulingProblem
from solvers.evaluators.base import Evaluation
from solvers.families.scheduling.data import ScheduleData, flatten


def evaluate(problem: SchedulingProblem, solution: ScheduleSolution) -> Evaluation:
    result = Evaluation()
    data = flatten(problem)
    placed = _index_operations(data, solution, result)
    if not result.feasible:
        return result
    _check_jobs(data, placed, result)
    _check_machines(data, placed, result)
    result.objective = _objective(data, placed)
    return result


Placed = dict[tuple[int, int], tuple[ScheduledOperation, int]]
"""(job position, op index) -> (the scheduled operation, machine position)."""


def _index_operations(data: ScheduleData, solution: ScheduleSolution, result: Evaluation) -> Placed:
    job_pos = {str(job.id): j for j, job in enumerate(data.problem.jobs)}
    machine_pos = {str(m): k for k, m in enumerate(data.machine_ids)}
    placed: Placed = {}
    for op in solution.operations:
        j = job_pos.get(str(op.job))
        m = machine_pos.get(str(op.machine))
        if j is None or m is None or op.index >= len(data.job_ops[j]):
            result.violate(f"operation {op.job!r}[{op.index}] on {op.machine!r} does not exist")
            continue
        if (j, op.index) in placed:
            result.violate(f"operation {op.job!r}[{op.index}] is scheduled twice")
        placed[(j, op.index)] = (op, m)
        _check_duration(data, j, op, m, result)
    for j, ops in enumerate(data.job_ops):
        for k in range(len(ops)):
            if (j, k) not in placed:
                result.violate(f"operation {data.problem.jobs[j].id!r}[{k}] is not scheduled")
    return placed


def _check_duration(data: ScheduleData, j: int, op: ScheduledOperation, m: int, result: Evaluation) -> None:
    flat = data.ops[data.job_ops[j][op.index]]
    durations = [c.duration for c in flat.choices if c.machine == m]
    if not durations:
        result.violate(f"operation {op.job!r}[{op.index}] cannot run on machine {op.machine!r}")
    elif op.end - op.start != durations[0]:
        result.violate(f"operation {op.job!r}[{op.index}] lasts {op.end - op.start}, needs {durations[0]}")


def _check_jobs(data: ScheduleData, placed: Placed, result: Evaluation) -> None:
    for j, job in enumerate(data.problem.jobs):
        first, _ = placed[(j, 0)]
        if first.start < job.release:
            result.violate(f"job {job.id!r} starts at {first.start} before its release {job.release}")
        for k in range(1, len(data.job_ops[j])):
            prev, _ = placed[(j, k - 1)]
            cur, _ = placed[(j, k)]
            if cur.start < prev.end:
                result.violate(f"job {job.id!r}: operation {k} starts at {cur.start} before operation "
                               f"{k - 1} ends at {prev.end}")


def _check_machines(data: ScheduleData, placed: Placed, result: Evaluation) -> None:
    per_machine: dict[int, list[tuple[int, int, int]]] = defaultdict(list)
    for (j, _k), (op, m) in placed.items():
        per_machine[m].append((op.start, op.end, j))
    for m, runs in per_machine.items():
        runs.sort()
        for (_s_a, end_a, job_a), (start_b, _e_b, job_b) in itertools.pairwise(runs):
            ready = end_a + data.setup(m, job_a, job_b)
            if start_b < ready:
                result.violate(f"machine {data.machine_ids[m]!r}: job {data.problem.jobs[job_b].id!r} starts "
                               f"at {start_b}, before {ready} (previous end plus setup)")


def _objective(data: ScheduleData, placed: Placed) -> float:
    completion = [placed[(j, len(ops) - 1)][0].end for j, ops in enumerate(data.job_ops)]
    if data.problem.objective is SchedulingObjective.makespan:
        return float(max(completion))
    return float(sum(
        job.weight * max(0, completion[j] - job.due)
        for j, job in enumerate(data.problem.jobs) if job.due is not None
    ))
