"""Whether the solve processes started with the service have loaded, for /health/ready.

Why readiness waits for them: a request for a backend whose process is still loading (its solver
library, then its compiled kernels) cannot be sent before the load is over, so a short request right
after start-up answered `no_solution` at its deadline ("still loading"); a load balancer or
`docker compose` that waits for readiness now holds traffic until then (for the default backends
on this machine, about 2 s after the server first answers; longer when the kernels must be compiled).
"""

import time

from solvers.runtime.pool import WorkerPool

READY_ANYWAY_AFTER = 300.0
"""Seconds after start-up past which readiness stops waiting (a process that never finishes loading
must not keep the whole service out of rotation; its requests still answer, `no_solution` at worst)."""


class PrewarmWatch:
    """The prewarmed backends still loading, until the first time none is. Latched: a process started
    later to replace one killed at a deadline loads too, and must not take the service out of rotation."""

    def __init__(self, pool: WorkerPool, started: dict[str, str], ready_anyway_after: float = READY_ANYWAY_AFTER):
        """`started`: the backends started with the service, with their modules."""
        self._pool = pool
        self._started = started
        self._since = time.monotonic()
        self._limit = ready_anyway_after
        self._loaded = not started

    def loading(self) -> list[str]:
        """The names of the prewarmed backends still loading; empty for good once it has been."""
        if self._loaded:
            return []
        modules = self._pool.loading_modules()
        names = sorted(name for name, module in self._started.items() if module in modules)
        if not names or time.monotonic() - self._since > self._limit:
            self._loaded = True
            return []
        return names
