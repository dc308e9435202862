"""Per-request solver options, translated by each backend into its native parameters."""

from pydantic import ConfigDict, Field

from models._base import ContractModel
from models.problem import Solution


class SolveOptions(ContractModel):
    """What the caller asks of the solve: limits, tolerances, reproducibility, a start."""

    model_config = ConfigDict(strict=True)  # `true` or "5" for a number is a 422, as the schema says

    time_limit: float = Field(
        default=10.0, gt=0, le=86_400, allow_inf_nan=False,
        description="Wall-clock seconds for the solve (capped by the server's `max_time_limit`); "
        "enforced by the service, not only by the solver.",
    )
    relative_gap: float = Field(
        default=0.0, ge=0, le=1, description="Stop once |objective - bound| / |objective| is at most this."
    )
    seed: int = Field(default=0, ge=0, le=2**31 - 1, description="Random seed for reproducible runs.")
    threads: int = Field(default=1, ge=1, le=64, description="Solver threads.")
    warm_start: Solution | None = Field(
        default=None, description="An initial solution in the family's solution format (a hint)."
    )
    iteration_limit: int | None = Field(
        default=None, ge=1, description="Iterations (generations for metaheuristics); with a seed it "
        "makes heuristic runs reproducible.",
    )
