"""The distributed executor: jobs go to Celery workers through Redis; results land in the database.

Messages are acknowledged late and re-delivered if a worker dies, and the service also re-queues
jobs whose worker stopped beating (and sends them again), so neither a lost message nor a killed
worker loses a job; the atomic claim in the store keeps a job from running twice at once.
"""

import logging
import threading

from celery import Celery

from app.jobs.celery_app import RUN_JOB
from app.jobs.fanout import Fanout
from app.jobs.replications import install, uninstall
from app.jobs.store import JobStore

log = logging.getLogger(__name__)

REAP_EVERY = 5.0


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

    def start(self) -> None:
        install(self.fanout)
        self._reaper = threading.Thread(target=self._reap, name="optserve-reaper", daemon=True)
        self._reaper.start()

    def submit(self, job_id: str) -> None:
        self.celery.send_task(RUN_JOB, args=[job_id])

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        if self._reaper is not None:
            self._reaper.join(timeout=timeout)
        uninstall(self.fanout)
        self.celery.close()

    def reap_once(self) -> list[str]:
        requeued, _ = self.store.recover_stale(self.stale_after, self.max_attempts)
        for job_id in requeued:
            self.submit(job_id)
        return requeued

    def _reap(self) -> None:
        while not self._stop.wait(REAP_EVERY):
            try:
                self.reap_once()
            except Exception:
                log.exception("reaper error")
