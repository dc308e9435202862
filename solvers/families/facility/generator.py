"""Seeded random capacitated facility location instances in the style of Cornuéjols, Sridharan
and Thizy (1991), "A comparison of heuristics and relaxations for the capacitated plant location
problem", European Journal of Operational Research 50(3), 280-297.

Their recipe, as followed here (the choices the paper leaves open are stated):
- customers and facilities uniform in the unit square;
- demands d_j uniform on [5, 35] (rounded to integers here, so the single-source knapsacks
  of `solvers.families.facility.single` can be solved exactly by dynamic programming);
- capacities s_i uniform on [10, 160], then scaled so that total capacity / total demand = `ratio`
  (the paper's r in {3, 5, 10}; rounded to integers here, the ratio then holds to rounding);
- fixed costs f_i = U[0, 90] + U[100, 110] * sqrt(s_i) (with the scaled capacity: economies of
  scale), rounded to integers here;
- costs[i][j] = 10 x Euclidean distance(i, j) x d_j: the cost of serving ALL of j's demand
  (OR-Library convention, as the wire model), rounded to integers here.

Everything is drawn from one `numpy.random.default_rng(seed)` in a fixed order, so a (m, n, ratio,
seed) quadruple always gives the same instance: benchmarks and tests regenerate instances from
seeds instead of storing files. Ids are `F1..Fm` and `C1..Cn`; locations are attached (drawn only).
"""

import numpy as np

from models import Customer, Facility, FacilityLocationProblem

RATIOS = (3.0, 5.0, 10.0)
"""The capacity ratios of Cornuéjols et al."""


def cornuejols(m: int, n: int, ratio: float = 5.0, seed: int = 0,
               single_source: bool = False) -> FacilityLocationProblem:
    """An m-facility, n-customer instance (see the module docstring); `ratio` = total capacity /
    total demand."""
    if m < 1 or n < 1 or ratio <= 0:
        raise ValueError("need m >= 1, n >= 1 and ratio > 0")
    rng = np.random.default_rng(seed)
    customers_xy = rng.random((n, 2))
    facilities_xy = rng.random((m, 2))
    demand = np.rint(rng.uniform(5.0, 35.0, n))
    raw = rng.uniform(10.0, 160.0, m)
    capacity = np.rint(raw * ratio * demand.sum() / raw.sum())
    fixed = np.rint(rng.uniform(0.0, 90.0, m) + rng.uniform(100.0, 110.0, m) * np.sqrt(capacity))
    distance = np.hypot(facilities_xy[:, None, 0] - customers_xy[None, :, 0],
                        facilities_xy[:, None, 1] - customers_xy[None, :, 1])
    costs = np.rint(10.0 * distance * demand[None, :])
    return FacilityLocationProblem(
        kind="facility_location",
        facilities=[Facility(id=f"F{i + 1}", fixed_cost=float(fixed[i]), capacity=float(capacity[i]),
                             location=[float(x) for x in facilities_xy[i]]) for i in range(m)],
        customers=[Customer(id=f"C{j + 1}", demand=float(demand[j]), location=[float(x) for x in customers_xy[j]])
                   for j in range(n)],
        costs=costs.tolist(),
        single_source=single_source,
    )
