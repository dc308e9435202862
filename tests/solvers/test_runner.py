"""The service's own deadline and cancellation hold even when a backend never returns."""

import threading
import time

from models import SolveOptions, Status, Termination
from solvers.runtime.runner import RunLimits, run_backend
from tests.conftest import STUBBORN
from tests.instances import knapsack


def test_deadline_kills_a_stubborn_backend_and_keeps_its_incumbent() -> None:
    started = time.monotonic()
    raw = run_backend(STUBBORN, knapsack(), SolveOptions(time_limit=1.0), RunLimits(grace=0.3))
    elapsed = time.monotonic() - started
    assert 1.0 <= elapsed < 2.5
    assert raw.termination is Termination.time_limit
    assert raw.status is Status.feasible and raw.solution is not None


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
