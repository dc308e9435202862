"""Genetic-algorithm backend `ga` (DEAP): every family, with a certified bound for every answer.

Encodings keep every genome feasible instead of penalising it (`solvers/genetic/`): repaired
bit vectors for knapsack, permutations improved by local search for the TSP (a memetic GA),
open-facility bit vectors with an optimal (or, single-sourced, a heuristic) assignment for
facility location, operation-based permutations decoded into active schedules for scheduling.
The bound comes from each family's `certified` module (`solvers/families/<family>/certified.py`:
Dantzig or LP relaxation, Held-Karp 1-tree, LP relaxation or Lagrangian, machine/job bounds) and
is computed first, so the search stops as
soon as it meets it (or `relative_gap`). A solution built without compiled code (greedy, nearest
neighbour, priority rules) is reported before the search starts.

Stopping: the time limit, `iteration_limit` generations, or stagnation (no better solution for
a number of generations, reported as `completed`). Randomness flows from one
`random.Random(seed)`; with `iteration_limit` set, the same seed gives the same answer run to run
(unless the time limit cuts the run first). A warm start joins the initial population and, when
feasible, is kept as the incumbent to beat, so the answer is never worse than it.
"""

import math
import random
import time
from dataclasses import dataclass, field
from typing import Any, Protocol

from models import (
    FacilityLocationProblem,
    KnapsackProblem,
    SchedulingProblem,
    Status,
    Termination,
    TspProblem,
    TspSolution,
)
from models.problem import Problem, Solution
from solvers.backends.ga import knapsack as knapsack_kernels
from solvers.backends.ga import schedule_decoder
from solvers.backends.ga.knapsack import KnapsackEncoding
from solvers.backends.ga.scheduling import SchedulingEncoding
from solvers.backends.ga.tsp import TspEncoding
from solvers.contract import Incumbent, RawResult, SolveContext
from solvers.evaluators import evaluate
from solvers.families.facility import certified as facility_bounds
from solvers.families.facility import transport as facility_kernels
from solvers.families.facility.encoding import FacilityEncoding
from solvers.families.knapsack.certified import knapsack_upper_bound
from solvers.families.knapsack.mip import KnapsackFormulation
from solvers.families.scheduling import heuristic as schedule_heuristic
from solvers.families.scheduling.certified import scheduling_lower_bound
from solvers.families.scheduling.data import flatten
from solvers.families.scheduling.heuristic import best_of, build_each, to_solution
from solvers.families.tsp import local_search as tsp_kernels
from solvers.families.tsp.certified import tsp_lower_bound
from solvers.families.tsp.distance import distance_matrix, geometry, problem_tour_length
from solvers.families.tsp.tools import hilbert_tour, nearest_neighbour_tour
from solvers.gap import proven_optimal
from solvers.genetic.engine import Encoding, GaSettings, evolve
from solvers.genetic.termination import (
    TERMINATION,
    AnyOf,
    BoundReached,
    Criterion,
    GenerationLimit,
    Progress,
    Stagnation,
    StopReason,
    TimeLimit,
)
from solvers.mip.lp_bound import CertifiedBound
from solvers.objective import is_maximised, objective_is_integral, tighten_bound

NAME = "ga"
BOUND_SHARE = 0.1
"""Share of the time limit the bound may take (Held-Karp iterations, LP relaxations)."""
SAFETY = 0.05
"""Share of the time limit kept back for building and sending the answer (0.05-0.5 s)."""
LAGRANGE_ITERATIONS = 300
"""Subgradient iterations of the facility Lagrangian bound under an iteration limit (instead of
its time budget), so the seeds it yields are the same on every run."""


class WireEncoding(Encoding[Any], Protocol):
    """An encoding that also speaks the wire format (every family encoding here does)."""

    def solution(self, genome: Any) -> Solution: ...

    def from_solution(self, solution: Solution) -> Any | None: ...


@dataclass
class Setup:
    """A family's encoding, GA settings, stagnation patience and certified bound, and a solution
    found without compiled code (reported before the first kernel is compiled or loaded)."""

    encoding: WireEncoding
    settings: GaSettings
    patience: int
    bound: CertifiedBound
    quick: tuple[float, Solution] | None = None
    notes: list[str] = field(default_factory=list)


def _knapsack(problem: KnapsackProblem, context: SolveContext) -> Setup:
    bound, lp = knapsack_upper_bound(problem, _bound_budget(context))
    prices = None if lp is None else lp.row_duals
    settings = GaSettings(population=60, elite=2, tournament=3, crossover_rate=0.9, mutation_rate=0.5)
    greedy = KnapsackFormulation(problem).heuristic()
    return Setup(KnapsackEncoding(problem, prices), settings, 500, bound, (greedy.objective, greedy.solution))


