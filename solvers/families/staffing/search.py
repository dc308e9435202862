"""Minimum-cost staffing by simulation: start at the stability bound, add servers where they
help most per unit cost until feasible, then remove any server the constraints do not need.

The stability bound (every station needs more capacity than its offered load) is also the
certified lower bound on cost that gives the answer its gap.
"""

import math
from dataclasses import dataclass

import numpy as np

from models import StaffingProblem, StaffingSolution
from models.simulation import SimulationSpec
from models.staffing import RateSchedule
from solvers.simulation.evaluator import Evaluator
from solvers.simulation.feasibility import Verdict, decide, judge
from solvers.simulation.sampling import mean_of


@dataclass
class StaffingAnswer:
    """The chosen allocation, its verdict, the cost lower bound, and how many were checked."""

    servers: list[int]
    verdict: Verdict
    lower_bound: float
    checked: int
    infeasible: bool = False


def visit_rates(problem: StaffingProblem) -> list[float]:
    """Arrival rate at each station (traffic equations for routing, else every station once)."""
    arrivals = problem.arrivals
    rate = float(np.mean(arrivals.rates)) if isinstance(arrivals, RateSchedule) else 1 / mean_of(arrivals)
    n = len(problem.stations)
    if problem.routing is None:
        return [rate] * n
    routing = np.array(problem.routing)
    external = np.zeros(n)
    external[0] = rate
    return [float(v) for v in np.linalg.solve(np.eye(n) - routing.T, external)]


def stability_bound(problem: StaffingProblem) -> list[int]:
    """Fewest servers keeping each station's utilisation below 1 (within its bounds)."""
    bounds = []
    for station, rate in zip(problem.stations, visit_rates(problem), strict=True):
        load = rate * mean_of(station.service)
        needed = math.floor(load) + 1 if problem.patience is None else 0
        bounds.append(min(station.servers.max, max(station.servers.min, needed)))
    return bounds


def cost(problem: StaffingProblem, servers: list[int]) -> float:
    return float(sum(c * s.cost_per_server for c, s in zip(servers, problem.stations, strict=True)))


def solution(problem: StaffingProblem, servers: list[int]) -> StaffingSolution:
    return StaffingSolution(servers={str(s.id): c for s, c in zip(problem.stations, servers, strict=True)})


def optimise(problem: StaffingProblem, spec: SimulationSpec, evaluator: Evaluator) -> StaffingAnswer:
    """Greedy ascent to feasibility, then descent; every verdict is a sequential interval test."""
    floor = stability_bound(problem)
    servers = list(floor)
    checked = 0
    while True:
        verdict = decide(evaluator, problem, solution(problem, servers), spec)
        checked += 1
        if verdict.feasible:
            break
        step = _best_increase(problem, spec, evaluator, servers)
        if step is None:
            return StaffingAnswer(servers, verdict, cost(problem, floor), checked, infeasible=True)
        servers[step] += 1
    servers, verdict, more = _descend(problem, spec, evaluator, servers, floor, verdict)
    return StaffingAnswer(servers, verdict, cost(problem, floor), checked + more)


def _best_increase(problem: StaffingProblem, spec: SimulationSpec, evaluator: Evaluator,
                   servers: list[int]) -> int | None:
    options = [i for i, s in enumerate(problem.stations) if servers[i] < s.servers.max]
    if len(options) <= 1:
        return options[0] if options else None
    pilot = spec.min_replications
    base = judge(problem, evaluator.kpis(solution(problem, servers), pilot), spec.confidence).violation
    def gain(i: int) -> float:
        trial = [c + (k == i) for k, c in enumerate(servers)]
        after = judge(problem, evaluator.kpis(solution(problem, trial), pilot), spec.confidence).violation
        return (base - after) / max(problem.stations[i].cost_per_server, 1e-9)
    return max(options, key=gain)


def _descend(problem: StaffingProblem, spec: SimulationSpec, evaluator: Evaluator, servers: list[int],
             floor: list[int], verdict: Verdict) -> tuple[list[int], Verdict, int]:
    """Removes servers, most expensive stations first, while the allocation stays feasible."""
    checked = 0
    improved = True
    while improved:
        improved = False
        order = sorted(range(len(servers)), key=lambda i: -problem.stations[i].cost_per_server)
        for i in order:
            if servers[i] <= floor[i]:
                continue
            trial = [c - (k == i) for k, c in enumerate(servers)]
            trial_verdict = decide(evaluator, problem, solution(problem, trial), spec)
            checked += 1
            if trial_verdict.feasible:
                servers, verdict, improved = trial, trial_verdict, True
                break
    return servers, verdict, checked
