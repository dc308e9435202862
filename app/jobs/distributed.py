"""The distributed executor: jobs go to Celery workers through Redis; results land in the database.

Messages are acknowledged late and re-delivered if a worker dies, and the service also re-queues
jobs whose worker stopped beating (and sends them again), so neither a lost message nor a killed
worker loses a job; the atomic claim in the store keeps a job from running twice at once.

Sending happens on a dispatcher thread, after the job is committed: `POST /jobs` never waits for
(or fails on) the broker. While the broker is down the dispatcher keeps the unsent ids and tries
again every DISPATCH_RETRY seconds; at start it re-sends every queued job, so a job accepted just
before a crash of the service is not lost either (a duplicate message is harmless: claims are atomic).
"""

import contextlib
import logging
import queue
import threading

from celery import Celery

from app.jobs.celery_app import RUN_JOB
from app.jobs.fanout import Fanout
from app.jobs.replications import install, uninstall
from app.jobs.store import JobStore

log = logging.getLogger(__name__)

REAP_EVERY = 5.0
DISPATCH_RETRY = 1.0


class CeleryExecutor:
    """Sends job ids to the Celery queue; reaps stale jobs and sends them again.

    With `fanout`, simulation replications of solves run by this process (POST /solve) go to the
    workers too, from `start` to `stop`.
    """

    def __init__(self, celery: Celery, store: JobStore, stale_after: float, max_attempts: int,
                 fanout: Fanout | None = None) -> None:
        self.celery, self.store, self.fanout = celery, store, fanout
        self.stale_after, self.max_attempts = stale_after, max_attempts
        self._stop = threading.Event()
        self._reaper: threading.Thread | None = None
        self._outbox: queue.SimpleQueue[str] = queue.SimpleQueue()
        self._dispatcher: threading.Thread | None = None
        self._unsent: dict[str, None] = {}  # ordered; touched only by the dispatcher thread

    def start(self) -> None:
        install(self.fanout)
        for job_id in self.store.next_queued(limit=100_000):  # queued before a restart: maybe never sent
            self._outbox.put(job_id)
        self._reaper = threading.Thread(target=self._reap, name="optserve-reaper", daemon=True)
        self._reaper.start()
        self._dispatcher = threading.Thread(target=self._dispatch, name="optserve-dispatcher", daemon=True)
        self._dispatcher.start()

    def submit(self, job_id: str) -> None:
        """Queues the (committed) job for sending; returns at once, broker up or down."""
        self._outbox.put(job_id)

    @property
    def undelivered(self) -> int:
        return self._outbox.qsize() + len(self._unsent)

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        for thread in (self._reaper, self._dispatcher):
            if thread is not None:
                thread.join(timeout=timeout)
        uninstall(self.fanout)
        self.celery.close()

    def reap_once(self) -> list[str]:
        requeued, _ = self.store.recover_stale(self.stale_after, self.max_attempts)
        for job_id in requeued:
            self.submit(job_id)
        return requeued

    def _dispatch(self) -> None:
        while not self._stop.is_set():
            with contextlib.suppress(queue.Empty):
                self._unsent[self._outbox.get(timeout=DISPATCH_RETRY)] = None
            while not self._outbox.empty():
                self._unsent[self._outbox.get()] = None
            for job_id in list(self._unsent):
                try:
                    self.celery.send_task(RUN_JOB, args=[job_id], retry=False)
                except Exception as exc:  # broker down: keep it, retry later (the job is safe in the database)
                    log.warning("could not send job %s to the broker (%s); %d job(s) waiting to be sent", job_id,
                                exc, len(self._unsent))
                    self._stop.wait(DISPATCH_RETRY)
                    break
                del self._unsent[job_id]

    def _reap(self) -> None:
        while not self._stop.wait(REAP_EVERY):
            try:
                self.reap_once()
            except Exception:
                log.exception("reaper error")
