"""Replications fanned out over the Celery workers, with the caller stealing work so it never waits idle.

A batch of replications is a task on the replication queue; its KPIs come back through the Redis
result backend. The caller keeps its own process pool busy too: its first batches run locally, and
whenever a local slot is free it takes back the newest batch no worker has started (revoking the
task) - so when every worker slot is busy with sim-opt jobs that themselves wait on replications,
each job still finishes its own. A batch a worker started long ago (a dead or overloaded worker) is
re-run locally as a backup; whichever copy ends first wins. `run_batch` is a pure function of its
inputs, so every copy returns the same KPIs.

Results are read with one MGET over all outstanding tasks rather than a pub/sub subscription per
task: the sending app has no result backend (so `send_task` subscribes to nothing), and only the
reader below knows where results live.
"""

import concurrent.futures
import logging
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from celery import Celery
from celery.backends.redis import RedisBackend

from solvers.simulation.runners import Batch, KPIs, LocalPoolRunner

REPLICATIONS = "optserve.replications"
REMOTE_BATCH = 4
"""Replications per task: a task of an M/M/c replication runs ~0.3 s, so a broker round trip is noise."""
POLL_INTERVAL = 0.02
BACKUP_AFTER = 3.0
"""A started batch running this many times longer than the fastest batch seen gets a local backup copy
(the fastest, as a pool's first batch also pays for starting it)."""
FAILED = {"FAILURE", "REVOKED", "REJECTED", "IGNORED"}

log = logging.getLogger(__name__)


@contextmanager
def _logged(what: str) -> Iterator[None]:
    """Housekeeping that may fail without harm (the results expire; a revoked task is only waste)."""
    try:
        yield
    except Exception:
        log.exception(what)


class Fanout:
    """Process-wide connection to the replication queue: sends tasks, reads and forgets results."""

    def __init__(self, broker_url: str, queue: str, batch: int = REMOTE_BATCH) -> None:
        self.queue, self.batch = queue, batch
        self.client = Celery("optserve-replications", broker=broker_url, set_as_current=False)
        self.client.conf.update(broker_connection_retry_on_startup=True)
        self.results = RedisBackend(app=self.client, url=broker_url)

    def send(self, batch: Batch, expires_in: float | None) -> str:
        return str(self.client.send_task(REPLICATIONS, args=list(batch.args()), queue=self.queue,
                                         expires=expires_in).id)

    def states(self, task_ids: list[str]) -> list[dict[str, Any] | None]:
        raw = self.results.mget([self.results.get_key_for_task(task_id) for task_id in task_ids])
        return [self.results.decode_result(value) if value else None for value in raw]

    def forget(self, task_ids: list[str]) -> None:
        if task_ids:
            with _logged("could not delete replication results"):
                self.results.client.delete(*[self.results.get_key_for_task(task_id) for task_id in task_ids])

    def revoke(self, task_ids: list[str]) -> None:
        """Workers drop these when they come to them; `expires` covers workers that start later."""
        if task_ids:
            with _logged("could not revoke replication tasks"):
                self.client.control.revoke(task_ids)

    def runner(self, workers: int) -> "CeleryRunner":
        return CeleryRunner(self, workers)

    def close(self) -> None:
        with _logged("could not close the result connection"):
            self.results.client.close()
        self.client.close()


@dataclass(eq=False)
class RemoteBatch:
    """One batch: a task on the queue, a local copy, or both (a backup of a straggler)."""

    batch: Batch
    submitted: float = field(default_factory=time.monotonic)
    task_id: str | None = None
    started: float | None = None
    future: concurrent.futures.Future[KPIs] | None = None
    kpis: KPIs | None = None

    def done(self) -> bool:
        return self.kpis is not None or (self.future is not None and self.future.done())


@dataclass
class RunnerStats:
    """Where batches ran: locally from the start, taken back from the queue, or on a worker."""

    local: int = 0
    stolen: int = 0
    backups: int = 0
    remote: int = 0
    workers: Counter[str] = field(default_factory=Counter)


