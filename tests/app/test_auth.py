"""API keys: 401s, open health and docs, Swagger's schemes, revocation, per-key isolation and idempotency."""

import logging
import time
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from app.auth.exposure import InsecureBind, check_exposure
from app.main import create_app
from app.services import Services
from app.settings import Settings
from tests.app.keyed import KNAPSACK, RUNNING, error_code, keyed, new_key, service, wait_status
from tests.conftest import wait_until_ready


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    with service(keyed(settings)) as test_client:
        yield test_client


def test_no_key_or_a_wrong_one_is_a_401_with_www_authenticate(client: TestClient) -> None:
    for headers in ({}, {"Authorization": "Bearer osk_wrong"}, {"X-API-Key": "osk_wrong"},
                    {"Authorization": "Basic dXNlcjpwYXNz"}):
        for response in (client.get("/jobs", headers=headers), client.get("/solvers", headers=headers),
                         client.post("/solve", json={"problem": KNAPSACK}, headers=headers)):
            assert response.status_code == 401, (headers, response.text)
            assert response.headers["WWW-Authenticate"] == "Bearer"
            assert error_code(response) == "unauthorized" and response.json()["error"]["details"] == []


def test_a_key_works_as_bearer_or_x_api_key(client: TestClient) -> None:
    bearer = new_key(client, "alice")
    token = bearer["Authorization"].removeprefix("Bearer ")
    assert token.startswith("osk_") and len(token) == 4 + 43  # 32 random bytes, URL-safe base64
    assert client.get("/jobs", headers=bearer).status_code == 200
    assert client.get("/jobs", headers={"X-API-Key": token}).status_code == 200


def test_the_database_keeps_only_a_hash(client: TestClient) -> None:
    token = new_key(client, "alice")["Authorization"].removeprefix("Bearer ")
    engine = client.app.state.services.store.engine  # type: ignore[attr-defined]
    with engine.connect() as connection:
        rows = connection.exec_driver_sql("SELECT * FROM api_keys").fetchall()
    assert len(rows) == 1 and token not in repr(rows)


def test_health_and_docs_need_no_key(client: TestClient) -> None:
    wait_until_ready(client)  # 503 (no key needed either) while the prewarmed processes load
    for path in ("/health/live", "/health/ready", "/docs", "/openapi.json", "/static/swagger/swagger-ui.css"):
        assert client.get(path).status_code == 200, path


def test_swagger_offers_both_schemes_on_every_protected_operation(client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    schemes = document["components"]["securitySchemes"]
    assert schemes["HTTPBearer"] == {**schemes["HTTPBearer"], "type": "http", "scheme": "bearer"}
    assert schemes["APIKeyHeader"]["in"] == "header" and schemes["APIKeyHeader"]["name"] == "X-API-Key"
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            security = operation.get("security")
            if path.startswith("/health/"):
                assert security is None, (method, path)
            else:  # a router included without the key dependency would show up here
                assert security == [{"HTTPBearer": []}, {"APIKeyHeader": []}], (method, path)
                assert "401" in operation["responses"], (method, path)


def test_a_revoked_key_stops_working_within_a_second(client: TestClient) -> None:
    headers = new_key(client, "alice")
    assert client.get("/solvers", headers=headers).status_code == 200  # now cached
    client.app.state.services.keys.revoke("alice")  # type: ignore[attr-defined]
    revoked = time.monotonic()
    while client.get("/solvers", headers=headers).status_code == 200:
        assert time.monotonic() - revoked < 1.0
        time.sleep(0.02)
    assert time.monotonic() - revoked < 1.0


def test_another_keys_job_is_a_404_everywhere_and_admins_see_all(client: TestClient) -> None:
    alice, bob, root = new_key(client, "alice"), new_key(client, "bob"), new_key(client, "root", admin=True)
    job_id = client.post("/jobs", json=RUNNING, headers=alice).json()["id"]
    wait_status(client, job_id, {"running"}, alice)
    for response in (client.get(f"/jobs/{job_id}", headers=bob), client.post(f"/jobs/{job_id}/cancel", headers=bob),
                     client.delete(f"/jobs/{job_id}", headers=bob),
                     client.get(f"/jobs/{job_id}/events", headers=bob)):
        assert response.status_code == 404 and error_code(response) == "not_found", response.text
    assert client.get("/jobs", headers=bob).json()["total"] == 0
    assert [j["id"] for j in client.get("/jobs", headers=alice).json()["items"]] == [job_id]
    assert [j["id"] for j in client.get("/jobs", headers=root).json()["items"]] == [job_id]
    assert client.get(f"/jobs/{job_id}", headers=root).json()["status"] == "running"
    assert client.post(f"/jobs/{job_id}/cancel", headers=root).status_code == 200  # admins may cancel any job
    assert wait_status(client, job_id, {"cancelled"}, alice)["status"] == "cancelled"


def test_idempotency_keys_are_scoped_per_api_key(client: TestClient) -> None:
    alice, bob = new_key(client, "alice"), new_key(client, "bob")
    body = {"problem": KNAPSACK, "solver": "stubborn", "options": {"time_limit": 30}}
    same = {"Idempotency-Key": "nightly-run"}
    first = client.post("/jobs", json=body, headers={**alice, **same})
    other = client.post("/jobs", json=body, headers={**bob, **same})
    again = client.post("/jobs", json=body, headers={**alice, **same})
    assert (first.status_code, other.status_code, again.status_code) == (202, 202, 200)
    assert first.json()["id"] != other.json()["id"] and again.json()["id"] == first.json()["id"]
    changed = client.post("/jobs", json={**body, "options": {"time_limit": 29}}, headers={**bob, **same})
    assert changed.status_code == 409
    for headers, job in ((alice, first), (bob, other)):
        client.post(f"/jobs/{job.json()['id']}/cancel", headers=headers)


def test_a_network_host_needs_an_explicit_auth_setting(settings: Settings, caplog: pytest.LogCaptureFixture) -> None:
    exposed = settings.model_copy(update={"host": "0.0.0.0", "prewarm_backends": []})
    with pytest.raises(InsecureBind, match="OPTSERVE_AUTH=required"):
        check_exposure(exposed)
    with pytest.raises(InsecureBind), TestClient(create_app(exposed, Services(settings=exposed))):
        pass  # the service refuses to start
    check_exposure(exposed.model_copy(update={"auth": "required"}))
    with caplog.at_level(logging.WARNING, logger="optserve.auth"):
        check_exposure(exposed.model_copy(update={"auth": "off"}))
    assert "OPTSERVE_AUTH=off while listening on 0.0.0.0" in caplog.text
    for host in ("127.0.0.1", "localhost", "::1", "[::1]", "127.0.0.2"):
        check_exposure(settings.model_copy(update={"host": host}))  # loopback: off by default, silently


def test_auth_off_is_the_loopback_default(settings: Settings) -> None:
    assert settings.auth is None and not settings.auth_required
    assert Settings(host="0.0.0.0", auth="required").auth_required
