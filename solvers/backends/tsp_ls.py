"""tsp_ls: iterated local search for the TSP (2-opt, Or-opt, or-3opt; double-bridge kicks).

The algorithm is `solvers/families/tsp/local_search.py` (numba-compiled kernels); this module
runs it against the clock and the iteration limit, reports incumbents, and attaches the
Held-Karp 1-tree bound of `solvers/families/tsp/bound.py`.

Order of work: a nearest-neighbour tour (or the warm start) is reported at once, before numba is
even imported, so a first solve that must JIT-compile the kernels and is killed keeps a tour.
Then the kernels are imported (loaded from numba's cache) and the start tour is built (greedy
edge, or the warm start); then the bound (on a share of the remaining time; with `threads >= 2`
and no iteration limit, in a second thread for the whole solve instead; for coordinates the sparse
1-tree of `sparse_bound`, whose penalties also give the LK move its alpha-nearness candidate
lists, `alpha`, as soon as the ascent is over); then a full descent and
ILS rounds in chunks of about `CHUNK_SECONDS` until the iteration limit (`iteration_limit` =
number of kicks), the time limit (less `RESERVE_SHARE` for returning), or, without an iteration
limit, the requested relative gap (at 0: a tour as long as the bound, proven optimal, `completed`).
On symmetric costs the kicks go through `restarts`: when the run stalls, a side run from another
start searches until it stalls, and partition crossover (`merge`) joins the two tours.

Reproducibility: with a seed and an iteration limit the tour is the same on every run (chunk
sizes follow the clock, but the kernels' random state and adaptive state carry across chunks,
and the gap stop is not applied). Under a time limit alone the number of kicks, hence the tour,
varies.
"""

import importlib
import math
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from models import Status, Termination, TspProblem, TspSolution
from models.problem import Problem
from solvers.contract import Incumbent, RawResult, SolveContext
from solvers.families.tsp.bound import BOUND_SOURCE, tsp_lower_bound
from solvers.families.tsp.distance import Geometry, distance_matrix, geometry, tour_length
from solvers.families.tsp.tools import hilbert_tour, nearest_neighbour_tour, tour_from_warm_start
from solvers.gap import gap_closed

if TYPE_CHECKING:
    from types import ModuleType

    from solvers.families.tsp import local_search as ls
    from solvers.families.tsp.restarts import Restarts

OPTIONS_TO_PARAMETERS = {
    "time_limit": "wall clock, checked between chunks of kicks; stops at (1 - RESERVE_SHARE) of it",
    "iteration_limit": "number of ILS kicks (double bridge + local search), side runs included",
    "seed": "xorshift32 state of the kicks",
    "warm_start": "start tour of the first descent",
    "threads": ">= 2 (without an iteration limit): the 1-tree bound runs in a second thread for the whole solve",
    "relative_gap": "stop once (length - bound) / length is at most this (not with an iteration limit)",
}
RESERVE_SHARE = 0.05
"""Share of the time limit left for building and sending the answer."""
BOUND_SHARE = 0.15
"""Share of the remaining time spent on the 1-tree bound before the search (single thread)."""
BOUND_MAX_ITERATIONS = 1000
QUICK_TOUR_MAX_NODES = 5000
"""Largest instance given a nearest-neighbour tour before the kernels run (O(n^2) Python loop)."""
DESCENT_SHARE = 0.5
"""Coordinates: share of the time the first descent may take before the bound is computed."""
CHUNK_SECONDS = 0.02
"""Target duration of one call of the kick kernel."""
REPORT_INTERVAL = 0.2
"""Seconds between incumbent reports (the worker throttles further)."""

KERNELS = "solvers.families.tsp.local_search"
RESTARTS = "solvers.families.tsp.restarts"
BOUND_MIN_SECONDS = 0.05
"""The bound gets at least this long, even when the deadline has passed (the kill grace covers it)."""


def _kernels() -> "ModuleType":
    """The compiled kernels, imported only after the first incumbent is out: importing numba and
    loading the kernels from its cache takes a few tenths of a second, compiling them on a fresh
    checkout several seconds (`python -m solvers.families.tsp.local_search` fills the cache)."""
    return importlib.import_module(KERNELS)


def warm_up() -> None:
    """Loads the compiled kernels (a solve process started ahead of requests calls it)."""
    _kernels().warm_up()


