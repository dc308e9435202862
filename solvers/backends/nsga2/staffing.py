"""Pareto front of staffing cost against simulated waiting (and abandonment) by NSGA-II.

Decision: one integer server count per station, between the stability bound (fewer servers
than the offered load makes waits grow with the horizon: such points say nothing about the
steady state) and the station's `max`. pymoo's NSGA-II searches that box with integer sampling,
SBX crossover and polynomial mutation rounded back to integers (the pymoo recipe for integer
variables), driven by ask-and-tell so this module owns the clock and the simulation budget.

Each candidate is scored on a pilot number of replications with common random numbers: cost
exactly, every simulated criterion as its sample mean; constraints (if any) become pymoo
inequality constraints on the pilot means. The starting population is the caller's warm start
(if any), the stability bound, the all-max vector, the bound's one-server neighbours, square-root
staffing c = a + beta sqrt(a) for a spread of beta (the Halfin-Whitt rule, which traces a queue's
cost/wait trade-off closely and stands in for the single-objective optimum's neighbourhood, which
would cost a full sequential search) and random fill. When the box holds no more vectors than
the population, the first generation is the whole box and the front is exact up to simulation
noise.

Afterwards the non-dominated candidates are re-simulated with the full number of replications
(`replications`, or `auto`: doubled until every simulated criterion is precise), constraints are
judged again on those, and points that have become dominated are dropped.

Reproducible: pymoo and the random fill are seeded by `options.seed`, the simulation streams by
`simulation.seed`; with `options.iteration_limit` (generations) and no time limit reached, the
same request gives the same front.
"""

import math
import time
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray
from pymoo.algorithms.moo.nsga2 import NSGA2
from pymoo.core.evaluator import Evaluator as PymooEvaluator
from pymoo.core.problem import Problem as PymooProblem
from pymoo.core.termination import NoTermination
from pymoo.operators.crossover.sbx import SBX
from pymoo.operators.mutation.pm import PM
from pymoo.operators.repair.rounding import RoundingRepair
from pymoo.problems.static import StaticProblem

from models import SolveOptions, StaffingProblem, StaffingSolution, Termination
from models.problem import Solution
from models.simulation import KpiStat, SimulationSpec
from solvers import pareto
from solvers.contract import Incumbent, ProgressSink
from solvers.families.staffing.search import cost, lowest_allocation, solution, visit_rates
from solvers.simulation.evaluator import Evaluator, SimulationStopped
from solvers.simulation.feasibility import constraint_kpi, judge
from solvers.simulation.sampling import mean_of
from solvers.simulation.stats import kpi_stat, precise_enough

IntArray = NDArray[np.int64]
POPULATION = 16
GENERATIONS = 20
"""Generations when `iteration_limit` is not given (every candidate costs replications)."""
STALL_GENERATIONS = 4
"""Stop once this many generations in a row brought no candidate not simulated before."""
MATING_TRIES = 20
SQRT_STAFFING_BETAS = 6
"""Square-root staffing seeds, beta spread over [0, 3]."""


@dataclass
class Scored:
    """A candidate's pilot score: criteria means (request order) and constraint values (<= 0 holds)."""

    servers: tuple[int, ...]
    vector: list[float]
    violation: list[float]

    @property
    def feasible(self) -> bool:
        return all(v <= 0 for v in self.violation)


@dataclass
class FrontEntry:
    """A point of the final front: criteria means, KPI intervals, replications behind them."""

    servers: list[int]
    vector: list[float]
    kpis: dict[str, KpiStat]
    replications: int


@dataclass
class FrontAnswer:
    """The front and how it was found."""

    points: list[FrontEntry]
    evaluated: int
    generations: int
    termination: Termination
    infeasible: bool = False
    notes: list[str] = field(default_factory=list)


def box(problem: StaffingProblem) -> tuple[IntArray, IntArray]:
    """Lower (stability bound) and upper (`max`) server counts per station."""
    lower = np.array(lowest_allocation(problem), dtype=np.int64)
    upper = np.array([s.servers.max for s in problem.stations], dtype=np.int64)
    return lower, np.maximum(lower, upper)


def unstable_stations(problem: StaffingProblem) -> list[str]:
    """Stations whose `max` servers cannot carry the offered load (no abandonment to relieve them)."""
    if problem.patience is not None:
        return []
    loads = [rate * mean_of(s.service) for s, rate in zip(problem.stations, visit_rates(problem), strict=True)]
    return [str(s.id) for s, load in zip(problem.stations, loads, strict=True) if s.servers.max <= load]


