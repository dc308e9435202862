"""Operator's view: request ids, one JSON log line per request and per job transition, /metrics, readiness."""

import json
import logging
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.exc import OperationalError

from app.auth.keys import ApiKey
from app.main import create_app
from app.observability.logs import JsonFormatter, use_json
from app.observability.prewarm import PrewarmWatch
from app.observability.readiness import check_broker
from app.observability.requests import MAX_ID_LENGTH, sanitise_request_id
from app.services import Services
from app.settings import Settings
from solvers.runtime.pool import WorkerPool
from tests.conftest import SLOW_LOADING, registry_with_stubborn, wait_until_ready

KNAPSACK = {"kind": "knapsack", "capacity": 5, "items": [{"id": "a", "weight": 2, "value": 3},
                                                         {"id": "b", "weight": 4, "value": 5}]}


def test_request_id_is_echoed_sanitised_or_generated(client: TestClient) -> None:
    assert client.get("/solvers", headers={"X-Request-ID": "abc-123"}).headers["X-Request-ID"] == "abc-123"
    dirty = client.get("/solvers", headers={"X-Request-ID": "a b\r<script>" + "x" * 200}).headers["X-Request-ID"]
    assert dirty.startswith("abscript") and len(dirty) == MAX_ID_LENGTH
    generated = client.get("/solvers").headers["X-Request-ID"]
    assert len(generated) == 32 and generated != client.get("/solvers").headers["X-Request-ID"]
    assert len(sanitise_request_id("!!!")) == 32  # nothing usable left: a fresh id


def test_one_log_line_per_request_with_route_template(client: TestClient, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="optserve.request"):
        client.get("/jobs/nope", headers={"X-Request-ID": "rid-7"})
    [record] = [r for r in caplog.records if r.name == "optserve.request"]
    line = json.loads(JsonFormatter().format(record))
    assert line["route"] == "/jobs/{job_id}" and line["method"] == "GET" and line["status"] == 404
    assert line["request_id"] == "rid-7" and line["key_name"] is None and line["duration_ms"] >= 0


def test_job_transitions_are_logged_with_backend_objective_and_gap(
        client: TestClient, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="optserve.jobs"):
        job_id = client.post("/jobs", json={"problem": KNAPSACK}).json()["id"]
        deadline = time.monotonic() + 20
        while client.get(f"/jobs/{job_id}").json()["status"] != "succeeded" and time.monotonic() < deadline:
            time.sleep(0.05)
    lines = [json.loads(JsonFormatter().format(r)) for r in caplog.records
             if r.name == "optserve.jobs" and getattr(r, "job_id", None) == job_id]
    assert [line["status"] for line in lines] == ["queued", "running", "succeeded"]
    assert lines[-1]["objective"] == 5 and lines[-1]["gap"] == 0 and lines[-1]["backend"]


def test_metrics_count_requests_solves_and_read_queue_depth(client: TestClient) -> None:
    client.post("/solve", json={"problem": KNAPSACK})
    client.get("/jobs/nope")
    text = client.get("/metrics").text
    assert 'optserve_http_requests_total{method="GET",route="/jobs/{job_id}",status="404"}' in text
    assert 'optserve_http_request_duration_seconds_bucket{le="0.005",method="POST",route="/solve"' in text
    assert "optserve_solves_total{" in text and "optserve_solve_duration_seconds_count" in text
    assert "optserve_queue_depth 0.0" in text and "optserve_jobs_running" in text
    assert "optserve_events_streamed_total" in text


def test_metrics_need_an_admin_key_when_keys_are_required(settings: Settings) -> None:
    secured = settings.model_copy(update={"auth": "required"})
    services = Services(settings=secured)
    with TestClient(create_app(secured, services)) as client:
        user = services.keys.create(ApiKey(name="user"))
        admin = services.keys.create(ApiKey(name="ops", admin=True))
        assert client.get("/metrics").status_code == 401
        assert client.get("/metrics", headers={"Authorization": f"Bearer {user}"}).status_code == 403
        assert client.get("/metrics", headers={"Authorization": f"Bearer {admin}"}).status_code == 200


def test_ready_answers_503_naming_the_database_when_it_is_down(client: TestClient,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    wait_until_ready(client)
    store = client.app.state.services.store  # type: ignore[attr-defined]

    def down() -> None:
        raise OperationalError("SELECT 1", {}, Exception("connection refused"))

    monkeypatch.setattr(store, "ping", down)
    response = client.get("/health/ready")
    assert response.status_code == 503 and response.headers["Retry-After"]
    assert response.json()["error"]["code"] == "database_unavailable"


def test_broker_check_names_the_broker_within_its_timeout() -> None:
    began = time.monotonic()
    problem = check_broker("redis://127.0.0.1:9/0", timeout=0.5)  # nothing listens on the discard port
    assert problem is not None and problem.code == "broker_unavailable"
    assert time.monotonic() - began < 2.0


def test_json_logs_unless_a_terminal_or_overridden(tmp_path: Path) -> None:
    class Tty:
        def isatty(self) -> bool:
            return True

    with open(tmp_path / "f", "w") as file:
        assert use_json(None, Tty()) is False and use_json(None, file) is True
    assert use_json("json", Tty()) is True and use_json("text", None) is False


def test_ready_waits_for_the_backends_started_with_the_server(settings: Settings) -> None:
    """A request for a backend still loading cannot be sent before the load is over (it answered
    `no_solution` at its deadline right after start-up): readiness holds traffic until then, once."""
    registry = registry_with_stubborn()
    registry.register(SLOW_LOADING)  # its module takes 3 s to import
    slow = settings.model_copy(update={"prewarm_backends": ["knapsack_exact", SLOW_LOADING.name]})
    services = Services(settings=slow, registry=registry)
    with TestClient(create_app(slow, services)) as client:
        response = client.get("/health/ready")
        assert response.status_code == 503 and response.headers["Retry-After"] == "1"
        body = response.json()
        assert body["status"] == "not_ready" and SLOW_LOADING.name in body["loading_backends"]
        assert body["families_without_backend"] == []
        assert 1.5 < wait_until_ready(client) < 30
        assert client.get("/health/ready").json() == {"status": "ready", "families_without_backend": [],
                                                      "loading_backends": []}
        services.pool.warm(SLOW_LOADING.module, slow.max_solver_memory)  # as after a kill at a deadline
        assert services.pool.loading_modules() == {SLOW_LOADING.module}
        assert client.get("/health/ready").status_code == 200  # latched: a replacement loading does not count


def test_ready_stops_waiting_for_a_backend_that_never_finishes_loading() -> None:
    pool = WorkerPool()
    try:
        pool.warm(SLOW_LOADING.module, None)
        watch = PrewarmWatch(pool, {SLOW_LOADING.name: SLOW_LOADING.module}, ready_anyway_after=0.5)
        assert watch.loading() == [SLOW_LOADING.name]
        time.sleep(0.6)
        assert watch.loading() == [] and pool.loading_modules() == {SLOW_LOADING.module}
    finally:
        pool.close()
