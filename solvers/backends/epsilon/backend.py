"""Exact bi-objective fronts by the epsilon-constraint method, with HiGHS through highspy arrays.

Supported (`solvers.backends.epsilon.scope.why_not` says why a request is not; selection checks the same):
- knapsack with exactly two criteria, at least one with integer values on every item. The
  integral criterion e is constrained, the other, o, optimised:
  1. lexicographic extreme: maximise o; then, with o held at its optimum, maximise e -> a point;
  2. require e >= e(last point) + 1 (integral, so nothing between is skipped) and repeat 1;
  3. when the model becomes infeasible, every non-dominated vector has been found, one solution each.
- facility location with the criteria `cost` and `max_distance`: see `solvers/backends/epsilon/facility.py`.

Every MIP is solved to proven optimality. Status `optimal` means the front is complete; a time
limit leaves the points found so far and status `feasible` (the service filters any point that
an interrupted MIP left dominated). Imported only in a solve worker.
"""

import time

import numpy as np

from models import Status, Termination
from models.problem import Problem
from solvers.backends.epsilon.facility import FacilityPlan, sweep_facility
from solvers.backends.epsilon.highs import ExactMip, Sweep
from solvers.backends.epsilon.model import BiObjective, plan
from solvers.contract import RawResult, SolveContext

NAME = "epsilon"


def solve(problem: Problem, context: SolveContext) -> RawResult:
    """The backend entry point (see `solvers.contract.SolveFunction`)."""
    began = time.monotonic()
    found = plan(problem)
    if isinstance(found, str):
        return RawResult(status=Status.error, termination=Termination.error, native_status="unsupported",
                         log=found)
    sweep = Sweep()
    build = 0.0
    if isinstance(found, FacilityPlan):
        model = ExactMip(found.mip, context)
        build = time.monotonic() - began
        sweep_facility(found, model, context, sweep)
    else:
        model = ExactMip(found.mip, context)
        floors = [model.add_row(c) for c in found.coefficients]
        build = time.monotonic() - began
        _sweep_knapsack(found, model, floors, context, sweep)
    status = Status.optimal if sweep.complete else (Status.feasible if sweep.points else Status.no_solution)
    return RawResult(status=status, termination=sweep.termination, front=sweep.points or None,
                     solution=sweep.points[0].solution if sweep.points else None,
                     native_status=f"{len(sweep.points)} point(s), {sweep.solves} MIP(s); {sweep.native}",
                     build_time=build, solve_time=time.monotonic() - began - build)


def _sweep_knapsack(bi: BiObjective, model: ExactMip, floors: list[int], context: SolveContext,
                    sweep: Sweep) -> None:
    o, e = bi.optimised, bi.constrained
    while not sweep.out_of_time(context):
        model.set_objective(bi.coefficients[o])
        first = model.solve(context.remaining(), bi.integral[o])
        sweep.solves += 1
        if first.state == "infeasible":
            sweep.complete, sweep.native = True, "front complete"
            return
        if first.state != "optimal" or first.x is None:
            if first.x is not None:
                sweep.add(bi.point(np.round(first.x)), context)  # not proven non-dominated: the service filters
            sweep.stopped(first)
            return
        x = np.round(first.x)
        model.set_row_lower(floors[o], bi.value(o, x) - bi.slack(o))
        model.set_objective(bi.coefficients[e])
        second = model.solve(context.remaining(), bi.integral[e], start=x)
        sweep.solves += 1
        model.set_row_lower(floors[o], -np.inf)
        if second.state != "optimal" or second.x is None:
            sweep.add(bi.point(x if second.x is None else np.round(second.x)), context)
            sweep.stopped(second)
            return
        x = np.round(second.x)
        sweep.add(bi.point(x), context)
        model.set_row_lower(floors[e], bi.value(e, x) + bi.step(e))
