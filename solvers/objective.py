"""Objective facts every family answers the same way: its sense, and whether it is integral.

An integral objective lets the service round a proven bound (a lower bound of 425.3 on integer
tour lengths proves 426), which closes gaps honestly instead of reporting 0.0007 forever.
"""

import math

import numpy as np

from models import (
    MAXIMISED,
    FacilityLocationProblem,
    KnapsackProblem,
    ProblemKind,
    SchedulingObjective,
    SchedulingProblem,
    StaffingProblem,
    TspProblem,
)
from models.problem import Problem
from solvers.families.tsp.distance import geometry

ROUNDING_TOL = 1e-6


def is_maximised(problem: Problem) -> bool:
    return ProblemKind(problem.kind) in MAXIMISED


def objective_is_integral(problem: Problem) -> bool:
    """True when every feasible objective value is an integer."""
    if isinstance(problem, KnapsackProblem):
        return all(float(value).is_integer() for value in problem.criterion_values("value"))
    if isinstance(problem, TspProblem):
        shape = geometry(problem)
        if shape is not None:  # coordinates: TSPLIB metrics round every distance, `euclidean` does not
            return shape.integral
        matrix = np.asarray(problem.distances, dtype=np.float64)
        return bool(np.all(matrix == np.round(matrix)))
    if isinstance(problem, SchedulingProblem):
        if problem.objective is SchedulingObjective.makespan:
            return True
        return all(float(job.weight).is_integer() for job in problem.jobs)
    if isinstance(problem, StaffingProblem):
        return all(float(s.cost_per_server).is_integer() for s in problem.stations)
    if isinstance(problem, FacilityLocationProblem):
        return False
    return False


def tighten_bound(bound: float, maximise: bool, integral: bool) -> float:
    """Rounds a bound inward when objectives are integral (never past a tolerance of doubt)."""
    if not integral or not math.isfinite(bound):
        return bound
    if maximise:
        return float(math.floor(bound + ROUNDING_TOL))
    return float(math.ceil(bound - ROUNDING_TOL))


def bound_is_valid(objective: float, bound: float, maximise: bool, tol: float = 1e-6) -> bool:
    """A bound must not be better than a verified solution (beyond a tolerance)."""
    slack = tol * max(1.0, abs(objective))
    return bound >= objective - slack if maximise else bound <= objective + slack
