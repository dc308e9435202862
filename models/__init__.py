"""The wire contract of optserve: pure pydantic models, no solver imports."""

from models.errors import ErrorBody, ErrorDetail, ErrorInfo
from models.facility import Assignment, Customer, Facility, FacilityLocationProblem, FacilitySolution
from models.issues import Issue
from models.knapsack import KnapsackItem, KnapsackProblem, KnapsackSolution
from models.options import SolveOptions
from models.problem import (
    MAXIMISED,
    PROBLEM_MODELS,
    SOLUTION_MODELS,
    Problem,
    ProblemKind,
    Solution,
)
from models.request import SolveRequest, semantic_issues
from models.result import MemberReport, Result, SolverInfo, Status, Termination, Timings
from models.scheduling import (
    MachineOption,
    Operation,
    ScheduledOperation,
    ScheduleSolution,
    SchedulingJob,
    SchedulingObjective,
    SchedulingProblem,
)
from models.staffing import StaffingProblem, StaffingSolution
from models.tsp import Metric, TspProblem, TspSolution

__all__ = [
    "MAXIMISED", "PROBLEM_MODELS", "SOLUTION_MODELS", "Assignment", "Customer", "ErrorBody",
    "ErrorDetail", "ErrorInfo", "Facility", "FacilityLocationProblem", "FacilitySolution", "Issue",
    "KnapsackItem", "KnapsackProblem", "KnapsackSolution", "MachineOption", "MemberReport",
    "Metric", "Operation", "Problem", "ProblemKind", "Result", "ScheduleSolution", "ScheduledOperation",
    "SchedulingJob", "SchedulingObjective", "SchedulingProblem", "Solution", "SolveOptions", "SolveRequest",
    "SolverInfo", "StaffingProblem", "StaffingSolution", "Status", "Termination", "Timings", "TspProblem",
    "TspSolution", "semantic_issues",
]
