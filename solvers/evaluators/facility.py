"""Facility location check: demand fully served by open facilities within capacity; cost recomputed."""

from collections import defaultdict

from models import FacilityLocationProblem, FacilitySolution
from models._base import Id
from solvers.evaluators.base import FEASIBILITY_TOL, Evaluation, exceeds


def evaluate(problem: FacilityLocationProblem, solution: FacilitySolution) -> Evaluation:
    result = Evaluation()
    fac_pos = {f.id: i for i, f in enumerate(problem.facilities)}
    cust_pos = {c.id: j for j, c in enumerate(problem.customers)}
    opened = set(solution.open)
    for fid in opened - set(fac_pos):
        result.violate(f"open facility {fid!r} does not exist")
    served: dict[Id, float] = defaultdict(float)
    load: dict[Id, float] = defaultdict(float)
    cost = sum(problem.facilities[fac_pos[f]].fixed_cost for f in opened if f in fac_pos)
    sources: dict[Id, int] = defaultdict(int)
    for a in solution.assignments:
        if a.customer not in cust_pos or a.facility not in fac_pos:
            result.violate(f"assignment {a.customer!r} -> {a.facility!r} names an unknown id")
            continue
        if a.facility not in opened:
            result.violate(f"customer {a.customer!r} is assigned to closed facility {a.facility!r}")
        i, j = fac_pos[a.facility], cust_pos[a.customer]
        served[a.customer] += a.fraction
        load[a.facility] += a.fraction * problem.customers[j].demand
        sources[a.customer] += 1
        cost += a.fraction * problem.costs[i][j]
    _check_service(problem, served, sources, result)
    _check_capacity(problem, load, result)
    result.objective = float(cost)
    return result


def _check_service(
    problem: FacilityLocationProblem, served: dict[Id, float], sources: dict[Id, int], result: Evaluation
) -> None:
    for customer in problem.customers:
        share = served.get(customer.id, 0.0)
        if abs(share - 1.0) > FEASIBILITY_TOL:
            result.violate(f"customer {customer.id!r} is served {share:.6g} of its demand, not all of it")
        if problem.single_source and sources.get(customer.id, 0) > 1:
            result.violate(f"customer {customer.id!r} has several sources but single_source is set")


def _check_capacity(problem: FacilityLocationProblem, load: dict[Id, float], result: Evaluation) -> None:
    for facility in problem.facilities:
        used = load.get(facility.id, 0.0)
        if facility.capacity is not None and exceeds(used, facility.capacity):
            result.violate(f"facility {facility.id!r} serves {used:.6g} > capacity {facility.capacity}")
