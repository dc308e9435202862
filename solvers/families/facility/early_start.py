"""The first-fit plan of a large facility instance, as the incumbent a MIP backend reports before building.

Why: the Pyomo backend builds its facility model in Python (1.13 s for 100 x 1,000 pairs, 0.28 s for
100 x 200, before its solver even receives it) and at a 2 s limit was killed with `no_solution` on 100
x 1,000. The array backends build in milliseconds (0.03 s for 100 x 1,000) and report the same plan
as their `quick_start`; from EARLY_FROM pairs it is computed ahead, for every MIP backend alike
(0.013 s on 100 x 1,000, so an array backend pays that twice). The plan carries the family's
certified lower bound (`certified.facility_lower_bound`: the Lagrangian, never below the
cheapest-assignment bound), so an answer cut short still has a gap.
"""

from models import FacilityLocationProblem
from solvers.contract import Incumbent
from solvers.families.facility.certified import facility_lower_bound
from solvers.families.facility.data import FacilityData, serving, to_solution
from solvers.families.facility.greedy import greedy_shares

EARLY_FROM = 20_000
"""Facility-customer pairs from which the plan is reported before the model is built."""


def greedy_incumbent(problem: FacilityLocationProblem, bound_seconds: float) -> Incumbent | None:
    """The first-fit plan of an instance of EARLY_FROM pairs or more, with the certified bound found
    in `bound_seconds`; None below, or when first fit finds no room for some customer."""
    if len(problem.facilities) * len(problem.customers) < EARLY_FROM:
        return None
    data = FacilityData.from_problem(problem)
    shares = greedy_shares(data)
    if shares is None:
        return None
    bound, _ = facility_lower_bound(problem, bound_seconds)
    return Incumbent(objective=data.cost(serving(shares), shares), bound=bound.value, bound_source=bound.source,
                     solution=to_solution(problem, shares))
