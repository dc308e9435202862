"""Job handles: the blocking client against a live server, and outcomes a fake server scripts."""

from collections.abc import Callable, Iterator, Sequence

import anyio
import httpx
import pytest

from optserve import (
    AsyncClient,
    Client,
    EventType,
    JobCancelled,
    JobEvent,
    JobFailed,
    JobStatus,
    Termination,
    TransportError,
)
from tests.instances import job_shop, knapsack, optimum
from tests.optserve.conftest import FAST_RETRY, Script, error, ok
from tests.optserve.samples import PROBLEM, RESULT, job, sse

Scripted = Callable[..., Script]


def test_events_arrive_live_and_end_with_the_final_status(server_url: str) -> None:
    with Client(server_url, retry=FAST_RETRY) as client:
        handle = client.submit(job_shop(), solver="cpsat", time_limit=10)
        events = list(handle.events())
        resumed = list(client.job_events(handle.id, last_event_id=events[0].seq))
        result = handle.wait(timeout=30, poll=0.2)
    assert events[-1].type is EventType.status and events[-1].data["status"] == "succeeded"
    assert any(e.type is EventType.incumbent for e in events)
    assert resumed == events[1:]
    assert result.objective == optimum(job_shop()) and handle.status is JobStatus.succeeded


def test_cancel_from_the_blocking_handle(server_url: str) -> None:
    with Client(server_url, retry=FAST_RETRY) as client:
        handle = client.submit(knapsack(), solver="stubborn", time_limit=60)
        seen = []
        for event in handle.events():
            seen.append(event)
            if event.type is EventType.incumbent:
                assert handle.cancel().id == handle.id
        result = handle.wait(timeout=10, poll=0.1)
        listed = client.jobs(status="cancelled", limit=5)
    assert seen[-1].data["status"] == "cancelled" and result.termination is Termination.cancelled
    assert handle.id in [j.id for j in listed.items] and listed.limit == 5


def test_a_failed_job_raises_job_failed_with_the_job(script: Scripted) -> None:
    failure = {"code": "solver_crashed", "message": "the backend died", "details": []}
    fake = script(ok(job(), 202), ok(job(status="running")), ok(job(status="failed", error=failure)))
    with Client("http://optserve.test", fake.transport) as client:
        handle = client.submit(PROBLEM)
        with pytest.raises(JobFailed) as raised:
            handle.wait(poll=0.01)
    assert raised.value.job.error is not None and raised.value.job.error.code == "solver_crashed"
    assert "solver_crashed" in str(raised.value) and [r.method for r in fake.requests] == ["POST", "GET", "GET"]


def test_cancelled_before_any_solution_raises_job_cancelled(script: Scripted) -> None:
    fake = script(ok(job(status="cancelled")))
    with Client("http://optserve.test", fake.transport) as client:
        handle = client.job("j1")
        with pytest.raises(JobCancelled) as raised:
            handle.wait()
    assert isinstance(raised.value, JobFailed) and raised.value.job.status is JobStatus.cancelled


def test_a_dropped_event_stream_resumes_after_the_last_event(script: Scripted) -> None:
    first = sse((1, "status", {"status": "queued"}), (2, "status", {"status": "running"})) + "id: 3\ndata: {"
    second = sse((3, "incumbent", {"elapsed": 1.0, "incumbent": 5.0, "bound": None}),
                 (4, "status", {"status": "succeeded"}))
    streams = iter([first, second])

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers.get("Last-Event-ID"))
        text = next(streams)
        chunks = [text.encode()] + ([] if len(seen) > 1 else [httpx.ReadError("connection reset")])
        return httpx.Response(200, stream=_Broken(chunks), headers={"content-type": "text/event-stream"})

    seen: list[str | None] = []
    with Client("http://optserve.test", httpx.MockTransport(handler), retry=FAST_RETRY) as client:
        events = list(client.job_events("j1"))
    assert [e.seq for e in events] == [1, 2, 3, 4] and seen == [None, "2"]
    assert events[2] == JobEvent(seq=3, type=EventType.incumbent, data={"elapsed": 1.0, "incumbent": 5.0,
                                                                         "bound": None})


def test_an_event_stream_that_keeps_breaking_gives_up(script: Scripted) -> None:
    def handler(_: httpx.Request) -> httpx.Response:
        return httpx.Response(200, stream=_Broken([b": hello\n\n", httpx.ReadError("reset")]))

    with Client("http://optserve.test", httpx.MockTransport(handler), retry=FAST_RETRY) as client, \
            pytest.raises(TransportError):
        list(client.job_events("j1"))


def test_async_handle_waits_through_polls(script: Scripted) -> None:
    fake = script(ok(job(), 202), ok(job(status="running")), ok(job(status="succeeded", result=RESULT)))

    async def main() -> float | None:
        async with AsyncClient("http://optserve.test", fake.transport) as client:
            handle = await client.submit(PROBLEM, time_limit=1)
            return (await handle.wait(timeout=5, poll=0.01)).objective

    assert anyio.run(main) == 90 and len(fake.requests) == 3


def test_a_cancelled_job_with_a_solution_returns_it(script: Scripted) -> None:
    cancelled = {**RESULT, "status": "feasible", "termination": "cancelled"}
    fake = script(ok(job(status="cancelled", result=cancelled)), error(404, "not_found"))
    with Client("http://optserve.test", fake.transport) as client:
        handle = client.job("j1")
        assert handle.wait().termination is Termination.cancelled
        assert repr(handle) == "JobHandle(id='j1', status='cancelled')"


class _Broken(httpx.SyncByteStream):
    """A response body that yields its chunks, raising any exception among them."""

    def __init__(self, chunks: Sequence[bytes | Exception]) -> None:
        self.chunks = chunks

    def __iter__(self) -> Iterator[bytes]:
        for chunk in self.chunks:
            if isinstance(chunk, Exception):
                raise chunk
            yield chunk
