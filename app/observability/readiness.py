"""Dependency checks for /health/ready: the database answers `SELECT 1`, the broker answers PING."""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Unready:
    """Why the service cannot take work now (the code and message of the 503 body)."""

    code: str
    message: str


def check_database(ping: Callable[[], None]) -> Unready | None:
    try:
        ping()
    except Exception as exc:  # any driver error means the same thing to a load balancer
        return Unready("database_unavailable", f"the job database does not answer: {type(exc).__name__}")
    return None


def check_broker(url: str, timeout: float) -> Unready | None:
    import redis

    client = redis.Redis.from_url(url, socket_timeout=timeout, socket_connect_timeout=timeout)
    try:
        client.ping()
    except Exception as exc:
        return Unready("broker_unavailable", f"the job broker does not answer PING: {type(exc).__name__}")
    finally:
        client.close()
    return None


def dependency_problem(ping_database: Callable[[], None], broker_url: str | None,
                       timeout: float) -> Unready | None:
    """The first unavailable dependency, or None when all answer."""
    problem = check_database(ping_database)
    if problem is None and broker_url:
        problem = check_broker(broker_url, timeout)
    return problem