def solve(problem: Problem, context: SolveContext) -> RawResult:
    if not isinstance(problem, TspProblem):
        return RawResult(status=Status.error, termination=Termination.error,
                         native_status=f"tsp_ls does not solve {problem.kind} problems")
    began = time.monotonic()
    options = context.options
    deadline = context.started + options.time_limit * (1.0 - RESERVE_SHARE)
    geo = geometry(problem)
    n = problem.size
    notes: list[str] = []
    warm = tour_from_warm_start(options.warm_start, n)
    if options.warm_start is not None and warm is None:
        notes.append("warm start ignored: not a permutation of all nodes")
    if n <= 3:
        return _tiny(distance_matrix(problem), began)
    source: NDArray[np.float64] | Geometry = distance_matrix(problem) if geo is None else geo
    reporter = _Reporter(_lengths(source), context)
    reporter.offer(np.asarray(warm or _quick_tour(source), dtype=np.int64))
    ls = _kernels()
    search = ls.IteratedLocalSearch(source, seed=options.seed, start=np.asarray(warm) if warm else None)
    threaded = options.threads >= 2 and options.iteration_limit is None
    if geo is not None:  # the bound's steps aim at the best tour: a descent tour, not the quick one
        _descend(search, reporter, time.monotonic() + DESCENT_SHARE * (deadline - time.monotonic()))
    bound = _Bound(source, upper=reporter.length, threaded=threaded, deadline=deadline)
    reporter.bound = bound.value
    restarts = importlib.import_module(RESTARTS).Restarts(search, options.seed)
    run = _Run(search, restarts, reporter, bound, context, deadline)
    built = time.monotonic()
    termination = run.go()
    restarts.finish()
    bound.finish()
    reporter.bound = bound.value
    tour = restarts.tour()
    reporter.offer(tour, force=True)
    length = reporter.measure(tour)
    stats = search.stats
    native = (f"{termination.value}: {restarts.kicks} kicks, {stats.improvements} improving the main run; "
              f"start {stats.start}; {restarts.describe()}; "
              f"{'symmetric' if search.symmetric else 'asymmetric'} moves, {run.candidates()}; "
              f"bound {bound.describe()}")
    if not stats.local_optimum:
        notes.append("stopped before the first descent reached a local optimum")
    bound_source = BOUND_SOURCE if bound.value is not None else None
    return RawResult(status=Status.feasible, termination=termination, solution=TspSolution(tour=tour.tolist()),
                     objective=length, bound=bound.value, bound_source=bound_source,
                     native_status=native, log=native, build_time=built - began, solve_time=time.monotonic() - built,
                     warnings=notes)


def _descend(search: "ls.IteratedLocalSearch", reporter: "_Reporter", until: float) -> None:
    while not search.descend(_kernels().DESCENT_MOVES) and time.monotonic() < until:
        reporter.offer(search.best_tour)
    reporter.offer(search.best_tour)


def _lengths(source: NDArray[np.float64] | Geometry) -> Callable[[NDArray[np.integer]], float]:
    """Tour length as the evaluator computes it (matrix entries, or `Geometry.tour_length`)."""
    if isinstance(source, Geometry):
        return source.tour_length
    return lambda tour: float(source[tour, np.roll(tour, -1)].sum())


def _quick_tour(source: NDArray[np.float64] | Geometry) -> list[int] | NDArray[np.int32]:
    """A tour before the kernels load: a Hilbert curve through coordinates (O(n log n)), nearest
    neighbour on a moderate matrix, else the identity."""
    if isinstance(source, Geometry):
        return hilbert_tour(source.points())
    return nearest_neighbour_tour(source) if len(source) <= QUICK_TOUR_MAX_NODES else list(range(len(source)))


class _Reporter:
    """Sends improved tours (rotated to node 0) to the progress sink, throttled."""

    def __init__(self, measure: Callable[[NDArray[np.integer]], float], context: SolveContext) -> None:
        self.measure = measure
        self.context = context
        self.length = float("inf")
        self.bound: float | None = None
        self._sent_length = float("inf")
        self._sent_bound: float | None = None
        self._last = 0.0

    def offer(self, tour: NDArray[np.integer], force: bool = False) -> None:
        length = self.measure(tour)
        if length < self.length:
            self.length = length
        fresh = length < self._sent_length or self.bound != self._sent_bound
        if not fresh or (not force and time.monotonic() - self._last < REPORT_INTERVAL):
            return
        start = int(np.flatnonzero(tour == 0)[0])
        ordered = np.roll(tour, -start).tolist()
        self._sent_length, self._sent_bound, self._last = length, self.bound, time.monotonic()
        self.context.progress(Incumbent(objective=length, bound=self.bound, solution=TspSolution(tour=ordered),
                                        bound_source=BOUND_SOURCE if self.bound is not None else None))


