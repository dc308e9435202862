"""The final choice of a simulation-optimised plan: ranking and selection, then the comparison.

The best few plans of the search (by pilot fitness, only those that beat the deterministic
optimum there) and the deterministic optimum enter the KN procedure (solvers/backends/simopt/ranking.py)
on *fresh* replications — indices after every one the search used — so the winner's curse of the search
does not bias the choice or the reported statistics. The indifference zone is the requested
relative precision times the optimum's pilot mean. The KN winner replaces the deterministic
optimum only if the paired confidence interval of their difference excludes zero on the better
side; otherwise the optimum is kept. With `replications: auto`, both then get replications until
the objective KPI's interval is as precise as asked.
"""

import math
from dataclasses import dataclass

import numpy as np

from models.problem_solutions import Solution
from models.simulation import KpiStat, SimulationSpec
from solvers.backends.simopt.plan_search import PlanAnswer, SelectionNote
from solvers.backends.simopt.ranking import Selection, kn_select
from solvers.simulation.evaluator import Evaluator, SimulationStopped
from solvers.simulation.stats import kpi_stat, paired_difference, paired_quantile_interval, precise_enough

TOP_K = 4
"""Challengers of the deterministic optimum in the final stage."""
MIN_FIRST_STAGE = 5


@dataclass
class FinalStage:
    """What the final stage needs to know about the search."""

    spec: SimulationSpec
    evaluator: Evaluator
    kpi: str
    maximise: bool
    pilot: int
    search: str
    """One line describing the search, for the report's method text."""
    evaluated: int
    offset: int
    """First replication index the search never looked at: the final stage starts there."""

    def fresh(self, solution: Solution, n: int) -> list[dict[str, float]]:
        """Replications offset..offset+n-1 of `solution` (run if missing)."""
        return self.evaluator.kpis(solution, self.offset + n)[self.offset:]

    def have(self, solution: Solution) -> list[dict[str, float]]:
        return self.evaluator.results.get(solution.model_dump_json(), [])[self.offset:]

    def sense(self, values: list[float]) -> list[float]:
        return values if self.maximise else [-v for v in values]


def challengers(ranked: list[tuple[Solution, float]], baseline: Solution, maximise: bool) -> list[Solution]:
    """Up to TOP_K plans whose pilot fitness beats the deterministic optimum's."""
    scores = {s.model_dump_json(): v for s, v in ranked}
    base = scores.get(baseline.model_dump_json())
    better = [s for s, v in ranked if s.model_dump_json() != baseline.model_dump_json()
              and (base is None or (v > base if maximise else v < base))]
    return better[:TOP_K]


def indifference_zone(stage: FinalStage, baseline: Solution) -> float:
    values = [r[stage.kpi] for r in stage.evaluator.results.get(baseline.model_dump_json(), [])[:stage.pilot]]
    scale = abs(float(np.mean(values))) if values else 0.0
    spread = float(np.std(values, ddof=1)) if len(values) > 1 else 0.0
    zone = stage.spec.target_half_width * scale
    return zone if zone > 0 else max(0.1 * spread, 1e-9)


def select_plan(stage: FinalStage, ranked: list[tuple[Solution, float]], baseline: Solution) -> PlanAnswer:
    """The KN choice among the top plans and the optimum, kept only if better with confidence."""
    systems = [baseline, *challengers(ranked, baseline, stage.maximise)]
    delta = indifference_zone(stage, baseline)
    n0 = max(MIN_FIRST_STAGE, stage.pilot)
    alpha = 1 - stage.spec.confidence

    def sample(i: int, r: int) -> list[float]:
        return stage.sense([run[stage.kpi] for run in stage.fresh(systems[i], r)])

    try:
        chosen = kn_select(sample, len(systems), n0, stage.spec.max_replications, delta, alpha)
    except SimulationStopped:
        return _answer(stage, baseline, baseline, _note(stage, len(systems), delta, None, kept=True), offset=0)
    best = systems[chosen.winner]
    kept = best is not baseline and not _better_with_confidence(stage, best, baseline)
    best = baseline if kept else best
    _top_up(stage, best, baseline)
    return _answer(stage, best, baseline, _note(stage, len(systems), delta, chosen, kept), offset=stage.offset)


