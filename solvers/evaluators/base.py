"""What an independent check of a solution says: feasible or not, and the recomputed objective."""

from dataclasses import dataclass, field

FEASIBILITY_TOL = 1e-6


@dataclass
class Evaluation:
    """The evaluator's verdict; `violations` lists every broken constraint found."""

    objective: float | None = None
    violations: list[str] = field(default_factory=list)

    @property
    def feasible(self) -> bool:
        return not self.violations

    def violate(self, message: str) -> None:
        self.violations.append(message)


def exceeds(value: float, limit: float) -> bool:
    """True when `value` is over `limit` beyond a relative-plus-absolute tolerance."""
    return value > limit + FEASIBILITY_TOL * max(1.0, abs(limit))
