"""The complete graph's 1-tree at given penalties, from the sparse graph plus a few more pairs.

The subgradient ascent of `sparse_bound` runs on the sparse graph; its value is a bound on the
complete graph only if no missing pair would enter the tree. This module makes that exact:
let B be the costliest edge of the sparse spanning tree (nodes 1..n-1) under the penalised costs
c_ij + pi_i + pi_j. Every edge of the complete graph's minimum spanning tree costs at most B (a
minimum spanning tree minimises the costliest edge too), so it suffices to add every pair with
d_ij <= B - pi_i - min(pi): a ball search per node in the KD-tree, the ball's radius converted from
the metric to the tree's Euclidean distance by the metric's rounding (with a margin). Node 0 keeps
its two cheapest edges, so its pairs with c_0j up to its second cheapest sparse edge are added.
The tree on the enlarged graph is then the complete graph's, and L(pi) a bound on every tour.

When the balls hold too many pairs (very uneven penalties), None is returned and the caller
keeps the implicit-edge bound of `sparse_bound` (valid, usually weaker).
"""

import itertools
import math

import numpy as np
from numpy.typing import NDArray
from scipy.spatial import cKDTree

from models import Metric
from solvers.families.tsp.distance import GEO_RADIUS, Geometry

MAX_PAIRS_PER_NODE = 40
"""Give up beyond this many ball pairs per node on average (memory stays O(n k))."""
MARGIN = 1e-9
TIERS = (0.001, 0.01, 0.1)
"""Penalty quantiles splitting the partner search (see `extra_pairs`)."""


def search_radius(geometry: Geometry, threshold: NDArray[np.float64]) -> NDArray[np.float64]:
    """A Euclidean radius in `search_points` space holding every pair at metric distance <= threshold."""
    x = np.maximum(threshold, 0.0)
    metric = geometry.metric
    if metric is Metric.euc_2d:
        radius = x + 0.5
    elif metric is Metric.att:
        radius = math.sqrt(10.0) * x
    elif metric is Metric.geo:
        radius = 2.0 * np.sin(np.minimum(x / GEO_RADIUS, math.pi) / 2.0)
    else:
        radius = x
    return np.asarray(radius * (1.0 + MARGIN) + MARGIN, dtype=np.float64)


def extra_pairs(geometry: Geometry, pi: NDArray[np.float64], longest: float, second: float,
                eu: NDArray[np.int64], ev: NDArray[np.int64]) -> NDArray[np.int64] | None:
    """Pairs (i < j) missing from the graph (eu, ev) that could enter the complete 1-tree; None
    when there are too many to add.

    The partners j are searched tier by tier (nodes grouped by penalty: the lowest 0.1%, up to 1%,
    up to 10%, the rest), each tier with its own smallest penalty in place of min(pi): a few very
    negative penalties would otherwise widen every ball."""
    n = geometry.n
    points = geometry.search_points()
    order = np.argsort(pi, kind="stable")
    cuts = sorted({0, *(int(n * q) for q in TIERS), n})
    budget = MAX_PAIRS_PER_NODE * n
    found: list[NDArray[np.int64]] = []
    for lo, hi in itertools.pairwise(cuts):
        members = order[lo:hi]
        threshold = longest - pi - pi[members[0]]
        threshold[0] = second - pi[0] - pi[members[0]]
        tree = cKDTree(points[members])
        radius = search_radius(geometry, threshold)
        budget -= int(np.sum(tree.query_ball_point(points, radius, return_length=True)))
        if budget < 0:
            return None
        rows = tree.query_ball_point(points, radius)
        sizes = np.fromiter((len(row) for row in rows), dtype=np.int64, count=n)
        right = np.fromiter((j for row in rows for j in row), dtype=np.int64, count=int(sizes.sum()))
        found.append(np.column_stack([np.repeat(np.arange(n), sizes), members[right]]))
    pairs = np.sort(np.concatenate(found), axis=1)
    pairs = pairs[pairs[:, 0] != pairs[:, 1]]
    keys = np.unique(pairs[:, 0] * n + pairs[:, 1])
    keys = keys[~np.isin(keys, eu * n + ev)]
    return np.column_stack([keys // n, keys % n])
