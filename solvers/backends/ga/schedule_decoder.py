"""Active-schedule decoder for operation-based permutations (Giffler-Thompson), compiled.

A genome is a sequence of job positions, job j appearing once per operation: its k-th
occurrence stands for operation k of job j, and earlier means higher priority. Decoding follows
Giffler and Thompson: among the next operations of all jobs, the one that could finish first fixes
a machine m* and a time C*; every next operation that may run on m* and could start there before
C* is in conflict, and the one with the highest priority (earliest in the genome) is scheduled,
on the machine where it finishes first (flexible and parallel machines), after its job's
previous operation or release and after the machine's previous job plus the setup between them.
The result is an active schedule; the order in which operations were scheduled is returned as
well, so the engine can write it back into the genome (Lamarckian "forcing").

`critical_search` improves a genome for the makespan: it walks the critical path of its
schedule from the end and, for each pair of operations adjacent on a machine and on the path,
tries the genome with the later one moved just before the earlier one (a decoded N1 move); the
first that shortens the makespan is kept, until none does or its budget of decodes is spent. Every
value is a decoded genome's, so the genome alone always reproduces the schedule that was scored.
The budget is what keeps a time limit: numba cannot read the clock, and on 300 jobs x 20 machines
one search from a priority-rule genome ran 29 s (a decode there scans every job at every step); the
caller runs a long search in budgeted pieces and reads the clock between them.

The same rules as `solvers.families.scheduling.heuristic`, which drives them by priority rules on
Python objects; here they run on flat arrays, compiled, because the GA decodes hundreds of
thousands of genomes.
"""

from dataclasses import dataclass

import numpy as np
from numba import njit
from numpy.typing import NDArray

from solvers.families.jit import CACHE
from solvers.families.scheduling.data import ScheduleData

NEVER = np.iinfo(np.int64).max // 4

IntArray = NDArray[np.int64]


@dataclass(frozen=True)
class FlatShop:
    """`ScheduleData` as arrays for the compiled decoder (`arrays`, in `giffler_thompson`'s order)."""

    job_first: IntArray
    """Index of each job's first operation (operations are numbered job by job)."""
    job_len: IntArray
    choice_ptr: IntArray
    """Operation o may run as choices choice_ptr[o] .. choice_ptr[o + 1] - 1."""
    choice_machine: IntArray
    choice_duration: IntArray
    release: IntArray
    setup_of: IntArray
    """For each machine the index of its matrix in `setups`, or -1 for no setups."""
    setups: IntArray
    """Stacked setup matrices, job x job."""
    due: IntArray
    """Due date per job, -1 for none."""
    weight: NDArray[np.float64]
    n_machines: int
    makespan: bool

    @classmethod
    def of(cls, data: ScheduleData) -> "FlatShop":
        ops = data.ops
        ptr = np.zeros(len(ops) + 1, dtype=np.int64)
        ptr[1:] = np.cumsum([len(op.choices) for op in ops])
        matrices: list[tuple[tuple[int, ...], ...]] = []
        setup_of = np.full(data.n_machines, -1, dtype=np.int64)
        for m, matrix in enumerate(data.setups):
            if matrix is not None:
                if matrix not in matrices:
                    matrices.append(matrix)
                setup_of[m] = matrices.index(matrix)
        n, jobs = data.n_jobs, data.problem.jobs
        return cls(
            job_first=np.array([o[0] if o else 0 for o in data.job_ops], dtype=np.int64),
            job_len=np.array([len(o) for o in data.job_ops], dtype=np.int64),
            choice_ptr=ptr,
            choice_machine=np.array([c.machine for op in ops for c in op.choices], dtype=np.int64),
            choice_duration=np.array([c.duration for op in ops for c in op.choices], dtype=np.int64),
            release=np.array([job.release for job in jobs], dtype=np.int64),
            setup_of=setup_of,
            setups=np.array(matrices, dtype=np.int64).reshape(len(matrices), n, n),
            due=np.array([-1 if job.due is None else job.due for job in jobs], dtype=np.int64),
            weight=np.array([job.weight for job in jobs], dtype=np.float64),
            n_machines=data.n_machines,
            makespan=data.minimise_makespan,
        )

    @property
    def arrays(self) -> tuple[IntArray, ...]:
        return (self.job_first, self.job_len, self.choice_ptr, self.choice_machine, self.choice_duration,
                self.release, self.setup_of, self.setups, self.due, self.weight)  # type: ignore[return-value]

    @property
    def n_ops(self) -> int:
        return len(self.choice_ptr) - 1

    def decode(self, genome: IntArray) -> "Decoded":
        out = Decoded.empty(self.n_ops)
        out.value = float(giffler_thompson(genome, self.arrays, self.n_machines, self.makespan, *out.arrays))
        return out

    def improve(self, genome: IntArray, max_rounds: int, max_trials: int, resume: int = -1
                ) -> tuple[IntArray, float, int]:
        """`critical_search` from `genome` with at most `max_trials` trial decodes: the improved genome
        (in scheduling order), its value, and where its walk goes on (-1: the search ended); passing the
        genome and that operation back continues the same search."""
        value, best, resume = critical_search(genome, self.arrays, self.n_machines, self.makespan, max_rounds,
                                              max_trials, resume)
        return best, float(value), int(resume)


