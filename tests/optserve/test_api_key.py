"""The SDK and CLI send API keys; `optserve keys` manages them in the service database."""

import json
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest
import uvicorn
from fastapi import FastAPI
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from app.auth.keys import ApiKey
from app.main import create_app
from app.services import Services
from app.settings import Settings
from optserve import AsyncClient, Client, NotFound, Unauthorized
from optserve.batch import BatchOptions, run_batch
from optserve.cli import cli
from tests.app.keyed import KNAPSACK, keyed
from tests.conftest import registry_with_stubborn
from tests.optserve.conftest import FAST_RETRY, Script, free_port, ok

BASE = "http://optserve.test"
runner = CliRunner()


@pytest.fixture
def keyed_app(settings: Settings) -> Iterator[FastAPI]:
    """A service that requires keys, its executor running (ASGITransport does not run the lifespan)."""
    settings = keyed(settings)
    services = Services(settings=settings, registry=registry_with_stubborn())
    services.start()
    try:
        yield create_app(settings, services)
    finally:
        services.stop()


def token_for(app: FastAPI, name: str) -> str:
    token: str = app.state.services.keys.create(ApiKey(name=name))
    return token


def test_the_key_goes_as_a_bearer_header_from_the_argument_or_the_environment(
        script: Callable[..., Script], monkeypatch: pytest.MonkeyPatch) -> None:
    fake = script(ok({"items": [], "total": 0, "limit": 50, "offset": 0}))
    monkeypatch.setenv("OPTSERVE_API_KEY", "from-env")
    for kwargs, sent in (({"api_key": "given"}, "Bearer given"), ({}, "Bearer from-env"), ({"api_key": ""}, None),
                         ({"headers": {"authorization": "Token x"}}, "Token x")):
        with Client(BASE, fake.transport, retry=None, **kwargs) as client:
            client.jobs()
        assert fake.requests[-1].headers.get("Authorization") == sent, kwargs
    monkeypatch.delenv("OPTSERVE_API_KEY")
    with Client(BASE, fake.transport, retry=None) as client:
        client.jobs()
    assert "Authorization" not in fake.requests[-1].headers


def test_the_async_client_against_a_keyed_service(keyed_app: FastAPI) -> None:
    transport = httpx.ASGITransport(app=keyed_app)
    alice, bob = token_for(keyed_app, "alice"), token_for(keyed_app, "bob")

    async def main() -> None:
        async with AsyncClient(BASE, transport, api_key="", retry=FAST_RETRY) as anonymous:
            with pytest.raises(Unauthorized) as raised:
                await anonymous.jobs()
        assert raised.value.status_code == 401 and raised.value.code == "unauthorized"
        async with AsyncClient(BASE, transport, api_key=alice, retry=FAST_RETRY) as client, \
                AsyncClient(BASE, transport, api_key=bob, retry=FAST_RETRY) as other:
            handle = await client.submit(KNAPSACK, solver="stubborn", time_limit=30)
            with pytest.raises(NotFound):
                await other.get_job(handle.id)
            assert (await handle.cancel()).id == handle.id  # POST /jobs/{id}/cancel
            while not (await handle.refresh()).status.finished:
                await anyio.sleep(0.05)
            assert handle.job.status.value == "cancelled"
            await client.delete_job(handle.id)
            with pytest.raises(NotFound):
                await client.get_job(handle.id)
            assert (await client.jobs()).total == 0

    anyio.run(main)

def test_a_remote_batch_passes_its_key(keyed_app: FastAPI, tmp_path: Path) -> None:
    folder = tmp_path / "requests"
    folder.mkdir()
    (folder / "one.json").write_text(json.dumps({"problem": KNAPSACK, "solver": "cbc", "options": {"time_limit": 10}}))
    transport = httpx.ASGITransport(app=keyed_app)
    options: dict[str, Any] = {"server": BASE, "transport": transport, "progress": False, "poll": 0.1}
    assert run_batch([folder], tmp_path / "none.jsonl", BatchOptions(api_key="", **options)) == 1
    denied = json.loads((tmp_path / "none.jsonl").read_text())
    assert denied["status"] == "failed" and denied["error"]["code"] == "unauthorized"
    key = token_for(keyed_app, "batcher")
    assert run_batch([folder], tmp_path / "ok.jsonl", BatchOptions(api_key=key, **options)) == 0
    record = json.loads((tmp_path / "ok.jsonl").read_text())
    assert record["status"] == "succeeded" and record["result"]["objective"] == 90 and record["job_id"]


def test_keys_create_list_and_revoke_with_the_cli(settings: Settings) -> None:
    settings = keyed(settings)
    env = {"OPTSERVE_DATA_DIR": str(settings.data_dir), "OPTSERVE_DATABASE_URL": ""}
    created = runner.invoke(cli, ["keys", "create", "carol", "--max-jobs", "3", "--max-time-limit", "60"], env=env)
    assert created.exit_code == 0, created.output
    token = next(line for line in created.stdout.splitlines() if line.startswith("osk_"))
    listed = runner.invoke(cli, ["keys", "list"], env=env)
    assert "carol\tuser\tactive\tjobs 3, time_limit 60" in listed.stdout
    assert runner.invoke(cli, ["keys", "create", "carol"], env=env).exit_code == 2  # the name is taken
    with TestClient(create_app(settings, Services(settings=settings, registry=registry_with_stubborn()))) as client:
        headers = {"X-API-Key": token}
        assert client.get("/jobs", headers=headers).status_code == 200
        assert runner.invoke(cli, ["keys", "revoke", "carol"], env=env).exit_code == 0
        revoked = time.monotonic()
        while client.get("/jobs", headers=headers).status_code == 200:
            assert time.monotonic() - revoked < 1.0, "a revoked key still works after a second"
            time.sleep(0.02)
    assert "revoked" in runner.invoke(cli, ["keys", "list"], env=env).stdout
    assert runner.invoke(cli, ["keys", "revoke", "carol"], env=env).exit_code == 2


@pytest.fixture
def keyed_server(settings: Settings) -> Iterator[tuple[str, str]]:
    """A real keyed service (uvicorn in a thread) and one key for it."""
    settings = keyed(settings)
    app = create_app(settings, Services(settings=settings, registry=registry_with_stubborn()))
    token = token_for(app, "cli")
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=free_port(), log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{server.config.port}", token
    server.should_exit = True
    thread.join(timeout=10)


def test_solve_server_passes_the_key_from_the_option_or_the_environment(keyed_server: tuple[str, str],
                                                                         tmp_path: Path) -> None:
    url, token = keyed_server
    request = tmp_path / "request.json"
    request.write_text(json.dumps({"problem": KNAPSACK, "solver": "cbc", "options": {"time_limit": 10}}))
    denied = runner.invoke(cli, ["solve", str(request), "--server", url], env={"OPTSERVE_API_KEY": ""})
    assert denied.exit_code != 0 and isinstance(denied.exception, Unauthorized)
    for args, env in ((["--api-key", token], {}), ([], {"OPTSERVE_API_KEY": token})):
        solved = runner.invoke(cli, ["solve", str(request), "--server", url, *args], env=env)
        assert solved.exit_code == 0, solved.output
        result: dict[str, Any] = json.loads(solved.stdout)
        assert result["objective"] == 90 and result["status"] == "optimal"

