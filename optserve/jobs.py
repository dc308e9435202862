"""Handles on submitted jobs: follow one (refresh, wait, events) and cancel it.

`wait` polls `GET /jobs/{id}`, starting fast (tiny solves finish in a fraction of a second)
and backing off to `poll` seconds between checks. It returns the Result of a job that
succeeded, or of a cancelled job that kept a best solution; it raises `JobFailed` for a failed
job, `JobCancelled` for one cancelled before any solution, `JobTimeout` when `timeout` passes.
"""

import time
from collections.abc import AsyncIterator, Iterator
from typing import Protocol

import anyio

from models import Result
from models.job import Job, JobEvent, JobStatus
from optserve.exceptions import JobCancelled, JobFailed, JobTimeout

FIRST_POLL = 0.05
"""Seconds before the first status check; each next wait doubles, up to `poll`."""


class _SyncJobs(Protocol):
    def get_job(self, job_id: str) -> Job: ...
    def cancel_job(self, job_id: str) -> Job: ...
    def job_events(self, job_id: str, last_event_id: int | None = None) -> Iterator[JobEvent]: ...


class _AsyncJobs(Protocol):
    async def get_job(self, job_id: str) -> Job: ...
    async def cancel_job(self, job_id: str) -> Job: ...
    def job_events(self, job_id: str, last_event_id: int | None = None) -> AsyncIterator[JobEvent]: ...


def outcome(job: Job) -> Result:
    """The Result of a finished job, or the exception saying why there is none."""
    if job.status is JobStatus.succeeded and job.result is not None:
        return job.result
    if job.status is JobStatus.cancelled:
        if job.result is not None and job.result.solution is not None:
            return job.result
        raise JobCancelled(job)
    raise JobFailed(job)


class _Polling:
    """The waiting schedule of one `wait` call: growing intervals, an optional deadline."""

    def __init__(self, timeout: float | None, poll: float) -> None:
        if poll <= 0:
            raise ValueError("poll must be positive")
        self.timeout = timeout
        self.deadline = None if timeout is None else time.monotonic() + timeout
        self.interval = min(FIRST_POLL, poll)
        self.poll = poll

    def next_sleep(self, job: Job) -> float:
        """Seconds to sleep before the next check; raises JobTimeout once the deadline passed."""
        sleep = self.interval
        self.interval = min(self.interval * 2, self.poll)
        if self.deadline is None or self.timeout is None:
            return sleep
        remaining = self.deadline - time.monotonic()
        if remaining <= 0:
            raise JobTimeout(job, self.timeout)
        return min(sleep, remaining)


class _Handle:
    """What both handles share: the last seen job and its identity."""

    def __init__(self, job: Job) -> None:
        self.job = job

    @property
    def id(self) -> str:
        return self.job.id

    @property
    def status(self) -> JobStatus:
        return self.job.status

    def __repr__(self) -> str:
        return f"{type(self).__name__}(id={self.id!r}, status={self.status.value!r})"


class JobHandle(_Handle):
    """A submitted job: `id`, the last seen `job`, and ways to follow or cancel it."""

    def __init__(self, client: _SyncJobs, job: Job) -> None:
        super().__init__(job)
        self._client = client

    def refresh(self) -> Job:
        """Fetches the job's current state."""
        self.job = self._client.get_job(self.id)
        return self.job

    def wait(self, timeout: float | None = None, poll: float = 1.0) -> Result:
        """Blocks until the job finishes and returns its Result (see the module docstring)."""
        polling = _Polling(timeout, poll)
        while not self.job.status.finished:
            time.sleep(polling.next_sleep(self.job))
            self.refresh()
        return outcome(self.job)

    def cancel(self) -> Job:
        """Asks the server to stop the job; it ends `cancelled`, keeping its best solution."""
        self.job = self._client.cancel_job(self.id)
        return self.job

    def events(self, last_event_id: int | None = None) -> Iterator[JobEvent]:
        """Status, progress and incumbent events until the job finishes (resumes after drops)."""
        return self._client.job_events(self.id, last_event_id)


class AsyncJobHandle(_Handle):
    """The asynchronous twin of JobHandle, from AsyncClient.submit."""

    def __init__(self, client: _AsyncJobs, job: Job) -> None:
        super().__init__(job)
        self._client = client

    async def refresh(self) -> Job:
        self.job = await self._client.get_job(self.id)
        return self.job

    async def wait(self, timeout: float | None = None, poll: float = 1.0) -> Result:
        polling = _Polling(timeout, poll)
        while not self.job.status.finished:
            await anyio.sleep(polling.next_sleep(self.job))
            await self.refresh()
        return outcome(self.job)

    async def cancel(self) -> Job:
        self.job = await self._client.cancel_job(self.id)
        return self.job

    def events(self, last_event_id: int | None = None) -> AsyncIterator[JobEvent]:
        return self._client.job_events(self.id, last_event_id)