class CeleryRunner:
    """A `BatchRunner` over the replication queue plus `workers` local processes (0: remote only)."""

    def __init__(self, fanout: Fanout, workers: int) -> None:
        self.fanout = fanout
        self.local = LocalPoolRunner(workers, inline=False) if workers > 0 else None
        self.open: list[RemoteBatch] = []
        self.stats = RunnerStats()
        self._durations: list[float] = []
        self._orphans: list[concurrent.futures.Future[KPIs]] = []

    def split(self, replications: list[int]) -> list[list[int]]:
        size = self.fanout.batch
        return [replications[k:k + size] for k in range(0, len(replications), size)]

    def submit(self, batch: Batch, expires_in: float | None = None) -> RemoteBatch:
        handle = RemoteBatch(batch)
        self.open.append(handle)
        if self.local is not None and self._local_free():
            handle.future = self.local.submit(batch)
            self.stats.local += 1
            return handle
        try:
            handle.task_id = self.fanout.send(batch, expires_in)
        except Exception:  # the broker is unreachable: simulate here rather than fail the solve
            log.exception("could not send a replication batch; running it locally")
            self._take_back(handle)
        return handle

    def poll(self, handle: RemoteBatch, timeout: float) -> KPIs | None:
        end = time.monotonic() + timeout
        while True:
            self._refresh()
            if handle.done():
                return self._finish(handle)
            remaining = end - time.monotonic()
            if remaining <= 0:
                return None
            self._pause(min(POLL_INTERVAL, remaining))

    def _pause(self, seconds: float) -> None:
        """Sleeps, but wakes as soon as a local batch ends (its slot can take work back at once)."""
        running = [h.future for h in self.open if h.future is not None and not h.future.done()]
        if running:
            concurrent.futures.wait(running, timeout=seconds, return_when=concurrent.futures.FIRST_COMPLETED)
        else:
            time.sleep(seconds)

    def cancel(self, handles: Iterable[RemoteBatch]) -> None:
        handles = list(handles)
        task_ids = [h.task_id for h in handles if h.task_id is not None]
        for handle in handles:
            if handle.future is not None and not handle.future.cancel():
                self._orphans.append(handle.future)
            if handle in self.open:
                self.open.remove(handle)
        self.fanout.revoke(task_ids)
        self.fanout.forget(task_ids)

    def close(self) -> None:
        self.cancel(list(self.open))
        if self.local is not None:
            self.local.close()

    def _finish(self, handle: RemoteBatch) -> KPIs:
        """The batch's KPIs (raising a local failure); the losing copy, if any, is dropped."""
        if handle.kpis is not None:
            kpis = handle.kpis
            if handle.future is not None and not handle.future.cancel():
                self._orphans.append(handle.future)  # a running backup still holds a local process
        else:
            assert handle.future is not None
            kpis = handle.future.result()
        self._durations.append(time.monotonic() - handle.submitted)
        self.open.remove(handle)
        if handle.task_id is not None and handle.kpis is None:  # the local copy won
            self.fanout.revoke([handle.task_id])
            self.fanout.forget([handle.task_id])
        return kpis

    def _refresh(self) -> None:
        """One read of every outstanding task's state, then free local slots take work back."""
        remote = [(h, h.task_id) for h in self.open if h.task_id is not None and h.kpis is None]
        if remote:
            try:
                metas = self.fanout.states([task_id for _, task_id in remote])
            except Exception:  # Redis unreachable: the batches count as unstarted, so they get stolen
                log.exception("could not read replication results")
                metas = [None] * len(remote)
            done = [task_id for (handle, task_id), meta in zip(remote, metas, strict=True)
                    if self._update(handle, meta)]
            self.fanout.forget(done)
        self._steal()

    def _update(self, handle: RemoteBatch, meta: dict[str, Any] | None) -> bool:
        """Applies a task's state; True when its stored result is no longer needed."""
        status = meta["status"] if meta else None
        if status == "SUCCESS" and meta is not None:
            handle.kpis = meta["result"]["kpis"]
            self.stats.remote += 1
            self.stats.workers[meta["result"]["worker"]] += 1
            return True
        if status == "STARTED" and handle.started is None:
            handle.started = time.monotonic()
        if status in FAILED:  # run it here: a real error then surfaces in the caller
            handle.task_id = None
            if handle.future is None:
                self._take_back(handle)
            return True
        return False

    def _steal(self) -> None:
        """Free local slots take the newest unstarted tasks, then back up stragglers."""
        if self.local is None:
            return
        pending = [h for h in self.open if h.task_id is not None and h.started is None and h.future is None]
        revoked: list[str] = []
        while pending and self._local_free():
            handle = pending.pop()
            revoked.append(str(handle.task_id))
            handle.task_id = None
            self._take_back(handle)
            self.stats.stolen += 1
        self.fanout.revoke(revoked)
        for handle in self._stragglers():
            if not self._local_free():
                break
            self._take_back(handle)
            self.stats.backups += 1

    def _stragglers(self) -> list[RemoteBatch]:
        if not self._durations:
            return []
        limit = BACKUP_AFTER * min(self._durations)
        now = time.monotonic()
        return [h for h in self.open if h.started is not None and h.future is None and h.kpis is None
                and now - h.started > limit]

    def _take_back(self, handle: RemoteBatch) -> None:
        if self.local is None:
            handle.kpis = handle.batch.run()
            return
        handle.future = self.local.submit(handle.batch)

    def _local_free(self) -> bool:
        if self.local is None:
            return False
        self._orphans = [future for future in self._orphans if not future.done()]
        futures = [h.future for h in self.open if h.future is not None]
        return self.local.idle(futures + self._orphans)
