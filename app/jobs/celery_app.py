"""The Celery application shared by the service (sender) and `optserve worker` (consumer)."""

import os
import socket
from functools import lru_cache

from celery import Celery

RUN_JOB = "optserve.run_job"
def make_celery(broker_url: str, max_time_limit: float, queue: str = "optserve") -> Celery:
    """Late acks, one message at a time per worker thread, a visibility timeout past any solve."""
    celery = Celery("optserve", broker=broker_url)
    celery.conf.update(
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_default_queue=queue,
        broker_transport_options={"visibility_timeout": int(max_time_limit * 2 + 60)},
        broker_connection_retry_on_startup=True,
        task_ignore_result=True,
    )
    celery.task(name=RUN_JOB, bind=True, max_retries=3)(run_job)
    return celery


def run_job(task, job_id: str) -> str | None:  # type: ignore[no-untyped-def]
    """Runs one job in this worker; retries only when the database is unreachable."""
    from sqlalchemy.exc import OperationalError

    from app.jobs.execute import execute

    try:
        status = execute(job_id, worker_context())
    except OperationalError as exc:
        raise task.retry(exc=exc, countdown=5) from exc
    return status.value if status is not None else None


@lru_cache(maxsize=1)
def worker_context():  # type: ignore[no-untyped-def]
    """One store and registry per worker process, built from the environment."""
    from app.jobs.execute import JobContext
    from app.jobs.factory import build_store, prewarm
    from app.settings import Settings
    from solvers.registry import load_builtin
    from solvers.runtime.pool import WorkerPool

    settings = Settings()
    name = f"{socket.gethostname()}:{os.getpid()}"
    registry, pool = load_builtin(), WorkerPool()
    prewarm(pool, registry, settings)
    store = build_store(settings)
    if settings.broker_url:  # the service's event streams learn of this worker's events through Redis
        from app.jobs.events import watch_store
        from app.jobs.relay import RedisRelay

        watch_store(store, RedisRelay(settings.broker_url, settings.queue, settings.broker_timeout).publish)
    return JobContext(store=store, registry=registry, limits=settings.dispatch_limits(), worker=name, pool=pool)
