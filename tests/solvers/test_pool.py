"""Warm solve processes: reused after a clean answer, never after a kill."""

import json
import time
from collections.abc import Callable

from pydantic import TypeAdapter

from models import SolveOptions, Status
from models.problem import Problem
from solvers.registry import load_builtin
from solvers.runtime.pool import SolveProcess, WorkerPool
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


def test_only_a_process_started_ahead_runs_the_backends_warm_up() -> None:
    """A warm pool's process loads compiled kernels before the first request (a 1 s request paid
    0.3 s for the tabu kernel); one started for a request goes straight to the solve."""
    problem = TypeAdapter(Problem).dump_json(knapsack()).decode()
    pool = WorkerPool()
    try:
        pool.warm("tests.warmed_backend", None)
        answers = []
        for _ in range(2):  # the warm one first, then (the pool now empty) one started on demand
            process = pool.acquire("tests.warmed_backend", None)
            process.send_solve(problem, SolveOptions().model_dump_json(), 0.0)
            kind, text = process.receive(timeout=30)
            assert kind == "result", text
            answers.append(json.loads(text)["native_status"])
            process.kill()
        assert answers == ["warmed=True", "warmed=False"]
    finally:
        pool.close()


def _solve_and_release(pool: WorkerPool, problem: str) -> str:
    process = pool.acquire("tests.warmed_backend", None)
    process.send_solve(problem, SolveOptions().model_dump_json(), 0.0)
    kind, text = process.receive(timeout=30)
    assert kind == "result", text
    pool.release(process)
    return str(json.loads(text)["native_status"])


def _wait_until(condition: Callable[[], bool], seconds: float = 30.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_a_process_started_for_a_request_warms_up_after_answering_it() -> None:
    """Through `make run`, requests met processes started on demand (the warm one still busy) that
    never loaded their kernels: now such a process runs its warm-up once it has answered."""
    problem = TypeAdapter(Problem).dump_json(knapsack()).decode()
    pool = WorkerPool()
    try:
        assert _solve_and_release(pool, problem) == "warmed=False"
        (process,) = idle(pool)
        _wait_until(lambda: process.idle_and_clean() and process.state == "warm")  # type: ignore[attr-defined]
        assert _solve_and_release(pool, problem) == "warmed=True"
    finally:
        pool.close()


def test_the_pool_hands_out_a_warm_process_before_a_cold_one() -> None:
    problem = TypeAdapter(Problem).dump_json(knapsack()).decode()
    pool = WorkerPool()
    try:
        cold = SolveProcess("tests.warmed_backend", None)
        _wait_until(lambda: cold.idle_and_clean() and cold.state == "cold")
        pool.warm("tests.warmed_backend", None)
        (warm,) = idle(pool)
        _wait_until(lambda: warm.idle_and_clean() and warm.state == "warm")  # type: ignore[attr-defined]
        pool.release(cold)  # released last: handed out first before (the most recently released)
        assert _solve_and_release(pool, problem) == "warmed=True"
    finally:
        pool.close()
