"""`python -m bench.simulation --celery`: replications/s on the local pool vs over Celery workers.

Starts one `optserve worker --concurrency 2` (two simulation processes) on its own queue of the
given Redis, then scores the same candidate three ways: local pool of 2 processes, workers only
(the caller simulates nothing), and both (the default runner in distributed mode). KPIs must be
identical in all three (common random numbers); the table says so.
"""

import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from rich.table import Table

from app.jobs.fanout import CeleryRunner, Fanout
from models.simulation import SimulationSpec
from models.staffing import StaffingProblem, StaffingSolution
from solvers.simulation.evaluator import Evaluator
from solvers.simulation.runners import BatchRunner, LocalPoolRunner

OPTSERVE = str(Path(sys.executable).parent / "optserve")


def fanout_throughput(problem: StaffingProblem, replications: int, broker: str) -> Table:
    queue = f"bench-{uuid.uuid4().hex[:8]}"
    fanout = Fanout(broker, f"{queue}.replications")
    table = Table("runner", "replications", "seconds", "replications/s", "where batches ran", "same KPIs")
    with tempfile.TemporaryDirectory() as data, _worker(broker, queue, data) as _:
        _wait_consuming(fanout, f"{queue}.replications")
        runs: list[tuple[str, BatchRunner[Any]]] = [("local pool, 2 processes", LocalPoolRunner(2)),
                                                    ("Celery, 1 worker x 2 processes", fanout.runner(0)),
                                                    ("local 2 + Celery 2 (default)", fanout.runner(2))]
        reference = None
        for name, runner in runs:
            kpis, seconds = _score(problem, replications, runner)
            reference = reference or kpis
            stats = getattr(runner, "stats", None)
            where = (f"local {stats.local}, taken back {stats.stolen}, workers {stats.remote}"
                     if isinstance(runner, CeleryRunner) and stats else "local")
            table.add_row(name, str(replications), f"{seconds:.2f}", f"{replications / seconds:.1f}", where,
                          str(kpis == reference))
    fanout.close()
    return table


def _score(problem: StaffingProblem, replications: int, runner: BatchRunner[Any]) -> tuple[list[Any], float]:
    evaluator = Evaluator(problem, SimulationSpec(replications=replications, seed=1), time.monotonic() + 3600,
                          runner=runner)
    try:
        evaluator.kpis(StaffingSolution(servers={"s": 6}), 16)  # start pools, import SimPy (not timed)
        if isinstance(runner, CeleryRunner):
            runner.stats = type(runner.stats)()
        started = time.perf_counter()
        kpis = evaluator.kpis(StaffingSolution(servers={"s": 4}), replications)
        return kpis, time.perf_counter() - started
    finally:
        evaluator.close()


class _worker:
    """An `optserve worker --concurrency 2` subprocess for the duration of the block."""

    def __init__(self, broker: str, queue: str, data: str) -> None:
        self.env = {**{k: v for k, v in os.environ.items() if not k.startswith("OPTSERVE_")},
                    "OPTSERVE_BROKER_URL": broker, "OPTSERVE_QUEUE": queue, "OPTSERVE_DATA_DIR": data,
                    "OPTSERVE_PREWARM_BACKENDS": "[]"}

    def __enter__(self) -> subprocess.Popen[bytes]:
        self.proc = subprocess.Popen([OPTSERVE, "worker", "--concurrency", "2", "--loglevel", "WARNING"],
                                     env=self.env, stdout=subprocess.DEVNULL, start_new_session=True)
        return self.proc

    def __exit__(self, *_: object) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=30)


def _wait_consuming(fanout: Fanout, queue: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        replies = fanout.client.control.inspect(timeout=0.5).active_queues() or {}
        if any(q["name"] == queue for queues in replies.values() for q in queues):
            return
    raise RuntimeError(f"no worker consumed {queue} within {timeout} s (is Redis up?)")
