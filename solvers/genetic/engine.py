"""The generational genetic algorithm, on DEAP's building blocks, with explicit random streams.

DEAP provides the fitness (`base.Fitness`: weights fix the sense, comparisons are lexicographic
on weighted values), the toolbox that binds the operators, the elite archive
(`tools.HallOfFame`) and the per-generation log (`tools.Statistics`, `tools.Logbook`). DEAP's own
variation and selection operators draw from the global `random` module, so they are not used:
the family encodings supply operators that take a `random.Random` passed in explicitly, and
tournament selection here does the same. Same seed and same number of generations, same result.

One generation: `population - elite` children, each from two tournament winners by crossover
(with probability `crossover_rate`, else a copy of the first) and mutation (with probability
`mutation_rate`, or always when the child equals a parent), evaluated by the encoding (which may
repair or improve the genome: Lamarckian), then the elite archive plus the children form the
next population. A child already in the population is mutated again (mutations pile up) until
it is new, within a budget per generation (diversity).
Evaluations are cached by genome key (facility location solves an LP per evaluation).
"""

import math
import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

from deap import base, tools

from solvers.genetic.termination import Criterion, Progress, StopReason

G = TypeVar("G")

LOG_LINES = 12
"""Generations shown in the log excerpt (spread over the run, always the first and last)."""


class FitnessMin(base.Fitness):  # type: ignore[misc]
    weights = (-1.0,)


class FitnessMax(base.Fitness):  # type: ignore[misc]
    weights = (1.0,)


class Individual(Generic[G]):
    """A genome, its key (identity for the cache, the archive and duplicate checks) and fitness."""

    __slots__ = ("fitness", "genome", "key", "score")

    def __init__(self, genome: G, key: bytes, value: float, fitness: type[base.Fitness]) -> None:
        self.genome = genome
        self.key = key
        self.fitness = fitness((value,))
        self.score = self.fitness.wvalues[0]
        """The weighted value (higher is better), what DEAP's fitness comparisons look at."""

    @property
    def value(self) -> float:
        return float(self.fitness.values[0])


class Encoding(Protocol[G]):
    """What a family supplies: a representation, operators and a decoder-evaluator."""

    maximise: bool

    def initial(self, rng: random.Random, count: int) -> list[G]:
        """`count` starting genomes: constructive heuristics first, then random ones."""

    def crossover(self, a: G, b: G, rng: random.Random) -> G: ...

    def mutate(self, genome: G, rng: random.Random) -> G: ...

    def evaluate(self, genome: G) -> tuple[G, float]:
        """The genome as decoded (repaired or improved, possibly unchanged) and its objective."""

    def key(self, genome: G) -> bytes: ...


@dataclass(frozen=True)
class GaSettings:
    population: int = 50
    elite: int = 2
    tournament: int = 3
    crossover_rate: float = 0.9
    mutation_rate: float = 0.2
    duplicate_retries: float = 1.0
    """Children identical to a member of the population are mutated again, at most this many
    times the population size per generation (converged populations stop wasting time on them)."""
    cache_size: int = 200_000


@dataclass
class Outcome(Generic[G]):
    best: Individual[G]
    reason: StopReason
    generations: int
    evaluations: int
    cache_hits: int
    log: str


def tournament(population: list[Individual[G]], size: int, rng: random.Random) -> Individual[G]:
    """The fittest of `size` individuals drawn with replacement, as DEAP's `selTournament` does
    (the first drawn wins ties)."""
    n = len(population)
    best = population[rng.randrange(n)]
    for _ in range(size - 1):
        other = population[rng.randrange(n)]
        if other.score > best.score:
            best = other
    return best


