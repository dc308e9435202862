"""What the sync and async clients share: configuration, request bodies, retry decisions.

Everything here is free of I/O, so `Client` and `AsyncClient` differ only in how they send,
sleep and iterate. Bodies given as dicts are sent as they are (the server validates them and
answers 422 with every problem located); models are serialised with their JSON mode.
"""

import os
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx
from pydantic import BaseModel

from models import SolveOptions, SolveRequest
from models.job import JobStatus
from optserve._retry import RetryPolicy, coerce_policy, retryable_status, retryable_transport
from optserve.exceptions import APIError

DEFAULT_BASE_URL = "http://127.0.0.1:8000"
DEFAULT_TIMEOUT = 30.0
DEFAULT_TIMEOUT_MARGIN = 30.0
"""Seconds a /solve's read timeout allows beyond the solve's own time limit (queueing, kill grace)."""
IDEMPOTENCY_HEADER = "Idempotency-Key"
API_KEY_ENV = "OPTSERVE_API_KEY"
"""Where `Client`/`AsyncClient` (and the CLI) find the API key when none is passed."""
DEFAULT_TIME_LIMIT = float(SolveOptions.model_fields["time_limit"].default)


@dataclass(frozen=True)
class Call:
    """One API call as data: what to send and whether resending it is harmless."""

    method: str
    path: str
    json: Any = None
    params: Mapping[str, Any] | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    timeout: httpx.Timeout | None = None
    idempotent: bool = True


def jsonable(value: Any) -> Any:
    """A pydantic model as JSON data (None fields dropped); anything else unchanged."""
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json", exclude_none=True)
    return value


def request_body(problem: Any, solver: str, options: Mapping[str, Any]) -> dict[str, Any]:
    """The body of POST /solve, /validate or /jobs from a problem (dict or model) and options."""
    if isinstance(problem, SolveRequest):
        raise TypeError("pass a whole SolveRequest to solve_request / validate_request / submit_request")
    return {"problem": jsonable(problem), "solver": solver,
            "options": {name: jsonable(value) for name, value in options.items()}}


def time_limit_of(body: Mapping[str, Any]) -> float:
    """The body's time limit, or the default when it is missing or not a number (the server will say)."""
    options = body.get("options")
    value = options.get("time_limit") if isinstance(options, Mapping) else None
    if isinstance(value, int | float) and not isinstance(value, bool) and value > 0:
        return float(value)
    return DEFAULT_TIME_LIMIT


def auth_headers(headers: Mapping[str, str] | None, api_key: str | None) -> dict[str, str]:
    """`headers` plus `Authorization: Bearer KEY` from `api_key`, else OPTSERVE_API_KEY ('' sends no key).

    An Authorization header given in `headers` wins over both.
    """
    merged = dict(headers or {})
    key = api_key if api_key is not None else os.environ.get(API_KEY_ENV)
    if key and not any(name.lower() == "authorization" for name in merged):
        merged["Authorization"] = f"Bearer {key}"
    return merged


def job_path(job_id: str, suffix: str = "") -> str:
    if not job_id or "/" in job_id:
        raise ValueError(f"invalid job id {job_id!r}")
    return f"/jobs/{job_id}{suffix}"


def plot_name(name: str) -> str:
    """A picture name as it goes into a URL (`tour`, `gantt`, ...; the server lists them)."""
    if not name or "/" in name or "." in name:
        raise ValueError(f"invalid picture name {name!r}")
    return name


class BaseClient:
    """Configuration and call construction common to `Client` and `AsyncClient`."""

    def __init__(self, base_url: str, *, timeout: float | httpx.Timeout, headers: Mapping[str, str] | None,
                 retry: RetryPolicy | int | None, api_key: str | None = None) -> None:
        self.base_url = base_url
        self.timeout = httpx.Timeout(timeout)
        self.headers = auth_headers(headers, api_key)
        self.retry = coerce_policy(retry)

    # -- calls -------------------------------------------------------------------------------

    def _solve_call(self, body: Mapping[str, Any]) -> Call:
        read = max(self.timeout.read or 0.0, time_limit_of(body) + DEFAULT_TIMEOUT_MARGIN)
        timeout = httpx.Timeout(**{**self.timeout.as_dict(), "read": read})
        return Call("POST", "/solve", json=body, timeout=timeout, idempotent=False)

    def _validate_call(self, body: Mapping[str, Any]) -> Call:
        return Call("POST", "/validate", json=body)

    def _submit_call(self, body: Mapping[str, Any], idempotency_key: str | None) -> Call:
        key = idempotency_key or uuid.uuid4().hex
        return Call("POST", "/jobs", json=body, headers={IDEMPOTENCY_HEADER: key})

    def _jobs_call(self, status: JobStatus | str | None, limit: int, offset: int) -> Call:
        params: dict[str, Any] = {"limit": limit, "offset": offset}
        if status is not None:
            params["status"] = JobStatus(status).value
        return Call("GET", "/jobs", params=params)

    def _events_call(self, job_id: str, last_event_id: int | None) -> Call:
        headers = {"Accept": "text/event-stream", "Cache-Control": "no-cache"}
        if last_event_id is not None:
            headers["Last-Event-ID"] = str(last_event_id)
        timeout = httpx.Timeout(**{**self.timeout.as_dict(), "read": None})
        return Call("GET", job_path(job_id, "/events"), headers=headers, timeout=timeout)

    def _plot_call(self, job_id: str, name: str) -> Call:
        return Call("GET", job_path(job_id, f"/plots/{plot_name(name)}.svg"), headers={"Accept": "image/svg+xml"})

    def _render_call(self, problem: Any, result: Any, name: str) -> Call:
        body = {"problem": jsonable(problem), "result": jsonable(result)}
        return Call("POST", f"/plots/{plot_name(name)}.svg", json=body, headers={"Accept": "image/svg+xml"})

    @staticmethod
    def _body_of(request: SolveRequest) -> dict[str, Any]:
        body: dict[str, Any] = request.model_dump(mode="json", exclude_none=True)
        return body

    # -- retries -----------------------------------------------------------------------------

    def _delay_after_error(self, attempt: int, error: APIError) -> float | None:
        """Seconds before retrying after an error answer, or None to raise it."""
        if not retryable_status(error):
            return None
        return self.retry.delay(attempt, error.retry_after)

    def _delay_after_transport(self, attempt: int, call: Call, exc: httpx.TransportError) -> float | None:
        """Seconds before retrying after a transport failure, or None to raise it."""
        if not retryable_transport(exc, call.idempotent):
            return None
        return self.retry.delay(attempt)

    def _build(self, http: httpx.Client | httpx.AsyncClient, call: Call) -> httpx.Request:
        timeout = call.timeout if call.timeout is not None else self.timeout
        return http.build_request(call.method, call.path, json=call.json, params=call.params,
                                  headers=dict(call.headers), timeout=timeout)
