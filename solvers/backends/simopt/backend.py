"""Backend `simopt`: simulation-optimisation, run in the calling process (`orchestrate`).

It is not a child-process backend: it needs a pool of its own (replications in parallel) and,
for plan families, a deterministic solve through the ordinary dispatch first. Both paths return
a RawResult that `solvers.finalize` checks like any other answer; a deadline or a cancel ends
them with `time_limit` / `cancelled` and the best verified plan found so far.
"""

import time

from models import SolveRequest, StaffingProblem, Status, Termination
from models.problem import Solution
from models.simulation import SelectionReport, SimulatedSolution, SimulationReport, SimulationSpec
from solvers.backends.simopt.plan_optimise import optimise_plan
from solvers.backends.simopt.plan_search import PlanAnswer
from solvers.contract import Incumbent, Orchestration, RawResult
from solvers.evaluators import evaluate
from solvers.families.staffing.search import (
    StaffingAnswer,
    StaffingSearch,
    bound_source,
    cost,
    lowest_allocation,
    optimise,
    solution,
    stability_notes,
    stable_possible,
)
from solvers.genetic.termination import StopReason
from solvers.simulation.evaluator import Evaluator, SimulationStopped
from solvers.simulation.plan_models import objective_kpi
from solvers.simulation.traffic import run_length_warnings

DETERMINISTIC_SHARE = 0.3
NAME = "simopt"


def orchestrate(request: SolveRequest, env: Orchestration) -> RawResult:
    """Staffing by sequential intervals, or a plan: deterministic start, then simulation-scored search."""
    if isinstance(request.problem, StaffingProblem):
        return solve_staffing(request, env)
    return solve_plan(request, env)


def stopped_by(env: Orchestration) -> Termination:
    """Why a run that did not finish stopped: the caller's cancel, else the deadline."""
    return Termination.cancelled if env.cancelled() else Termination.time_limit


def solve_staffing(request: SolveRequest, env: Orchestration) -> RawResult:
    """Minimum-cost staffing meeting the constraints, judged by sequential confidence intervals."""
    problem = request.problem
    assert isinstance(problem, StaffingProblem)
    spec = request.simulation or SimulationSpec()
    started = time.perf_counter()
    notes = [] if request.simulation else ["no `simulation` block: default replications and confidence used"]
    notes += stability_notes(problem)
    lower = cost(problem, lowest_allocation(problem))
    if not stable_possible(problem):
        return RawResult(status=Status.infeasible, termination=Termination.completed, warnings=notes,
                         native_status="require_stability cannot be met within `servers.max`")
    evaluator = Evaluator(problem, spec, time.monotonic() + request.options.time_limit, env.cancelled)

    def publish(servers: list[int], value: float) -> None:
        env.progress(Incumbent(objective=value, bound=lower, solution=solution(problem, servers)))

    search = StaffingSearch(problem, spec, evaluator, publish)
    answer: StaffingAnswer | None
    try:
        answer, termination = optimise(search), Termination.completed
    except SimulationStopped:
        answer, termination = search.best, stopped_by(env)
    finally:
        evaluator.close()
    raw = _staffing_raw(problem, answer, termination, lower, time.perf_counter() - started)
    raw.warnings = notes + raw.warnings
    if answer is not None and raw.solution is not None:
        raw.simulation = _staffing_report(spec, answer, evaluator.total_replications)
        raw.warnings += run_length_warnings(problem, raw.solution, raw.simulation.kpis)
        if answer.verdict.decided_by_mean:
            raw.warnings.append("a constraint could not be decided within max_replications; the mean decided")
    return raw


