"""The optserve Python SDK: `Client` (blocking) and `AsyncClient` (asyncio/trio), both on httpx.

    from optserve import Client
    with Client("http://127.0.0.1:8000") as client:
        result = client.solve(problem, solver="auto", time_limit=10)
        job = client.submit(problem, time_limit=60)
        for event in job.events():
            print(event.type, event.data)
        result = job.wait()

`api_key=` (or the OPTSERVE_API_KEY environment variable) authenticates against a service run
with OPTSERVE_AUTH=required. It needs only `models` and httpx: no solver library is imported on
the client side. Errors are the tree in `optserve.exceptions`; 429, 503 and transport errors
are retried first (see `optserve._retry`). Pass `transport=` to talk to an app in process
(httpx.ASGITransport) or to a fake (httpx.MockTransport).
"""

import time
from collections.abc import AsyncIterator, Iterator, Mapping
from typing import Any

import anyio
import httpx
from pydantic import TypeAdapter

from models import Result, SolveRequest
from models.catalog import ProblemDescription, SolverDescription, ValidationReport
from models.job import Job, JobEvent, JobPage, JobStatus
from optserve._base import (
    DEFAULT_BASE_URL,
    DEFAULT_TIMEOUT,
    DEFAULT_TIMEOUT_MARGIN,
    BaseClient,
    Call,
    job_path,
    request_body,
)
from optserve._retry import RetryPolicy
from optserve._sse import SSEDecoder, decode, is_final
from optserve.exceptions import APIError, OptserveError, TransportError, error_from_response
from optserve.jobs import AsyncJobHandle, JobHandle

__all__ = ["DEFAULT_TIMEOUT_MARGIN", "APIError", "AsyncClient", "Client", "OptserveError"]

SOLVERS = TypeAdapter(list[SolverDescription])
PROBLEMS = TypeAdapter(list[ProblemDescription])


