"""Admission for every endpoint that computes: one place for the size, time and slot limits.

`/solve`, `/validate`, `/jobs` (through `admit_request`) and `/evaluate` (and `/plots` pictures
that compute) call `check_limits` with the problem and the time they ask for: the server's size limit (413) and
the API key's largest time limit (422 naming `options.time_limit`; rejected rather than capped
so a caller learns its quota instead of silently getting a shorter solve; the server-wide
OPTSERVE_MAX_TIME_LIMIT still caps with a warning, as before keys existed). Synchronous work
(`/solve`, `/evaluate`) then runs inside `compute_slot`: at most OPTSERVE_MAX_CONCURRENT_SOLVES at
once, 429 with Retry-After when none frees up in time. Jobs wait in the queue instead, bounded by
OPTSERVE_MAX_QUEUED_JOBS and the key's concurrent-jobs quota (`create_job`: counted and inserted in
one transaction, so simultaneous submissions cannot overrun it).
"""

import math
import time
from collections.abc import Iterator
from contextlib import contextmanager

from app.auth.deps import Caller
from app.checks import check_semantics, check_size
from app.errors import ApiError
from app.jobs.store import JobStore, TooManyJobs
from app.services import Services
from models import SolveRequest
from models.errors import ErrorDetail
from models.job import Job, JobRequest
from models.problem import Problem

TIME_LOC = ["body", "options", "time_limit"]


def admit_request(request: SolveRequest, services: Services, caller: Caller) -> None:
    """A solve-like request (/solve, /validate, /jobs): semantic checks (422), then `check_limits`."""
    check_semantics(request)
    check_limits(request.problem, request.options.time_limit, services, caller)


def check_limits(problem: Problem, time_limit: float | None, services: Services, caller: Caller) -> None:
    """Raises 413 for a problem over the size limit, 422 for a time limit over the key's quota."""
    check_size(problem, services.settings)
    quota = caller.max_time_limit
    if time_limit is not None and quota is not None and time_limit > quota:
        message = f"time_limit {time_limit:g} s exceeds the {quota:g} s allowed for this API key"
        raise ApiError(422, "time_limit_over_quota", message, [ErrorDetail(loc=TIME_LOC, msg=message)])


def max_seconds(services: Services, caller: Caller) -> float:
    """The longest any computation of this caller may run: the server's cap and the key's."""
    quota = caller.max_time_limit
    return min(services.settings.max_time_limit, quota if quota is not None else math.inf)


@contextmanager
def compute_slot(services: Services, expected_seconds: float) -> Iterator[float]:
    """Holds one of the synchronous compute slots; yields the seconds spent waiting for it."""
    started = time.perf_counter()
    if not services.solve_slots.acquire(timeout=services.settings.solve_slot_wait):
        retry = str(max(1, int(min(expected_seconds, services.settings.max_time_limit))))
        raise ApiError(429, "busy", "all solve slots are busy; retry later or submit a job",
                       headers={"Retry-After": retry})
    try:
        yield time.perf_counter() - started
    finally:
        services.solve_slots.release()


def create_job(store: JobStore, job_id: str, request: JobRequest, caller: Caller) -> tuple[Job, bool]:
    """Stores the job; 429 when the key already has its quota of queued and running jobs.

    The store counts and inserts in one transaction that holds the key's lock, so two simultaneous
    submissions for the last place cannot both get it.
    """
    limit = caller.key.max_jobs if caller.key is not None else None
    try:
        return store.create(job_id, request, caller.owner, max_active=limit)
    except TooManyJobs as exc:
        raise ApiError(429, "too_many_jobs", f"key {caller.owner!r} has {exc.active} queued or running jobs (its "
                       f"limit is {limit}); wait for one to finish or cancel one",
                       headers={"Retry-After": "5"}) from None
