"""Builds the job machinery from Settings, for the service (app/services.py) and `optserve worker`.

It lives under app/jobs and imports nothing of app/services.py, so the Celery task module can
build a worker's context without importing the service that sends it tasks (no import cycle).
"""

from app.jobs.db import database_url, make_engine
from app.jobs.schema import upgrade
from app.jobs.store import JobStore
from app.settings import Settings
from solvers.registry import Registry
from solvers.runtime.pool import WorkerPool


def build_store(settings: Settings) -> JobStore:
    """The job store for these settings, with its schema migrated to the latest version."""
    engine = make_engine(database_url(settings.database_url, settings.data_dir))
    upgrade(engine)
    return JobStore(engine)


def prewarm(pool: WorkerPool, registry: Registry, settings: Settings) -> dict[str, str]:
    """Starts the solve processes of `settings.prewarm_backends` (names are validated by Settings);
    the backends started, with their modules."""
    started = {name: registry.get(name).module for name in settings.prewarm_backends if name in registry.names()}
    for module in started.values():
        pool.warm(module, settings.max_solver_memory)
    return started