class Client(BaseClient):
    """Blocking client: `Client("http://127.0.0.1:8000").solve(problem, time_limit=10)`.

    `api_key` is sent as `Authorization: Bearer KEY` (default: the OPTSERVE_API_KEY environment
    variable; `""` sends none); `retry` is a RetryPolicy, a number of attempts, or None for no
    retries; `headers` go with every request (tracing); `timeout` is httpx's (a /solve waits at
    least its time limit plus a margin, an events stream has no read timeout).
    """

    def __init__(self, base_url: str = DEFAULT_BASE_URL, transport: httpx.BaseTransport | None = None, *,
                 api_key: str | None = None, timeout: float | httpx.Timeout = DEFAULT_TIMEOUT,
                 headers: Mapping[str, str] | None = None, retry: RetryPolicy | int | None = RetryPolicy()) -> None:
        super().__init__(base_url, timeout=timeout, headers=headers, retry=retry, api_key=api_key)
        self._http = httpx.Client(base_url=base_url, transport=transport, timeout=self.timeout, headers=self.headers)

    # -- solving -----------------------------------------------------------------------------

    def solve(self, problem: Any, solver: str = "auto", **options: Any) -> Result:
        """Solves now; `problem` is a dict or a problem model, keywords are SolveOptions fields."""
        return Result.model_validate(self._json(self._solve_call(request_body(problem, solver, options))))

    def solve_request(self, request: SolveRequest) -> Result:
        return Result.model_validate(self._json(self._solve_call(self._body_of(request))))

    def validate(self, problem: Any, solver: str = "auto", **options: Any) -> ValidationReport:
        """Checks without solving; raises ValidationError listing every problem."""
        return ValidationReport.model_validate(self._json(self._validate_call(request_body(problem, solver, options))))

    def validate_request(self, request: SolveRequest) -> ValidationReport:
        return ValidationReport.model_validate(self._json(self._validate_call(self._body_of(request))))

    # -- jobs --------------------------------------------------------------------------------

    def submit(self, problem: Any, solver: str = "auto", idempotency_key: str | None = None,
               **options: Any) -> JobHandle:
        """Submits a background job; retries never duplicate it (a key is generated when none is given)."""
        return self._submit(request_body(problem, solver, options), idempotency_key)

    def submit_request(self, request: SolveRequest, idempotency_key: str | None = None) -> JobHandle:
        return self._submit(self._body_of(request), idempotency_key)

    def _submit(self, body: dict[str, Any], idempotency_key: str | None) -> JobHandle:
        return JobHandle(self, Job.model_validate(self._json(self._submit_call(body, idempotency_key))))

    def job(self, job_id: str) -> JobHandle:
        """A handle on an existing job (raises NotFound for an unknown id)."""
        return JobHandle(self, self.get_job(job_id))

    def get_job(self, job_id: str) -> Job:
        return Job.model_validate(self._json(Call("GET", job_path(job_id))))

    def cancel_job(self, job_id: str) -> Job:
        """Stops the job; it ends `cancelled` and keeps its best solution so far."""
        return Job.model_validate(self._json(Call("POST", job_path(job_id, "/cancel"))))

    def delete_job(self, job_id: str) -> None:
        """Removes a finished job and its events (a queued or running one is a Conflict: cancel it first)."""
        self._send(Call("DELETE", job_path(job_id))).close()

    def jobs(self, status: JobStatus | str | None = None, limit: int = 50, offset: int = 0) -> JobPage:
        """One page of jobs, newest first, optionally only those with `status`."""
        return JobPage.model_validate(self._json(self._jobs_call(status, limit, offset)))

    def job_events(self, job_id: str, last_event_id: int | None = None) -> Iterator[JobEvent]:
        """The job's events until its final status; a dropped stream is resumed with Last-Event-ID."""
        decoder = SSEDecoder(None if last_event_id is None else str(last_event_id))
        attempt = 1
        while True:
            decoder = SSEDecoder(decoder.last_event_id)  # drop a half-received event
            call = self._events_call(job_id, _seq(decoder))
            try:
                response = self._send(call, stream=True)
                try:
                    for event in decode(response.iter_lines(), decoder):
                        attempt = 1
                        yield event
                        if is_final(event):
                            return
                finally:
                    response.close()
                return
            except httpx.TransportError as exc:
                delay = self._delay_after_transport(attempt, call, exc)
                if delay is None:
                    raise TransportError(f"event stream of job {job_id} broke: {exc}") from exc
                self._sleep(delay)
                attempt += 1

    # -- catalogue ---------------------------------------------------------------------------

    def solvers(self) -> list[SolverDescription]:
        return SOLVERS.validate_python(self._json(Call("GET", "/solvers")))

    def problems(self) -> list[ProblemDescription]:
        return PROBLEMS.validate_python(self._json(Call("GET", "/problems")))

    def problem(self, kind: str) -> ProblemDescription:
        """A family's schema and a ready-to-run `example` request."""
        return ProblemDescription.model_validate(self._json(Call("GET", f"/problems/{kind}")))

    # -- pictures ----------------------------------------------------------------------------

    def plot(self, job_id: str, name: str) -> bytes:
        """A picture of a job as SVG bytes: `tour`, `gantt`, `facilities`, `items`, `pareto`, `convergence`, ..."""
        return self._send(self._plot_call(job_id, name)).content

    def render(self, problem: Any, result: Any, name: str) -> bytes:
        """Draws a picture of a problem and its Result (models or dicts) on the server: SVG bytes."""
        return self._send(self._render_call(problem, result, name)).content

    # -- plumbing ----------------------------------------------------------------------------

    def _json(self, call: Call) -> Any:
        return self._send(call).json()

    def _send(self, call: Call, stream: bool = False) -> httpx.Response:
        """Sends with retries; returns a success response or raises from the exception tree."""
        attempt = 1
        while True:
            try:
                response = self._http.send(self._build(self._http, call), stream=stream)
            except httpx.TransportError as exc:
                delay = self._delay_after_transport(attempt, call, exc)
                if delay is None:
                    raise TransportError(f"{call.method} {call.path}: {type(exc).__name__}: {exc}") from exc
            else:
                if response.status_code < 400:
                    return response
                response.read()
                response.close()
                error = error_from_response(response)
                delay = self._delay_after_error(attempt, error)
                if delay is None:
                    raise error
            self._sleep(delay)
            attempt += 1

    @staticmethod
    def _sleep(seconds: float) -> None:
        time.sleep(seconds)

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> "Client":
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


