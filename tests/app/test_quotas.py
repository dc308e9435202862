"""Per-key quotas (requests per minute, concurrent jobs, largest time limit) and the shared compute limits."""

import threading
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.admission import create_job
from app.auth.deps import Caller
from app.auth.keys import ApiKey, KeyStore
from app.auth.ratelimit import WINDOW, RateLimiter, retry_after
from app.errors import ApiError
from app.jobs.store import JobStore
from app.settings import Settings
from models.job import JobRequest
from tests.app.keyed import KNAPSACK, RUNNING, error_code, keyed, new_key, service, wait_status

EVALUATE: dict[str, Any] = {"problem": KNAPSACK, "solution": {"selected": ["B", "D"]},
                            "simulation": {"replications": 3, "model": {"weight": {
                                "distribution": "uniform", "low": 0.9, "high": 1.1, "relative": True}}}}


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    with service(keyed(settings)) as test_client:
        yield test_client


def test_the_sliding_window_admits_again_as_old_calls_leave_it() -> None:
    now = [0.0]
    limiter = RateLimiter(clock=lambda: now[0])
    assert [limiter.admit("a", 2) for _ in range(2)] == [None, None]
    now[0] = 10.0
    assert limiter.admit("a", 2) == pytest.approx(WINDOW - 10.0)
    assert limiter.admit("b", 2) is None  # per key
    now[0] = WINDOW + 0.001
    assert limiter.admit("a", 2) is None and limiter.admit("a", 2) is None  # both old calls left the window
    assert limiter.admit("a", 2) is not None
    assert (retry_after(0.2), retry_after(49.5)) == ("1", "50")


def test_requests_per_minute_over_quota_is_a_429_with_retry_after(client: TestClient) -> None:
    limited, other = new_key(client, "limited", requests_per_minute=3), new_key(client, "other")
    assert [client.get("/solvers", headers=limited).status_code for _ in range(3)] == [200, 200, 200]
    over = client.get("/jobs", headers=limited)
    assert over.status_code == 429 and error_code(over) == "rate_limited"
    assert 55 <= int(over.headers["Retry-After"]) <= 60
    assert client.get("/solvers", headers=other).status_code == 200


def test_concurrent_jobs_over_quota_is_a_429_until_one_ends(client: TestClient) -> None:
    headers = new_key(client, "one", max_jobs=1)
    first = client.post("/jobs", json=RUNNING, headers={**headers, "Idempotency-Key": "k1"})
    assert first.status_code == 202
    second = client.post("/jobs", json=RUNNING, headers=headers)
    assert second.status_code == 429 and error_code(second) == "too_many_jobs" and second.headers["Retry-After"]
    replay = client.post("/jobs", json=RUNNING, headers={**headers, "Idempotency-Key": "k1"})
    assert replay.status_code == 200 and replay.json()["id"] == first.json()["id"]  # a retry is not a new job
    two = new_key(client, "two", max_jobs=1)
    theirs = client.post("/jobs", json=RUNNING, headers=two)
    assert theirs.status_code == 202  # the quota is per key
    client.post(f"/jobs/{first.json()['id']}/cancel", headers=headers)
    wait_status(client, first.json()["id"], {"cancelled"}, headers)
    third = client.post("/jobs", json=RUNNING, headers=headers)
    assert third.status_code == 202
    for job, owner in ((third, headers), (theirs, two)):
        client.post(f"/jobs/{job.json()['id']}/cancel", headers=owner)
        wait_status(client, job.json()["id"], {"cancelled"}, owner)


def test_a_time_limit_over_the_keys_quota_is_a_422_naming_it(client: TestClient) -> None:
    headers = new_key(client, "short", max_time_limit=5)
    body = {"problem": KNAPSACK, "options": {"time_limit": 10}}
    for path in ("/solve", "/validate", "/jobs"):
        response = client.post(path, json=body, headers=headers)
        assert response.status_code == 422 and error_code(response) == "time_limit_over_quota", path
        assert [d["loc"] for d in response.json()["error"]["details"]] == [["body", "options", "time_limit"]]
    assert client.post("/validate", json={**body, "options": {"time_limit": 5}}, headers=headers).status_code == 200


def test_evaluate_waits_for_a_solve_slot_like_solve(settings: Settings) -> None:
    with service(keyed(settings, auth="off")) as client:
        slots = client.app.state.services.solve_slots  # type: ignore[attr-defined]
        taken = [slots.acquire(timeout=1) for _ in range(settings.max_concurrent_solves)]
        try:
            assert all(taken)
            busy = client.post("/evaluate", json=EVALUATE)
            assert busy.status_code == 429 and error_code(busy) == "busy" and int(busy.headers["Retry-After"]) >= 1
        finally:
            for _ in taken:
                slots.release()
        assert client.post("/evaluate", json=EVALUATE).status_code == 200


def test_evaluate_checks_the_problem_size_like_solve(settings: Settings) -> None:
    with service(keyed(settings, auth="off", max_problem_size=3)) as client:
        for path, body in (("/evaluate", EVALUATE), ("/solve", {"problem": KNAPSACK})):
            response = client.post(path, json=body)
            assert response.status_code == 413 and error_code(response) == "problem_too_large", path




def test_simultaneous_submissions_cannot_overrun_the_concurrent_jobs_quota(store: JobStore) -> None:
    KeyStore(store.engine).create(ApiKey(name="burst", max_jobs=3))
    caller, other = Caller(ApiKey(name="burst", max_jobs=3)), Caller(ApiKey(name="calm"))
    request = JobRequest.model_validate({"problem": KNAPSACK})
    start, outcomes = threading.Barrier(12), list[str]()

    def submit() -> None:
        start.wait()
        try:
            outcomes.append("accepted" if create_job(store, uuid.uuid4().hex, request, caller)[1] else "replayed")
        except ApiError as exc:
            outcomes.append(f"{exc.status} {exc.code}")

    threads = [threading.Thread(target=submit) for _ in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(outcomes) == ["429 too_many_jobs"] * 9 + ["accepted"] * 3
    assert store.active("burst") == 3
    assert create_job(store, "calm-1", request, other)[1]  # a key without the quota is not held up
