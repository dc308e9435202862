"""Turns a backend's claim into an honest Result: verified objective, sane bound, one gap formula.

Nothing a backend says is passed on unchecked: the evaluator recomputes feasibility and the
objective, a bound on the wrong side of a verified solution is discarded with a warning, and
`optimal` is granted only when the gap is closed.
"""

import time
from dataclasses import dataclass, field

from models import Result, SolveOptions, SolverInfo, Status, Termination, Timings
from models.multiobjective import ParetoPoint
from models.problem import Problem, is_multi_objective
from models.simulation import SimulationReport
from solvers import pareto
from solvers.contract import FrontPoint, RawResult
from solvers.evaluators import evaluate
from solvers.evaluators.vector import remeasured_vector, senses
from solvers.gap import gap_within, relative_gap
from solvers.objective import bound_is_valid, is_maximised, objective_is_integral, tighten_bound

OBJECTIVE_TOL = 1e-5
"""Relative disagreement tolerated between the solver's objective and the recomputed one."""

NO_SOLUTION_STATUSES = {Status.infeasible, Status.unbounded, Status.no_solution, Status.error}


@dataclass
class Verdict:
    """Everything `finalize` decides, before it is packed into a Result."""

    status: Status
    termination: Termination
    warnings: list[str] = field(default_factory=list)
    message: str | None = None


def finalize(
    problem: Problem, options: SolveOptions, raw: RawResult, solver: SolverInfo, timings: Timings,
    warnings: list[str],
) -> Result:
    """The Result for `raw`; `timings.verify` is filled in here."""
    common = {"solver": solver, "seed": options.seed, "timings": timings, "members": raw.members,
              "simulation": raw.simulation}
    warnings = [*warnings, *raw.warnings]
    if is_multi_objective(problem) and (raw.front or raw.solution is not None):
        return _finalize_front(problem, raw, timings, warnings, common)
    if raw.solution is None:
        status = raw.status if raw.status in NO_SOLUTION_STATUSES else Status.error
        message = raw.log or raw.native_status or None
        return Result(status=status, termination=raw.termination, bound=raw.bound,
                      bound_source=raw.bound_source if raw.bound is not None else None,
                      bound_by=raw.bound_by if raw.bound is not None or status is Status.infeasible else None,
                      warnings=warnings, message=message, **common)
    started = time.perf_counter()
    check = evaluate(problem, raw.solution)
    timings.verify = time.perf_counter() - started
    if not check.feasible or check.objective is None:
        return Result(status=Status.error, termination=Termination.error, warnings=warnings,
                      message="the solver returned a solution that fails the independent check: "
                      + "; ".join(check.violations[:10]), **common)
    objective = check.objective
    if raw.objective is not None and abs(raw.objective - objective) > OBJECTIVE_TOL * max(1.0, abs(objective)):
        return Result(status=Status.error, termination=Termination.error, warnings=warnings,
                      message=f"objective mismatch: solver says {raw.objective}, recomputed {objective}", **common)
    bound = _sane_bound(problem, objective, raw.bound, warnings)
    gap = relative_gap(objective, bound)
    verdict = _verdict(raw, gap, options)
    if raw.status is Status.optimal and verdict.status is not Status.optimal:
        warnings.append("the solver reported `optimal` but its bound does not prove it; reported `feasible`")
    return Result(status=verdict.status, termination=verdict.termination, objective=objective, bound=bound,
                  gap=gap, bound_source=raw.bound_source if bound is not None else None, solution=raw.solution,
                  verified=True, found_by=raw.found_by, bound_by=raw.bound_by if bound is not None else None,
                  warnings=warnings, **common)


def _sane_bound(problem: Problem, objective: float, bound: float | None, warnings: list[str]) -> float | None:
    if bound is None:
        return None
    maximise = is_maximised(problem)
    tightened = tighten_bound(bound, maximise, objective_is_integral(problem))
    if not bound_is_valid(objective, tightened, maximise):
        warnings.append(f"the solver's bound {bound} contradicts the verified objective {objective}; discarded")
        return None
    # A bound within tolerance past the objective is the objective itself.
    return min(tightened, objective) if not maximise else max(tightened, objective)