class Scorer:
    """Pilot scores of server vectors, each simulated once (the evaluator also caches replications)."""

    def __init__(self, problem: StaffingProblem, evaluator: Evaluator, replications: int) -> None:
        self.problem, self.evaluator, self.replications = problem, evaluator, replications
        self.scored: dict[tuple[int, ...], Scored] = {}

    def score(self, servers: tuple[int, ...]) -> Scored:
        if servers not in self.scored:
            runs = self.evaluator.kpis(solution(self.problem, list(servers)), self.replications)
            self.scored[servers] = Scored(servers, criteria_means(self.problem, list(servers), runs),
                                          violations(self.problem, runs))
        return self.scored[servers]

    def batch(self, x: IntArray) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """Objective rows and constraint rows for pymoo, in the order of `x`."""
        rows = [self.score(tuple(int(v) for v in row)) for row in x]
        f = np.array([r.vector for r in rows], dtype=np.float64)
        g = np.array([r.violation for r in rows], dtype=np.float64).reshape(len(rows), -1)
        return f, g


def criteria_means(problem: StaffingProblem, servers: list[int], runs: list[dict[str, float]]) -> list[float]:
    """Cost exactly; every simulated criterion as its mean over the replications."""
    return [cost(problem, servers) if name == "cost" else float(np.mean([r[name] for r in runs]))
            for name in problem.criteria()]


def violations(problem: StaffingProblem, runs: list[dict[str, float]]) -> list[float]:
    """Per constraint: how far the mean is on the wrong side of its limit (<= 0 when it holds)."""
    values = []
    for constraint in problem.constraints:
        mean = float(np.mean([r[constraint_kpi(constraint)] for r in runs]))
        values.append(mean - constraint.max if constraint.kpi == "wait_mean" else constraint.min - mean)
    return values


def seeds(problem: StaffingProblem, lower: IntArray, upper: IntArray, count: int, rng: np.random.Generator,
          warm: Solution | None = None) -> IntArray:
    """Distinct starting vectors: warm start, bound, all-max, neighbours, square-root staffing, random fill."""
    loads = np.array([rate * mean_of(s.service) for s, rate in zip(problem.stations, visit_rates(problem),
                                                                    strict=True)])
    rows = [lower, upper]
    if isinstance(warm, StaffingSolution) and set(warm.servers) == {str(s.id) for s in problem.stations}:
        rows.insert(0, np.array([warm.servers[str(s.id)] for s in problem.stations], dtype=np.int64))
    rows += [np.minimum(upper, lower + np.eye(len(lower), dtype=np.int64)[i]) for i in range(len(lower))]
    for beta in np.linspace(0.0, 3.0, SQRT_STAFFING_BETAS):
        rows.append(np.ceil(loads + beta * np.sqrt(loads)).astype(np.int64))
    unique: list[tuple[int, ...]] = []
    for row in rows:
        key = tuple(int(v) for v in np.clip(row, lower, upper))
        if key not in unique:
            unique.append(key)
    size = box_size(lower, upper)
    while len(unique) < min(count, size):
        key = tuple(int(v) for v in rng.integers(lower, upper + 1))
        if key not in unique:
            unique.append(key)
    return np.array(unique[:count], dtype=np.int64)


def box_size(lower: IntArray, upper: IntArray) -> int:
    return math.prod(int(u - lo + 1) for lo, u in zip(lower, upper, strict=True))


class _Box(PymooProblem):  # type: ignore[misc]
    """The integer box as a pymoo problem; evaluation happens outside (ask-and-tell)."""

    def __init__(self, lower: IntArray, upper: IntArray, n_obj: int, n_constr: int) -> None:
        super().__init__(n_var=len(lower), n_obj=n_obj, n_ieq_constr=n_constr, xl=lower, xu=upper, vtype=int)


def search(problem: StaffingProblem, scorer: Scorer, options: SolveOptions, deadline: float,
           progress: ProgressSink | None = None) -> tuple[int, Termination]:
    """NSGA-II generations until the limit, the soft deadline, stagnation or a full box.

    Returns the generations run and why it stopped; a stop raised by the evaluator ends it with
    what was scored so far.
    """
    lower, upper = box(problem)
    size = box_size(lower, upper)
    population = min(POPULATION, size)
    rng = np.random.default_rng(options.seed)
    box_problem = _Box(lower, upper, len(problem.criteria()), len(problem.constraints))
    start = seeds(problem, lower, upper, population, rng, options.warm_start)
    algorithm = NSGA2(pop_size=population, sampling=start,
                      crossover=SBX(prob=0.9, eta=3.0, vtype=float, repair=RoundingRepair()),
                      mutation=PM(prob=1.0, eta=3.0, vtype=float, repair=RoundingRepair()),
                      eliminate_duplicates=True)
    algorithm.setup(box_problem, termination=NoTermination(), seed=options.seed, verbose=False)
    algorithm.mating.n_max_iterations = MATING_TRIES
    limit = options.iteration_limit or GENERATIONS
    generations, stalled = 0, 0
    while True:
        if generations >= limit:
            return generations, Termination.iteration_limit if options.iteration_limit else Termination.completed
        if time.monotonic() >= deadline:
            return generations, Termination.time_limit
        if len(scorer.scored) >= size or stalled >= STALL_GENERATIONS:
            return generations, Termination.completed
        offspring = algorithm.ask()
        if offspring is None or len(offspring) == 0:
            return generations, Termination.completed
        x = np.clip(np.rint(offspring.get("X")).astype(np.int64), lower, upper)
        before = len(scorer.scored)
        f, g = scorer.batch(x)
        stalled = stalled + 1 if len(scorer.scored) == before else 0
        offspring.set("X", x)
        values = {"F": f, "G": g} if len(problem.constraints) else {"F": f}
        PymooEvaluator().eval(StaticProblem(box_problem, **values), offspring)
        algorithm.tell(infills=offspring)
        generations += 1
        _publish(problem, scorer, progress)


