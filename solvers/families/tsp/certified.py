"""The TSP's certified lower bound for heuristics: the Held-Karp 1-tree bound (`bound`)."""

import time

from solvers.families.tsp import bound as tsp_bound
from solvers.mip.lp_bound import CertifiedBound, FloatArray


def tsp_lower_bound(matrix: FloatArray, upper: float | None, time_limit: float) -> CertifiedBound:
    """The Held-Karp 1-tree bound (rounded up for integer distances)."""
    started = time.monotonic()
    value = tsp_bound.tsp_lower_bound(matrix, upper, time_limit=time_limit)
    return CertifiedBound(value, tsp_bound.BOUND_SOURCE, time.monotonic() - started)
