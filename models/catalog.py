"""Descriptions served by GET /solvers, GET /problems and POST /validate."""

from typing import Any

from pydantic import Field

from models._base import ContractModel


class SolverCapabilities(ContractModel):
    """What a backend can do."""

    families: list[str] = Field(description="Problem kinds it solves.")
    exact: bool = Field(description="Proves optimality (given time), as opposed to a heuristic.")
    reports_bound: bool = Field(description="Returns a proven bound, hence a gap.")
    warm_start: bool = Field(description="Uses options.warm_start.")
    deterministic: bool = Field(description="Same seed and limits give the same answer.")
    multi_objective: bool = Field(default=False, description="Returns Pareto fronts.")
    simulation: list[str] = Field(
        default_factory=list, description="Problem kinds for which it answers requests with a `simulation` block "
        "itself (requests naming another solver are wrapped by such a backend, which uses the named one for its "
        "deterministic start).",
    )


class SolverDescription(ContractModel):
    """A registered backend and whether it can run here."""

    name: str = Field(description="Value for the request's `solver` field.")
    description: str = Field(description="What it is and when it shines.")
    capabilities: SolverCapabilities
    available: bool = Field(description="Usable on this server.")
    version: str | None = Field(default=None, description="Underlying library version.")
    reason: str | None = Field(default=None, description="Why it is unavailable, when it is.")


class ProblemDescription(ContractModel):
    """A problem family: its JSON schema and a request that solves as-is."""

    kind: str = Field(description="The `kind` discriminator.")
    title: str = Field(description="Short name.")
    description: str = Field(description="What the family models.")
    maximise: bool = Field(description="True when the objective is maximised.")
    json_schema: dict[str, Any] = Field(alias="schema", description="JSON schema of the problem object.")
    solution_schema: dict[str, Any] = Field(description="JSON schema of the solution object.")
    example: dict[str, Any] = Field(description="A complete POST /solve body for this family.")

    model_config = {"populate_by_name": True, "serialize_by_alias": True}


class ValidationReport(ContractModel):
    """Answer of POST /validate for a valid request."""

    valid: bool = Field(description="Always true here; invalid requests get a 422.")
    kind: str = Field(description="Problem family.")
    size: dict[str, int] = Field(description="Size figures, e.g. items, nodes, operations.")
    solver: str = Field(description="The backend that would run (`auto` resolved).")
    warnings: list[str] = Field(default_factory=list, description="Things worth knowing before solving.")
