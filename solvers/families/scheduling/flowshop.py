"""Iterated greedy for flow shops (every job visits the same machines in the same order), makespan.

Why: flow shops arrive as job shops (the Taillard PFSP files are job-shop files whose jobs all
visit machines 0..m-1), and the job-shop tabu search moves one operation at a time: on ta001
(20 x 5) it ended at 1290, 1292 or 1295 within 1-5 s from run to run where the permutation
optimum is 1278, so `auto` and the very backend it runs differed by 0.3-0.9% at short limits
(bench/RESULTS.md, "Anytime"). The iterated greedy of Ruiz and Stuetzle (2007), the reference
method for the permutation flow shop, works on the job order instead: NEH start, destroy
DESTROY jobs, reinsert each at its best position, insertion local search, accept a worse order
with a small probability (a constant temperature). Best insertions use Taillard's (1990) heads
and tails, O(n m) for all n + 1 positions at once.

A permutation schedule is a feasible job-shop schedule, so the result goes on to the job-shop
search and CP-SAT, which may still find a non-permutation schedule that is shorter.
"""

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from solvers.families.jit import jit
from solvers.families.scheduling.data import ScheduleData
from solvers.families.scheduling.heuristic import Placement

Improved = Callable[[tuple[Placement, ...], int], None]

DESTROY = 4
"""Jobs removed per step: Ruiz and Stuetzle's d = 4 (capped by n - 1)."""
TEMPERATURE = 0.4
"""Their T = 0.4: the acceptance temperature is T x total processing time / (10 n m)."""
CHUNK = 32
"""Steps per compiled call between clock reads (a step on 20 x 20 takes well under a millisecond)..."""
CHUNK_WORK = 4_000_000
"""... and fewer on large shops: a step's local search costs about n^2 m per pass, so a call does at
most CHUNK_WORK / (n^2 m) steps (at least one), keeping clock reads milliseconds apart."""


@dataclass(frozen=True)
class FlowShopOutcome:
    placements: tuple[Placement, ...]
    makespan: int
    iterations: int


def machine_route(data: ScheduleData) -> tuple[int, ...] | None:
    """The machine order every job follows, or None when this is not a plain flow shop (makespan,
    no setups or releases, one fixed machine per operation, every machine once per job)."""
    problem = data.problem
    if not data.minimise_makespan or data.has_setups or any(job.release for job in problem.jobs):
        return None
    if any(len(op.choices) != 1 for op in data.ops):
        return None
    routes = {tuple(data.ops[k].choices[0].machine for k in ops) for ops in data.job_ops}
    if len(routes) != 1:
        return None
    route = routes.pop()
    return route if len(set(route)) == len(route) == data.n_machines else None


def applicable(data: ScheduleData) -> bool:
    return data.n_jobs >= 2 and machine_route(data) is not None


