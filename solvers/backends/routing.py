"""OR-Tools routing (guided local search) for the TSP: the large-instance heuristic.

One vehicle from depot 0, PATH_CHEAPEST_ARC first solution, GUIDED_LOCAL_SEARCH until the time
limit, arc costs from an integer matrix registered natively (`RegisterTransitMatrix`: no Python
callback in the search loop). A warm start tour is read with `ReadAssignmentFromRoutes`.
It proves nothing, so the status is `feasible` at best; the bound is a Held-Karp 1-tree bound
(`solvers/families/tsp/bound.py`) computed first, on a share of the time limit, so that every
incumbent reported during the search already carries it.
"""

import time

import numpy as np
from numpy.typing import NDArray
from ortools.constraint_solver import pywrapcp, routing_enums_pb2

from models import Status, Termination, TspProblem, TspSolution
from models.problem import Problem
from solvers.contract import Incumbent, RawResult, SolveContext
from solvers.families.tsp.bound import BOUND_SOURCE
from solvers.families.tsp.certified import problem_lower_bound
from solvers.families.tsp.certified import warm_up as warm_up  # a warm pool loads the sparse bound ahead
from solvers.families.tsp.distance import distance_matrix, tour_length
from solvers.families.tsp.tools import IntegerCosts, integer_costs, nearest_neighbour_tour, tour_from_warm_start
from solvers.gap import gap_closed

_S = routing_enums_pb2.RoutingSearchStatus
NATIVE_STATUS: dict[int, tuple[Status, Termination]] = {
    _S.ROUTING_NOT_SOLVED: (Status.no_solution, Termination.error),
    _S.ROUTING_SUCCESS: (Status.feasible, Termination.completed),
    _S.ROUTING_PARTIAL_SUCCESS_LOCAL_OPTIMUM_NOT_REACHED: (Status.feasible, Termination.time_limit),
    _S.ROUTING_FAIL: (Status.no_solution, Termination.completed),
    _S.ROUTING_FAIL_TIMEOUT: (Status.no_solution, Termination.time_limit),
    _S.ROUTING_INVALID: (Status.error, Termination.error),
    _S.ROUTING_INFEASIBLE: (Status.infeasible, Termination.completed),
    _S.ROUTING_OPTIMAL: (Status.feasible, Termination.completed),
}
"""Routing status -> ours. A heuristic: even ROUTING_OPTIMAL (its CP-SAT fallback on tiny models)
is reported `feasible`; the bound and the gap say how good the tour is."""

OPTIONS_TO_PARAMETERS = {
    "time_limit": "time_limit (what remains after the bound)",
    "warm_start": "ReadAssignmentFromRoutes + SolveFromAssignmentWithParameters",
    "seed": "none: guided local search has no seed; runs differ only through the time limit",
    "threads": "none: the routing search is single-threaded",
}
BOUND_SHARE = 0.15
"""Share of the time limit spent on the 1-tree bound (pr1002: ~1 % gap after 1.5 s)."""
REPORT_INTERVAL = 0.2
"""Seconds between incumbent read-backs (GLS accepts thousands of solutions)."""
SOLVE_MARGIN = 0.1
"""A tour this close to the bound is optimal: the search stops there."""
USED_TIME_SHARE = 0.9
"""Search that ran this share of its limit or more is reported as stopped by the time limit."""


def solve(problem: Problem, context: SolveContext) -> RawResult:
    if not isinstance(problem, TspProblem):
        return RawResult(status=Status.error, termination=Termination.error,
                         native_status=f"routing does not solve {problem.kind} problems")
    started = time.monotonic()
    matrix = distance_matrix(problem)
    n = len(matrix)
    notes: list[str] = []
    warm = tour_from_warm_start(context.options.warm_start, n)
    if context.options.warm_start is not None and warm is None:
        notes.append("warm start ignored: not a permutation of all nodes")
    start = warm or nearest_neighbour_tour(matrix)
    bound = problem_lower_bound(problem, matrix, tour_length(matrix, start), BOUND_SHARE * context.remaining()).value
    if n <= 3:
        return _tiny(matrix, bound, started)
    search = _Search(matrix, bound, context)
    ints = integer_costs(matrix)
    notes += [w for w in [ints.warning()] if w]
    built = time.monotonic()
    status, limit = search.run(ints, warm)
    solve_time = time.monotonic() - built
    mapped, termination = NATIVE_STATUS.get(status, (Status.error, Termination.error))
    if search.best_tour is None:  # nothing found: never `feasible`, whatever the native status says
        return RawResult(status=Status.no_solution if mapped is Status.feasible else mapped,
                         termination=termination, bound=bound, bound_source=BOUND_SOURCE,
                         native_status=_status_name(status), build_time=built - started, solve_time=solve_time,
                         warnings=notes)
    if search.stopped_at_gap:
        termination = Termination.gap_limit if context.options.relative_gap > 0 else Termination.completed
    elif solve_time >= USED_TIME_SHARE * limit:
        termination = Termination.time_limit
    return RawResult(status=Status.feasible, termination=termination,
                     solution=TspSolution(tour=search.best_tour), objective=search.best_length,
                     bound=bound, bound_source=BOUND_SOURCE, native_status=_status_name(status),
                     build_time=built - started, solve_time=solve_time, warnings=notes)