def _verdict(raw: RawResult, gap: float | None, options: SolveOptions) -> Verdict:
    proven = gap_within(gap)
    status = Status.optimal if proven else Status.feasible
    termination = raw.termination
    within_target = gap_within(gap, options.relative_gap)
    if not proven and termination is Termination.completed and within_target:
        termination = Termination.gap_limit
    return Verdict(status, termination)


def _finalize_front(problem: Problem, raw: RawResult, timings: Timings, warnings: list[str],
                    common: dict[str, object]) -> Result:
    """Multi-objective: every point verified and re-measured, dominated and duplicate points removed.

    A backend killed at the deadline leaves only its last incumbent: it becomes a one-point front.
    `optimal` survives only when the backend proved its front complete and every point passed.
    """
    started = time.perf_counter()
    claimed = raw.front or ([FrontPoint(objectives=[], solution=raw.solution)] if raw.solution else [])
    points, vectors, dropped = _verified_points(problem, claimed, warnings)
    timings.verify = time.perf_counter() - started
    if not points:
        return Result(status=Status.error, termination=Termination.error, warnings=warnings,
                      message=f"none of the {len(claimed)} point(s) the solver returned passes the independent "
                      "check: " + "; ".join(dropped[:5]), **common)
    directions = senses(problem)
    keep = pareto.non_dominated(vectors, directions)
    keep = [keep[k] for k in pareto.sort_order([vectors[i] for i in keep], directions)]
    front = [ParetoPoint(objectives=vectors[i], solution=points[i].solution, kpis=points[i].kpis) for i in keep]
    front_vectors = [p.objectives for p in front]
    reference = pareto.default_reference_point(front_vectors, directions)
    best = pareto.compromise(front_vectors, directions)
    proven = raw.status is Status.optimal and not dropped
    common = {**common, "simulation": _compromise_report(raw, front[best])}
    return Result(
        status=Status.optimal if proven else Status.feasible, termination=raw.termination,
        solution=front[best].solution, verified=True, pareto_front=front, objectives=problem.criteria(),
        hypervolume=pareto.hypervolume(front_vectors, reference, directions), reference_point=reference,
        compromise=best, warnings=warnings, **common,
    )


def _verified_points(problem: Problem, claimed: list[FrontPoint],
                     warnings: list[str]) -> tuple[list[FrontPoint], list[list[float]], list[str]]:
    """The feasible points with recomputed vectors, and the reasons points were dropped."""
    points: list[FrontPoint] = []
    vectors: list[list[float]] = []
    dropped: list[str] = []
    mismatched = 0
    for point in claimed:
        check = evaluate(problem, point.solution)
        if not check.feasible:
            dropped.append("; ".join(check.violations[:3]))
            continue
        vector = remeasured_vector(problem, point.solution, point.objectives)
        if vector is None:
            dropped.append("a simulated criterion has no claimed value")
            continue
        if point.objectives and not _agrees(point.objectives, vector):
            mismatched += 1
        points.append(point)
        vectors.append(vector)
    if dropped:
        warnings.append(f"dropped {len(dropped)} of {len(claimed)} front point(s) that fail the independent "
                        f"check, e.g.: {dropped[0]}")
    if mismatched:
        warnings.append(f"{mismatched} front point(s) had objective values that disagree with the recomputed "
                        "ones; the recomputed values are reported")
    return points, vectors, dropped


def _agrees(claimed: list[float], recomputed: list[float]) -> bool:
    return len(claimed) == len(recomputed) and all(
        abs(a - b) <= OBJECTIVE_TOL * max(1.0, abs(b)) for a, b in zip(claimed, recomputed, strict=True))


def _compromise_report(raw: RawResult, point: ParetoPoint) -> SimulationReport | None:
    """A simulated front's report describes its compromise point (every point keeps its own `kpis`)."""
    if raw.simulation is None or not point.kpis:
        return raw.simulation
    replications = min(stat.n for stat in point.kpis.values())
    return raw.simulation.model_copy(update={"kpis": point.kpis, "replications": replications})
