"""The embedded executor: a bounded pool of threads in the service, the database as the queue.

Each thread claims the oldest queued job and runs it (the solve itself runs in a child
process). Because the queue is the database, jobs survive a restart: queued ones simply run
later, and running ones are recovered by `JobStore.recover_stale`.
"""

import logging
import threading

from app.jobs.execute import JobContext, execute

log = logging.getLogger(__name__)

IDLE_WAIT = 1.0
REAP_EVERY = 5.0


class EmbeddedExecutor:
    """Runs jobs on `concurrency` threads; `submit` only wakes them (the job is already stored)."""

    def __init__(self, ctx: JobContext, concurrency: int, stale_after: float, max_attempts: int) -> None:
        self.ctx = ctx
        self.concurrency = concurrency
        self.stale_after = stale_after
        self.max_attempts = max_attempts
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._busy: set[str] = set()
        """Jobs one of the threads is running (or claiming) now, each the thread's that added it. Why
        the owner alone: a second thread that saw the same job queued added it too, failed the claim
        and removed it while the first still ran it; the reaper took it for an orphan and re-queued it
        (a clean-clone CI run: re-queued 2.2 s after it started, and its cancel request lost)."""
        self._busy_lock = threading.Lock()

    def start(self) -> None:
        """Recovers jobs a previous process left running, then starts the threads."""
        requeued, failed = self.ctx.store.recover_stale(0.0, self.max_attempts)
        if requeued or failed:
            log.warning("recovered jobs from a previous run: requeued %s, failed %s", requeued, failed)
        for n in range(self.concurrency):
            thread = threading.Thread(target=self._work, name=f"optserve-job-{n}", daemon=True)
            thread.start()
            self._threads.append(thread)
        reaper = threading.Thread(target=self._reap, name="optserve-reaper", daemon=True)
        reaper.start()
        self._threads.append(reaper)

    def submit(self, job_id: str) -> None:
        self._wake.set()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        self._wake.set()
        for thread in self._threads:
            thread.join(timeout=timeout)

    def _work(self) -> None:
        while not self._stop.is_set():
            try:
                ran = self._run_one()
            except Exception:
                log.exception("job thread error")
                ran = False
            if not ran:
                self._wake.wait(IDLE_WAIT)
                self._wake.clear()

    def _run_one(self) -> bool:
        for job_id in self.ctx.store.next_queued(limit=self.concurrency):
            if self._stop.is_set():
                return False
            with self._busy_lock:  # a job another thread is claiming or running is its own
                if job_id in self._busy:
                    continue
                self._busy.add(job_id)
            try:
                if execute(job_id, self.ctx) is not None:
                    return True
            finally:
                with self._busy_lock:
                    self._busy.discard(job_id)
        return False

    def _reap(self) -> None:
        """Re-queues jobs whose worker went silent, and this executor's own jobs that no thread runs
        (a claim committed whose answer was lost)."""
        while not self._stop.wait(REAP_EVERY):
            try:
                requeued, _ = self.ctx.store.recover_stale(self.stale_after, self.max_attempts)
                with self._busy_lock:  # held throughout: no thread may take a job between the look and the query
                    orphans, _ = self.ctx.store.recover_orphans(self.ctx.worker, self._busy, self.max_attempts)
                if requeued or orphans:
                    self._wake.set()
            except Exception:
                log.exception("reaper error")