@dataclass
class Decoded:
    """A decoded schedule: per operation start, end, machine and predecessor on that machine
    (-1 for none); per step the job and the operation scheduled; the objective."""

    start: IntArray
    end: IntArray
    machine: IntArray
    prev: IntArray
    order: IntArray
    order_op: IntArray
    value: float = 0.0

    @classmethod
    def empty(cls, n_ops: int) -> "Decoded":
        arrays = [np.empty(n_ops, np.int64) for _ in range(6)]
        return cls(arrays[0], arrays[1], arrays[2], arrays[3], arrays[4], arrays[5])

    @property
    def arrays(self) -> tuple[IntArray, ...]:
        return self.start, self.end, self.machine, self.prev, self.order, self.order_op


@njit(cache=CACHE)
def _earliest(j, o, ptr, cm, cd, job_ready, mach_ready, mach_last, setup_of, setups):  # type: ignore[no-untyped-def]
    """(end, start, machine) of operation o of job j on the machine where it finishes first."""
    best_end, best_start, best_m = NEVER, NEVER, -1
    for c in range(ptr[o], ptr[o + 1]):
        m = cm[c]
        ready = mach_ready[m]
        if mach_last[m] >= 0 and setup_of[m] >= 0:
            ready += setups[setup_of[m], mach_last[m], j]
        s = max(ready, job_ready[j])
        e = s + cd[c]
        if e < best_end or (e == best_end and (s < best_start or (s == best_start and m < best_m))):
            best_end, best_start, best_m = e, s, m
    return best_end, best_start, best_m


@njit(cache=CACHE)
def _start_on(j, o, m, ptr, cm, job_ready, mach_ready, mach_last, setup_of, setups):  # type: ignore[no-untyped-def]
    """Earliest start of operation o of job j on machine m, or NEVER when it cannot use m."""
    for c in range(ptr[o], ptr[o + 1]):
        if cm[c] == m:
            ready = mach_ready[m]
            if mach_last[m] >= 0 and setup_of[m] >= 0:
                ready += setups[setup_of[m], mach_last[m], j]
            return max(ready, job_ready[j])
    return NEVER


@njit(cache=CACHE)
def giffler_thompson(genome, shop, n_machines, makespan, start, end, machine, prev, order, order_op):  # type: ignore[no-untyped-def]
    """Decodes `genome` into the output arrays (see `Decoded`); returns the objective."""
    job_first, job_len, ptr, cm, cd, release, setup_of, setups, due, weight = shop
    n_jobs = len(job_first)
    n_ops = len(genome)
    priority = np.empty(n_ops, np.int64)
    seen = np.zeros(n_jobs, np.int64)
    for p in range(n_ops):
        j = genome[p]
        priority[job_first[j] + seen[j]] = p
        seen[j] += 1
    job_next = np.zeros(n_jobs, np.int64)
    job_ready = release.copy()
    mach_ready = np.zeros(n_machines, np.int64)
    mach_last = np.full(n_machines, -1, np.int64)
    mach_last_op = np.full(n_machines, -1, np.int64)
    cand_end = np.empty(n_jobs, np.int64)
    cand_start = np.empty(n_jobs, np.int64)
    cand_m = np.empty(n_jobs, np.int64)
    for j in range(n_jobs):
        if job_len[j] > 0:
            cand_end[j], cand_start[j], cand_m[j] = _earliest(j, job_first[j], ptr, cm, cd, job_ready, mach_ready,
                                                              mach_last, setup_of, setups)
    for step in range(n_ops):
        first = -1
        for j in range(n_jobs):
            if job_next[j] < job_len[j] and (first < 0 or cand_end[j] < cand_end[first]
                                             or (cand_end[j] == cand_end[first] and cand_start[j] < cand_start[first])):
                first = j
        m_star, c_star = cand_m[first], cand_end[first]
        chosen, chosen_priority = first, NEVER
        for j in range(n_jobs):
            if job_next[j] < job_len[j]:
                o = job_first[j] + job_next[j]
                if priority[o] < chosen_priority and _start_on(j, o, m_star, ptr, cm, job_ready, mach_ready,
                                                               mach_last, setup_of, setups) < c_star:
                    chosen, chosen_priority = j, priority[o]
        o = job_first[chosen] + job_next[chosen]
        m = cand_m[chosen]
        start[o], end[o], machine[o] = cand_start[chosen], cand_end[chosen], m
        order[step], order_op[step], prev[o] = chosen, o, mach_last_op[m]
        mach_ready[m], mach_last[m], mach_last_op[m] = end[o], chosen, o
        job_ready[chosen] = end[o]
        job_next[chosen] += 1
        for j in range(n_jobs):
            if job_next[j] < job_len[j]:
                nxt = job_first[j] + job_next[j]
                if j == chosen or cand_m[j] == m or ptr[nxt + 1] - ptr[nxt] > 1:
                    cand_end[j], cand_start[j], cand_m[j] = _earliest(j, nxt, ptr, cm, cd, job_ready, mach_ready,
                                                                      mach_last, setup_of, setups)
    if makespan:
        return float(end.max()) if n_ops else 0.0
    total = 0.0
    for j in range(n_jobs):
        if due[j] >= 0 and job_len[j] > 0:
            late = end[job_first[j] + job_len[j] - 1] - due[j]
            if late > 0:
                total += weight[j] * late
    return total


