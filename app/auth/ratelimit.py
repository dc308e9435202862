"""Requests per minute per API key: a sliding-window log kept in this process.

The window is per process: with N API processes behind a balancer a key may make up to N times
its quota. That is acceptable for a guard against runaway clients; an exact cross-process quota
would need a shared counter (Redis) on every request.
"""

import math
import threading
import time
from collections import deque
from collections.abc import Callable

WINDOW = 60.0


class RateLimiter:
    """Admits at most `limit` calls per name in any WINDOW seconds; thread-safe."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._calls: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def admit(self, name: str, limit: int) -> float | None:
        """Records a call and returns None, or returns the seconds to wait when over the limit."""
        now = self._clock()
        with self._lock:
            calls = self._calls.setdefault(name, deque())
            while calls and calls[0] <= now - WINDOW:
                calls.popleft()
            if len(calls) >= limit:
                return calls[0] + WINDOW - now
            calls.append(now)
            return None


def retry_after(seconds: float) -> str:
    """The Retry-After value: whole seconds, at least 1."""
    return str(max(1, math.ceil(seconds)))
