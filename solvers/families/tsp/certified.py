"""The TSP's certified lower bound for heuristics: the Held-Karp 1-tree bound (`bound`, or
`sparse_bound` for coordinates: no matrix, valid on the complete graph)."""

import time

from solvers.families.tsp import bound as tsp_bound
from solvers.families.tsp.distance import Geometry
from solvers.families.tsp.tools import hilbert_tour
from solvers.mip.lp_bound import CertifiedBound, FloatArray


def tsp_lower_bound(source: FloatArray | Geometry, upper: float | None, time_limit: float) -> CertifiedBound:
    """The Held-Karp 1-tree bound (rounded up for integer distances)."""
    started = time.monotonic()
    if isinstance(source, Geometry):
        from solvers.families.tsp.sparse_bound import sparse_lower_bound

        if upper is None:
            upper = source.tour_length(hilbert_tour(source.points()))
        value = sparse_lower_bound(source, upper, time_limit).value
    else:
        value = tsp_bound.tsp_lower_bound(source, upper, time_limit=time_limit)
    return CertifiedBound(value, tsp_bound.BOUND_SOURCE, time.monotonic() - started)
