"""Distances for TSP problems: the TSPLIB metrics, as a numpy matrix or edge by edge.

The evaluator and every backend use this one definition, so a tour's length means the same
everywhere (TSPLIB rounds per edge: nint, ceil, GEO, ATT). A coordinate problem never needs the
n x n matrix: `Geometry.edges` computes any list of edges with the same elementwise arithmetic
(the same doubles as the matrix entries), and `problem_tour_length` uses it.
"""

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from models import Metric, TspProblem

GEO_RADIUS = 6378.388
TSPLIB_PI = 3.141592
"""TSPLIB truncates pi; using math.pi changes some GEO distances by one."""


def distance_matrix(problem: TspProblem) -> NDArray[np.float64]:
    """The n x n matrix of travel costs (diagonal zero)."""
    if problem.distances is not None:
        matrix = np.array(problem.distances, dtype=np.float64)
        np.fill_diagonal(matrix, 0.0)
        return matrix
    coords = np.array(problem.coordinates, dtype=np.float64)
    return _from_coordinates(coords, problem.metric or Metric.euclidean)


MATRIX, EUCLIDEAN, EUC_2D, CEIL_2D, GEO, ATT = -1, 0, 1, 2, 3, 4
"""Metric codes of the compiled kernels (`metric.cost`)."""
CODES = {Metric.euclidean: EUCLIDEAN, Metric.euc_2d: EUC_2D, Metric.ceil_2d: CEIL_2D, Metric.geo: GEO, Metric.att: ATT}
Kernel = tuple[NDArray[np.float64], NDArray[np.float64], np.int64]
"""The cost argument `D` of every kernel: (matrix, points, metric code), see `metric`."""


def matrix_kernel(matrix: NDArray[np.float64]) -> Kernel:
    """The kernel argument for an explicit matrix."""
    return (np.ascontiguousarray(matrix, dtype=np.float64), np.zeros((1, 2)), np.int64(MATRIX))
INTEGRAL = frozenset({Metric.euc_2d, Metric.ceil_2d, Metric.geo, Metric.att})


@dataclass(frozen=True)
class Geometry:
    """A coordinate TSP without its matrix: O(n) memory, any distance on demand."""

    coords: NDArray[np.float64]
    metric: Metric

    @property
    def n(self) -> int:
        return len(self.coords)

    @property
    def integral(self) -> bool:
        """Every distance is a whole number (TSPLIB rounding)."""
        return self.metric in INTEGRAL

    def points(self) -> NDArray[np.float64]:
        """The kernels' points: the coordinates, or GEO latitude and longitude in radians."""
        return _geo_radians(self.coords) if self.metric is Metric.geo else self.coords

    def kernel(self) -> Kernel:
        """The kernel argument for these coordinates (no matrix: a 1 x 1 dummy)."""
        return (np.zeros((1, 1)), np.ascontiguousarray(self.points(), dtype=np.float64), np.int64(CODES[self.metric]))

    def search_points(self) -> NDArray[np.float64]:
        """Points whose Euclidean distance orders pairs as the metric does (ties aside): the
        plane for the planar metrics, unit vectors (chord length) for GEO's great circles."""
        if self.metric is not Metric.geo:
            return self.coords
        lat, lon = self.points().T
        return np.column_stack([np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)])

    def edges(self, a: NDArray[np.integer], b: NDArray[np.integer]) -> NDArray[np.float64]:
        """Distances a[k] -> b[k], equal to `distance_matrix(problem)[a, b]` entry by entry."""
        if self.metric is Metric.geo:
            rad = self.points()
            return np.where(np.asarray(a) == np.asarray(b), 0.0, _geo_pairs(rad[a], rad[b]))
        diff = self.coords[a] - self.coords[b]
        return _rounded((diff**2).sum(axis=1), self.metric)

    def tour_length(self, tour: NDArray[np.integer] | list[int]) -> float:
        order = np.asarray(tour, dtype=np.int64)
        return float(self.edges(order, np.roll(order, -1)).sum())


def geometry(problem: TspProblem) -> Geometry | None:
    """The coordinate form of `problem`, or None when it is an explicit matrix."""
    if problem.coordinates is None:
        return None
    return Geometry(np.array(problem.coordinates, dtype=np.float64), problem.metric or Metric.euclidean)


def problem_tour_length(problem: TspProblem, tour: list[int]) -> float:
    """Length of the closed tour, without building a matrix for coordinate problems."""
    geo = geometry(problem)
    return tour_length(distance_matrix(problem), tour) if geo is None else geo.tour_length(tour)


def _rounded(squared: NDArray[np.float64], metric: Metric) -> NDArray[np.float64]:
    result: NDArray[np.float64]
    if metric is Metric.att:
        rij = np.sqrt(squared / 10.0)
        tij = np.floor(rij + 0.5)
        result = np.where(tij < rij, tij + 1.0, tij)
    elif metric is Metric.euc_2d:
        result = np.floor(np.sqrt(squared) + 0.5)
    elif metric is Metric.ceil_2d:
        result = np.ceil(np.sqrt(squared))
    else:
        result = np.sqrt(squared)
    return result


def _geo_radians(coords: NDArray[np.float64]) -> NDArray[np.float64]:
    degrees = np.trunc(coords)
    return TSPLIB_PI * (degrees + 5.0 * (coords - degrees) / 3.0) / 180.0


def _geo_pairs(a: NDArray[np.float64], b: NDArray[np.float64]) -> NDArray[np.float64]:
    q1 = np.cos(a[:, 1] - b[:, 1])
    q2 = np.cos(a[:, 0] - b[:, 0])
    q3 = np.cos(a[:, 0] + b[:, 0])
    inner = 0.5 * ((1.0 + q1) * q2 - (1.0 - q1) * q3)
    result: NDArray[np.float64] = np.floor(GEO_RADIUS * np.arccos(np.clip(inner, -1.0, 1.0)) + 1.0)
    return result


def _from_coordinates(coords: NDArray[np.float64], metric: Metric) -> NDArray[np.float64]:
    if metric is Metric.geo:
        return _geo(coords)
    diff = coords[:, None, :] - coords[None, :, :]
    return _rounded((diff**2).sum(axis=2), metric)


def _geo(coords: NDArray[np.float64]) -> NDArray[np.float64]:
    """TSPLIB GEO: coordinates are DDD.MM (degrees and minutes), distances in whole km."""
    radians = _geo_radians(coords)
    lat, lon = radians[:, 0], radians[:, 1]
    q1 = np.cos(lon[:, None] - lon[None, :])
    q2 = np.cos(lat[:, None] - lat[None, :])
    q3 = np.cos(lat[:, None] + lat[None, :])
    inner = 0.5 * ((1.0 + q1) * q2 - (1.0 - q1) * q3)
    dist = np.floor(GEO_RADIUS * np.arccos(np.clip(inner, -1.0, 1.0)) + 1.0)
    np.fill_diagonal(dist, 0.0)
    return dist


def tour_length(matrix: NDArray[np.float64], tour: list[int]) -> float:
    """Length of the closed tour."""
    order = np.asarray(tour, dtype=np.int64)
    return float(matrix[order, np.roll(order, -1)].sum())
