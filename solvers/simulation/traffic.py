"""Is a staffing run long enough for its traffic? Utilisation and relaxation time per station.

Student-t intervals over replications assume each replication's mean is roughly normal and
unbiased. Near saturation neither holds for runs of ordinary length: a queue started empty needs
many relaxation times to forget its start, and the time average of a heavily loaded queue is
right-skewed (long congestion episodes), so small samples under-cover on the low side. Measured
(bench/simulation.py, RESULTS.md): M/M/2 at utilisation 0.95 with a horizon of 5,000 (3.4
relaxation times) covers the Erlang C mean wait in 84 of 100 nominal-95% intervals; at 0.8 (70
relaxation times) 97 of 100.

The relaxation time of M/M/1 is 1 / (mu (1 - sqrt(rho))^2), the inverse spectral gap of its
birth-death chain (Morse 1955, "Stochastic properties of waiting lines", Operations Research 3;
Abate & Whitt 1987, "Transient behavior of the M/M/1 queue: starting at the origin", Queueing
Systems 2). In heavy traffic an M/M/c queue behaves above c customers like an M/M/1 queue served
at rate c mu, so its relaxation time is taken as 1 / (c mu (1 - sqrt(rho))^2) (cf. Whitt 1989,
"Planning queueing simulations", Management Science 35). Non-exponential times are treated as
exponential: this is an order-of-magnitude estimate to plan run lengths, not a bound.
"""

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from models.problem import Problem
from models.problem_solutions import Solution
from models.simulation import KpiStat
from models.staffing import RateSchedule, StaffingProblem, StaffingSolution
from solvers.simulation.sampling import mean_of

HEAVY_UTILISATION = 0.9
"""Above this utilisation at a station, runs are called short unless they are RELAXATION_RUNS long."""
RELAXATION_RUNS = 50
"""Horizon, in relaxation times, below which intervals are not trusted (calibrated in bench/simulation.py)."""
MAX_LENGTHEN = 16
"""`replications: auto` lengthens a horizon at most this many times."""


@dataclass(frozen=True)
class StationTraffic:
    """One station's load under a staffing decision."""

    id: str
    utilisation: float
    relaxation: float


def visit_rates(problem: StaffingProblem) -> np.ndarray:
    """Arrival rate at each station: the external rate times the expected visits (traffic equations)."""
    arrivals = problem.arrivals
    rate = float(np.mean(arrivals.rates)) if isinstance(arrivals, RateSchedule) else 1 / max(mean_of(arrivals), 1e-12)
    n = len(problem.stations)
    if problem.routing is None:
        return np.full(n, rate)
    entry = np.zeros(n)
    entry[0] = 1.0
    try:
        visits = np.linalg.solve(np.eye(n) - np.asarray(problem.routing, dtype=float).T, entry)
    except np.linalg.LinAlgError:  # a closed routing loop: customers never leave
        return np.full(n, math.inf)
    return rate * visits


def station_traffic(problem: StaffingProblem, servers: list[int]) -> list[StationTraffic]:
    """Utilisation and heavy-traffic relaxation time of each station (inf when unstable)."""
    traffic = []
    for station, rate, count in zip(problem.stations, visit_rates(problem), servers, strict=True):
        capacity = max(1, count) / max(mean_of(station.service), 1e-12)  # c mu
        rho = rate / capacity
        relaxation = 1 / (capacity * (1 - math.sqrt(rho)) ** 2) if rho < 1 else math.inf
        traffic.append(StationTraffic(str(station.id), rho, relaxation))
    return traffic


def horizon_needed(problem: StaffingProblem, servers: list[int]) -> float:
    """RELAXATION_RUNS relaxation times of the slowest-relaxing station."""
    return RELAXATION_RUNS * max(t.relaxation for t in station_traffic(problem, servers))


def short_run_warnings(problem: StaffingProblem, servers: list[int]) -> list[str]:
    """Warnings when the horizon is short for the traffic (the intervals may under-cover)."""
    traffic = station_traffic(problem, servers)
    unstable = [t.id for t in traffic if t.utilisation >= 1]
    if unstable:
        return [f"station(s) {', '.join(unstable)} receive more work than their servers can do (utilisation "
                ">= 1): queues grow without bound, so simulated waits depend on the horizon and are no "
                "steady-state estimate"]
    worst = max(traffic, key=lambda t: t.relaxation)
    needed = RELAXATION_RUNS * worst.relaxation
    if problem.horizon >= needed:
        return []
    busiest = max(traffic, key=lambda t: t.utilisation)
    heavy = f" at utilisation {busiest.utilisation:.3g}" if busiest.utilisation > HEAVY_UTILISATION else ""
    return [f"runs are short for the traffic: station {worst.id!r}{heavy} has an estimated relaxation time of "
            f"{worst.relaxation:.3g} (heavy-traffic M/M/c estimate), and the horizon {problem.horizon:g} is "
            f"{problem.horizon / worst.relaxation:.2g} of them (fewer than {RELAXATION_RUNS}); the intervals may "
            f"under-cover (nominal 95% covered 84% at utilisation 0.95 with 3.4 relaxation times). Use a horizon "
            f"of at least {needed:.3g}, more replications, or `replications: \"auto\"` (which lengthens the runs)"]


def staffing_servers(problem: StaffingProblem, solution: StaffingSolution) -> list[int]:
    """Server counts in station order."""
    return [solution.servers[str(station.id)] for station in problem.stations]


def run_length_warnings(problem: Problem, solution: Solution | None,
                        kpis: Mapping[str, KpiStat] | None = None) -> list[str]:
    """Everything a simulated staffing answer should say about its run length: short for the traffic,
    or MSER-5 wanting to delete half the run (KPI `warmup_at_limit`). Empty for other families.

    Every path that reports simulated staffing KPIs (POST /evaluate, the staffing search, the
    staffing front) should add these to its `warnings`."""
    if not isinstance(problem, StaffingProblem) or not isinstance(solution, StaffingSolution):
        return []
    warnings = short_run_warnings(problem, staffing_servers(problem, solution))
    at_limit = (kpis or {}).get("warmup_at_limit")
    if at_limit is not None and at_limit.mean > 0:
        warnings.append(f"MSER-5 wanted to delete half the run or more in {at_limit.mean:.0%} of the replications: "
                        "the start-up transient outlasts the runs; lengthen the horizon")
    return warnings
