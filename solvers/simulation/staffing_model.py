"""A queueing network in SimPy: arrivals, stations with parallel servers, routing, abandonment.

Every random attribute of a customer (service time at each station, patience, route) is drawn
when the customer arrives, from streams keyed by element: customer k gets the same numbers
whatever the server counts are, which is what makes common random numbers effective.
"""

from collections.abc import Generator
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import simpy

from models.staffing import RateSchedule, StaffingProblem
from solvers.simulation.sampling import Sampler
from solvers.simulation.streams import Streams
from solvers.simulation.truncation import mser5

MAX_VISITS = 1000
"""Guard against routing loops that never exit."""


Warmup = float | Literal["mser5"] | None
"""A fixed deletion time, MSER-5 (chosen per replication from the waits), or None: the problem's own."""


@dataclass
class Tally:
    """Every customer who left (arrival time, total wait, abandoned?) and every finished service
    (station, start, end); what the warm-up deletes is decided at the end, from the whole record."""

    arrivals: list[float] = field(default_factory=list)
    waits: list[float] = field(default_factory=list)
    abandoned: list[bool] = field(default_factory=list)
    services: list[tuple[int, float, float]] = field(default_factory=list)

    def leave(self, arrived: float, waited: float, abandoned: bool) -> None:
        self.arrivals.append(arrived)
        self.waits.append(waited)
        self.abandoned.append(abandoned)


@dataclass
class Customer:
    """Everything random about one customer, drawn at arrival."""

    route: list[int]
    service: list[float]
    patience: float | None


class StaffingSim:
    """One replication of the network for one staffing decision."""

    def __init__(self, problem: StaffingProblem, servers: list[int], streams: Streams, warmup: Warmup = None) -> None:
        self.problem, self.servers = problem, servers
        self.mser = warmup == "mser5"
        self.cut = problem.warmup if warmup is None or isinstance(warmup, str) else float(warmup)
        self.env = simpy.Environment()
        self.resources = [simpy.Resource(self.env, capacity=max(1, c)) for c in servers]
        self.arrival_rng = streams.rng("arrivals")
        self.route_rng = streams.rng("routing")
        self.service = [Sampler(s.service, streams.rng("service", str(s.id))) for s in problem.stations]
        self.patience = Sampler(problem.patience, streams.rng("patience")) if problem.patience else None
        self.tally = Tally()
        self.end = self.cut + problem.horizon

    def run(self) -> dict[str, float]:
        self.env.process(self._arrivals())
        self.env.run(until=self.end)
        return self._kpis()

    def _arrivals(self) -> Generator[simpy.Event, Any, None]:
        while True:
            yield self.env.timeout(self._interarrival())
            customer = self._draw_customer()
            self.env.process(self._visit(customer))

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

    def _visit(self, customer: Customer) -> Generator[simpy.Event, Any, None]:
        waited, entered = 0.0, self.env.now
        for station in customer.route:
            arrived = self.env.now
            with self.resources[station].request() as request:
                outcome = yield request | self.env.timeout(customer.patience) if customer.patience else request
                if customer.patience is not None and request not in outcome:
                    self.tally.leave(entered, waited + self.env.now - arrived, abandoned=True)
                    return
                waited += self.env.now - arrived
                start = self.env.now
                yield self.env.timeout(customer.service[station])
                self.tally.services.append((station, start, self.env.now))
        self.tally.leave(entered, waited, abandoned=False)

    def _kpis(self) -> dict[str, float]:
        order = np.argsort(np.asarray(self.tally.arrivals), kind="stable")
        arrivals = np.asarray(self.tally.arrivals)[order]
        waits, abandoned = np.asarray(self.tally.waits)[order], np.asarray(self.tally.abandoned, dtype=bool)[order]
        cut, kpis = self._cut(arrivals, waits)
        kept = arrivals >= cut
        waits, served = waits[kept], int(kept.sum())
        kpis |= {
            "wait_mean": float(waits.mean()) if served else 0.0,
            "customers": float(served),
            "abandonment_rate": float(abandoned[kept].sum()) / served if served else 0.0,
        }
        for threshold in self._service_thresholds():
            kpis[f"service_level@{threshold:g}"] = float((waits <= threshold).mean()) if served else 1.0
        return kpis | self._utilisations(cut)

    def _cut(self, arrivals: np.ndarray, waits: np.ndarray) -> tuple[float, dict[str, float]]:
        """Deletion time: fixed, or the arrival time of the first customer MSER-5 keeps. KPIs
        `warmup` (simulated time deleted) and, under MSER-5, `warmup_at_limit` (1 when the rule
        wanted to delete half the run or more: the transient outlasts it)."""
        if not self.mser:
            return self.cut, {"warmup": self.cut}
        truncation = mser5(waits)
        cut = float(arrivals[truncation.deleted]) if 0 < truncation.deleted < len(arrivals) else 0.0
        return cut, {"warmup": cut, "warmup_at_limit": float(truncation.at_limit)}

    def _utilisations(self, cut: float) -> dict[str, float]:
        """Busy share of each station's servers over [cut, end] (finished services only)."""
        busy = [0.0] * len(self.servers)
        for station, start, end in self.tally.services:
            busy[station] += max(0.0, end - max(start, cut))
        length = max(self.end - cut, 1e-12)
        return {f"utilisation[{station.id}]": busy[pos] / (max(1, self.servers[pos]) * length)
                for pos, station in enumerate(self.problem.stations)}

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


def simulate_staffing(problem: StaffingProblem, servers: list[int], streams: Streams,
                      warmup: Warmup = None) -> dict[str, float]:
    """KPIs of one replication: wait_mean, service_level@T, abandonment_rate, utilisation[...], warmup."""
    return StaffingSim(problem, servers, streams, warmup).run()