def _better_with_confidence(stage: FinalStage, best: Solution, baseline: Solution) -> bool:
    n = len(stage.have(best))
    try:
        base = stage.fresh(baseline, n)
    except SimulationStopped:
        base = stage.have(baseline)
    n = min(n, len(base))
    if n < 2:
        return False
    mine, theirs = [r[stage.kpi] for r in stage.have(best)[:n]], [r[stage.kpi] for r in base[:n]]
    if stage.spec.objective != "mean":  # the requested quantile must be better, not just the mean
        low, high = paired_quantile_interval(mine, theirs, stage.spec.objective, stage.spec.confidence,
                                             stage.spec.seed)
        return low > 0 if stage.maximise else high < 0
    diff = paired_difference(stage.sense(mine), stage.sense(theirs), stage.spec.confidence)
    return diff.mean - diff.half_width > 0


def _top_up(stage: FinalStage, best: Solution, baseline: Solution) -> None:
    """Equal replications for both; under `auto`, doubled until the objective KPI is precise."""
    n = max(len(stage.have(best)), len(stage.have(baseline)))
    spec = stage.spec
    try:
        while True:
            values = [r[stage.kpi] for r in stage.fresh(best, n)]
            stage.fresh(baseline, n)
            if spec.replications != "auto" or n >= spec.max_replications \
                    or precise_enough(values, spec.confidence, spec.target_half_width):
                return
            n = min(spec.max_replications, 2 * n)
    except SimulationStopped:
        return


def _answer(stage: FinalStage, best: Solution, baseline: Solution, note: SelectionNote, offset: int) -> PlanAnswer:
    results = stage.evaluator.results
    runs = results.get(best.model_dump_json(), [])[offset:]
    base = results.get(baseline.model_dump_json(), [])[offset:]
    n = min(len(runs), len(base))
    runs, base = runs[:n], base[:n]
    confidence = stage.spec.confidence
    names = sorted(runs[0]) if runs else []
    stat: dict[str, KpiStat] = {k: kpi_stat([r[k] for r in runs], confidence) for k in names}
    base_stat = {k: kpi_stat([r[k] for r in base], confidence) for k in names}
    diff = {k: paired_difference([r[k] for r in runs], [r[k] for r in base], confidence) for k in names}
    return PlanAnswer(best, baseline, stat, base_stat, diff, stage.evaluated, n, note)


def _note(stage: FinalStage, k: int, delta: float, chosen: Selection | None, kept: bool) -> SelectionNote:
    spec = stage.spec
    if chosen is None:
        rule, pcs = "the deadline came before the final stage could start: the deterministic optimum is kept", 0.0
    elif k == 1:
        rule, pcs = (f"no plan beat the deterministic optimum on the pilot replications, so it is kept (simulated "
                     f"on {chosen.replications} fresh replications)"), 1.0
    else:
        pcs = chosen.probability_correct
        how = (f"ended by elimination after {chosen.replications} replications per survivor (PCS >= "
               f"{pcs:.3g} guaranteed for normal data)") if chosen.guaranteed else \
            (f"stopped at {chosen.replications} replications with {len(chosen.survivors)} survivors (cap or "
             f"deadline): best mean taken, PCS {pcs:.3g} is a Bonferroni estimate, not a guarantee")
        rule = (f"KN fully sequential ranking and selection (Kim & Nelson 2001) among the deterministic optimum "
                f"and {k - 1} best plans, on fresh paired replications (from index {stage.offset}), alpha "
                f"{1 - spec.confidence:.3g}, indifference zone {delta:.4g} (target_half_width x |optimum's mean|); "
                f"{how}; the winner replaces the deterministic optimum only if the paired {spec.confidence:g} "
                f"interval of the difference excludes zero" + (" (it did not: optimum kept)" if kept else ""))
    quantile = "" if spec.objective == "mean" else (
        f"; the search ranks by {spec.objective} and KN by means, but a winner replaces the optimum only if the "
        f"paired percentile-bootstrap {spec.confidence:g} interval of the {spec.objective} difference excludes zero")
    return SelectionNote(method=f"{stage.search}; {rule}{quantile}", candidates=k,
                         indifference_zone=delta if math.isfinite(delta) else 0.0, probability_correct=pcs)
