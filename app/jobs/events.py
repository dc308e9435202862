"""Job events reach event-stream clients by notification, not by every client polling the database.

After a transaction that wrote job events commits, `watch_store`'s hook calls `publish(job_id)`
(and logs the job's status transitions). In one process `publish` wakes the `EventHub` directly;
with a broker it also goes through Redis pub/sub (`app.jobs.relay`), so events written by
`optserve worker`s wake the service's hub. The hub keeps one feed per job with subscribers: on a
notification the feed reads the new events ONCE and hands them to every subscriber of that job,
so the database pays one query per notification per job, however many clients watch it. A slow
safety poll covers a lost notification (Redis restart, network blip).
"""

import asyncio
import contextlib
import logging
import threading
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import event
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from app.jobs.store import JobStore
from app.jobs.tables import JobEventRow, JobRow
from app.observability.jobs import job_transition
from models import Result
from models.job import JobEvent, JobStatus

if TYPE_CHECKING:
    from app.jobs.relay import RedisRelay

log = logging.getLogger(__name__)

SAFETY_POLL_SECONDS = 5.0
_PENDING = "optserve_new_events"


@dataclass(frozen=True)
class _Written:
    job_id: str
    status: str | None
    backend: str | None
    result: str | None
    reason: str | None


def watch_store(store: JobStore, publish: Callable[[str], None]) -> None:
    """Calls `publish(job_id)` after every commit that wrote events of that job; logs status changes."""
    sessions = store._sessions  # the store's sessionmaker: hooks apply to its sessions only

    def collect(session: Session, _context: Any) -> None:
        pending: list[_Written] = session.info.setdefault(_PENDING, [])
        rows = {obj.id: obj for obj in session.identity_map.values() if isinstance(obj, JobRow)}
        for obj in session.new:
            if isinstance(obj, JobEventRow):
                row = rows.get(obj.job_id)
                status = obj.data.get("status") if obj.type == "status" else None
                pending.append(_Written(obj.job_id, status, row.solver if row is not None else None,
                                        row.result if row is not None and status else None, obj.data.get("reason")))

    def deliver(session: Session) -> None:
        written: list[_Written] = session.info.pop(_PENDING, [])
        for job_id in dict.fromkeys(w.job_id for w in written):
            try:
                publish(job_id)
            except Exception:  # the safety poll still delivers; a notification must not fail a commit
                log.exception("could not publish events of job %s", job_id)
        for item in written:
            if item.status is not None:
                _log_transition(item)

    def forget(session: Session, _previous: Any = None) -> None:
        session.info.pop(_PENDING, None)

    event.listen(sessions, "after_flush", collect)
    event.listen(sessions, "after_commit", deliver)
    event.listen(sessions, "after_soft_rollback", forget)


def _log_transition(item: _Written) -> None:
    result = None
    if item.result:
        try:
            result = Result.model_validate_json(item.result)
        except ValueError:
            result = None
    job_transition(item.job_id, JobStatus(item.status), item.backend, result, item.reason)


@dataclass
class _Feed:
    """The subscribers of one job on one event loop, and the last event sequence they were given."""

    job_id: str
    loop: asyncio.AbstractEventLoop
    seq: int
    wake: asyncio.Event = field(default_factory=asyncio.Event)
    queues: set[asyncio.Queue[list[JobEvent]]] = field(default_factory=set)
    task: asyncio.Task[None] | None = None


class EventHub:
    """Fans job events out to this process's event-stream subscribers."""

    def __init__(self, store: JobStore, safety_poll: float = SAFETY_POLL_SECONDS) -> None:
        self.store, self.safety_poll = store, safety_poll
        self._feeds: dict[tuple[int, str], _Feed] = {}
        self._lock = threading.Lock()

    def notify(self, job_id: str) -> None:
        """New events of `job_id` are committed; safe to call from any thread."""
        with self._lock:
            feeds = [feed for (_, jid), feed in self._feeds.items() if jid == job_id]
        for feed in feeds:
            feed.loop.call_soon_threadsafe(feed.wake.set)

    async def subscribe(self, job_id: str, after: int, idle: float = 10.0) -> AsyncIterator[JobEvent | None]:
        """Events after `after`, in order, until the job's final status event; None after `idle` quiet seconds."""
        queue: asyncio.Queue[list[JobEvent]] = asyncio.Queue()
        feed = self._join(job_id, after, queue)
        try:
            seen = after
            backlog = [] if feed.seq == after else await run_in_threadpool(self.store.events_after, job_id, after)
            while True:
                try:
                    batch = backlog or await asyncio.wait_for(queue.get(), timeout=idle)
                except TimeoutError:
                    yield None  # time for a keep-alive comment
                    continue
                backlog = []
                for item in batch:
                    if item.seq <= seen:
                        continue
                    seen = item.seq
                    yield item
                    if is_final(item):
                        return
                if not batch:
                    return  # the feed ended: the job finished before this subscriber saw its last event
        finally:
            self._leave(feed, queue)

    def _join(self, job_id: str, after: int, queue: asyncio.Queue[list[JobEvent]]) -> _Feed:
        loop = asyncio.get_running_loop()
        with self._lock:
            feed = self._feeds.get((id(loop), job_id))
            if feed is None or (feed.task is not None and feed.task.done()):
                feed = _Feed(job_id, loop, after)
                feed.wake.set()  # read what is there now (and learn whether the job already ended)
                self._feeds[(id(loop), job_id)] = feed
                feed.task = loop.create_task(self._run(feed))
            feed.queues.add(queue)
        return feed

    def _leave(self, feed: _Feed, queue: asyncio.Queue[list[JobEvent]]) -> None:
        with self._lock:
            feed.queues.discard(queue)
            if not feed.queues and self._feeds.get((id(feed.loop), feed.job_id)) is feed:
                del self._feeds[(id(feed.loop), feed.job_id)]
                if feed.task is not None:
                    feed.task.cancel()

    async def _run(self, feed: _Feed) -> None:
        """One database read per wake-up for all subscribers of the job."""
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(feed.wake.wait(), timeout=self.safety_poll)
            feed.wake.clear()
            try:
                events = await run_in_threadpool(self.store.events_after, feed.job_id, feed.seq)
                ended = not events and await run_in_threadpool(_ended, self.store, feed.job_id)
            except Exception:
                log.exception("could not read events of job %s", feed.job_id)
                continue
            if events:
                feed.seq = events[-1].seq
            if events or ended:
                for queue in list(feed.queues):
                    queue.put_nowait(events)
            if ended or any(is_final(item) for item in events):
                return


def is_final(item: JobEvent) -> bool:
    return item.type.value == "status" and JobStatus(item.data["status"]).finished


def _ended(store: JobStore, job_id: str) -> bool:
    job = store.get(job_id)
    return job is None or job.status.finished


def wire_events(store: JobStore, broker_url: str | None, queue: str,
                timeout: float) -> tuple[EventHub, "RedisRelay | None"]:
    """The service's hub, fed by this process's commits and, with a broker, by the workers' (via Redis)."""
    hub = EventHub(store)
    if not broker_url:
        watch_store(store, hub.notify)
        return hub, None
    from app.jobs.relay import RedisRelay

    relay = RedisRelay(broker_url, queue, timeout)

    def publish(job_id: str) -> None:
        hub.notify(job_id)  # this process's subscribers at once; other API processes through Redis
        relay.publish(job_id)

    watch_store(store, publish)
    return hub, relay
