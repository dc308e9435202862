"""Asynchronous jobs: submit (202), list, get, cancel, delete, and a server-sent event stream.

With API keys, a key sees only its own jobs (another key's job id is a 404, like an unknown one);
admin keys see all. Idempotency keys are scoped per API key.
"""

import json
import uuid
from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, Response
from fastapi.responses import StreamingResponse
from starlette.concurrency import run_in_threadpool

from app.admission import admit_request, create_job
from app.auth.deps import Caller, CallerDep
from app.deps import ServicesDep
from app.errors import ApiError, from_selection
from app.jobs.events import EventHub
from app.jobs.store import IdempotencyConflict, JobActive, JobStore
from app.observability.metrics import metrics
from models import ErrorBody
from models.job import Job, JobEvent, JobPage, JobRequest, JobStatus
from solvers.selection import SelectionError, select

router = APIRouter(tags=["jobs"])

MAX_EVENT_ID = 2**62
KEEPALIVE_SECONDS = 10.0
MAX_OFFSET = 1_000_000_000
"""Deeper pages are refused (422) rather than handed to the database as an out-of-range integer."""
NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorBody, "description": "No job with that id (or it belongs to another API key)."}}
DELETE_ERRORS: dict[int | str, dict[str, Any]] = {
    **NOT_FOUND, 409: {"model": ErrorBody, "description": "The job is still queued or running: cancel it first."}}
EVENT_STREAM: dict[str, Any] = {
    "description": "A `text/event-stream`: `id: <seq>`, `event: status|progress|incumbent`, `data: <JSON>`; "
                   "resume with `Last-Event-ID`.",
    "content": {"text/event-stream": {"schema": {"type": "string"},
                                      "example": 'id: 3\nevent: incumbent\ndata: {"objective": 90.0}\n\n'}},
}
SUBMIT_ERRORS: dict[int | str, dict[str, Any]] = {
    409: {"model": ErrorBody, "description": "Idempotency key reused with a different body."},
    413: {"model": ErrorBody, "description": "Problem or body too large."},
    422: {"model": ErrorBody, "description": "Invalid request: every problem with its JSON path."},
    429: {"model": ErrorBody, "description": "Queue full, or the API key is over its concurrent jobs or requests "
          "per minute; retry after `Retry-After` seconds."},
    503: {"model": ErrorBody, "description": "Database or broker unavailable."},
}


@router.post("/jobs", response_model=Job, status_code=202, operation_id="submit_job",
             responses={200: {"model": Job, "description": "Existing job (same idempotency key and body)."},
                        **SUBMIT_ERRORS})
async def submit_job(request: JobRequest, services: ServicesDep, caller: CallerDep, response: Response,
                     idempotency_key: Annotated[str | None, Header()] = None) -> Job:
    """Stores the job (committed before the answer), queues it, and answers 202 with its id."""
    admit_request(request, services, caller)
    try:
        select(services.registry, request)
    except SelectionError as exc:
        raise from_selection(exc) from None
    if idempotency_key and request.idempotency_key is None:
        request = request.model_copy(update={"idempotency_key": idempotency_key})
    job, created = await run_in_threadpool(_create, services.store, request, services.settings.max_queued_jobs,
                                           caller)
    if created:
        services.executor.submit(job.id)
    else:
        response.status_code = 200
    response.headers["Location"] = f"/jobs/{job.id}"
    return job


def _create(store: JobStore, request: JobRequest, max_queued: int, caller: Caller) -> tuple[Job, bool]:
    try:
        existing = store.replay(request, caller.owner)  # a retried submission is no new job: no quota applies
        if existing is not None:
            return existing, False
        if store.count(JobStatus.queued) >= max_queued:
            raise ApiError(429, "queue_full", f"{max_queued} jobs are already queued; retry later",
                           headers={"Retry-After": "5"})
        return create_job(store, uuid.uuid4().hex, request, caller)
    except IdempotencyConflict:
        raise ApiError(409, "idempotency_conflict", "this idempotency_key was used with a different request",
                       []) from None


@router.get("/jobs", response_model=JobPage, operation_id="list_jobs")
async def list_jobs(services: ServicesDep, caller: CallerDep, status: JobStatus | None = None,
                    limit: Annotated[int, Query(ge=1, le=500)] = 50,
                    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0) -> JobPage:
    """Jobs, newest first, optionally filtered by status (solutions left out; get one job for it)."""
    return await run_in_threadpool(services.store.page, status, limit, offset, caller.scope)


@router.get("/jobs/{job_id}", response_model=Job, operation_id="get_job", responses=NOT_FOUND)
async def get_job(job_id: str, services: ServicesDep, caller: CallerDep) -> Job:
    """One job: status, progress (elapsed, incumbent, bound) and, once finished, the result."""
    return _found(await run_in_threadpool(services.store.get, job_id, caller.scope), job_id)


@router.post("/jobs/{job_id}/cancel", response_model=Job, operation_id="cancel_job", responses=NOT_FOUND)
async def cancel_job(job_id: str, services: ServicesDep, caller: CallerDep) -> Job:
    """Cancels: a queued job ends now; a running one stops within about a second, keeping its best solution.

    Cancelling a finished job changes nothing and answers it as it is.
    """
    return _found(await run_in_threadpool(services.store.request_cancel, job_id, caller.scope), job_id)


@router.delete("/jobs/{job_id}", status_code=204, response_class=Response, operation_id="delete_job",
               responses=DELETE_ERRORS)
async def delete_job(job_id: str, services: ServicesDep, caller: CallerDep) -> Response:
    """Removes a finished job and its events (204); afterwards the id answers 404. Cancel a running job first."""
    try:
        deleted = await run_in_threadpool(services.store.delete, job_id, caller.scope)
    except JobActive:
        raise ApiError(409, "job_active", f"job {job_id!r} is still queued or running; cancel it first "
                       f"(POST /jobs/{job_id}/cancel), then delete it") from None
    if not deleted:
        raise ApiError(404, "not_found", f"no job {job_id!r}")
    return Response(status_code=204)


@router.get("/jobs/{job_id}/events", operation_id="job_events", response_class=StreamingResponse,
            responses={200: EVENT_STREAM, **NOT_FOUND})
async def job_events(job_id: str, services: ServicesDep, caller: CallerDep,
                     last_event_id: Annotated[str | None, Header()] = None) -> StreamingResponse:
    """Server-sent events: `status`, `progress`, `incumbent`; the stream ends when the job does."""
    _found(await run_in_threadpool(services.store.get, job_id, caller.scope), job_id)
    after = min(int(last_event_id), MAX_EVENT_ID) if last_event_id and last_event_id.isdigit() else 0
    return StreamingResponse(_stream(services.events, job_id, after), media_type="text/event-stream",
                             headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})


async def _stream(hub: EventHub, job_id: str, after: int) -> AsyncIterator[str]:
    """Relays the hub's events (no polling here: the hub reads the database once per notification)."""
    streamed = metrics().events
    async for event in hub.subscribe(job_id, after, idle=KEEPALIVE_SECONDS):
        if event is None:
            yield ": keep-alive\n\n"
        else:
            streamed.inc()
            yield format_event(event)


def format_event(event: JobEvent) -> str:
    return f"id: {event.seq}\nevent: {event.type.value}\ndata: {json.dumps(event.data)}\n\n"


def _found(job: Job | None, job_id: str) -> Job:
    if job is None:
        raise ApiError(404, "not_found", f"no job {job_id!r}")
    return job
