"""Simulation of plans: unbiased where theory says so, reproducible, and sim-opt never worse."""

from typing import Any

from models import Result, SolveRequest
from models.evaluation import EvaluateRequest, EvaluationResult
from solvers.dispatch import solve
from solvers.registry import load_builtin
from solvers.simulation.evaluate import evaluate_plan
from tests.instances import TINY

REGISTRY = load_builtin()


def solved(name: str) -> Result:
    return solve(SolveRequest(problem=TINY[name]), REGISTRY)


def simulate(name: str, model: dict[str, Any], replications: int = 30) -> tuple[Result, EvaluationResult]:
    base = solved(name)
    request = EvaluateRequest(problem=TINY[name], solution=base.solution,
                              simulation={"replications": replications, "model": model})
    return base, evaluate_plan(request, 60, lambda: False)


def test_without_randomness_the_simulation_reproduces_the_plan() -> None:
    base, evaluation = simulate("job_shop", {}, replications=3)
    assert evaluation.simulation is not None
    stat = evaluation.simulation.kpis["makespan"]
    assert evaluation.feasible and stat.mean == base.objective and stat.std == 0


def test_breakdowns_only_delay_and_mean_preserving_travel_is_unbiased() -> None:
    base, evaluation = simulate("job_shop", {"breakdowns": {"mtbf": 10, "mttr": 2}})
    assert evaluation.simulation is not None and base.objective is not None
    stat = evaluation.simulation.kpis["makespan"]
    assert stat.mean - stat.half_width > base.objective
    base, evaluation = simulate("tsp_coordinates", {"travel_time": {"distribution": "lognormal", "cv": 0.3}})
    assert evaluation.simulation is not None and base.objective is not None
    stat = evaluation.simulation.kpis["tour_duration"]
    assert abs(stat.mean - base.objective) <= stat.half_width


def test_random_weights_make_a_tight_knapsack_overflow() -> None:
    _, fixed = simulate("knapsack", {}, replications=3)
    _, noisy = simulate("knapsack", {"weight": {"distribution": "normal", "cv": 0.15}})
    assert fixed.simulation is not None and noisy.simulation is not None
    assert fixed.simulation.kpis["overflow"].mean == 0
    assert noisy.simulation.kpis["overflow"].mean > 0.2


def test_infeasible_plans_are_reported_not_simulated() -> None:
    base = solved("tsp_coordinates")
    assert base.solution is not None
    broken = base.solution.model_copy(update={"tour": [0, 1]})
    request = EvaluateRequest(problem=TINY["tsp_coordinates"], solution=broken)
    evaluation = evaluate_plan(request, 10, lambda: False)
    assert not evaluation.feasible and evaluation.violations and evaluation.simulation is None


def test_simulation_optimisation_is_reproducible_and_not_worse_than_the_deterministic_plan() -> None:
    body = {"problem": TINY["knapsack"], "options": {"time_limit": 20},
            "simulation": {"replications": 8, "seed": 4, "model": {"weight": {"distribution": "normal", "cv": 0.1}}}}
    first = solve(SolveRequest.model_validate(body), REGISTRY)
    second = solve(SolveRequest.model_validate(body), REGISTRY)
    report = first.simulation
    assert report is not None and report.baseline is not None and first.verified
    assert second.simulation is not None and report.difference is not None
    assert first.solution == second.solution and report.kpis == second.simulation.kpis
    assert report.difference["value_kept"].mean >= 0
    assert report.kpis["value_kept"].mean >= report.baseline.kpis["value_kept"].mean
