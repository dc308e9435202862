"""Asynchronous jobs: submission, life cycle, progress and events (DESIGN.md section 3, Job)."""

from datetime import datetime
from enum import Enum
from typing import Any

from pydantic import Field

from models._base import ContractModel
from models.errors import ErrorInfo
from models.request import SolveRequest
from models.result import Result


class JobStatus(str, Enum):
    """Where a job is in its life."""

    queued = "queued"
    running = "running"
    succeeded = "succeeded"
    failed = "failed"
    cancelled = "cancelled"

    @property
    def finished(self) -> bool:
        return self in {JobStatus.succeeded, JobStatus.failed, JobStatus.cancelled}


class JobRequest(SolveRequest):
    """A solve request submitted to run in the background."""

    idempotency_key: str | None = Field(
        default=None, min_length=1, max_length=200,
        description="Same key and same body return the same job; same key with another body is a 409.",
    )


class Progress(ContractModel):
    """What is known while the job runs."""

    elapsed: float = Field(default=0.0, description="Seconds since the job started running.")
    incumbent: float | None = Field(default=None, description="Objective of the best solution so far.")
    bound: float | None = Field(default=None, description="Best proven bound so far.")


class Job(ContractModel):
    """A submitted solve and its state; `result` is set once it has finished."""

    id: str = Field(description="Job id.")
    status: JobStatus = Field(description="queued | running | succeeded | failed | cancelled.")
    created_at: datetime = Field(description="When the job was accepted (UTC).")
    started_at: datetime | None = Field(default=None, description="When it started running.")
    finished_at: datetime | None = Field(default=None, description="When it finished.")
    progress: Progress = Field(default_factory=Progress, description="Latest progress.")
    result: Result | None = Field(default=None, description="The Result, once finished (also when cancelled).")
    error: ErrorInfo | None = Field(default=None, description="Why the job failed.")
    attempts: int = Field(default=0, description="How many times a worker started it.")
    idempotency_key: str | None = Field(default=None, description="The key it was submitted with.")
    kind: str = Field(description="Problem family.")
    solver: str = Field(description="Requested solver.")


class JobPage(ContractModel):
    """One page of GET /jobs, newest first."""

    items: list[Job] = Field(description="Jobs on this page (without their results' solutions).")
    total: int = Field(description="Jobs matching the filter.")
    limit: int = Field(description="Page size.")
    offset: int = Field(description="Position of the first item.")


class EventType(str, Enum):
    """What a server-sent event on GET /jobs/{id}/events reports."""

    status = "status"
    progress = "progress"
    incumbent = "incumbent"


class JobEvent(ContractModel):
    """One event: its sequence number (the SSE `id`), type and data."""

    seq: int = Field(description="Increasing per job; resume with the Last-Event-ID header.")
    type: EventType = Field(description="status | progress | incumbent.")
    data: dict[str, Any] = Field(description="status: {status}; progress/incumbent: Progress fields.")
