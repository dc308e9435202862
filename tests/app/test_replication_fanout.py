"""Replications fanned out over Celery workers, for real: an `optserve worker` subprocess on this
machine's Redis. Results must be identical to local runs (common random numbers), a caller with
nobody consuming the queue must still finish (work stealing), and a cancel must revoke the rest.
"""

import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis

from app.jobs.fanout import CeleryRunner, Fanout, RunnerStats
from app.jobs.replications import connect, install, replication_queue, serve_replications, uninstall
from app.settings import Settings
from models.simulation import SimulationSpec
from models.staffing import StaffingProblem, StaffingSolution
from solvers.simulation.evaluator import Evaluator, SimulationStopped
from solvers.simulation.runners import Batch, LocalPoolRunner
from tests.services import REDIS_PORT, ensure_redis

REDIS_DB = 11
BROKER = f"redis://127.0.0.1:{REDIS_PORT}/{REDIS_DB}"
OPTSERVE = str(Path(sys.executable).parent / "optserve")
SPEC = SimulationSpec(replications=10, seed=7)


def station(horizon: float = 500.0) -> StaffingProblem:
    """M/M/4 at rho = 0.6 (bench/simulation.py's station), shortened so a replication takes ~20 ms."""
    return StaffingProblem.model_validate({
        "kind": "staffing", "arrivals": {"distribution": "exponential", "mean": 1.0},
        "stations": [{"id": "s", "service": {"distribution": "exponential", "mean": 2.4},
                      "servers": {"min": 1, "max": 20}}],
        "horizon": horizon, "warmup": 50})


FOUR = StaffingSolution(servers={"s": 4})


class RecordingFanout(Fanout):
    """Remembers the tasks it sent and revoked, so tests can ask the worker and Redis about them."""

    def __init__(self, broker_url: str, queue: str) -> None:
        super().__init__(broker_url, queue)
        self.sent: list[str] = []
        self.revoked: list[str] = []

    def send(self, batch: Batch, expires_in: float | None) -> str:
        task_id = super().send(batch, expires_in)
        self.sent.append(task_id)
        return task_id

    def revoke(self, task_ids: list[str]) -> None:
        self.revoked += task_ids
        super().revoke(task_ids)


