"""What every solve returns: what we got (status) apart from why it stopped (termination)."""

from enum import StrEnum

from pydantic import Field

from models._base import ContractModel
from models.multiobjective import ParetoPoint
from models.problem import Solution
from models.simulation import SimulationReport


class Status(StrEnum):
    """What the answer is worth."""

    optimal = "optimal"
    feasible = "feasible"
    infeasible = "infeasible"
    unbounded = "unbounded"
    no_solution = "no_solution"
    error = "error"


class Termination(StrEnum):
    """Why the solver stopped."""

    completed = "completed"
    time_limit = "time_limit"
    gap_limit = "gap_limit"
    iteration_limit = "iteration_limit"
    cancelled = "cancelled"
    error = "error"


class Timings(ContractModel):
    """Wall-clock seconds spent in each phase."""

    total: float = Field(description="From receipt to answer.")
    queue: float = Field(default=0.0, description="Waiting for a worker.")
    build: float = Field(default=0.0, description="Building the model.")
    solve: float = Field(default=0.0, description="Inside the solver.")
    verify: float = Field(default=0.0, description="Independent re-check of the solution.")


class SolverInfo(ContractModel):
    """Which backend answered, and its library version."""

    name: str = Field(description="Backend name as listed by GET /solvers.")
    version: str | None = Field(default=None, description="Version of the underlying library.")


class MemberReport(ContractModel):
    """One member of a portfolio race: what it found and proved on its own, so the caller can see
    who contributed what (the race keeps only the best of each)."""

    name: str = Field(description="Backend name of the member.")
    objective: float | None = Field(
        default=None, description="Best objective among the member's solutions, recomputed by the evaluator.")
    bound: float | None = Field(default=None, description="Tightest bound the member reported (a claim).")
    runs: int = Field(default=0, ge=0, description="How many times the member was started (restarts included).")


class Result(ContractModel):
    """A solve's answer, with an honest status, a bound and the gap between them."""

    status: Status = Field(description="optimal | feasible | infeasible | unbounded | no_solution | error.")
    termination: Termination = Field(description="Why the solve stopped.")
    objective: float | None = Field(default=None, description="Objective recomputed from the solution.")
    bound: float | None = Field(
        default=None, description="Proven bound (upper for maximisation, lower for minimisation)."
    )
    gap: float | None = Field(
        default=None, description="|objective - bound| / max(|objective|, 1e-9); null only without a bound."
    )
    bound_source: str | None = Field(default=None, description="Where the bound comes from.")
    solution: Solution | None = Field(default=None, description="The solution in the family's format.")
    verified: bool = Field(
        default=False, description="True when the independent evaluator confirmed feasibility and objective."
    )
    timings: Timings = Field(description="Where the time went.")
    solver: SolverInfo = Field(description="The backend that produced the answer.")
    seed: int = Field(description="Seed used.")
    pareto_front: list[ParetoPoint] | None = Field(
        default=None, description="Multi-objective: verified, mutually non-dominated points.")
    objectives: list[str] | None = Field(default=None, description="Multi-objective: criteria, in vector order.")
    hypervolume: float | None = Field(default=None, description="Multi-objective: hypervolume of the front.")
    reference_point: list[float] | None = Field(default=None, description="Reference point of `hypervolume`.")
    compromise: int | None = Field(default=None, description="Index in `pareto_front` of the recommended point.")
    simulation: SimulationReport | None = Field(
        default=None, description="Simulation-evaluated results: replications, confidence, KPI intervals.")
    found_by: str | None = Field(
        default=None, description="Backend that produced the returned solution, for portfolio runs; null otherwise.")
    bound_by: str | None = Field(
        default=None, description="Backend whose bound this is, for portfolio runs (`bound_source` says how it "
        "proved it: e.g. `lagrangian`, `held_karp_1tree`, or the backend's own search); null otherwise.")
    members: list[MemberReport] | None = Field(
        default=None, description="Portfolio runs: each member's own best objective and bound; null otherwise.")
    warnings: list[str] = Field(default_factory=list, description="Things the caller should know.")
    message: str | None = Field(default=None, description="Explanation for error or infeasible statuses.")
