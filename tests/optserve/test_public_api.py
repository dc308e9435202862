"""The SDK's public surface and its import footprint."""

import subprocess
import sys

import optserve
from optserve import exceptions

PUBLIC = [
    "APIError", "Assignment", "AsyncClient", "AsyncJobHandle", "Client", "Conflict", "Customer",
    "ErrorBody", "ErrorDetail", "ErrorInfo", "EventType", "Facility", "FacilityLocationProblem",
    "FacilitySolution", "Job", "JobCancelled", "JobEvent", "JobFailed", "JobHandle", "JobPage",
    "JobRequest", "JobStatus", "JobTimeout", "KnapsackItem", "KnapsackProblem", "KnapsackSolution",
    "MachineOption", "Metric", "NotFound", "Operation", "OptserveError", "PayloadTooLarge",
    "ProblemDescription", "ProblemKind", "Progress", "RateLimited", "Result", "RetryPolicy",
    "ScheduleSolution", "ScheduledOperation", "SchedulingJob", "SchedulingObjective",
    "SchedulingProblem", "ServiceUnavailable", "SolveOptions", "SolveRequest", "SolverDescription",
    "SolverInfo", "StaffingProblem", "StaffingSolution", "Status", "Termination", "Timings",
    "TransportError", "TspProblem", "TspSolution", "Unauthorized", "ValidationError", "ValidationReport",
]


def test_public_names_are_pinned() -> None:
    assert optserve.__all__ == PUBLIC
    assert all(hasattr(optserve, name) for name in PUBLIC)


def test_the_exception_tree() -> None:
    api = [exceptions.ValidationError, exceptions.NotFound, exceptions.Conflict, exceptions.PayloadTooLarge,
           exceptions.RateLimited, exceptions.ServiceUnavailable, exceptions.Unauthorized]
    assert all(issubclass(cls, exceptions.APIError) for cls in api)
    others = [exceptions.APIError, exceptions.TransportError, exceptions.JobTimeout, exceptions.JobFailed]
    assert all(issubclass(cls, exceptions.OptserveError) for cls in others)
    assert issubclass(exceptions.JobCancelled, exceptions.JobFailed)
    assert optserve.Job.__module__ == "models.job" and optserve.SchedulingJob.__module__ == "models.scheduling"


def test_importing_the_sdk_loads_no_service_or_solver_code() -> None:
    code = ("import sys, optserve; heavy = {'app', 'solvers', 'highspy', 'ortools', 'pulp', 'pyomo', 'numpy', "
            "'scipy', 'fastapi'}; print(sorted(m for m in sys.modules if m.split('.')[0] in heavy))")
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert loaded.strip() == "[]"
