"""Iterated greedy with local search for parallel machines (one operation per job).

Why: on unrelated parallel machines with sequence-dependent setups CP-SAT's circuit model is
slow to even start (presolve alone took about 5 s on 50 jobs x 5 machines) and improved the
constructive 149 only to 137 after 26 s; this search reaches 113-114 within 10 s on the same
instance (bench/scheduling.py; figures below).

A schedule is one job sequence per machine; a machine runs its jobs back to back (setup, then
the job, never before the job's release). The search compares (objective, tie-break): makespan
with the total of the machines' end times (shorter machines leave room for moves), or total
weighted tardiness with the makespan. Moves:

- best insertion: take a job out and put it at the best position of any machine it may use;
  for makespan only the jobs of the machine that ends last are tried (no other move can shorten
  it, and the passes get five times cheaper on 50 x 5: 115.6 against 116.4 on average after
  4 CPU seconds of the plain-Python version), for tardiness every job;
- swap (makespan without releases): exchange a job of the last-ending machine with a job of
  another machine, best improving exchange first;
- iterated greedy (Ruiz-Stuetzle, as adapted to R|S_ijk|Cmax by Vallada and Ruiz): remove 2-6
  jobs (half of them from the last-ending machine), reinsert each at its best position, run local
  search, accept a worse result with a small probability (a constant temperature).

Measured on 50 x 5 (mean makespan over seeds, equal CPU time): temperature 0.5 x mean duration
120.2, 0.15 119.5, 0.04 118.8, 0.02 116.6 (2,000 iterations); destroying 2-4 or 4-8 jobs was no
better than 2-6. Without releases the makespan cost of an insertion or a swap is exact in O(1)
from the setups around the gaps; with releases or tardiness the touched machine is re-simulated.

Makespan without releases (`_Shop.fast`) runs compiled (`parallel_kernel`, in chunks between
clock reads); releases and tardiness run in plain Python here. Why: steps per CPU second (one
thread, seeds 0-4, a 2-core machine shared with other work at load 7-11) went from 1,590-2,260 to
89,000-123,000 on 50 x 5 (about 55x) and by 40-70x on the 8- and 20-job instances of
bench/scheduling.py, with the same makespans at equal steps (50 x 5 after 20,000 steps: mean 115.0
compiled, 114.6 plain; all 8- and 20-job instances at their optima after 2,000 steps either way).
On 50 x 5 with 10 CPU seconds the plain version ended at 114 on one seed and 115 on four (best
after 2 s 115-116); the compiled one was at 114 after 2 s on all five seeds (first reached after
0.03-0.72 s) and at 113, below the former best known 114, on one (seed 3, after 4.7 s). Through
the service (bench/scheduling.py, 10 s, one cold solve process, load 11): 114 against CP-SAT's
bound 110. A solve process pays numba's start-up once, about 0.4 CPU seconds, unless its warm
pool loaded the kernel ahead (`warm_up`).
"""

import math
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from solvers.families.scheduling import parallel_kernel as kernel
from solvers.families.scheduling.data import ScheduleData
from solvers.families.scheduling.heuristic import Placement

Improved = Callable[[tuple[Placement, ...], float], None]
Cost = tuple[float, float]

DESTROY = (2, 6)
"""Jobs removed per iterated-greedy step: drawn uniformly from this range (capped by n - 1)."""
CRITICAL_SHARE = 0.5
"""Share of the removed jobs taken from the machine that ends last."""
TEMPERATURE = 0.02
"""Acceptance temperature as a fraction of the mean job duration (see the module docstring)."""
CLOCK_EVERY = 4
"""Iterated-greedy steps between clock reads (plain Python: releases or tardiness)."""
CHUNK_SECONDS = 0.02
"""Target length of one compiled chunk of steps (makespan without releases): the clock is read,
and `between` called, between chunks."""


def applicable(data: ScheduleData) -> bool:
    """Every job is one operation (on one or several alternative machines)."""
    return bool(data.ops) and all(len(ops) == 1 for ops in data.job_ops)


def compiled(data: ScheduleData) -> bool:
    """Makespan without releases: the search runs in `parallel_kernel` (numba)."""
    return data.minimise_makespan and not any(job.release for job in data.problem.jobs)


@dataclass
class SearchResult:
    placements: tuple[Placement, ...]
    objective: float
    iterations: int


