"""Pareto utilities: dominance, non-dominated filtering, hypervolume, a compromise point.

Everything works on objective vectors in the order of `problem.criteria()` together with their
senses (`"min"` or `"max"`, see `solvers.evaluators.vector.senses`). Internally vectors are put
in minimisation form (maximised criteria negated), so one dominance rule serves every family.

Hypervolume: exact sweep in two dimensions (O(n log n)); pymoo's `HV` indicator for three or
more criteria (imported only then). Points that do not strictly dominate the reference point add
nothing. The default reference point is the front's worst value in each criterion pushed out by
10% of the front's range in that criterion (by 1 when the range is 0).

The compromise point is the one closest (Euclidean) to the ideal point after each criterion is
scaled to [0, 1] between the front's best (ideal) and worst (nadir) values; ties go to the lower
index. It is what a caller who wants one answer should take.
"""

from collections.abc import Sequence

import numpy as np
from numpy.typing import ArrayLike, NDArray

FloatArray = NDArray[np.float64]
REFERENCE_MARGIN = 0.1
"""Share of a criterion's range by which the default reference point lies beyond the worst value."""


def minimisation_form(points: ArrayLike, senses: Sequence[str]) -> FloatArray:
    """The vectors as an (n, k) array with maximised criteria negated."""
    array = np.asarray(points, dtype=np.float64)
    if array.ndim != 2:
        array = array.reshape(-1, len(senses))
    signs = np.array([-1.0 if sense == "max" else 1.0 for sense in senses])
    result: FloatArray = array * signs
    return result


def dominates(a: ArrayLike, b: ArrayLike, senses: Sequence[str] | None = None) -> bool:
    """True when `a` is at least as good as `b` in every criterion and better in one."""
    pair = np.array([a, b], dtype=np.float64)
    if senses is not None:
        pair = minimisation_form(pair, senses)
    return bool(np.all(pair[0] <= pair[1]) and np.any(pair[0] < pair[1]))


def non_dominated(points: ArrayLike, senses: Sequence[str]) -> list[int]:
    """Indices (ascending) of the points no other point dominates; of equal vectors only the first."""
    f = minimisation_form(points, senses)
    if f.shape[1] == 2:
        return _non_dominated_2d(f)
    keep: list[int] = []
    for i in range(len(f)):
        no_worse = np.all(f <= f[i], axis=1)
        better = np.any(f < f[i], axis=1)
        if np.any(no_worse & better):
            continue
        equal = np.flatnonzero(np.all(f == f[i], axis=1))
        if equal[0] == i:
            keep.append(i)
    return keep


def _non_dominated_2d(f: FloatArray) -> list[int]:
    """The same answer in O(n log n): by the first criterion, keep strict improvements of the second."""
    order = np.lexsort((np.arange(len(f)), f[:, 1], f[:, 0]))
    keep, ceiling = [], np.inf
    for i in order:
        if f[i, 1] < ceiling:
            keep.append(int(i))
            ceiling = f[i, 1]
    return sorted(keep)


def default_reference_point(points: ArrayLike, senses: Sequence[str]) -> list[float]:
    """Worst value per criterion pushed out by 10% of the range (by 1 when the range is 0)."""
    f = minimisation_form(points, senses)
    worst, best = f.max(axis=0), f.min(axis=0)
    span = worst - best
    reference = worst + np.where(span > 0, REFERENCE_MARGIN * span, 1.0)
    return [float(v) for v in minimisation_form(reference[None, :], senses)[0]]


def hypervolume(points: ArrayLike, reference: Sequence[float], senses: Sequence[str]) -> float:
    """Volume dominated by the points and bounded by `reference` (in the criteria's own units)."""
    f = minimisation_form(points, senses)
    ref = minimisation_form(np.asarray(reference, dtype=np.float64)[None, :], senses)[0]
    f = f[np.all(f < ref, axis=1)]
    if len(f) == 0:
        return 0.0
    if f.shape[1] == 1:
        return float(ref[0] - f[:, 0].min())
    if f.shape[1] == 2:
        return _sweep_2d(f, ref)
    from pymoo.indicators.hv import HV  # only for 3+ criteria; pymoo is a pure-Python dependency

    return float(HV(ref_point=ref)(f))


def _sweep_2d(f: FloatArray, ref: FloatArray) -> float:
    order = np.lexsort((f[:, 1], f[:, 0]))
    volume, ceiling = 0.0, ref[1]
    for x, y in f[order]:
        if y < ceiling:
            volume += (ref[0] - x) * (ceiling - y)
            ceiling = y
    return float(volume)


def compromise(points: ArrayLike, senses: Sequence[str]) -> int:
    """Index of the point closest to the ideal point once each criterion is scaled to [0, 1]."""
    f = minimisation_form(points, senses)
    ideal, nadir = f.min(axis=0), f.max(axis=0)
    span = np.where(nadir > ideal, nadir - ideal, 1.0)
    distance = np.linalg.norm((f - ideal) / span, axis=1)
    return int(np.argmin(distance))


def sort_order(points: ArrayLike, senses: Sequence[str]) -> list[int]:
    """Indices ordering the points by their criteria, best first, lexicographically."""
    f = minimisation_form(points, senses)
    return [int(i) for i in np.lexsort(f.T[::-1])]
