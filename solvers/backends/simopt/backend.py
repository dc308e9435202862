"""Simulation-optimisation runs in the calling process and fans replications out to workers.

It is not a child-process backend: it needs a pool of its own (replications in parallel) and,
for plan families, a deterministic solve through the ordinary runner first.
"""

import time
from collections.abc import Callable

from models import Result, SolveRequest, SolverInfo, StaffingProblem, Status, Termination, Timings
from models.problem import is_multi_objective
from models.simulation import SelectionReport, SimulatedSolution, SimulationReport, SimulationSpec
from solvers.backends.simopt.plan_optimise import optimise_plan
from solvers.backends.simopt.plan_search import PlanAnswer
from solvers.contract import RawResult
from solvers.families.staffing.search import StaffingAnswer, cost, optimise, solution
from solvers.finalize import finalize
from solvers.simulation.evaluator import Evaluator, SimulationStopped
from solvers.simulation.plan_models import objective_kpi

DETERMINISTIC_SHARE = 0.3
STAFFING_BOUND = "stability (each station's servers exceed its offered load)"


def solve_staffing(request: SolveRequest, max_time: float, cancelled: Callable[[], bool],
                   version: str | None) -> Result:
    """Minimum-cost staffing meeting the constraints, judged by sequential confidence intervals."""
    problem = request.problem
    assert isinstance(problem, StaffingProblem)
    if is_multi_objective(problem):  # cost against waiting: a Pareto front by NSGA-II (imports pymoo)
        from solvers.backends.nsga2.staffing_front import solve_staffing_front

        return solve_staffing_front(request, max_time, cancelled, version)
    spec = request.simulation or SimulationSpec()
    started = time.perf_counter()
    limit = min(request.options.time_limit, max_time)
    evaluator = Evaluator(problem, spec, time.monotonic() + limit, cancelled)
    warnings = [] if request.simulation else ["no `simulation` block: default replications and confidence used"]
    try:
        answer = optimise(problem, spec, evaluator)
        raw = _raw(problem, answer, time.perf_counter() - started)
    except SimulationStopped:
        termination = Termination.cancelled if cancelled() else Termination.time_limit
        raw = RawResult(status=Status.no_solution, termination=termination,
                        native_status="stopped before a feasible staffing was confirmed")
        answer = None
    finally:
        evaluator.close()
    timings = Timings(total=0.0, solve=time.perf_counter() - started)
    result = finalize(problem, request.options, raw, SolverInfo(name="simopt", version=version), timings, warnings)
    if answer is not None and result.solution is not None:
        result.simulation = _report(spec, answer, evaluator.total_replications)
        if answer.verdict.decided_by_mean:
            result.warnings.append("a constraint could not be decided within max_replications; the mean decided")
    result.timings.total = time.perf_counter() - started
    return result


def _raw(problem: StaffingProblem, answer: StaffingAnswer, elapsed: float) -> RawResult:
    if answer.infeasible:
        return RawResult(status=Status.infeasible, termination=Termination.completed, solve_time=elapsed,
                         native_status="even the largest allowed staffing misses a constraint",
                         log=f"best tried: {answer.servers}; KPIs: "
                         + ", ".join(f"{k}={v.mean:.4g}" for k, v in answer.verdict.kpis.items()))
    return RawResult(status=Status.feasible, termination=Termination.completed,
                     solution=solution(problem, answer.servers), objective=cost(problem, answer.servers),
                     bound=answer.lower_bound, bound_source=STAFFING_BOUND, solve_time=elapsed,
                     native_status=f"{answer.checked} allocations checked")


def _report(spec: SimulationSpec, answer: StaffingAnswer, total: int) -> SimulationReport:
    selection = SelectionReport(
        method="sequential feasibility check: Bonferroni-adjusted Student-t intervals, replications doubled "
               "until every constraint is decided; every allocation one server cheaper was rejected",
        candidates=answer.checked, indifference_zone=0.0,
        probability_correct_selection=spec.confidence, replications_total=total)
    return SimulationReport(replications=answer.verdict.replications, confidence=spec.confidence,
                            common_random_numbers=spec.common_random_numbers, objective_kpi="cost",
                            kpis=answer.verdict.kpis, selection=selection)


def solve_plan(request: SolveRequest, deterministic: Callable[[SolveRequest], Result], max_time: float,
               cancelled: Callable[[], bool], version: str | None) -> Result:
    """Deterministic optimum first (30% of the time), then a simulation-scored GA seeded with it,
    then ranking and selection between its best plans and the optimum."""
    spec = request.simulation or SimulationSpec()
    started = time.perf_counter()
    limit = min(request.options.time_limit, max_time)
    options = request.options.model_copy(update={"time_limit": max(1.0, DETERMINISTIC_SHARE * limit)})
    base = deterministic(request.model_copy(update={"simulation": None, "options": options}))
    if base.solution is None:
        base.warnings.append("no deterministic solution to simulate")
        return base
    evaluator = Evaluator(request.problem, spec, time.monotonic() + limit - (time.perf_counter() - started),
                          cancelled)
    try:
        answer = optimise_plan(request.problem, spec, evaluator, base.solution, request.options.warm_start,
                               request.options.iteration_limit)
    finally:
        evaluator.close()
    raw = RawResult(status=Status.feasible, termination=Termination.completed, solution=answer.best,
                    bound=base.bound, bound_source=base.bound_source, solve_time=time.perf_counter() - started)
    timings = Timings(total=0.0, solve=time.perf_counter() - started)
    warnings = [f"deterministic start from backend {base.solver.name!r} ({base.status.value}, objective "
                f"{base.objective}); `status`, `objective` and `gap` describe the returned plan's deterministic "
                "objective, `simulation` its simulated performance", *base.warnings]
    result = finalize(request.problem, request.options, raw, SolverInfo(name="simopt", version=version),
                      timings, warnings)
    result.simulation = _plan_report(spec, answer, objective_kpi(request.problem)[0], evaluator.total_replications)
    result.timings.total = time.perf_counter() - started
    return result


def _plan_report(spec: SimulationSpec, answer: PlanAnswer, kpi: str, total: int) -> SimulationReport:
    note = answer.selection
    assert note is not None
    selection = SelectionReport(method=note.method, candidates=note.candidates,
                                indifference_zone=note.indifference_zone,
                                probability_correct_selection=note.probability_correct, replications_total=total)
    return SimulationReport(
        replications=answer.replications, confidence=spec.confidence,
        common_random_numbers=spec.common_random_numbers, objective_kpi=f"{spec.objective}({kpi})",
        kpis=answer.kpis, baseline=SimulatedSolution(solution=answer.baseline, kpis=answer.baseline_kpis),
        difference=answer.difference, selection=selection)