class _Shop:
    """Static data by machine and operation position: durations (None = not allowed), setups."""

    def __init__(self, data: ScheduleData) -> None:
        n, m = len(data.ops), data.n_machines
        self.n, self.m = n, m
        self.job = [op.job for op in data.ops]
        self.dur: list[list[int | None]] = [[None] * n for _ in range(m)]
        for k, op in enumerate(data.ops):
            for c in op.choices:
                self.dur[c.machine][k] = c.duration
        self.machines_of = [[c.machine for c in op.choices] for op in data.ops]
        jobs = data.problem.jobs
        self.release = [jobs[j].release for j in self.job]
        self.due = [jobs[j].due for j in self.job]
        self.weight = [jobs[j].weight for j in self.job]
        self.setup = [None if s is None else [[s[self.job[a]][self.job[b]] for b in range(n)] for a in range(n)]
                      for s in data.setups]
        self.padded = [None if s is None else [[*row, 0] for row in s] + [[0] * (n + 1)] for s in self.setup]
        """Setups with a zero row and column `n` for "no job" (machine start and end), or None."""
        self.makespan = data.minimise_makespan
        self.fast = compiled(data)
        """Makespan without releases: a machine's end is the sum of its durations and setups."""
        durations = [c.duration for op in data.ops for c in op.choices]
        self.mean_duration = sum(durations) / max(1, len(durations))

    def s(self, m: int, a: int, b: int) -> int:
        matrix = self.setup[m]
        return matrix[a][b] if matrix is not None and a >= 0 and b >= 0 else 0

    def run(self, m: int, seq: Sequence[int]) -> tuple[float, float]:
        """(end, weighted tardiness) of machine m running seq."""
        t, last, late = 0, -1, 0.0
        dur = self.dur[m]
        for k in seq:
            start = max(t + self.s(m, last, k), self.release[k])
            d = dur[k]
            assert d is not None
            t, last = start + d, k
            due = self.due[k]
            if not self.makespan and due is not None and t > due:
                late += self.weight[k] * (t - due)
        return float(t), late


class _Schedule:
    """Machine sequences with each machine's (end, tardiness)."""

    def __init__(self, shop: _Shop, seqs: list[list[int]]) -> None:
        self.shop = shop
        self.seqs = seqs
        self.values = [shop.run(m, s) for m, s in enumerate(seqs)]

    def copy(self) -> "_Schedule":
        other = object.__new__(_Schedule)
        other.shop, other.seqs, other.values = self.shop, [list(s) for s in self.seqs], list(self.values)
        return other

    def cost(self, values: Sequence[tuple[float, float]] | None = None) -> Cost:
        values = self.values if values is None else values
        ends = [v[0] for v in values]
        if self.shop.makespan:
            return max(ends), sum(ends)
        return sum(v[1] for v in values), max(ends)

    def remove(self, k: int) -> tuple[int, int, tuple[float, float]]:
        """Takes k out; returns where it was and that machine's value before (to put it back)."""
        for m, seq in enumerate(self.seqs):
            if k in seq:
                pos, value = seq.index(k), self.values[m]
                seq.pop(pos)
                self.values[m] = self.shop.run(m, seq)
                return m, pos, value
        raise ValueError(f"operation {k} is not scheduled")

    def best_insertion(self, k: int) -> tuple[Cost, int, int, tuple[float, float]]:
        """Cheapest (cost, machine, position, machine value) to insert k."""
        best: tuple[Cost, int, int, tuple[float, float]] | None = None
        for m in self.shop.machines_of[k]:
            seq = self.seqs[m]
            for pos in range(len(seq) + 1):
                value = self.shop.run(m, [*seq[:pos], k, *seq[pos:]])
                trial = list(self.values)
                trial[m] = value
                cost = self.cost(trial)
                if best is None or cost < best[0]:
                    best = (cost, m, pos, value)
        assert best is not None, "an operation without machine choices"
        return best

    def insert(self, k: int, m: int, pos: int, value: tuple[float, float]) -> None:
        self.seqs[m].insert(pos, k)
        self.values[m] = value

    def placements(self) -> tuple[Placement, ...]:
        out: list[Placement | None] = [None] * self.shop.n
        shop = self.shop
        for m, seq in enumerate(self.seqs):
            t, last = 0, -1
            for k in seq:
                start = max(t + shop.s(m, last, k), shop.release[k])
                d = shop.dur[m][k]
                assert d is not None
                t, last = start + d, k
                out[k] = Placement(m, start, t)
        return tuple(p for p in out if p is not None)


def local_search(schedule: _Schedule, rng: random.Random) -> None:
    """Insertion passes until nothing improves."""
    while insertion_pass(schedule, rng):
        pass


def insertion_pass(schedule: _Schedule, rng: random.Random) -> bool:
    """Best reinsertion of each job of the machine that ends last (for makespan: only those moves
    can shorten it) or of every job (tardiness), in random order; True if any job moved."""
    improved = False
    if schedule.shop.makespan:
        ends = [v[0] for v in schedule.values]
        order = list(schedule.seqs[max(range(len(ends)), key=ends.__getitem__)])
    else:
        order = list(range(schedule.shop.n))
    rng.shuffle(order)
    for k in order:
        before = schedule.cost()
        m0, pos0, value0 = schedule.remove(k)
        cost, m, pos, value = schedule.best_insertion(k)
        if cost < before:
            schedule.insert(k, m, pos, value)
            improved = True
        else:
            schedule.insert(k, m0, pos0, value0)
    return improved


