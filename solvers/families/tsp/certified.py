"""The TSP's certified lower bound for heuristics: the Held-Karp 1-tree bound (`bound`, or
`sparse_bound` for coordinates: no matrix, valid on the complete graph)."""

import time

import numpy as np

from models import Metric, TspProblem
from solvers.families.tsp import bound as tsp_bound
from solvers.families.tsp.distance import Geometry, geometry
from solvers.families.tsp.tools import hilbert_tour
from solvers.mip.lp_bound import CertifiedBound, FloatArray

SPARSE_FROM = 500
"""Cities from which a backend holding a distance matrix bounds a coordinate instance on its candidate
graph instead (`problem_lower_bound`). Measured on random Euclidean instances, 0.2 s each: 2,000
cities 29,437 (dense: its 9 subgradient steps found nothing above the plain 1-tree) against 32,288
(sparse; the best tour found there is 32,565); 1,000 cities 21,998 against 23,112; 400 cities 14,748
against 14,772."""
_sparse_loaded = False
"""True once this process has loaded the sparse bound's compiled kernels (`warm_up`, or a first sparse
bound). Loading takes 0.6 s on an idle machine and well over a second under load: a process started on
demand, with a budget of a few tenths of a second, takes the dense bound instead (a clean-clone CI
run's Pyomo child reported its 2,000-city tour and then nothing more by the deadline)."""


def problem_lower_bound(problem: TspProblem, matrix: FloatArray, upper: float | None,
                        time_limit: float, sparse_from: int = SPARSE_FROM) -> CertifiedBound:
    """`tsp_lower_bound` from the coordinates for `sparse_from` cities or more once the sparse kernels
    are loaded in this process, else from `matrix`."""
    shape = geometry(problem) if problem.size >= sparse_from and _sparse_loaded else None
    return tsp_lower_bound(shape if shape is not None else matrix, upper, time_limit)


def warm_up() -> None:
    """Loads the sparse bound's compiled kernels (a solve process started ahead of requests)."""
    points = np.random.default_rng(0).random((30, 2)) * 100
    tsp_lower_bound(Geometry(points, Metric.euc_2d), None, 0.05)


def tsp_lower_bound(source: FloatArray | Geometry, upper: float | None, time_limit: float) -> CertifiedBound:
    """The Held-Karp 1-tree bound (rounded up for integer distances)."""
    global _sparse_loaded
    started = time.monotonic()
    if isinstance(source, Geometry):
        from solvers.families.tsp.sparse_bound import sparse_lower_bound

        if upper is None:
            upper = source.tour_length(hilbert_tour(source.points()))
        value = sparse_lower_bound(source, upper, time_limit).value
        _sparse_loaded = True
    else:
        value = tsp_bound.tsp_lower_bound(source, upper, time_limit=time_limit)
    return CertifiedBound(value, tsp_bound.BOUND_SOURCE, time.monotonic() - started)
