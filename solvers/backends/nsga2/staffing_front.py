"""Backend `nsga2` for staffing: a cost / waiting Pareto front, orchestrated in the calling process
(it drives the simulation pool, not a child solve).

Every point is re-simulated with full replications and carries its KPI intervals. The answer goes
through `solvers.finalize` like every other front: server counts and cost re-checked by the
independent evaluator (a staffing point's waits cannot be recomputed without simulating, so their
re-simulated means are kept), dominated points dropped, order, hypervolume and compromise computed
there.
"""

import time

from models import SolveRequest, StaffingProblem, Status, Termination
from models.simulation import SelectionReport, SimulationReport, SimulationSpec
from solvers.backends.nsga2.staffing import FrontAnswer, FrontEntry, explore, unstable_stations
from solvers.contract import FrontPoint, Orchestration, RawResult
from solvers.families.staffing.search import solution, stability_notes, stable_possible
from solvers.simulation.evaluator import Evaluator
from solvers.simulation.traffic import run_length_warnings

SEARCH_SHARE = 0.6
"""Share of the time limit for the NSGA-II search; the rest re-simulates the front."""
METHOD = ("NSGA-II (pymoo, integer SBX/PM with rounding) over server counts from the lowest allowed allocation "
          "(`servers.min`, raised to stability when required) to `max`, "
          "candidates scored on pilot replications with common random numbers; the non-dominated ones "
          "re-simulated with the full replications and filtered again; a front carries no probability-of-correct-"
          "selection guarantee (reported as 0)")


def orchestrate(request: SolveRequest, env: Orchestration) -> RawResult:
    """The cost / waiting Pareto front of a staffing problem with two or more `objectives`."""
    problem = request.problem
    assert isinstance(problem, StaffingProblem)
    spec = request.simulation or SimulationSpec()
    started = time.perf_counter()
    limit = request.options.time_limit
    if not stable_possible(problem):
        return RawResult(status=Status.infeasible, termination=Termination.completed,
                         warnings=stability_notes(problem),
                         native_status="require_stability cannot be met within `servers.max`")
    evaluator = Evaluator(problem, spec, time.monotonic() + limit, env.cancelled)
    try:
        answer = explore(problem, spec, request.options, evaluator, time.monotonic() + SEARCH_SHARE * limit,
                         env.progress)
    finally:
        evaluator.close()
    if env.cancelled():
        answer.termination = Termination.cancelled
    elif evaluator.stopped and answer.termination is Termination.completed:
        answer.termination = Termination.time_limit
    return _raw(request, answer, evaluator.total_replications, time.perf_counter() - started)


def _warnings(request: SolveRequest, problem: StaffingProblem, answer: FrontAnswer) -> list[str]:
    warnings = [] if request.simulation else ["no `simulation` block: default replications and confidence used"]
    warnings += stability_notes(problem)
    unstable = unstable_stations(problem)
    if unstable and not problem.require_stability:
        warnings.append(f"station(s) {', '.join(unstable)} cannot carry their offered load even at `max` servers: "
                        "their waits grow with the horizon")
    if answer.points:
        warnings.append("simulated criteria are sample means; points whose intervals (see each point's `kpis`) "
                        "overlap may not differ in expectation")
    return warnings + answer.notes


def _raw(request: SolveRequest, answer: FrontAnswer, replications: int, elapsed: float) -> RawResult:
    """The front as claimed points (finalize verifies them, orders them and picks the compromise)."""
    problem = request.problem
    assert isinstance(problem, StaffingProblem)
    warnings = _warnings(request, problem, answer)
    if not answer.points:
        status = Status.infeasible if answer.infeasible else Status.no_solution
        return RawResult(status=status, termination=answer.termination, log=_why_empty(answer),
                         warnings=warnings, solve_time=elapsed)
    front = [FrontPoint(objectives=e.vector, solution=solution(problem, e.servers), kpis=e.kpis)
             for e in answer.points]
    for point in front:  # each point's run-length caveats, once each
        warnings += [w for w in run_length_warnings(problem, point.solution, point.kpis) if w not in warnings]
    return RawResult(status=Status.feasible, termination=answer.termination, front=front, warnings=warnings,
                     solve_time=elapsed, simulation=_report(request.simulation or SimulationSpec(), answer,
                                                            answer.points[0], replications))


def _why_empty(answer: FrontAnswer) -> str:
    if answer.infeasible:
        return "even the largest allowed staffing misses a constraint"
    if answer.termination in (Termination.time_limit, Termination.cancelled):
        return f"stopped after {answer.evaluated} candidate(s) were simulated, before a front was confirmed"
    return f"none of the {answer.evaluated} simulated staffing(s) met the constraints"


def _report(spec: SimulationSpec, answer: FrontAnswer, chosen: FrontEntry, replications: int) -> SimulationReport:
    """The run's statistics; finalize puts the compromise point's KPIs in (every point keeps its own)."""
    selection = SelectionReport(method=f"{METHOD}; {answer.generations} generation(s)", candidates=answer.evaluated,
                                indifference_zone=0.0, probability_correct_selection=0.0,
                                replications_total=replications)
    return SimulationReport(replications=chosen.replications, confidence=spec.confidence,
                            common_random_numbers=spec.common_random_numbers, objective_kpi="pareto front",
                            kpis=chosen.kpis, selection=selection)
