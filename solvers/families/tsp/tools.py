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

HILBERT_BITS = 16
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


def hilbert_tour(points: NDArray[np.float64]) -> NDArray[np.int32]:
    """Nodes in the order of a Hilbert curve through their bounding box: O(n log n), about 25%
    above the optimum on uniform points, a tour at once for any size. Starts at node 0."""
    span = np.ptp(points, axis=0)
    scaled = (points - points.min(axis=0)) / np.where(span > 0, span, 1.0)
    side = (1 << HILBERT_BITS) - 1
    x = np.rint(scaled[:, 0] * side).astype(np.int64)
    y = np.rint(scaled[:, 1] * side).astype(np.int64)
    index = np.zeros(len(points), dtype=np.int64)
    s = 1 << (HILBERT_BITS - 1)
    while s > 0:
        rx = (x & s) > 0
        ry = (y & s) > 0
        index += s * s * ((3 * rx) ^ ry)
        flip = ~ry
        swap_x = np.where(flip & rx, side - x, x)
        swap_y = np.where(flip & rx, side - y, y)
        x, y = np.where(flip, swap_y, swap_x), np.where(flip, swap_x, swap_y)
        s //= 2
    order = np.argsort(index, kind="stable").astype(np.int32)
    return np.roll(order, -int(np.flatnonzero(order == 0)[0]))