def _publish(problem: StaffingProblem, scorer: Scorer, progress: ProgressSink | None) -> None:
    """After each generation, the cheapest feasible allocation scored so far (pilot runs), as the
    child NSGA-II publishes its compromise: a front has no single incumbent objective."""
    feasible = [s for s in scorer.scored.values() if s.feasible]
    if progress is not None and feasible:
        cheapest = min(feasible, key=lambda s: cost(problem, list(s.servers)))
        progress(Incumbent(solution=solution(problem, list(cheapest.servers))))


def explore(problem: StaffingProblem, spec: SimulationSpec, options: SolveOptions, evaluator: Evaluator,
            deadline: float, progress: ProgressSink | None = None) -> FrontAnswer:
    """Search, then re-simulate the non-dominated candidates (see the module docstring)."""
    pilot = pilot_replications(spec)
    scorer = Scorer(problem, evaluator, pilot)
    try:
        generations, termination = search(problem, scorer, options, deadline, progress)
    except SimulationStopped:
        generations, termination = -1, Termination.time_limit
    feasible = [s for s in scorer.scored.values() if s.feasible]
    answer = FrontAnswer([], len(scorer.scored), max(generations, 0), termination)
    if not feasible:
        upper = tuple(int(v) for v in box(problem)[1])
        answer.infeasible = upper in scorer.scored
        return answer
    directions = ["min"] * len(problem.criteria())
    chosen = [feasible[i] for i in pareto.non_dominated([s.vector for s in feasible], directions)]
    answer.points = refine(problem, spec, evaluator, chosen, pilot, answer.notes)
    return answer


def pilot_replications(spec: SimulationSpec) -> int:
    """Replications per candidate during the search: `min_replications`, at most the final count."""
    final = spec.replications if isinstance(spec.replications, int) else spec.max_replications
    return max(2, min(spec.min_replications, final))


def refine(problem: StaffingProblem, spec: SimulationSpec, evaluator: Evaluator, chosen: list[Scored],
           pilot: int, notes: list[str]) -> list[FrontEntry]:
    """Full replications for the chosen points; constraints judged again; dominated points dropped."""
    entries: list[FrontEntry] = []
    stopped = False
    for scored in chosen:
        servers = list(scored.servers)
        runs = evaluator.kpis(solution(problem, servers), pilot)
        if not stopped:
            try:
                runs = _full_runs(problem, spec, evaluator, servers)
            except SimulationStopped:
                stopped = True
                notes.append("stopped (time limit or cancellation) while re-simulating the front: some points keep "
                             f"their {pilot} pilot replications")
        verdict = judge(problem, runs, spec.confidence)
        if verdict.feasible is False or (verdict.feasible is None and verdict.violation > 0):
            continue
        kpis = {name: kpi_stat([r.get(name, 0.0) for r in runs], spec.confidence)
                for name in sorted({k for r in runs for k in r})}
        entries.append(FrontEntry(servers, criteria_means(problem, servers, runs), kpis, len(runs)))
    dropped = len(chosen) - len(entries)
    keep = pareto.non_dominated([e.vector for e in entries], ["min"] * len(problem.criteria()))
    dropped += len(entries) - len(keep)
    if dropped:
        notes.append(f"{dropped} of {len(chosen)} pilot-front point(s) dropped after re-simulation "
                     "(dominated, or a constraint no longer held)")
    return [entries[i] for i in keep]


def _full_runs(problem: StaffingProblem, spec: SimulationSpec, evaluator: Evaluator,
               servers: list[int]) -> list[dict[str, float]]:
    """`replications` runs, or with `auto` doubling until every simulated criterion is precise."""
    candidate = solution(problem, servers)
    if isinstance(spec.replications, int):
        return evaluator.kpis(candidate, spec.replications)
    simulated = [name for name in problem.criteria() if name != "cost"]
    n = max(2, spec.min_replications)
    runs = evaluator.kpis(candidate, n)
    while n < spec.max_replications and not all(
            precise_enough([r[name] for r in runs], spec.confidence, spec.target_half_width) for name in simulated):
        n = min(spec.max_replications, 2 * n)
        runs = evaluator.kpis(candidate, n)
    return runs
