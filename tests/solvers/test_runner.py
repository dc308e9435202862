"""The service's own deadline and cancellation hold even when a backend never returns."""

import threading
import time

import pytest

from models import KnapsackProblem, SolveOptions, Status, Termination
from solvers.contract import Incumbent
from solvers.runtime.pool import WorkerPool
from solvers.runtime.runner import RunLimits, run_backend
from solvers.runtime.worker import PROBLEM_ADAPTER
from tests.conftest import FORGETFUL, LATE, OVERRUN, RAISING, SLOW_LOADING, SLOW_WARM_UP, STUBBORN
from tests.instances import knapsack
from tests.late_backend import LATE_BY
from tests.overrun_backend import OVERRUN as OVERRUN_SECONDS


def test_deadline_kills_a_stubborn_backend_and_keeps_its_incumbent() -> None:
    started = time.monotonic()
    raw = run_backend(STUBBORN, knapsack(), SolveOptions(time_limit=1.0), RunLimits(grace=0.3))
    elapsed = time.monotonic() - started
    assert 1.0 <= elapsed < 2.5
    assert raw.termination is Termination.time_limit
    assert raw.status is Status.feasible and raw.solution is not None


def test_a_backend_holding_an_incumbent_is_answered_at_the_margin_not_the_grace() -> None:
    """A solver still busy at its limit (a model build cannot be interrupted) with an incumbent
    reported: answered at limit + answer_margin, not at limit + grace (before: the full grace)."""
    started = time.monotonic()
    raw = run_backend(STUBBORN, knapsack(), SolveOptions(time_limit=1.0), RunLimits(grace=3.0, answer_margin=0.25))
    elapsed = time.monotonic() - started
    assert 1.25 <= elapsed < 1.9
    assert raw.termination is Termination.time_limit and raw.status is Status.feasible and raw.solution is not None
    assert "answered past the time limit" in raw.native_status


def test_a_process_answered_for_at_the_margin_is_reused_once_it_answers() -> None:
    """Answered for at the margin, the child is left to finish until the grace instead of being
    killed and replaced by a process that would still be loading when the next request comes."""
    pool = WorkerPool()
    try:
        first = pool.acquire(OVERRUN.module, None)
        pool.release(first)
        started = time.monotonic()
        limits = RunLimits(grace=3.0, max_memory=None, answer_margin=0.25)
        raw = run_backend(OVERRUN, knapsack(), SolveOptions(time_limit=1.0), limits,
                          pool=pool)
        assert time.monotonic() - started < 1.0 + 0.25 + 0.3  # answered at the margin, not at its own 1.4 s
        assert "answered past the time limit" in raw.native_status
        time.sleep(OVERRUN_SECONDS + 0.5)  # it answers 0.4 s past the limit, in the background
        again = pool.acquire(OVERRUN.module, None)
        assert again is first and again.solves == 1
        pool.release(again)
    finally:
        pool.close()


def test_a_backend_with_nothing_yet_gets_the_whole_grace() -> None:
    """The margin does not cut a solver that has nothing to show: its solution found 0.5 s past the
    limit is still the answer (at the margin, the answer would have been `no_solution`)."""
    started = time.monotonic()
    raw = run_backend(LATE, knapsack(), SolveOptions(time_limit=1.0), RunLimits(grace=3.0, answer_margin=0.25))
    elapsed = time.monotonic() - started
    assert 1.0 + LATE_BY <= elapsed < 1.0 + LATE_BY + 0.9
    assert raw.status is Status.feasible and raw.solution is not None


@pytest.mark.parametrize("seed", [0, 1, 2], ids=["answer without a bound", "answer with a weaker bound",
                                                  "answered for at the margin"])
def test_the_answer_keeps_the_tightest_bound_reported_on_the_way(seed: int) -> None:
    """The backend reports bounds 500 (a family's), 300 (its own) and none, then answers with none,
    a weaker one, or not at all: the answer is bounded by 300 and names the backend (a maximisation)."""
    raw = run_backend(FORGETFUL, knapsack(), SolveOptions(time_limit=1.0, seed=seed),
                      RunLimits(grace=1.0, answer_margin=0.25))
    assert raw.status is Status.feasible and raw.solution is not None
    assert (raw.bound, raw.bound_source) == (300.0, "forgetful")


