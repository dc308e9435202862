"""Cancel versus delete, bounded paging, OPTIONS with Allow; and the store's owners on both databases."""

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from app.jobs.store import IdempotencyConflict, JobActive, JobStore
from app.settings import Settings
from models.job import JobRequest, JobStatus
from tests.app.keyed import RUNNING, error_code, keyed, service, wait_status
from tests.instances import knapsack


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    with service(keyed(settings, auth=None)) as test_client:
        yield test_client




def test_delete_is_409_while_running_then_204_and_the_job_is_gone(client: TestClient) -> None:
    job_id = client.post("/jobs", json=RUNNING).json()["id"]
    wait_status(client, job_id, {"running"})
    busy = client.delete(f"/jobs/{job_id}")
    assert busy.status_code == 409 and error_code(busy) == "job_active" and "/cancel" in busy.json()["error"]["message"]
    cancelled = client.post(f"/jobs/{job_id}/cancel")
    assert cancelled.status_code == 200 and cancelled.json()["id"] == job_id
    job = wait_status(client, job_id, {"cancelled"})
    assert job["result"]["termination"] == "cancelled"  # a result kept (its solution: tests/app/test_jobs.py)
    assert client.post(f"/jobs/{job_id}/cancel").json()["status"] == "cancelled"  # again: nothing changes
    deleted = client.delete(f"/jobs/{job_id}")
    assert deleted.status_code == 204 and deleted.content == b""
    for response in (client.get(f"/jobs/{job_id}"), client.get(f"/jobs/{job_id}/events"),
                     client.delete(f"/jobs/{job_id}"), client.post(f"/jobs/{job_id}/cancel")):
        assert response.status_code == 404 and error_code(response) == "not_found"
    assert client.get("/jobs").json()["total"] == 0


def test_a_queued_job_cancels_at_once(client: TestClient) -> None:
    services = client.app.state.services  # type: ignore[attr-defined]
    services.executor.stop()  # the embedded runners poll for queued jobs: stopped, this one stays queued
    job, _ = services.store.create("queued-only", JobRequest.model_validate(RUNNING))
    response = client.post(f"/jobs/{job.id}/cancel")
    assert response.status_code == 200 and response.json()["status"] == "cancelled"
    assert client.delete(f"/jobs/{job.id}").status_code == 204


def test_paging_bounds_are_a_422_not_a_500(client: TestClient) -> None:
    for params in ({"offset": "11814817127780605952"}, {"offset": -1}, {"limit": 10**30}, {"limit": 0}):
        response = client.get("/jobs", params=params)
        assert response.status_code == 422 and error_code(response) == "validation_error", params
        assert response.json()["error"]["details"][0]["loc"] == ["query", next(iter(params))]
    assert client.get("/jobs", params={"offset": 1_000_000_000}).json()["items"] == []


@pytest.mark.parametrize(("path", "allow"), [
    ("/jobs", "GET, OPTIONS, POST"), ("/jobs/abc", "DELETE, GET, OPTIONS"), ("/jobs/abc/cancel", "OPTIONS, POST"),
    ("/solve", "OPTIONS, POST"), ("/health/live", "GET, OPTIONS"),
])
def test_options_answers_with_allow(client: TestClient, path: str, allow: str) -> None:
    response = client.options(path)
    assert response.status_code == 204 and response.headers["Allow"] == allow


def test_an_unsupported_method_is_a_405_listing_every_allowed_one(client: TestClient) -> None:
    response = client.put("/jobs")
    assert response.status_code == 405 and response.headers["Allow"] == "GET, OPTIONS, POST"
    assert error_code(response) == "method_not_allowed"
    assert client.options("/no/such/path").status_code == 404


def test_owners_scope_get_page_cancel_and_delete(store: JobStore) -> None:
    request = JobRequest(problem=knapsack(), idempotency_key="same")
    mine, _ = store.create("a1", request, owner="alice")
    theirs, created = store.create("b1", request, owner="bob")
    assert created and theirs.id == "b1"  # the same idempotency key under another owner is another job
    anonymous, created = store.create("n1", request)
    assert created and store.create("n2", request) == (anonymous, False)  # still unique without an owner
    with pytest.raises(IdempotencyConflict):
        store.create("a2", request.model_copy(update={"solver": "highs"}), owner="alice")
    assert store.get("a1", "bob") is None and store.get("a1", "alice") == mine and store.get("a1") == mine
    assert [j.id for j in store.page(None, 10, 0, "alice").items] == ["a1"] and store.page(None, 10, 0).total == 3
    assert store.active("alice") == 1 and store.active("carol") == 0
    assert store.request_cancel("a1", "bob") is None
    with pytest.raises(JobActive):
        store.delete("b1", "bob")
    assert store.request_cancel("a1", "alice").status is JobStatus.cancelled  # type: ignore[union-attr]
    assert store.active("alice") == 0 and not store.delete("a1", "bob")
    assert store.delete("a1", "alice") and store.get("a1") is None and store.events_after("a1", 0) == []
    assert not store.delete("a1")
