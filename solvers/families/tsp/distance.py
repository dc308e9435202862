"""Distances for TSP problems: the TSPLIB metrics, computed once as a numpy matrix.

The evaluator and every backend use this one definition, so a tour's length means the same
everywhere (TSPLIB rounds per edge: nint, ceil, GEO, ATT).
"""

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


def _from_coordinates(coords: NDArray[np.float64], metric: Metric) -> NDArray[np.float64]:
    if metric is Metric.geo:
        return _geo(coords)
    diff = coords[:, None, :] - coords[None, :, :]
    squared = (diff**2).sum(axis=2)
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


def _geo(coords: NDArray[np.float64]) -> NDArray[np.float64]:
    """TSPLIB GEO: coordinates are DDD.MM (degrees and minutes), distances in whole km."""
    degrees = np.trunc(coords)
    radians = TSPLIB_PI * (degrees + 5.0 * (coords - degrees) / 3.0) / 180.0
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
