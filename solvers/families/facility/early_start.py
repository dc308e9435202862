"""The first-fit plan of a large facility instance, as the incumbent a MIP backend reports before building.

Why: the Pyomo backend builds its facility model in Python (1.13 s for 100 x 1,000 pairs, 0.28 s for
100 x 200, before its solver even receives it) and at a 2 s limit was killed with `no_solution` on 100
x 1,000. The array backends build in milliseconds (0.03 s for 100 x 1,000) and report the same plan
as their `quick_start`; from EARLY_FROM pairs it is computed ahead, for every MIP backend alike
(0.013 s on 100 x 1,000, so an array backend pays that twice). The plan is reported again with the
family's certified lower bound (`certified.facility_lower_bound`: the Lagrangian, never below the
cheapest-assignment bound), so that an answer cut short still has a gap; first without, so that a
bound slow to come (its kernels loading in a process started on demand) never holds the plan back,
and in between with the cheapest-assignment bound alone (7 ms, 0.2 s in a process that has not loaded
its kernel): a clean-clone CI run's Pyomo child, started on demand, was answered at the margin with the
plan before the Lagrangian came.
"""

from models import FacilityLocationProblem
from solvers.contract import Incumbent, ProgressSink
from solvers.families.facility.certified import CHEAPEST, cheapest_assignment_bound, facility_lower_bound
from solvers.families.facility.data import FacilityData, serving, to_solution
from solvers.families.facility.greedy import greedy_shares

EARLY_FROM = 20_000
"""Facility-customer pairs from which the plan is reported before the model is built."""


def report_first_fit_plan(problem: FacilityLocationProblem, bound_seconds: float, progress: ProgressSink) -> bool:
    """Reports `greedy_incumbent`, then the same with the certified bound found in `bound_seconds`;
    nothing when there is no plan. True when it reported."""
    found = greedy_incumbent(problem)
    if found is None:
        return False
    progress(found)
    progress(found.model_copy(update={"bound": cheapest_assignment_bound(problem), "bound_source": CHEAPEST}))
    bound, _ = facility_lower_bound(problem, bound_seconds)
    progress(found.model_copy(update={"bound": bound.value, "bound_source": bound.source}))
    return True


def greedy_incumbent(problem: FacilityLocationProblem) -> Incumbent | None:
    """The first-fit plan of an instance of EARLY_FROM pairs or more; None below, or when first fit
    finds no room for some customer."""
    if len(problem.facilities) * len(problem.customers) < EARLY_FROM:
        return None
    data = FacilityData.from_problem(problem)
    shares = greedy_shares(data)
    if shares is None:
        return None
    return Incumbent(objective=data.cost(serving(shares), shares), solution=to_solution(problem, shares))
