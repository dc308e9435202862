"""Small changes to a location plan for simulation-optimisation: open, close or swap a facility
(customers then reassigned at least cost), or shift one customer to another open facility.

Reassignment reuses the genetic backend's assignment for an open set (cheapest facility when
capacities allow, else the transportation LP for split demand or the regret greedy for single
sourcing), so capacities and single sourcing hold by construction; a move for which no
assignment is found returns None. The shift move keeps every other assignment: it is the move
that balances queues, which cost-optimal reassignment never does (cheapest is not least loaded).
"""

import random

import numpy as np
from numpy.typing import NDArray

from models import Assignment, FacilityLocationProblem, FacilitySolution
from solvers.families.facility.encoding import FacilityEncoding

_CACHE: list[tuple[FacilityLocationProblem, FacilityEncoding]] = []
"""The encoding of the last problem seen (keeps the problem alive so identity is a safe key)."""


def encoding_of(problem: FacilityLocationProblem) -> FacilityEncoding:
    """The problem's arrays and assignment routines, built once per problem object."""
    if not _CACHE or _CACHE[0][0] is not problem:
        _CACHE[:] = [(problem, FacilityEncoding(problem))]
    return _CACHE[0][1]


def open_vector(problem: FacilityLocationProblem, solution: FacilitySolution) -> NDArray[np.uint8]:
    opened = {str(f) for f in solution.open}
    return np.array([str(f.id) in opened for f in problem.facilities], dtype=np.uint8)


def with_open(problem: FacilityLocationProblem, opened: NDArray[np.uint8]) -> FacilitySolution | None:
    """The plan opening exactly `opened`, customers assigned at least cost; None if none found."""
    if not opened.any():
        return None
    encoding = encoding_of(problem)
    shares = encoding.assign(opened.astype(np.uint8))
    if shares is None:
        return None
    facilities, customers = problem.facilities, problem.customers
    used = np.flatnonzero(shares.sum(axis=1) > 0)
    return FacilitySolution(
        open=[facilities[i].id for i in used],
        assignments=[Assignment(customer=customers[j].id, facility=facilities[i].id,
                                fraction=min(1.0, float(shares[i, j])))
                     for j in range(len(customers)) for i in np.flatnonzero(shares[:, j])])


def facility_move(problem: FacilityLocationProblem, solution: FacilitySolution, rng: random.Random
                  ) -> FacilitySolution | None:
    """One random move: shift a customer or exchange two (half the time), else open, close or swap
    a facility."""
    draw = rng.random()
    if draw < 0.25:
        return shift_customer(problem, solution, rng)
    if draw < 0.5:
        return exchange_customers(problem, solution, rng)
    opened = open_vector(problem, solution)
    closed_ids, open_ids = np.flatnonzero(opened == 0), np.flatnonzero(opened == 1)
    moves = (["open"] if len(closed_ids) else []) + (["close"] if len(open_ids) > 1 else []) \
        + (["swap"] if len(closed_ids) and len(open_ids) else [])
    if not moves:
        return None
    move = rng.choice(moves)
    child = opened.copy()
    added = int(rng.choice(list(closed_ids))) if move in ("open", "swap") else -1
    if added >= 0:
        child[added] = 1
    if move in ("close", "swap"):
        child[int(rng.choice(list(open_ids)))] = 0
    plan = with_open(problem, child)
    return _used_or_shifted(problem, plan, added, rng) if added >= 0 else plan


def shift_customer(problem: FacilityLocationProblem, solution: FacilitySolution, rng: random.Random
                   ) -> FacilitySolution | None:
    """All of one random customer's demand to another open facility that has room for it."""
    if len(solution.open) < 2:
        return None
    j = rng.randrange(len(problem.customers))
    targets = [f for f in solution.open if _fits(problem, solution, j, str(f))]
    return _shift(problem, solution, j, str(rng.choice(targets))) if targets else None


def exchange_customers(problem: FacilityLocationProblem, solution: FacilitySolution, rng: random.Random
                       ) -> FacilitySolution | None:
    """Two customers, each served wholly by one facility, trade facilities if both still fit
    (the move left when capacities are too tight for a shift)."""
    sole = {str(a.customer): str(a.facility) for a in solution.assignments if a.fraction >= 1.0}
    ids = [str(c.id) for c in problem.customers]
    j = rng.randrange(len(ids))
    partners = [k for k in range(len(ids)) if ids[j] in sole and ids[k] in sole and sole[ids[k]] != sole[ids[j]]]
    if not partners:
        return None
    k = rng.choice(partners)
    f, g = sole[ids[j]], sole[ids[k]]
    dj, dk = problem.customers[j].demand, problem.customers[k].demand
    load = _loads(problem, solution)
    capacity = {str(x.id): x.capacity for x in problem.facilities}
    for facility, change in ((f, dk - dj), (g, dj - dk)):
        room = capacity[facility]
        if room is not None and load[facility] + change > room + 1e-9:
            return None
    return _shift(problem, _shift(problem, solution, j, g), k, f)


def _fits(problem: FacilityLocationProblem, solution: FacilitySolution, j: int, target: str) -> bool:
    """Customer j could be served wholly by `target` (not already its only facility, room left)."""
    customer = problem.customers[j]
    mine = [a for a in solution.assignments if str(a.customer) == str(customer.id)]
    if {str(a.facility) for a in mine} == {target}:
        return False
    capacity = next(f.capacity for f in problem.facilities if str(f.id) == target)
    if capacity is None:
        return True
    load = _loads(problem, solution).get(target, 0.0)
    load -= sum(customer.demand * a.fraction for a in mine if str(a.facility) == target)
    return load + customer.demand <= capacity + 1e-9


def _shift(problem: FacilityLocationProblem, solution: FacilitySolution, j: int, target: str) -> FacilitySolution:
    """Customer j wholly to `target`; facilities left serving no one close."""
    cid = str(problem.customers[j].id)
    others = [a for a in solution.assignments if str(a.customer) != cid]
    target_id = next(f.id for f in problem.facilities if str(f.id) == target)
    moved = Assignment(customer=problem.customers[j].id, facility=target_id, fraction=1.0)
    serving = {str(a.facility) for a in others} | {target}
    ids = [f.id for f in problem.facilities if str(f.id) in serving]
    return FacilitySolution(open=ids, assignments=[*others, moved])


def _used_or_shifted(problem: FacilityLocationProblem, plan: FacilitySolution | None, index: int,
                     rng: random.Random) -> FacilitySolution | None:
    """After opening facility `index`: if least-cost assignment left it idle, a customer that fits
    moves there (an idle facility changes nothing in operation)."""
    target = str(problem.facilities[index].id)
    if plan is None or target in {str(f) for f in plan.open}:
        return plan
    widened = plan.model_copy(update={"open": [*plan.open, problem.facilities[index].id]})
    movable = [j for j in range(len(problem.customers)) if _fits(problem, widened, j, target)]
    return _shift(problem, widened, rng.choice(movable), target) if movable else None


def _loads(problem: FacilityLocationProblem, solution: FacilitySolution) -> dict[str, float]:
    demand = {str(c.id): c.demand for c in problem.customers}
    load = {str(f): 0.0 for f in solution.open}
    for a in solution.assignments:
        load[str(a.facility)] = load.get(str(a.facility), 0.0) + demand[str(a.customer)] * a.fraction
    return load
