"""Travel costs inside the compiled kernels: from a matrix, or on the fly from coordinates.

Every kernel takes one argument `D = (matrix, points, code)`: with `code == MATRIX` the cost is
`matrix[a, b]` (explicit matrices, possibly asymmetric); otherwise `matrix` is a 1 x 1 dummy and
the cost is computed from `points` by the TSPLIB formula named by `code` (for GEO the points are
already latitude and longitude in radians, see `distance.Geometry`). Both shapes have the same
numba type, so every kernel is compiled once, and a coordinate problem needs O(n) memory, not n^2.

The arithmetic is the one of `distance._from_coordinates` (sqrt and floor are exact IEEE
operations, so EUCLIDEAN, EUC_2D, CEIL_2D and ATT give the very same doubles); GEO goes through
libm's cos/acos and may differ from numpy by one unit in rare ties. Kernels only use these values
to choose moves: every reported length is recomputed by `distance.Geometry.tour_length`.
"""

import math

from solvers.families.jit import jit
from solvers.families.tsp.distance import ATT, CEIL_2D, EUC_2D, GEO, GEO_RADIUS, Kernel, matrix_kernel

__all__ = ["Kernel", "cost", "matrix_kernel"]


@jit
def cost(D, a, b):  # type: ignore[no-untyped-def]
    """Travel cost a -> b (see the module docstring)."""
    matrix, pts, code = D
    if code < 0:
        return matrix[a, b]
    if code == GEO:
        if a == b:
            return 0.0
        q1 = math.cos(pts[a, 1] - pts[b, 1])
        q2 = math.cos(pts[a, 0] - pts[b, 0])
        q3 = math.cos(pts[a, 0] + pts[b, 0])
        inner = 0.5 * ((1.0 + q1) * q2 - (1.0 - q1) * q3)
        inner = min(max(inner, -1.0), 1.0)
        return math.floor(GEO_RADIUS * math.acos(inner) + 1.0)
    dx = pts[a, 0] - pts[b, 0]
    dy = pts[a, 1] - pts[b, 1]
    squared = dx * dx + dy * dy
    if code == EUC_2D:
        return math.floor(math.sqrt(squared) + 0.5)
    if code == CEIL_2D:
        return math.ceil(math.sqrt(squared))
    if code == ATT:
        r = math.sqrt(squared / 10.0)
        t = math.floor(r + 0.5)
        return t + 1.0 if t < r else t
    return math.sqrt(squared)
