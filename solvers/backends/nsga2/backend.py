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
from solvers.backends.nsga2.encodings import Encoding, FloatArray, KnapsackEncoding, TspEncoding
from solvers.backends.nsga2.facility import FacilityEncoding
from solvers.backends.nsga2.scheduling import ScheduleEncoding
from solvers.contract import FrontPoint, Incumbent, RawResult, SolveContext

NAME = "nsga2"
POPULATION = 100
ARCHIVE_CAP = 2000
"""Largest archive kept; beyond it the archive is thinned evenly along the first criterion."""
STALL_GENERATIONS = 200
"""Without `iteration_limit`, stop once the archive has not changed for this many generations."""
PROGRESS_SECONDS = 1.0
MATING_TRIES = 10
"""Rounds of mating per generation to find offspring unlike the population (pymoo's default is 100:
on small instances, where most children repeat a parent, that cost 30 rounds a generation)."""
MIN_GENES = 3
"""Below this genome length crossover and inversion are undefined: the seeds are evaluated instead."""


class Archive:
    """Every non-dominated feasible vector seen so far, with one genome each (minimisation form)."""

    def __init__(self, n_obj: int) -> None:
        self.f = np.zeros((0, n_obj))
        self.x: list[FloatArray] = []
        self.changed_at = 0

    def offer(self, xs: FloatArray, fs: FloatArray, generation: int) -> None:
        for x, f in zip(xs, fs, strict=True):
            if len(self.f) and np.any(np.all(self.f <= f, axis=1)):
                continue  # dominated by, or equal to, an archived vector
            alive = ~np.all(f <= self.f, axis=1)
            self.f = np.vstack([self.f[alive], f[None, :]])
            self.x = [kept for kept, keep in zip(self.x, alive, strict=True) if keep] + [np.array(x)]
            self.changed_at = generation
        if len(self.x) > ARCHIVE_CAP:
            order = np.argsort(self.f[:, 0], kind="stable")
            chosen = order[np.linspace(0, len(order) - 1, ARCHIVE_CAP).round().astype(int)]
            self.f, self.x = self.f[chosen], [self.x[i] for i in chosen]


class _Watch(PymooTermination):  # type: ignore[misc]
    """Stops on the clock (before a generation as long as the last would overrun it), on the
    generation limit, or on stagnation; remembers which."""

    def __init__(self, context: SolveContext, archive: Archive) -> None:
        super().__init__()
        self.context, self.archive = context, archive
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
        if self.context.remaining() <= lasted:  # the next generation would end past the limit
            self.reason = Termination.time_limit
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
    watch = _Watch(context, archive)
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
    report(encoding, archive, context)
    return _result(encoding, archive, watch.reason, watch.generations, build,
                   time.monotonic() - began - build)


def _result(encoding: Encoding, archive: Archive, reason: Termination, generations: int, build: float,
            solve_time: float) -> RawResult:
    front = [FrontPoint(objectives=encoding.report_vector(f), solution=encoding.decode(x))
             for x, f in zip(archive.x, archive.f, strict=True)]
    status = Status.feasible if front else Status.no_solution
    return RawResult(status=status, termination=reason, front=front or None,
                     solution=_first(front), native_status=f"{len(front)} non-dominated point(s) after "
                     f"{generations} generation(s)", log=f"pymoo {pymoo.__version__} NSGA-II, population "
                     f"{POPULATION}", build_time=build, solve_time=solve_time, warnings=list(encoding.warnings))


def _first(front: list[FrontPoint]) -> Solution | None:
    return front[0].solution if front else None
