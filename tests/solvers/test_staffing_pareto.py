"""Multi-objective staffing: the cost / waiting front by NSGA-II on simulated scores, against Erlang C."""

import itertools
from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError

from models import Result, SolveRequest, Status, Termination
from models.issues import IssueList
from models.staffing import StaffingProblem, StaffingSolution
from solvers import pareto
from solvers.backends.nsga2.staffing import POPULATION, box, seeds
from solvers.contract import Incumbent, ProgressSink
from solvers.dispatch import DispatchLimits, solve
from solvers.registry import load_builtin
from solvers.selection import SelectionError
from solvers.simulation.queueing import mmc_mean_wait

REGISTRY = load_builtin()
ARRIVAL_RATE, SERVICE_MEAN = 1.0, 2.4


def mmc(**extra: Any) -> dict[str, Any]:
    """M/M/c: exponential arrivals (mean 1), exponential service (mean 2.4), 3..8 servers."""
    return {"kind": "staffing", "arrivals": {"distribution": "exponential", "mean": 1 / ARRIVAL_RATE},
            "stations": [{"id": "desk", "service": {"distribution": "exponential", "mean": SERVICE_MEAN},
                          "servers": {"min": 3, "max": 8}, "cost_per_server": 1.0}],
            "horizon": 400, "warmup": 150, "objectives": ["cost", "wait_mean"], **extra}


def tandem() -> dict[str, Any]:
    """Two stations in series with different server prices: a genuine two-dimensional trade-off."""
    return {"kind": "staffing", "arrivals": {"distribution": "exponential", "mean": 1.0},
            "stations": [{"id": "triage", "service": {"distribution": "exponential", "mean": 1.6},
                          "servers": {"min": 1, "max": 6}, "cost_per_server": 1.0},
                         {"id": "doctor", "service": {"distribution": "exponential", "mean": 2.2},
                          "servers": {"min": 1, "max": 7}, "cost_per_server": 3.0}],
            "horizon": 200, "warmup": 50, "objectives": ["cost", "wait_mean"]}


def run(problem: dict[str, Any], replications: int = 20, min_replications: int = 5,
        generations: int | None = None, progress: ProgressSink | None = None) -> Result:
    request = SolveRequest.model_validate({
        "problem": problem, "solver": "auto",
        "simulation": {"replications": replications, "min_replications": min_replications, "seed": 3,
                       "confidence": 0.99},
        "options": {"time_limit": 60, "seed": 1, "iteration_limit": generations}})
    return solve(request, REGISTRY, DispatchLimits(), progress=progress)


def servers(result: Result) -> list[tuple[int, ...]]:
    return [tuple(p.solution.servers.values()) for p in result.pareto_front or []]  # type: ignore[union-attr]


def assert_mutually_non_dominated(result: Result) -> None:
    vectors = [p.objectives for p in result.pareto_front or []]
    assert pareto.non_dominated(vectors, ["min", "min"]) == list(range(len(vectors)))


def test_single_station_front_follows_erlang_c() -> None:
    result = run(mmc(), replications=12)
    assert result.status is Status.feasible and result.verified and result.solver.name == "nsga2"
    assert result.objectives == ["cost", "wait_mean"]
    front = result.pareto_front or []
    counts = [s[0] for s in servers(result)]
    assert counts[0] == 3, "the cheapest stable allocation (load 2.4 -> 3 servers) must be on the front"
    assert len(front) >= 5 and counts == sorted(counts)
    costs = [p.objectives[0] for p in front]
    waits = [p.objectives[1] for p in front]
    assert costs == [float(c) for c in counts]
    assert all(a > b for a, b in itertools.pairwise(waits)), "wait must fall as cost rises"
    for count, point in zip(counts, front, strict=True):
        stat = point.kpis["wait_mean"] if point.kpis else None
        assert stat is not None and stat.n == 12 and stat.mean == point.objectives[1]
        exact = mmc_mean_wait(count, ARRIVAL_RATE, 1 / SERVICE_MEAN)
        assert abs(stat.mean - exact) <= stat.half_width, (count, stat, exact)
    assert_mutually_non_dominated(result)
    assert result.hypervolume is not None and result.hypervolume > 0
    assert result.reference_point is not None and result.reference_point[0] > max(costs)
    assert result.compromise is not None and result.solution == front[result.compromise].solution
    assert result.simulation is not None and result.simulation.selection is not None


def test_tandem_front_has_several_non_dominated_points() -> None:
    published: list[Incumbent] = []
    result = run(tandem(), replications=5, min_replications=4, generations=6, progress=published.append)
    assert result.status is Status.feasible and result.verified
    assert 1 <= len(published) <= 6 and all(p.solution is not None for p in published), "events per generation"
    assert len(result.pareto_front or []) >= 3
    assert_mutually_non_dominated(result)
    for point in result.pareto_front or []:
        triage, doctor = point.solution.servers["triage"], point.solution.servers["doctor"]  # type: ignore[union-attr]
        assert triage >= 2 and doctor >= 3, "below the stability bound waits grow with the horizon"
        assert point.objectives[0] == triage * 1.0 + doctor * 3.0
        assert point.kpis is not None and point.kpis["wait_mean"].n == 5
    selection = result.simulation.selection if result.simulation else None
    assert selection is not None and selection.candidates > POPULATION, "offspring beyond the starting population"


