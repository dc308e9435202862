"""A genetic algorithm proposes plans; the simulation scores them (simulation-optimisation).

The genome is the plan itself (a wire-format solution); the generational engine of the genetic
backend (solvers/genetic/engine.py: DEAP fitness and elite archive, tournament selection on an
explicit random stream, duplicate avoidance, evaluation cache) breeds it:
- initial population: the deterministic optimum (and a feasible warm start) then neighbours of
  the optimum (solvers/backends/simopt/neighbours.py);
- mutation: one random neighbour move of the family; crossover: the family's recombination
  (solvers/backends/simopt/crossovers.py), a copy of the first parent where there is none;
- fitness: the requested statistic (mean, p90, p95) of the family's objective KPI over the same
  pilot replications 0..pilot-1 for every candidate, so under common random numbers candidates are
  compared pair by pair. An infeasible child (checked by the independent evaluator) is never
  simulated: it gets the worst fitness.
Stops at the search deadline, after `iteration_limit` generations, or on stagnation. Given the
seed and `iteration_limit`, and time enough, the run is deterministic.
"""

import math
import random
from dataclasses import dataclass, field

from models.problem import Problem
from models.problem_solutions import Solution
from models.simulation import SimulationSpec
from solvers.backends.simopt.crossovers import crossover
from solvers.backends.simopt.neighbours import neighbours
from solvers.evaluators import evaluate
from solvers.genetic.engine import GaSettings, evolve
from solvers.genetic.termination import AnyOf, Criterion, GenerationLimit, Stagnation, StopReason, TimeLimit
from solvers.simulation.evaluator import Evaluator, SimulationStopped
from solvers.simulation.stats import statistic

SETTINGS = GaSettings(population=6, elite=2, tournament=3, crossover_rate=0.5, mutation_rate=0.6,
                      duplicate_retries=1.0)
"""Small populations: every evaluation costs `pilot` simulation replications."""
PATIENCE = 4
"""Generations without a better pilot score before the search stops."""


@dataclass
class PlanEncoding:
    """The engine's encoding protocol, for plans scored by simulation."""

    problem: Problem
    spec: SimulationSpec
    evaluator: Evaluator
    kpi: str
    maximise: bool
    pilot: int
    seeds: list[Solution]
    scored: dict[bytes, tuple[Solution, float]] = field(default_factory=dict)
    """Every feasible plan simulated, with its pilot fitness (the final stage ranks these)."""

    def initial(self, rng: random.Random, count: int) -> list[Solution]:
        """Neighbours of the deterministic optimum (the seeds join first, in the engine)."""
        return neighbours(self.problem, self.seeds[0], rng, count) if count > 0 else []

    def crossover(self, a: Solution, b: Solution, rng: random.Random) -> Solution:
        child = crossover(self.problem, a, b, rng)
        return a if child is None else child

    def mutate(self, genome: Solution, rng: random.Random) -> Solution:
        found = neighbours(self.problem, genome, rng, 1)
        return found[0] if found else genome

    def evaluate(self, genome: Solution) -> tuple[Solution, float]:
        if not evaluate(self.problem, genome).feasible:
            return genome, -math.inf if self.maximise else math.inf
        runs = self.evaluator.kpis(genome, self.pilot)
        value = statistic([run[self.kpi] for run in runs], self.spec.objective)
        self.scored[self.key(genome)] = (genome, value)
        return genome, value

    def key(self, genome: Solution) -> bytes:
        return genome.model_dump_json().encode()

    def ranked(self) -> list[tuple[Solution, float]]:
        """Simulated plans, best pilot fitness first (ties: first simulated first)."""
        sign = -1.0 if self.maximise else 1.0
        return sorted(self.scored.values(), key=lambda item: sign * item[1])


@dataclass
class GaRun:
    ranked: list[tuple[Solution, float]]
    reason: str
    generations: int
    evaluations: int


def run_ga(encoding: PlanEncoding, seed: int, deadline: float, generations: int | None) -> GaRun:
    """Evolves from the seeds until a stopping rule fires; never raises on the deadline."""
    clock = TimeLimit(deadline)
    rules: list[Criterion] = [clock] + ([GenerationLimit(generations)] if generations is not None else [])
    stop = AnyOf((*rules, Stagnation(PATIENCE)))
    try:
        outcome = evolve(encoding, SETTINGS, random.Random(seed), stop, clock, lambda genome, value: None,
                         encoding.seeds)
        reason, done, evaluations = outcome.reason.value, outcome.generations, outcome.evaluations
    except SimulationStopped:
        reason, done, evaluations = StopReason.time_limit.value, -1, len(encoding.scored)
    return GaRun(encoding.ranked(), reason, done, evaluations)
