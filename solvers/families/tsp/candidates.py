"""Candidate lists and a sparse graph for coordinate TSPs, from a KD-tree and a Delaunay graph.

Each node's candidates are its k nearest other nodes (scipy.spatial.cKDTree on
`Geometry.search_points`, whose Euclidean order is the metric's order: every TSPLIB metric is a
non-decreasing function of the plane distance, GEO of the chord between unit vectors), sorted by
the metric distance as the local search needs (it stops scanning a list at the first candidate
too far to gain). Memory is O(n k).

`radius[i]` is a lower bound on the distance from i to every node that is NOT among its
candidates (the distance to the k-th candidate, less one unit for the rounded metrics and a
relative 1e-9 otherwise, against float ties between the tree's and the metric's arithmetic).
The sparse 1-tree bound (`sparse_bound`) relies on it to stay valid on the complete graph.

The sparse graph adds the Delaunay triangulation (convex hull of the unit vectors for GEO): the
Euclidean minimum spanning tree is one of its subgraphs, so the tree found on the sparse graph is
the complete graph's at zero penalties, and close to it after the subgradient steps.
"""

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.spatial import ConvexHull, Delaunay, QhullError, cKDTree

from models import Metric
from solvers.families.tsp.distance import Geometry

NEIGHBOURS = 10


@dataclass(frozen=True)
class Candidates:
    near: NDArray[np.int32]
    """n x k, each row sorted by distance (ascending)."""
    cost: NDArray[np.float64]
    """n x k, the distances to those candidates."""
    radius: NDArray[np.float64]
    """Lower bound on the distance to any node outside the row (inf when the row is everyone)."""


def nearest(geometry: Geometry, k: int = NEIGHBOURS) -> Candidates:
    """The k nearest other nodes of every node (see the module docstring)."""
    n = geometry.n
    k = max(1, min(k, n - 1))
    tree = cKDTree(geometry.search_points())
    _, idx = tree.query(geometry.search_points(), k=k + 1)
    idx = np.asarray(idx, dtype=np.int64).reshape(n, k + 1)
    rows = np.arange(n)
    # drop the node itself (not always first when points coincide)
    self_last = np.argsort(idx == rows[:, None], axis=1, kind="stable")
    idx = np.take_along_axis(idx, self_last, axis=1)[:, :k]
    dist = geometry.edges(np.repeat(rows, k), idx.ravel()).reshape(n, k)
    order = np.argsort(dist, axis=1, kind="stable")
    near = np.ascontiguousarray(np.take_along_axis(idx, order, axis=1), dtype=np.int32)
    dist = np.take_along_axis(dist, order, axis=1)
    if k >= n - 1:
        radius = np.full(n, np.inf)
    else:
        radius = dist[:, -1] - 1.0 if geometry.integral else dist[:, -1] * (1.0 - 1e-9)
    return Candidates(near, dist, np.maximum(radius, 0.0))


def delaunay_edges(geometry: Geometry) -> NDArray[np.int64]:
    """Undirected edges (m x 2) of the Delaunay graph; empty when qhull cannot triangulate
    (all points on a line, fewer than 4 points): the k-nearest graph then stands alone."""
    try:
        if geometry.metric is Metric.geo:
            simplices = ConvexHull(geometry.search_points()).simplices
        else:
            simplices = Delaunay(geometry.search_points()).simplices
    except (QhullError, ValueError):
        return np.zeros((0, 2), dtype=np.int64)
    corners = simplices.shape[1]
    pairs = [simplices[:, [a, b]] for a in range(corners) for b in range(a + 1, corners)]
    return np.asarray(np.concatenate(pairs), dtype=np.int64)


def sparse_graph(geometry: Geometry, near: NDArray[np.int32]) -> NDArray[np.int64]:
    """Undirected edges (i < j, unique) of the candidate graph plus the Delaunay graph."""
    n, k = near.shape
    knn = np.column_stack([np.repeat(np.arange(n), k), near.ravel()])
    edges = np.concatenate([knn, delaunay_edges(geometry)])
    edges = np.sort(edges, axis=1)
    edges = edges[edges[:, 0] != edges[:, 1]]
    keys = np.unique(edges[:, 0] * n + edges[:, 1])
    return np.column_stack([keys // n, keys % n])
