"""A location plan in operation: customers send requests, open facilities dispatch servers.

Each customer's requests form a Poisson stream (rate proportional to demand). A request goes to
one of the customer's assigned facilities (by the plan's fractions), waits for a free server,
which travels out and serves; the response time is waiting plus travel.
"""

from collections.abc import Generator
from typing import Any

import numpy as np
import simpy

from models import FacilityLocationProblem, FacilitySolution
from models.simulation import FacilitySimModel
from solvers.simulation.sampling import Sampler
from solvers.simulation.streams import Streams


class FacilitySim:
    """One replication of a location-allocation plan."""

    def __init__(self, problem: FacilityLocationProblem, solution: FacilitySolution, model: FacilitySimModel,
                 streams: Streams) -> None:
        self.problem, self.model, self.streams = problem, model, streams
        self.env = simpy.Environment()
        fac_pos = {f.id: i for i, f in enumerate(problem.facilities)}
        self.servers = {i: simpy.Resource(self.env, capacity=self._server_count(i)) for i in
                        (fac_pos[f] for f in set(solution.open))}
        self.shares: dict[int, list[tuple[int, float]]] = {}
        cust_pos = {c.id: j for j, c in enumerate(problem.customers)}
        for a in solution.assignments:
            self.shares.setdefault(cust_pos[a.customer], []).append((fac_pos[a.facility], a.fraction))
        self.responses: list[float] = []
        self.busy = 0.0

    def _server_count(self, i: int) -> int:
        capacity = self.problem.facilities[i].capacity
        return max(1, round((capacity or 0) * self.model.servers_per_capacity))

    def run(self) -> dict[str, float]:
        for j, customer in enumerate(self.problem.customers):
            if customer.demand > 0 and j in self.shares:
                self.env.process(self._requests(j))
        self.env.run(until=self.model.horizon)
        return self._kpis()

    def _requests(self, j: int) -> Generator[simpy.Event, Any, None]:
        customer = self.problem.customers[j]
        rate = customer.demand * self.model.arrival_rate_per_demand
        arrivals = self.streams.rng("arrivals", str(customer.id))
        assign = self.streams.rng("assign", str(customer.id))
        travel = Sampler(self.model.travel_time, self.streams.rng("travel", str(customer.id)))
        service = Sampler(self.model.service_time, self.streams.rng("service", str(customer.id)))
        facilities, weights = zip(*self.shares[j], strict=True)
        cumulative = np.cumsum(weights) / sum(weights)
        while True:
            yield self.env.timeout(arrivals.exponential(1 / rate))
            i = facilities[min(int(np.searchsorted(cumulative, assign.random())), len(facilities) - 1)]
            out, work = travel.draw(self._distance(i, j)), service.draw()
            self.env.process(self._serve(i, out, work))

    def _distance(self, i: int, j: int) -> float:
        if self.problem.distances is not None:
            return self.problem.distances[i][j]
        demand = self.problem.customers[j].demand
        return self.problem.costs[i][j] / demand if demand > 0 else 0.0

    def _serve(self, i: int, out: float, work: float) -> Generator[simpy.Event, Any, None]:
        called = self.env.now
        with self.servers[i].request() as request:
            yield request
            self.responses.append(self.env.now - called + out)
            yield self.env.timeout(out + work)
            self.busy += out + work

    def _kpis(self) -> dict[str, float]:
        responses = np.asarray(self.responses) if self.responses else np.zeros(1)
        capacity = sum(r.capacity for r in self.servers.values()) * self.model.horizon
        kpis = {"response_mean": float(responses.mean()), "response_p90": float(np.quantile(responses, 0.9)),
                "requests": float(len(self.responses)), "utilisation": self.busy / capacity if capacity else 0.0}
        if self.model.response_target is not None:
            kpis["service_level"] = float((responses <= self.model.response_target).mean())
        return kpis


def simulate_facility(problem: FacilityLocationProblem, solution: FacilitySolution, model: FacilitySimModel,
                      streams: Streams) -> dict[str, float]:
    return FacilitySim(problem, solution, model, streams).run()