def sequences_of(data: ScheduleData, placements: Sequence[Placement]) -> list[list[int]]:
    """Machine sequences (operation positions by start time) of a schedule."""
    seqs: list[list[int]] = [[] for _ in range(data.n_machines)]
    for k in sorted(range(len(placements)), key=lambda k: (placements[k].start, placements[k].end)):
        seqs[placements[k].machine].append(k)
    return seqs


def _destroy(schedule: _Schedule, rng: random.Random) -> list[int]:
    """Random jobs to take out (with CRITICAL_SHARE of them from the last-ending machine)."""
    n = schedule.shop.n
    count = min(n - 1, rng.randint(*DESTROY))
    ends = [v[0] for v in schedule.values]
    crit = schedule.seqs[max(range(len(ends)), key=ends.__getitem__)]
    chosen = set(rng.sample(crit, min(len(crit), round(CRITICAL_SHARE * count))))
    while len(chosen) < count:
        chosen.add(rng.randrange(n))
    order = sorted(chosen)
    rng.shuffle(order)
    return order


def iterated_greedy(data: ScheduleData, start: Sequence[Placement], seconds: float, seed: int = 0,
                    lower_bound: float = 0.0, on_improve: Improved | None = None,
                    max_iterations: int | None = None, stall: int | None = None,
                    between: Callable[[], None] | None = None) -> SearchResult:
    """Improves a feasible parallel-machine schedule for `seconds` (see the module docstring).
    `stall`: stop after this many steps without a better schedule (a caller with a better use for
    the time, such as CP-SAT's proof once the schedule is good enough to give it a tight horizon).
    `between` is called at each clock read (a caller that throttles its reports flushes them)."""
    deadline = time.monotonic() + seconds
    shop = _Shop(data)
    if shop.fast:
        return _compiled_search(CompiledSearch(shop, sequences_of(data, start), seed), deadline, lower_bound,
                                on_improve, max_iterations, stall, between)
    return _python_search(shop, data, start, deadline, seed, lower_bound, on_improve, max_iterations, stall,
                          between)


def _python_search(shop: _Shop, data: ScheduleData, start: Sequence[Placement], deadline: float, seed: int,
                   lower_bound: float, on_improve: Improved | None, max_iterations: int | None, stall: int | None,
                   between: Callable[[], None] | None) -> SearchResult:
    """Releases or tardiness: each touched machine is re-simulated (plain Python)."""
    rng = random.Random(seed)
    current = _Schedule(shop, sequences_of(data, start))
    local_search(current, rng)
    best = current.copy()
    if on_improve is not None:
        on_improve(best.placements(), best.cost()[0])
    temperature = TEMPERATURE * shop.mean_duration
    iterations = last_better = 0
    while best.cost()[0] > lower_bound and shop.n > 1:
        if max_iterations is not None and iterations >= max_iterations:
            break
        if stall is not None and iterations - last_better >= stall:
            break
        if iterations % CLOCK_EVERY == 0:
            if time.monotonic() >= deadline:
                break
            if between is not None:
                between()
        iterations += 1
        trial = current.copy()
        removed = _destroy(trial, rng)
        for k in removed:
            trial.remove(k)
        for k in removed:
            _, m, pos, value = trial.best_insertion(k)
            trial.insert(k, m, pos, value)
        local_search(trial, rng)
        delta = trial.cost()[0] - current.cost()[0]
        if trial.cost() < current.cost() or rng.random() < math.exp(-max(delta, 0.0) / max(temperature, 1e-9)):
            current = trial
        if current.cost() < best.cost():
            if current.cost()[0] < best.cost()[0]:
                last_better = iterations
            best = current.copy()
            if on_improve is not None:
                on_improve(best.placements(), best.cost()[0])
    return SearchResult(best.placements(), best.cost()[0], iterations)