def iterated_greedy(data: ScheduleData, seconds: float, seed: int = 0, lower_bound: int = 0,
                    on_improve: Improved | None = None, max_iterations: int | None = None,
                    between: Callable[[], None] | None = None) -> FlowShopOutcome:
    """The best permutation schedule found in `seconds` (or `max_iterations` steps); stops at once
    at `lower_bound`. `between` is called between compiled calls (a caller that throttles its
    reports flushes them there)."""
    deadline = time.monotonic() + seconds
    times = _processing_times(data)
    n, m = times.shape
    current = _neh(times)
    best = current.copy()
    current_span = best_span = int(_makespan(current, times))
    if on_improve is not None:
        on_improve(placements(data, best, times), best_span)
    temperature = max(TEMPERATURE * float(times.sum()) / (10.0 * n * m), 1e-9)
    destroy = min(DESTROY, n - 1)
    per_call = max(1, min(CHUNK, CHUNK_WORK // (n * n * m)))
    steps = chunk = 0
    while best_span > lower_bound and time.monotonic() < deadline:
        if max_iterations is not None and steps >= max_iterations:
            break
        todo = per_call if max_iterations is None else min(per_call, max_iterations - steps)
        current_span, span, done = _steps(times, current, current_span, best, best_span, todo, destroy,
                                          temperature, (seed * 1_000_003 + chunk) % 2**32, lower_bound)
        chunk, steps = chunk + 1, steps + done
        if span < best_span:
            best_span = int(span)
            if on_improve is not None:
                on_improve(placements(data, best, times), best_span)
        if between is not None:
            between()
    return FlowShopOutcome(placements(data, best, times), best_span, steps)


def _processing_times(data: ScheduleData) -> np.ndarray:
    """times[job, stage]: duration of the job's operation at each stage of the route."""
    return np.array([[data.ops[k].choices[0].duration for k in ops] for ops in data.job_ops], dtype=np.int64)


def placements(data: ScheduleData, order: np.ndarray, times: np.ndarray) -> tuple[Placement, ...]:
    """The semi-active schedule of the job order `order`, by operation position."""
    ends = _completions(order, times)
    out: list[Placement | None] = [None] * len(data.ops)
    for rank, job in enumerate(order):
        for stage, op in enumerate(data.job_ops[job]):
            end = int(ends[rank, stage])
            out[op] = Placement(data.ops[op].choices[0].machine, end - int(times[job, stage]), end)
    return tuple(p for p in out if p is not None)


def _neh(times: np.ndarray) -> np.ndarray:
    """Nawaz-Enscore-Ham: jobs by decreasing total time, each inserted at its best position."""
    by_total = np.argsort(-times.sum(axis=1), kind="stable").astype(np.int64)
    return _neh_kernel(times, by_total)


@jit
def _neh_kernel(times: np.ndarray, by_total: np.ndarray) -> np.ndarray:
    n, m = times.shape
    order = np.empty(n, dtype=np.int64)
    heads, tails = np.zeros((n + 1, m), dtype=np.int64), np.zeros((n + 1, m), dtype=np.int64)
    order[0] = by_total[0]
    for length in range(1, n):
        position, _ = _best_insertion(order, length, by_total[length], times, heads, tails)
        _insert(order, length, position, by_total[length])
    return order


@jit
def _completions(order: np.ndarray, times: np.ndarray) -> np.ndarray:
    n, m = len(order), times.shape[1]
    ends = np.zeros((n, m), dtype=np.int64)
    for i in range(n):
        for j in range(m):
            before = ends[i - 1, j] if i > 0 else 0
            above = ends[i, j - 1] if j > 0 else 0
            ends[i, j] = max(before, above) + times[order[i], j]
    return ends


@jit
def _makespan(order: np.ndarray, times: np.ndarray) -> int:
    ends = _completions(order, times)
    return int(ends[len(order) - 1, times.shape[1] - 1])


@jit
def _best_insertion(order: np.ndarray, length: int, job: int, times: np.ndarray, heads: np.ndarray,
                    tails: np.ndarray) -> tuple[int, int]:
    """Taillard's acceleration: the position in order[:length] where `job` gives the shortest
    makespan (the first such), and that makespan."""
    m = times.shape[1]
    for i in range(length):
        for j in range(m):
            before = heads[i - 1, j] if i > 0 else 0
            above = heads[i, j - 1] if j > 0 else 0
            heads[i, j] = max(before, above) + times[order[i], j]
    for i in range(length - 1, -1, -1):
        for j in range(m - 1, -1, -1):
            after = tails[i + 1, j] if i < length - 1 else 0
            below = tails[i, j + 1] if j < m - 1 else 0
            tails[i, j] = max(after, below) + times[order[i], j]
    best_position, best_span = 0, np.iinfo(np.int64).max
    for position in range(length + 1):
        end, span = 0, 0
        for j in range(m):
            before = heads[position - 1, j] if position > 0 else 0
            end = max(end, before) + times[job, j]
            total = end + (tails[position, j] if position < length else 0)
            span = max(span, total)
        if span < best_span:
            best_position, best_span = position, span
    return best_position, best_span


@jit
def _insert(order: np.ndarray, length: int, position: int, job: int) -> None:
    for i in range(length, position, -1):
        order[i] = order[i - 1]
    order[position] = job


@jit
def _remove(order: np.ndarray, length: int, position: int) -> int:
    job = int(order[position])
    for i in range(position, length - 1):
        order[i] = order[i + 1]
    return job


@jit
def _local_search(order: np.ndarray, span: int, times: np.ndarray, heads: np.ndarray, tails: np.ndarray) -> int:
    """Insertion local search: each job, in random order, moved to its best position, until a
    pass over all jobs finds nothing better (Ruiz and Stuetzle's iterative improvement)."""
    n = len(order)
    improved = True
    while improved:
        improved = False
        for job in np.random.permutation(n):
            position = 0
            while order[position] != job:
                position += 1
            _remove(order, n, position)
            best_position, best_span = _best_insertion(order, n - 1, job, times, heads, tails)
            _insert(order, n - 1, best_position, job)
            if best_span < span:
                span, improved = best_span, True
    return span


@jit
def _steps(times: np.ndarray, current: np.ndarray, current_span: int, best: np.ndarray, best_span: int,
           steps: int, destroy: int, temperature: float, seed: int,
           lower_bound: int) -> tuple[int, int, int]:
    """`steps` iterated-greedy steps from `current` (both arrays updated in place); returns the
    current and best makespans and the steps done (fewer when the best meets `lower_bound`)."""
    np.random.seed(seed)
    n, m = times.shape
    heads, tails = np.zeros((n + 1, m), dtype=np.int64), np.zeros((n + 1, m), dtype=np.int64)
    candidate, removed = np.empty(n, dtype=np.int64), np.empty(destroy, dtype=np.int64)
    for step in range(steps):
        candidate[:] = current
        length = n
        for r in range(destroy):
            removed[r] = _remove(candidate, length, np.random.randint(length))
            length -= 1
        span = 0
        for r in range(destroy):
            position, span = _best_insertion(candidate, length, removed[r], times, heads, tails)
            _insert(candidate, length, position, removed[r])
            length += 1
        span = _local_search(candidate, span, times, heads, tails)
        if span < current_span or np.random.random() <= math.exp(-(span - current_span) / temperature):
            current[:] = candidate
            current_span = span
            if span < best_span:
                best[:] = candidate
                best_span = span
                if best_span <= lower_bound:
                    return current_span, best_span, step + 1
    return current_span, best_span, steps


def warm_up() -> None:
    """Compiles the kernels (`python -m solvers.runtime.warmup`)."""
    times = np.array([[3, 2], [1, 4], [2, 2]], dtype=np.int64)
    current = _neh(times)
    _steps(times, current, int(_makespan(current, times)), current.copy(), 10**9, 2, 1, 1.0, 0, 0)