class _Bound:
    """The 1-tree bound: computed now on a share of the time, or in a thread for the whole solve."""

    def __init__(self, source: NDArray[np.float64] | Geometry, upper: float, threaded: bool, deadline: float) -> None:
        self.value: float | None = None
        self.alpha: NDArray[np.int32] | None = None
        """Alpha-nearness candidate lists from the ascent's penalties (coordinates), set once the
        ascent is over: before the search with one thread, during it with a bound thread."""
        self.alpha_seconds = 0.0
        self.how = ""
        self.seconds = 0.0
        self._thread: threading.Thread | None = None
        remaining = deadline - time.monotonic()
        if threaded:
            self._thread = threading.Thread(target=self._compute, args=(source, upper, 0.95 * remaining),
                                            name="tsp_ls-bound", daemon=True)
            self._thread.start()
        else:
            self._compute(source, upper, BOUND_SHARE * remaining)

    def _compute(self, source: NDArray[np.float64] | Geometry, upper: float, seconds: float) -> None:
        began = time.monotonic()
        seconds = max(seconds, BOUND_MIN_SECONDS)
        try:  # no iteration within the time (a huge matrix) leaves -inf, which cannot be rounded up
            if isinstance(source, Geometry):
                value = self._sparse(source, upper, seconds)
            else:
                value = tsp_lower_bound(source, upper=upper, time_limit=seconds, max_iterations=BOUND_MAX_ITERATIONS)
        except OverflowError:
            value = -math.inf
        self.value = value if math.isfinite(value) else None
        self.seconds = time.monotonic() - began

    def _sparse(self, source: Geometry, upper: float, seconds: float) -> float:
        """The sparse 1-tree bound, and the alpha-nearness lists of its penalties for the LK move
        (their time counts against the limit)."""
        from solvers.families.tsp.alpha import alpha_candidates  # numba: after the first tour
        from solvers.families.tsp.sparse_bound import SparseGraph, sparse_lower_bound

        graph = SparseGraph(source)
        sparse = sparse_lower_bound(source, upper, seconds, BOUND_MAX_ITERATIONS, graph=graph)
        self.how = f", sparse 1-tree, {sparse.iterations} steps, {sparse.how}"
        began = time.monotonic()
        alpha = alpha_candidates(graph, sparse.penalties)
        self.alpha_seconds = time.monotonic() - began
        self.alpha = alpha
        return sparse.value

    def ready(self) -> bool:
        return self._thread is None or not self._thread.is_alive()

    def finish(self) -> None:
        """Waits for the bound thread (it stops by its own time limit, before the deadline)."""
        if self._thread is not None:
            self._thread.join()

    def describe(self) -> str:
        if self.value is None:
            return "none (no subgradient iteration in time)"
        return f"{self.value:g} in {self.seconds:.2f} s{' (thread)' if self._thread is not None else ''}{self.how}"


class _Run:
    """The descent and the ILS rounds against the clock and the iteration limit."""

    def __init__(self, search: "ls.IteratedLocalSearch", restarts: "Restarts", reporter: _Reporter, bound: _Bound,
                 context: SolveContext, deadline: float) -> None:
        self.search = search
        self.restarts = restarts
        self.reporter = reporter
        self.bound = bound
        self.options = context.options
        self.deadline = deadline
        self.alpha_used = False

    def _candidates(self) -> None:
        """Switches the LK move to the alpha-nearness lists once the bound has made them."""
        alpha = self.bound.alpha
        if alpha is not None and not self.alpha_used:
            self.search.instance.use_lk_candidates(alpha)
            self.alpha_used = True

    def candidates(self) -> str:
        """The LK move's candidate lists, for the log."""
        alpha = self.bound.alpha
        if self.alpha_used and alpha is not None:
            return f"LK on {alpha.shape[1]} alpha-nearest (made in {self.bound.alpha_seconds:.2f} s)"
        return "LK on nearest neighbours"

    def go(self) -> Termination:
        search = self.search
        self._candidates()
        while not search.descend(_kernels().DESCENT_MOVES):
            if time.monotonic() >= self.deadline:
                return Termination.time_limit
            self.reporter.offer(search.best_tour)
        self.reporter.offer(search.best_tour)
        limit = self.options.iteration_limit
        restarts = self.restarts
        chunk = 1
        while True:
            if limit is not None and restarts.kicks >= limit:
                return Termination.iteration_limit
            now = time.monotonic()
            if now >= self.deadline:
                return Termination.time_limit
            if limit is None and self._gap_reached():
                return Termination.gap_limit if self.options.relative_gap > 0 else Termination.completed
            count = min(chunk if limit is None else min(chunk, limit - restarts.kicks), restarts.room())
            self._candidates()
            improved = restarts.kick(count)
            spent = max(time.monotonic() - now, 1e-6)
            per_kick = spent / count
            chunk = max(1, min(int(CHUNK_SECONDS / per_kick), int(max(self.deadline - time.monotonic(), 0) / per_kick)
                               + 1, 4 * count))
            if self.bound.value is not None and self.reporter.bound is None:
                self.reporter.bound = self.bound.value
            if improved or self.reporter.bound is not None:
                self.reporter.offer(restarts.best().best_tour)

    def _gap_reached(self) -> bool:
        bound = self.bound.value if self.bound.ready() else None
        if bound is None:
            return False
        return gap_closed(self.restarts.best().length, bound, self.options.relative_gap)


def _tiny(matrix: NDArray[np.float64], began: float) -> RawResult:
    """Two or three nodes: every tour is enumerated, so the best one is optimal."""
    tours = [[0, 1]] if len(matrix) == 2 else [[0, 1, 2], [0, 2, 1]]
    tour = min(tours, key=lambda t: tour_length(matrix, t))
    length = tour_length(matrix, tour)
    return RawResult(status=Status.optimal, termination=Termination.completed, solution=TspSolution(tour=tour),
                     objective=length, bound=length, bound_source="enumeration", native_status="enumerated",
                     solve_time=time.monotonic() - began)
