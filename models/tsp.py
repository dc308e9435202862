"""Travelling salesman family: coordinates with a metric, or an explicit (possibly asymmetric) matrix."""

import math
from enum import StrEnum
from typing import Literal

from pydantic import Field

from models._base import ContractModel
from models.issues import IssueList, check_objective_names


class Metric(StrEnum):
    """How coordinates become distances (the TSPLIB names, plus plain Euclidean)."""

    euclidean = "euclidean"
    euc_2d = "euc_2d"
    ceil_2d = "ceil_2d"
    geo = "geo"
    att = "att"


class TspProblem(ContractModel):
    """Visit every node once and return to the start with minimum total length."""

    kind: Literal["tsp"] = Field(description="Problem family discriminator.")
    coordinates: list[list[float]] | None = Field(
        default=None, min_length=1,
        description="Node coordinates [x, y] (for `geo`: TSPLIB DDD.MM latitude, longitude). "
        "Give either this or `distances`.",
    )
    metric: Metric | None = Field(
        default=None,
        description="Distance function for `coordinates` (default `euclidean`): `euc_2d` is the "
        "TSPLIB nint of the Euclidean distance, `ceil_2d` rounds up, `geo` and `att` as in TSPLIB.",
    )
    distances: list[list[float]] | None = Field(
        default=None, min_length=1,
        description="Square matrix, distances[i][j] = cost of travelling i -> j (asymmetric allowed; "
        "the diagonal is ignored).",
    )

    extra_costs: list[list[list[float]]] | None = Field(
        default=None, description="Multi-objective: further n x n cost matrices, criteria `extra_cost_0`, ...",
    )
    objectives: list[str] | None = Field(
        default=None, min_length=2, description="Multi-objective: two or more of `length` and "
        "`extra_cost_<k>`, all minimised. Omit for a single objective (`length`).",
    )

    model_config = {
        "json_schema_extra": {
            "examples": [
                {
                    "kind": "tsp",
                    "coordinates": [[0, 0], [0, 10], [10, 10], [10, 0], [5, -3]],
                    "metric": "euc_2d",
                }
            ]
        }
    }

    @property
    def size(self) -> int:
        if self.distances is not None:
            return len(self.distances)
        return len(self.coordinates or [])

    def check(self, issues: IssueList) -> None:
        """Exactly one source of distances, a square finite matrix, metric only with coordinates."""
        if (self.coordinates is None) == (self.distances is None):
            issues.add((), "give exactly one of `coordinates` or `distances`")
        if self.metric is not None and self.coordinates is None:
            issues.add(("metric",), "`metric` needs `coordinates`; a distance matrix has no metric")
        if self.coordinates is not None:
            _check_coordinates(issues, self.coordinates)
        if self.distances is not None:
            _check_matrix(issues.under("distances"), self.distances, self.size)
        if 0 < self.size < 2:
            issues.add((), "a tour needs at least 2 nodes")
        for k, matrix in enumerate(self.extra_costs or []):
            _check_matrix(issues.under("extra_costs", k), matrix, self.size)
        if self.objectives is not None:
            known = {"length", *(f"extra_cost_{k}" for k in range(len(self.extra_costs or [])))}
            check_objective_names(issues, self.objectives, known)

    def criteria(self) -> list[str]:
        return list(self.objectives) if self.objectives else ["length"]


def _check_coordinates(issues: IssueList, coords: list[list[float]]) -> None:
    for pos, point in enumerate(coords):
        if len(point) != 2:
            issues.add(("coordinates", pos), f"a coordinate is [x, y], got {len(point)} numbers")
        elif not all(math.isfinite(v) for v in point):
            issues.add(("coordinates", pos), "coordinates must be finite numbers")


def _check_matrix(issues: IssueList, matrix: list[list[float]], n: int) -> None:
    if len(matrix) != n:
        issues.add((), f"the matrix has {len(matrix)} rows; need {n}")
    for row_pos, row in enumerate(matrix):
        if len(row) != n:
            issues.add((row_pos,), f"row has {len(row)} entries; the matrix must be {n}x{n}")
            continue
        for col, value in enumerate(row):
            if not math.isfinite(value):
                issues.add((row_pos, col), "distance must be a finite number")
            elif value < 0 and col != row_pos:
                issues.add((row_pos, col), f"distance must be >= 0, got {value}")


class TspSolution(ContractModel):
    """A closed tour as a permutation of node indices starting at node 0."""

    tour: list[int] = Field(description="Node indices in visiting order, a permutation starting at 0.")
