"""Local batch solving: a process pool, one `solvers.dispatch.solve` per request.

Each pool worker dispatches like the service does (the backend itself runs in a grandchild
process under a hard deadline); the pool keeps verification and result building parallel too.
Each pool worker keeps its solve processes warm (a `solvers.runtime.pool.WorkerPool` made by the pool's
initializer, the one piece of per-process state): starting a process and importing a solver
library costs far more than solving a small problem.
At most `2 x concurrency` requests are handed to the pool at a time, so a huge batch does not
sit pickled in memory. The pool starts its workers by forkserver: forking a parent that runs a
progress-bar thread is not safe.
"""

import multiprocessing
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from optserve.batch_inputs import BatchItem, failure
from optserve.batch_store import record

OnRecord = Callable[[dict[str, Any]], None]


_warm: Any = None
"""This pool worker's WorkerPool (set by `_start_worker`; None in the parent)."""


def _start_worker() -> None:
    """Pool initializer: a warm-process pool for this worker, closed when the worker exits."""
    global _warm
    from multiprocessing.util import Finalize

    from solvers.runtime.pool import WorkerPool

    _warm = WorkerPool()
    Finalize(_warm, _warm.close, exitpriority=10)


def solve_one(request_json: str) -> dict[str, Any]:
    """Runs in a pool worker: {"result": Result JSON} or {"error": error body}."""
    from models import SolveRequest
    from solvers.dispatch import solve
    from solvers.registry import load_builtin
    from solvers.selection import SelectionError

    request = SolveRequest.model_validate_json(request_json)
    try:
        result = solve(request, load_builtin(), pool=_warm)
    except SelectionError as exc:
        return {"error": failure(exc.code, exc.message, [{"loc": ["body", "solver"], "msg": exc.message}])}
    return {"result": result.model_dump(mode="json")}


def run_local(items: Iterable[BatchItem], concurrency: int, on_record: OnRecord) -> None:
    """Solves every item, calling `on_record` (in this process) as each one finishes."""
    context = multiprocessing.get_context("forkserver")
    with ProcessPoolExecutor(max_workers=concurrency, mp_context=context, initializer=_start_worker) as pool:
        pending: dict[Future[dict[str, Any]], BatchItem] = {}
        queue = iter(items)
        try:
            _fill(pool, pending, queue, 2 * concurrency)
            while pending:
                done, _ = wait(pending, return_when=FIRST_COMPLETED)
                for future in done:
                    on_record(_record_of(pending.pop(future), future))
                _fill(pool, pending, queue, 2 * concurrency)
        except BaseException:
            pool.shutdown(wait=False, cancel_futures=True)
            raise


def _fill(pool: ProcessPoolExecutor, pending: dict[Future[dict[str, Any]], BatchItem],
          queue: Iterator[BatchItem], limit: int) -> None:
    while len(pending) < limit:
        item = next(queue, None)
        if item is None:
            return
        assert item.request_json is not None
        try:
            future = pool.submit(solve_one, item.request_json)
        except BrokenProcessPool as exc:  # recorded as a retryable failure, like the jobs it took down
            future = Future()
            future.set_exception(exc)
        pending[future] = item


def _record_of(item: BatchItem, future: Future[dict[str, Any]]) -> dict[str, Any]:
    try:
        answer = future.result()
    except BrokenProcessPool as exc:
        return record(item.name, item.id, "failed", error=failure("worker_crashed", f"the pool worker died: {exc}"))
    except Exception as exc:
        return record(item.name, item.id, "failed",
                      error=failure("internal_error", f"unexpected {type(exc).__name__}: {exc}"))
    if "error" in answer:
        return record(item.name, item.id, "failed", error=answer["error"])
    return record(item.name, item.id, "succeeded", result=answer["result"])