class CompiledSearch:
    """The makespan-without-releases search as the arrays of `parallel_kernel`, and its steps."""

    def __init__(self, shop: _Shop, seqs: list[list[int]], seed: int) -> None:
        n, m = shop.n, shop.m
        self.shop = shop
        self.dur = np.array([[-1 if d is None else d for d in row] for row in shop.dur], dtype=np.int64)
        zero = [[0] * (n + 1) for _ in range(n + 1)]
        self.pad = np.array([zero if p is None else p for p in shop.padded], dtype=np.int64).reshape(m, n + 1, n + 1)
        self.into = np.ascontiguousarray(self.pad.transpose(0, 2, 1))
        self.seqs = np.full((kernel.LAYERS, m, n), -1, dtype=np.int64)
        self.lens = np.zeros((kernel.LAYERS, m), dtype=np.int64)
        self.ends = np.zeros((kernel.LAYERS, m), dtype=np.int64)
        for machine, seq in enumerate(seqs):
            self.seqs[kernel.CUR, machine, :len(seq)] = seq
            self.lens[kernel.CUR, machine] = len(seq)
        kernel.evaluate(self.seqs, self.lens, self.ends, self.dur, self.pad, kernel.CUR)
        self.scratch = np.zeros((kernel.ROWS, n), dtype=np.int64)
        self.st = np.zeros(kernel.STATE, dtype=np.int64)
        self.st[kernel.RNG] = (seed * 2654435761 + 12345) & 0xFFFFFFFF or 1
        take = [round(CRITICAL_SHARE * count) for count in range(DESTROY[1] + 1)]
        self.cfg = np.array([DESTROY[0], DESTROY[1], -1, -1, *take], dtype=np.int64)
        self.temperature = max(TEMPERATURE * shop.mean_duration, 1e-9)

    def descend(self) -> None:
        """Local search on the start, which becomes the best schedule."""
        kernel.descend(self.dur, self.pad, self.into, self.seqs, self.lens, self.ends, self.scratch, self.st)

    def run(self, steps: int, lower_bound: float = 0.0, stall: int | None = None) -> int:
        """Up to `steps` steps; the kernel's reason for stopping (`parallel_kernel.run_chunk`)."""
        self.cfg[kernel.LOWER_BOUND] = math.floor(max(-1.0, min(lower_bound, 2.0**62)))  # makespans are integers
        self.cfg[kernel.STALL] = -1 if stall is None else stall
        return int(kernel.run_chunk(self.dur, self.pad, self.into, self.seqs, self.lens, self.ends, self.scratch,
                                    self.st, self.cfg, self.temperature, steps))

    @property
    def iterations(self) -> int:
        return int(self.st[kernel.IT])

    @property
    def best(self) -> int:
        return int(self.ends[kernel.BEST].max())

    def sequences(self, layer: int = kernel.BEST) -> list[list[int]]:
        return [self.seqs[layer, m, :self.lens[layer, m]].tolist() for m in range(self.shop.m)]

    def placements(self) -> tuple[Placement, ...]:
        """The best schedule (start times simulated again from its sequences, in Python)."""
        return _Schedule(self.shop, self.sequences()).placements()


def _compiled_search(search: CompiledSearch, deadline: float, lower_bound: float, on_improve: Improved | None,
                     max_iterations: int | None, stall: int | None,
                     between: Callable[[], None] | None) -> SearchResult:
    """Compiled chunks of steps sized to about CHUNK_SECONDS; every better schedule is reported."""
    search.descend()
    if on_improve is not None:
        on_improve(search.placements(), float(search.best))
    chunk = 8
    while search.best > lower_bound and search.shop.n > 1 and time.monotonic() < deadline:
        if between is not None:
            between()
        size = chunk if max_iterations is None else min(chunk, max_iterations - search.iterations)
        if size <= 0:
            break
        done, began = search.iterations, time.monotonic()
        reason = search.run(size, lower_bound, stall)
        rate = (search.iterations - done) / max(time.monotonic() - began, 1e-5)
        # at most doubled: a chunk cut short by a better schedule times too few steps to trust alone
        chunk = max(1, min(2 * chunk, 1 << 16, int(rate * CHUNK_SECONDS)))
        if reason == kernel.IMPROVED and on_improve is not None:
            on_improve(search.placements(), float(search.best))
        elif reason in (kernel.AT_BOUND, kernel.STALLED):
            break
    return SearchResult(search.placements(), float(search.best), search.iterations)


_warm = False
"""The kernel is loaded in this process (the CP-SAT backend calls `warm_up` before every setup solve)."""


def warm_up() -> None:
    """Loads the kernel (compiling it the first time) with a tiny search: at install time, in solve
    processes started ahead of requests, and in a fresh process before a solve shares out its time;
    once per process."""
    global _warm
    if _warm:
        return
    from models import SchedulingProblem
    from solvers.families.scheduling.data import flatten
    from solvers.families.scheduling.heuristic import best_schedule

    problem = SchedulingProblem.model_validate({"kind": "scheduling", "machines": ["A", "B"], "jobs": [
        {"id": f"J{j}", "operations": [{"alternatives": [{"machine": "A", "duration": 2 + j % 3},
                                                         {"machine": "B", "duration": 3 + j % 2}]}]}
        for j in range(5)], "setup_times": [[0 if a == b else 1 + (a + b) % 3 for b in range(5)] for a in range(5)]})
    data = flatten(problem)
    iterated_greedy(data, best_schedule(data).placements, 5.0, max_iterations=20)
    _warm = True
