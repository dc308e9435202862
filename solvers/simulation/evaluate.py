"""Simulate a user's plan: fixed replications, or `auto` until the objective KPI is precise."""

import time
from collections.abc import Callable

from models.evaluation import EvaluateRequest, EvaluationResult
from models.simulation import SimulationReport
from solvers.evaluators import evaluate
from solvers.simulation.evaluator import Evaluator, SimulationStopped
from solvers.simulation.plan_models import objective_kpi
from solvers.simulation.stats import kpi_stat, precise_enough


def evaluate_plan(request: EvaluateRequest, max_time: float, cancelled: Callable[[], bool]) -> EvaluationResult:
    started = time.perf_counter()
    check = evaluate(request.problem, request.solution)
    if not check.feasible:
        return EvaluationResult(feasible=False, violations=check.violations, seconds=time.perf_counter() - started)
    spec = request.simulation
    evaluator = Evaluator(request.problem, spec, time.monotonic() + max_time, cancelled)
    warnings: list[str] = []
    try:
        runs = _replicate(evaluator, request, warnings)
    finally:
        evaluator.close()
    kpi = objective_kpi(request.problem)[0] if request.problem.kind != "staffing" else "wait_mean"
    names = sorted(runs[0]) if runs else []
    report = SimulationReport(replications=len(runs), confidence=spec.confidence,
                              common_random_numbers=spec.common_random_numbers, objective_kpi=kpi,
                              kpis={k: kpi_stat([r[k] for r in runs], spec.confidence) for k in names})
    return EvaluationResult(feasible=True, objective=check.objective, simulation=report, warnings=warnings,
                            seconds=time.perf_counter() - started)


def _replicate(evaluator: Evaluator, request: EvaluateRequest, warnings: list[str]) -> list[dict[str, float]]:
    spec = request.simulation
    kpi = objective_kpi(request.problem)[0] if request.problem.kind != "staffing" else "wait_mean"
    n = spec.replications if isinstance(spec.replications, int) else spec.min_replications
    try:
        runs = evaluator.kpis(request.solution, n)
        while spec.replications == "auto" and n < spec.max_replications and \
                not precise_enough([r[kpi] for r in runs], spec.confidence, spec.target_half_width):
            n = min(spec.max_replications, 2 * n)
            runs = evaluator.kpis(request.solution, n)
    except SimulationStopped:
        runs = evaluator.results.get(request.solution.model_dump_json(), [])
        warnings.append(f"stopped at the time limit after {len(runs)} replications")
    return runs