@njit(cache=CACHE)
def _machine_linked(a, b, start, end, machine, job_of, setup_of, setups):  # type: ignore[no-untyped-def]
    """True when b starts exactly when a (its predecessor on the machine) and the setup end."""
    m = machine[b]
    gap = setups[setup_of[m], job_of[a], job_of[b]] if setup_of[m] >= 0 else 0
    return end[a] + gap == start[b]


@njit(cache=CACHE)
def critical_search(genome, shop, n_machines, makespan, max_rounds, max_trials, resume):  # type: ignore[no-untyped-def]
    """See the module docstring; returns (value, genome in scheduling order, where to resume: the
    operation the walk of the returned genome's schedule goes on from when the trial budget ran out,
    or -1 when the search ended). `resume` >= 0 starts the first walk there (the genome a budgeted
    call returned decodes to the same schedule)."""
    job_first, job_len, setup_of, setups = shop[0], shop[1], shop[6], shop[7]
    n = len(genome)
    n_jobs = len(job_first)
    job_of = np.empty(n, np.int64)
    first_of = np.empty(n, np.int64)
    for j in range(n_jobs):
        for k in range(job_len[j]):
            job_of[job_first[j] + k] = j
            first_of[job_first[j] + k] = job_first[j]
    cur = [np.empty(n, np.int64) for _ in range(6)]
    trial_out = [np.empty(n, np.int64) for _ in range(6)]
    value = giffler_thompson(genome, shop, n_machines, makespan, cur[0], cur[1], cur[2], cur[3], cur[4], cur[5])
    best = cur[4].copy()
    if not makespan:
        return value, best, -1
    position = np.empty(n, np.int64)
    trial = np.empty(n, np.int64)
    trials = 0
    for r in range(max_rounds):
        start, end, machine, prev, order_op = cur[0], cur[1], cur[2], cur[3], cur[5]
        for p in range(n):
            position[order_op[p]] = p
        b = resume if r == 0 and resume >= 0 else int(np.argmax(end))
        improved = False
        while b >= 0 and not improved and trials < max_trials:
            a = prev[b]
            if a >= 0 and _machine_linked(a, b, start, end, machine, job_of, setup_of, setups):
                pa, pb = position[a], position[b]
                trial[:pa] = best[:pa]
                trial[pa] = best[pb]
                trial[pa + 1:pb + 1] = best[pa:pb]
                trial[pb + 1:] = best[pb + 1:]
                v = giffler_thompson(trial, shop, n_machines, makespan, trial_out[0], trial_out[1], trial_out[2],
                                     trial_out[3], trial_out[4], trial_out[5])
                trials += 1
                if v < value:
                    value, improved = v, True
                    cur, trial_out = trial_out, cur
                    best = cur[4].copy()
                b = a
            elif b > first_of[b] and end[b - 1] == start[b]:
                b = b - 1
            else:
                b = -1
        if not improved:
            return value, best, b if trials >= max_trials else -1
    return value, best, -1


def warm_up() -> None:
    """Compiles (or loads from numba's cache) the decoder and the critical-path search."""
    from models import SchedulingProblem
    from solvers.families.scheduling.data import flatten

    problem = SchedulingProblem.model_validate({
        "kind": "scheduling", "machines": ["a", "b"], "setup_times": [[0, 1], [1, 0]],
        "jobs": [{"id": j, "operations": [{"machine": "a", "duration": 2},
                                          {"alternatives": [{"machine": "a", "duration": 1},
                                                            {"machine": "b", "duration": 2}]}]} for j in range(2)]})
    shop = FlatShop.of(flatten(problem))
    genome = np.array([0, 1, 0, 1], dtype=np.int64)
    shop.decode(genome)
    shop.improve(genome, 5, 100)
