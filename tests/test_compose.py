"""docker-compose.yml wires the api, scalable workers, Redis and PostgreSQL (no Docker needed)."""

from pathlib import Path

import yaml
from sqlalchemy.engine import make_url

from app.settings import Settings

ROOT = Path(__file__).parents[1]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_services_and_one_image() -> None:
    services = COMPOSE["services"]
    assert set(services) == {"api", "worker", "redis", "postgres"}
    assert services["api"]["build"] == "." and services["worker"]["image"] == services["api"]["image"]
    assert "container_name" not in services["worker"] and "ports" not in services["worker"], "worker must scale"
    assert services["api"]["command"][:2] == ["optserve", "serve"]
    assert services["worker"]["command"][:2] == ["optserve", "worker"]
    assert (ROOT / "Dockerfile").exists()


def test_every_service_has_a_health_check_and_state_has_volumes() -> None:
    services = COMPOSE["services"]
    assert all("healthcheck" in service for service in services.values())
    assert set(COMPOSE["volumes"]) >= {"redis-data", "postgres-data"}
    for dependent in ("api", "worker"):
        assert services[dependent]["depends_on"]["postgres"]["condition"] == "service_healthy"
        assert services[dependent]["depends_on"]["redis"]["condition"] == "service_healthy"


def test_environment_points_at_the_compose_services_and_is_valid_settings() -> None:
    services = COMPOSE["services"]
    env = services["api"]["environment"]
    assert services["worker"]["environment"] == env
    db = make_url(env["OPTSERVE_DATABASE_URL"])
    pg = services["postgres"]["environment"]
    assert (db.host, db.username, db.password, db.database) == (
        "postgres", pg["POSTGRES_USER"], pg["POSTGRES_PASSWORD"], pg["POSTGRES_DB"])
    assert env["OPTSERVE_BROKER_URL"].startswith("redis://redis:6379")
    settings = Settings(**{key.removeprefix("OPTSERVE_").lower(): value for key, value in env.items()})
    assert settings.broker_url and settings.database_url


def test_the_api_requires_keys_on_its_network_address() -> None:
    from app.auth.exposure import check_exposure

    api = COMPOSE["services"]["api"]
    host = api["command"][api["command"].index("--host") + 1]
    settings = Settings(host=host, auth=api["environment"]["OPTSERVE_AUTH"])
    assert host == "0.0.0.0" and settings.auth_required
    check_exposure(settings)  # would raise for an unauthenticated network address
