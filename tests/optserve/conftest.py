"""SDK fixtures: the app in process (for httpx.ASGITransport) and a fake-transport recorder."""

import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi import FastAPI

from app.main import create_app
from app.services import Services
from app.settings import Settings
from optserve import RetryPolicy
from tests.conftest import registry_with_stubborn

FAST_RETRY = RetryPolicy(max_attempts=4, backoff=0.001, max_backoff=0.01)


@pytest.fixture
def app(settings: Settings) -> Iterator[FastAPI]:
    """The service with its job executor running (ASGITransport does not run the lifespan)."""
    services = Services(settings=settings, registry=registry_with_stubborn())
    services.start()
    try:
        yield create_app(settings, services)
    finally:
        services.stop()


@pytest.fixture
def asgi(app: FastAPI) -> httpx.ASGITransport:
    return httpx.ASGITransport(app=app)


Reply = httpx.Response | Exception


@dataclass
class Script:
    """A MockTransport handler that answers from a list of replies and records every request."""

    replies: list[Reply]
    requests: list[httpx.Request] = field(default_factory=list)

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        reply = self.replies.pop(0) if len(self.replies) > 1 else self.replies[0]
        if isinstance(reply, Exception):
            raise reply
        return reply

    @property
    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self)


def error(status: int, code: str = "x", headers: dict[str, str] | None = None,
          details: list[dict[str, Any]] | None = None) -> httpx.Response:
    body = {"error": {"code": code, "message": f"{code} happened", "details": details or []}}
    return httpx.Response(status, json=body, headers=headers)


def ok(data: Any, status: int = 200) -> httpx.Response:
    return httpx.Response(status, content=json.dumps(data), headers={"content-type": "application/json"})


@pytest.fixture
def script() -> Callable[..., Script]:
    return lambda *replies: Script(list(replies))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def server_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real `optserve serve` (uvicorn in a thread) on a free port, its data in a temp dir."""
    from app.main import create_app
    from app.services import Services
    from app.settings import Settings
    from tests.conftest import registry_with_stubborn, wait_until_ready

    data: Path = tmp_path_factory.mktemp("server")
    settings = Settings(max_time_limit=30, kill_grace=0.5, data_dir=data, database_url=None, broker_url=None)
    app = create_app(settings, Services(settings=settings, registry=registry_with_stubborn()))
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    url = f"http://127.0.0.1:{port}"
    with httpx.Client(base_url=url) as client:
        # as a load balancer would: a request sent while the prewarmed processes load waits for them inside
        # its own time limit (a clean-clone CI run: a 3 s tsp_ls job answered no_solution, "the solve
        # process was still loading its solver library; the request was never sent to it")
        wait_until_ready(client)
    yield url
    server.should_exit = True
    thread.join(timeout=10)
