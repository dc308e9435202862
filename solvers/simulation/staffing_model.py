"""A queueing network in SimPy: arrivals, stations with parallel servers, routing, abandonment.

Every random attribute of a customer (service time at each station, patience, route) is drawn
when the customer arrives, from streams keyed by element: customer k gets the same numbers
whatever the server counts are, which is what makes common random numbers effective.
"""

from collections.abc import Generator
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import simpy

from models.staffing import RateSchedule, StaffingProblem
from solvers.simulation.sampling import Sampler
from solvers.simulation.streams import Streams

MAX_VISITS = 1000
"""Guard against routing loops that never exit."""


@dataclass
class Tally:
    """Per-replication counters for customers who arrived after the warm-up."""

    waits: list[float] = field(default_factory=list)
    abandoned: int = 0
    busy: dict[int, float] = field(default_factory=dict)


@dataclass
class Customer:
    """Everything random about one customer, drawn at arrival."""

    route: list[int]
    service: list[float]
    patience: float | None


class StaffingSim:
    """One replication of the network for one staffing decision."""

    def __init__(self, problem: StaffingProblem, servers: list[int], streams: Streams) -> None:
        self.problem, self.servers = problem, servers
        self.env = simpy.Environment()
        self.resources = [simpy.Resource(self.env, capacity=max(1, c)) for c in servers]
        self.arrival_rng = streams.rng("arrivals")
        self.route_rng = streams.rng("routing")
        self.service = [Sampler(s.service, streams.rng("service", str(s.id))) for s in problem.stations]
        self.patience = Sampler(problem.patience, streams.rng("patience")) if problem.patience else None
        self.tally = Tally(busy=dict.fromkeys(range(len(servers)), 0.0))
        self.end = problem.warmup + problem.horizon

    def run(self) -> dict[str, float]:
        self.env.process(self._arrivals())
        self.env.run(until=self.end)
        return self._kpis()

    def _arrivals(self) -> Generator[simpy.Event, Any, None]:
        while True:
            yield self.env.timeout(self._interarrival())
            customer = self._draw_customer()
            self.env.process(self._visit(customer, counted=self.env.now >= self.problem.warmup))

    def _interarrival(self) -> float:
        arrivals = self.problem.arrivals
        if isinstance(arrivals, RateSchedule):
            return _thinned_gap(arrivals, self.env.now, self.arrival_rng)
        return Sampler(arrivals, self.arrival_rng).draw()

    def _draw_customer(self) -> Customer:
        route = self._route()
        service = [self.service[s].draw() for s in range(len(self.service))]
        patience = self.patience.draw() if self.patience else None
        return Customer(route, service, patience)

    def _route(self) -> list[int]:
        n = len(self.problem.stations)
        if self.problem.routing is None:
            return list(range(n))
        route, station = [0], 0
        while len(route) < MAX_VISITS:
            probabilities = self.problem.routing[station]
            pick = self.route_rng.random()
            cumulative = np.cumsum(probabilities)
            nxt = int(np.searchsorted(cumulative, pick, side="right"))
            if nxt >= n:
                return route
            route.append(nxt)
            station = nxt
        return route

    def _visit(self, customer: Customer, counted: bool) -> Generator[simpy.Event, Any, None]:
        waited = 0.0
        for station in customer.route:
            arrived = self.env.now
            with self.resources[station].request() as request:
                outcome = yield request | self.env.timeout(customer.patience) if customer.patience else request
                if customer.patience is not None and request not in outcome:
                    if counted:
                        self.tally.abandoned += 1
                        self.tally.waits.append(waited + self.env.now - arrived)
                    return
                waited += self.env.now - arrived
                start = self.env.now
                yield self.env.timeout(customer.service[station])
                if self.env.now > self.problem.warmup:
                    self.tally.busy[station] += self.env.now - max(start, self.problem.warmup)
        if counted:
            self.tally.waits.append(waited)

    def _kpis(self) -> dict[str, float]:
        waits = np.asarray(self.tally.waits)
        served = len(waits)
        kpis = {
            "wait_mean": float(waits.mean()) if served else 0.0,
            "customers": float(served),
            "abandonment_rate": self.tally.abandoned / served if served else 0.0,
        }
        for threshold in self._service_thresholds():
            kpis[f"service_level@{threshold:g}"] = float((waits <= threshold).mean()) if served else 1.0
        for pos, station in enumerate(self.problem.stations):
            capacity = max(1, self.servers[pos]) * self.problem.horizon
            kpis[f"utilisation[{station.id}]"] = self.tally.busy[pos] / capacity
        return kpis

    def _service_thresholds(self) -> list[float]:
        return sorted({c.wait for c in self.problem.constraints if c.kpi == "service_level"})


def _thinned_gap(schedule: RateSchedule, now: float, rng: np.random.Generator) -> float:
    """Next arrival of a piecewise-constant Poisson process (thinning against the peak rate)."""
    peak = max(schedule.rates)
    if peak <= 0:
        return float("inf")
    t = now
    while True:
        t += rng.exponential(1 / peak)
        period = int(t // schedule.period) % len(schedule.rates)
        if rng.random() <= schedule.rates[period] / peak:
            return t - now


def simulate_staffing(problem: StaffingProblem, servers: list[int], streams: Streams) -> dict[str, float]:
    """KPIs of one replication: wait_mean, service_level@T, abandonment_rate, utilisation[...]."""
    return StaffingSim(problem, servers, streams).run()