def test_a_reused_process_does_not_carry_a_failed_solves_incumbent_into_the_next() -> None:
    """The throttle holds the second incumbent back and a timer sends it; a solve that raises first
    must not have it sent after its error, where the next solve on the same process would read it."""
    pool = WorkerPool()
    try:
        failed = run_backend(RAISING, knapsack(), SolveOptions(time_limit=5.0, seed=0), pool=pool)
        assert failed.status is Status.error and "could not be built" in failed.log
        reported: list[Incumbent] = []
        raw = run_backend(RAISING, knapsack(), SolveOptions(time_limit=5.0, seed=1), pool=pool,
                          progress=reported.append)
        assert raw.status is Status.feasible and reported == []
    finally:
        pool.close()


def test_cancellation_stops_a_running_backend_quickly() -> None:
    flag = threading.Event()
    threading.Timer(0.8, flag.set).start()
    started = time.monotonic()
    raw = run_backend(STUBBORN, knapsack(), SolveOptions(time_limit=60), cancelled=flag.is_set)
    assert time.monotonic() - started < 2.5
    assert raw.termination is Termination.cancelled


def test_a_missing_backend_module_is_an_error_result_not_an_exception() -> None:
    broken = type(STUBBORN)(name="broken", module="solvers.no_such_module", description="",
                            capabilities=STUBBORN.capabilities)
    raw = run_backend(broken, knapsack(), SolveOptions(time_limit=5))
    assert raw.status is Status.error and "no_such_module" in raw.log


def _large_knapsack() -> KnapsackProblem:
    items = [{"id": k, "weight": 10 + k % 90, "value": 5 + k % 97} for k in range(40_000)]
    problem = KnapsackProblem.model_validate({"kind": "knapsack", "capacity": 1000, "items": items})
    assert len(PROBLEM_ADAPTER.dump_json(problem)) > 1_000_000  # far beyond a socket pair's buffer
    return problem


def test_a_large_request_to_a_process_still_loading_does_not_hold_up_the_deadline() -> None:
    """The child reads its pipe only once loaded; a request larger than the pipe's buffer blocked the
    send, and with it every deadline check, until then (before: answered after the 3 s load). Now
    nothing is sent before the process has loaded."""
    problem = _large_knapsack()
    started = time.monotonic()
    raw = run_backend(SLOW_LOADING, problem, SolveOptions(time_limit=0.5), RunLimits(grace=0.5, answer_margin=0.25))
    elapsed = time.monotonic() - started
    assert elapsed < 0.5 + 0.5 + 0.5  # the module takes 3 s to load (not imported here: it would sleep here too)
    assert raw.status is Status.no_solution and raw.termination is Termination.time_limit


def test_a_process_still_loading_at_the_deadline_is_not_killed_but_reused() -> None:
    """Nothing is sent to a process before it has loaded, so one still loading when the run is given
    up goes back to the pool (before: sent the request, so it had to be killed, and its replacement
    loaded from scratch for the next request)."""
    pool = WorkerPool()
    try:
        limits = RunLimits(grace=0.3, answer_margin=0.1, max_memory=None)
        raw = run_backend(SLOW_LOADING, knapsack(), SolveOptions(time_limit=0.3), limits, pool=pool)
        assert raw.status is Status.no_solution and "still loading" in raw.native_status
        process = pool.acquire(SLOW_LOADING.module, None)
        assert process.solves == 0 and process.alive()
        waited = time.monotonic()
        while process.state == "loading" and time.monotonic() - waited < 20:  # the module takes 3 s to load
            process.receive(0.1)
        pool.release(process)
        raw = run_backend(SLOW_LOADING, knapsack(), SolveOptions(time_limit=1.0), limits, pool=pool)
        assert raw.native_status == "loaded"
        again = pool.acquire(SLOW_LOADING.module, None)
        assert again is process and again.solves == 1
        pool.release(again)
    finally:
        pool.close()


def test_a_large_request_to_a_process_busy_warming_up_does_not_hold_up_the_deadline() -> None:
    """A process started for a request runs its `warm_up` after answering it, not reading its pipe
    meanwhile; the next request, larger than the pipe's buffer, blocked the caller's send, and every
    deadline check with it, until the warm-up was over (3 s here). The send now runs in a thread."""
    pool = WorkerPool()
    try:
        limits = RunLimits(grace=0.5, answer_margin=0.25, max_memory=None)
        first = run_backend(SLOW_WARM_UP, knapsack(), SolveOptions(time_limit=5.0), limits, pool=pool)
        assert first.native_status == "answered"  # its process now warms up for 3 s
        problem = _large_knapsack()  # built before the clock starts: under load, building it took tenths
        started = time.monotonic()
        raw = run_backend(SLOW_WARM_UP, problem, SolveOptions(time_limit=0.5), limits, pool=pool)
        assert time.monotonic() - started < 0.5 + 0.5 + 0.5
        assert raw.status is Status.no_solution and raw.termination is Termination.time_limit
    finally:
        pool.close()
