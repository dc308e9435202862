"""Warm solve processes: reused after a clean answer, never after a kill."""

from models import SolveOptions, Status
from solvers.registry import load_builtin
from solvers.runtime.pool import WorkerPool
from solvers.runtime.runner import RunLimits, run_backend
from tests.conftest import STUBBORN
from tests.instances import job_shop, knapsack

CPSAT = load_builtin().get("cpsat")


def idle(pool: WorkerPool) -> list[object]:
    return [p for processes in pool._idle.values() for p in processes]


def test_a_clean_process_is_reused_for_the_next_solve() -> None:
    pool = WorkerPool()
    try:
        first = run_backend(CPSAT, job_shop(), SolveOptions(time_limit=10), pool=pool)
        warm = idle(pool)
        second = run_backend(CPSAT, job_shop(), SolveOptions(time_limit=10), pool=pool)
        assert first.status is second.status is Status.optimal
        assert len(warm) == 1 and idle(pool) == warm
    finally:
        pool.close()


def test_a_killed_process_is_not_returned_to_the_pool_but_replaced_by_a_fresh_one() -> None:
    pool = WorkerPool()
    try:
        raw = run_backend(STUBBORN, knapsack(), SolveOptions(time_limit=0.5), RunLimits(grace=0.2), pool=pool)
        assert raw.termination.value == "time_limit"
        fresh = idle(pool)
        assert len(fresh) == 1 and fresh[0].solves == 0 and fresh[0].alive()  # type: ignore[attr-defined]
    finally:
        pool.close()
