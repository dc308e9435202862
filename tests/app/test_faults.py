"""Faults with the real PostgreSQL and Redis behind proxies the test controls, and solve processes that die."""

import os
import time
import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update

from app.jobs.retention import purge_finished
from app.jobs.store import now
from app.jobs.tables import JobRow
from app.main import create_app
from app.services import Services
from app.settings import Settings
from bench.sse import play_worker, quiet_services, start_jobs
from models.job import JobRequest
from tests.conftest import registry_with_stubborn
from tests.fault_backends import MEMORY_HOG, SEGFAULT
from tests.services import PG_PORT, REDIS_PORT, drop_postgres_database, ensure_redis, fresh_postgres_database
from tests.tcp_proxy import TcpProxy

KNAPSACK = {"kind": "knapsack", "capacity": 5, "items": [{"id": "a", "weight": 2, "value": 3},
                                                         {"id": "b", "weight": 4, "value": 5}]}


@pytest.fixture
def crashy(settings: Settings) -> Iterator[TestClient]:
    registry = registry_with_stubborn()
    registry.register(MEMORY_HOG)
    registry.register(SEGFAULT)
    limited = settings.model_copy(update={"max_solver_memory": 768 * 1024**2, "prewarm_backends": []})
    with TestClient(create_app(limited, Services(settings=limited, registry=registry))) as client:
        yield client


def solve(client: TestClient, solver: str) -> dict[str, Any]:
    response = client.post("/solve", json={"problem": KNAPSACK, "solver": solver, "options": {"time_limit": 20}})
    assert response.status_code == 200, response.text
    return dict(response.json())


def test_a_solve_over_its_memory_limit_is_an_error_naming_the_limit(crashy: TestClient) -> None:
    result = solve(crashy, "memory_hog")
    assert result["status"] == "error"
    assert "memory limit of 768 MiB" in result["message"]
    assert crashy.get("/health/live").status_code == 200
    assert solve(crashy, "auto")["status"] == "optimal"


def test_a_segfaulting_solver_is_an_error_and_the_next_solve_works(crashy: TestClient) -> None:
    result = solve(crashy, "segfault")
    assert result["status"] == "error" and "SIGSEGV" in result["message"]
    assert solve(crashy, "segfault")["status"] == "error"  # a fresh process each time, not a dead one reused
    assert solve(crashy, "auto")["status"] == "optimal"


@pytest.fixture
def postgres() -> Iterator[str]:
    url, name = fresh_postgres_database()
    yield url
    drop_postgres_database(name)


def test_database_down_answers_503_everywhere_and_recovers_without_restart(postgres: str, tmp_path: Path) -> None:
    proxy = TcpProxy(("127.0.0.1", PG_PORT))
    url = postgres.replace(f":{PG_PORT}/", f":{proxy.port}/")
    settings = Settings(database_url=url, data_dir=tmp_path, prewarm_backends=[])
    try:
        with TestClient(create_app(settings)) as client:
            job_id = client.post("/jobs", json={"problem": KNAPSACK}).json()["id"]
            proxy.down()
            for method, path in (("GET", "/jobs"), ("GET", f"/jobs/{job_id}"), ("POST", "/jobs"),
                                 ("GET", "/health/ready"), ("GET", "/metrics")):
                response = client.request(method, path, json={"problem": KNAPSACK} if method == "POST" else None)
                assert response.status_code == 503, (method, path, response.text)
                assert response.json()["error"]["code"] == "database_unavailable"
            assert client.get("/health/live").status_code == 200
            proxy.up()
            assert client.get("/health/ready").status_code == 200
            deadline = time.monotonic() + 20
            while client.get(f"/jobs/{job_id}").json()["status"] != "succeeded":
                assert time.monotonic() < deadline, "the job accepted before the outage did not finish"
                time.sleep(0.1)
    finally:
        proxy.down()


def test_broker_down_still_accepts_jobs_and_sends_them_when_it_returns(postgres: str, tmp_path: Path) -> None:
    from tests.app.test_distributed import Workers

    ensure_redis()
    proxy = TcpProxy(("127.0.0.1", REDIS_PORT))
    queue = f"optserve-test-{uuid.uuid4().hex[:8]}"
    broker = f"redis://127.0.0.1:{proxy.port}/11"
    settings = Settings(broker_url=broker, database_url=postgres, data_dir=tmp_path, queue=queue,
                        replication_fanout=False, prewarm_backends=[])
    env = {"OPTSERVE_BROKER_URL": f"redis://127.0.0.1:{REDIS_PORT}/11", "OPTSERVE_DATABASE_URL": postgres,
           "OPTSERVE_QUEUE": queue, "OPTSERVE_REPLICATION_FANOUT": "false", "OPTSERVE_PREWARM_BACKENDS": "[]"}
    workers = Workers({**os.environ, **env}, tmp_path)
    try:
        with TestClient(create_app(settings)) as client:
            proxy.down()
            accepted = [client.post("/jobs", json={"problem": KNAPSACK}) for _ in range(3)]
            assert [r.status_code for r in accepted] == [202, 202, 202]
            assert client.get("/health/ready").json()["error"]["code"] == "broker_unavailable"
            workers.start()  # the worker reaches Redis directly; only the service's path is cut
            time.sleep(2.0)
            ids = [r.json()["id"] for r in accepted]
            assert {client.get(f"/jobs/{i}").json()["status"] for i in ids} == {"queued"}  # kept, not lost
            proxy.up()
            deadline = time.monotonic() + 60
            while {client.get(f"/jobs/{i}").json()["status"] for i in ids} != {"succeeded"}:
                assert time.monotonic() < deadline, "jobs accepted while the broker was down never ran"
                time.sleep(0.2)
    finally:
        workers.stop_all()
        proxy.down()


def test_retention_purges_old_finished_jobs_and_their_events_only(tmp_path: Path) -> None:
    services = quiet_services(tmp_path)
    store = services.store
    old_done, new_done = start_jobs(store, 2)
    play_worker(store, [old_done, new_done], events=2, interval=0.0)
    store.create("old-queued", JobRequest.model_validate({"problem": KNAPSACK}))
    with store.session() as session:
        ten_days_ago = now() - timedelta(days=10)
        session.execute(update(JobRow).where(JobRow.id.in_([old_done, "old-queued"]))
                        .values(finished_at=ten_days_ago, created_at=ten_days_ago))
    assert purge_finished(store, timedelta(days=7)) == 1
    assert store.get(old_done) is None and store.events_after(old_done, 0) == []
    assert store.get(new_done) is not None and store.get("old-queued") is not None
    assert len(store.events_after(new_done, 0)) == 5
    services.stop()


def test_the_service_sweeps_expired_jobs_on_its_own(tmp_path: Path) -> None:
    services = quiet_services(tmp_path)
    services.settings = services.settings.model_copy(update={"job_retention_days": 1.0})
    [job_id] = start_jobs(services.store, 1)
    play_worker(services.store, [job_id], events=0, interval=0.0)
    with services.store.session() as session:
        session.execute(update(JobRow).where(JobRow.id == job_id).values(finished_at=now() - timedelta(days=2)))
    services.start()  # the sweep runs at start, then hourly
    try:
        deadline = time.monotonic() + 5
        while services.store.get(job_id) is not None:
            assert time.monotonic() < deadline, "the retention sweep did not run"
            time.sleep(0.05)
    finally:
        services.stop()
