"""Scheduling's certified lower bounds for heuristics: machine and job bounds (heads, loads, setups
that cannot be avoided, tails; each machine's preemptive one-machine relaxation; the total work of
flexible operations spread over the machines) for the makespan, each job's chain against its due
date for weighted tardiness."""

import math
import time

import numpy as np

from solvers.families.scheduling.data import ScheduleData
from solvers.families.scheduling.heuristic import makespan_lower_bound
from solvers.families.scheduling.jackson import preemptive_bound
from solvers.mip.lp_bound import CertifiedBound


def scheduling_lower_bound(data: ScheduleData) -> CertifiedBound:
    """Makespan: max of job chains (release + shortest durations), per machine head + load +
    unavoidable setups + tail, per machine Jackson's preemptive schedule, and the total work spread
    over all machines. Weighted tardiness: each job's chain against its due date."""
    started = time.monotonic()
    if data.minimise_makespan:
        value = float(max(makespan_lower_bound(data), *machine_bounds(data), _spread_bound(data)))
    else:
        value = _tardiness_bound(data)
    return CertifiedBound(value, "machine_job_bound", time.monotonic() - started)


def _shortest(data: ScheduleData, op: int) -> int:
    return min(c.duration for c in data.ops[op].choices)


def _heads_tails(data: ScheduleData) -> tuple[list[int], list[int]]:
    """For each operation: earliest start (release + predecessors) and least work after it."""
    heads, tails = [0] * len(data.ops), [0] * len(data.ops)
    for j, ops in enumerate(data.job_ops):
        clock = data.problem.jobs[j].release
        for o in ops:
            heads[o] = clock
            clock += _shortest(data, o)
        rest = 0
        for o in reversed(ops):
            tails[o] = rest
            rest += _shortest(data, o)
    return heads, tails


def _least_setups(data: ScheduleData, machine: int, ops: list[int]) -> dict[int, int]:
    """For each job with an operation in `ops` (every operation that may run on `machine`): the
    least setup before it there, over every other operation of `ops` that could precede it."""
    matrix = data.setups[machine]
    jobs = [data.ops[o].job for o in ops]
    if matrix is None:
        return dict.fromkeys(jobs, 0)
    count = np.bincount(jobs, minlength=data.n_jobs)
    present = np.flatnonzero(count)
    never = np.iinfo(np.int64).max
    block = np.array(matrix, dtype=np.int64)[np.ix_(present, present)]
    alone = np.flatnonzero(count[present] == 1)
    block[alone, alone] = never  # an operation never precedes itself
    least = block.min(axis=0)
    return {int(j): 0 if v == never else int(v) for j, v in zip(present, least, strict=True)}


def machine_bounds(data: ScheduleData) -> tuple[int, int]:
    """Two bounds per machine over the operations fixed to it, the best machine of each, from one
    pass over heads, tails and machines:
    - load: min head + load + setups + min tail, each operation but the first paying at least its
      cheapest setup from any operation that may precede it there (flexible ones included);
    - Jackson: the operations scheduled alone, preemptively, from their heads and followed by their
      tails (`jackson.preemptive_bound`); setups left out, so valid with them too. Without setups it
      is never below the load bound (that is its value for the set of all operations); with them,
      either can be the larger."""
    heads, tails = _heads_tails(data)
    users = _users(data)
    load_best, jackson_best = 0, 0
    for m in range(data.n_machines):
        fixed = [o for o in users[m] if len(data.ops[o].choices) == 1]
        if not fixed:
            continue
        durations = [data.ops[o].choices[0].duration for o in fixed]
        least = _least_setups(data, m, users[m])
        setups = sorted(least[data.ops[o].job] for o in fixed)
        load = min(heads[o] for o in fixed) + sum(durations) + sum(setups[:-1]) + min(tails[o] for o in fixed)
        load_best = max(load_best, load)
        jackson_best = max(jackson_best, preemptive_bound([heads[o] for o in fixed], durations,
                                                          [tails[o] for o in fixed]))
    return load_best, jackson_best


def _users(data: ScheduleData) -> list[list[int]]:
    """For each machine, the operations that may run on it."""
    users: list[list[int]] = [[] for _ in range(data.n_machines)]
    for o, op in enumerate(data.ops):
        for c in op.choices:
            users[c.machine].append(o)
    return users


def _spread_bound(data: ScheduleData) -> int:
    """All processing plus unavoidable setups fits in machines x makespan; the first operation on
    each machine pays no setup, so the machine-count largest setup terms are left out."""
    users = _users(data)
    work = sum(_shortest(data, o) for o in range(len(data.ops)))
    setups: list[int] = []
    if data.has_setups:
        least = [_least_setups(data, m, users[m]) if users[m] else {} for m in range(data.n_machines)]
        for op in data.ops:
            setups.append(min(least[c.machine][op.job] for c in op.choices))
        setups.sort()
        work += sum(setups[: max(0, len(setups) - data.n_machines)])
    return math.ceil(work / data.n_machines) if data.n_machines else 0


def _tardiness_bound(data: ScheduleData) -> float:
    heads, _ = _heads_tails(data)
    total = 0.0
    for job, ops in zip(data.problem.jobs, data.job_ops, strict=True):
        if job.due is not None and ops:
            finish = heads[ops[-1]] + _shortest(data, ops[-1])
            total += job.weight * max(0, finish - job.due)
    return total
