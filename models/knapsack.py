"""Knapsack family: 0/1 single- or multi-dimensional (weights and capacity become lists)."""

from typing import Annotated, Literal

from pydantic import Field

from models._base import ContractModel, Id
from models.issues import IssueList, check_objective_names, duplicate_positions

Quantity = Annotated[float, Field(ge=0, allow_inf_nan=False)]
"""A finite non-negative number (weights and capacities)."""


class KnapsackItem(ContractModel):
    """An item that is either taken whole or left out."""

    id: Id = Field(description="Unique item identifier (string or integer).")
    weight: Quantity | list[Quantity] = Field(
        description="Weight (>= 0); a list of weights, one per dimension, for multi-dimensional "
        "knapsacks.",
    )
    value: float | None = Field(
        default=None, ge=0, allow_inf_nan=False,
        description="Value gained when selected (>= 0); required unless `values` and `objectives` are given.",
    )
    values: list[Quantity] | None = Field(
        default=None, description="Multi-objective: one value per criterion (all maximised), named "
        "`value_0`, `value_1`, ... in the problem's `objectives`.",
    )


class KnapsackProblem(ContractModel):
    """Select items maximising total value without exceeding the capacity in any dimension."""

    kind: Literal["knapsack"] = Field(description="Problem family discriminator.")
    items: list[KnapsackItem] = Field(min_length=1, description="Candidate items.")
    capacity: Quantity | list[Quantity] = Field(
        description="Capacity (>= 0); a list, one per dimension, when weights are lists.",
    )
    objectives: list[str] | None = Field(
        default=None, min_length=2,
        description="Multi-objective: two or more of `value` and `value_<k>` (the k-th entry of the items' "
        "`values`), all maximised. Omit for a single objective (`value`).",
    )

    model_config = {
        "json_schema_extra": {
            # Single objective (no `objectives`): every item needs its `value`, as the validation says.
            "if": {"properties": {"objectives": {"type": "null"}}},
            "then": {"properties": {"items": {"items": {"required": ["value"]}}}},
            "examples": [
                {
                    "kind": "knapsack",
                    "capacity": 10,
                    "items": [
                        {"id": "A", "weight": 5, "value": 10},
                        {"id": "B", "weight": 4, "value": 40},
                        {"id": "C", "weight": 6, "value": 30},
                        {"id": "D", "weight": 3, "value": 50},
                    ],
                }
            ]
        }
    }

    @property
    def dimensions(self) -> int:
        return len(self.capacity) if isinstance(self.capacity, list) else 1

    def weight_rows(self) -> list[list[float]]:
        """Weights as one row per dimension, whatever form the request used."""
        rows: list[list[float]] = [[] for _ in range(self.dimensions)]
        for item in self.items:
            weights = item.weight if isinstance(item.weight, list) else [item.weight]
            for dim, w in enumerate(weights[: self.dimensions]):
                rows[dim].append(w)
        return rows

    def capacities(self) -> list[float]:
        return list(self.capacity) if isinstance(self.capacity, list) else [self.capacity]

    def criteria(self) -> list[str]:
        """Names of the objectives: the requested ones, or just `value`."""
        return list(self.objectives) if self.objectives else ["value"]

    def criterion_values(self, name: str) -> list[float]:
        """Per-item coefficients of one criterion (missing numbers count as 0)."""
        if name == "value":
            return [item.value or 0.0 for item in self.items]
        k = int(name.removeprefix("value_"))
        return [(item.values or [])[k] if item.values and k < len(item.values) else 0.0 for item in self.items]

    def check(self, issues: IssueList) -> None:
        """Semantic checks: unique ids, consistent dimensions, finite non-negative numbers."""
        self._check_objectives(issues)
        for pos in duplicate_positions([i.id for i in self.items]):
            issues.add(("items", pos, "id"), f"duplicate item id {self.items[pos].id!r}")
        caps = self.capacities()
        if not caps:
            issues.add(("capacity",), "capacity list must not be empty")
        for dim, cap in enumerate(caps):
            loc: tuple[str | int, ...] = ("capacity", dim) if isinstance(self.capacity, list) else ("capacity",)
            _check_quantity(issues, loc, cap, "capacity")
        for pos, item in enumerate(self.items):
            weights = item.weight if isinstance(item.weight, list) else [item.weight]
            if isinstance(item.weight, list) != isinstance(self.capacity, list) or len(weights) != len(caps):
                issues.add(
                    ("items", pos, "weight"),
                    f"weight has {len(weights)} dimension(s) but capacity has {len(caps)}; "
                    "use a number for both or lists of equal length",
                )
                continue
            for dim, w in enumerate(weights):
                loc = ("items", pos, "weight", dim) if isinstance(item.weight, list) else ("items", pos, "weight")
                _check_quantity(issues, loc, w, "weight")


    def _check_objectives(self, issues: IssueList) -> None:
        if self.objectives is None:
            for pos, item in enumerate(self.items):
                if item.value is None:
                    issues.add(("items", pos, "value"), "value is required (single objective)")
            return
        check_objective_names(issues, self.objectives, self._known_criteria())
        for name in self.objectives:
            if name == "value":
                for pos, item in enumerate(self.items):
                    if item.value is None:
                        issues.add(("items", pos, "value"), "objective `value` needs a value on every item")
        lengths = {len(item.values or []) for item in self.items}
        if len(lengths) > 1:
            issues.add(("items",), "every item needs the same number of `values`")

    def _known_criteria(self) -> set[str]:
        width = min((len(item.values or []) for item in self.items), default=0)
        return {"value", *(f"value_{k}" for k in range(width))}


def _check_quantity(issues: IssueList, loc: tuple[str | int, ...], value: float, what: str) -> None:
    if value != value or value in (float("inf"), float("-inf")):
        issues.add(loc, f"{what} must be a finite number")
    elif value < 0:
        issues.add(loc, f"{what} must be >= 0, got {value}")


class KnapsackSolution(ContractModel):
    """Which items are taken."""

    selected: list[Id] = Field(description="Ids of the selected items.")
