"""The service's collaborators, built once per app and injected into handlers (no globals)."""

import threading
from dataclasses import dataclass, field

from app.settings import Settings
from solvers.dispatch import DispatchLimits
from solvers.registry import Registry, load_builtin


@dataclass
class Services:
    """What a request handler may use: settings, the backend registry, solve slots."""

    settings: Settings
    registry: Registry = field(default_factory=load_builtin)
    solve_slots: threading.BoundedSemaphore = field(init=False)

    def __post_init__(self) -> None:
        self.solve_slots = threading.BoundedSemaphore(self.settings.max_concurrent_solves)

    @property
    def limits(self) -> DispatchLimits:
        s = self.settings
        return DispatchLimits(max_time_limit=s.max_time_limit, grace=s.kill_grace, max_memory=s.max_solver_memory)
