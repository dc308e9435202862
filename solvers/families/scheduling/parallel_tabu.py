"""Independent job-shop tabu searches side by side in threads (the request option `threads` >= 2).

Why threads, not processes: the kernels of `tabu_kernel` release the GIL (`families.jit`), and a
search spends nearly all its time inside them, so two searches in one process use two cores
without copying the problem or the schedules across processes. Each search has its own state,
elite pool and seed (`seed + SEED_STRIDE * k`; k = 0 is the seed a single search uses, so one
search behaves exactly as `jobshop_tabu.tabu_search`); they share nothing but the caller's
callback, which runs under one lock: the CP-SAT backend's tracker and the progress sink behind it
are plain Python objects, not thread-safe, and the caller's thread only waits meanwhile. The first
search to meet the lower bound stops the others (nothing better exists).
"""

import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from solvers.families.scheduling.data import ScheduleData
from solvers.families.scheduling.heuristic import Placement
from solvers.families.scheduling.jobshop_tabu import Improved, TabuResult, tabu_search

MAX_SEARCHES = 4
"""At most this many searches, whatever `threads` asks for (each holds its own operations x
operations tabu matrix and elite pool; CP-SAT, not tabu search, is what uses many workers well)."""
SEED_STRIDE = 1000
"""Search k runs with seed + SEED_STRIDE * k, apart from the seeds of later rounds (seed + round)."""


def searches(threads: int) -> int:
    """How many tabu searches run side by side for a request asking for `threads` threads."""
    return max(1, min(threads, MAX_SEARCHES))


@dataclass(frozen=True)
class ParallelResult:
    """Every search's result, by k."""

    runs: tuple[TabuResult, ...]

    @property
    def best(self) -> TabuResult:
        """The shortest schedule (the lowest k on ties, so one search returns its own result)."""
        return min(self.runs, key=lambda r: r.makespan)

    @property
    def iterations(self) -> int:
        return sum(r.iterations for r in self.runs)


def tabu_searches(data: ScheduleData, start: Sequence[Placement], seconds: float, count: int, seed: int = 0,
                  lower_bound: int = 0, on_improve: Improved | None = None, max_iterations: int | None = None,
                  patience_restarts: int | None = None,
                  between: Callable[[], None] | None = None) -> ParallelResult:
    """`count` tabu searches from `start`, each with the time, iteration limit and patience that one
    search would get (see `jobshop_tabu.tabu_search`); every better schedule of each search goes to
    `on_improve` under a lock (a search's own improvements: the caller keeps the overall best), and
    `between` (called between chunks) under the same lock."""
    lock, halt = threading.Lock(), threading.Event()
    deadline = time.monotonic() + seconds

    def relay(placements: tuple[Placement, ...], makespan: int) -> None:
        if makespan <= lower_bound:
            halt.set()
        if on_improve is not None:
            with lock:
                on_improve(placements, makespan)

    def tick() -> None:
        if between is not None:
            with lock:
                between()

    def one(k: int) -> TabuResult:
        try:
            return tabu_search(data, tuple(start), deadline - time.monotonic(), seed + SEED_STRIDE * k, lower_bound,
                               relay, max_iterations, patience_restarts, halt, tick)
        except BaseException:
            halt.set()  # the error reaches the caller at once, not after the others' time is up
            raise

    with ThreadPoolExecutor(max_workers=count, thread_name_prefix="tabu") as pool:
        return ParallelResult(tuple(pool.map(one, range(count))))
