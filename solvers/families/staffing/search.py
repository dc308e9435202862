"""Minimum-cost staffing by simulation: start at the lowest allowed allocation, add servers where
they help most per unit cost until feasible, then remove any server the constraints do not need.

The lowest allowed allocation is `servers.min`, raised to the stability requirement when the
problem keeps `require_stability` (each station more capacity than its offered load). Its cost is
a lower bound for the problem as stated, whatever the simulation says: it is the answer's bound.
The search remembers the cheapest allocation confirmed feasible so far, so a deadline or a cancel
still returns it.
"""

import math
from collections.abc import Callable
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


def stability_needs(problem: StaffingProblem) -> list[int]:
    """Fewest servers giving each station utilisation below 1 (0 with `patience`: abandonment keeps
    every queue stable), ignoring the `servers` bounds."""
    if problem.patience is not None:
        return [0] * len(problem.stations)
    return [math.floor(rate * mean_of(station.service)) + 1
            for station, rate in zip(problem.stations, visit_rates(problem), strict=True)]


def stability_bound(problem: StaffingProblem) -> list[int]:
    """Fewest servers keeping each station's utilisation below 1 (within its bounds)."""
    return [min(s.servers.max, max(s.servers.min, need))
            for s, need in zip(problem.stations, stability_needs(problem), strict=True)]


def lowest_allocation(problem: StaffingProblem) -> list[int]:
    """The cheapest allocation the problem allows: `servers.min`, raised to stability if required."""
    if problem.require_stability:
        return stability_bound(problem)
    return [s.servers.min for s in problem.stations]


def bound_source(problem: StaffingProblem) -> str:
    """Where the cost lower bound comes from, for `bound_source`."""
    if problem.require_stability:
        return "stability (require_stability: every station's capacity exceeds its offered load)"
    return "servers.min (the cheapest allocation the bounds allow)"


def stability_notes(problem: StaffingProblem) -> list[str]:
    """Warnings for stations whose minimum the stability requirement raises, or cannot reach."""
    if not problem.require_stability:
        return []
    notes = []
    for station, need in zip(problem.stations, stability_needs(problem), strict=True):
        if need > station.servers.max:
            notes.append(f"station {station.id!r} needs {need} servers for utilisation below 1 but `servers.max` "
                         f"is {station.servers.max}: no allocation meets require_stability")
        elif need > station.servers.min:
            notes.append(f"require_stability raises station {station.id!r} from servers.min {station.servers.min} "
                         f"to {need} (its offered load needs it); set require_stability false to allow fewer")
    return notes


def stable_possible(problem: StaffingProblem) -> bool:
    """False when some station cannot be made stable within `servers.max` although stability is required."""
    return not problem.require_stability or all(
        need <= s.servers.max for s, need in zip(problem.stations, stability_needs(problem), strict=True))


def cost(problem: StaffingProblem, servers: list[int]) -> float:
    return float(sum(c * s.cost_per_server for c, s in zip(servers, problem.stations, strict=True)))


def solution(problem: StaffingProblem, servers: list[int]) -> StaffingSolution:
    return StaffingSolution(servers={str(s.id): c for s, c in zip(problem.stations, servers, strict=True)})


FeasibleSink = Callable[[list[int], float], None]
"""Told each newly confirmed feasible allocation and its cost (progress events)."""


@dataclass
class StaffingSearch:
    """The search's state: the cheapest allocation confirmed feasible so far survives a stop."""

    problem: StaffingProblem
    spec: SimulationSpec
    evaluator: Evaluator
    on_feasible: FeasibleSink = lambda _servers, _cost: None
    best: StaffingAnswer | None = None
    checked: int = 0

    @property
    def floor(self) -> list[int]:
        return lowest_allocation(self.problem)

    def decide(self, servers: list[int]) -> Verdict:
        verdict = decide(self.evaluator, self.problem, solution(self.problem, servers), self.spec)
        self.checked += 1
        if verdict.feasible and (self.best is None or cost(self.problem, servers) < cost(self.problem,
                                                                                        self.best.servers)):
            self.best = StaffingAnswer(list(servers), verdict, cost(self.problem, self.floor), self.checked)
            self.on_feasible(list(servers), cost(self.problem, servers))
        return verdict


def optimise(search: StaffingSearch) -> StaffingAnswer:
    """Greedy ascent to feasibility, then descent; every verdict is a sequential interval test.
    Raises SimulationStopped at the deadline or on cancel (`search.best` keeps what was found)."""
    problem, spec, evaluator = search.problem, search.spec, search.evaluator
    floor = search.floor
    servers = list(floor)
    while True:
        verdict = search.decide(servers)
        if verdict.feasible:
            break
        step = _best_increase(problem, spec, evaluator, servers)
        if step is None:
            return StaffingAnswer(servers, verdict, cost(problem, floor), search.checked, infeasible=True)
        servers[step] += 1
    servers, verdict = _descend(search, servers, floor, verdict)
    return StaffingAnswer(servers, verdict, cost(problem, floor), search.checked)


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


def _descend(search: StaffingSearch, servers: list[int], floor: list[int],
             verdict: Verdict) -> tuple[list[int], Verdict]:
    """Removes servers, most expensive stations first, while the allocation stays feasible."""
    problem = search.problem
    improved = True
    while improved:
        improved = False
        order = sorted(range(len(servers)), key=lambda i: -problem.stations[i].cost_per_server)
        for i in order:
            if servers[i] <= floor[i]:
                continue
            trial = [c - (k == i) for k, c in enumerate(servers)]
            trial_verdict = search.decide(trial)
            if trial_verdict.feasible:
                servers, verdict, improved = trial, trial_verdict, True
                break
    return servers, verdict
