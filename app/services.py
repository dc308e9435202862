"""The service's collaborators, built once per app and injected into handlers (no globals)."""

import os
import socket
import threading
import uuid
from dataclasses import dataclass, field
from typing import Protocol

from app.auth.keys import KeyStore
from app.auth.ratelimit import RateLimiter
from app.jobs.events import EventHub, wire_events
from app.jobs.execute import JobContext
from app.jobs.factory import build_store, prewarm
from app.jobs.relay import RedisRelay
from app.jobs.retention import RetentionSweeper
from app.jobs.store import JobStore
from app.observability.prewarm import PrewarmWatch
from app.settings import Settings
from solvers.dispatch import DispatchLimits
from solvers.registry import Registry, load_builtin
from solvers.runtime.pool import WorkerPool


class Executor(Protocol):
    """Where submitted jobs run: threads in this process, or Celery workers."""

    def start(self) -> None: ...
    def submit(self, job_id: str) -> None: ...
    def stop(self, timeout: float = 5.0) -> None: ...


def build_executor(settings: Settings, store: JobStore, registry: Registry, pool: WorkerPool) -> Executor:
    if settings.broker_url:
        from app.jobs.celery_app import make_celery
        from app.jobs.distributed import CeleryExecutor
        from app.jobs.replications import connect

        celery = make_celery(settings.broker_url, settings.max_time_limit, settings.queue)
        return CeleryExecutor(celery, store, settings.stale_after, settings.max_attempts, connect(settings))
    from app.jobs.embedded import EmbeddedExecutor

    ctx = JobContext(store=store, registry=registry, limits=settings.dispatch_limits(),
                     worker=f"{socket.gethostname()}:{os.getpid()}:embedded:{uuid.uuid4().hex[:8]}", pool=pool)
    return EmbeddedExecutor(ctx, settings.job_concurrency, settings.stale_after, settings.max_attempts)


@dataclass
class Services:
    """What a request handler may use: settings, backends, solve slots, the job store and executor."""

    settings: Settings
    registry: Registry = field(default_factory=load_builtin)
    solve_slots: threading.BoundedSemaphore = field(init=False)
    pool: WorkerPool = field(default_factory=WorkerPool)
    rate_limiter: RateLimiter = field(default_factory=RateLimiter)
    _store: JobStore | None = None
    _keys: KeyStore | None = None
    _executor: Executor | None = None
    _events: EventHub | None = None
    _relay: RedisRelay | None = None
    _sweeper: RetentionSweeper | None = None
    prewarm_watch: PrewarmWatch = field(init=False)

    def __post_init__(self) -> None:
        self.solve_slots = threading.BoundedSemaphore(self.settings.max_concurrent_solves)
        self.prewarm_watch = PrewarmWatch(self.pool, {})

    @property
    def limits(self) -> DispatchLimits:
        return self.settings.dispatch_limits()

    @property
    def store(self) -> JobStore:
        if self._store is None:
            store = build_store(self.settings)
            self._events, self._relay = wire_events(store, self.settings.broker_url, self.settings.queue,
                                                    self.settings.broker_timeout)
            self._store = store
        return self._store

    @property
    def events(self) -> EventHub:
        """Job events for event-stream clients, by notification (see app/jobs/events.py)."""
        assert self.store is not None and self._events is not None
        return self._events

    @property
    def keys(self) -> KeyStore:
        """API keys live in the job database (same engine, same migrations)."""
        if self._keys is None:
            self._keys = KeyStore(self.store.engine)
        return self._keys

    @property
    def executor(self) -> Executor:
        if self._executor is None:
            self._executor = build_executor(self.settings, self.store, self.registry, self.pool)
        return self._executor

    def start(self) -> None:
        self.executor.start()
        if self._relay is not None:
            self._relay.listen(self.events.notify)
        if self.settings.job_retention_days is not None:
            self._sweeper = RetentionSweeper(self.store, self.settings.job_retention_days)
            self._sweeper.start()
        self.prewarm_watch = PrewarmWatch(self.pool, prewarm(self.pool, self.registry, self.settings))

    def stop(self) -> None:
        if self._executor is not None:
            self._executor.stop()
        if self._relay is not None:
            self._relay.close()
        if self._sweeper is not None:
            self._sweeper.stop()
        if self._store is not None:
            self._store.engine.dispose()
        self.pool.close()
