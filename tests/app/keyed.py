"""Helpers for tests of a service that requires API keys: the app in process and fresh keys."""

import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from fastapi.testclient import TestClient

from app.auth.keys import ApiKey
from app.main import create_app
from app.services import Services
from app.settings import Settings
from tests.conftest import registry_with_stubborn

KNAPSACK: dict[str, Any] = {"kind": "knapsack", "capacity": 10, "items": [
    {"id": "A", "weight": 5, "value": 10}, {"id": "B", "weight": 4, "value": 40},
    {"id": "C", "weight": 6, "value": 30}, {"id": "D", "weight": 3, "value": 50}]}
RUNNING = {"problem": KNAPSACK, "solver": "stubborn", "options": {"time_limit": 30}}
"""A job that runs until cancelled (the stubborn test backend ignores its time limit)."""


def keyed(settings: Settings, **changes: Any) -> Settings:
    """The test settings with keys required and no pre-started solver processes (fast start)."""
    return settings.model_copy(update={"auth": "required", "prewarm_backends": [], **changes})


@contextmanager
def service(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings, Services(settings=settings, registry=registry_with_stubborn()))) as client:
        yield client


def new_key(client: TestClient, name: str, **quotas: Any) -> dict[str, str]:
    """Creates a key in the running app's database; returns the headers that send it."""
    services: Services = client.app.state.services  # type: ignore[attr-defined]
    token = services.keys.create(ApiKey(name=name, **quotas))
    return {"Authorization": f"Bearer {token}"}


def wait_status(client: TestClient, job_id: str, states: set[str], headers: dict[str, str] | None = None,
                timeout: float = 15.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    job: dict[str, Any] = {}
    while time.monotonic() < deadline:
        job = client.get(f"/jobs/{job_id}", headers=headers).json()
        if job["status"] in states:
            return job
        time.sleep(0.05)
    raise AssertionError(f"job {job_id} still {job.get('status')} after {timeout} s")


def error_code(response: Any) -> str:
    code: str = response.json()["error"]["code"]
    return code
