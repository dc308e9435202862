"""The tightest bound a run has reported, kept for its answer.

Why: a MIP backend reports a family's quick solution with a certified bound before it builds its
model (`solvers.mip.early_start`), then answers with the solver's own result, which on large
instances often has no bound at all (HiGHS on 2,000 cities at 2 s: a tour of 34,816 with none; CBC
and Pyomo on 100 x 1,000 single-source facility location: none). Later incumbents may carry no
bound either. Every bound reported during a run bounds the same problem, so the answer gets the
tightest one, with what proves it; a result's own bound is replaced only by a tighter one, and a
proven optimum is never touched.
"""

from dataclasses import dataclass

from models import Status
from solvers.contract import Incumbent, RawResult


@dataclass
class BestBound:
    """The tightest bound seen so far and its source (None: nothing reported yet)."""

    maximise: bool
    backend: str | None
    """Named as the source of a bound reported without one (the backend's own); None in the solve
    process, which does not know its backend's registered name (the parent names it)."""
    value: float | None = None
    source: str | None = None

    def offer(self, incumbent: Incumbent) -> None:
        """Keeps the incumbent's bound if it is tighter than the one kept."""
        if incumbent.bound is not None and not self._at_least_as_tight_as(incumbent.bound):
            self.value, self.source = incumbent.bound, incumbent.bound_source or self.backend

    def complete(self, raw: RawResult) -> RawResult:
        """`raw` with the kept bound when it has none or a weaker one (an optimum is left as it is)."""
        if self.value is None or raw.status is Status.optimal or raw.front is not None:
            return raw
        if raw.bound is not None and not self._tighter_than(raw.bound):
            return raw
        return raw.model_copy(update={"bound": self.value, "bound_source": self.source})

    def _at_least_as_tight_as(self, bound: float) -> bool:
        if self.value is None:
            return False
        return self.value <= bound if self.maximise else self.value >= bound

    def _tighter_than(self, bound: float) -> bool:
        assert self.value is not None
        return self.value < bound if self.maximise else self.value > bound
