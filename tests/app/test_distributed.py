"""The distributed engine for real: Celery workers on this machine's Redis, results in PostgreSQL.

Workers are separate `optserve worker` processes, killed with SIGKILL where the test says so.
"""

import os
import random
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.main import create_app
from app.settings import Settings
from tests.instances import knapsack, optimum
from tests.services import REDIS_PORT, drop_postgres_database, ensure_redis, fresh_postgres_database

REDIS_DB = 11
BROKER = f"redis://127.0.0.1:{REDIS_PORT}/{REDIS_DB}"
OPTSERVE = str(Path(sys.executable).parent / "optserve")


@pytest.fixture
def database() -> Iterator[str]:
    url, name = fresh_postgres_database()
    yield url
    drop_postgres_database(name)


@pytest.fixture
def broker() -> str:
    ensure_redis()
    return BROKER


class Workers:
    """Starts and kills `optserve worker` processes sharing one queue."""

    def __init__(self, env: dict[str, str], logs: Path) -> None:
        self.env, self.logs = env, logs
        self.procs: list[subprocess.Popen[bytes]] = []

    def start(self) -> subprocess.Popen[bytes]:
        with open(self.logs / f"worker-{len(self.procs)}.log", "wb") as log:
            proc = subprocess.Popen([OPTSERVE, "worker", "--concurrency", "1", "--loglevel", "WARNING"],
                                    env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        self.procs.append(proc)
        return proc

    def kill(self, proc: subprocess.Popen[bytes]) -> None:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)

    def stop_all(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
                try:
                    proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    os.killpg(proc.pid, signal.SIGKILL)


@pytest.fixture
def cluster(database: str, broker: str, tmp_path: Path) -> Iterator[tuple[TestClient, Workers]]:
    queue = f"optserve-test-{uuid.uuid4().hex[:8]}"  # other test runs may share this Redis
    env = {**os.environ, "OPTSERVE_BROKER_URL": broker, "OPTSERVE_DATABASE_URL": database,
           "OPTSERVE_STALE_AFTER": "3", "OPTSERVE_MAX_TIME_LIMIT": "30", "OPTSERVE_QUEUE": queue}
    settings = Settings(broker_url=broker, database_url=database, stale_after=3, max_time_limit=30,
                        data_dir=tmp_path, queue=queue)
    workers = Workers(env, tmp_path)
    try:
        with TestClient(create_app(settings)) as client:
            yield client, workers
    finally:
        workers.stop_all()


def wait_for(client: TestClient, job_id: str, states: set[str], timeout: float) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    job: dict[str, Any] = {}
    while time.monotonic() < deadline:
        job = client.get(f"/jobs/{job_id}").json()
        if job["status"] in states:
            return job
        time.sleep(0.2)
    raise AssertionError(f"job {job_id} still {job.get('status')} after {timeout} s")


def long_tsp(seconds: float) -> dict[str, Any]:
    rng = random.Random(1)
    coords = [[rng.uniform(0, 1000), rng.uniform(0, 1000)] for _ in range(300)]
    return {"problem": {"kind": "tsp", "coordinates": coords, "metric": "euc_2d"}, "solver": "highs",
            "options": {"time_limit": seconds}}


def test_two_workers_share_the_queue_and_results_land_in_postgres(cluster: tuple[TestClient, Workers]) -> None:
    client, workers = cluster
    workers.start()
    workers.start()
    ids = [client.post("/jobs", json={"problem": knapsack().model_dump(mode="json"), "solver": "cbc",
                                      "options": {"seed": n}}).json()["id"] for n in range(4)]
    jobs = [wait_for(client, job_id, {"succeeded", "failed"}, timeout=60) for job_id in ids]
    assert [job["status"] for job in jobs] == ["succeeded"] * 4
    assert all(job["result"]["objective"] == optimum(knapsack()) for job in jobs)


def test_a_worker_killed_mid_job_loses_nothing(cluster: tuple[TestClient, Workers]) -> None:
    client, workers = cluster
    victim = workers.start()
    job_id = client.post("/jobs", json=long_tsp(4)).json()["id"]
    wait_for(client, job_id, {"running"}, timeout=30)
    time.sleep(1.0)
    workers.kill(victim)
    workers.start()
    job = wait_for(client, job_id, {"succeeded", "failed"}, timeout=60)
    assert job["status"] == "succeeded", job
    assert job["attempts"] == 2 and job["result"]["verified"]


def wait_for_incumbent(client: TestClient, job_id: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while client.get(f"/jobs/{job_id}").json()["progress"]["incumbent"] is None:
        assert time.monotonic() < deadline, "no incumbent reported"
        time.sleep(0.1)


def test_cancellation_reaches_a_job_on_a_worker(cluster: tuple[TestClient, Workers]) -> None:
    client, workers = cluster
    workers.start()
    job_id = client.post("/jobs", json=long_tsp(25)).json()["id"]
    wait_for(client, job_id, {"running"}, timeout=30)
    wait_for_incumbent(client, job_id, timeout=20)  # a loaded machine may take a while to find one
    asked = time.monotonic()
    client.post(f"/jobs/{job_id}/cancel")
    job = wait_for(client, job_id, {"cancelled", "succeeded", "failed"}, timeout=10)
    assert time.monotonic() - asked < 2.5
    assert job["status"] == "cancelled" and job["result"]["solution"] is not None
