"""Facility location family (OR-Library convention: costs[i][j] serves ALL of customer j's demand)."""

import math
from typing import Annotated, Literal

from pydantic import Field

from models._base import ContractModel, Id
from models.issues import IssueList, check_objective_names, duplicate_positions

Location = Annotated[
    list[Annotated[float, Field(strict=True, allow_inf_nan=False)]], Field(min_length=2, max_length=2)
]
"""A point [x, y] in the user's plane: only drawn (the `facilities` picture), never used in costs."""


class Facility(ContractModel):
    """A site that may be opened at a fixed cost, optionally with a capacity."""

    id: Id = Field(description="Unique facility identifier.")
    fixed_cost: float = Field(ge=0, allow_inf_nan=False, description="Cost of opening (>= 0).")
    capacity: float | None = Field(
        default=None, ge=0, allow_inf_nan=False, description="Total demand it can serve; omit for unlimited."
    )
    location: Location | None = Field(
        default=None, description="Optional [x, y] position, used only to draw the plan on a map (costs come "
        "from `costs`).",
    )


class Customer(ContractModel):
    """A demand point that must be served in full."""

    id: Id = Field(description="Unique customer identifier.")
    demand: float = Field(ge=0, allow_inf_nan=False, description="Demand to serve (>= 0).")
    location: Location | None = Field(
        default=None, description="Optional [x, y] position, used only to draw the plan on a map (costs come "
        "from `costs`).",
    )


class FacilityLocationProblem(ContractModel):
    """Open facilities and assign customers to them at minimum fixed plus service cost."""

    kind: Literal["facility_location"] = Field(description="Problem family discriminator.")
    facilities: list[Facility] = Field(min_length=1, description="Candidate facilities.")
    customers: list[Customer] = Field(min_length=1, description="Customers to serve.")
    costs: list[list[float]] = Field(
        description="costs[i][j] = cost of serving ALL of customer j's demand from facility i; "
        "serving a fraction pays that fraction. One row per facility, one column per customer.",
    )
    single_source: bool = Field(
        default=False, description="If true every customer is served by exactly one facility."
    )
    distances: list[list[float]] | None = Field(
        default=None, description="distances[i][j] from facility i to customer j (for distance objectives).",
    )
    objectives: list[str] | None = Field(
        default=None, min_length=2, description="Multi-objective: two or more of `cost`, `max_distance` (largest "
        "distance of a served pair) and `mean_distance` (demand-weighted), all minimised; the distance "
        "criteria need `distances`.",
    )

    model_config = {
        "json_schema_extra": {
            "examples": [
                {
                    "kind": "facility_location",
                    "facilities": [
                        {"id": "F1", "fixed_cost": 100, "capacity": 30},
                        {"id": "F2", "fixed_cost": 120, "capacity": 40},
                        {"id": "F3", "fixed_cost": 90, "capacity": 25},
                    ],
                    "customers": [
                        {"id": "C1", "demand": 10},
                        {"id": "C2", "demand": 15},
                        {"id": "C3", "demand": 12},
                        {"id": "C4", "demand": 8},
                    ],
                    "costs": [[20, 40, 60, 30], [50, 20, 25, 45], [35, 55, 20, 15]],
                    "single_source": False,
                }
            ]
        }
    }

    def check(self, issues: IssueList) -> None:
        """Unique ids, a facilities x customers cost matrix of finite non-negative numbers."""
        for pos in duplicate_positions([f.id for f in self.facilities]):
            issues.add(("facilities", pos, "id"), f"duplicate facility id {self.facilities[pos].id!r}")
        for pos in duplicate_positions([c.id for c in self.customers]):
            issues.add(("customers", pos, "id"), f"duplicate customer id {self.customers[pos].id!r}")
        m, n = len(self.facilities), len(self.customers)
        if len(self.costs) != m:
            issues.add(("costs",), f"costs has {len(self.costs)} rows; need one per facility ({m})")
        for i, row in enumerate(self.costs):
            if len(row) != n:
                issues.add(("costs", i), f"row has {len(row)} entries; need one per customer ({n})")
                continue
            for j, value in enumerate(row):
                if not math.isfinite(value) or value < 0:
                    issues.add(("costs", i, j), f"cost must be a finite number >= 0, got {value}")
        self._check_objectives(issues, m, n)

    def criteria(self) -> list[str]:
        return list(self.objectives) if self.objectives else ["cost"]

    def _check_objectives(self, issues: IssueList, m: int, n: int) -> None:
        if self.distances is not None:
            if len(self.distances) != m or any(len(row) != n for row in self.distances):
                issues.add(("distances",), f"distances must be {m} x {n} (facilities x customers)")
            elif any(not math.isfinite(v) or v < 0 for row in self.distances for v in row):
                issues.add(("distances",), "distances must be finite numbers >= 0")
        if self.objectives is None:
            return
        check_objective_names(issues, self.objectives, {"cost", "max_distance", "mean_distance"})
        if self.distances is None and any(name.endswith("_distance") for name in self.objectives):
            issues.add(("distances",), "distance objectives need `distances`")


class Assignment(ContractModel):
    """The share of a customer's demand served by one facility."""

    customer: Id = Field(description="Customer id.")
    facility: Id = Field(description="Facility id (must be open).")
    fraction: float = Field(default=1.0, gt=0, le=1, description="Share of the demand, in (0, 1].")


class FacilitySolution(ContractModel):
    """Open facilities and who serves whom."""

    open: list[Id] = Field(description="Ids of the open facilities.")
    assignments: list[Assignment] = Field(description="Customer-to-facility assignments.")
