"""`pip install optserve` (no extras) must give a working SDK and client CLI.

Each check runs in a fresh interpreter whose import system refuses every server-only package,
as if only pydantic, httpx, typer and rich were installed.
"""

import json
import subprocess
import sys
from pathlib import Path

SERVER_ONLY = ["fastapi", "starlette", "uvicorn", "sqlalchemy", "alembic", "psycopg", "celery", "kombu", "redis",
               "numpy", "scipy", "highspy", "ortools", "pulp", "pyomo", "numba", "simpy", "deap", "pymoo",
               "matplotlib", "prometheus_client", "jinja2", "pydantic_settings"]

BLOCKER = f"""
import importlib.abc, sys
class Refuse(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split('.')[0] in {SERVER_ONLY!r}:
            raise ModuleNotFoundError(f'No module named {{name!r}} (blocked)', name=name)
        return None
sys.meta_path.insert(0, Refuse())
"""


def run(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", BLOCKER + code], capture_output=True, text=True, timeout=60,
                          check=False)


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return run(f"import sys; sys.argv = ['optserve', *{list(args)!r}]\nfrom optserve.cli import main\nmain()")


def test_sdk_imports_without_server_packages() -> None:
    done = run("import optserve, optserve.client; print(optserve.__version__, optserve.Client.__name__)")
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == [optserve_version(), "Client"]


def test_cli_help_without_server_packages() -> None:
    done = cli("--help")
    assert done.returncode == 0, done.stderr
    for command in ("serve", "solve", "batch", "worker"):
        assert command in done.stdout


def test_server_commands_say_what_to_install() -> None:
    done = cli("serve")
    assert done.returncode == 2
    assert 'pip install "optserve[server]"' in done.stderr
    assert "Traceback" not in done.stderr


def test_solve_with_server_needs_no_server_package(tmp_path: Path) -> None:
    request = tmp_path / "request.json"
    request.write_text(json.dumps({"problem": {"kind": "knapsack", "capacity": 1,
                                               "items": [{"id": "a", "weight": 1, "value": 1}]}}))
    done = cli("solve", str(request), "--server", "http://127.0.0.1:9")  # discard port: nothing listens
    assert "blocked" not in done.stderr
    assert "optserve[server]" not in done.stderr
    assert done.returncode != 0
    assert "TransportError" in done.stderr  # it reached the network: the SDK path imported cleanly


def test_sdk_ships_type_information() -> None:
    import optserve

    assert (Path(optserve.__file__).parent / "py.typed").exists()


def optserve_version() -> str:
    from optserve._version import __version__

    return __version__