class _Search:
    """One routing model and its incumbent reporting."""

    def __init__(self, matrix: NDArray[np.float64], bound: float, context: SolveContext) -> None:
        self.matrix = matrix
        self.bound = bound
        self.context = context
        self.best_tour: list[int] | None = None
        self.best_length = float("inf")
        self._best_cost: int | None = None
        self._last_report = 0.0
        self.scale = 1.0
        self.stopped_at_gap = False

    def run(self, ints: IntegerCosts, warm: list[int] | None) -> tuple[int, float]:
        """Solves; returns the native status and the time limit given to the search."""
        costs, self.scale = ints.costs, ints.scale
        n = len(costs)
        self.manager = pywrapcp.RoutingIndexManager(n, 1, 0)
        self.routing = pywrapcp.RoutingModel(self.manager)
        transit = self.routing.RegisterTransitMatrix(costs.tolist())
        self.routing.SetArcCostEvaluatorOfAllVehicles(transit)
        self.routing.AddAtSolutionCallback(self._on_solution)
        limit = max(0.05, self.context.remaining() - SOLVE_MARGIN)
        params = pywrapcp.DefaultRoutingSearchParameters()
        params.first_solution_strategy = routing_enums_pb2.FirstSolutionStrategy.PATH_CHEAPEST_ARC
        params.local_search_metaheuristic = routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
        params.time_limit.FromMilliseconds(int(limit * 1000))
        params.log_search = False
        initial = self.routing.ReadAssignmentFromRoutes([warm[1:]], True) if warm else None
        if initial is not None:
            self._offer(warm)  # type: ignore[arg-type]
            found = self.routing.SolveFromAssignmentWithParameters(initial, params)
        else:
            found = self.routing.SolveWithParameters(params)
        if found is not None:
            self._offer(self._tour(found.Value))
        return self.routing.status(), limit

    def _on_solution(self) -> None:
        cost = self.routing.CostVar().Value()
        if self._best_cost is not None and cost >= self._best_cost:
            return
        self._best_cost = cost
        close_enough = self._close_enough(cost / self.scale)
        if close_enough or time.monotonic() - self._last_report >= REPORT_INTERVAL:
            self._offer(self._tour(lambda var: var.Value()))
        if close_enough:
            self.stopped_at_gap = True
            self.routing.solver().FinishCurrentSearch()

    def _close_enough(self, length: float) -> bool:
        """The tour meets the bound, or the requested relative gap: searching on is pointless."""
        return gap_closed(length, self.bound, self.context.options.relative_gap)

    def _tour(self, value) -> list[int]:  # type: ignore[no-untyped-def]
        """The visiting order from a value reader (an assignment's, or the live search's)."""
        index = self.routing.Start(0)
        tour = []
        while not self.routing.IsEnd(index):
            tour.append(self.manager.IndexToNode(index))
            index = value(self.routing.NextVar(index))
        return tour

    def _offer(self, tour: list[int]) -> None:
        length = tour_length(self.matrix, tour)
        if length < self.best_length:
            self.best_tour, self.best_length = tour, length
            self._last_report = time.monotonic()
            self.context.progress(Incumbent(objective=length, bound=self.bound, solution=TspSolution(tour=tour),
                                            bound_source=BOUND_SOURCE))


def _tiny(matrix: NDArray[np.float64], bound: float, started: float) -> RawResult:
    """Two or three nodes: every tour is enumerated (routing needs at least one arc to move)."""
    tours = [[0, 1]] if len(matrix) == 2 else [[0, 1, 2], [0, 2, 1]]
    tour = min(tours, key=lambda t: tour_length(matrix, t))
    return RawResult(status=Status.feasible, termination=Termination.completed, solution=TspSolution(tour=tour),
                     objective=tour_length(matrix, tour), bound=bound, bound_source=BOUND_SOURCE,
                     native_status="enumerated", solve_time=time.monotonic() - started)


def _status_name(status: int) -> str:
    try:
        return str(_S.Value.Name(status))
    except ValueError:
        return str(status)
