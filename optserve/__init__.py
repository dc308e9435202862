"""optserve: the Python client SDK (`from optserve import Client`) and the `optserve` CLI.

The wire models are re-exported from `models`, so callers build problems and read results with
types: `Client(url).solve(KnapsackProblem(...), time_limit=10)` returns a `Result`. The
scheduling family's job class is exported as `SchedulingJob`; `Job` is a background job.
"""

from models import (
    Assignment,
    Customer,
    ErrorBody,
    ErrorDetail,
    ErrorInfo,
    Facility,
    FacilityLocationProblem,
    FacilitySolution,
    KnapsackItem,
    KnapsackProblem,
    KnapsackSolution,
    MachineOption,
    Metric,
    Operation,
    ProblemKind,
    Result,
    ScheduledOperation,
    ScheduleSolution,
    SchedulingJob,
    SchedulingObjective,
    SchedulingProblem,
    SolveOptions,
    SolveRequest,
    SolverInfo,
    StaffingProblem,
    StaffingSolution,
    Status,
    Termination,
    Timings,
    TspProblem,
    TspSolution,
)
from models.catalog import ProblemDescription, SolverDescription, ValidationReport
from models.job import EventType, Job, JobEvent, JobPage, JobRequest, JobStatus, Progress
from optserve._retry import RetryPolicy
from optserve._version import __version__ as __version__
from optserve.client import AsyncClient, Client
from optserve.exceptions import (
    APIError,
    Conflict,
    JobCancelled,
    JobFailed,
    JobTimeout,
    NotFound,
    OptserveError,
    PayloadTooLarge,
    RateLimited,
    ServiceUnavailable,
    TransportError,
    Unauthorized,
    ValidationError,
)
from optserve.jobs import AsyncJobHandle, JobHandle

__all__ = [
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
