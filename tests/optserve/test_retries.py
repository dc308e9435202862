"""Retries and the exception tree, against scripted fake transports (httpx.MockTransport)."""

from collections.abc import Callable

import anyio
import httpx
import pytest

from optserve import (
    APIError,
    AsyncClient,
    Client,
    Conflict,
    NotFound,
    PayloadTooLarge,
    RateLimited,
    Result,
    RetryPolicy,
    ServiceUnavailable,
    SolveRequest,
    TransportError,
    ValidationError,
)
from optserve.exceptions import parse_retry_after
from tests.optserve.conftest import FAST_RETRY, Script, error, ok
from tests.optserve.samples import PROBLEM, RESULT, job

Scripted = Callable[..., Script]


def client_for(script: Script, retry: RetryPolicy = FAST_RETRY) -> Client:
    return Client("http://optserve.test", transport=script.transport, retry=retry)


def test_429_is_retried_after_retry_after_and_503_after_backoff(script: Scripted,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    fake = script(error(429, "busy", {"Retry-After": "2"}), error(503, "database_down"), ok(RESULT))
    slept: list[float] = []
    monkeypatch.setattr(Client, "_sleep", staticmethod(slept.append))
    result = client_for(fake).solve(PROBLEM, time_limit=5)
    assert isinstance(result, Result) and result.objective == 90
    assert len(fake.requests) == 3 and slept[0] == 2.0 and slept[1] < 0.01


def test_retries_are_bounded_and_the_last_error_is_raised(script: Scripted) -> None:
    fake = script(error(429, "busy", {"Retry-After": "0"}))
    with pytest.raises(RateLimited) as raised:
        client_for(fake, RetryPolicy(max_attempts=3, backoff=0)).solve(PROBLEM)
    assert len(fake.requests) == 3 and raised.value.retry_after == 0 and raised.value.code == "busy"


def test_a_retry_after_longer_than_allowed_is_raised_at_once(script: Scripted) -> None:
    fake = script(error(429, "queue_full", {"Retry-After": "600"}))
    with pytest.raises(RateLimited) as raised:
        client_for(fake).get_job("j1")
    assert len(fake.requests) == 1 and raised.value.retry_after == 600


@pytest.mark.parametrize(("status", "exception"), [
    (422, ValidationError), (404, NotFound), (409, Conflict), (413, PayloadTooLarge), (400, APIError)])
def test_other_client_errors_are_never_retried(script: Scripted, status: int, exception: type[APIError]) -> None:
    details = [{"loc": ["body", "problem", "capacity"], "msg": "must be >= 0"}]
    fake = script(error(status, "bad", details=details))
    with pytest.raises(exception) as raised:
        client_for(fake).solve(PROBLEM)
    assert len(fake.requests) == 1 and raised.value.status_code == status
    assert raised.value.details == details and "body.problem.capacity: must be >= 0" in str(raised.value)


def test_a_missing_solver_503_is_not_retried(script: Scripted) -> None:
    fake = script(error(503, "solver_unavailable"))
    with pytest.raises(ServiceUnavailable):
        client_for(fake).solve(PROBLEM, solver="highs")
    assert len(fake.requests) == 1


def test_a_non_json_error_still_becomes_an_api_error(script: Scripted) -> None:
    fake = script(httpx.Response(502, text="<html>bad gateway</html>"))
    with pytest.raises(APIError) as raised:
        client_for(fake).problems()
    assert raised.value.status_code == 502 and "bad gateway" in raised.value.message


def test_connect_errors_are_retried_then_wrapped(script: Scripted) -> None:
    refused = httpx.ConnectError("connection refused")
    assert client_for(script(refused, ok(RESULT))).solve(PROBLEM).objective == 90
    fake = script(refused)
    with pytest.raises(TransportError) as raised:
        client_for(fake).solve(PROBLEM)
    assert len(fake.requests) == 4 and raised.value.__cause__ is refused


def test_a_read_timeout_is_retried_only_when_the_call_is_idempotent(script: Scripted) -> None:
    timeout = httpx.ReadTimeout("slow")
    solve = script(timeout, ok(RESULT))
    with pytest.raises(TransportError):
        client_for(solve).solve(PROBLEM)
    assert len(solve.requests) == 1
    get = script(timeout, ok(job()))
    assert client_for(get).get_job("j1").id == "j1" and len(get.requests) == 2


def test_a_retried_submit_reuses_its_idempotency_key(script: Scripted) -> None:
    fake = script(httpx.ReadTimeout("lost answer"), error(503, "database_down"), ok(job(), 202))
    handle = client_for(fake).submit(PROBLEM, time_limit=5)
    keys = {request.headers["Idempotency-Key"] for request in fake.requests}
    assert handle.id == "j1" and len(fake.requests) == 3 and len(keys) == 1 and len(keys.pop()) >= 16
    explicit = script(ok(job(), 202))
    client_for(explicit).submit(PROBLEM, idempotency_key="mine")
    assert explicit.requests[0].headers["Idempotency-Key"] == "mine"
    assert client_for(script(ok(job(), 202))).submit(PROBLEM).id == "j1"


def test_separate_submits_get_separate_keys(script: Scripted) -> None:
    fake = script(ok(job(), 202))
    client = client_for(fake)
    client.submit(PROBLEM)
    client.submit(PROBLEM)
    assert fake.requests[0].headers["Idempotency-Key"] != fake.requests[1].headers["Idempotency-Key"]


def test_the_async_client_retries_the_same_way(script: Scripted) -> None:
    fake = script(error(503, "broker_down"), httpx.ConnectError("refused"), ok(RESULT))

    async def main() -> Result:
        async with AsyncClient("http://optserve.test", fake.transport, retry=FAST_RETRY) as client:
            return await client.solve(PROBLEM)

    assert anyio.run(main).objective == 90 and len(fake.requests) == 3


def test_no_retry_policy_means_one_attempt(script: Scripted) -> None:
    fake = script(error(503, "down"))
    with pytest.raises(ServiceUnavailable):
        Client("http://optserve.test", transport=fake.transport, retry=None).solvers()
    assert len(fake.requests) == 1


def test_backoff_grows_with_jitter_under_a_cap() -> None:
    policy = RetryPolicy(max_attempts=10, backoff=1.0, max_backoff=5.0, jitter=0.5)
    for attempt, ceiling in [(1, 1.0), (2, 2.0), (3, 4.0), (4, 5.0), (8, 5.0)]:
        delays = [policy.backoff_delay(attempt) for _ in range(200)]
        assert all(ceiling / 2 <= d <= ceiling for d in delays) and max(delays) - min(delays) > 0
    assert policy.delay(10) is None and policy.delay(1, retry_after=3.0) == 3.0
    with pytest.raises(ValueError):
        RetryPolicy(max_attempts=0)


@pytest.mark.parametrize(("header", "seconds"), [
    ("3", 3.0), ("0.5", 0.5), ("-1", 0.0), ("nan", None), ("soon", None), (None, None),
    ("Thu, 01 Jan 1970 00:01:40 GMT", 40.0)])
def test_retry_after_header_forms(header: str | None, seconds: float | None) -> None:
    assert parse_retry_after(header, now=60.0) == seconds


def test_solve_waits_for_its_time_limit_plus_a_margin(script: Scripted) -> None:
    fake = script(ok(RESULT))
    client_for(fake).solve(PROBLEM, time_limit=100)
    assert fake.requests[0].extensions["timeout"]["read"] == 130.0


def test_a_whole_request_must_go_through_solve_request(script: Scripted) -> None:
    fake = script(ok(RESULT))
    request = SolveRequest.model_validate({"problem": PROBLEM})
    with pytest.raises(TypeError):
        client_for(fake).solve(request)
    assert client_for(fake).solve_request(request).objective == 90 and len(fake.requests) == 1
