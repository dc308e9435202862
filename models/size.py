"""Size figures of a problem, used for limits, `auto` selection and reports."""

from models.facility import FacilityLocationProblem
from models.knapsack import KnapsackProblem
from models.problem import Problem
from models.scheduling import SchedulingProblem
from models.staffing import StaffingProblem
from models.tsp import TspProblem


def problem_size(problem: Problem) -> dict[str, int]:
    """Named counts describing how big the problem is."""
    if isinstance(problem, KnapsackProblem):
        return {"items": len(problem.items), "dimensions": problem.dimensions}
    if isinstance(problem, TspProblem):
        return {"nodes": problem.size}
    if isinstance(problem, FacilityLocationProblem):
        return {"facilities": len(problem.facilities), "customers": len(problem.customers)}
    if isinstance(problem, StaffingProblem):
        return {"stations": len(problem.stations)}
    assert isinstance(problem, SchedulingProblem)
    operations = sum(len(job.operations) for job in problem.jobs)
    return {"jobs": len(problem.jobs), "machines": len(problem.machines), "operations": operations}


TSP_CANDIDATES = 10
"""Candidate edges per node of a coordinate TSP (the solvers keep O(n k) memory, no matrix)."""


def _tsp_score(problem: TspProblem, n: int) -> int:
    """n x k for coordinates, n^2 for an explicit matrix (or extra cost matrices: stored n x n)."""
    if problem.distances is not None or problem.extra_costs:
        return n * n
    return n * TSP_CANDIDATES


def size_score(problem: Problem) -> int:
    """One number to compare against the server's size limit (variables, roughly)."""
    size = problem_size(problem)
    if isinstance(problem, TspProblem):
        return _tsp_score(problem, size["nodes"])
    if isinstance(problem, FacilityLocationProblem):
        return size["facilities"] * (size["customers"] + 1)
    if isinstance(problem, SchedulingProblem):
        return size["operations"] * size["machines"]
    if isinstance(problem, StaffingProblem):
        return size["stations"]
    return size["items"] * size["dimensions"]
