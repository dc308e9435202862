"""Independent job-shop tabu searches side by side in threads (the request option `threads` >= 2).

Why threads, not processes: the kernels of `tabu_kernel` release the GIL (`families.jit`), and a
search spends nearly all its time inside them, so two searches in one process use two cores
without copying the problem or the schedules across processes. Each search has its own state,
elite pool and seed (`seed + SEED_STRIDE * k`; k = 0 is the seed a single search uses, so one
search behaves exactly as `jobshop_tabu.tabu_search`); they share nothing but the caller's
callback, which runs under one lock: the CP-SAT backend's tracker and the progress sink behind it
are plain Python objects, not thread-safe, and the caller's thread only waits meanwhile. The first
search to meet the lower bound stops the others (nothing better exists).

More searches than threads take turns on a thread (TURN_ITERATIONS each, every search keeping
its state between turns; counted in iterations, not seconds, so a seed gives the same trajectories
whatever the machine's load). With one thread, a large job shop runs ONE_THREAD_SEARCHES so.
"""

import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from solvers.families.scheduling.data import ScheduleData
from solvers.families.scheduling.heuristic import Placement
from solvers.families.scheduling.jobshop_tabu import Improved, TabuResult, TabuSearch

MAX_SEARCHES = 4
"""At most this many searches, whatever `threads` asks for (each holds its own operations x
operations tabu matrix and elite pool; CP-SAT, not tabu search, is what uses many workers well)."""
SEED_STRIDE = 1000
"""Search k runs with seed + SEED_STRIDE * k, apart from the seeds of later rounds (seed + round)."""
ONE_THREAD_SEARCHES = 2
"""Searches taking turns on one thread for large job shops (the caller says which). A single
search's best is decided early by its seed's trajectory: ta32, ta43, ta46 and ta48 ended at 60 s on
the same values with twice the iterations per second (2.58%, 2.33%, 2.05%, 2.07% above the best
known), while two searches with seeds 0 and 1000 taking turns for the 54 s tabu search gets ended
at 1811, 1879, 2041, 1985 (1.51%, 1.79%, 1.85%, 2.48%; the better of the pair from either seed;
relinking from 25-50% of the way then, see `jobshop_tabu.RELINK_SHARE`).
Three searches: 1811, 1879, 2041, 1981, no better. On smaller job shops one search keeps the
thread: CP-SAT proves or closes in on those. Tried and dropped (eighteenth session): a search whose
pool restarts takes the other search's best into its pool and relinks towards it; 5,500,000
iterations each, ta41-ta50, seeds 1 and 2: mean gap to the best known 1.32% -> 1.48%, still two
runs above 2% (ta46 seed 1 2.25% -> 2.10%, ta48 seed 2 2.12% -> 2.01%); 6 of the 20 pairs of
searches ended on the same makespan, none without it: the two trajectories stop being independent."""
TURN_ITERATIONS = 100_000
"""A search's turn on a thread it shares (about 0.45 s on Taillard 30 x 20 at 218,000-234,000
iterations per second; it goes on where it stopped at its next turn)."""


def searches(threads: int, large: bool = False) -> int:
    """How many tabu searches run for a request asking for `threads` threads (all side by side
    when threads allow, else taking turns); `large`: a job shop where tabu search has the time."""
    if threads == 1 and large:
        return ONE_THREAD_SEARCHES
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
                  patience_restarts: int | None = None, between: Callable[[], None] | None = None,
                  threads: int | None = None) -> ParallelResult:
    """`count` tabu searches from `start` on `threads` threads (default: one each), each with the
    time, iteration limit and patience that one search would get (see `jobshop_tabu.tabu_search`;
    searches sharing a thread share its time); every better schedule of each search goes to
    `on_improve` under a lock (a search's own improvements: the caller keeps the overall best), and
    `between` (called between chunks) under the same lock."""
    lock, halt = threading.Lock(), threading.Event()
    deadline = time.monotonic() + seconds
    workers = max(1, min(count, threads or count))

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

    def shared(worker: int) -> list[TabuResult]:
        try:
            group = [TabuSearch(data, tuple(start), seed + SEED_STRIDE * k) for k in range(worker, count, workers)]
            return take_turns(group, deadline, lower_bound, relay, max_iterations, patience_restarts, halt, tick)
        except BaseException:
            halt.set()  # the error reaches the caller at once, not after the others' time is up
            raise

    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="tabu") as pool:
        groups = list(pool.map(shared, range(workers)))
    by_k = {worker + workers * j: result for worker, group in enumerate(groups) for j, result in enumerate(group)}
    return ParallelResult(tuple(by_k[k] for k in range(count)))


def take_turns(group: list[TabuSearch], deadline: float, lower_bound: int, on_improve: Improved,
               max_iterations: int | None, patience_restarts: int | None, halt: threading.Event,
               between: Callable[[], None]) -> list[TabuResult]:
    """Searches sharing one thread, TURN_ITERATIONS each in turn (one search: all at once), until
    the deadline, `halt`, or every search has finished (bound, patience, its `max_iterations`)."""
    left = [max_iterations] * len(group)
    results = [TabuResult(s.placements(), s.best, s.iterations, s.restarts) for s in group]
    while time.monotonic() < deadline and not halt.is_set() and not all(s.finished for s in group):
        for k, search in enumerate(group):
            if search.finished or halt.is_set():
                continue
            limit = left[k]
            if len(group) > 1:
                limit = TURN_ITERATIONS if limit is None else min(limit, TURN_ITERATIONS)
            patience = None if patience_restarts is None else patience_restarts * search.stall_limit()
            done = search.iterations
            results[k] = search.run(deadline, lower_bound, on_improve, limit, patience, halt, between)
            if (remaining := left[k]) is not None:
                left[k] = remaining = remaining - (search.iterations - done)
                search.finished |= remaining <= 0
    return results
