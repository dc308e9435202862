"""Shared fixtures: the app in process, with a registry that can hold test-only backends."""

import time
import warnings
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

with warnings.catch_warnings():
    # Starlette's TestClient warns at import that it prefers `httpx2`; it works with httpx as is.
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from app.main import create_app
from app.services import Services
from app.settings import Settings
from models import ProblemKind
from solvers.contract import BackendSpec, Capabilities
from solvers.registry import Registry, load_builtin

STUBBORN = BackendSpec(
    name="stubborn",
    module="tests.stubborn_backend",
    description="test backend that ignores time limits",
    capabilities=Capabilities(frozenset({ProblemKind.knapsack}), exact=False, reports_bound=False,
                              warm_start=False, deterministic=True),
)


def knapsack_test_backend(name: str, module: str, description: str) -> BackendSpec:
    """A test-only knapsack backend in `tests/<module>.py`, with the stubborn one's capabilities."""
    return BackendSpec(name=name, module=f"tests.{module}", description=f"test backend {description}",
                       capabilities=STUBBORN.capabilities)


LATE = knapsack_test_backend("late", "late_backend", "whose first solution comes after its time limit")
FORGETFUL = knapsack_test_backend("forgetful", "forgetful_backend",
                                  "whose answer has no bound, or a weaker one than it reported")
RAISING = knapsack_test_backend("raising", "raising_backend", "that reports twice and then raises")
OVERRUN = knapsack_test_backend("overrun", "overrun_backend", "that answers a little past its time limit")
SLOW_LOADING = knapsack_test_backend("slow-loading", "slow_loading_backend", "whose module takes seconds to import")
SLOW_WARM_UP = knapsack_test_backend("slow-warm-up", "slow_warm_up_backend", "whose warm-up takes seconds")
CLOSING = knapsack_test_backend("closing", "closing_backend", "that reports the optimum with its bound, then answers")


def registry_with_stubborn() -> Registry:
    registry = load_builtin()
    registry.register(STUBBORN)
    return registry


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    # three warm backends, not the default five: every app these tests start loads them, beside the solver tests
    return Settings(max_time_limit=30, kill_grace=0.5, max_body_bytes=200_000, max_concurrent_solves=2,
                    solve_slot_wait=0.2, data_dir=tmp_path / "data", database_url=None, broker_url=None,
                    stale_after=3.0, prewarm_backends=["knapsack_exact", "highs", "cpsat"])


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    services = Services(settings=settings, registry=registry_with_stubborn())
    with TestClient(create_app(settings, services)) as test_client:
        yield test_client


def wait_until_ready(client: httpx.Client, seconds: float = 60.0) -> float:
    """Polls /health/ready until 200 (the prewarmed processes have loaded); the seconds it took. Works
    with a TestClient and with an httpx client on a live server alike."""
    started = time.monotonic()
    while (response := client.get("/health/ready")).status_code != 200:
        assert response.json().get("loading_backends"), response.text  # only loading may hold it up
        assert time.monotonic() - started < seconds, f"not ready after {seconds} s: {response.text}"
        time.sleep(0.05)
    return time.monotonic() - started


SOLVER_TESTS = Path(__file__).parent / "solvers"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Two groups for `pytest -n 2 --dist loadgroup` (what `make test` runs): the tests under
    tests/solvers on one worker, one at a time, since they assert what a solver reaches within a time
    limit (some on two threads); everything else (HTTP, workers, browser, SDK, models) on the other.
    Why it pays: run one after the other, the suite kept the 2 cores about 60% busy (vmstat, 5 s
    samples over a minute mid-run: 52-81%), the service tests mostly waiting on processes, sockets
    and the clock; side by side the suite took 260 s instead of 436 s (clean clone, this machine),
    the solver tests sharing the machine only with those waiting tests."""
    for item in items:
        group = "solvers" if SOLVER_TESTS in item.path.parents else "service"
        item.add_marker(pytest.mark.xdist_group(group))
