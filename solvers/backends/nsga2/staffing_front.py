"""Multi-objective staffing answered as a verified Pareto front (the staffing branch of `solve_staffing`).

The deterministic families' fronts are re-measured by `solvers.finalize` from the solution
alone; a staffing point's waiting criteria cannot be, so here every point is verified the way it
can be: server counts within bounds and cost recomputed by the independent evaluator, and the
simulated criteria re-simulated with full replications (each point carries its KPI intervals).
Front order, hypervolume, reference point and compromise come from `solvers.pareto`, as for every
other family.
"""

import time
from collections.abc import Callable

from models import Result, SolveRequest, SolverInfo, StaffingProblem, Status, Termination, Timings
from models.multiobjective import ParetoPoint
from models.simulation import SelectionReport, SimulationReport, SimulationSpec
from solvers import pareto
from solvers.backends.nsga2.staffing import FrontAnswer, FrontEntry, explore, unstable_stations
from solvers.evaluators import evaluate
from solvers.evaluators.vector import senses
from solvers.families.staffing.search import solution
from solvers.simulation.evaluator import Evaluator

SEARCH_SHARE = 0.6
"""Share of the time limit for the NSGA-II search; the rest re-simulates the front."""
COST_TOL = 1e-6
METHOD = ("NSGA-II (pymoo, integer SBX/PM with rounding) over server counts from the stability bound to `max`, "
          "candidates scored on pilot replications with common random numbers; the non-dominated ones "
          "re-simulated with the full replications and filtered again; a front carries no probability-of-correct-"
          "selection guarantee (reported as 0)")


def solve_staffing_front(request: SolveRequest, max_time: float, cancelled: Callable[[], bool],
                         version: str | None) -> Result:
    """The cost / waiting Pareto front of a staffing problem with two or more `objectives`."""
    problem = request.problem
    assert isinstance(problem, StaffingProblem)
    spec = request.simulation or SimulationSpec()
    started = time.perf_counter()
    limit = min(request.options.time_limit, max_time)
    evaluator = Evaluator(problem, spec, time.monotonic() + limit, cancelled)
    try:
        answer = explore(problem, spec, request.options, evaluator, time.monotonic() + SEARCH_SHARE * limit)
    finally:
        evaluator.close()
    if cancelled():
        answer.termination = Termination.cancelled
    warnings = _warnings(request, problem, answer)
    timings = Timings(total=0.0, solve=time.perf_counter() - started)
    result = _result(request, answer, evaluator.total_replications, SolverInfo(name="nsga2", version=version),
                     timings, warnings)
    result.timings.total = time.perf_counter() - started
    return result


def _warnings(request: SolveRequest, problem: StaffingProblem, answer: FrontAnswer) -> list[str]:
    warnings = [] if request.simulation else ["no `simulation` block: default replications and confidence used"]
    unstable = unstable_stations(problem)
    if unstable:
        warnings.append(f"station(s) {', '.join(unstable)} cannot carry their offered load even at `max` servers: "
                        "their waits grow with the horizon")
    if answer.points:
        warnings.append("simulated criteria are sample means; points whose intervals (see each point's `kpis`) "
                        "overlap may not differ in expectation")
    return warnings + answer.notes


def _result(request: SolveRequest, answer: FrontAnswer, replications: int, solver: SolverInfo,
            timings: Timings, warnings: list[str]) -> Result:
    problem = request.problem
    assert isinstance(problem, StaffingProblem)
    common = {"solver": solver, "seed": request.options.seed, "timings": timings, "warnings": warnings}
    started = time.perf_counter()
    entries = _verified(problem, answer.points, warnings)
    timings.verify = time.perf_counter() - started
    if not entries:
        status = Status.infeasible if answer.infeasible else Status.no_solution
        return Result(status=status, termination=answer.termination, message=_why_empty(answer), **common)
    directions = senses(problem)
    vectors = [e.vector for e in entries]
    order = pareto.sort_order(vectors, directions)
    entries = [entries[i] for i in order]
    front = [ParetoPoint(objectives=e.vector, solution=solution(problem, e.servers), kpis=e.kpis) for e in entries]
    vectors = [e.vector for e in entries]
    reference = pareto.default_reference_point(vectors, directions)
    best = pareto.compromise(vectors, directions)
    report = _report(request.simulation or SimulationSpec(), answer, entries[best], replications)
    return Result(status=Status.feasible, termination=answer.termination, solution=front[best].solution,
                  verified=True, pareto_front=front, objectives=problem.criteria(),
                  hypervolume=pareto.hypervolume(vectors, reference, directions), reference_point=reference,
                  compromise=best, simulation=report, **common)


def _why_empty(answer: FrontAnswer) -> str:
    if answer.infeasible:
        return "even the largest allowed staffing misses a constraint"
    if answer.termination in (Termination.time_limit, Termination.cancelled):
        return f"stopped after {answer.evaluated} candidate(s) were simulated, before a front was confirmed"
    return f"none of the {answer.evaluated} simulated staffing(s) met the constraints"


def _verified(problem: StaffingProblem, entries: list[FrontEntry], warnings: list[str]) -> list[FrontEntry]:
    """Points whose counts pass the independent check and whose cost it confirms."""
    kept = []
    for entry in entries:
        check = evaluate(problem, solution(problem, entry.servers))
        costs = [v for name, v in zip(problem.criteria(), entry.vector, strict=True) if name == "cost"]
        if not check.feasible or check.objective is None or any(
                abs(c - check.objective) > COST_TOL * max(1.0, check.objective) for c in costs):
            warnings.append(f"dropped front point {entry.servers}: fails the independent check")
            continue
        kept.append(entry)
    return kept


def _report(spec: SimulationSpec, answer: FrontAnswer, chosen: FrontEntry, replications: int) -> SimulationReport:
    """The compromise point's statistics (every point's are in `pareto_front[i].kpis`)."""
    selection = SelectionReport(method=f"{METHOD}; {answer.generations} generation(s)", candidates=answer.evaluated,
                                indifference_zone=0.0, probability_correct_selection=0.0,
                                replications_total=replications)
    return SimulationReport(replications=chosen.replications, confidence=spec.confidence,
                            common_random_numbers=spec.common_random_numbers, objective_kpi="pareto front",
                            kpis=chosen.kpis, selection=selection)
