"""Solver-free TSP helpers shared by the OR-Tools backends: integer costs, starts, warm starts.

CP-SAT and the routing library only take integer arc costs. Integer matrices (every TSPLIB
metric) pass through unchanged; otherwise distances are multiplied by a power of ten and
rounded DOWN, so any bound computed on the scaled matrix, divided by the scale, stays a valid
bound on the true matrix. Objectives are always recomputed from the true matrix.
"""

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from models import TspSolution

MAX_SCALED = 10_000_000
"""Largest scaled arc cost aimed for: keeps CP-SAT's LP relaxation numerically comfortable."""
MAX_DECIMALS = 6


@dataclass(frozen=True)
class IntegerCosts:
    """The matrix as integers, the factor applied, and whether rounding lost anything."""

    costs: NDArray[np.int64]
    scale: float
    exact: bool

    def warning(self) -> str | None:
        if self.exact and self.scale == 1:
            return None
        rounding = "exactly" if self.exact else "rounded down"
        return (f"distances are not integers: scaled by {self.scale:g} and {rounding} for the solver; "
                "the objective is recomputed from the true distances")


def integer_costs(matrix: NDArray[np.float64]) -> IntegerCosts:
    """Integer arc costs for an OR-Tools solver (see the module docstring)."""
    off = matrix[~np.eye(len(matrix), dtype=bool)]
    largest = float(np.abs(off).max()) if off.size else 0.0
    for decimals in range(MAX_DECIMALS + 1):
        scale = 10.0**decimals
        scaled = matrix * scale
        if np.allclose(scaled, np.round(scaled), rtol=0.0, atol=1e-9 * max(scale, 1.0)):
            return IntegerCosts(np.round(scaled).astype(np.int64), scale, True)
        if largest * scale * 10 > MAX_SCALED:
            break
    return IntegerCosts(np.floor(matrix * scale + 1e-9).astype(np.int64), scale, False)


def tour_from_warm_start(warm_start: object, n: int) -> list[int] | None:
    """The warm start's tour if it is a valid permutation of range(n) from node 0, else None."""
    if not isinstance(warm_start, TspSolution):
        return None
    tour = list(warm_start.tour)
    if sorted(tour) != list(range(n)):
        return None
    start = tour.index(0)
    return tour[start:] + tour[:start]


def nearest_neighbour_tour(matrix: NDArray[np.float64]) -> list[int]:
    """Greedy tour from node 0 (O(n^2) with numpy): a cheap start and upper bound."""
    n = len(matrix)
    visited = np.zeros(n, dtype=bool)
    tour = [0]
    visited[0] = True
    for _ in range(n - 1):
        row = np.where(visited, np.inf, matrix[tour[-1]])
        nxt = int(np.argmin(row))
        tour.append(nxt)
        visited[nxt] = True
    return tour
