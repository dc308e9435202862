"""Simulate a user's plan: fixed replications, or `auto` until the objective KPI is precise."""

import math
import time
from collections.abc import Callable

from models.evaluation import EvaluateRequest, EvaluationResult
from models.problem import Problem
from models.simulation import SimulationReport, SimulationSpec
from models.staffing import StaffingProblem, StaffingSolution
from solvers.evaluators import evaluate
from solvers.simulation.evaluator import Evaluator, SimulationStopped
from solvers.simulation.plan_models import objective_kpi
from solvers.simulation.stats import kpi_stat, precise_enough
from solvers.simulation.traffic import (
    MAX_LENGTHEN,
    RELAXATION_RUNS,
    horizon_needed,
    run_length_warnings,
    staffing_servers,
)


def evaluate_plan(request: EvaluateRequest, max_time: float, cancelled: Callable[[], bool]) -> EvaluationResult:
    started = time.perf_counter()
    check = evaluate(request.problem, request.solution)
    if not check.feasible:
        return EvaluationResult(feasible=False, violations=check.violations, seconds=time.perf_counter() - started)
    spec = request.simulation
    warnings: list[str] = []
    problem = _lengthened(request, warnings)
    evaluator = Evaluator(problem, spec, time.monotonic() + max_time, cancelled)
    try:
        runs = _replicate(evaluator, request, warnings)
    finally:
        evaluator.close()
    kpi = objective_kpi(request.problem)[0] if request.problem.kind != "staffing" else "wait_mean"
    names = sorted(runs[0]) if runs else []
    report = SimulationReport(replications=len(runs), confidence=spec.confidence,
                              common_random_numbers=spec.common_random_numbers, objective_kpi=kpi,
                              kpis={k: kpi_stat([r[k] for r in runs], spec.confidence) for k in names})
    warnings.extend(run_length_warnings(problem, request.solution, report.kpis))
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
    if spec.replications == "auto":
        warnings.append(_auto_note([r[kpi] for r in runs], spec))
    return runs


def _auto_note(values: list[float], spec: SimulationSpec) -> str:
    """What `replications: auto` ended with: the target met, or the cap hit and the precision reached."""
    stat = kpi_stat(values, spec.confidence)
    reached = stat.half_width / max(abs(stat.mean), 1e-9)
    if reached <= spec.target_half_width:
        return f"replications auto: {stat.n} replications reach half-width {reached:.2%} of the mean " \
               f"(target {spec.target_half_width:.2%})"
    return f"replications auto: max_replications ({spec.max_replications}) reached at half-width {reached:.2%} " \
           f"of the mean, short of the target {spec.target_half_width:.2%}"


def _lengthened(request: EvaluateRequest, warnings: list[str]) -> Problem:
    """With `replications: auto`, a staffing horizon short for the traffic is lengthened first (at most
    MAX_LENGTHEN-fold): more replications of a run too short to forget its empty start keep its bias
    and its skew, longer runs shrink both."""
    problem, solution = request.problem, request.solution
    if request.simulation.replications != "auto" or not isinstance(problem, StaffingProblem) \
            or not isinstance(solution, StaffingSolution):
        return problem
    needed = horizon_needed(problem, staffing_servers(problem, solution))
    if not math.isfinite(needed) or needed <= problem.horizon:
        return problem
    horizon = min(needed, MAX_LENGTHEN * problem.horizon)
    warnings.append(f"replications auto: horizon lengthened from {problem.horizon:g} to {horizon:.6g} "
                    f"({'the ' + str(MAX_LENGTHEN) + '-fold cap, short of ' if horizon < needed else ''}"
                    f"{RELAXATION_RUNS} estimated relaxation times{f' = {needed:.6g}' if horizon < needed else ''}) "
                    "because the runs were short for the traffic")
    return problem.model_copy(update={"horizon": horizon})
