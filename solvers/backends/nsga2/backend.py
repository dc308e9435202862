"""NSGA-II backend (pymoo) for multi-objective requests of every family.

Each family supplies an encoding (`solvers/backends/nsga2/encodings.py`, `nsga2_facility.py`,
`nsga2_scheduling.py`) whose genomes always decode to feasible solutions (repair or decoding by
construction) and whose evaluation returns the objective vectors in minimisation form. This
module wires an encoding into pymoo: problem, algorithm, a termination that watches the clock,
the generation count (`iteration_limit`) and stagnation, and an external archive of every
non-dominated vector seen (NSGA-II's population is bounded; the archive is not, up to
`ARCHIVE_CAP`). The archive is the answer.

Same seed and same `iteration_limit`, same front: pymoo draws from one generator seeded by
`options.seed`, and the encodings use only that generator. Imported only in a solve worker.
"""

import time

import numpy as np
import pymoo
from pymoo.algorithms.moo.nsga2 import NSGA2
from pymoo.core.callback import Callback
from pymoo.core.problem import Problem as PymooProblem
from pymoo.core.termination import Termination as PymooTermination
from pymoo.optimize import minimize

from models import FacilityLocationProblem, KnapsackProblem, SchedulingProblem, Status, Termination, TspProblem
from models.problem import Problem, Solution
from solvers import pareto
from solvers.backends.nsga2.archive import Archive
from solvers.backends.nsga2.encodings import Encoding, FloatArray, KnapsackEncoding, TspEncoding
from solvers.backends.nsga2.facility import FacilityEncoding
from solvers.backends.nsga2.pareto_local import pareto_local_search
from solvers.backends.nsga2.scheduling import ScheduleEncoding
from solvers.contract import FrontPoint, Incumbent, RawResult, SolveContext

NAME = "nsga2"
POPULATION = 100
STALL_GENERATIONS = 200
"""Without `iteration_limit`, stop once the archive has not changed for this many generations."""
PROGRESS_SECONDS = 1.0
MATING_TRIES = 10
"""Rounds of mating per generation to find offspring unlike the population (pymoo's default is 100:
on small instances, where most children repeat a parent, that cost 30 rounds a generation)."""
LOCAL_SEARCH_SHARE = 0.3
"""Share of the time limit kept for the Pareto local search (`pareto_local`) where the encoding has a
neighbourhood (knapsacks); NSGA-II usually stalls before it runs into this reserve."""
MIN_GENES = 3
"""Below this genome length crossover and inversion are undefined: the seeds are evaluated instead."""


class _Watch(PymooTermination):  # type: ignore[misc]
    """Stops on the clock (before a generation as long as the last would overrun it), on the
    generation limit, or on stagnation; remembers which."""

    def __init__(self, context: SolveContext, archive: Archive, reserve: float = 0.0) -> None:
        super().__init__()
        self.context, self.archive, self.reserve = context, archive, reserve
        self.for_reserve = False
        """True when the clock stopped the run only to leave `reserve` seconds to a later phase."""
        self.limit = context.options.iteration_limit
        self.reason = Termination.completed
        self.generations = 0
        self.last = time.monotonic()

    def _update(self, algorithm: object) -> float:
        generation = self.generations = int(getattr(algorithm, "n_gen", 0) or 0)
        now = time.monotonic()
        lasted, self.last = now - self.last, now
        if self.limit is not None and generation >= self.limit:
            self.reason = Termination.iteration_limit
            return 1.0
        if self.context.remaining() - self.reserve <= lasted:  # the next generation would end past the limit
            self.reason = Termination.time_limit
            self.for_reserve = self.context.remaining() > lasted
            return 1.0
        if self.limit is None and generation - self.archive.changed_at >= STALL_GENERATIONS:
            self.reason = Termination.completed
            return 1.0
        return 0.0


class _Record(Callback):  # type: ignore[misc]
    """After each generation: offer the feasible offspring to the archive, report now and then."""

    def __init__(self, encoding: Encoding, archive: Archive, context: SolveContext) -> None:
        super().__init__()
        self.encoding, self.archive, self.context = encoding, archive, context
        self.reported = time.monotonic()

    def notify(self, algorithm: NSGA2) -> None:
        population = algorithm.off if algorithm.off is not None else algorithm.pop
        feasible = population.get("feasible").ravel()
        self.archive.offer(population.get("X")[feasible], population.get("F")[feasible], algorithm.n_gen)
        if time.monotonic() - self.reported >= PROGRESS_SECONDS:
            self.reported = time.monotonic()
            report(self.encoding, self.archive, self.context)


