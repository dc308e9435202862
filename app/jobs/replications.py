"""Replication fan-out wiring: the worker-side task, and installing the Celery runner at start-up.

`optserve worker` registers `optserve.replications` and consumes `<queue>.replications` beside
the jobs queue; the service and the workers (which run sim-opt jobs themselves) install the
Celery runner as the default for every new Evaluator. See app/jobs/fanout.py for the protocol.
"""

import os
import socket
from functools import lru_cache
from typing import Any

from celery import Celery

from app.jobs.fanout import REPLICATIONS, Fanout
from app.settings import Settings
from solvers.simulation.runners import Batch, LocalPoolRunner, set_default_runner

RESULT_EXPIRES = 3600
"""Seconds a result no caller collected (a stolen or cancelled batch) stays in Redis."""


def replication_queue(settings: Settings) -> str:
    """One replication queue per deployment, named after its jobs queue."""
    return f"{settings.queue}.replications"


def fanout_enabled(settings: Settings) -> bool:
    return bool(settings.broker_url) and settings.replication_fanout


def connect(settings: Settings) -> Fanout | None:
    """The connection to the replication queue when fan-out is on (distributed mode, setting on)."""
    return Fanout(str(settings.broker_url), replication_queue(settings)) if fanout_enabled(settings) else None


def install(fanout: Fanout | None) -> None:
    """Makes every new Evaluator of this process fan out over the workers."""
    if fanout is not None:
        set_default_runner(fanout.runner)


def uninstall(fanout: Fanout | None) -> None:
    if fanout is not None:
        set_default_runner(None)
        fanout.close()


def serve_replications(celery: Celery, settings: Settings, processes: int) -> list[str]:
    """Registers the replication task on a worker's app; returns the extra queues to consume."""
    if not fanout_enabled(settings):
        return []
    celery.conf.update(result_backend=settings.broker_url, result_expires=RESULT_EXPIRES)

    def task(problem_json: str, solution_json: str, model_json: str, seed: int, replications: list[int],
             candidate: int | None) -> dict[str, Any]:
        return run_replications(processes, problem_json, solution_json, model_json, seed, replications, candidate)

    # track_started: callers take back only batches no worker has started
    celery.task(name=REPLICATIONS, ignore_result=False, track_started=True, acks_late=False)(task)
    return [replication_queue(settings)]


def run_replications(processes: int, problem_json: str, solution_json: str, model_json: str, seed: int,
                     replications: list[int], candidate: int | None) -> dict[str, Any]:
    """One batch on this worker's simulation processes (worker threads would share one GIL).

    Acked on receipt, not late: a batch lost with its worker is re-run by the caller, which
    watches for stragglers, so a re-delivery would only repeat work nobody waits for.
    """
    batch = Batch(problem_json, solution_json, model_json, seed, replications, candidate)
    runner = _simulators(processes)
    handle = runner.submit(batch)
    while (kpis := runner.poll(handle, timeout=60.0)) is None:
        continue
    return {"kpis": kpis, "worker": f"{socket.gethostname()}:{os.getpid()}"}


@lru_cache(maxsize=1)
def _simulators(processes: int) -> LocalPoolRunner:
    return LocalPoolRunner(processes)