def _staffing_raw(problem: StaffingProblem, answer: StaffingAnswer | None, termination: Termination,
                  lower: float, elapsed: float) -> RawResult:
    source = bound_source(problem)
    if answer is None:
        return RawResult(status=Status.no_solution, termination=termination, bound=lower, bound_source=source,
                         solve_time=elapsed, native_status="stopped before a feasible staffing was confirmed")
    if answer.infeasible:
        return RawResult(status=Status.infeasible, termination=termination, solve_time=elapsed,
                         native_status="even the largest allowed staffing misses a constraint",
                         log=f"best tried: {answer.servers}; KPIs: "
                         + ", ".join(f"{k}={v.mean:.4g}" for k, v in answer.verdict.kpis.items()))
    return RawResult(status=Status.feasible, termination=termination, solution=solution(problem, answer.servers),
                     objective=cost(problem, answer.servers), bound=lower, bound_source=source, solve_time=elapsed,
                     native_status=f"{answer.checked} allocations checked")


def _staffing_report(spec: SimulationSpec, answer: StaffingAnswer, total: int) -> SimulationReport:
    selection = SelectionReport(
        method="sequential feasibility check: Bonferroni-adjusted Student-t intervals, replications doubled "
               "until every constraint is decided; every allocation one server cheaper was rejected",
        candidates=answer.checked, indifference_zone=0.0,
        probability_correct_selection=spec.confidence, replications_total=total)
    return SimulationReport(replications=answer.verdict.replications, confidence=spec.confidence,
                            common_random_numbers=spec.common_random_numbers, objective_kpi="cost",
                            kpis=answer.verdict.kpis, selection=selection)


def solve_plan(request: SolveRequest, env: Orchestration) -> RawResult:
    """Deterministic optimum first (30% of the time), then a simulation-scored GA seeded with it,
    then ranking and selection between its best plans and the optimum."""
    spec = request.simulation or SimulationSpec()
    started = time.perf_counter()
    limit = request.options.time_limit
    options = request.options.model_copy(update={"time_limit": max(1.0, DETERMINISTIC_SHARE * limit)})
    solver = "auto" if request.solver == NAME else request.solver
    base = env.solve(request.model_copy(update={"simulation": None, "options": options, "solver": solver}))
    if base.solution is None:
        return RawResult(status=base.status, termination=base.termination, bound=base.bound,
                         bound_source=base.bound_source, native_status="no deterministic solution to simulate",
                         log=base.message or "", warnings=base.warnings)
    env.progress(Incumbent(objective=base.objective, bound=base.bound, solution=base.solution))
    evaluator = Evaluator(request.problem, spec, time.monotonic() + limit - (time.perf_counter() - started),
                          env.cancelled)
    def leader(plan: Solution) -> None:  # each stage's best plan, with its deterministic objective
        env.progress(Incumbent(objective=evaluate(request.problem, plan).objective, bound=base.bound, solution=plan))

    try:
        answer = optimise_plan(request.problem, spec, evaluator, base.solution, request.options.warm_start,
                               request.options.iteration_limit, leader)
    finally:
        evaluator.close()
    termination = _plan_termination(env, evaluator, answer)
    warnings = [f"deterministic start from backend {base.solver.name!r} ({base.status.value}, objective "
                f"{base.objective}); `status`, `objective` and `gap` describe the returned plan's deterministic "
                "objective, `simulation` its simulated performance", *base.warnings]
    if termination in (Termination.time_limit, Termination.cancelled):
        warnings.append("the simulation search was cut short by the "
                        + ("cancel" if termination is Termination.cancelled else "time limit")
                        + "; the plan returned is the best confirmed so far")
    return RawResult(status=Status.feasible, termination=termination, solution=answer.best, bound=base.bound,
                     bound_source=base.bound_source, solve_time=time.perf_counter() - started, warnings=warnings,
                     simulation=_plan_report(spec, answer, objective_kpi(request.problem)[0],
                                             evaluator.total_replications))


def _plan_termination(env: Orchestration, evaluator: Evaluator, answer: PlanAnswer) -> Termination:
    """`completed` only when neither the clock nor a cancel cut any phase short."""
    if evaluator.stopped or answer.search_stop == StopReason.time_limit.value:
        return stopped_by(env)
    if answer.search_stop == StopReason.generations.value:
        return Termination.iteration_limit
    return Termination.completed


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