class _Search(Generic[G]):
    """The state of one run: population, archive, cache, counters."""

    def __init__(self, encoding: Encoding[G], settings: GaSettings, rng: random.Random, stop: Criterion,
                 out_of_time: Criterion, on_improve: Callable[[G, float], None]) -> None:
        self.encoding, self.settings, self.rng = encoding, settings, rng
        self.stop, self.out_of_time, self.on_improve = stop, out_of_time, on_improve
        self.fitness = FitnessMax if encoding.maximise else FitnessMin
        self.toolbox = base.Toolbox()
        self.toolbox.register("mate", encoding.crossover, rng=rng)
        self.toolbox.register("mutate", encoding.mutate, rng=rng)
        self.toolbox.register("select", tournament, size=settings.tournament, rng=rng)
        self.archive = tools.HallOfFame(max(1, settings.elite), similar=lambda a, b: a.key == b.key)
        self.stats = tools.Statistics(key=lambda ind: ind.value)
        for name, function in (("best", max if encoding.maximise else min), ("mean", _finite_mean)):
            self.stats.register(name, function)
        self.logbook = tools.Logbook()
        self.logbook.header = ["gen", "evals", "best", "mean"]
        self.cache: dict[bytes, tuple[G, bytes, float]] = {}
        self.progress = Progress()
        self.evaluations = self.cache_hits = 0
        self.population: list[Individual[G]] = []

    def individual(self, genome: G) -> Individual[G]:
        """Evaluates through the cache."""
        key = self.encoding.key(genome)
        hit = self.cache.get(key)
        if hit is None:
            decoded, value = self.encoding.evaluate(genome)
            self.evaluations += 1
            if len(self.cache) >= self.settings.cache_size:
                self.cache.clear()
            self.cache[key] = hit = (decoded, self.encoding.key(decoded), value)
        else:
            self.cache_hits += 1
        return Individual(hit[0], hit[1], hit[2], self.fitness)

    def record(self, individuals: list[Individual[G]], evaluations: int) -> None:
        """Updates the archive, reports a better best, logs the generation."""
        previous = self.archive[0].fitness if len(self.archive) else None
        self.archive.update(individuals)
        best = self.archive[0]
        if previous is None or best.fitness > previous:
            self.progress.best = best.value
            self.progress.improved_at = self.progress.generation
            if math.isfinite(best.value):
                self.on_improve(best.genome, best.value)
        self.logbook.record(gen=self.progress.generation, evals=evaluations, **self.stats.compile(individuals))

    def initialise(self, seeds: list[G]) -> StopReason | None:
        count = max(0, self.settings.population - len(seeds))
        for genome in [*seeds, *self.encoding.initial(self.rng, count)]:
            self.population.append(self.individual(genome))
            if self.out_of_time(self.progress) is not None:
                break
        self.record(self.population, self.evaluations)
        return self.out_of_time(self.progress)

    def generation(self) -> StopReason | None:
        """Breeds the next population; stops early (returning why) when time runs out."""
        settings, toolbox = self.settings, self.toolbox
        children: list[Individual[G]] = []
        seen = {ind.key for ind in self.population}
        retries = int(settings.duplicate_retries * settings.population)
        before = self.evaluations
        reason = None
        while len(children) < settings.population - len(self.archive):
            first, second = toolbox.select(self.population), toolbox.select(self.population)
            genome = toolbox.mate(first.genome, second.genome) if self.rng.random() < settings.crossover_rate \
                else first.genome
            key = self.encoding.key(genome)
            if self.rng.random() < settings.mutation_rate or key in (first.key, second.key):
                genome = toolbox.mutate(genome)
            child = self.individual(genome)
            while child.key in seen and retries > 0 and reason is None:
                retries -= 1
                genome = toolbox.mutate(genome)  # mutations pile up until the child is new
                child = self.individual(genome)
                reason = self.out_of_time(self.progress)
            reason = reason or self.out_of_time(self.progress)
            seen.add(child.key)
            children.append(child)
            if reason is not None:
                break
        self.progress.generation += 1
        self.population = [*(Individual(e.genome, e.key, e.value, self.fitness) for e in self.archive), *children]
        self.record(children, self.evaluations - before)
        return reason

    def log(self) -> str:
        rows = str(self.logbook).splitlines()
        head, body = rows[:1], rows[1:]
        if len(body) > LOG_LINES:
            step = (len(body) - 1) / (LOG_LINES - 1)
            body = [body[round(k * step)] for k in range(LOG_LINES)]
        return "\n".join(head + body)


def evolve(encoding: Encoding[G], settings: GaSettings, rng: random.Random, stop: Criterion, out_of_time: Criterion,
           on_improve: Callable[[G, float], None], seeds: list[G] | None = None) -> Outcome[G]:
    """Runs until `stop` fires (checked after every generation) or `out_of_time` fires (checked
    after every evaluation). `seeds` (warm starts) join the initial population first."""
    search = _Search(encoding, settings, rng, stop, out_of_time, on_improve)
    reason = search.initialise(list(seeds or []))
    while reason is None:
        reason = stop(search.progress) or search.generation()
    return Outcome(search.archive[0], reason, search.progress.generation, search.evaluations, search.cache_hits,
                   search.log())


def _finite_mean(values: Any) -> float:
    finite = [v for v in values if math.isfinite(v)]
    return sum(finite) / len(finite) if finite else math.nan
