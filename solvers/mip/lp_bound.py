"""Certified bounds from LP relaxations, for heuristics to report a gap without trusting a solver.

LP duals as certificates: for min c.x, G x <= h, E x = e, l <= x <= u (finite box), ANY multipliers
mu >= 0 and nu give the Lagrangian bound -mu.h - nu.e + sum_j min(r_j l_j, r_j u_j), with reduced
costs r = c + G'mu + E'nu. It is evaluated from scipy's (HiGHS's) marginals: a solver's
tolerance can weaken the bound, never push it past the optimum.
"""

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

from solvers.mip.array_mip import ArrayMip

FloatArray = NDArray[np.float64]
SAFETY = 1e-9
"""Relative slack taken off a dual bound against floating-point error in its own evaluation."""


@dataclass(frozen=True)
class CertifiedBound:
    """A bound on the optimum (upper when maximising, lower when minimising) and what proves it."""

    value: float
    source: str
    seconds: float = 0.0
    note: str = ""


@dataclass(frozen=True)
class LpBound:
    """The certified LP-relaxation bound and the row multipliers behind it (>= 0 for <= rows)."""

    value: float
    row_duals: FloatArray
    """One per row of the model, in the model's sense (for a maximisation: prices of capacity)."""
    primal: FloatArray
    """The LP's optimal point (heuristics round it)."""


def lp_dual_bound(mip: ArrayMip, time_limit: float) -> LpBound | None:
    """The LP relaxation's bound for `mip` (integrality dropped), or None when the LP did not
    finish within `time_limit` seconds or a column is unbounded."""
    from scipy.optimize import linprog  # lazily: only heuristics that need an LP pay its import

    if not mip.bounded():
        return None
    sign = -1.0 if mip.maximise else 1.0
    cost = sign * mip.c
    eq = mip.row_lower == mip.row_upper
    upper = ~eq & np.isfinite(mip.row_upper)
    lower = ~eq & np.isfinite(mip.row_lower)
    a = mip.a.tocsr()
    a_ub = sp.vstack([a[upper], -a[lower]], format="csr")
    b_ub = np.concatenate([mip.row_upper[upper], -mip.row_lower[lower]])
    a_eq, b_eq = a[eq], mip.row_upper[eq]
    result = linprog(cost, A_ub=a_ub if a_ub.shape[0] else None, b_ub=b_ub if a_ub.shape[0] else None,
                     A_eq=a_eq if a_eq.shape[0] else None, b_eq=b_eq if a_eq.shape[0] else None,
                     bounds=np.column_stack([mip.col_lower, mip.col_upper]), method="highs",
                     options={"time_limit": max(time_limit, 1e-3)})
    if result.status != 0:
        return None
    m_ub = np.minimum(np.asarray(result.ineqlin.marginals, dtype=np.float64), 0.0) if a_ub.shape[0] else np.zeros(0)
    m_eq = np.asarray(result.eqlin.marginals, dtype=np.float64) if a_eq.shape[0] else np.zeros(0)
    reduced = cost - a_ub.T @ m_ub - a_eq.T @ m_eq
    box = np.where(reduced >= 0, reduced * mip.col_lower, reduced * mip.col_upper).sum()
    value = float(m_ub @ b_ub + m_eq @ b_eq + box)
    value -= SAFETY * max(1.0, abs(value))
    duals = np.zeros(mip.n_rows)
    n_up = int(upper.sum())
    duals[upper] = -m_ub[:n_up]
    duals[lower] = m_ub[n_up:]
    duals[eq] = -m_eq
    return LpBound(sign * value + mip.offset, duals, np.asarray(result.x, dtype=np.float64))