class _Wrapped(PymooProblem):  # type: ignore[misc]
    """The encoding as a vectorised pymoo problem."""

    def __init__(self, encoding: Encoding) -> None:
        super().__init__(n_var=encoding.n_var, n_obj=encoding.n_obj, n_ieq_constr=encoding.n_constr,
                         xl=encoding.lower, xu=encoding.upper, vtype=encoding.vtype)
        self.encoding = encoding

    def _evaluate(self, x: FloatArray, out: dict[str, FloatArray], *args: object, **kwargs: object) -> None:
        f, g = self.encoding.evaluate(x)
        out["F"] = f
        if g is not None:
            out["G"] = g


def encoding_for(problem: Problem) -> Encoding:
    """The family's encoding."""
    if isinstance(problem, KnapsackProblem):
        return KnapsackEncoding(problem)
    if isinstance(problem, TspProblem):
        return TspEncoding(problem)
    if isinstance(problem, FacilityLocationProblem):
        return FacilityEncoding(problem)
    if isinstance(problem, SchedulingProblem):
        return ScheduleEncoding(problem)
    raise TypeError(f"NSGA-II has no encoding for {problem.kind} problems")


def report(encoding: Encoding, archive: Archive, context: SolveContext) -> None:
    """The archive's compromise point as the incumbent (a multi-objective run has no scalar objective)."""
    if archive.x:
        best = pareto.compromise(archive.f, ["min"] * archive.f.shape[1])
        context.progress(Incumbent(solution=encoding.decode(archive.x[best])))


def solve(problem: Problem, context: SolveContext) -> RawResult:
    """The backend entry point (see `solvers.contract.SolveFunction`)."""
    began = time.monotonic()
    rng = np.random.default_rng(context.options.seed)
    encoding = encoding_for(problem)
    initial = encoding.initial(POPULATION, rng, context.options.warm_start)
    archive = Archive(encoding.n_obj)
    local = type(encoding).neighbours is not Encoding.neighbours
    watch = _Watch(context, archive, LOCAL_SEARCH_SHARE * context.options.time_limit if local else 0.0)
    if encoding.n_var < MIN_GENES:  # too small for the operators: the starting genomes are the search
        genomes = encoding.repair(initial)
        f, g = encoding.evaluate(genomes)
        feasible = np.ones(len(f), dtype=bool) if g is None else (g <= 0).all(axis=1)
        archive.offer(genomes[feasible], f[feasible], 0)
        return _result(encoding, archive, Termination.completed, 0, time.monotonic() - began, 0.0)
    algorithm = NSGA2(pop_size=POPULATION, sampling=initial, **encoding.operators())
    algorithm.mating.n_max_iterations = MATING_TRIES
    build = time.monotonic() - began
    minimize(_Wrapped(encoding), algorithm, termination=watch, seed=context.options.seed,
             callback=_Record(encoding, archive, context), verbose=False, copy_algorithm=False,
             copy_termination=False)
    reason, added = watch.reason, None
    if local:
        reason, added = _local_search(encoding, archive, watch, context)
    report(encoding, archive, context)
    return _result(encoding, archive, reason, watch.generations, build, time.monotonic() - began - build, added)


def _local_search(encoding: Encoding, archive: Archive, watch: "_Watch",
                  context: SolveContext) -> tuple[Termination, int]:
    """The Pareto local search in the time left, and how much the archive grew. The run counts as
    completed when it scanned every archived neighbourhood after NSGA-II stopped (on stagnation,
    its generation limit, or to leave it this time), as cut short by the clock otherwise."""
    before = len(archive.x)
    finished = pareto_local_search(encoding, archive, time.monotonic() + context.remaining(), watch.generations)
    added = len(archive.x) - before
    if not finished:
        return Termination.time_limit, added
    reserved = watch.reason is Termination.time_limit and watch.for_reserve
    return (Termination.completed if reserved else watch.reason), added


def _result(encoding: Encoding, archive: Archive, reason: Termination, generations: int, build: float,
            solve_time: float, local_points: int | None = None) -> RawResult:
    front = [FrontPoint(objectives=encoding.report_vector(f), solution=encoding.decode(x))
             for x, f in zip(archive.x, archive.f, strict=True)]
    status = Status.feasible if front else Status.no_solution
    return RawResult(status=status, termination=reason, front=front or None,
                     solution=_first(front), native_status=f"{len(front)} non-dominated point(s) after "
                     f"{generations} generation(s)" + ("" if local_points is None else
                                                        f" and a Pareto local search (archive {local_points:+d})"),
                     log=f"pymoo {pymoo.__version__} NSGA-II, population "
                     f"{POPULATION}", build_time=build, solve_time=solve_time, warnings=list(encoding.warnings))


def _first(front: list[FrontPoint]) -> Solution | None:
    return front[0].solution if front else None
