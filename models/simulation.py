"""The `simulation` block of a request and the statistics a simulated answer carries."""

from typing import Annotated, Any, Literal

from pydantic import ConfigDict, Field

from models._base import ContractModel
from models.distributions import Distribution
from models.problem_solutions import Solution


class SimulationSpec(ContractModel):
    """How to evaluate solutions by simulation: replications, confidence, randomness, objective."""

    model_config = ConfigDict(strict=True)  # `true` or "5" for a number is a 422, as the schema says

    replications: int | Literal["auto"] = Field(
        default=30, description="Replications per evaluated solution, or `auto`: add replications until the "
        "confidence interval's half-width is at most `target_half_width` (relative to the mean). When evaluating "
        "a staffing plan (`POST /evaluate`), `auto` first lengthens a horizon that is short for the traffic (under "
        "50 estimated relaxation times, at most 16-fold); the answer's `warnings` say what it did.",
    )
    confidence: float = Field(default=0.95, gt=0.5, le=0.999, description="Confidence level of the intervals "
                              "(at most 0.999: closer to 1 the interval is infinite).")
    target_half_width: float = Field(default=0.02, gt=0, lt=1, description="Relative half-width target (`auto`).")
    min_replications: int = Field(default=10, ge=2, description="Replications before `auto` may stop.")
    max_replications: int = Field(default=200, ge=2, le=100_000, description="Cap for `auto` and selection.")
    seed: int = Field(default=0, ge=0, le=2**31 - 1, description="Seed of every random stream.")
    common_random_numbers: bool = Field(
        default=True, strict=True, description="Candidates see the same random streams (keyed by replication and "
        "element).",
    )
    warmup: Annotated[float, Field(ge=0, strict=True)] | Literal["mser5"] | None = Field(
        default=None, description="Steady-state models (staffing): what each replication deletes at its start. "
        "`null`: the problem's own `warmup`. A number: that much simulated time instead (the run is this "
        "plus `horizon` long). `mser5`: chosen from the data per replication by MSER-5 (batch means of 5 over "
        "the waits in arrival order; the deletion point minimising the marginal standard error among the first "
        "half of the run; the run is the problem's `warmup` plus `horizon` long). The time deleted is reported "
        "as KPI `warmup` (and `warmup_at_limit`: share of replications where MSER-5 wanted half the run or "
        "more). Measured: MSER-5 per replication biases heavy-traffic waits low (bench/RESULTS.md), so it is "
        "not the default. Other families simulate finite plans and ignore it.",
    )
    objective: Literal["mean", "p90", "p95"] = Field(
        default="mean", description="Statistic of the family's objective KPI to optimise.",
    )
    model: dict[str, Any] = Field(
        default_factory=dict,
        description="Family-specific randomness. scheduling: {processing_time: distribution, breakdowns: "
        "{mtbf, mttr}, due}; tsp: {travel_time: distribution, deadline}; knapsack: {weight: distribution}; "
        "facility_location: {service_time, travel_time, arrival_rate_per_demand, servers_per_capacity, "
        "horizon, response_target}; staffing: {} (the problem itself is stochastic). A distribution without "
        "`mean` is centred on the nominal value.",
    )


class SchedulingSimModel(ContractModel):
    """Random processing times and machine breakdowns around a fixed schedule's sequences."""

    processing_time: Distribution | None = Field(default=None, description="Duration distribution (nominal = mean).")
    breakdowns: "Breakdowns | None" = Field(default=None, description="Machine failures.")
    due: float | None = Field(default=None, ge=0, description="Reports P(makespan <= due).")


class Breakdowns(ContractModel):
    """Exponential time between failures (MTBF) and repair times (MTTR) per machine."""

    mtbf: float = Field(gt=0, description="Mean time between failures (busy or idle).")
    mttr: float = Field(gt=0, description="Mean time to repair.")


class TspSimModel(ContractModel):
    """Random travel times along the tour."""

    travel_time: Distribution | None = Field(default=None, description="Edge time distribution (nominal = length).")
    deadline: float | None = Field(default=None, ge=0, description="Reports P(return by deadline).")


class KnapsackSimModel(ContractModel):
    """Random item weights (capacity fixed)."""

    weight: Distribution | None = Field(default=None, description="Weight distribution (nominal = mean).")


class FacilitySimModel(ContractModel):
    """Customers send requests over time; open facilities serve them with servers and a queue."""

    arrival_rate_per_demand: float = Field(default=0.01, gt=0, description="Requests per time unit per unit of demand.")
    service_time: Distribution = Field(description="Service duration at a facility.")
    travel_time: Distribution | None = Field(
        default=None, description="Travel time distribution; nominal = distances[i][j] (or per-unit cost).",
    )
    servers_per_capacity: float = Field(
        default=0.0, ge=0, description="Servers per unit of capacity (at least 1 server per open facility).",
    )
    horizon: float = Field(default=1000.0, gt=0, description="Simulated time per replication.")
    response_target: float | None = Field(default=None, gt=0, description="Reports P(response <= target).")


class StaffingSimModel(ContractModel):
    """Staffing problems carry their randomness themselves; nothing to add here."""


class KpiStat(ContractModel):
    """A key performance indicator over replications, with a Student-t confidence interval."""

    mean: float = Field(description="Sample mean over replications.")
    half_width: float = Field(description="Half-width of the confidence interval of the mean.")
    std: float = Field(description="Sample standard deviation over replications.")
    n: int = Field(description="Replications.")


class SimulatedSolution(ContractModel):
    """A solution and its simulated KPIs."""

    solution: Solution = Field(description="The solution evaluated.")
    kpis: dict[str, KpiStat] = Field(description="KPI statistics.")


class SelectionReport(ContractModel):
    """How the final choice among the best candidates was made."""

    method: str = Field(description="Ranking-and-selection rule used.")
    candidates: int = Field(description="Candidates compared in the final stage.")
    indifference_zone: float = Field(description="Differences smaller than this are not distinguished.")
    probability_correct_selection: float = Field(description="Guaranteed probability of correct selection.")
    replications_total: int = Field(description="Replications simulated in the whole search.")


class SimulationReport(ContractModel):
    """Statistics attached to a simulation-evaluated result."""

    replications: int = Field(description="Replications behind `kpis`.")
    confidence: float = Field(description="Confidence level of every interval.")
    common_random_numbers: bool = Field(description="Whether candidates shared random streams.")
    objective_kpi: str = Field(description="KPI the optimisation used.")
    kpis: dict[str, KpiStat] = Field(description="KPIs of the returned solution.")
    baseline: SimulatedSolution | None = Field(
        default=None, description="The deterministic optimum, simulated with the same streams.",
    )
    difference: dict[str, KpiStat] | None = Field(
        default=None, description="Paired difference returned minus baseline, per KPI.",
    )
    selection: SelectionReport | None = Field(default=None, description="Final ranking-and-selection step.")


SchedulingSimModel.model_rebuild()