def test_starting_population_is_distinct_inside_the_box_and_led_by_the_warm_start() -> None:
    problem = StaffingProblem.model_validate(tandem())
    lower, upper = box(problem)
    assert lower.tolist() == [2, 3] and upper.tolist() == [6, 7]
    warm = StaffingSolution(servers={"triage": 4, "doctor": 6})
    start = seeds(problem, lower, upper, POPULATION, np.random.default_rng(0), warm)
    rows = [tuple(row) for row in start.tolist()]
    assert len(rows) == POPULATION == len(set(rows))
    assert rows[0] == (4, 6) and (2, 3) in rows and (6, 7) in rows
    assert all(lo <= v <= hi for row in rows for v, lo, hi in zip(row, lower, upper, strict=True))


def test_same_seeds_give_the_same_front() -> None:
    first, again = (run({**tandem(), "horizon": 80}, replications=3, min_replications=3, generations=4)
                    for _ in range(2))
    assert first.pareto_front and len(first.pareto_front) >= 3
    assert [p.model_dump() for p in again.pareto_front or []] == [p.model_dump() for p in first.pareto_front]
    assert again.hypervolume == first.hypervolume


def test_constraints_still_filter_the_front() -> None:
    result = run(mmc(constraints=[{"kpi": "wait_mean", "max": 0.2}]), replications=10)
    counts = [s[0] for s in servers(result)]
    assert counts and min(counts) >= 5, "3 and 4 servers wait 2.6 and 0.43 on average (Erlang C)"


@pytest.mark.parametrize(("objectives", "message"), [
    (["cost", "queue_length"], "unknown objective"),
    (["cost", "cost"], "listed twice"),
    (["cost", "abandonment_rate"], "needs `patience`"),
])
def test_bad_objectives_are_reported_with_their_path(objectives: list[str], message: str) -> None:
    issues = IssueList()
    StaffingProblem.model_validate(mmc(objectives=objectives)).check(issues.under("problem"))
    assert [(i.loc, message in i.msg) for i in issues.items] == [(("problem", "objectives", 1), True)]


def test_fewer_than_two_objectives_fail_the_schema() -> None:
    with pytest.raises(ValidationError):
        StaffingProblem.model_validate(mmc(objectives=["wait_mean"]))


def test_api_rejects_bad_objectives_with_json_paths(client: TestClient) -> None:
    response = client.post("/solve", json={"problem": mmc(objectives=["cost", "wait_mean", "queue"])})
    assert response.status_code == 422
    assert [d["loc"] for d in response.json()["error"]["details"]] == [["body", "problem", "objectives", 2]]
    response = client.post("/solve", json={"problem": mmc(objectives=["cost"])})
    assert response.status_code == 422
    assert [d["loc"] for d in response.json()["error"]["details"]] == [["body", "problem", "objectives"]]


def test_api_solves_a_staffing_front(client: TestClient) -> None:
    body = {"problem": mmc(horizon=300), "solver": "nsga2", "options": {"time_limit": 60, "seed": 2},
            "simulation": {"replications": 8, "min_replications": 4, "seed": 5}}
    response = client.post("/solve", json=body)
    assert response.status_code == 200, response.text
    answer = response.json()
    assert answer["solver"]["name"] == "nsga2" and answer["objectives"] == ["cost", "wait_mean"]
    front = answer["pareto_front"]
    assert front[0]["solution"]["servers"] == {"desk": 3} and len(front) >= 4
    assert all(p["kpis"]["wait_mean"]["n"] == 8 for p in front)


def test_unsupported_solver_combinations_are_client_errors() -> None:
    single = SolveRequest.model_validate({"problem": {**mmc(), "objectives": None}, "solver": "nsga2"})
    with pytest.raises(SelectionError) as caught:
        solve(single, REGISTRY, DispatchLimits())
    assert caught.value.code == "unsupported_problem"
    front = SolveRequest.model_validate({"problem": mmc(), "solver": "simopt"})
    with pytest.raises(SelectionError):
        solve(front, REGISTRY, DispatchLimits())


def test_cancellation_mid_run_returns_a_verified_partial_front() -> None:
    """Pilot runs of 3 replications run in this process, one cancellation check per candidate."""
    checks = itertools.count()
    request = SolveRequest.model_validate({
        "problem": tandem(), "simulation": {"replications": 60, "min_replications": 3, "seed": 1},
        "options": {"time_limit": 60, "seed": 1}})
    result = solve(request, REGISTRY, DispatchLimits(), cancelled=lambda: next(checks) > 12)
    assert result.termination is Termination.cancelled and result.status is Status.feasible
    assert result.pareto_front and len(result.pareto_front) >= 2
    assert_mutually_non_dominated(result)
    assert all(p.kpis and p.kpis["wait_mean"].n == 3 for p in result.pareto_front)
    assert any("stopped" in w for w in result.warnings)
