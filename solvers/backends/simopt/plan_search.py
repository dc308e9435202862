"""Shared pieces of plan simulation-optimisation (the objective KPI per family, the answer) and
the earlier local search: start from the deterministic optimum, move to neighbours that simulate
better under common random numbers, and confirm the winner against the start with a paired
confidence interval. The service now runs the GA, this local search as a polish of the GA's best,
and KN selection (plan_optimise.py); the local search alone (`improve` then `final`) is the
reference bench/plan_simopt.py measures that against.
"""

import random
import time
from dataclasses import dataclass

from models.problem import Problem
from models.problem_solutions import Solution
from models.simulation import KpiStat, SimulationSpec
from solvers.backends.simopt.neighbours import neighbours
from solvers.simulation.evaluator import Evaluator, SimulationStopped
from solvers.simulation.plan_models import objective_kpi
from solvers.simulation.stats import kpi_stat, paired_difference, precise_enough, statistic

NEIGHBOURS_PER_ROUND = 6
STALE_ROUNDS = 3
SEARCH_SHARE = 0.7
"""Share of the simulation budget spent searching; the rest confirms the final choice."""


@dataclass
class SelectionNote:
    """How the final choice was made (for the report's SelectionReport)."""

    method: str
    candidates: int
    indifference_zone: float
    probability_correct: float


@dataclass
class PlanAnswer:
    """The chosen plan, the baseline, and the statistics comparing them."""

    best: Solution
    baseline: Solution
    kpis: dict[str, KpiStat]
    baseline_kpis: dict[str, KpiStat]
    difference: dict[str, KpiStat]
    evaluated: int
    replications: int
    selection: SelectionNote | None = None
    search_stop: str = ""
    """Why the search phase ended (a `StopReason` value: time_limit, generations, stagnation...)."""


class PlanSearch:
    """Anytime local search on simulated scores (lower is better internally)."""

    def __init__(self, problem: Problem, spec: SimulationSpec, evaluator: Evaluator, started: float) -> None:
        self.problem, self.spec, self.evaluator = problem, spec, evaluator
        self.kpi, self.maximise = objective_kpi(problem)
        self.pilot = spec.replications if isinstance(spec.replications, int) else spec.min_replications
        budget = max(0.0, evaluator.deadline - started)
        self.search_deadline = started + SEARCH_SHARE * budget
        self.rng = random.Random(spec.seed)
        self.evaluated = 0

    def score(self, solution: Solution, n: int) -> float:
        values = [run[self.kpi] for run in self.evaluator.kpis(solution, n)]
        self.evaluated += 1
        value = statistic(values, self.spec.objective)
        return -value if self.maximise else value

    def improve(self, baseline: Solution) -> Solution:
        path = self.improve_path(baseline)
        return path[-1] if path else baseline

    def improve_path(self, baseline: Solution) -> list[Solution]:
        """The plans accepted in turn (empty when none beat `baseline`)."""
        path: list[Solution] = []
        incumbent, current = baseline, self.score(baseline, self.pilot)
        stale = 0
        try:
            while stale < STALE_ROUNDS and time.monotonic() < self.search_deadline:
                candidates = neighbours(self.problem, incumbent, self.rng, NEIGHBOURS_PER_ROUND)
                if not candidates:
                    break
                best_score, best = min(((self.score(c, self.pilot), c) for c in candidates), key=lambda t: t[0])
                if best_score < current and self._confirmed(best, incumbent):
                    incumbent, current, stale = best, best_score, 0
                    path.append(best)
                else:
                    stale += 1
        except SimulationStopped:
            pass
        return path

    def _confirmed(self, challenger: Solution, incumbent: Solution) -> bool:
        """The challenger stays better on twice the replications, paired."""
        n = min(self.spec.max_replications, 2 * self.pilot)
        diff = self._difference(challenger, incumbent, n)
        return diff.mean > 0 if self.maximise else diff.mean < 0

    def _difference(self, a: Solution, b: Solution, n: int) -> KpiStat:
        return paired_difference([r[self.kpi] for r in self.evaluator.kpis(a, n)],
                                 [r[self.kpi] for r in self.evaluator.kpis(b, n)], self.spec.confidence)

    def final(self, best: Solution, baseline: Solution) -> PlanAnswer:
        """More replications for both (to the precision target when `auto`), then the comparison."""
        n = self._final_replications(best)
        if best is not baseline and not self._still_better(best, baseline, n):
            best = baseline
        runs = self.evaluator.results[best.model_dump_json()]
        base = self.evaluator.results.get(baseline.model_dump_json(), [])
        n = min(n, len(runs), len(base))
        runs, base = runs[:n], base[:n]
        names = sorted(runs[0]) if runs else []
        stat = {k: kpi_stat([r[k] for r in runs], self.spec.confidence) for k in names}
        base_stat = {k: kpi_stat([r[k] for r in base], self.spec.confidence) for k in names}
        diff = {k: paired_difference([r[k] for r in runs], [r[k] for r in base], self.spec.confidence)
                for k in names}
        return PlanAnswer(best, baseline, stat, base_stat, diff, self.evaluated, len(runs))

    def _final_replications(self, best: Solution) -> int:
        n = min(self.spec.max_replications, 2 * self.pilot)
        try:
            while self.spec.replications == "auto" and n < self.spec.max_replications:
                values = [r[self.kpi] for r in self.evaluator.kpis(best, n)]
                if precise_enough(values, self.spec.confidence, self.spec.target_half_width):
                    break
                n = min(self.spec.max_replications, 2 * n)
            self.evaluator.kpis(best, n)
        except SimulationStopped:
            n = len(self.evaluator.results.get(best.model_dump_json(), []))
        return max(2, n)

    def _still_better(self, best: Solution, baseline: Solution, n: int) -> bool:
        try:
            diff = self._difference(best, baseline, n)
        except SimulationStopped:
            have = min(len(self.evaluator.results[best.model_dump_json()]),
                       len(self.evaluator.results.get(baseline.model_dump_json(), [])))
            diff = self._difference(best, baseline, have)
        return diff.mean > 0 if self.maximise else diff.mean < 0
