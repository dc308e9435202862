"""Where batches of replications run: a local process pool by default, or anything app/ installs.

The Evaluator only needs "start this batch, tell me when it is done, forget these": a small
protocol, so the service can fan replications out over its Celery workers (app/jobs/replications)
without solvers/ importing Celery. Because `run_batch` is a pure function of its JSON inputs (CRN
streams are keyed by seed, replication and candidate), every runner returns identical KPIs.
"""

import concurrent.futures
import multiprocessing.context
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from solvers.simulation.tasks import run_batch

KPIs = list[dict[str, float]]
H = TypeVar("H")


@dataclass(frozen=True)
class Batch:
    """The arguments of one `run_batch` call: replications `replications` of one candidate."""

    problem_json: str
    solution_json: str
    model_json: str
    seed: int
    replications: list[int]
    candidate: int | None

    def args(self) -> tuple[str, str, str, int, list[int], int | None]:
        return (self.problem_json, self.solution_json, self.model_json, self.seed, self.replications,
                self.candidate)

    def run(self) -> KPIs:
        return run_batch(*self.args())


class BatchRunner(Protocol[H]):
    """Runs batches somewhere; `poll` never blocks longer than asked, so deadlines keep holding."""

    def split(self, replications: list[int]) -> list[list[int]]:
        """How to cut the missing replications of one candidate into batches."""
        ...

    def submit(self, batch: Batch, expires_in: float | None = None) -> H:
        """Starts `batch`; it is pointless after `expires_in` seconds (the evaluator's deadline)."""
        ...

    def poll(self, handle: H, timeout: float) -> KPIs | None:
        """The batch's KPIs, or None if not done within `timeout` s; raises what the batch raised."""
        ...

    def cancel(self, handles: Iterable[H]) -> None:
        """Stops batches whose results are no longer wanted (best effort, never blocks)."""
        ...

    def close(self) -> None:
        """Releases processes and outstanding work."""
        ...


class LocalPoolRunner:
    """Batches on a forkserver process pool of `workers` processes (by default inline when `workers` <= 1:
    a pool of one buys nothing when the caller just waits)."""

    def __init__(self, workers: int, inline: bool | None = None) -> None:
        self.workers = max(1, workers)
        self.inline = workers <= 1 if inline is None else inline
        self._pool: concurrent.futures.ProcessPoolExecutor | None = None
        self._lock = threading.Lock()

    def split(self, replications: list[int]) -> list[list[int]]:
        chunks = [replications[k::self.workers] for k in range(self.workers)]
        return [chunk for chunk in chunks if chunk]

    def submit(self, batch: Batch, expires_in: float | None = None) -> concurrent.futures.Future[KPIs]:
        if self.inline:
            done: concurrent.futures.Future[KPIs] = concurrent.futures.Future()
            done.set_result(batch.run())
            return done
        return self._executor().submit(run_batch, *batch.args())

    def poll(self, handle: concurrent.futures.Future[KPIs], timeout: float) -> KPIs | None:
        try:
            return handle.result(timeout=timeout)
        except concurrent.futures.TimeoutError:
            return None

    def cancel(self, handles: Iterable[concurrent.futures.Future[KPIs]]) -> None:
        for handle in handles:
            handle.cancel()

    def idle(self, handles: Iterable[concurrent.futures.Future[KPIs]]) -> bool:
        """Fewer of `handles` unfinished than there are processes (a slot is free)."""
        return sum(not handle.done() for handle in handles) < self.workers

    def _executor(self) -> concurrent.futures.ProcessPoolExecutor:
        with self._lock:
            if self._pool is None:
                context = multiprocessing.context.ForkServerContext()
                self._pool = concurrent.futures.ProcessPoolExecutor(self.workers, mp_context=context)
            return self._pool

    def close(self) -> None:
        """Kills the pool's processes: a stopped evaluation must not keep simulating."""
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            processes = list((getattr(pool, "_processes", None) or {}).values())
            pool.shutdown(wait=False, cancel_futures=True)
            for process in processes:
                process.kill()
                process.join(timeout=5)


RunnerFactory = Callable[[int], BatchRunner[Any]]
"""Builds a runner for one evaluator, given its number of local worker processes."""

_default_factory: RunnerFactory = LocalPoolRunner


def set_default_runner(factory: RunnerFactory | None) -> None:
    """Installs the runner new evaluators use (None restores the local pool); app/ calls it."""
    global _default_factory
    _default_factory = factory or LocalPoolRunner


def default_runner(workers: int) -> BatchRunner[Any]:
    return _default_factory(workers)
