"""Every error the optserve SDK raises, in one tree (catch `OptserveError` for all of them).

Exception hierarchy:

* OptserveError
  + APIError - the server answered with an error body (status_code, body, code, message, details)
  |  + Unauthorized - 401: no API key, or an unknown or revoked one
  |  + ValidationError - 422: invalid request; `details` lists every problem with its JSON path
  |  + NotFound - 404: unknown job id, problem kind or path
  |  + Conflict - 409: idempotency key reused with a different body
  |  + PayloadTooLarge - 413: request body or problem over the server's limits
  |  + RateLimited - 429: queue or solve slots full; `retry_after` in seconds (or None)
  |  + ServiceUnavailable - 503: a dependency (database, broker, solver) is down
  + TransportError - no usable answer: connection refused, timeout, broken stream (wraps httpx's)
  + JobTimeout - `wait(timeout=...)` gave up; the job itself keeps running on the server
  + JobFailed - a job ended `failed`; carries the Job (its `error` says why)
     + JobCancelled - a job ended `cancelled` before it had any solution to return

Retries (429, 503, transport errors) happen before any of these is raised: an exception means
the retry budget of the client's `RetryPolicy` is spent or the error is not worth retrying.
"""

from __future__ import annotations

import email.utils
import math
import time
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import httpx

    from models.job import Job

__all__ = [
    "APIError", "Conflict", "JobCancelled", "JobFailed", "JobTimeout", "NotFound", "OptserveError",
    "PayloadTooLarge", "RateLimited", "ServiceUnavailable", "TransportError", "Unauthorized", "ValidationError",
    "error_from_response",
]


class OptserveError(Exception):
    """Base of every error this SDK raises."""


class APIError(OptserveError):
    """The server answered with an HTTP error and (normally) the standard error body."""

    def __init__(self, status_code: int, body: Any, *, retry_after: float | None = None) -> None:
        error = body.get("error") if isinstance(body, dict) else None
        error = error if isinstance(error, dict) else {}
        self.status_code = status_code
        self.body = body
        self.code: str | None = error.get("code")
        self.message: str = str(error.get("message", body))
        self.details: list[dict[str, Any]] = list(error.get("details") or [])
        self.retry_after = retry_after
        super().__init__(self._summary())

    def _summary(self) -> str:
        text = f"{self.status_code} {self.code or 'error'}: {self.message}"
        located = [f"{'.'.join(map(str, d.get('loc', [])))}: {d.get('msg', '')}" for d in self.details[:5]]
        more = f" (+{len(self.details) - 5} more)" if len(self.details) > 5 else ""
        return text + ("".join(f"\n  {line}" for line in located) + more if located else "")


class Unauthorized(APIError):
    """401: the service needs an API key (`api_key=` or OPTSERVE_API_KEY) and got none or a bad one."""


class ValidationError(APIError):
    """422: the request is invalid; `details` holds every problem as {loc, msg}."""


class NotFound(APIError):
    """404: no such job, problem kind or path."""


class Conflict(APIError):
    """409: the idempotency key was already used with another body."""


class PayloadTooLarge(APIError):
    """413: the body or the problem exceeds the server's limits."""


class RateLimited(APIError):
    """429: the server is busy; `retry_after` says when to come back (seconds, or None)."""


class ServiceUnavailable(APIError):
    """503: a dependency is down, or the requested solver cannot run on this server."""


class TransportError(OptserveError):
    """The request got no usable answer (connection, timeout, protocol); `__cause__` is httpx's error."""


class JobTimeout(OptserveError):
    """Waiting for a job took longer than asked; the job is still running on the server."""

    def __init__(self, job: Job, timeout: float) -> None:
        super().__init__(f"job {job.id} still {job.status.value} after {timeout:g} s")
        self.job = job
        self.timeout = timeout


class JobFailed(OptserveError):
    """A job ended without a usable result; `job.error` says why."""

    def __init__(self, job: Job) -> None:
        why = f"{job.error.code}: {job.error.message}" if job.error else "no error reported"
        super().__init__(f"job {job.id} ended {job.status.value}: {why}")
        self.job = job


class JobCancelled(JobFailed):
    """A job was cancelled before it found any solution (cancelled jobs with one return it)."""


STATUS_ERRORS: dict[int, type[APIError]] = {
    401: Unauthorized,
    422: ValidationError,
    404: NotFound,
    409: Conflict,
    413: PayloadTooLarge,
    429: RateLimited,
    503: ServiceUnavailable,
}


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP date), or None."""
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        pass
    else:
        return max(0.0, seconds) if math.isfinite(seconds) else None
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


def error_from_response(response: httpx.Response) -> APIError:
    """The exception matching an error response (status code first, body second)."""
    try:
        body: Any = response.json()
    except ValueError:
        body = {"error": {"code": None, "message": response.text[:500] or response.reason_phrase}}
    cls = STATUS_ERRORS.get(response.status_code, APIError)
    return cls(response.status_code, body, retry_after=parse_retry_after(response.headers.get("retry-after")))
