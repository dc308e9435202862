"""Local search for schedules: the method that fits the problem's shape, behind one call.

- job shop, makespan (one machine per operation; releases and setups allowed): tabu search on
  the disjunctive graph (`jobshop_tabu`); with `searches` >= 2, that many independent tabu
  searches in threads or taking turns on fewer threads, best one returned (`parallel_tabu`);
- one operation per job on parallel machines (alternatives, setups, releases; makespan or total
  weighted tardiness): iterated greedy with insertion local search (`parallel_search`);
- anything else (flexible job shops, tardiness job shops): no local search, None.

Solver-free, so any backend (CP-SAT, MIP, metaheuristics) can start from or polish with it.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from solvers.families.scheduling import jobshop_tabu, parallel_search, parallel_tabu
from solvers.families.scheduling.data import ScheduleData
from solvers.families.scheduling.heuristic import Placement

Improved = Callable[[tuple[Placement, ...], float], None]


@dataclass(frozen=True)
class SearchOutcome:
    placements: tuple[Placement, ...]
    objective: float
    method: str
    iterations: int
    searches: int = 1
    """Tabu searches that ran side by side (iterations are their sum)."""


def method(data: ScheduleData) -> str | None:
    """Name of the local search that applies to this problem, or None."""
    if parallel_search.applicable(data):
        return "iterated greedy"
    if jobshop_tabu.applicable(data):
        return "tabu search"
    return None


def improve(data: ScheduleData, start: Sequence[Placement], seconds: float, seed: int = 0,
            lower_bound: float = 0.0, on_improve: Improved | None = None,
            max_iterations: int | None = None, patience: int | None = None,
            stall: int | None = None, searches: int = 1,
            between: Callable[[], None] | None = None, threads: int | None = None) -> SearchOutcome | None:
    """Improves the feasible schedule `start` for at most `seconds`; None if no method applies.

    `patience`: give up after this many restart periods without a better schedule (tabu search;
    the caller has a better use for the time, such as a CP-SAT proof); `stall`: the same for iterated
    greedy, in steps without a better makespan or tardiness. `searches`: independent tabu searches
    run on `threads` threads (default: one each; more searches than threads take turns), each with
    these limits (iterated greedy ignores both); `on_improve` is then called under a lock, one
    thread at a time, and so is `between`, called between steps (a caller that throttles its
    reports flushes them there)."""
    name = method(data)
    if name == "iterated greedy":
        found = parallel_search.iterated_greedy(data, start, seconds, seed, lower_bound, on_improve, max_iterations,
                                                stall, between)
        return SearchOutcome(found.placements, found.objective, name, found.iterations)
    if name == "tabu search":
        def relay(placements: tuple[Placement, ...], makespan: int) -> None:
            if on_improve is not None:
                on_improve(placements, float(makespan))

        if searches >= 2:
            runs = parallel_tabu.tabu_searches(data, start, seconds, searches, seed, int(lower_bound), relay,
                                               max_iterations, patience, between, threads)
            best = runs.best
            return SearchOutcome(best.placements, float(best.makespan), name, runs.iterations, searches)
        tabu = jobshop_tabu.tabu_search(data, tuple(start), seconds, seed, int(lower_bound), relay, max_iterations,
                                        patience, between=between)
        return SearchOutcome(tabu.placements, float(tabu.makespan), name, tabu.iterations)
    return None
