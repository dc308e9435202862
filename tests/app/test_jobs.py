"""Jobs over HTTP on the embedded engine (SQLite + threads): the life cycle a user sees."""

import threading
import time
from types import SimpleNamespace
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.jobs import embedded
from app.jobs.db import database_url, make_engine
from app.jobs.schema import upgrade
from app.jobs.store import JobStore
from app.main import create_app
from app.services import Services
from app.settings import Settings
from models.job import JobRequest
from tests.conftest import registry_with_stubborn
from tests.instances import job_shop, knapsack, optimum

KNAPSACK = knapsack().model_dump(mode="json")


def wait_for(client: TestClient, job_id: str, states: set[str], timeout: float = 20.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = client.get(f"/jobs/{job_id}").json()
        if job["status"] in states:
            return job  # type: ignore[no-any-return]
        time.sleep(0.1)
    raise AssertionError(f"job {job_id} still {job['status']} after {timeout} s")


def test_submit_run_and_fetch_the_verified_result(client: TestClient) -> None:
    response = client.post("/jobs", json={"problem": KNAPSACK, "solver": "cbc", "options": {"time_limit": 10}})
    assert response.status_code == 202 and response.json()["status"] == "queued"
    job_id = response.json()["id"]
    assert response.headers["Location"] == f"/jobs/{job_id}"
    job = wait_for(client, job_id, {"succeeded", "failed"})
    assert job["status"] == "succeeded" and job["attempts"] == 1
    assert job["result"]["objective"] == optimum(knapsack()) and job["result"]["verified"]
    assert job["started_at"] >= job["created_at"] and job["finished_at"] >= job["started_at"]


def test_events_stream_status_changes_and_incumbents_and_then_ends(client: TestClient) -> None:
    job_id = client.post("/jobs", json={"problem": job_shop().model_dump(mode="json"), "solver": "cpsat"}).json()["id"]
    with client.stream("GET", f"/jobs/{job_id}/events") as stream:
        text = stream.read().decode()
    events = [block for block in text.split("\n\n") if block.startswith("id:")]
    statuses = [b.split("data: ")[1] for b in events if "event: status" in b]
    assert statuses[0] == '{"status": "queued"}' and statuses[-1] == '{"status": "succeeded"}'
    assert any("event: incumbent" in b for b in events)
    resumed = client.get(f"/jobs/{job_id}/events", headers={"Last-Event-ID": "1"}).text
    assert "id: 1\n" not in resumed and "id: 2\n" in resumed
    last = max(int(b.split("\n")[0].removeprefix("id: ")) for b in events)
    assert client.get(f"/jobs/{job_id}/events", headers={"Last-Event-ID": str(last)}).text == ""


def test_cancel_a_running_job_within_two_seconds_and_keep_its_best(client: TestClient) -> None:
    body = {"problem": KNAPSACK, "solver": "stubborn", "options": {"time_limit": 60}}
    job_id = client.post("/jobs", json=body).json()["id"]
    wait_for(client, job_id, {"running"})
    time.sleep(0.5)
    asked = time.monotonic()
    assert client.post(f"/jobs/{job_id}/cancel").status_code == 200
    job = wait_for(client, job_id, {"cancelled", "failed", "succeeded"}, timeout=5)
    assert time.monotonic() - asked < 2.0
    assert job["status"] == "cancelled"
    assert job["result"]["termination"] == "cancelled" and job["result"]["solution"] is not None
    assert job["result"]["verified"]


def test_idempotency_key_in_body_or_header(client: TestClient) -> None:
    body = {"problem": KNAPSACK, "solver": "cbc", "idempotency_key": "order-42"}
    first = client.post("/jobs", json=body)
    again = client.post("/jobs", json=body)
    assert first.status_code == 202 and again.status_code == 200 and again.json()["id"] == first.json()["id"]
    other = client.post("/jobs", json={**body, "options": {"seed": 9}})
    assert other.status_code == 409 and other.json()["error"]["code"] == "idempotency_conflict"
    by_header = client.post("/jobs", json={"problem": KNAPSACK}, headers={"Idempotency-Key": "h-1"})
    assert client.post("/jobs", json={"problem": KNAPSACK}, headers={"Idempotency-Key": "h-1"}).json()["id"] \
        == by_header.json()["id"]


def test_invalid_jobs_are_refused_before_they_are_stored(client: TestClient) -> None:
    response = client.post("/jobs", json={"problem": {**KNAPSACK, "capacity": -3}, "solver": "cbc"})
    assert response.status_code == 422 and response.json()["error"]["details"][0]["loc"][:3] == [
        "body", "problem", "capacity"]
    assert client.post("/jobs", json={"problem": KNAPSACK, "solver": "cpsat"}).status_code == 422
    assert client.get("/jobs").json()["total"] == 0
    assert client.get("/jobs/unknown").status_code == 404


def test_full_queue_answers_429_with_retry_after(settings: Settings) -> None:
    tight = settings.model_copy(update={"job_concurrency": 1, "max_queued_jobs": 1})
    with TestClient(create_app(tight, Services(settings=tight, registry=registry_with_stubborn()))) as client:
        slow = client.post("/jobs", json={"problem": KNAPSACK, "solver": "stubborn",
                                          "options": {"time_limit": 30}}).json()["id"]
        wait_for(client, slow, {"running"})
        assert client.post("/jobs", json={"problem": KNAPSACK}).status_code == 202
        full = client.post("/jobs", json={"problem": KNAPSACK})
        assert full.status_code == 429 and full.headers["Retry-After"]
        listed = client.get("/jobs", params={"status": "queued"}).json()
        assert listed["total"] == 1
        client.post(f"/jobs/{slow}/cancel")


def test_restart_runs_queued_jobs_and_recovers_the_ones_left_running(settings: Settings) -> None:
    """A service that died left one job `running` and two `queued`: the next start finishes all three."""
    store = JobStore(make_engine(database_url(None, settings.data_dir)))
    upgrade(store.engine)
    ids = ["left-running", "queued-1", "queued-2"]
    for job_id in ids:
        store.create(job_id, JobRequest(problem=knapsack(), solver="cbc"))
    assert store.claim("left-running", "dead-service") is not None
    with TestClient(create_app(settings)) as client:
        jobs = [wait_for(client, job_id, {"succeeded", "failed"}) for job_id in ids]
    assert [job["status"] for job in jobs] == ["succeeded"] * 3
    assert jobs[0]["attempts"] == 2 and jobs[1]["attempts"] == 1


@pytest.mark.parametrize("threads", [4])
def test_concurrent_submissions_are_all_stored_and_run(client: TestClient, threads: int) -> None:
    ids: list[str] = []
    lock = threading.Lock()

    def submit(seed: int) -> None:
        response = client.post("/jobs", json={"problem": KNAPSACK, "solver": "cbc", "options": {"seed": seed}})
        with lock:
            ids.append(response.json()["id"])

    workers = [threading.Thread(target=submit, args=(n,)) for n in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    assert len(set(ids)) == threads
    assert all(wait_for(client, job_id, {"succeeded"})["status"] == "succeeded" for job_id in ids)


def test_a_thread_leaves_alone_a_job_another_thread_is_running(monkeypatch: pytest.MonkeyPatch) -> None:
    """Two threads saw the same job queued; the one whose claim failed removed it from the running
    set while the other ran it, and the reaper re-queued it as an orphan (its cancel lost with it)."""
    claimed: list[str] = []
    monkeypatch.setattr(embedded, "execute", lambda job_id, ctx: claimed.append(job_id))
    ctx = SimpleNamespace(store=SimpleNamespace(next_queued=lambda limit: ["job"]), worker="w")
    executor = embedded.EmbeddedExecutor(ctx, concurrency=2, stale_after=3.0, max_attempts=3)  # type: ignore[arg-type]
    executor._busy.add("job")  # another thread of this executor claimed it and runs it
    assert executor._run_one() is False
    assert claimed == [] and executor._busy == {"job"}