def _tsp(problem: TspProblem, context: SolveContext) -> Setup:
    geo = geometry(problem)  # coordinates: candidate lists and on-the-fly distances, no n x n matrix
    source = geo or distance_matrix(problem)
    n = problem.size
    bound = tsp_lower_bound(source, None, _bound_budget(context))
    settings = GaSettings(population=min(30, max(8, n // 4)), elite=2, tournament=2, crossover_rate=0.8,
                          mutation_rate=0.3)
    tour = hilbert_tour(geo.points()).tolist() if geo is not None else nearest_neighbour_tour(distance_matrix(problem))
    quick = (problem_tour_length(problem, tour), TspSolution(tour=tour))
    return Setup(TspEncoding(source, kicks=max(10, n // 5)), settings, 50, bound, quick)


def _facility(problem: FacilityLocationProblem, context: SolveContext) -> Setup:
    # The relaxation's opening levels seed the search: with an iteration limit they must not
    # depend on the clock, so the Lagrangian then runs a fixed number of iterations.
    fixed = context.options.iteration_limit is not None
    bound, opening = facility_bounds.facility_lower_bound(problem, math.inf if fixed else _bound_budget(context),
                                                 LAGRANGE_ITERATIONS if fixed else None)
    settings = GaSettings(population=40, elite=2, tournament=3, crossover_rate=0.8, mutation_rate=0.4)
    notes = [bound.note] if bound.note else []
    if problem.single_source and any(f.capacity is not None for f in problem.facilities):
        notes.append("single-source assignments are heuristic (regret greedy + shifts)")
    return Setup(FacilityEncoding(problem, opening, _deadline(context)), settings, 100, bound, notes=notes)


def _scheduling(problem: SchedulingProblem, context: SolveContext) -> Setup:
    data = flatten(problem)
    settings = GaSettings(population=100, elite=2, tournament=3, crossover_rate=0.9, mutation_rate=0.3)
    encoding = SchedulingEncoding(data, _deadline(context))
    rules = encoding.rules()
    encoding.starts = build_each(data, rules)
    best = best_of(data, encoding.starts, rules)
    return Setup(encoding, settings, 100, scheduling_lower_bound(data),
                 (best.objective, to_solution(data, best.placements)))


def _bound_budget(context: SolveContext) -> float:
    return BOUND_SHARE * context.remaining()


def _deadline(context: SolveContext) -> float:
    """When the search must end (monotonic clock): the time limit less a margin for the answer."""
    margin = min(0.5, max(0.05, SAFETY * context.options.time_limit))
    return context.started + context.options.time_limit - margin


def _infeasibility(problem: Problem) -> str | None:
    """Why the problem has no solution, when that is certain without search: facilities whose
    total capacity is below the total demand (every other family always has a solution)."""
    if not isinstance(problem, FacilityLocationProblem):
        return None
    if any(f.capacity is None for f in problem.facilities):
        return None
    capacity = sum(f.capacity or 0.0 for f in problem.facilities)
    demand = sum(c.demand for c in problem.customers)
    if capacity < demand - 1e-9 * max(1.0, demand):
        return f"infeasible: total capacity {capacity:g} is below the total demand {demand:g}"
    return None


FAMILIES: dict[type, Any] = {
    KnapsackProblem: _knapsack,
    TspProblem: _tsp,
    FacilityLocationProblem: _facility,
    SchedulingProblem: _scheduling,
}


def solve(problem: Problem, context: SolveContext) -> RawResult:
    """The backend entry point (see `solvers.contract.SolveFunction`)."""
    family = FAMILIES.get(type(problem))
    if family is None:
        return RawResult(status=Status.error, termination=Termination.error,
                         native_status=f"ga does not solve {problem.kind} problems")
    began = time.monotonic()
    proof = _infeasibility(problem)
    if proof is not None:
        return RawResult(status=Status.infeasible, termination=Termination.completed, native_status=proof,
                         log=proof, build_time=time.monotonic() - began)
    setup: Setup = family(problem, context)
    build_time = time.monotonic() - began
    run = _Run(problem, context, setup)
    return run.execute(build_time)


class _Run:
    """One search: stopping rules, warm start, incumbent reports, the raw result."""

    def __init__(self, problem: Problem, context: SolveContext, setup: Setup) -> None:
        self.problem, self.context, self.setup = problem, context, setup
        self.encoding = setup.encoding
        self.maximise = is_maximised(problem)
        self.bound = tighten_bound(setup.bound.value, self.maximise, objective_is_integral(problem))
        self.clock = TimeLimit(_deadline(context))
        self.incumbent: tuple[float, Solution] | None = None
        """The best solution reported so far (quick heuristic, warm start, the GA's own): the one to beat,
        and the answer unless the GA's final best beats it (then decoded once more)."""

    def stop(self) -> Criterion:
        options = self.context.options
        criteria: list[Criterion] = [BoundReached(self.bound, options.relative_gap)]
        if options.iteration_limit is not None:
            criteria.append(GenerationLimit(options.iteration_limit))
        criteria += [Stagnation(self.setup.patience), self.clock]
        return AnyOf(tuple(criteria))

    def offer(self, value: float, solution: Solution) -> None:
        """A solution found outside the GA: reported, and kept if it is the best so far."""
        if self.incumbent is None or self._better(value, self.incumbent[0]):
            self.incumbent = (value, solution)
            self.context.progress(Incumbent(objective=value, bound=self.bound, solution=solution,
                                            bound_source=self.setup.bound.source))

    def seeds(self) -> list[Any]:
        """The warm start as a genome; also offered as an incumbent when it is feasible."""
        warm = self.context.options.warm_start
        if warm is None:
            return []
        check = evaluate(self.problem, warm)
        if check.feasible and check.objective is not None:
            self.offer(check.objective, warm)
        genome = self.encoding.from_solution(warm)
        if genome is None:
            self.setup.notes.append("warm_start does not fit this problem; not used as a seed")
            return []
        return [genome]

    def report(self, genome: Any, value: float) -> None:
        """The GA improved its best: reported (and kept) unless an outside incumbent is still better."""
        if self.incumbent is None or self._better(value, self.incumbent[0]):
            solution = self.encoding.solution(genome)
            self.incumbent = (value, solution)
            self.context.progress(Incumbent(objective=value, bound=self.bound, solution=solution,
                                            bound_source=self.setup.bound.source))

    def _better(self, a: float, b: float) -> bool:
        return a > b if self.maximise else a < b

    def execute(self, build_time: float) -> RawResult:
        began = time.monotonic()
        if self.setup.quick is not None:
            self.offer(*self.setup.quick)
        seeds = self.seeds()
        met = BoundReached(self.bound, self.context.options.relative_gap)
        if self.incumbent is not None and met(Progress(best=self.incumbent[0])) is not None:
            # nothing to search for (a 1000 x 20 job shop whose priority-rule schedule met its bound
            # ran to its deadline: the first genome's search took the whole time)
            value, solution = self.incumbent
            native = "bound_reached before any generation: the constructive solution or warm start meets it"
            return self._answer(value, solution, StopReason.bound_reached, native, "", build_time, began)
        rng = random.Random(self.context.options.seed)
        outcome = evolve(self.encoding, self.setup.settings, rng, self.stop(), self.clock, self.report, seeds)
        value, found = outcome.best.value, None
        if self.incumbent is not None and not (math.isfinite(value) and self._better(value, self.incumbent[0])):
            value, found = self.incumbent  # decoding again took 0.07-0.25 s past the deadline on 300 x 20
        elif math.isfinite(value):
            found = self.encoding.solution(outcome.best.genome)
        native = (f"{outcome.reason.value} after {outcome.generations} generations, {outcome.evaluations} "
                  f"evaluations ({outcome.cache_hits} cached)")
        return self._answer(value, found, outcome.reason, native, outcome.log, build_time, began)

    def _answer(self, value: float, solution: Solution | None, reason: StopReason, native: str, search_log: str,
                build_time: float, began: float) -> RawResult:
        log = "\n".join([native, f"bound {self.bound:g} ({self.setup.bound.source}, "
                         f"{self.setup.bound.seconds:.2f} s)", *self.setup.notes, search_log])
        common: dict[str, Any] = {"bound": self.bound, "bound_source": self.setup.bound.source, "log": log,
                                  "build_time": build_time, "solve_time": time.monotonic() - began,
                                  "warnings": list(self.setup.notes)}
        if solution is None:
            return RawResult(status=Status.no_solution, termination=TERMINATION[reason],
                             native_status="no feasible genome found", **common)
        proven = proven_optimal(value, self.bound)
        return RawResult(status=Status.optimal if proven else Status.feasible,
                         termination=Termination.completed if proven else TERMINATION[reason],
                         solution=solution, objective=value, native_status=native, **common)


def warm_up() -> None:
    """Compiles (or loads from numba's cache) every kernel the backend uses: a first solve on a
    fresh checkout would otherwise spend seconds compiling (`python -m solvers.backends.ga.backend` does this).
    The facility kernels (assignment, bounds) are loaded too: a warm process's first facility solve
    loaded them inside its limit (0.73 s of 1 s on cap101)."""
    knapsack_kernels.warm_up()
    schedule_decoder.warm_up()
    tsp_kernels.warm_up()
    schedule_heuristic.warm_up()
    facility_kernels.warm_up()


if __name__ == "__main__":
    began = time.monotonic()
    warm_up()
    print(f"ga kernels ready in {time.monotonic() - began:.2f} s")
