"""The SDK against the real app in process (httpx.ASGITransport): solve, validate, jobs, errors."""

import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

import anyio
import httpx
import pytest

from optserve import (
    AsyncClient,
    Conflict,
    EventType,
    JobEvent,
    JobStatus,
    JobTimeout,
    NotFound,
    ProblemDescription,
    Result,
    SolveRequest,
    Status,
    Termination,
    ValidationError,
    ValidationReport,
)
from tests.instances import job_shop, knapsack, optimum, tsp_coordinates
from tests.optserve.conftest import FAST_RETRY

T = TypeVar("T")
URL = "http://optserve.test"


def run(asgi: httpx.ASGITransport, scenario: Callable[[AsyncClient], Awaitable[T]]) -> T:
    async def main() -> T:
        async with AsyncClient(URL, asgi, retry=FAST_RETRY) as client:
            return await scenario(client)

    return anyio.run(main)


def test_solve_a_model_and_a_typed_request(asgi: httpx.ASGITransport) -> None:
    async def scenario(client: AsyncClient) -> tuple[Result, Result]:
        plain = await client.solve(job_shop(), time_limit=10, seed=2)
        typed = await client.solve_request(SolveRequest.model_validate(
            {"problem": tsp_coordinates().model_dump(mode="json"), "options": {"time_limit": 10}}))
        return plain, typed

    plain, typed = run(asgi, scenario)
    assert plain.status is Status.optimal and plain.objective == optimum(job_shop()) and plain.seed == 2
    assert typed.objective == optimum(tsp_coordinates()) and typed.verified


def test_validation_errors_carry_every_located_problem(asgi: httpx.ASGITransport) -> None:
    bad = {"kind": "knapsack", "capacity": -1, "items": [{"id": "A", "weight": -5, "value": 1}]}

    async def scenario(client: AsyncClient) -> tuple[ValidationReport, ValidationError]:
        report = await client.validate(knapsack(), solver="cbc", time_limit=5)
        with pytest.raises(ValidationError) as raised:
            await client.validate(bad, time_limit=5)
        return report, raised.value

    report, invalid = run(asgi, scenario)
    assert report.valid and report.solver == "cbc" and report.kind == "knapsack"
    assert invalid.status_code == 422 and invalid.code == "validation_error"
    assert sorted(map(str, (d["loc"] for d in invalid.details))) == sorted(map(str, [
        ["body", "problem", "capacity"], ["body", "problem", "items", 0, "weight"]]))


def test_unknown_things_are_not_found(asgi: httpx.ASGITransport) -> None:
    async def scenario(client: AsyncClient) -> list[NotFound]:
        found = []
        for call in (client.get_job("no-such-job"), client.problem("sudoku"), client.cancel_job("nope")):
            with pytest.raises(NotFound) as raised:
                await call
            found.append(raised.value)
        return found

    assert [e.status_code for e in run(asgi, scenario)] == [404, 404, 404]


def test_catalogue_is_typed(asgi: httpx.ASGITransport) -> None:
    async def scenario(client: AsyncClient) -> tuple[list[str], list[ProblemDescription]]:
        return [s.name for s in await client.solvers()], await client.problems()

    solvers, problems = run(asgi, scenario)
    assert {"highs", "cbc", "cpsat", "stubborn"} <= set(solvers)
    assert {"knapsack", "tsp", "facility_location", "scheduling"} <= {p.kind for p in problems}
    assert all(SolveRequest.model_validate(p.example) for p in problems)


def test_submit_wait_events_and_list(asgi: httpx.ASGITransport) -> None:
    async def scenario(client: AsyncClient) -> tuple[Result, list[JobEvent], JobStatus, list[str]]:
        handle = await client.submit(job_shop(), solver="cpsat", time_limit=10)
        result = await handle.wait(timeout=30, poll=0.2)
        events = [event async for event in handle.events()]
        page = await client.jobs(status=JobStatus.succeeded)
        return result, events, handle.status, [job.id for job in page.items]

    result, events, status, listed = run(asgi, scenario)
    assert result.objective == optimum(job_shop()) and status is JobStatus.succeeded
    statuses = [e.data["status"] for e in events if e.type is EventType.status]
    assert statuses[0] == "queued" and statuses[-1] == "succeeded"
    assert [e.seq for e in events] == sorted(e.seq for e in events) and len(listed) == 1


def test_resubmitting_with_the_same_key_returns_the_same_job(asgi: httpx.ASGITransport) -> None:
    async def scenario(client: AsyncClient) -> tuple[str, str, Conflict]:
        first = await client.submit(knapsack(), solver="cbc", idempotency_key="batch-7", time_limit=5)
        again = await client.submit(knapsack(), solver="cbc", idempotency_key="batch-7", time_limit=5)
        with pytest.raises(Conflict) as raised:
            await client.submit(knapsack(), solver="cbc", idempotency_key="batch-7", time_limit=6)
        await again.wait(timeout=30, poll=0.2)
        return first.id, again.id, raised.value

    first, again, conflict = run(asgi, scenario)
    assert first == again and conflict.status_code == 409


def test_wait_times_out_then_cancel_keeps_the_best_solution(asgi: httpx.ASGITransport) -> None:
    async def scenario(client: AsyncClient) -> tuple[JobTimeout, Result, float]:
        handle = await client.submit(knapsack(), solver="stubborn", time_limit=60)
        with pytest.raises(JobTimeout) as raised:
            await handle.wait(timeout=0.3, poll=0.1)
        while (await handle.refresh()).progress.incumbent is None:
            await anyio.sleep(0.1)
        asked = time.monotonic()
        await handle.cancel()
        result = await handle.wait(timeout=10, poll=0.1)
        return raised.value, result, time.monotonic() - asked

    timed_out, result, took = run(asgi, scenario)
    assert timed_out.job.status in {JobStatus.queued, JobStatus.running} and timed_out.timeout == 0.3
    assert result.termination is Termination.cancelled and result.solution is not None and took < 5
