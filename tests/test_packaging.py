"""Packaging promises: one version, a licence, a lock file, and an image built the cache-friendly way."""

import re
import tomllib
from importlib.metadata import version
from pathlib import Path

from app.main import create_app
from optserve._version import __version__

ROOT = Path(__file__).parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())


def test_version_comes_from_one_place() -> None:
    assert PYPROJECT["project"]["dynamic"] == ["version"]
    assert PYPROJECT["tool"]["setuptools"]["dynamic"]["version"]["attr"] == "optserve._version.__version__"
    assert create_app().version == __version__ == version("optserve")


def test_sdk_install_is_light_and_server_is_an_extra() -> None:
    base = {re.split(r"[<>=\[]", dep)[0] for dep in PYPROJECT["project"]["dependencies"]}
    assert base == {"pydantic", "httpx", "typer", "rich"}
    extras = PYPROJECT["project"]["optional-dependencies"]
    server = {re.split(r"[<>=\[]", dep)[0] for dep in extras["server"]}
    assert {"fastapi", "uvicorn", "sqlalchemy", "celery", "highspy", "ortools", "prometheus-client"} <= server
    assert "optserve[server]" in extras["dev"]


def test_licence_matches_pyproject() -> None:
    assert PYPROJECT["project"]["license"] == {"text": "Apache-2.0"}
    assert "Apache License" in (ROOT / "LICENSE").read_text()[:200]


def test_lock_file_pins_every_server_dependency() -> None:
    lines = (ROOT / "constraints.txt").read_text().splitlines()
    pins = {line.split("==")[0].lower().replace("_", "-") for line in lines if "==" in line}
    for dep in PYPROJECT["project"]["optional-dependencies"]["server"]:
        assert re.split(r"[<>=\[]", dep)[0].lower() in pins, dep
    assert "-c constraints.txt" in (ROOT / "Makefile").read_text()


def test_dockerfile_caches_dependencies_warms_up_checks_health_and_drops_root() -> None:
    text = (ROOT / "Dockerfile").read_text()
    assert text.index("constraints.txt") < text.index("COPY app")
    assert "python -m solvers.runtime.warmup" in text
    assert re.search(r"^HEALTHCHECK .*\n?.*/health/live", text, re.MULTILINE)
    users = re.findall(r"^USER (\S+)", text, re.MULTILINE)
    assert users and users[-1] not in {"root", "0"}
    assert text.index("USER") < text.index("CMD [")