@pytest.fixture(scope="module")
def worker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """One `optserve worker` (one thread) serving a queue of its own; yields (jobs queue, process)."""
    ensure_redis()
    queue = f"optserve-fanout-{uuid.uuid4().hex[:8]}"
    logs = tmp_path_factory.mktemp("fanout")
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("OPTSERVE_")},
           "OPTSERVE_BROKER_URL": BROKER, "OPTSERVE_QUEUE": queue, "OPTSERVE_DATA_DIR": str(logs),
           "OPTSERVE_PREWARM_BACKENDS": "[]"}
    with open(logs / "worker.log", "wb") as log:
        proc = subprocess.Popen([OPTSERVE, "worker", "--concurrency", "1", "--loglevel", "WARNING"], env=env,
                                stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        wait_until_consuming(queue + ".replications", proc, logs / "worker.log")
        yield queue, proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


def wait_until_consuming(queue: str, proc: subprocess.Popen[bytes], log: Path, timeout: float = 30.0) -> None:
    fanout = Fanout(BROKER, queue)
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            assert proc.poll() is None, log.read_text()
            replies = fanout.client.control.inspect(timeout=0.5).active_queues() or {}
            if any(q["name"] == queue for queues in replies.values() for q in queues):
                return
        raise AssertionError(f"the worker never consumed {queue}:\n{log.read_text()}")
    finally:
        fanout.close()


def local_kpis(replications: int, horizon: float = 500.0) -> list[dict[str, float]]:
    evaluator = Evaluator(station(horizon), SPEC, time.monotonic() + 60, runner=LocalPoolRunner(1))
    return evaluator.kpis(FOUR, replications)


def test_the_setting_installs_the_celery_runner_for_new_evaluators() -> None:
    settings = Settings(broker_url=BROKER, queue="q")
    fanout = connect(settings)
    assert fanout is not None and fanout.queue == replication_queue(settings) == "q.replications"
    install(fanout)
    try:
        assert isinstance(Evaluator(station(), SPEC, time.monotonic() + 5, workers=1)._runner, CeleryRunner)
    finally:
        uninstall(fanout)
    assert isinstance(Evaluator(station(), SPEC, time.monotonic() + 5, workers=1)._runner, LocalPoolRunner)
    off = Settings(broker_url=BROKER, replication_fanout=False)
    assert connect(off) is None and serve_replications(None, off, 1) == []
    assert connect(Settings(broker_url=None)) is None


def test_replications_on_a_worker_equal_local_ones(worker: tuple[str, subprocess.Popen[bytes]]) -> None:
    queue, proc = worker
    fanout = Fanout(BROKER, queue + ".replications")
    install(fanout)  # the start-up hook: an Evaluator built without a runner now fans out
    try:
        evaluator = Evaluator(station(), SPEC, time.monotonic() + 60, workers=1)
        runner = evaluator._runner
        assert isinstance(runner, CeleryRunner)
        kpis = evaluator.kpis(FOUR, 40)
        evaluator.close()
    finally:
        uninstall(fanout)
    assert kpis == local_kpis(40)  # identical floats: CRN streams do not depend on where they run
    assert runner.stats.remote >= 1, runner.stats
    assert set(runner.stats.workers) == {f"{socket.gethostname()}:{proc.pid}"}


def test_with_nobody_consuming_the_caller_runs_everything_itself() -> None:
    ensure_redis()
    queue = f"optserve-fanout-{uuid.uuid4().hex[:8]}.replications"
    fanout = RecordingFanout(BROKER, queue)  # no worker consumes this queue
    runner = fanout.runner(2)
    evaluator = Evaluator(station(), SPEC, time.monotonic() + 60, runner=runner)
    started = time.monotonic()
    try:
        kpis = evaluator.kpis(FOUR, 40)
    finally:
        evaluator.close()
        fanout.close()
        redis.Redis.from_url(BROKER).delete(queue, f"_kombu.binding.{queue}")
    assert time.monotonic() - started < 10.0
    assert kpis == local_kpis(40)
    assert runner.stats.remote == 0 and runner.stats.local == 2 and runner.stats.stolen == 8, runner.stats
    assert sorted(fanout.revoked) == sorted(fanout.sent) and len(fanout.sent) == 8
    assert runner.open == []


def test_cancelling_revokes_the_outstanding_tasks(worker: tuple[str, subprocess.Popen[bytes]]) -> None:
    queue, _ = worker
    fanout = RecordingFanout(BROKER, queue + ".replications")
    asked: list[float] = []

    def cancelled() -> bool:
        if not asked and fanout.sent and time.monotonic() - started > 0.3:
            asked.append(time.monotonic())
        return bool(asked)

    evaluator = Evaluator(station(), SPEC, time.monotonic() + 60, cancelled, runner=fanout.runner(0))
    started = time.monotonic()
    with pytest.raises(SimulationStopped):
        evaluator.kpis(FOUR, 400)  # 100 batches, 3-8 s for one worker: most are still queued at 0.3 s
    assert time.monotonic() - asked[0] < 0.5
    outstanding = set(fanout.revoked)
    assert len(fanout.sent) == 100 and len(outstanding) >= 50
    states = drained_states(fanout, queue + ".replications", sorted(outstanding))
    ran = [task_id for task_id, state in states.items() if state == "SUCCESS"]
    assert len(ran) <= 2, ran  # at most the batch running at the cancel (and one already fetched)
    evaluator.close()
    fanout.close()


def drained_states(fanout: Fanout, queue: str, task_ids: list[str], timeout: float = 10.0) -> dict[str, str | None]:
    """Waits until the worker has taken every message off the queue, then reads the tasks' states."""
    client = redis.Redis.from_url(BROKER)
    deadline = time.monotonic() + timeout
    while client.llen(queue) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert client.llen(queue) == 0, "the worker did not drain the revoked tasks"
    time.sleep(0.5)  # the last message taken may still be in flight
    metas = fanout.states(task_ids)
    return {task_id: meta["status"] if meta else None for task_id, meta in zip(task_ids, metas, strict=True)}


class StuckFanout(Fanout):
    """No broker: every task reports `status` forever (a worker that died mid-batch, or failed)."""

    def __init__(self, status: str | None) -> None:
        super().__init__(BROKER, "unused")
        self.status = status

    def send(self, batch: Batch, expires_in: float | None) -> str:
        if self.status is None:
            raise ConnectionError("broker down")
        return uuid.uuid4().hex

    def states(self, task_ids: list[str]) -> list[dict[str, Any] | None]:
        return [{"status": self.status, "result": None} for _ in task_ids]

    def revoke(self, task_ids: list[str]) -> None:
        pass

    def forget(self, task_ids: list[str]) -> None:
        pass


@pytest.mark.parametrize(("status", "taken_back"), [("STARTED", "backups"), ("FAILURE", None), (None, None)])
def test_lost_failed_or_unsendable_batches_run_locally(status: str | None, taken_back: str | None) -> None:
    fanout = StuckFanout("FAILURE")
    runner = fanout.runner(1)
    evaluator = Evaluator(station(), SPEC, time.monotonic() + 30, runner=runner)
    try:
        evaluator.kpis(StaffingSolution(servers={"s": 6}), 8)  # starts the pool, shows the pace of a batch
        fanout.status, runner.stats = status, RunnerStats()
        assert evaluator.kpis(FOUR, 16) == local_kpis(16)
    finally:
        evaluator.close()
    assert runner.stats.local == 1 and runner.stats.remote == 0 and runner.stats.stolen == 0
    if taken_back:
        assert getattr(runner.stats, taken_back) == 3  # backed up once the local batch showed the pace
