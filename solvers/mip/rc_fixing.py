"""Reduced-cost fixing from LP row duals, checked by our own Lagrangian bound (no solver import).

For a minimisation  min c x  s.t.  L <= A x <= U,  l <= x <= u  and ANY row multipliers y
(clamped so that y_i >= 0 where U_i is infinite and y_i <= 0 where L_i is infinite), with
d = c - A^T y every feasible x satisfies

    c x = y A x + d x >= sum_i min(y_i L_i, y_i U_i) + sum_j min(d_j l_j, d_j u_j) =: phi(y),

and with x_j held at a value v the j-th term becomes d_j v. So if
phi - min(d_j l_j, d_j u_j) + d_j u_j exceeds the incumbent's value, no solution better than the
incumbent has x_j = u_j, and x_j can be fixed at l_j (and symmetrically at u_j). The bound is
computed here from the solver's duals, so inexact duals only weaken the fixing, never make it
wrong; and because the test is "exceeds the incumbent" (not "reaches it"), the incumbent stays
feasible, which keeps the reduced model's optimum equal to the full model's.

Only columns with finite bounds are fixed; rows with an infinite side whose multiplier has the
wrong sign get multiplier 0.
"""

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from solvers.mip.array_mip import ArrayMip, FloatArray

RELATIVE_MARGIN = 1e-9
"""Slack (relative to the incumbent's magnitude) for float error in phi."""


@dataclass(frozen=True)
class Fixing:
    """The Lagrangian bound phi(y) and the columns to fix at their lower / upper bound."""

    bound: float
    at_lower: NDArray[np.int64]
    at_upper: NDArray[np.int64]


def reduced_cost_fixing(mip: ArrayMip, y: FloatArray, incumbent: float) -> Fixing:
    """Columns of the minimisation `mip` that no solution better than `incumbent` can move off
    one of their bounds, given row multipliers `y` (see the module docstring)."""
    if mip.maximise:
        raise ValueError("reduced-cost fixing is written for minimisation")
    y = np.where(np.isfinite(mip.row_upper), y, np.maximum(y, 0.0))
    y = np.where(np.isfinite(mip.row_lower), y, np.minimum(y, 0.0))
    d = mip.c - mip.a.T @ y
    low, up = mip.col_lower, mip.col_upper
    with np.errstate(invalid="ignore"):  # 0 * inf in the branch np.where discards
        row_term = np.where(y > 0, y * mip.row_lower, np.where(y < 0, y * mip.row_upper, 0.0))
        col_term = np.where(d > 0, d * low, np.where(d < 0, d * up, 0.0))
    phi = float(row_term.sum() + col_term.sum()) + mip.offset
    none = np.zeros(0, np.int64)
    if not np.isfinite(phi):
        return Fixing(phi, none, none)
    limit = incumbent + RELATIVE_MARGIN * max(1.0, abs(incumbent))
    movable = np.isfinite(low) & np.isfinite(up) & (low < up)
    rest = phi - col_term
    return Fixing(phi, np.flatnonzero(movable & (rest + d * np.where(movable, up, 0.0) > limit)),
                  np.flatnonzero(movable & (rest + d * np.where(movable, low, 0.0) > limit)))
