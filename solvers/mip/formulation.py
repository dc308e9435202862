"""What a family's MIP formulation offers a backend: the array model, a decoder, an encoder.

A formulation never imports a solver. Backends pass `mip` to their solver, turn solver vectors
back into wire solutions with `decode`, give warm starts through `encode`, and ask `separate`
for lazy rows (TSP subtour cuts) after each integer solution.
"""

from abc import ABC, abstractmethod
from dataclasses import dataclass

from models.problem import Solution
from solvers.mip.array_mip import ArrayMip, FloatArray, RowBlock


@dataclass(frozen=True)
class Decoded:
    """A feasible wire solution and its objective, recomputed from the problem data."""

    solution: Solution
    objective: float


class Formulation(ABC):
    """One problem's MIP; subclasses set `mip` (and `exact`, `warnings`) in their constructor."""

    mip: ArrayMip
    exact: bool = True
    """False when the MIP is a restriction of the problem: its optimum is then not proven optimal
    and its bound is not a bound of the problem, so backends report neither."""
    warnings: tuple[str, ...] = ()
    lazy_rows: bool = False
    """True when `separate` may return rows: then LP relaxation rounds are worth running first."""

    @abstractmethod
    def decode(self, x: FloatArray) -> Decoded:
        """The solution a MIP-feasible vector stands for (repaired where the family needs it)."""

    @abstractmethod
    def encode(self, solution: Solution) -> FloatArray | None:
        """A MIP vector for a wire solution, or None when it does not fit this model."""

    def heuristic(self) -> Decoded | None:
        """A cheap feasible solution to start from, if the family has one."""
        return None

    def plan_start(self, seconds_left: float, seed: int) -> None:
        """Sizes the search behind `heuristic` to the time left when the run starts (and seeds it);
        families whose heuristic takes no noticeable time do nothing."""
        return None

    def quick_start(self) -> Decoded | None:
        """A solution within milliseconds and without compiled code, reported before anything else
        runs, so that even a run killed at a short deadline answers with a verified solution."""
        return None

    def separate(self, x: FloatArray) -> RowBlock | None:
        """Rows violated by `x` that the model left out (lazy constraints); None when none is found.

        For an integer `x` None means x is feasible; for a fractional `x` (an LP point) the search
        may be heuristic, so None only means nothing more was found."""
        return None

    def start(self, warm: Solution | None) -> Decoded | None:
        """The best solution known before solving: the warm start if it fits, else the heuristic."""
        candidates = [self.heuristic()]
        if warm is not None:
            x = self.encode(warm)
            if x is not None:
                candidates.append(self.decode(x))
        return self.best_of(candidates)

    def better(self, a: Decoded, b: Decoded | None) -> bool:
        """True when `a` strictly improves on `b`."""
        if b is None:
            return True
        return a.objective > b.objective if self.mip.maximise else a.objective < b.objective

    def best_of(self, candidates: list[Decoded | None]) -> Decoded | None:
        best: Decoded | None = None
        for candidate in candidates:
            if candidate is not None and self.better(candidate, best):
                best = candidate
        return best
