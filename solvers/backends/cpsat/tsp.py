"""CP-SAT for the TSP: one literal per arc, `AddCircuit`, integer arc costs.

The matrix is complete (n^2 literals), so this is the exact backend for small and mid-size
instances; large ones belong to the routing backend. Non-integer distances are scaled and rounded
down (`solvers/families/tsp/tools.py`), the objective is recomputed from the true distances.
The start (warm start, else nearest neighbour improved by a short iterated local search) is
reported before solving and given as a hint; a Held-Karp 1-tree bound computed up front keeps the
bound useful if CP-SAT is stopped early.
"""

import math
import time

import numpy as np
from numpy.typing import NDArray
from ortools.sat.python import cp_model

from models import TspProblem, TspSolution
from models.problem import Solution
from solvers.backends.cpsat.common import Best, Outcome, Reporter, finish, parameters, scaled_bound
from solvers.contract import Incumbent, RawResult, SolveContext
from solvers.families.tsp.bound import BOUND_SOURCE
from solvers.families.tsp.certified import problem_lower_bound
from solvers.families.tsp.distance import distance_matrix, tour_length
from solvers.families.tsp.start import ils_tour, start_seconds
from solvers.families.tsp.tools import integer_costs, nearest_neighbour_tour, tour_from_warm_start

BOUND_SHARE = 0.1
"""Share of the time limit the up-front 1-tree bound may use (at most BOUND_SECONDS)."""
BOUND_SECONDS = 0.5
START_SHARE = 0.2
"""Share of the time left the start tour's local search may take (at most START_SECONDS; none in a
process that would first have to load its kernels with little time left: `start.start_seconds`). Why: from
the nearest-neighbour tour CP-SAT found no better tour in 5 or 10 s on kroA200 and tsp225 (22% and
28% above the optimum, `bench.anytime`), while the local search reaches the optimum of most TSPLIB
instances of 51-200 cities in 0.2-1.0 s (`solvers.families.tsp.start`)."""
START_SECONDS = 1.0
LINEARIZATION_LEVEL = 2
"""Circuit cuts in the LP: berlin52 proved in 0.09 s instead of 28 s at the default level 1."""


class TspModel:
    """Arc literals x[i, j] (i != j) in one circuit, minimising the integer arc costs."""

    def __init__(self, costs: NDArray[np.int64]) -> None:
        n = len(costs)
        self.n = n
        self.model = cp_model.CpModel()
        self.index = np.full((n, n), -1, dtype=np.int64)
        self.literals: dict[tuple[int, int], cp_model.IntVar] = {}
        arcs = []
        for i in range(n):
            for j in range(n):
                if i != j:
                    x = self.model.new_bool_var("")
                    self.literals[i, j] = x
                    self.index[i, j] = x.index
                    arcs.append((i, j, x))
        self.model.add_circuit(arcs)
        self.objective = sum(int(costs[i, j]) * x for (i, j), x in self.literals.items())
        self.model.minimize(self.objective)

    def at_least(self, value: int) -> None:
        """A known lower bound on the (scaled) objective: CP-SAT stops once a tour reaches it."""
        self.model.add(self.objective >= value)

    def hint(self, tour: list[int]) -> None:
        used = set(zip(tour, tour[1:] + tour[:1], strict=True))
        for arc, x in self.literals.items():
            self.model.add_hint(x, arc in used)

    def tour(self, values: NDArray[np.int64]) -> list[int]:
        chosen = values[np.where(self.index >= 0, self.index, 0)] * (self.index >= 0)
        successor = np.argmax(chosen, axis=1)
        tour = [0]
        while len(tour) < self.n:
            tour.append(int(successor[tour[-1]]))
        return tour


def solve(problem: TspProblem, context: SolveContext) -> RawResult:
    started = time.monotonic()
    matrix = distance_matrix(problem)
    ints = integer_costs(matrix)
    notes = [w for w in [ints.warning()] if w]
    start, best, floor = _start(problem, matrix, context, notes)
    model = TspModel(ints.costs)
    model.hint(start)
    if ints.exact:
        model.at_least(math.ceil(floor * ints.scale - 1e-9))

    def extract(values: NDArray[np.int64]) -> tuple[Solution, float]:
        tour = model.tour(values)
        return TspSolution(tour=tour), tour_length(matrix, tour)

    built = time.monotonic()
    solver = cp_model.CpSolver()
    parameters(solver, context)
    solver.parameters.linearization_level = LINEARIZATION_LEVEL
    status = solver.solve(model.model, Reporter(extract, best, context, ints.scale, floor))
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        solution, value = extract(np.asarray(solver.response_proto.solution, dtype=np.int64))
        best.offer(solution, value, "cpsat")
    bound = scaled_bound(solver.best_objective_bound, ints.scale, floor)
    outcome = Outcome(status, best, bound, built - started, time.monotonic() - built, solver.response_stats(), notes)
    return finish(outcome, context.options, f"{solver.status_name(status)}; best from {best.origin}")


def _start(problem: TspProblem, matrix: NDArray[np.float64], context: SolveContext,
           notes: list[str]) -> tuple[list[int], Best, float]:
    """The tour to hint (the warm start, else the local search's), the best so far, and the 1-tree
    bound; each reported as it comes (what a run killed while building answers)."""
    warm = tour_from_warm_start(context.options.warm_start, len(matrix))
    if context.options.warm_start is not None and warm is None:
        notes.append("warm start ignored: not a permutation of all nodes")
    start = warm or nearest_neighbour_tour(matrix)
    best = Best()
    best.offer(TspSolution(tour=start), tour_length(matrix, start), "warm start" if warm else "nearest neighbour")
    floor = problem_lower_bound(problem, matrix, best.objective,
                                min(BOUND_SECONDS, BOUND_SHARE * context.options.time_limit)).value
    context.progress(Incumbent(objective=best.objective, bound=floor, solution=best.solution,
                               bound_source=BOUND_SOURCE))
    if warm is None and _improve_start(matrix, best, context) and isinstance(best.solution, TspSolution):
        start = best.solution.tour
        context.progress(Incumbent(objective=best.objective, bound=floor, solution=best.solution,
                                   bound_source=BOUND_SOURCE))
    return start, best, floor


def _improve_start(matrix: NDArray[np.float64], best: Best, context: SolveContext) -> bool:
    """Improves the nearest-neighbour tour in `best` by the iterated local search, for a share of the
    time left (reproducible from the seed: the kicks are counted, the clock only caps them); True
    when it found a shorter tour."""
    seconds = start_seconds(context.remaining(), START_SECONDS, START_SHARE)
    if seconds <= 0:
        return False
    improved = ils_tour(matrix, context.options.seed, seconds)
    return improved is not None and best.offer(TspSolution(tour=improved), tour_length(matrix, improved),
                                               "local search")