class AsyncClient(BaseClient):
    """Asynchronous client with the same methods as Client (awaitable; events are an async iterator)."""

    def __init__(self, base_url: str = DEFAULT_BASE_URL, transport: httpx.AsyncBaseTransport | None = None, *,
                 api_key: str | None = None, timeout: float | httpx.Timeout = DEFAULT_TIMEOUT,
                 headers: Mapping[str, str] | None = None, retry: RetryPolicy | int | None = RetryPolicy()) -> None:
        super().__init__(base_url, timeout=timeout, headers=headers, retry=retry, api_key=api_key)
        self._http = httpx.AsyncClient(base_url=base_url, transport=transport, timeout=self.timeout,
                                       headers=self.headers)

    async def solve(self, problem: Any, solver: str = "auto", **options: Any) -> Result:
        return Result.model_validate(await self._json(self._solve_call(request_body(problem, solver, options))))

    async def solve_request(self, request: SolveRequest) -> Result:
        return Result.model_validate(await self._json(self._solve_call(self._body_of(request))))

    async def validate(self, problem: Any, solver: str = "auto", **options: Any) -> ValidationReport:
        body = request_body(problem, solver, options)
        return ValidationReport.model_validate(await self._json(self._validate_call(body)))

    async def validate_request(self, request: SolveRequest) -> ValidationReport:
        return ValidationReport.model_validate(await self._json(self._validate_call(self._body_of(request))))

    async def submit(self, problem: Any, solver: str = "auto", idempotency_key: str | None = None,
                     **options: Any) -> AsyncJobHandle:
        return await self._submit(request_body(problem, solver, options), idempotency_key)

    async def submit_request(self, request: SolveRequest, idempotency_key: str | None = None) -> AsyncJobHandle:
        return await self._submit(self._body_of(request), idempotency_key)

    async def _submit(self, body: dict[str, Any], idempotency_key: str | None) -> AsyncJobHandle:
        return AsyncJobHandle(self, Job.model_validate(await self._json(self._submit_call(body, idempotency_key))))

    async def job(self, job_id: str) -> AsyncJobHandle:
        return AsyncJobHandle(self, await self.get_job(job_id))

    async def get_job(self, job_id: str) -> Job:
        return Job.model_validate(await self._json(Call("GET", job_path(job_id))))

    async def cancel_job(self, job_id: str) -> Job:
        return Job.model_validate(await self._json(Call("POST", job_path(job_id, "/cancel"))))

    async def delete_job(self, job_id: str) -> None:
        await (await self._send(Call("DELETE", job_path(job_id)))).aclose()

    async def jobs(self, status: JobStatus | str | None = None, limit: int = 50, offset: int = 0) -> JobPage:
        return JobPage.model_validate(await self._json(self._jobs_call(status, limit, offset)))

    async def job_events(self, job_id: str, last_event_id: int | None = None) -> AsyncIterator[JobEvent]:
        decoder = SSEDecoder(None if last_event_id is None else str(last_event_id))
        attempt = 1
        while True:
            decoder = SSEDecoder(decoder.last_event_id)  # drop a half-received event
            call = self._events_call(job_id, _seq(decoder))
            try:
                response = await self._send(call, stream=True)
                try:
                    async for line in response.aiter_lines():
                        event = decoder.feed(line)
                        if event is None:
                            continue
                        attempt = 1
                        yield event
                        if is_final(event):
                            return
                finally:
                    await response.aclose()
                return
            except httpx.TransportError as exc:
                delay = self._delay_after_transport(attempt, call, exc)
                if delay is None:
                    raise TransportError(f"event stream of job {job_id} broke: {exc}") from exc
                await anyio.sleep(delay)
                attempt += 1

    async def solvers(self) -> list[SolverDescription]:
        return SOLVERS.validate_python(await self._json(Call("GET", "/solvers")))

    async def problems(self) -> list[ProblemDescription]:
        return PROBLEMS.validate_python(await self._json(Call("GET", "/problems")))

    async def problem(self, kind: str) -> ProblemDescription:
        return ProblemDescription.model_validate(await self._json(Call("GET", f"/problems/{kind}")))

    async def plot(self, job_id: str, name: str) -> bytes:
        return (await self._send(self._plot_call(job_id, name))).content

    async def render(self, problem: Any, result: Any, name: str) -> bytes:
        return (await self._send(self._render_call(problem, result, name))).content

    async def _json(self, call: Call) -> Any:
        return (await self._send(call)).json()

    async def _send(self, call: Call, stream: bool = False) -> httpx.Response:
        attempt = 1
        while True:
            try:
                response = await self._http.send(self._build(self._http, call), stream=stream)
            except httpx.TransportError as exc:
                delay = self._delay_after_transport(attempt, call, exc)
                if delay is None:
                    raise TransportError(f"{call.method} {call.path}: {type(exc).__name__}: {exc}") from exc
            else:
                if response.status_code < 400:
                    return response
                await response.aread()
                await response.aclose()
                error = error_from_response(response)
                delay = self._delay_after_error(attempt, error)
                if delay is None:
                    raise error
            await self._sleep(delay)
            attempt += 1

    @staticmethod
    async def _sleep(seconds: float) -> None:
        await anyio.sleep(seconds)

    async def aclose(self) -> None:
        await self._http.aclose()

    async def __aenter__(self) -> "AsyncClient":
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.aclose()


def _seq(decoder: SSEDecoder) -> int | None:
    """The last event id seen, as the integer the server numbers events with."""
    if decoder.last_event_id is None:
        return None
    try:
        return int(decoder.last_event_id)
    except ValueError:
        return None
