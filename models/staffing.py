"""Staffing family, built for simulation: how many servers per station, at minimum cost,
subject to service-level constraints (the hospital / call-centre question)."""

from typing import Annotated, Literal

from pydantic import Field

from models._base import ContractModel, Id
from models.distributions import Distribution
from models.issues import IssueList, check_objective_names, duplicate_positions


class ServerRange(ContractModel):
    """Decision bounds for a station's server count."""

    min: int = Field(default=1, ge=0, description="Fewest servers allowed.")
    max: int = Field(ge=1, description="Most servers allowed.")


class Station(ContractModel):
    """A service step with parallel identical servers and a first-come-first-served queue."""

    id: Id = Field(description="Unique station id.")
    service: Distribution = Field(description="Service time distribution (give `mean`).")
    servers: ServerRange = Field(description="Bounds on the server count (the decision).")
    cost_per_server: float = Field(default=1.0, ge=0, allow_inf_nan=False, description="Cost of one server.")


class RateSchedule(ContractModel):
    """Poisson arrivals whose rate changes by period (e.g. hourly rates)."""

    distribution: Literal["piecewise_poisson"]
    rates: list[Annotated[float, Field(ge=0)]] = Field(min_length=1, description="Arrival rate in each period.")
    period: float = Field(gt=0, description="Length of one period; the schedule repeats.")


class WaitMean(ContractModel):
    """Mean total waiting time of a customer must not exceed `max`."""

    kpi: Literal["wait_mean"]
    max: float = Field(ge=0, description="Upper limit.")


class ServiceLevel(ContractModel):
    """Fraction of customers whose total wait is at most `wait` must be at least `min`."""

    kpi: Literal["service_level"]
    wait: float = Field(ge=0, description="Waiting-time threshold.")
    min: float = Field(gt=0, le=1, description="Required fraction.")


Constraint = Annotated[WaitMean | ServiceLevel, Field(discriminator="kpi")]

STAFFING_CRITERIA = ("cost", "wait_mean", "abandonment_rate")
"""Criteria a multi-objective staffing request may name: cost, then KPIs the simulation measures."""


class StaffingProblem(ContractModel):
    """Choose server counts minimising cost so that every constraint holds (in expectation)."""

    kind: Literal["staffing"] = Field(description="Problem family discriminator.")
    arrivals: Annotated[Distribution | RateSchedule, Field(union_mode="left_to_right")] = Field(
        description="Inter-arrival time distribution, or a piecewise Poisson rate schedule.",
    )
    stations: list[Station] = Field(min_length=1, description="Stations, visited in this order unless `routing`.")
    routing: list[list[float]] | None = Field(
        default=None, description="routing[i][j] = probability of going from station i to j next "
        "(the rest of the row leaves); customers enter at the first station.",
    )
    patience: Distribution | None = Field(
        default=None, description="Abandonment: a customer leaves a queue after waiting this long.",
    )
    horizon: float = Field(gt=0, description="Simulated time per replication (after warm-up).")
    warmup: float = Field(default=0.0, ge=0, strict=True, description="Simulated time discarded at the start.")
    constraints: list[Constraint] = Field(default_factory=list, description="Service requirements.")
    require_stability: bool = Field(
        default=True, description="Part of the problem: every station without `patience` must get more "
        "capacity than its offered load (utilisation below 1), so that a steady state exists and waits do not "
        "grow with the horizon. It raises stations above `servers.min` when their load needs it (reported in "
        "`warnings` when it does) and is the source of the cost lower bound. Set false to accept any allocation "
        "within `servers` that meets `constraints` over the simulated horizon (the bound is then the cost at "
        "`servers.min`).",
    )

    model_config = {
        "json_schema_extra": {
            "examples": [
                {
                    "kind": "staffing",
                    "arrivals": {"distribution": "exponential", "mean": 1.0},
                    "stations": [{"id": "triage", "service": {"distribution": "exponential", "mean": 2.5},
                                  "servers": {"min": 1, "max": 8}, "cost_per_server": 1.0}],
                    "horizon": 2000,
                    "warmup": 200,
                    "constraints": [{"kpi": "wait_mean", "max": 0.5}],
                }
            ]
        }
    }

    objectives: list[str] | None = Field(
        default=None, min_length=2, description="Multi-objective: two or more of `cost` (exact), `wait_mean` "
        "(mean total wait of a customer) and `abandonment_rate` (abandonments per served customer; needs "
        "`patience`), all minimised; the simulated criteria are means over replications. The answer is a "
        "Pareto front (NSGA-II); `constraints`, if any, still filter the points.",
    )

    def criteria(self) -> list[str]:
        return list(self.objectives) if self.objectives else ["cost"]

    def check(self, issues: IssueList) -> None:
        """Unique ids, consistent bounds, a square routing matrix with rows summing to at most 1."""
        for pos in duplicate_positions([s.id for s in self.stations]):
            issues.add(("stations", pos, "id"), f"duplicate station id {self.stations[pos].id!r}")
        for pos, station in enumerate(self.stations):
            if station.servers.min > station.servers.max:
                issues.add(("stations", pos, "servers"), "min must not exceed max")
        n = len(self.stations)
        if self.routing is not None:
            if len(self.routing) != n or any(len(row) != n for row in self.routing):
                issues.add(("routing",), f"routing must be {n} x {n}")
            for i, row in enumerate(self.routing):
                if any(p < 0 for p in row) or sum(row) > 1 + 1e-9:
                    issues.add(("routing", i), "probabilities must be >= 0 and sum to at most 1")
        self._check_objectives(issues)

    def _check_objectives(self, issues: IssueList) -> None:
        """Known, distinct criteria; abandonment is only measured when customers have a patience."""
        if self.objectives is None:
            return
        check_objective_names(issues, self.objectives, set(STAFFING_CRITERIA))
        if self.patience is None and "abandonment_rate" in self.objectives:
            issues.add(("objectives", self.objectives.index("abandonment_rate")),
                       "objective 'abandonment_rate' needs `patience` (nobody abandons otherwise)")


class StaffingSolution(ContractModel):
    """Server count per station."""

    servers: dict[str, int] = Field(description="Station id (as a string) -> number of servers.")
