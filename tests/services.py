"""Real PostgreSQL and Redis for tests: started if they are down, a fresh database per session.

The start commands are the machine's own (the env notes for this kind of machine); a test that
needs a service skips with a loud reason only when the service truly cannot be started.
"""

import glob
import os
import socket
import subprocess
import time
import uuid

import pytest

PG_HOST, PG_PORT, REDIS_PORT = "127.0.0.1", 5432, 6379


def port_open(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((host, port)) == 0


def _wait_for(port: int, seconds: float = 20.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if port_open(port):
            return True
        time.sleep(0.2)
    return False


def _start(command: list[str]) -> str:
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return str(exc)
    return (done.stdout + done.stderr).strip()


def ensure_postgres() -> None:
    if port_open(PG_PORT):
        return
    versions = [os.path.basename(p) for p in glob.glob("/etc/postgresql/*")]
    output = "no PostgreSQL cluster configured under /etc/postgresql"
    for version in versions:
        output = _start(["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "start"])
    if not _wait_for(PG_PORT):
        pytest.skip(f"!!! PostgreSQL is down on {PG_HOST}:{PG_PORT} and could not be started: {output}")


def ensure_redis() -> None:
    if port_open(REDIS_PORT):
        return
    output = _start(["redis-server", "--daemonize", "yes", "--bind", "127.0.0.1", "-::1", "--port", str(REDIS_PORT),
                     "--save", "", "--appendonly", "no", "--dir", "/var/lib/redis",
                     "--logfile", "/var/log/redis/ci.log"])
    if not _wait_for(REDIS_PORT):
        pytest.skip(f"!!! Redis is down on 127.0.0.1:{REDIS_PORT} and could not be started: {output}")


def fresh_postgres_database() -> tuple[str, str]:
    """Creates an empty database; returns (plain postgresql:// URL, name) for the caller to drop."""
    import psycopg

    ensure_postgres()
    name = f"optserve_test_{uuid.uuid4().hex[:10]}"
    user = os.environ.get("PGUSER", "postgres")
    with psycopg.connect(f"postgresql://{user}@{PG_HOST}:{PG_PORT}/postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return f"postgresql://{user}@{PG_HOST}:{PG_PORT}/{name}", name


def drop_postgres_database(name: str) -> None:
    import psycopg

    user = os.environ.get("PGUSER", "postgres")
    with psycopg.connect(f"postgresql://{user}@{PG_HOST}:{PG_PORT}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
