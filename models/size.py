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


def size_score(problem: Problem) -> int:
    """One number to compare against the server's size limit (variables, roughly)."""
    size = problem_size(problem)
    if isinstance(problem, TspProblem):
        return size["nodes"] * size["nodes"]
    if isinstance(problem, FacilityLocationProblem):
        return size["facilities"] * (size["customers"] + 1)
    if isinstance(problem, SchedulingProblem):
        return size["operations"] * size["machines"]
    if isinstance(problem, StaffingProblem):
        return size["stations"]
    return size["items"] * size["dimensions"]
