"""Runs one job: claim it, solve with live progress and cancellation, store the outcome.

The same function serves the embedded thread pool and the Celery workers, so a job behaves the
same on a laptop and on a cluster.
"""

import logging
import time
from dataclasses import dataclass

from app.jobs.store import JobStore
from models import Result, Status, Termination
from models.errors import ErrorInfo
from models.job import EventType, JobStatus, Progress
from solvers import dispatch
from solvers.contract import Incumbent
from solvers.registry import Registry
from solvers.runtime.pool import WorkerPool
from solvers.selection import SelectionError

log = logging.getLogger(__name__)

CANCEL_POLL_SECONDS = 0.25
"""How often a running job reads its cancel flag (and beats its heartbeat)."""
PROGRESS_MIN_INTERVAL = 0.2
"""Progress events are throttled; improved incumbents are always written."""


@dataclass
class JobContext:
    """What `execute` needs besides the job id."""

    store: JobStore
    registry: Registry
    limits: dispatch.DispatchLimits
    worker: str
    pool: WorkerPool | None = None


def execute(job_id: str, ctx: JobContext) -> JobStatus | None:
    """Runs the job if it is still queued; returns its final status, or None if not claimed."""
    request = ctx.store.claim(job_id, ctx.worker)
    if request is None:
        return None
    job = ctx.store.get(job_id)
    queued = (job.started_at - job.created_at).total_seconds() if job and job.started_at else 0.0
    watcher = _Watcher(job_id, ctx)
    try:
        result = dispatch.solve(request, ctx.registry, ctx.limits, progress=watcher.progress,
                                cancelled=watcher.cancelled, queued=queued, pool=ctx.pool)
    except SelectionError as exc:
        ctx.store.finish(job_id, JobStatus.failed, None, ErrorInfo(code=exc.code, message=exc.message))
        return JobStatus.failed
    status = final_status(result)
    error = ErrorInfo(code="solve_error", message=result.message or "the solve failed") \
        if status is JobStatus.failed else None
    ctx.store.finish(job_id, status, result, error)
    return status


def final_status(result: Result) -> JobStatus:
    if result.termination is Termination.cancelled:
        return JobStatus.cancelled
    if result.status is Status.error:
        return JobStatus.failed
    return JobStatus.succeeded


class _Watcher:
    """Relays incumbents to the store and reads the cancel flag, both throttled."""

    def __init__(self, job_id: str, ctx: JobContext) -> None:
        self.job_id, self.ctx = job_id, ctx
        self.started = time.monotonic()
        self.last_poll = 0.0
        self.flag = False
        self.best: float | None = None

    def cancelled(self) -> bool:
        if time.monotonic() - self.last_poll >= CANCEL_POLL_SECONDS:
            self.last_poll = time.monotonic()
            try:
                self.flag = self.ctx.store.cancel_requested(self.job_id, self.ctx.worker)
            except Exception:  # a database hiccup must not kill a running solve
                log.exception("could not read the cancel flag of job %s", self.job_id)
        return self.flag

    def progress(self, incumbent: Incumbent) -> None:
        improved = incumbent.objective is not None and incumbent.objective != self.best
        if improved:
            self.best = incumbent.objective
        progress = Progress(elapsed=time.monotonic() - self.started, incumbent=self.best, bound=incumbent.bound)
        try:
            self.ctx.store.record_progress(self.job_id, progress,
                                           EventType.incumbent if improved else EventType.progress)
        except Exception:
            log.exception("could not record progress of job %s", self.job_id)
