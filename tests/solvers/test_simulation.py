"""Simulation against theory: Erlang C, common random numbers, reproducibility, staffing optima."""

import math

import numpy as np
import pytest

from models import SolveRequest, Status
from models.staffing import StaffingProblem, StaffingSolution
from solvers.dispatch import solve
from solvers.registry import load_builtin
from solvers.simulation.queueing import mmc_mean_wait, mmc_service_level
from solvers.simulation.staffing_model import simulate_staffing
from solvers.simulation.stats import kpi_stat, paired_difference
from solvers.simulation.streams import Streams


def queue(mean_interarrival: float, mean_service: float, **extra: object) -> StaffingProblem:
    return StaffingProblem.model_validate({
        "kind": "staffing", "arrivals": {"distribution": "exponential", "mean": mean_interarrival},
        "stations": [{"id": "s", "service": {"distribution": "exponential", "mean": mean_service},
                      "servers": {"min": 1, "max": 10}}],
        "horizon": 1500, "warmup": 200, **extra})


def replicate(problem: StaffingProblem, servers: int, n: int, seed: int = 0,
              candidate: int | None = None) -> list[dict[str, float]]:
    return [simulate_staffing(problem, [servers], Streams(seed, r, candidate)) for r in range(n)]


@pytest.mark.parametrize(("servers", "interarrival", "service"), [(1, 1.0, 0.7), (3, 1.0, 2.4)])
def test_waiting_time_matches_erlang_c_within_its_interval(servers: int, interarrival: float, service: float) -> None:
    runs = replicate(queue(interarrival, service), servers, 20)
    stat = kpi_stat([r["wait_mean"] for r in runs], 0.99)
    exact = mmc_mean_wait(servers, 1 / interarrival, 1 / service)
    assert abs(stat.mean - exact) <= stat.half_width, (stat, exact)


def test_service_level_matches_erlang_c() -> None:
    problem = queue(1.0, 2.4, constraints=[{"kpi": "service_level", "wait": 0.5, "min": 0.8}])
    runs = replicate(problem, 3, 20)
    stat = kpi_stat([r["service_level@0.5"] for r in runs], 0.99)
    assert abs(stat.mean - mmc_service_level(3, 1.0, 1 / 2.4, 0.5)) <= stat.half_width


def test_common_random_numbers_tighten_paired_differences() -> None:
    """Same streams: the two systems' replications move together, so their difference is sharper."""
    problem = queue(1.0, 2.4)
    four, five = ([r["wait_mean"] for r in replicate(problem, c, 15)] for c in (4, 5))
    four_alone, five_alone = ([r["wait_mean"] for r in replicate(problem, c, 15, candidate=c)] for c in (4, 5))
    crn = paired_difference(four, five, 0.95)
    independent = paired_difference(four_alone, five_alone, 0.95)
    assert np.corrcoef(four, five)[0, 1] > 0.9
    assert abs(np.corrcoef(four_alone, five_alone)[0, 1]) < 0.6
    assert crn.half_width < 0.8 * independent.half_width


def test_seeds_reproduce_exactly_and_differ_between_seeds() -> None:
    problem = queue(1.0, 0.8)
    assert replicate(problem, 1, 3, seed=5) == replicate(problem, 1, 3, seed=5)
    assert replicate(problem, 1, 3, seed=5) != replicate(problem, 1, 3, seed=6)


def test_abandonment_and_rate_schedules_are_simulated() -> None:
    impatient = queue(1.0, 2.4, patience={"distribution": "exponential", "mean": 0.5})
    assert kpi_stat([r["abandonment_rate"] for r in replicate(impatient, 2, 5)], 0.95).mean > 0.05
    scheduled = queue(1.0, 0.5, arrivals={"distribution": "piecewise_poisson", "rates": [0.5, 1.5], "period": 50})
    counts = kpi_stat([r["customers"] for r in replicate(scheduled, 2, 10)], 0.99)
    assert abs(counts.mean - 1500) <= max(counts.half_width, 0.03 * 1500)


def smallest_servers(wait_limit: float, rate: float, service_rate: float) -> int:
    return next(c for c in range(1, 50) if mmc_mean_wait(c, rate, service_rate) <= wait_limit)


@pytest.mark.parametrize(("service", "limit"), [(2.5, 0.5), (1.6, 0.1)])
def test_staffing_finds_the_analytic_optimum(service: float, limit: float) -> None:
    problem = queue(1.0, service, constraints=[{"kpi": "wait_mean", "max": limit}])
    request = SolveRequest(problem=problem, simulation={"replications": 10, "seed": 3},
                           options={"time_limit": 120})
    result = solve(request, load_builtin())
    expected = smallest_servers(limit, 1.0, 1 / service)
    assert isinstance(result.solution, StaffingSolution) and result.verified
    assert result.solution.servers == {"s": expected}
    assert result.objective == expected and result.bound is not None and result.bound <= expected
    assert result.simulation is not None and result.simulation.kpis["wait_mean"].n >= 10
    assert result.simulation.selection is not None
    assert math.isclose(result.simulation.selection.probability_correct_selection, 0.95)


def test_unreachable_service_levels_are_reported_infeasible() -> None:
    problem = queue(1.0, 2.5, constraints=[{"kpi": "wait_mean", "max": 0.01}])
    problem.stations[0].servers.max = 3
    result = solve(SolveRequest(problem=problem, simulation={"replications": 5}), load_builtin())
    assert result.status is Status.infeasible and result.solution is None
