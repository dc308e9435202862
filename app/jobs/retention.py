"""Job retention: finished jobs (and their events) older than OPTSERVE_JOB_RETENTION_DAYS are purged.

Queued and running jobs are never purged, whatever their age. The sweep runs on a thread of the
service every `every` seconds (hourly by default) and once at start.
"""

import logging
import threading
from datetime import timedelta

from sqlalchemy import delete, select

from app.jobs.store import JobStore, now
from app.jobs.tables import JobEventRow, JobRow
from models.job import JobStatus

log = logging.getLogger(__name__)

FINISHED = [status.value for status in JobStatus if status.finished]
BATCH = 500


def purge_finished(store: JobStore, older_than: timedelta) -> int:
    """Deletes finished jobs that ended before now - `older_than`, with their events; returns how many."""
    cutoff, purged = now() - older_than, 0
    while True:
        with store.session() as session:
            ids = list(session.scalars(select(JobRow.id).where(JobRow.status.in_(FINISHED),
                                                               JobRow.finished_at < cutoff).limit(BATCH)))
            if not ids:
                return purged
            session.execute(delete(JobEventRow).where(JobEventRow.job_id.in_(ids)))
            session.execute(delete(JobRow).where(JobRow.id.in_(ids)))
        purged += len(ids)


class RetentionSweeper:
    """Calls `purge_finished` now and then every `every` seconds until stopped."""

    def __init__(self, store: JobStore, days: float, every: float = 3600.0) -> None:
        self.store, self.keep, self.every = store, timedelta(days=days), every
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="optserve-retention", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=5)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                purged = purge_finished(self.store, self.keep)
                if purged:
                    log.info("purged %d finished jobs older than %s", purged, self.keep, extra={"purged": purged})
            except Exception:  # a database outage: try again next time
                log.exception("job retention sweep failed")
            self._stop.wait(self.every)
