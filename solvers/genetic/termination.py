"""Composable stopping rules for the genetic search (in the spirit of pymoo's terminations).

Each criterion looks at the search's `Progress` and either lets it go on (None) or names why it
stops. `AnyOf` stops at the first criterion that fires, in the order given, so the reported reason
is stable. Reasons map to the service's `Termination` values in `TERMINATION`.
"""

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol

from models import Termination
from solvers.gap import gap_closed


class StopReason(StrEnum):
    time_limit = "time_limit"
    generations = "generations"
    stagnation = "stagnation"
    bound_reached = "bound_reached"


TERMINATION: dict[StopReason, Termination] = {
    StopReason.time_limit: Termination.time_limit,
    StopReason.generations: Termination.iteration_limit,
    StopReason.stagnation: Termination.completed,
    StopReason.bound_reached: Termination.completed,
}
"""Stagnation is a normal end of the search (`completed`); the log names it."""


@dataclass
class Progress:
    """What the criteria look at: generations done, the best value and when it last improved."""

    generation: int = 0
    best: float | None = None
    improved_at: int = 0


class Criterion(Protocol):
    def __call__(self, progress: Progress) -> StopReason | None: ...


@dataclass(frozen=True)
class TimeLimit:
    """Stops when the clock passes `deadline` (a `time.monotonic()` value)."""

    deadline: float
    clock: Callable[[], float] = time.monotonic

    def __call__(self, progress: Progress) -> StopReason | None:
        return StopReason.time_limit if self.clock() >= self.deadline else None

    def remaining(self) -> float:
        return max(0.0, self.deadline - self.clock())


@dataclass(frozen=True)
class GenerationLimit:
    """Stops after `generations` generations (not counting the initial population)."""

    generations: int

    def __call__(self, progress: Progress) -> StopReason | None:
        return StopReason.generations if progress.generation >= self.generations else None


@dataclass(frozen=True)
class Stagnation:
    """Stops when the best value has not improved for `patience` generations, and for at least
    as many generations as it took to find it: a search still improving late waits longer."""

    patience: int

    def __call__(self, progress: Progress) -> StopReason | None:
        since = progress.generation - progress.improved_at
        return StopReason.stagnation if since >= max(self.patience, progress.improved_at) else None


@dataclass(frozen=True)
class BoundReached:
    """Stops when the best value is within `relative_gap` of a certified bound."""

    bound: float
    relative_gap: float = 0.0

    def __call__(self, progress: Progress) -> StopReason | None:
        if progress.best is None:
            return None
        return StopReason.bound_reached if gap_closed(progress.best, self.bound, self.relative_gap) else None


@dataclass(frozen=True)
class AnyOf:
    """The first criterion (in order) that fires."""

    criteria: tuple[Criterion, ...] = field(default_factory=tuple)

    def __call__(self, progress: Progress) -> StopReason | None:
        for criterion in self.criteria:
            reason = criterion(progress)
            if reason is not None:
                return reason
        return None
